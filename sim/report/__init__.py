"""The HTML reports: a self-contained page per run folder and per sensitivity analysis.

``python -m sim.report DIR`` (or :func:`build_report`) reads the output contract in
``DIR`` (``timeseries.parquet``, ``summary.csv``, ``config.yaml``, ``provenance.json``)
and writes ``DIR/report.html``: the question, the scenarios, headline findings with
intervals, figures embedded as data URIs (so the file can be mailed to a board), every
metric, the assumptions behind the run and its provenance. The PNGs are also kept in
``DIR/figures/``. Beside it, the same call writes ``tables.xlsx`` (:mod:`sim.report.tables`)
and the one-page brief, ``brief.html`` and ``brief.md`` (:mod:`sim.report.brief`).

Where things live:

- :mod:`sim.report.data`: reading a run folder (:class:`RunData`) and the 2x2 design;
- :mod:`sim.report.format`: numbers in their units, driven by ``sim/metric_records.py``;
- :mod:`sim.report.sections`: one function per section, returning what its template shows;
- :mod:`sim.report.figures`: every figure (run figures, Morris and Sobol);
- :mod:`sim.report.render`: the jinja2 environment, tables and embedded figures;
- :mod:`sim.report.build`: the run page and the CLI; :mod:`sim.report.sensitivity`: the
  sensitivity page;
- ``templates/``: ``base.html`` (head, style, header), ``report.html`` and
  ``sensitivity.html`` extending it, ``sections/<anchor>.html``, ``report.css``.
"""

from sim.report.build import build_report, main, page
from sim.report.data import (
    REPORT_NAME,
    Factorial,
    RunData,
    choose_reference,
    factorial_design,
    find_scenario_configs,
    load_run,
)
from sim.report.format import diff_with_interval, format_diff, format_value, value_with_interval

__all__ = [
    "REPORT_NAME", "Factorial", "RunData", "build_report", "choose_reference", "diff_with_interval",
    "factorial_design", "find_scenario_configs", "format_diff", "format_value", "load_run", "main", "page",
    "value_with_interval",
]
