"""``python -m sim.list [experiments|interventions|parameters]``: what there is to run, in words.

- ``experiments``: each experiment of ``experiments/`` with the question it answers;
- ``interventions``: each intervention of ``conf/intervention/`` with one line of what it does,
  and its start month and cost per staff post a year;
- ``parameters``: every parameter of the default configuration with its value, its name in
  words and its evidence (the comment beside it in ``conf/``, parsed by :mod:`sim.evidence`).

With no argument, all three. ``python -m sim --help`` prints the first two (:func:`help_text`).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from sim.glossary import (
    EXPERIMENTS,
    GROUP_OPTIONS,
    INTERVENTIONS,
    SECTIONS,
    experiment_names,
    experiment_question,
    intervention_names,
    parameter_label,
)
from sim.report.format import show

WIDTH = 100
TOPICS = ("experiments", "interventions", "parameters")

#: Sections left out of the parameter list: how Hydra runs, not the model.
_HIDDEN_SECTIONS = ("hydra",)


def _item(name: str, text: str, width: int = 26) -> str:
    """``name`` then ``text`` wrapped under a hanging indent (a long name gets its own line)."""
    indent = " " * (width + 3)
    if len(name) > width:
        return f"  {name}\n" + textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)
    return textwrap.fill(text, WIDTH, initial_indent=f"  {name:<{width}} ", subsequent_indent=indent)


def experiments_text() -> str:
    """Every experiment with its title and question."""
    lines = ["Experiments (python -m sim experiment=NAME; each says its question, scenarios and reference):"]
    for name in experiment_names():
        entry = EXPERIMENTS.get(name)
        title = entry.label if entry else name
        lines.append(_item(name, f"{title}. {experiment_question(name)}"))
    return "\n".join(lines)


def _default_config() -> dict[str, Any]:
    """The default configuration as a plain nested dict (composed as ``python -m sim`` would)."""
    from omegaconf import OmegaConf  # noqa: PLC0415

    from sim.config import compose  # noqa: PLC0415 - composing imports Hydra

    data = OmegaConf.to_container(compose([]), resolve=True)
    return data if isinstance(data, dict) else {}


def interventions_text(with_settings: bool = True) -> str:
    """Every intervention with one line of what it does (and its start and cost)."""
    settings = {}
    if with_settings:
        try:
            settings = dict(_default_config().get("intervention") or {})
        except Exception:  # noqa: BLE001 - the list stays useful without the numbers
            settings = {}
    lines = ["Interventions (python -m sim intervention=NAME, or intervention=[a,b] for several; settings in "
             "conf/config.yaml, section intervention):"]
    for name in intervention_names():
        entry = INTERVENTIONS.get(name)
        text = f"{entry.label}: {entry.meaning}." if entry else name
        s = settings.get(name) or {}
        if s.get("start_month") is not None and s.get("cost_per_staff_year") is not None:
            text += f" Starts at month {s['start_month']}; £{float(s['cost_per_staff_year']):,.0f} per staff post a year."
        lines.append(_item(name, text))
    return "\n".join(lines)


def groups_text() -> str:
    """The configuration groups a scenario is made of."""
    groups: dict[str, list[str]] = {}
    for (group, option), label in GROUP_OPTIONS.items():
        groups.setdefault(group, []).append(f"{option} ({label.lower()})")
    lines = ["Settings groups (group=option; the default first):"]
    for group, options in groups.items():
        lines.append(_item(group, ", ".join(options), width=14))
    return "\n".join(lines)


def parameter_rows() -> list[dict[str, str]]:
    """Every parameter of the default configuration: key, value, label, evidence."""
    from sim.evidence import parameter_table  # noqa: PLC0415

    table = parameter_table(_default_config())
    rows = []
    for key, value, evidence in table.itertuples(index=False, name=None):
        if key.split(".", 1)[0] in _HIDDEN_SECTIONS or key in ("scenario", "description", "reference_scenario"):
            continue
        rows.append({"key": key, "value": show(value), "label": parameter_label(key), "evidence": str(evidence or "")})
    return rows


def parameters_text() -> str:
    """Every parameter, grouped by section: key = value (in words), then its evidence."""
    lines = ["Parameters (the default configuration; change one with key=value; the evidence is the comment "
             "beside it in conf/):"]
    section = None
    for r in parameter_rows():
        head = r["key"].split(".", 1)[0] if "." in r["key"] else ""
        if head != section:
            section = head
            lines.append("")
            lines.append(SECTIONS.get(head, "Run settings") + ":")
        lines.append(f"  {r['key']} = {r['value']}    ({r['label']})")
        evidence = r["evidence"] or "no comment"
        lines.append(textwrap.fill(evidence, WIDTH, initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


def help_text() -> str:
    """``python -m sim --help``: what the model answers, the experiments and interventions, and where to look."""
    parts = [
        "usage: python -m sim [experiment=NAME] [group=option ...] [key=value ...] [-m key=a,b]",
        "",
        textwrap.fill("Simulates how leadership culture in an NHS organisation (compassionate or blaming leaders, "
                      "collaborative or siloed teams) drives nurse burnout, vacancies and quality of care. Each run "
                      "writes results/<scenario>/<date_time>/ (a sweep: results/multirun/<date_time>/) with "
                      "report.html, a one-page brief.html, tables.xlsx and summary.csv.", WIDTH),
        "",
        experiments_text(),
        "",
        interventions_text(),
        "",
        groups_text(),
        "",
        "Common settings: n_replications=10 years=10 seed=... n_jobs=2 (worker processes); "
        "organisation=small years=2 for a quick look.",
        "",
        "More:",
        _item("python -m sim.list parameters", "every parameter with its value and evidence", width=34),
        _item("python -m sim --help-hydra", "Hydra's own help: the configuration groups and every setting", width=34),
        _item("python -m sim --hydra-help", "Hydra's command-line flags (--cfg job, --info, ...)", width=34),
        _item("README.md, docs/", "the experiment table, the model (docs/model.md), engineering notes", width=34),
    ]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print the experiments, interventions and/or parameters."""
    parser = argparse.ArgumentParser(prog="python -m sim.list",
                                     description="List the experiments, interventions and parameters, in words.")
    parser.add_argument("topic", nargs="*", metavar="TOPIC",
                        help="experiments, interventions or parameters (default: all three)")
    args = parser.parse_args(argv)
    wrong = [t for t in args.topic if t not in TOPICS]
    if wrong:
        print(f"error: unknown topic {wrong[0]!r}; allowed: {', '.join(TOPICS)}", file=sys.stderr)
        return 2
    topics = args.topic or list(TOPICS)
    writers = {"experiments": experiments_text, "interventions": interventions_text, "parameters": parameters_text}
    print("\n\n".join(writers[t]() for t in dict.fromkeys(topics)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
