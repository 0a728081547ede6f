"""README and docs/ refer only to files that are in the repository, and their anchors exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "bench" / "README.md"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```", re.DOTALL)


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    out = set()
    for line in CODE.sub("", path.read_text(encoding="utf-8")).splitlines():
        if m := re.match(r"#+\s+(.*)", line):
            text = re.sub(r"[`*_]", "", m.group(1)).strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


def links(path: Path) -> list[str]:
    return LINK.findall(CODE.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_point_at_files_and_headings_that_exist(doc: Path) -> None:
    assert doc.is_file()
    for target in links(doc):
        if re.match(r"[a-z]+:", target):        # http(s), mailto: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        assert dest.exists(), f"{doc.name}: link to {target} (no such file)"
        assert REPO in dest.parents or dest == REPO, f"{doc.name}: link to {target} leaves the repository"
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{doc.name}: link to {target} (no such heading)"


def test_readme_first_screen_serves_a_policy_user() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first = text[: text.index("## The experiments")]
    assert "make run " in first and "make test " in first
    assert "report.html" in first and "brief.html" in first and "tables.xlsx" in first
    assert "| `leadership_2x2` |" in text[: text.index("## Changing the assumptions")]
    for engineering in ("SLURM", "Ray", "benchmark", "submitit"):
        assert engineering not in first, engineering


PATH_IN_CODE = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:md|py|yaml|yml|csv|txt|json|lock|toml|js|html|css))`")
PLACEHOLDER = re.compile(r"(^|/)[A-Z]{2,}[./]")   # NAME.yaml, OUT/latest.md: a pattern, not a file


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_files_named_in_code_spans_exist(doc: Path) -> None:
    """A path such as `conf/targets/england.yaml` names a file of the repository (run outputs
    under results/ and patterns such as `experiments/NAME.yaml` excepted)."""
    for path in PATH_IN_CODE.findall(doc.read_text(encoding="utf-8")):
        if PLACEHOLDER.search(path) or path.startswith("results/"):
            continue
        assert (REPO / path).exists() or (doc.parent / path).exists(), f"{doc.name}: `{path}` is not in the repository"
