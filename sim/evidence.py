"""Read the evidence comment of every parameter from the YAML files in ``conf/``.

The comments are the documentation of record (docs/engineering.md, "Project rule": every
parameter names its evidence or says it is an assumption); reports show them beside the values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import REPO_ROOT, flatten

CONF_DIR = REPO_ROOT / "conf"
_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<value>[^#]*)(#\s?(?P<comment>.*))?$")


def comments_of(path: Path, prefix: str = "") -> dict[str, str]:
    """Dotted key -> trailing comment of a simple (block-style) YAML file."""
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        indent, key = len(m["indent"]), m["key"]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        dotted = prefix + ".".join([k for _, k in stack] + [key])
        if m["value"].strip() == "":
            stack.append((indent, key))
        if m["comment"]:
            out[dotted] = m["comment"].strip()
    return out


def parameter_table(resolved: dict[str, Any]) -> pd.DataFrame:
    """key, value, evidence for every parameter of a resolved config."""
    evidence = comments_of(CONF_DIR / "config.yaml")
    for group in ("organisation", "demand", "leadership", "collaboration"):
        option = resolved.get(group, {}).get("name")
        path = CONF_DIR / group / f"{option}.yaml"
        if option and path.exists():
            evidence.update(comments_of(path, prefix=f"{group}."))
            base = CONF_DIR / group / "steady.yaml"   # options that extend another inherit its comments
            if group == "demand" and option != "steady" and base.exists():
                for k, v in comments_of(base, prefix="demand.").items():
                    evidence.setdefault(k, v)
    for k in [k for k in flatten(resolved) if k == "trust" or k.startswith("trust.")]:
        evidence.setdefault(k, "the trust profile (conf/trust/, docs/guide.md): the trust's own data, not a parameter")
    rows = [{"key": k, "value": v, "evidence": evidence.get(k, "")}
            for k, v in flatten(resolved).items() if not k.startswith("schedule")]
    for i, change in enumerate(resolved.get("schedule", [])):
        rows.append({"key": f"schedule[{i}]", "value": f"{change['key']}={change['value']} from month {change['month']}",
                     "evidence": "scheduled change (intervention)"})
    return pd.DataFrame(rows, columns=["key", "value", "evidence"])
