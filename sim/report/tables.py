"""``tables.xlsx``: the run's tables as a workbook a team can filter, chart and paste from.

Four sheets, each a plain table with one header row (no merged cells, no formulas):

- ``summary``: every row of ``summary.csv`` (levels: n, mean, sd, 95% interval, and any other
  column but the differences), with the scenario and metric in words beside their names;
- ``differences``: the paired differences from the reference scenario (the ``diff``
  columns of ``summary.csv``), one row per scenario and metric;
- ``costs``: ``cost_effectiveness.csv`` when the run has costed interventions, else one
  row saying there are none;
- ``parameters``: every parameter in words, its key, value (per scenario when a sweep's
  scenarios differ) and the evidence comment from ``conf/``.

Numbers are stored as they are in the CSV files (shares as fractions 0-1, so a sheet and
``summary.csv`` agree exactly) and shown in their unit by the cell's number format
(shares as percent, money in pounds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim import outputs
from sim.glossary import metric_label, parameter_label, scenario_label
from sim.metric_records import MONEY_METRICS, PERCENT_METRICS
from sim.report.data import NON_PARAMETER_KEYS, RunData
from sim.report.format import flatten, show

TABLES_NAME = "tables.xlsx"
SHEETS: tuple[str, ...] = ("summary", "differences", "costs", "parameters")

_LEVEL_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high")
_DIFF_COLUMNS = ("diff", "diff_ci_low", "diff_ci_high")


def _number_format(metric: str) -> str | None:
    if metric in PERCENT_METRICS:
        return "0.0%"
    if metric in MONEY_METRICS:
        return '"£"#,##0'
    return None


def _clean(value: Any) -> Any:
    """A cell value: NaN and missing become empty cells, infinity the text ∞; numpy scalars plain Python."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):    # Excel has no infinity: shown as in the report
        return "∞" if value > 0 else "−∞"
    return value


def summary_sheet(run: RunData) -> pd.DataFrame:
    """The levels of summary.csv, scenario and metric also in words."""
    s = run.summary
    cols = [c for c in _LEVEL_COLUMNS if c in s.columns]
    out = pd.DataFrame({
        "scenario": s["scenario"].astype(str),
        "scenario (in words)": s["scenario"].map(scenario_label),
        "metric": s["metric"].astype(str),
        "metric (in words)": s["metric"].map(lambda m: metric_label(m)[0]),
        "unit": s["metric"].map(lambda m: metric_label(m)[1]),
    })
    for c in cols:
        out[c] = s[c]
    extra = [c for c in s.columns if c not in {"scenario", "metric", *_LEVEL_COLUMNS, *_DIFF_COLUMNS}]
    for c in extra:                     # e.g. which uncertainty an interval includes
        out[c] = s[c]
    return out


def differences_sheet(run: RunData) -> pd.DataFrame:
    """Paired differences from the reference: the rows of summary.csv that have one."""
    s = run.summary
    if not set(_DIFF_COLUMNS) <= set(s.columns):
        return pd.DataFrame(columns=["scenario", "scenario (in words)", "reference", "metric", "metric (in words)",
                                     "unit", *_DIFF_COLUMNS])
    rows = s[s["diff"].notna()]
    return pd.DataFrame({
        "scenario": rows["scenario"].astype(str),
        "scenario (in words)": rows["scenario"].map(scenario_label),
        "reference": run.reference,
        "metric": rows["metric"].astype(str),
        "metric (in words)": rows["metric"].map(lambda m: metric_label(m)[0]),
        "unit": rows["metric"].map(lambda m: metric_label(m)[1]),
        **{c: rows[c] for c in _DIFF_COLUMNS},
    })


def costs_sheet(run: RunData) -> pd.DataFrame:
    """cost_effectiveness.csv as it is, the scenario also in words; a note when there is none."""
    if run.cost is None:
        return pd.DataFrame({"note": ["No costed intervention in this run (no cost_effectiveness.csv)."]})
    cost = run.cost.copy()
    cost.insert(1, "scenario (in words)", cost["scenario"].map(scenario_label))
    return cost


def parameters_sheet(run: RunData) -> pd.DataFrame:
    """Every parameter: in words, key, value (one column per scenario when a sweep's differ), evidence."""
    from sim.evidence import parameter_table  # noqa: PLC0415 - reads conf/ only when needed

    if run.parameters is not None and {"key", "value"} <= set(run.parameters.columns):
        table = run.parameters.copy()
        if "evidence" not in table.columns:
            table["evidence"] = ""
    elif run.config:
        try:
            table = parameter_table(run.config)
        except (AttributeError, TypeError, OSError):     # a config of another shape: values without evidence
            flat = flatten(run.config)
            table = pd.DataFrame({"key": list(flat), "value": list(flat.values()), "evidence": ""})
    else:
        table = pd.DataFrame(columns=["key", "value", "evidence"])
    table = table[~table["key"].isin(NON_PARAMETER_KEYS)].reset_index(drop=True)
    out = pd.DataFrame({"parameter": table["key"].map(parameter_label), "key": table["key"],
                        "value": table["value"].map(show_value)})
    configs = {name: flatten(cfg) for name, cfg in run.scenario_configs.items() if name in run.scenarios}
    if len(configs) >= 2:
        differ = {k for k in out["key"] if len({show(c.get(k)) for c in configs.values()}) > 1}
        if differ:
            out["value"] = out.apply(lambda r: "differs by scenario" if r["key"] in differ else r["value"], axis=1)
            for name in [s for s in run.scenarios if s in configs]:
                out[f"value in {name}"] = [show(configs[name].get(k)) if k in differ else "" for k in out["key"]]
    out["evidence"] = table["evidence"].fillna("")
    return out


def show_value(value: Any) -> str:
    """A parameter value as text (as in parameters.csv)."""
    return show(value) if not isinstance(value, str) else value


def _write_sheet(ws: Any, df: pd.DataFrame, metric_column: str | None, number_columns: Sequence[str],
                 money_columns: Sequence[str] = ()) -> None:
    """One header row, then the rows; number formats by metric; sensible widths; header frozen."""
    from openpyxl.styles import Font  # noqa: PLC0415

    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    positions = {c: i + 1 for i, c in enumerate(df.columns)}
    for row in df.itertuples(index=False, name=None):
        ws.append([_clean(v) for v in row])
    if metric_column is not None and metric_column in positions:
        for r, metric in enumerate(df[metric_column].astype(str), start=2):
            fmt = _number_format(metric)
            if fmt is None:
                continue
            for col in number_columns:
                if col in positions:
                    ws.cell(row=r, column=positions[col]).number_format = fmt
    for col in money_columns:
        for r in range(2, len(df) + 2):
            ws.cell(row=r, column=positions[col]).number_format = '"£"#,##0'
    for c, i in positions.items():
        longest = max([len(str(c))] + [len(str(v)) for v in df[c].head(200).tolist()])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(10, longest + 2), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_tables(run: RunData, path: Path | None = None) -> Path:
    """Write ``tables.xlsx`` beside summary.csv (atomically) and return its path."""
    from openpyxl import Workbook  # noqa: PLC0415 - only when tables are written

    path = Path(path) if path is not None else run.run_dir / TABLES_NAME
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {
        "summary": (summary_sheet(run), "metric", ("mean", "sd", "ci_low", "ci_high")),
        "differences": (differences_sheet(run), "metric", _DIFF_COLUMNS),
        "costs": (costs_sheet(run), None, ()),
        "parameters": (parameters_sheet(run), None, ()),
    }
    for name in SHEETS:
        df, metric_column, numbers = sheets[name]
        money = [c for c in df.columns if "cost" in str(c) and pd.api.types.is_numeric_dtype(df[c])]
        _write_sheet(wb.create_sheet(name), df, metric_column, numbers, money)
    outputs.atomic_write(path, lambda p: wb.save(p))
    return path
