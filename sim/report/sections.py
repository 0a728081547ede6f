"""One function per section of the run report, each returning what its template shows.

A section function takes the :class:`RunData` (and, for figure sections, the folder to
draw into) and returns a plain dict of text, numbers, :class:`Table` and :class:`Figure`
objects, or None when the section has nothing to show (then it is left out of the page
and its contents list). Its markup is ``templates/sections/<anchor>.html``. The order
of the page is :data:`SECTIONS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.glossary import parameter_label, scenario_label
from sim.metric_records import CONTRACT_METRICS, METRIC_LABELS, headline_unit, metric_label, split_organisation_metric
from sim.report import figures
from sim.report.data import NON_PARAMETER_KEYS, Factorial, RunData
from sim.report.format import (
    MISSING,
    count,
    decimals_for,
    diff_with_interval,
    flatten,
    format_number,
    format_value,
    is_missing,
    money,
    show,
    value_with_interval,
)
from sim.report.render import Figure, Table, figure, table

#: Metrics the headline findings speak about, in this order.
KEY_METRICS: tuple[str, ...] = (
    "burnout_prevalence", "vacancy_rate", "leaver_rate", "adverse_events_per_1000", "missed_care_rate",
)

#: Metrics drawn as a culture grid, one figure each, in this order.
CULTURE_METRICS: tuple[str, ...] = ("burnout_prevalence", "vacancy_rate", "adverse_events_per_1000")

#: (anchor, title) of each section in page order; the anchor names its template.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("answer", "The answer"), ("question", "Question"), ("scenarios", "Scenarios"),
    ("trust", "Your trust: its figures beside the model"), ("findings", "Headline findings"),
    ("time_course", "How fast the effect comes"),
    ("cultures", "The four cultures"), ("cost", "Return on investment"),
    ("figures", "Figures"), ("metrics", "All metrics"), ("assumptions", "Assumptions"),
    ("provenance", "Provenance"),
)

Section = dict[str, Any]


def summary_row(run: RunData, scenario: str, metric: str) -> pd.Series | None:
    """The summary.csv row of one scenario and metric, or None."""
    rows = run.summary[(run.summary["scenario"] == scenario) & (run.summary["metric"] == metric)]
    return None if rows.empty else rows.iloc[0]


def several(run: RunData) -> bool:
    """Whether there is a reference to compare against."""
    return len(run.scenarios) > 1


# --------------------------------------------------------------------------- answer, question, scenarios


def answer(run: RunData) -> Section:
    """The answer to the run's question, first on the page (sim/report/answer.py)."""
    from sim.report.answer import build_answer  # noqa: PLC0415 - answer imports this package's data module

    ans = build_answer(run)
    heads = []
    for h in ans.headlines:
        value, interval = h.formatted()
        unit = h.unit if h.unit not in ("%", "pp", "£") and not h.unit.startswith("£") else ""
        unit = h.unit[2:] if h.unit.startswith("£ ") else unit
        heads.append([h.label, f"{value} {unit}".strip(), interval, h.note])
    details = (table(pd.DataFrame(ans.details), "data targets") if ans.details else None)
    return {"answer": ans, "headlines": table(pd.DataFrame(heads, columns=["Number", "Value", "95% interval", "Note"]),
                                                "data headlines") if heads else None,
            "details": details}



def question(run: RunData) -> Section:
    """The question the run answers (config ``description``), or nothing (a plain note)."""
    return {"text": run.config.get("description") or run.config.get("question")}


def scenarios(run: RunData) -> Section:
    """The scenarios, the reference first and marked, with replications and descriptions."""
    n_rep = run.timeseries.groupby("scenario", observed=True)["replication"].nunique()
    items = []
    for name in run.scenarios:
        desc = (run.scenario_configs.get(name) or {}).get("description")
        if desc and desc == run.config.get("description"):
            desc = None  # a sweep's jobs inherit the question; it is shown once above
        items.append({"name": scenario_label(name), "reference": name == run.reference and several(run),
                      "replications": int(n_rep.get(name, 0)), "description": desc})
    n_months = int(run.timeseries["month"].max()) + 1 if len(run.timeseries) else 0
    return {"n_months": n_months, "summary_months": run.summary_months, "items": items}


# --------------------------------------------------------------------------- findings


def finding(run: RunData, scenario: str, metric: str) -> dict[str, Any] | None:
    """One metric's level with its interval, and its difference from the reference."""
    row = summary_row(run, scenario, metric)
    if row is None:
        return None
    mean, interval = value_with_interval(metric, row["mean"], row.get("ci_low"), row.get("ci_high"))
    out = {"title": metric_label(metric)[0], "mean": mean, "unit": headline_unit(metric), "interval": interval,
           "difference": None}
    if several(run) and scenario != run.reference and not is_missing(row.get("diff")):
        out["difference"] = difference(run.reference, metric, row)
    return out


def difference(reference: str, metric: str, row: pd.Series) -> dict[str, Any]:
    """'x higher than REF (interval)' and whether the interval excludes zero (None: no interval)."""
    d, lo, hi = float(row["diff"]), row.get("diff_ci_low"), row.get("diff_ci_high")
    size, interval = diff_with_interval(metric, d, lo, hi)
    excludes_zero = None if is_missing(lo) or is_missing(hi) else bool(float(lo) > 0 or float(hi) < 0)
    return {"size": size.lstrip("+−"), "direction": "higher" if d > 0 else "lower" if d < 0 else "no different",
            "reference": scenario_label(reference), "interval": interval, "excludes_zero": excludes_zero}


def findings(run: RunData) -> Section:
    """Headline findings: per scenario, a sentence for each key metric in the summary."""
    blocks = []
    for name in run.scenarios:
        found = [f for m in KEY_METRICS if (f := finding(run, name, m))]
        if found:
            label = " (reference)" if name == run.reference and several(run) else ""
            blocks.append({"name": scenario_label(name), "label": label, "findings": found})
    from sim.report.answer import uncertainty_text  # noqa: PLC0415

    return {"blocks": blocks, "summary_months": run.summary_months, "paired": several(run),
            "cost_headline": cost_headline(run), "uncertainty": uncertainty_text(run)}


# --------------------------------------------------------------------------- time course

#: Metrics whose time to half effect is reported, in the order culture change reaches them.
TIME_COURSE_METRICS: tuple[str, ...] = (
    "psychological_safety", "burnout_prevalence", "leaver_rate", "vacancy_rate", "adverse_events_per_1000",
)


def intervention_start(config: Mapping[str, Any]) -> int | None:
    """The first start month of the interventions a scenario's config enables, or None."""
    ivs = config.get("intervention") or {}
    starts = [int(iv.get("start_month", 0)) for iv in ivs.values() if isinstance(iv, Mapping) and iv.get("enabled")]
    return min(starts) if starts else None


def time_course(run: RunData) -> Section | None:
    """For each scenario that starts an intervention, months from its start until the paired
    effect against the reference first reaches half of its effect in the last 12 months
    (``sim.calibration.estimators.time_to_half``, per replication; median and range), so a
    reader sees how slowly culture, then retention and quality respond."""
    from sim.calibration.estimators import Replication, time_to_half  # noqa: PLC0415 - report stays light otherwise

    if not several(run):
        return None
    org = run.timeseries[run.timeseries["team"].isna()]
    blocks = []
    for name in run.scenarios:
        start = intervention_start(run.scenario_configs.get(name) or {})
        if name == run.reference or start is None:
            continue
        rows = []
        for metric in TIME_COURSE_METRICS:
            months, effects = [], []
            for _rep, g in org[org["metric"] == metric].groupby("replication"):
                ref = g[g["scenario"] == run.reference]
                arm = g[g["scenario"] == name]
                if arm.empty or ref.empty:
                    continue
                r = Replication({name: arm, run.reference: ref}, start_month={name: start})
                t = time_to_half(r, metric=metric, scenario=name, reference=run.reference)
                if not math.isnan(t):
                    months.append(t)
                    last = arm["month"].max()
                    effects.append(float(arm[arm["month"] > last - 12]["value"].mean()
                                         - ref[ref["month"] > last - 12]["value"].mean()))
            if months:
                m = pd.Series(months)
                rows.append({"title": metric_label(metric)[0], "median": f"{m.median():.0f}",
                             "range": f"{m.min():.0f}–{m.max():.0f}", "n": len(m),
                             "effect": diff_with_interval(metric, float(pd.Series(effects).mean()), None, None)[0]})
        if rows:
            blocks.append({"name": scenario_label(name), "start": start, "rows": rows})
    return {"blocks": blocks, "reference": scenario_label(run.reference)} if blocks else None


# --------------------------------------------------------------------------- cultures


def culture_figures(run: RunData, design: Factorial, out_dir: Path,
                    metrics: Sequence[str] = CULTURE_METRICS) -> list[tuple[str, Path | None, str, str]]:
    """Draw the culture grid of each key metric: (metric, path, alt text, caption)."""
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


def culture_table(run: RunData, design: Factorial, metric: str) -> dict[str, Any]:
    """A 2x2 table of one metric's last-period mean (95% interval) laid out like the grid."""
    rows = []
    for i, names in enumerate(design.grid):
        cells = []
        for name in names:
            r = summary_row(run, name, metric)
            if r is None:
                cells.append(None)
                continue
            mean, interval = value_with_interval(metric, r["mean"], r.get("ci_low"), r.get("ci_high"))
            cell = {"mean": mean, "interval": interval, "reference": name == run.reference, "diff": None}
            if not cell["reference"] and not is_missing(r.get("diff")):
                cell["diff"] = diff_with_interval(metric, r["diff"], r.get("diff_ci_low"), r.get("diff_ci_high"))
            cells.append(cell)
        rows.append({"title": design.row_title(i), "cells": cells})
    return {"title": metric_label(metric)[0], "columns": [design.col_title(j) for j in range(len(design.col_levels))],
            "rows": rows}


def cultures(run: RunData, design: Factorial | None, out_dir: Path) -> Section | None:
    """The four cultures of a 2x2 design: per key metric, the small multiples and the table of means."""
    if design is None:
        return None
    panels = [{"figure": figure(path, alt, caption, wide=True), "table": culture_table(run, design, metric)}
              for metric, path, alt, caption in culture_figures(run, design, out_dir) if path is not None]
    if not panels:
        return None
    return {"design": design, "reference": scenario_label(run.reference), "summary_months": run.summary_months,
            "panels": panels}


# --------------------------------------------------------------------------- cost-effectiveness

#: Columns of the return-on-investment table: (heading, column of cost_effectiveness.csv, how to show it).
ROI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Intervention cost a year", "intervention_cost", "money"),
    ("Bank and agency saving a year", "agency_saving", "money"),
    ("Net cost a year", "net_cost", "money"),
    ("Leavers avoided a year", "leavers_avoided", "number"),
    ("Leaver rate cut (pp)", "leaver_rate_reduction", "pp"),
    ("Net cost per leaver avoided", "cost_per_leaver_avoided", "ratio:cost_per_leaver"),
    ("Chance of ranking first (leavers)", "p_first_leaver", "probability"),
    ("Adverse events avoided per 1,000 patient-days", "adverse_reduction_per_1000", "number"),
    ("Adverse events avoided a year", "adverse_events_avoided", "number"),
    ("Net cost per adverse event avoided", "cost_per_adverse_event_avoided", "ratio:cost_per_adverse"),
    ("Chance of ranking first (adverse events)", "p_first_adverse", "probability"),
)


def _roi_cell(rec: Mapping[str, Any], col: str, how: str) -> tuple[str, str | None]:
    value = rec.get(col)
    if how == "probability":
        return (MISSING if is_missing(value) else f"{float(value):.0%}"), None
    if how.startswith("ratio:"):
        prefix = how.split(":", 1)[1]
        lo, hi = rec.get(f"{prefix}_ci_low"), rec.get(f"{prefix}_ci_high")
        if is_missing(value):
            return "no benefit", None
        interval = ("benefit not distinguishable from zero" if is_missing(lo) or is_missing(hi)
                    else f"{money(lo)} to {money(hi)}")
        return money(value), interval
    lo, hi = rec.get(f"{col}_ci_low"), rec.get(f"{col}_ci_high")
    if how == "money":
        return money(value), f"{money(lo)} to {money(hi)}"
    scale = 100.0 if how == "pp" else 1.0
    vals = [None if is_missing(x) else float(x) * scale for x in (value, lo, hi)]
    d = decimals_for(*vals)
    return format_number(vals[0], decimals=d), f"{format_number(vals[1], decimals=d)} to {format_number(vals[2], decimals=d)}"


def cost(run: RunData) -> Section | None:
    """Return on investment (cost_effectiveness.csv): net cost a year, outcomes as rates and
    as people, cost per outcome and the chance of ranking first, each option a row, ranked
    by net cost per leaver avoided when there are two options or more."""
    if run.cost is None or "net_cost" not in run.cost.columns:
        return None
    ranked = "rank_leaver" in run.cost.columns and len(run.cost) >= 2
    frame = run.cost.sort_values(["rank_leaver", "net_cost"], na_position="last") if ranked else run.cost
    cols = [c for c in ROI_COLUMNS if c[1] in frame.columns]
    heads = (["Rank"] if ranked else []) + ["Intervention", "n"] + [h for h, _, _ in cols]
    rows = []
    for rec in frame.to_dict("records"):
        cells: list[tuple[str, str | None]] = [(count(rec.get("n")), None)]
        cells += [_roi_cell(rec, col, how) for _, col, how in cols]
        rank = rec.get("rank_leaver")
        rows.append({"scenario": scenario_label(rec["scenario"]), "rank": (MISSING if is_missing(rank) or rank is pd.NA else
                                                           str(int(rank))) if ranked else None, "cells": cells})
    return {"columns": heads, "rows": rows, "reference": scenario_label(run.reference), "summary_months": run.summary_months,
            "ranked": ranked}


def cost_headline(run: RunData) -> None:
    """Superseded by the answer section (sim/report/answer.py), which opens every report."""
    return None


# --------------------------------------------------------------------------- figures


def figure_groups(run: RunData, out_dir: Path) -> dict[str, list[tuple[Path | None, str, str]]]:
    """Draw every figure of the Figures section; grouped as (path, alt text, caption).

    ``headline`` holds the question's metrics over time and the scenarios' differences on
    them; the other groups are folded below it. A metric that never moves within a
    scenario (an input held fixed, such as the bank and agency cover share) is not drawn.
    """
    palette = figures.scenario_palette(run.scenarios)
    ts, months = run.timeseries, run.summary_months
    org = figures.org_level(ts)
    org_metrics = set(org["metric"].astype(str))
    constant = {m for m in org_metrics if figures.is_constant(org, m)}
    contract = [m for m in CONTRACT_METRICS if m in org_metrics and m not in constant]
    headline = [m for m in figures.HEADLINE_METRICS if m in org_metrics and m not in constant]
    known = list(METRIC_LABELS)  # its order groups the metrics by theme
    per_org = {m for m in org_metrics if split_organisation_metric(m)[1] is not None}  # in their own figure
    all_zero = set(org.groupby(org["metric"].astype(str))["value"].agg(lambda v: bool((v.fillna(0) == 0).all()))
                   .loc[lambda z: z].index)   # nothing to see (no intervention cost, no moves in one organisation)
    extras = sorted(org_metrics - set(contract) - per_org - all_zero - constant - set(CONTRACT_METRICS),
                    key=lambda m: (known.index(m) if m in known else len(known), m))
    band_note = (f"Line: median across replications; band: 2.5–97.5 percentiles; grey: the last "
                 f"{months} months that summary.csv averages. Leader turnover is a rolling "
                 f"{figures.ROLLING_MONTHS}-month mean (a single month's departures, annualised, swings widely).")
    ref = scenario_label(run.reference)
    forest_caption = (f"Difference of each scenario from {ref} in the last-{months}-month mean, "
                      "paired by replication; bars are 95% intervals; the dashed line is no difference.")
    out_headline = out_dir / "headline"
    groups: dict[str, list[tuple[Path | None, str, str]]] = {
        "headline": [
            (figures.overview_figure(ts, out_headline, metrics=headline, palette=palette, summary_months=months)
             if headline else None, "The question's metrics over time", "Burnout, vacancies, leavers and adverse "
             "events over time. " + band_note),
            (figures.forest_figure(run.summary, out_headline, reference=run.reference, metrics=headline,
                                   palette=palette) if headline else None,
             "Paired differences from the reference on the question's metrics", forest_caption),
        ],
        "overview": [(figures.overview_figure(ts, out_dir, metrics=contract, palette=palette, summary_months=months),
                      "Overview of the contract metrics", "All contract metrics over time. " + band_note)],
        "forest": [(figures.forest_figure(run.summary, out_dir, reference=run.reference, metrics=contract,
                                          palette=palette),
                    "Paired differences from the reference", forest_caption)],
        "contract": [], "extra": [],
        "teams": [(figures.team_figure(ts, out_dir, palette=palette, summary_months=months),
                   "Spread across teams", "Each dot is one team's mean over the last "
                   f"{months} months, averaged over replications; boxes show quartiles across teams.")],
    }
    groups["organisations"] = [
        (figures.organisation_figure(ts, name, out_dir, summary_months=months),
         f"The organisations of the system side by side ({scenario_label(name)})",
         f"{scenario_label(name)}: each organisation of the integrated care system; line: median across "
         f"replications, band: 2.5–97.5 percentiles; grey: the last {months} months that summary.csv averages.")
        for name in run.scenarios] if per_org else []
    for group, metrics in (("contract", contract), ("extra", extras)):
        for m in metrics:
            title, unit = figures.metric_title(m)
            path = figures.trajectory_figure(ts, m, out_dir, palette=palette, summary_months=months)
            groups[group].append((path, f"{title} ({unit}) over time", ""))
    groups["note"] = [(None, "", band_note)]
    held = sorted(constant - per_org - all_zero, key=lambda m: (known.index(m) if m in known else len(known), m))
    groups["constant"] = [(None, metric_label(m)[0], "") for m in held]
    return groups


def figures_section(run: RunData, out_dir: Path) -> Section:
    """The headline figures, then the rest folded: overview, differences, each metric,
    organisations, teams; and the inputs held fixed (named, not drawn)."""
    groups = figure_groups(run, out_dir)

    def embed(name: str, wide: bool) -> list[Figure]:
        return [f for p, a, c in groups.get(name, []) if (f := figure(p, a, c, wide)) is not None]

    return {"headline": embed("headline", True), "overview": embed("overview", True), "forest": embed("forest", True),
            "contract": embed("contract", False), "extra": embed("extra", False),
            "organisations": embed("organisations", True), "teams": embed("teams", True),
            "notes": [c for _, _, c in groups.get("note", [])],
            "constant": [a for _, a, _ in groups.get("constant", [])]}


# --------------------------------------------------------------------------- tables


def summary_table(run: RunData) -> pd.DataFrame:
    """All metrics of summary.csv, formatted in their units; contract metrics first."""
    s = run.summary.copy()
    present = set(s["metric"])
    known = [m for m in (*CONTRACT_METRICS, *METRIC_LABELS) if m in present]
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
        "Scenario": s["scenario"].astype(str).map(scenario_label).tolist(),
        "Mean": [value_with_interval(m, v, lo, hi)[0]
                 for m, v, lo, hi in zip(metrics, col("mean"), col("ci_low"), col("ci_high"), strict=True)],
        "SD": [format_value(m, v) for m, v in zip(metrics, col("sd"), strict=True)],
        "95% interval": [value_with_interval(m, v, lo, hi)[1]
                         for m, v, lo, hi in zip(metrics, col("mean"), col("ci_low"), col("ci_high"), strict=True)],
        "n": [count(v) for v in col("n")],
    })
    if "diff" in s.columns and several(run):
        diffs = [diff_with_interval(m, v, lo, hi) if not is_missing(v) else (MISSING, MISSING)
                 for m, v, lo, hi in zip(metrics, col("diff"), col("diff_ci_low"), col("diff_ci_high"), strict=True)]
        out[f"Difference vs {scenario_label(run.reference)}"] = [a for a, _ in diffs]
        out["95% interval of difference"] = [b for _, b in diffs]
    repeat = out["Metric"].eq(out["Metric"].shift())
    out.loc[repeat, ["Metric", "Unit"]] = ""  # one label per metric block reads like a report table
    return out


def metrics(run: RunData) -> Section:
    """Every metric of summary.csv in its unit."""
    return {"table": table(summary_table(run), "data summary")}


def differing_parameters(configs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Parameters whose value differs between scenario configs (one column per scenario)."""
    flat = {name: flatten(cfg) for name, cfg in configs.items()}
    keys = sorted(set().union(*(f.keys() for f in flat.values())) - NON_PARAMETER_KEYS)
    missing = object()
    rows = []
    for key in keys:
        values = [f.get(key, missing) for f in flat.values()]
        if len({show(v) if v is not missing else "\0missing" for v in values}) > 1:
            rows.append({"Parameter": parameter_label(key), **{scenario_label(n): (MISSING if v is missing else show(v))
                                                                for n, v in zip(flat, values, strict=True)}})
    return pd.DataFrame(rows, columns=["Parameter", *[scenario_label(n) for n in flat]])


def parameters(run: RunData) -> dict[str, Any]:
    """The resolved parameters: parameters.csv with evidence if present, else config.yaml."""
    if run.parameters is not None and {"key", "value"} <= set(run.parameters.columns):
        cols = [c for c in ("key", "value", "evidence") if c in run.parameters.columns]
        df = run.parameters[cols].rename(columns={"key": "Parameter", "value": "Value", "evidence": "Evidence"})
        df["Parameter"] = df["Parameter"].map(parameter_label)
        return {"source": "parameters.csv", "table": table(df, "data params", scroll=True)}
    if not run.config:
        return {"source": None, "table": None}
    flat = flatten(run.config)
    df = pd.DataFrame({"Parameter": [parameter_label(k) for k in flat], "Value": [show(v) for v in flat.values()]})
    return {"source": "config.yaml", "table": table(df, "data params", scroll=True)}


def assumptions(run: RunData) -> Section:
    """What differs between scenarios, then every parameter of the run with its value."""
    out: Section = {"compared": 0, "differing": None, "n_scenarios": len(run.scenarios), "parameters": parameters(run)}
    if len(run.scenario_configs) >= 2:
        ordered = {n: run.scenario_configs[n] for n in
                   [s for s in run.scenarios if s in run.scenario_configs]
                   + sorted(set(run.scenario_configs) - set(run.scenarios))}
        diff = differing_parameters(ordered)
        out["compared"] = len(ordered)
        out["differing"] = table(diff) if not diff.empty else None
    return out


def provenance(run: RunData) -> Section:
    """Provenance (commit, versions, seed, times) as a two-column table; None as table when absent."""
    if not run.provenance:
        return {"table": None}
    flat = flatten(run.provenance)
    return {"table": table(pd.DataFrame({"Item": list(flat), "Value": [show(v) for v in flat.values()]}))}


def failed_jobs(run: RunData) -> dict[str, Any] | None:
    """The sweep's jobs that did not complete (jobs.csv), for a warning box; None when all did."""
    if run.jobs is None or "status" not in run.jobs.columns:
        return None
    bad = run.jobs[run.jobs["status"].str.strip() != "completed"]
    if bad.empty:
        return None
    cols = [c for c in ("job", "scenario", "status", "error") if c in bad.columns]
    df = bad[cols].replace("", MISSING).rename(columns=str.capitalize)
    return {"n": len(bad), "total": len(run.jobs), "table": table(df, "data jobs")}



# --------------------------------------------------------------------------- the trust


def _trust_config(run: RunData) -> dict[str, Any] | None:
    """The trust profile the run modelled (config ``trust``), from the run or its first job."""
    for cfg in (run.config, *run.scenario_configs.values()):
        if isinstance(cfg, dict) and isinstance(cfg.get("trust"), dict):
            return cfg["trust"]
    return None


def trust(run: RunData) -> Section | None:
    """Which trust was modelled, its wards, and its own figures beside the model's baseline
    (the reference scenario over the summary window), with each figure's stated range."""
    data = _trust_config(run)
    if data is None:
        return None
    from sim.trust import profile_from_stored  # noqa: PLC0415

    profile = profile_from_stored(data)
    reference = run.reference
    rows = []
    for f in profile.figures():
        r = summary_row(run, reference, f.metric)
        mean, lo, hi = (None, None, None) if r is None else (r["mean"], r["ci_low"], r["ci_high"])
        model, interval = value_with_interval(f.metric, mean, lo, hi)
        inside = MISSING if is_missing(mean) else ("yes" if f.low <= float(mean) <= f.high else "no")
        rows.append([f.label, format_value(f.metric, f.value), f"{format_value(f.metric, f.low)} to "
                     f"{format_value(f.metric, f.high)}", f"{model} {interval}".strip(), inside])
    extra = []
    cost = summary_row(run, reference, "agency_cost")
    spend = profile.agency_spend()
    extra.append(["Bank and agency spend a year", money(spend), "not fitted",
                  MISSING if cost is None else money(float(cost["mean"]) * 12), MISSING])
    bully = summary_row(run, reference, "bullying_prevalence")
    colleague = sum(o.survey_colleague_bullying * (o.rn_in_post + o.hca_in_post) for o in profile.organisations) \
        / max(1, profile.in_post())
    extra.append(["Bullied by colleagues (survey Q14c) / model bullying", format_value("bullying_prevalence", colleague),
                  "not fitted (not the same measure)",
                  MISSING if bully is None else format_value("bullying_prevalence", bully["mean"]), MISSING])
    figures_table = Table(["Figure", "The trust", "Stated range", "Model (mean, 95% interval)", "Inside the range"],
                          rows + extra)
    types: dict[str, list[int]] = {}
    for w in profile.wards:
        t = types.setdefault(w.type, [0, 0, 0, 0])
        t[0] += 1
        t[1] += w.beds
        t[2] += w.rn_posts
        t[3] += w.hca_posts
    wards_table = Table(["Ward type", "Wards", "Beds", "RN posts", "HCA posts"],
                        [[k, str(v[0]), str(v[1]), str(v[2]), str(v[3])] for k, v in types.items()])
    from sim.trust import agency_cost, compassion_from_survey  # noqa: PLC0415

    return {"name": profile.name, "description": profile.description, "fictional": profile.fictional,
            "n_wards": len(profile.wards), "beds": profile.beds, "posts": sum(profile.posts()),
            "organisations": [{"name": o.name, "bullying": format_value("bullying_prevalence", o.survey_manager_bullying),
                               "compassion": f"{compassion_from_survey(o.survey_manager_bullying):.3f}"}
                              for o in profile.organisations],
            "agency_cost": money(agency_cost(profile)), "posterior": data.get("_posterior"),
            "reference": reference, "summary_months": run.summary_months,
            "figures": figures_table, "wards": wards_table}
