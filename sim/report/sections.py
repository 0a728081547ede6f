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
    ("question", "Question"), ("scenarios", "Scenarios"), ("trust", "Your trust: its figures beside the model"),
    ("findings", "Headline findings"),
    ("time_course", "How fast the effect comes"),
    ("cultures", "The four cultures"), ("cost", "Cost-effectiveness"),
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


# --------------------------------------------------------------------------- question, scenarios


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
        items.append({"name": name, "reference": name == run.reference and several(run),
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
            "reference": reference, "interval": interval, "excludes_zero": excludes_zero}


def findings(run: RunData) -> Section:
    """Headline findings: per scenario, a sentence for each key metric in the summary."""
    blocks = []
    for name in run.scenarios:
        found = [f for m in KEY_METRICS if (f := finding(run, name, m))]
        if found:
            label = " (reference)" if name == run.reference and several(run) else ""
            blocks.append({"name": name, "label": label, "findings": found})
    return {"blocks": blocks, "summary_months": run.summary_months, "paired": several(run),
            "cost_headline": cost_headline(run)}


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
            blocks.append({"name": name, "start": start, "rows": rows})
    return {"blocks": blocks, "reference": run.reference} if blocks else None


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
    return {"design": design, "reference": run.reference, "summary_months": run.summary_months, "panels": panels}


# --------------------------------------------------------------------------- cost-effectiveness

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
    text = "no benefit (∞)" if not is_missing(point) and math.isinf(float(point)) else money(point)
    return text, f"{money(row.get(f'{prefix}_ci_low'))} to {money(row.get(f'{prefix}_ci_high'))}"


def _bounded(row: Mapping[str, Any]) -> bool:
    """Whether a cost per leaver avoided has a finite interval (a benefit distinguishable from zero)."""
    upper = row.get("cost_per_leaver_ci_high")
    return not is_missing(upper) and math.isfinite(float(upper))


def cost(run: RunData) -> Section | None:
    """The interventions ranked by cost per leaver avoided, with 95% intervals (cost_effectiveness.csv)."""
    if run.cost is None:
        return None
    period = "Annual cost" if run.summary_months == 12 else f"Cost over the last {run.summary_months} months"
    heads = ["Rank", "Intervention", "n", period, "Leavers avoided", "Cost per leaver avoided",
             "Adverse events avoided", "Cost per adverse event avoided", "Rank (adverse events)"]
    rows = []
    for rec in _ce_ranked(run.cost).to_dict("records"):
        cells: list[tuple[str, str | None]] = [(str(rec.get("rank_leaver", MISSING)), None),
                                               (count(rec.get("n")), None), (money(rec.get("cost")), None)]
        for _, n_col, ratio, prefix in CE_MEASURES:
            cells += [_ce_count(rec, n_col), _ce_ratio(rec, ratio, prefix)]
        cells.append((str(rec.get("rank_adverse", MISSING)), None))
        rows.append({"scenario": rec["scenario"], "cells": cells})
    return {"columns": heads, "rows": rows, "reference": run.reference, "summary_months": run.summary_months}


def cost_headline(run: RunData) -> dict[str, Any] | None:
    """The top-ranked intervention (by cost per leaver avoided), and the top one with a sure benefit."""
    if run.cost is None or run.cost.empty:
        return None
    ranked = _ce_ranked(run.cost).to_dict("records")
    top = ranked[0]
    point = top.get("cost_per_leaver_avoided")
    out: dict[str, Any] = {"reference": run.reference, "summary_months": run.summary_months}
    if is_missing(point) or math.isinf(float(point)):
        return {**out, "top": None}
    out["top"] = {"scenario": top["scenario"], "per_leaver": money(point), "spend": money(top.get("cost")),
                  "interval": _ce_ratio(top, "cost_per_leaver_avoided", "cost_per_leaver")[1],
                  "bounded": _bounded(top)}
    sure = [r for r in ranked if _bounded(r)] if not _bounded(top) else []
    out["best"] = ({"scenario": sure[0]["scenario"], "per_leaver": money(sure[0]["cost_per_leaver_avoided"]),
                    "interval": _ce_ratio(sure[0], "cost_per_leaver_avoided", "cost_per_leaver")[1]}
                   if sure else None)
    return out


# --------------------------------------------------------------------------- figures


def figure_groups(run: RunData, out_dir: Path) -> dict[str, list[tuple[Path | None, str, str]]]:
    """Draw every figure of the Figures section; grouped as (path, alt text, caption)."""
    palette = figures.scenario_palette(run.scenarios)
    ts, months = run.timeseries, run.summary_months
    org = figures.org_level(ts)
    org_metrics = set(org["metric"].astype(str))
    contract = [m for m in CONTRACT_METRICS if m in org_metrics]
    known = list(METRIC_LABELS)  # its order groups the metrics by theme
    per_org = {m for m in org_metrics if split_organisation_metric(m)[1] is not None}  # in their own figure
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


def figures_section(run: RunData, out_dir: Path) -> Section:
    """The figures in reading order: overview, differences, each metric, organisations, teams."""
    groups = figure_groups(run, out_dir)

    def embed(name: str, wide: bool) -> list[Figure]:
        return [f for p, a, c in groups.get(name, []) if (f := figure(p, a, c, wide)) is not None]

    return {"overview": embed("overview", True), "forest": embed("forest", True),
            "contract": embed("contract", False), "extra": embed("extra", False),
            "organisations": embed("organisations", True), "teams": embed("teams", True),
            "notes": [c for _, _, c in groups.get("note", [])]}


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
        "Scenario": s["scenario"].astype(str).tolist(),
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
        out[f"Difference vs {run.reference}"] = [a for a, _ in diffs]
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
            rows.append({"Parameter": key, **{n: (MISSING if v is missing else show(v))
                                               for n, v in zip(flat, values, strict=True)}})
    return pd.DataFrame(rows, columns=["Parameter", *flat])


def parameters(run: RunData) -> dict[str, Any]:
    """The resolved parameters: parameters.csv with evidence if present, else config.yaml."""
    if run.parameters is not None and {"key", "value"} <= set(run.parameters.columns):
        cols = [c for c in ("key", "value", "evidence") if c in run.parameters.columns]
        df = run.parameters[cols].rename(columns={"key": "Parameter", "value": "Value", "evidence": "Evidence"})
        return {"source": "parameters.csv", "table": table(df, "data params", scroll=True)}
    if not run.config:
        return {"source": None, "table": None}
    flat = flatten(run.config)
    df = pd.DataFrame({"Parameter": list(flat), "Value": [show(v) for v in flat.values()]})
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
