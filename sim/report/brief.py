"""The one-page brief: ``brief.html`` (prints on one A4 page) and ``brief.md`` (the same
content as text), written beside each report.

It holds what a board needs and nothing else: the question, the answer (from
:func:`sim.report.answer.build_answer`), three headline numbers with their intervals, one
figure, the main assumptions the result rests on, where the full tables are, and the
command that reproduces the run.

The assumptions are of two kinds:

- the parameters that drive the results most, from the sensitivity analysis. This is a
  static list, ``docs/sensitivity_drivers.yaml``, derived from a stored Morris screening
  (its header says which run); it is not recomputed for each run. Each driver is shown
  with its value in this run and its evidence comment from ``conf/``;
- what the scenarios themselves assume: each intervention's effect sizes, or the
  parameters that differ between the scenarios, again with their evidence comments.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import outputs
from sim.config import REPO_ROOT
from sim.glossary import EXPERIMENTS, INTERVENTIONS, parameter_label, scenario_label
from sim.report import figures
from sim.report.answer import Answer, Headline, build_answer
from sim.report.data import NON_PARAMETER_KEYS, RunData
from sim.report.format import decimals_for, flatten, format_number, is_missing, money, show
from sim.report.render import png_data_uri, render
from sim.report.tables import TABLES_NAME

BRIEF_HTML, BRIEF_MD = "brief.html", "brief.md"
DRIVERS_FILE = REPO_ROOT / "docs" / "sensitivity_drivers.yaml"

#: How many drivers and scenario assumptions the page has room for.
MAX_DRIVERS, MAX_SCENARIO_ASSUMPTIONS = 4, 8
#: The longest answer paragraph a one-page brief holds (characters); a longer answer (an
#: experiment with many options) is cut at a sentence and points to the report.
MAX_ANSWER_CHARS = 1000


def brief_answer(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """The answer as the brief prints it: whole, or its first sentences up to ``limit``
    characters and a pointer to the full answer in the report (so the page stays one A4)."""
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z£])", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + 1 > limit and kept:
            break
        kept = f"{kept} {sentence}".strip()
    if len(kept) > limit:                       # one very long first sentence: cut at a word
        kept = kept[:limit].rsplit(" ", 1)[0] + " …"
    return kept + " The full answer, for every option, is in the report."
#: Evidence comments are cut to this many characters on the page (the tables hold them whole).
EVIDENCE_CHARS = 72

#: Intervention settings that are not effect sizes.
_NOT_EFFECTS = {"enabled", "start_month", "cost_per_staff_year"}


@dataclass(frozen=True)
class Assumption:
    """One parameter the result rests on: in words, its value here, and its evidence."""

    label: str
    value: str
    evidence: str


@dataclass
class Brief:
    """Everything on the page, as plain text (the templates escape it)."""

    title: str
    question: str
    answer: str
    numbers: list[dict[str, str]]
    window: str
    uncertainty: str
    figure_caption: str
    drivers: list[Assumption]
    drivers_source: str
    scenario_assumptions: list[Assumption]
    command: str
    commit: str
    links: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- content


def formatted(h: Headline) -> tuple[str, str]:
    """(value, "low to high") of a headline: its own ``formatted()`` when it has one, else shares
    ("%") and percentage points ("pp") marked on each number, pounds ("£...") as money."""
    if hasattr(h, "formatted"):
        return h.formatted()
    d = decimals_for(h.value, h.low, h.high)

    def one(x: float) -> str:
        if is_missing(x) or not math.isfinite(float(x)):
            return "—"
        if h.unit.startswith("£"):
            return money(x)
        text = format_number(x, signed=h.unit == "pp", decimals=d)
        return text + ("%" if h.unit == "%" else " pp" if h.unit == "pp" else "")

    return one(h.value), f"{one(h.low)} to {one(h.high)}"


def headline_numbers(headlines: list[Headline]) -> list[dict[str, str]]:
    """The first three headlines as text: label, number, the unit words after it, interval."""
    out = []
    for h in headlines[:3]:
        number, interval = formatted(h)
        unit = h.unit.strip()
        unit = "" if unit in ("%", "pp") else unit.removeprefix("£").strip()
        out.append({"label": h.label, "number": number, "unit": unit, "value": f"{number} {unit}".strip(),
                    "interval": interval, "note": h.note})
    return out


def _evidence(run: RunData) -> dict[str, tuple[str, str]]:
    """key -> (value, evidence) of the run's parameters (parameters.csv, else conf/ comments)."""
    from sim.evidence import parameter_table  # noqa: PLC0415

    table = run.parameters
    if table is None or not {"key", "value"} <= set(table.columns):
        try:
            table = parameter_table(run.config) if run.config else None
        except (AttributeError, TypeError, OSError):
            table = None
    if table is None:
        return {}
    ev = table["evidence"] if "evidence" in table.columns else pd.Series([""] * len(table))
    return {str(k): (show(v) if not isinstance(v, str) else v, str(e or ""))
            for k, v, e in zip(table["key"], table["value"], ev, strict=True)}


def _cut(text: str, n: int = EVIDENCE_CHARS) -> str:
    """An evidence comment cut to about ``n`` characters at a word; if the cut drops the word
    "assumption", the line still says it is one (tables.xlsx holds the whole comment)."""
    text = " ".join(str(text).split())
    if len(text) <= n:
        return text
    short = text[:n].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"
    if "assumption" in text.lower() and "assumption" not in short.lower():
        short += " (an assumption)"
    return short


def read_drivers(path: Path = DRIVERS_FILE) -> tuple[list[str], str]:
    """The parameters that drive the results most (ranked) and a line naming their source."""
    if not path.is_file():
        return [], ""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    ranked = [str(d["key"]) for d in data.get("ranking", []) if isinstance(d, dict) and "key" in d]
    return ranked, str(data.get("source", "")).strip()


def drivers(run: RunData, path: Path = DRIVERS_FILE) -> tuple[list[Assumption], str]:
    """The top drivers from the stored sensitivity analysis, with this run's values and evidence."""
    ranked, source = read_drivers(path)
    known = _evidence(run)
    out = []
    for key in ranked[:MAX_DRIVERS]:
        value, evidence = known.get(key, ("", ""))
        out.append(Assumption(parameter_label(key), value, _cut(evidence)))
    return out, source


def scenario_assumptions(run: RunData) -> list[Assumption]:
    """What the scenarios assume: each selected intervention's effect sizes (one line per
    intervention, with the evidence of its first effect), else the parameters that differ
    between the scenarios, each with its evidence comment."""
    known = _evidence(run)
    configs = {n: run.scenario_configs.get(n) or {} for n in run.scenarios}
    if not any(configs.values()):
        configs = {run.reference: run.config}
    out: list[Assumption] = []
    seen: set[str] = set()
    for cfg in configs.values():
        for name, iv in (cfg.get("intervention") or {}).items():
            if not isinstance(iv, dict) or not iv.get("enabled") or name in seen:
                continue
            seen.add(name)
            effects = [leaf for leaf in iv if leaf not in _NOT_EFFECTS]
            if not effects:
                continue
            keys = [f"intervention.{name}.{leaf}" for leaf in effects]
            values = "; ".join(f"{parameter_label(k).split(': ', 1)[-1]} {show(iv[leaf])}"
                               for k, leaf in zip(keys, effects, strict=True))
            evidence = next((e for k in keys if (e := known.get(k, ("", ""))[1])), "")
            label = INTERVENTIONS[name].label if name in INTERVENTIONS else parameter_label(f"intervention.{name}")
            out.append(Assumption(label, values, _cut(evidence, EVIDENCE_CHARS - 12)))
    if out or len(configs) < 2:
        return out[:MAX_SCENARIO_ASSUMPTIONS]
    flat = {n: flatten(c) for n, c in configs.items()}
    keys = sorted(set().union(*(f.keys() for f in flat.values())) - NON_PARAMETER_KEYS)
    for key in keys:
        values = [show(f.get(key)) for f in flat.values()]
        if len(set(values)) > 1 and not key.endswith(".name") and not key.startswith(("hydra", "intervention")):
            shown = " or ".join(dict.fromkeys(values))       # the levels the scenarios take
            out.append(Assumption(parameter_label(key), shown, _cut(known.get(key, ("", ""))[1])))
    return out[:MAX_SCENARIO_ASSUMPTIONS]


def reproduce(run: RunData) -> tuple[str, str]:
    """The command that made the run (provenance.json), and the git commit it ran at."""
    prov = run.provenance or {}
    command = str(prov.get("command") or "").strip()
    if not command:
        name = str(run.config.get("scenario") or "")
        command = f"python -m sim experiment={name}" if name in EXPERIMENTS else "python -m sim (see config.yaml)"
    git = prov.get("git") if isinstance(prov.get("git"), dict) else {}
    commit = str(git.get("commit") or prov.get("git_commit") or "")
    if commit and git.get("dirty"):
        commit += " (with uncommitted changes)"
    return command, commit


def title_of(run: RunData) -> str:
    """The experiment's plain title, else the scenario in words."""
    name = str(run.config.get("scenario") or run.reference)
    if name in EXPERIMENTS:
        return EXPERIMENTS[name].label
    return scenario_label(name)


def make_brief(run: RunData, answer: Answer) -> Brief:
    """The page's content."""
    found, source = drivers(run)
    command, commit = reproduce(run)
    several = len(run.scenarios) > 1
    caption = (f"Difference of each scenario from {scenario_label(run.reference)} "
               f"({answer.window}), paired by replication; bars: 95% intervals." if several else
               "Median across replications (line) and 95% band; grey: the months the numbers average.")
    return Brief(
        title=title_of(run), question=answer.question, answer=brief_answer(answer.text),
        numbers=headline_numbers(answer.headlines), window=answer.window, uncertainty=answer.uncertainty,
        figure_caption=caption, drivers=found, drivers_source=source,
        scenario_assumptions=scenario_assumptions(run), command=command, commit=commit,
        links=[("Full report", "report.html"), ("Tables (Excel)", TABLES_NAME), ("Summary (CSV)", "summary.csv")],
    )


# --------------------------------------------------------------------------- writing


def markdown(brief: Brief, figure_file: str | None) -> str:
    """The brief as Markdown (same content as the HTML page)."""
    lines = [f"# {brief.title}", "", f"**Question.** {brief.question or 'No question was given in config.yaml.'}", "",
             f"**Answer.** {brief.answer}", "", "| | value | 95% interval | note |", "|---|---|---|---|"]
    lines += [f"| {n['label']} | {n['value']} | {n['interval']} | {n['note'] or ' '} |" for n in brief.numbers]
    lines += ["", f"Window: {brief.window}. Uncertainty: {brief.uncertainty}.", ""]
    if figure_file:
        lines += [f"![{brief.figure_caption}]({figure_file})", "", f"*{brief.figure_caption}*", ""]
    lines += ["## What the result rests on", ""]
    if brief.drivers:
        lines += [f"Parameters that drive the results most ({brief.drivers_source}):", ""]
        lines += [f"- **{a.label}** = {a.value or '—'}: {a.evidence or 'no evidence comment'}" for a in brief.drivers]
        lines.append("")
    if brief.scenario_assumptions:
        lines += ["What the scenarios assume:", ""]
        lines += [f"- **{a.label}** = {a.value}: {a.evidence or 'no evidence comment'}"
                  for a in brief.scenario_assumptions]
        lines.append("")
    lines += ["## Reproduce", "", "```bash", brief.command, "```", ""]
    if brief.commit:
        lines += [f"at git commit {brief.commit}.", ""]
    lines += ["Full report and tables: " + ", ".join(f"[{t}]({href})" for t, href in brief.links), ""]
    return "\n".join(lines)


def brief_figure(run: RunData, out_dir: Path) -> Path | None:
    """The brief's one figure (differences with intervals, or the headline trajectories)."""
    labels = {s: scenario_label(s) for s in run.scenarios}
    return figures.brief_figure(run.timeseries, run.summary, out_dir, reference=run.reference,
                                scenarios=run.scenarios, labels=labels, summary_months=run.summary_months)


def write_brief(run: RunData, figure_dir: Path, answer: Answer | None = None) -> tuple[Path, Path]:
    """Write ``brief.html`` and ``brief.md`` into the run folder; return their paths."""
    answer = answer if answer is not None else build_answer(run)
    brief = make_brief(run, answer)
    fig = brief_figure(run, figure_dir)
    rel = fig.relative_to(run.run_dir).as_posix() if fig is not None and fig.is_relative_to(run.run_dir) else None
    html = render("brief.html", title=brief.title, brief=brief, figure_src=png_data_uri(fig) if fig else None)
    html_path, md_path = run.run_dir / BRIEF_HTML, run.run_dir / BRIEF_MD
    outputs.write_text(html_path, html)
    outputs.write_text(md_path, markdown(brief, rel))
    return html_path, md_path


def as_dict(brief: Brief) -> dict[str, Any]:
    """The brief's content as a plain dict (for tests and other writers)."""
    from dataclasses import asdict  # noqa: PLC0415

    return asdict(brief)
