"""The run report page: every section rendered into ``templates/report.html``, and the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sim import outputs
from sim.glossary import scenario_label
from sim.report import sections
from sim.report.brief import BRIEF_HTML, write_brief
from sim.report.data import REPORT_NAME, RunData, factorial_design, load_run
from sim.report.render import render
from sim.report.tables import TABLES_NAME, write_tables

TITLE = "Leadership culture, burnout and care: simulation report"


def page(run: RunData, figure_dir: Path) -> str:
    """The whole HTML page as text; the optional sections appear when their inputs do.

    Draws the figures into ``figure_dir`` on the way (their PNGs are embedded).
    """
    design = factorial_design(run.scenario_configs, run.scenarios, run.reference)
    drawn = sections.figures_section(run, figure_dir)  # drawn first, then the culture grids
    bodies = {
        "answer": sections.answer(run),
        "question": sections.question(run),
        "scenarios": sections.scenarios(run),
        "trust": sections.trust(run),
        "findings": sections.findings(run),
        "time_course": sections.time_course(run),
        "cultures": sections.cultures(run, design, figure_dir),
        "cost": sections.cost(run),
        "figures": drawn,
        "metrics": sections.metrics(run),
        "assumptions": sections.assumptions(run),
        "provenance": sections.provenance(run),
    }
    shown = [{"anchor": a, "title": t, "data": bodies[a]} for a, t in sections.SECTIONS if bodies.get(a) is not None]
    subtitle = f"Run folder {run.run_dir.resolve().name}"
    if run.config.get("scenario"):
        subtitle += f" · {scenario_label(str(run.config['scenario']))}"
    links = [(text, href) for text, href, present in (
        ("One-page brief", BRIEF_HTML, True), ("Tables (Excel)", TABLES_NAME, True),
        ("summary.csv", "summary.csv", True),
        ("cost_effectiveness.csv", "cost_effectiveness.csv", run.cost is not None)) if present]
    return render("report.html", title=TITLE, subtitle=subtitle, sections=shown,
                  failed_jobs=sections.failed_jobs(run), links=links)


def build_report(run_dir: Path) -> Path:
    """Build ``run_dir/report.html`` (figures also saved in ``run_dir/figures``) and return its
    path; beside it, the tables a team can use (``tables.xlsx``) and the one-page brief
    (``brief.html``, ``brief.md``), which the report links."""
    run = load_run(Path(run_dir))
    write_tables(run)
    out = run.run_dir / REPORT_NAME
    outputs.write_text(out, page(run, run.run_dir / "figures"))
    write_brief(run, run.run_dir / "figures")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: rebuild DIR/report.html; exit 2 with one line when DIR is not a run folder."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description="Rebuild DIR/report.html.")
    parser.add_argument("run_dir", type=Path, metavar="DIR", help="run folder with timeseries.parquet")
    args = parser.parse_args(argv)
    status_file = args.run_dir / "status.json"
    if status_file.is_file():       # a single run's folder: only a completed run is reported
        try:
            status = json.loads(status_file.read_text()).get("status")
        except (OSError, ValueError, AttributeError):
            status = "unreadable"
        if status != "completed":
            print(f"error: {args.run_dir}: status is {status!r}; only a completed run has a report", file=sys.stderr)
            return 2
    try:
        out = build_report(args.run_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0
