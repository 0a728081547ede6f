"""A self-contained HTML report of a run folder.

``python -m sim.report DIR`` (or :func:`build_report`) reads the output contract in
``DIR`` (``timeseries.parquet``, ``summary.csv``, ``config.yaml``, ``provenance.json``)
and writes ``DIR/report.html``: the question, the scenarios, headline findings with
intervals, figures embedded as data URIs (so the file can be mailed to a board), every
metric, the assumptions behind the run and its provenance. The PNGs are also kept in
``DIR/figures/``.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import figures, outputs
from sim.figures import CONTRACT_METRICS, MONEY_METRICS, PERCENT_METRICS, metric_label
from sim.metrics import split_organisation_metric

#: Metrics the headline findings speak about, in this order.
KEY_METRICS: tuple[str, ...] = (
    "burnout_prevalence", "vacancy_rate", "leaver_rate", "adverse_events_per_1000", "missed_care_rate",
)

#: Keys that name or describe a scenario rather than set the model; not "assumptions".
NON_PARAMETER_KEYS: frozenset[str] = frozenset({"scenario", "description", "reference_scenario"})

#: Unit words after a headline number where the number alone would not say it.
HEADLINE_UNITS: dict[str, str] = {
    "adverse_events_per_1000": " per 1,000 patient-days",
    "reported_incidents_per_1000": " per 1,000 patient-days",
    "patients_per_nurse": " patients per registered nurse",
    "agency_cost": " a month",
}

REQUIRED_FILES: tuple[str, ...] = ("timeseries.parquet", "summary.csv")

REPORT_NAME = "report.html"


# --------------------------------------------------------------------------- reading


@dataclass
class RunData:
    """Everything the report shows, read once from the run folder."""

    run_dir: Path
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    config: dict[str, Any]
    provenance: dict[str, Any]
    scenario_configs: dict[str, dict[str, Any]]
    parameters: pd.DataFrame | None
    reference: str
    scenarios: list[str] = field(default_factory=list)
    jobs: pd.DataFrame | None = None
    cost: pd.DataFrame | None = None

    @property
    def summary_months(self) -> int:
        outputs = self.config.get("outputs") or {}
        value = outputs.get("summary_months", 12) if isinstance(outputs, dict) else 12
        return int(value or 12)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or an empty dict when the file is missing or not a mapping."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object, or an empty dict when the file is missing."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {"value": data}


def find_scenario_configs(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Per-scenario configs of a sweep folder: ``*/config.yaml`` or ``*/.hydra/config.yaml``.

    Each is named by its ``scenario`` key (the name in the outputs), else by its folder;
    a later folder with a name already taken keeps its folder name so nothing is lost.
    Hidden folders are skipped: a top-level ``.hydra/`` is the run's own config, not a
    scenario's.
    """
    found: dict[str, dict[str, Any]] = {}
    for sub in sorted(p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for candidate in (sub / "config.yaml", sub / ".hydra" / "config.yaml"):
            cfg = read_yaml(candidate)
            if cfg:
                name = str(cfg.get("scenario") or sub.name)
                found[name if name not in found else sub.name] = cfg
                break
    return found


def choose_reference(summary: pd.DataFrame, config: Mapping[str, Any], scenarios: Sequence[str]) -> str:
    """The scenario differences are taken against.

    Config ``reference_scenario`` wins; else the one scenario whose ``diff`` is all NaN
    (the contract leaves the reference's own difference empty); else the config's
    ``scenario``; else the first name alphabetically.
    """
    named = config.get("reference_scenario")
    if named and named in scenarios:
        return str(named)
    if "diff" in summary.columns and len(scenarios) > 1:
        empty = summary.groupby("scenario")["diff"].apply(lambda s: s.isna().all())
        candidates = [s for s in scenarios if bool(empty.get(s, False))]
        if len(candidates) == 1:
            return candidates[0]
    own = config.get("scenario")
    if own and own in scenarios:
        return str(own)
    return sorted(scenarios)[0]


def load_run(run_dir: Path) -> RunData:
    """Read a run folder; raises FileNotFoundError naming the first missing required file."""
    run_dir = Path(run_dir)
    for name in REQUIRED_FILES:
        if not (run_dir / name).is_file():
            raise FileNotFoundError(f"{run_dir / name} not found: not a run folder")
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    summary = pd.read_csv(run_dir / "summary.csv")
    ts["scenario"] = ts["scenario"].astype(str)  # names compare as text whatever their look
    summary["scenario"] = summary["scenario"].astype(str)
    config = read_yaml(run_dir / "config.yaml")
    names = sorted(set(ts["scenario"]) | set(summary["scenario"]))
    reference = choose_reference(summary, config, names)
    params_path = run_dir / "parameters.csv"
    parameters = pd.read_csv(params_path, dtype=str, keep_default_na=False) if params_path.is_file() else None
    jobs_path, cost_path = run_dir / "jobs.csv", run_dir / "cost_effectiveness.csv"
    jobs = pd.read_csv(jobs_path, dtype=str, keep_default_na=False) if jobs_path.is_file() else None
    cost = pd.read_csv(cost_path) if cost_path.is_file() and cost_path.stat().st_size else None
    if cost is not None:
        cost["scenario"] = cost["scenario"].astype(str)
    return RunData(
        run_dir=run_dir, timeseries=ts, summary=summary, config=config,
        provenance=read_json(run_dir / "provenance.json"),
        scenario_configs=find_scenario_configs(run_dir), parameters=parameters,
        reference=reference, scenarios=[reference, *[s for s in names if s != reference]],
        jobs=jobs, cost=cost if cost is not None and not cost.empty else None,
    )


@dataclass
class Factorial:
    """A two-factor design: ``grid[i][j]`` is the scenario at row level i and column level j."""

    row_factor: str
    col_factor: str
    row_levels: list[str]
    col_levels: list[str]
    grid: list[list[str]]

    def row_title(self, i: int) -> str:
        return f"{self.row_factor}: {self.row_levels[i]}"

    def col_title(self, j: int) -> str:
        return f"{self.col_factor}: {self.col_levels[j]}"


#: Factors read as rows first when a design has them (the question's main factor).
ROW_FACTOR_PREFERENCE: tuple[str, ...] = ("leadership", "collaboration")


def factorial_design(configs: Mapping[str, Mapping[str, Any]], scenarios: Sequence[str],
                     reference: str | None = None) -> Factorial | None:
    """The 2x2 design behind four scenarios, read from the parameters that differ.

    Parameters that split the scenarios the same way are one factor (``leadership.name``
    and ``leadership.compassion_mean`` move together); a factor is named by its
    ``*.name`` key when it has one (``leadership``), else by its first key. Parameters
    with a different value in every scenario (an id, not a factor) are ignored. None
    unless exactly two factors of two levels each cross the four scenarios. Levels are
    ordered so the reference scenario sits bottom right.
    """
    names = list(scenarios)
    if len(names) != 4 or not all(n in configs for n in names):
        return None
    flat = {n: flatten(configs[n]) for n in names}
    keys = sorted(set().union(*(f.keys() for f in flat.values())) - NON_PARAMETER_KEYS)
    groups: dict[tuple[int, ...], list[str]] = {}
    for key in keys:
        values = [show(flat[n][key]) if key in flat[n] else "\0missing" for n in names]
        codes: dict[str, int] = {}
        signature = tuple(codes.setdefault(v, len(codes)) for v in values)
        if 1 < len(codes) < len(names):
            groups.setdefault(signature, []).append(key)
    if len(groups) != 2 or any(sorted(sig) != [0, 0, 1, 1] for sig in groups):
        return None
    factors = []
    for group in groups.values():
        key = next((k for k in group if k.endswith(".name")), group[0])
        label = key.removesuffix(".name") if key.endswith(".name") else key
        factors.append((label, key))
    factors.sort(key=lambda f: (ROW_FACTOR_PREFERENCE.index(f[0]) if f[0] in ROW_FACTOR_PREFERENCE
                                else len(ROW_FACTOR_PREFERENCE), f[0]))
    (row_name, row_key), (col_name, col_key) = factors

    def levels(key: str) -> list[str]:
        found = list(dict.fromkeys(show(flat[n].get(key)) for n in names))
        if reference in flat:
            own = show(flat[reference].get(key))
            found = [v for v in found if v != own] + [own]
        return found

    rows, cols = levels(row_key), levels(col_key)
    cell = {(show(flat[n].get(row_key)), show(flat[n].get(col_key))): n for n in names}
    if len(cell) != 4 or any((r, c) not in cell for r in rows for c in cols):
        return None
    return Factorial(row_name, col_name, rows, cols, [[cell[(r, c)] for c in cols] for r in rows])


# --------------------------------------------------------------------------- formatting


def esc(value: Any) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def decimals_for(*values: Any) -> int:
    """Decimals that show the largest of a group to about three significant figures.

    A mean and its interval are formatted with one shared precision, so "9.9% to 10.1%"
    never turns into "9.93% to 10.1%".
    """
    size = max((abs(float(v)) for v in values if not _is_missing(v)), default=0.0)
    for bound, decimals in ((100.0, 0), (10.0, 1), (0.1, 2), (0.01, 3)):
        if size >= bound:
            return decimals
    return 4 if size else 2


def format_number(x: Any, signed: bool = False, decimals: int | None = None) -> str:
    """A number with thousands separators and a true minus sign; an em dash for missing."""
    if _is_missing(x):
        return "—"
    d = decimals_for(x) if decimals is None else decimals
    value = round(float(x), d) or 0.0  # no "−0.0"
    return f"{value:{'+' if signed else ''},.{d}f}".replace("-", "−")


def scaled(metric: str, x: Any) -> float:
    """The value in the unit it is shown in: shares become percent."""
    if _is_missing(x):
        return float("nan")
    return float(x) * 100 if metric in PERCENT_METRICS else float(x)


def metric_decimals(metric: str, *values: Any) -> int:
    """Shared decimals for a group of values of one metric, in its shown unit."""
    return decimals_for(*(scaled(metric, v) for v in values))


def format_value(metric: str, x: Any, decimals: int | None = None) -> str:
    """A metric value in its unit: shares as percent, money in pounds."""
    if _is_missing(x):
        return "—"
    text = format_number(scaled(metric, x), decimals=decimals)
    if metric in PERCENT_METRICS:
        return text + "%"
    return "£" + text if metric in MONEY_METRICS else text


def format_diff(metric: str, x: Any, decimals: int | None = None) -> str:
    """A signed difference: percentage points for shares, pounds for money."""
    if _is_missing(x):
        return "—"
    text = format_number(scaled(metric, x), signed=True, decimals=decimals)
    if metric in PERCENT_METRICS:
        return text + " pp"
    return text[0] + "£" + text[1:] if metric in MONEY_METRICS else text


def value_with_interval(metric: str, mean: Any, lo: Any, hi: Any) -> tuple[str, str]:
    """(mean, "lo to hi") with one precision for all three."""
    d = metric_decimals(metric, mean, lo, hi)
    return format_value(metric, mean, d), f"{format_value(metric, lo, d)} to {format_value(metric, hi, d)}"


def diff_with_interval(metric: str, diff: Any, lo: Any, hi: Any) -> tuple[str, str]:
    """(difference, "lo to hi") with one precision for all three."""
    d = metric_decimals(metric, diff, lo, hi)
    if _is_missing(lo) or _is_missing(hi):
        return format_diff(metric, diff, d), "—"
    return format_diff(metric, diff, d), f"{format_diff(metric, lo, d)} to {format_diff(metric, hi, d)}"


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested mapping; lists are kept whole (shown as JSON)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def show(value: Any) -> str:
    """A config or provenance value as text: JSON for lists and dicts, YAML-ish otherwise."""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_html(df: pd.DataFrame, css_class: str = "data", scroll: bool = False) -> str:
    """An escaped HTML table without the index; long ones scroll inside a box."""
    text = df.to_html(index=False, escape=True, border=0, classes=css_class, na_rep="—")
    return f"<div class='scroll'>{text}</div>" if scroll else text


# --------------------------------------------------------------------------- sections


def section(anchor: str, title: str, body: str) -> str:
    """A titled section with an anchor for the contents list."""
    return f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def question_html(run: RunData) -> str:
    """The question the run answers (config ``description``), or a plain note."""
    text = run.config.get("description") or run.config.get("question")
    if not text:
        return "<p class='muted'>No description was given in config.yaml.</p>"
    return f"<blockquote>{esc(text)}</blockquote>"


def scenarios_html(run: RunData) -> str:
    """The scenarios, the reference first and marked, with replications and descriptions."""
    n_rep = run.timeseries.groupby("scenario", observed=True)["replication"].nunique()
    n_months = int(run.timeseries["month"].max()) + 1 if len(run.timeseries) else 0
    items = []
    for name in run.scenarios:
        mark = " <span class='badge'>reference</span>" if name == run.reference and len(run.scenarios) > 1 else ""
        desc = (run.scenario_configs.get(name) or {}).get("description")
        if desc and desc == run.config.get("description"):
            desc = None  # a sweep's jobs inherit the question; it is shown once above
        desc_html = f" — {esc(desc)}" if desc else ""
        reps = int(n_rep.get(name, 0))
        items.append(f"<li><strong>{esc(name)}</strong>{mark}: {reps} replications{desc_html}</li>")
    return (f"<p>{n_months} months simulated; summaries average the last {run.summary_months} months "
            f"of each replication.</p>\n<ul>{''.join(items)}</ul>")


def _summary_row(run: RunData, scenario: str, metric: str) -> pd.Series | None:
    rows = run.summary[(run.summary["scenario"] == scenario) & (run.summary["metric"] == metric)]
    return None if rows.empty else rows.iloc[0]


def finding_sentence(run: RunData, scenario: str, metric: str) -> str | None:
    """One plain-language sentence: level with interval, and difference from the reference."""
    row = _summary_row(run, scenario, metric)
    if row is None:
        return None
    title = metric_label(metric)[0]
    mean, interval = value_with_interval(metric, row["mean"], row.get("ci_low"), row.get("ci_high"))
    unit = HEADLINE_UNITS.get(metric, "")
    text = (f"{esc(title)} averaged <strong>{esc(mean)}</strong>{esc(unit)} "
            f"(95% interval {esc(interval)})")
    if len(run.scenarios) > 1 and scenario != run.reference and not _is_missing(row.get("diff")):
        text += "; " + difference_clause(run.reference, metric, row)
    return text + "."


def difference_clause(reference: str, metric: str, row: pd.Series) -> str:
    """'x higher than REF (95% interval a to b), an interval that excludes zero' and so on."""
    d, lo, hi = float(row["diff"]), row.get("diff_ci_low"), row.get("diff_ci_high")
    direction = "higher" if d > 0 else "lower" if d < 0 else "no different"
    size, interval = diff_with_interval(metric, d, lo, hi)
    size = size.lstrip("+−")
    text = (f"{esc(size)} {direction} than {esc(reference)} "
            f"(paired difference 95% interval {esc(interval)})")
    if _is_missing(lo) or _is_missing(hi):
        return text
    if float(lo) > 0 or float(hi) < 0:
        return text + ", <span class='clear'>an interval that excludes zero</span>"
    return text + ", <span class='unclear'>an interval that includes zero (no clear difference)</span>"


def findings_html(run: RunData) -> str:
    """Headline findings: per scenario, a sentence for each key metric in the summary."""
    blocks = []
    for name in run.scenarios:
        sentences = [s for m in KEY_METRICS if (s := finding_sentence(run, name, m))]
        if not sentences:
            continue
        items = "".join(f"<li>{s}</li>" for s in sentences)
        label = " (reference)" if name == run.reference and len(run.scenarios) > 1 else ""
        blocks.append(f"<h3>{esc(name)}{esc(label)}</h3>\n<ul>{items}</ul>")
    if not blocks:
        return "<p class='muted'>summary.csv holds none of the key metrics.</p>"
    paired = " Differences are paired (same seeds) against the reference." if len(run.scenarios) > 1 else ""
    lead = f"<p class='lead'>{ce}</p>" if (ce := cost_headline(run)) else ""
    note = lead + ("<p class='muted'>Means over replications of each replication's last "
            f"{run.summary_months}-month average; intervals are 95% intervals across replications "
            f"from summary.csv.{paired}</p>")
    return note + "\n".join(blocks)


#: Metrics drawn as a culture grid, one figure each, in this order.
CULTURE_METRICS: tuple[str, ...] = ("burnout_prevalence", "vacancy_rate", "adverse_events_per_1000")


def culture_table_html(run: RunData, design: Factorial, metric: str) -> str:
    """A 2x2 table of one metric's last-period mean (95% interval) laid out like the grid."""
    head = "".join(f"<th>{esc(design.col_title(j))}</th>" for j in range(len(design.col_levels)))
    body = []
    for i, row in enumerate(design.grid):
        cells = []
        for name in row:
            r = _summary_row(run, name, metric)
            if r is None:
                cells.append("<td>—</td>")
                continue
            mean, interval = value_with_interval(metric, r["mean"], r.get("ci_low"), r.get("ci_high"))
            text = f"<strong>{esc(mean)}</strong> <span class='muted'>({esc(interval)})</span>"
            if name == run.reference:
                text += " <span class='badge'>reference</span>"
            elif not _is_missing(r.get("diff")):
                size, dint = diff_with_interval(metric, r["diff"], r.get("diff_ci_low"), r.get("diff_ci_high"))
                text += f"<br><span class='muted'>{esc(size)} vs reference ({esc(dint)})</span>"
            cells.append(f"<td>{text}</td>")
        body.append(f"<tr><th>{esc(design.row_title(i))}</th>{''.join(cells)}</tr>")
    title = metric_label(metric)[0]
    return (f"<table class='data cultures'><caption>{esc(title)}: mean of the last {run.summary_months} "
            f"months (95% interval)</caption><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def cultures_html(run: RunData, design: Factorial,
                  figs: Iterable[tuple[str, Path | None, str, str]]) -> str:
    """The four cultures: per key metric, the 2x2 small multiples and the 2x2 table of means."""
    intro = (f"<p>The scenarios form a 2×2 design: <strong>{esc(design.row_factor)}</strong> "
             f"({esc(' / '.join(design.row_levels))}) in rows × <strong>{esc(design.col_factor)}</strong> "
             f"({esc(' / '.join(design.col_levels))}) in columns. Each panel is one culture: its median "
             "across replications with a 95% band; the dashed grey line is the median of the reference, "
             f"{esc(run.reference)}, repeated in every panel for comparison.</p>")
    parts = [intro]
    for metric, path, alt, caption in figs:
        if path is None:
            continue
        parts.append(figure_html(path, alt, caption, wide=True))
        parts.append(culture_table_html(run, design, metric))
    return "\n".join(parts)


def money(x: Any) -> str:
    """Pounds with no pence; ∞ for an unbounded value; an em dash for missing."""
    if _is_missing(x):
        return "—"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return ("−" if x < 0 else "") + f"£{abs(x):,.0f}"


#: The cost-effectiveness measures: (label, count column, cost-per column, its interval prefix).
CE_MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("leaver", "leavers_avoided", "cost_per_leaver_avoided", "cost_per_leaver"),
    ("adverse event", "adverse_events_avoided", "cost_per_adverse_event_avoided", "cost_per_adverse"),
)


def _ce_ranked(cost: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("rank_leaver", "rank_adverse", "cost") if c in cost.columns]
    return cost.sort_values(keys, kind="stable") if keys else cost


def _ce_count(row: Mapping[str, Any], col: str) -> tuple[str, str]:
    mean, lo, hi = row.get(col), row.get(f"{col}_ci_low"), row.get(f"{col}_ci_high")
    d = decimals_for(mean, lo, hi)
    return format_number(mean, decimals=d), f"{format_number(lo, decimals=d)} to {format_number(hi, decimals=d)}"


def _ce_ratio(row: Mapping[str, Any], col: str, prefix: str) -> tuple[str, str]:
    point = row.get(col)
    text = "no benefit (∞)" if not _is_missing(point) and math.isinf(float(point)) else money(point)
    return text, f"{money(row.get(f'{prefix}_ci_low'))} to {money(row.get(f'{prefix}_ci_high'))}"


def _cell(main: str, interval: str | None = None) -> str:
    sub = f"<br><span class='muted'>{esc(interval)}</span>" if interval else ""
    return f"<td>{esc(main)}{sub}</td>"


def cost_effectiveness_html(run: RunData) -> str:
    """The interventions ranked by cost per leaver avoided, with 95% intervals."""
    cost = _ce_ranked(run.cost) if run.cost is not None else pd.DataFrame()
    period = "Annual cost" if run.summary_months == 12 else f"Cost over the last {run.summary_months} months"
    heads = ["Rank", "Intervention", "n", period, "Leavers avoided", "Cost per leaver avoided",
             "Adverse events avoided", "Cost per adverse event avoided", "Rank (adverse events)"]
    rows = []
    for rec in cost.to_dict("records"):
        cells = [_cell(str(rec.get("rank_leaver", "—"))), f"<td><strong>{esc(rec['scenario'])}</strong></td>",
                 _cell("—" if _is_missing(rec.get("n")) else str(int(rec["n"]))), _cell(money(rec.get("cost")))]
        for _, count, ratio, prefix in CE_MEASURES:
            cells.append(_cell(*_ce_count(rec, count)))
            cells.append(_cell(*_ce_ratio(rec, ratio, prefix)))
        cells.append(_cell(str(rec.get("rank_adverse", "—"))))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    note = (f"<p class='muted'>Against {esc(run.reference)}, paired by replication, over the last "
            f"{run.summary_months} months: the extra intervention spend, and the leavers and (true) adverse "
            "events avoided with their 95% intervals (second line). Ranked by cost per leaver avoided. "
            "<strong>∞</strong> means the interval of the benefit reaches zero, so the benefit is not "
            "distinguishable from zero and the cost per unit of benefit is unbounded; "
            "<strong>no benefit (∞)</strong> means the intervention avoided none on average. "
            "From cost_effectiveness.csv.</p>")
    return (note + f"<div class='scroll wide'><table class='data ce'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def cost_headline(run: RunData) -> str | None:
    """One sentence naming the top-ranked intervention (by cost per leaver avoided)."""
    if run.cost is None or run.cost.empty:
        return None
    top = _ce_ranked(run.cost).iloc[0].to_dict()
    point = top.get("cost_per_leaver_avoided")
    if _is_missing(point) or math.isinf(float(point)):
        return (f"No intervention avoided leavers on average against {esc(run.reference)} over the last "
                f"{run.summary_months} months, so none ranks as cost-effective for retention.")
    _, interval = _ce_ratio(top, "cost_per_leaver_avoided", "cost_per_leaver")
    text = (f"Top-ranked intervention: <strong>{esc(top['scenario'])}</strong>, at "
            f"<strong>{esc(money(point))}</strong> per leaver avoided (95% interval {esc(interval)}) for "
            f"{esc(money(top.get('cost')))} of spend over the last {run.summary_months} months")
    if not _bounded(top):
        text += ", <span class='unclear'>though its benefit is not distinguishable from zero</span>"
        sure = [r for r in _ce_ranked(run.cost).to_dict("records") if _bounded(r)]
        if sure:
            best = sure[0]
            _, interval = _ce_ratio(best, "cost_per_leaver_avoided", "cost_per_leaver")
            text += (f"; the top-ranked with a benefit distinguishable from zero is "
                     f"<strong>{esc(best['scenario'])}</strong>, at {esc(money(best['cost_per_leaver_avoided']))} "
                     f"per leaver avoided (95% interval {esc(interval)})")
    return text + "."


def _bounded(row: Mapping[str, Any]) -> bool:
    """Whether a cost per leaver avoided has a finite interval (a benefit distinguishable from zero)."""
    upper = row.get("cost_per_leaver_ci_high")
    return not _is_missing(upper) and math.isfinite(float(upper))


def jobs_warning_html(run: RunData) -> str:
    """A warning box listing the sweep's jobs that did not complete; nothing when all did."""
    if run.jobs is None or "status" not in run.jobs.columns:
        return ""
    bad = run.jobs[run.jobs["status"].str.strip() != "completed"]
    if bad.empty:
        return ""
    cols = [c for c in ("job", "scenario", "status", "error") if c in bad.columns]
    df = bad[cols].replace("", "—").rename(columns=str.capitalize)
    n = len(bad)
    return (f"<div class='warning' role='alert' id='failed-jobs'><strong>Warning: {n} of {len(run.jobs)} jobs "
            f"of this sweep did not complete.</strong> Their scenarios are missing from every finding, "
            f"figure and table below (see jobs.csv).{table_html(df, 'data jobs')}</div>")


def summary_table(run: RunData) -> pd.DataFrame:
    """All metrics of summary.csv, formatted in their units; contract metrics first."""
    s = run.summary.copy()
    present = set(s["metric"])
    known = [m for m in (*CONTRACT_METRICS, *figures.METRIC_LABELS) if m in present]
    order = list(dict.fromkeys(known)) + sorted(present - set(known))
    s["_m"] = s["metric"].map({m: i for i, m in enumerate(order)})
    s["_s"] = s["scenario"].map({n: i for i, n in enumerate(run.scenarios)})
    s = s.sort_values(["_m", "_s"])
    metrics = s["metric"].tolist()

    def col(name: str) -> list[Any]:
        return s[name].tolist() if name in s.columns else [None] * len(s)

    out = pd.DataFrame({
        "Metric": [metric_label(m)[0] for m in metrics],
        "Unit": [metric_label(m)[1] for m in metrics],
        "Scenario": s["scenario"].astype(str).tolist(),
        "Mean": [value_with_interval(m, v, lo, hi)[0]
                 for m, v, lo, hi in zip(metrics, col("mean"), col("ci_low"), col("ci_high"), strict=True)],
        "SD": [format_value(m, v) for m, v in zip(metrics, col("sd"), strict=True)],
        "95% interval": [value_with_interval(m, v, lo, hi)[1]
                         for m, v, lo, hi in zip(metrics, col("mean"), col("ci_low"), col("ci_high"), strict=True)],
        "n": ["—" if _is_missing(v) else str(int(v)) for v in col("n")],
    })
    if "diff" in s.columns and len(run.scenarios) > 1:
        diffs = [diff_with_interval(m, v, lo, hi) if not _is_missing(v) else ("—", "—")
                 for m, v, lo, hi in zip(metrics, col("diff"), col("diff_ci_low"), col("diff_ci_high"), strict=True)]
        out[f"Difference vs {run.reference}"] = [a for a, _ in diffs]
        out["95% interval of difference"] = [b for _, b in diffs]
    repeat = out["Metric"].eq(out["Metric"].shift())
    out.loc[repeat, ["Metric", "Unit"]] = ""  # one label per metric block reads like a report table
    return out


def differing_parameters(configs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Parameters whose value differs between scenario configs (one column per scenario)."""
    flat = {name: flatten(cfg) for name, cfg in configs.items()}
    keys = sorted(set().union(*(f.keys() for f in flat.values())) - NON_PARAMETER_KEYS)
    missing = object()
    rows = []
    for key in keys:
        values = [f.get(key, missing) for f in flat.values()]
        if len({show(v) if v is not missing else "\0missing" for v in values}) > 1:
            rows.append({"Parameter": key, **{n: ("—" if v is missing else show(v))
                                               for n, v in zip(flat, values, strict=True)}})
    return pd.DataFrame(rows, columns=["Parameter", *flat])


def assumptions_html(run: RunData) -> str:
    """What differs between scenarios, then every parameter of the run with its value."""
    parts = ["<h3>What differs between scenarios</h3>"]
    if len(run.scenario_configs) >= 2:
        ordered = {n: run.scenario_configs[n] for n in
                   [s for s in run.scenarios if s in run.scenario_configs]
                   + sorted(set(run.scenario_configs) - set(run.scenarios))}
        diff = differing_parameters(ordered)
        parts.append(table_html(diff) if not diff.empty else
                     "<p>The scenario configs set every parameter alike.</p>")
        parts.append(f"<p class='muted'>Compared: the config.yaml of each of {len(ordered)} "
                     "scenario subfolders.</p>")
    elif len(run.scenarios) <= 1:
        parts.append("<p>Single scenario: there is nothing to compare.</p>")
    else:
        parts.append("<p class='muted'>Several scenarios, but this folder holds no per-scenario "
                     "configs (subfolders with config.yaml), so their differences cannot be listed "
                     "here.</p>")
    parts.append("<h3>All parameters of this run</h3>")
    parts.append(parameters_html(run))
    return "\n".join(parts)


def parameters_html(run: RunData) -> str:
    """The resolved parameters: parameters.csv with evidence if present, else config.yaml."""
    if run.parameters is not None and {"key", "value"} <= set(run.parameters.columns):
        cols = [c for c in ("key", "value", "evidence") if c in run.parameters.columns]
        df = run.parameters[cols].rename(columns={"key": "Parameter", "value": "Value", "evidence": "Evidence"})
        return ("<p class='muted'>From parameters.csv: each value with the evidence or assumption "
                "behind it.</p>" + table_html(df, "data params", scroll=True))
    if not run.config:
        return "<p class='muted'>No config.yaml in this folder.</p>"
    flat = flatten(run.config)
    df = pd.DataFrame({"Parameter": list(flat), "Value": [show(v) for v in flat.values()]})
    return ("<p class='muted'>From the resolved config.yaml. The evidence for each value is in the "
            "comments of the conf/ files it came from.</p>" + table_html(df, "data params", scroll=True))


def provenance_html(run: RunData) -> str:
    """Provenance (commit, versions, seed, times) as a two-column table."""
    if not run.provenance:
        return "<p class='muted'>No provenance.json in this folder.</p>"
    flat = flatten(run.provenance)
    df = pd.DataFrame({"Item": list(flat), "Value": [show(v) for v in flat.values()]})
    return table_html(df)


# --------------------------------------------------------------------------- figures


def png_data_uri(path: Path) -> str:
    """A PNG as a data URI, so the report needs no other file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def figure_html(path: Path | None, alt: str, caption: str, wide: bool = False) -> str:
    """An embedded figure with its caption; nothing when the figure was skipped."""
    if path is None:
        return ""
    cls = "fig wide" if wide else "fig"
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure class="{cls}"><img src="{png_data_uri(path)}" alt="{esc(alt)}">{cap}</figure>'



def make_figures(run: RunData, out_dir: Path) -> dict[str, list[tuple[Path | None, str, str]]]:
    """Write every figure; grouped for the report as (path, alt text, caption)."""
    palette = figures.scenario_palette(run.scenarios)
    ts, months = run.timeseries, run.summary_months
    org_metrics = set(figures.org_level(ts)["metric"].astype(str))
    contract = [m for m in CONTRACT_METRICS if m in org_metrics]
    known = list(figures.METRIC_LABELS)  # its order groups the metrics by theme
    per_org = {m for m in org_metrics if split_organisation_metric(m)[1] is not None}  # in their own figure
    org = figures.org_level(ts)
    all_zero = set(org.groupby(org["metric"].astype(str))["value"].agg(lambda v: bool((v.fillna(0) == 0).all()))
                   .loc[lambda z: z].index)   # nothing to see (no intervention cost, no moves in one organisation)
    extras = sorted(org_metrics - set(contract) - per_org - all_zero,
                    key=lambda m: (known.index(m) if m in known else len(known), m))
    band_note = (f"Line: median across replications; band: 2.5–97.5 percentiles; grey: the last "
                 f"{months} months that summary.csv averages.")
    groups: dict[str, list[tuple[Path | None, str, str]]] = {
        "overview": [(figures.overview_figure(ts, out_dir, palette=palette, summary_months=months),
                      "Overview of the contract metrics", "All contract metrics over time. " + band_note)],
        "forest": [(figures.forest_figure(run.summary, out_dir, reference=run.reference, palette=palette),
                    "Paired differences from the reference",
                    f"Difference of each scenario from {run.reference} in the last-{months}-month mean, "
                    "paired by replication; bars are 95% intervals; the dashed line is no difference.")],
        "contract": [], "extra": [],
        "teams": [(figures.team_figure(ts, out_dir, palette=palette, summary_months=months),
                   "Spread across teams", "Each dot is one team's mean over the last "
                   f"{months} months, averaged over replications; boxes show quartiles across teams.")],
    }
    groups["organisations"] = [
        (figures.organisation_figure(ts, name, out_dir, summary_months=months),
         f"The organisations of the system side by side ({name})",
         f"Scenario {name}: each organisation of the integrated care system; line: median across replications, "
         f"band: 2.5–97.5 percentiles; grey: the last {months} months that summary.csv averages.")
        for name in run.scenarios] if per_org else []
    for group, metrics in (("contract", contract), ("extra", extras)):
        for m in metrics:
            title, unit = metric_label(m)
            path = figures.trajectory_figure(ts, m, out_dir, palette=palette, summary_months=months)
            groups[group].append((path, f"{title} ({unit}) over time", ""))
    groups["note"] = [(None, "", band_note)]
    return groups


def make_culture_figures(run: RunData, design: Factorial, out_dir: Path,
                         metrics: Sequence[str] = CULTURE_METRICS) -> list[tuple[str, Path | None, str, str]]:
    """The culture grid of each key metric: (metric, path, alt text, caption)."""
    palette = figures.scenario_palette(run.scenarios)
    rows = [design.row_title(i) for i in range(len(design.row_levels))]
    cols = [design.col_title(j) for j in range(len(design.col_levels))]
    out = []
    for metric in metrics:
        path = figures.culture_grid_figure(run.timeseries, metric, out_dir, grid=design.grid, row_titles=rows,
                                           col_titles=cols, reference=run.reference, palette=palette,
                                           summary_months=run.summary_months)
        title, unit = metric_label(metric)
        out.append((metric, path, f"{title} ({unit}) in the four cultures",
                    f"{title} in each culture ({unit}); grey shading: the last {run.summary_months} months "
                    "that the table below averages."))
    return out


def figures_html(groups: Mapping[str, Iterable[tuple[Path | None, str, str]]]) -> str:
    """The figure sections in reading order: overview, differences, each metric, teams."""
    def block(name: str, wide: bool) -> str:
        return "\n".join(figure_html(p, a, c, wide) for p, a, c in groups.get(name, []) if p is not None)

    note = "".join(f"<p class='muted'>{esc(c)}</p>" for _, _, c in groups.get("note", []))
    parts = [block("overview", True), block("forest", True)]
    if any(p for p, _, _ in groups.get("contract", [])):
        parts.append(f"<h3>Each contract metric</h3>\n{note}\n<div class='grid'>{block('contract', False)}</div>")
    if any(p for p, _, _ in groups.get("extra", [])):
        parts.append(f"<h3>Further metrics</h3>\n<div class='grid'>{block('extra', False)}</div>")
    if any(p for p, _, _ in groups.get("organisations", [])):
        parts.append(f"<h3>Organisations of the system</h3>\n{block('organisations', True)}")
    if any(p for p, _, _ in groups.get("teams", [])):
        parts.append(f"<h3>Teams</h3>\n{block('teams', True)}")
    return "\n".join(p for p in parts if p)


# --------------------------------------------------------------------------- page

CSS = """
:root { --ink:#1d2733; --muted:#5b6775; --line:#d9dee4; --accent:#005eb8; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 4rem; line-height: 1.5; background: #fff; }
header { border-bottom: 4px solid var(--accent); margin-bottom: 1rem; }
h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.08rem; margin: 1.4rem 0 .4rem; }
.muted { color: var(--muted); font-size: .92rem; }
blockquote { margin: .5rem 0; padding: .6rem 1rem; background: #eef4fb; border-left: 4px solid var(--accent); }
nav ol { columns: 2; font-size: .95rem; }
nav a, a { color: var(--accent); }
.badge { background: var(--accent); color: #fff; border-radius: 3px; padding: 0 .4rem; font-size: .8rem; }
.clear { color: #006747; font-weight: 600; }
.unclear { color: var(--muted); }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0 1.2rem; }
table.data { border-collapse: collapse; font-size: .86rem; margin: .5rem 0 1rem; width: 100%; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
                               vertical-align: top; }
table.data th { background: #f3f5f7; position: sticky; top: 0; }
table.data td { font-variant-numeric: tabular-nums; }
table.summary td:nth-child(n+4) { white-space: nowrap; }
table.params td:first-child { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
.scroll { max-height: 36rem; overflow: auto; border: 1px solid var(--line); }
.scroll table.data { margin: 0; }
.warning { background: #fff4e5; border: 1px solid #f0b35b; border-left: 6px solid #d5281b; padding: .7rem 1rem;
           margin: 1rem 0; }
.warning table.data { background: #fff; margin-bottom: 0; }
p.lead { font-size: 1.02rem; background: #f3f8f4; border-left: 4px solid #007f3b; padding: .5rem .8rem; }
table.cultures { width: auto; margin-bottom: 2rem; }
table.cultures caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0; }
table.cultures th:first-child { white-space: nowrap; }
table.ce td { white-space: nowrap; }
table.ce td:nth-child(2) { white-space: normal; }
"""

#: Marks on <body> how many images decoded, so a headless browser test can check them.
IMAGE_CHECK_JS = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.dataset.imagesTotal = String(imgs.length);
  document.body.dataset.imagesLoaded = String(ok.length);
});
"""

SECTIONS: tuple[tuple[str, str], ...] = (
    ("question", "Question"), ("scenarios", "Scenarios"), ("findings", "Headline findings"),
    ("cultures", "The four cultures"), ("cost", "Cost-effectiveness"),
    ("figures", "Figures"), ("metrics", "All metrics"), ("assumptions", "Assumptions"),
    ("provenance", "Provenance"),
)


def render(run: RunData, groups: Mapping[str, Iterable[tuple[Path | None, str, str]]],
           design: Factorial | None = None,
           cultures: Sequence[tuple[str, Path | None, str, str]] = ()) -> str:
    """The whole HTML page as text; the optional sections appear when their inputs do."""
    title = "Leadership culture, burnout and care: simulation report"
    subtitle = f"Run folder {run.run_dir.resolve().name}"
    if run.config.get("scenario"):
        subtitle += f" · scenario {run.config['scenario']}"
    bodies = {
        "question": question_html(run),
        "scenarios": scenarios_html(run),
        "findings": findings_html(run),
        "figures": figures_html(groups),
        "metrics": table_html(summary_table(run), "data summary"),
        "assumptions": assumptions_html(run),
        "provenance": provenance_html(run),
    }
    if design is not None and any(p for _, p, _, _ in cultures):
        bodies["cultures"] = cultures_html(run, design, cultures)
    if run.cost is not None:
        bodies["cost"] = cost_effectiveness_html(run)
    shown = [(a, t) for a, t in SECTIONS if a in bodies]
    nav = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in shown)
    sections = "\n".join(section(a, t, bodies[a]) for a, t in shown)
    return html_page(title, subtitle, f"{jobs_warning_html(run)}\n<nav><ol>{nav}</ol></nav>\n{sections}")


def html_page(title: str, subtitle: str, body: str) -> str:
    """A self-contained page: inline style, the image-load check the browser test reads."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>{esc(title)}</h1><p class="muted">{esc(subtitle)}</p></header>
{body}
<script>{IMAGE_CHECK_JS}</script>
</body>
</html>
"""


def build_report(run_dir: Path) -> Path:
    """Build ``run_dir/report.html`` (figures also saved in ``run_dir/figures``) and return its path."""
    run = load_run(Path(run_dir))
    groups = make_figures(run, run.run_dir / "figures")
    design = factorial_design(run.scenario_configs, run.scenarios, run.reference)
    cultures = make_culture_figures(run, design, run.run_dir / "figures") if design else []
    out = run.run_dir / REPORT_NAME
    outputs.write_text(out, render(run, groups, design, cultures))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: rebuild DIR/report.html; exit 2 with one line when DIR is not a run folder."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description="Rebuild DIR/report.html.")
    parser.add_argument("run_dir", type=Path, metavar="DIR", help="run folder with timeseries.parquet")
    args = parser.parse_args(argv)
    try:
        out = build_report(args.run_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
