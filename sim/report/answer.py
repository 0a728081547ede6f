"""The answer first: one short paragraph answering the run's question, with its numbers.

Every run declares its question in config (``question``: text, how it is answered, the
window it needs and the metrics that answer it; docs/model.md "The answer first").
:func:`build_answer` computes the answer from the run folder over that window, paired by
replication where scenarios are compared (common random numbers and, with
``parameter_uncertainty``, the same posterior draw in every scenario), and says which
uncertainty its intervals include and how many replications they rest on. The report
opens with it (``<section id="answer">``); the one-page brief reuses it.

How each kind of question is answered (``question.answer``):

- ``difference``: each scenario against the reference over the window (a single run: its
  levels, or, run alongside the baseline, its difference from it);
- ``factorial``: the two main effects of a 2x2 design and their interaction;
- ``time_to_half``: months from an intervention's start to half of its final effect;
- ``targets``: the model's steady state beside each NHS target it can be checked against;
- ``return_on_investment``: net cost a year, outcomes avoided, cost per outcome and the
  probability that each option ranks first (cost_effectiveness.csv).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.glossary import scenario_label as L  # noqa: N812 - scenario names in words, used in every sentence
from sim.metric_records import metric_bounds, metric_label, record
from sim.report.data import RunData, factorial_design
from sim.report.format import decimals_for, format_number, is_missing, money
from sim.summary import bounded_interval, difference_bounds, t_interval

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGETS_FILE = REPO_ROOT / "conf" / "targets" / "england.yaml"

#: The question of a run whose config has none (an old run folder).
DEFAULT_METRICS: tuple[str, ...] = ("burnout_prevalence", "vacancy_rate", "leaver_rate", "adverse_events_per_1000")


@dataclass(frozen=True)
class Headline:
    """One number that answers the question, with its 95% interval, in the unit named by
    ``unit`` (shares are in percent, "%", or percentage points, "pp")."""

    label: str
    value: float
    low: float
    high: float
    unit: str
    note: str = ""

    def formatted(self) -> tuple[str, str]:
        """(value, "low to high") as text with one precision; an em dash for a missing bound."""
        return _fmt(self.value, self.low, self.high, self.unit)


@dataclass(frozen=True)
class Answer:
    """The answer to a run's question: the paragraph, its headline numbers, the window it
    was computed over and what its intervals include."""

    question: str
    text: str
    headlines: list[Headline]
    window: str
    uncertainty: str
    details: list[dict[str, str]] = field(default_factory=list)   # a table beside the paragraph (targets)


# --------------------------------------------------------------------------- formatting


def _fmt(value: float, low: float, high: float, unit: str) -> tuple[str, str]:
    shown = [x for x in (value, low, high) if not is_missing(x) and math.isfinite(float(x))]
    signed = unit == "pp"
    d = decimals_for(*shown)

    def one(x: float) -> str:
        if is_missing(x) or (isinstance(x, float) and not math.isfinite(x)):
            return "—"
        if unit.startswith("£"):
            return money(x)
        text = format_number(x, signed=signed, decimals=d)
        return text + ("%" if unit == "%" else " pp" if unit == "pp" else "")

    return one(value), f"{one(low)} to {one(high)}"


def _scale(metric: str) -> float:
    rec = record(metric)
    return 100.0 if rec is not None and rec.percent else 1.0


def _unit(metric: str, difference: bool) -> str:
    rec = record(metric)
    if rec is not None and rec.percent:
        return "pp" if difference else "%"
    if rec is not None and rec.money:
        return "£"
    return rec.headline_unit.strip() if rec is not None and rec.headline_unit else ""


def _name(metric: str) -> str:
    title = metric_label(metric)[0]
    return title[0].lower() + title[1:] if title[:2] != title[:2].upper() else title


def _phrase(h: Headline) -> str:
    """'31.2% (95% interval 29.0% to 33.5%)' with the unit after the numbers."""
    value, interval = h.formatted()
    after = f" {h.unit}" if h.unit and h.unit not in ("%", "pp") and not h.unit.startswith("£") else ""
    if interval.startswith("—"):
        return f"{value}{after}"
    return f"{value}{after} (95% interval {interval})"


def _unclear(low: float, high: float) -> bool:
    return not (is_missing(low) or is_missing(high)) and low <= 0 <= high


# --------------------------------------------------------------------------- the question and its window


def question_of(config: Mapping[str, Any]) -> dict[str, Any]:
    """The run's question block, with defaults for a folder written before questions existed."""
    q = dict(config.get("question") or {})
    q.setdefault("text", "")
    q.setdefault("answer", "difference")
    q.setdefault("window", "steady")
    q.setdefault("months", [])
    q["metrics"] = list(q.get("metrics") or DEFAULT_METRICS)
    if not q["text"]:
        q["text"] = str(config.get("description") or "What does this run show?")
    return q


def window_bounds(run: RunData, q: Mapping[str, Any]) -> tuple[int | None, int | None, str]:
    """(first month, end month) of the question's window (None: each scenario's last
    ``summary_months``), and the window in words."""
    if q["window"] == "shock":
        demand = run.config.get("demand") or {}
        first, length = int(demand.get("shock_start_month", 0)), int(demand.get("shock_months", 0))
        return first, first + length, f"the demand surge, months {first}–{first + length - 1}"
    if q["window"] == "months" and len(q.get("months") or []) == 2:
        first, end = (int(x) for x in q["months"])
        return first, end, f"months {first}–{end - 1}"
    n = run.summary_months
    last = int(run.timeseries["month"].max()) if len(run.timeseries) else n - 1
    return None, None, f"the steady state, the last {n} months (months {last - n + 1}–{last})"


def window_means(run: RunData, metrics: Sequence[str], first: int | None, end: int | None) -> pd.DataFrame:
    """Each scenario's and replication's mean of each metric over the window (index
    scenario, replication; one column per metric)."""
    ts = run.timeseries
    org = ts[ts["team"].isna() & ts["metric"].isin(list(metrics))]
    if first is None:
        last = org.groupby("scenario", observed=True)["month"].transform("max")
        org = org[org["month"] > last - run.summary_months]
    else:
        org = org[(org["month"] >= first) & (org["month"] < (end if end is not None else math.inf))]
    return org.groupby(["scenario", "replication", "metric"], observed=True)["value"].mean().unstack("metric")


def uncertainty_text(run: RunData) -> str:
    """What the intervals include and how many replications they rest on."""
    configs = [c for c in run.scenario_configs.values() if c] or [run.config]
    drawn = any(bool(c.get("parameter_uncertainty")) for c in configs) or bool(run.config.get("parameter_uncertainty"))
    reps = run.timeseries.groupby("scenario", observed=True)["replication"].nunique()
    n = int(reps.min()) if len(reps) else 0
    kinds = ("both parameter uncertainty (replication r runs with draw r of the calibration posterior, the same "
             "draw in every scenario) and stochastic noise") if drawn else "stochastic noise only (the parameters are fixed)"
    paired = " Differences are paired by replication (common random numbers)." if len(run.scenarios) > 1 else ""
    few = " With so few replications the intervals are wide and rough." if n < 5 else ""
    return (f"The 95% intervals include {kinds}; they rest on {n} replication{'s' if n != 1 else ''}"
            f"{' per scenario' if len(run.scenarios) > 1 else ''}.{paired}{few}")


# --------------------------------------------------------------------------- numbers with intervals


def level_headline(metric: str, values: np.ndarray, label: str = "", note: str = "") -> Headline:
    """A metric's mean over replications with its range-respecting interval."""
    lo_b, hi_b = metric_bounds(metric)
    mean, _, lo, hi = bounded_interval(values, lo_b, hi_b)
    k = _scale(metric)
    return Headline(label or metric_label(metric)[0], mean * k, lo * k, hi * k, _unit(metric, False), note)


def diff_headline(metric: str, diffs: np.ndarray, label: str, note: str = "") -> Headline:
    """A paired difference's mean with its t interval, clipped to the range a difference can take."""
    mean, _, lo, hi = t_interval(diffs)
    d_lo, d_hi = difference_bounds(*metric_bounds(metric))
    lo, hi = max(lo, d_lo), min(hi, d_hi)
    if len(diffs) < 2:
        lo = hi = float("nan")
    k = _scale(metric)
    return Headline(label, mean * k, lo * k, hi * k, _unit(metric, True), note)


def _paired(means: pd.DataFrame, scenario: str, reference: str, metric: str) -> np.ndarray:
    a = means.loc[scenario, metric] if metric in means.columns else pd.Series(dtype=float)
    b = means.loc[reference, metric] if metric in means.columns else pd.Series(dtype=float)
    pair = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
    return (pair["a"] - pair["b"]).to_numpy()


# --------------------------------------------------------------------------- the kinds of answer


def answer_difference(run: RunData, q: Mapping[str, Any]) -> tuple[str, list[Headline]]:
    first, end, words = window_bounds(run, q)
    metrics = [m for m in q["metrics"]]
    means = window_means(run, metrics, first, end)
    metrics = [m for m in metrics if m in means.columns]
    if len(run.scenarios) == 1 or run.reference not in means.index.get_level_values(0):
        name = run.scenarios[0]
        heads = [level_headline(m, means.loc[name, m].dropna().to_numpy()) for m in metrics]
        parts = [f"{_name(h.label)} {_phrase(h)}" for h in heads]
        return (f"Over {words}, {L(name)} had " + _join(parts) + ".", heads[:3])
    ref = run.reference
    others = [s for s in run.scenarios if s != ref and s in means.index.get_level_values(0)]
    compared = run.config.get("compared_with_baseline") or _single_compared(run)
    sentences, heads = [], []
    for s in others:
        hs = [diff_headline(m, _paired(means, s, ref, m), f"{metric_label(m)[0]}: {L(s)} − {L(ref)}") for m in metrics]
        unclear = " (not distinguishable from zero)"
        parts = [f"{_name(metric_label(m)[0])} {_phrase(h)}{unclear if _unclear(h.low, h.high) else ''}"
                 for m, h in zip(metrics, hs, strict=True)]
        sentences.append(f"{L(s)}: " + _join(parts))
        heads.append(hs)
    lead = (f"This run ({L(others[0])}) was run alongside the baseline under common random numbers and is compared with "
            f"it. " if compared else "")
    text = (f"{lead}Over {words}, the difference from {L(ref)} (scenario minus {L(ref)}) was, for "
            + "; for ".join(sentences) + ".")
    first_metric = metrics[0]
    if len(others) >= 2:
        # which option does best on the first metric (lower is better for every question metric but safety)
        better_high = first_metric in ("psychological_safety", "engagement_mean", "learning", "reputation")
        vals = {s: float(np.mean(_paired(means, s, ref, first_metric))) for s in others}
        vals[ref] = 0.0
        best = (max if better_high else min)(vals, key=vals.get)
        text += f" On {_name(metric_label(first_metric)[0])}, {L(best)} does best."
        chosen = [h[0] for h in heads][:3]
    else:
        chosen = heads[0][:3]
    return text, chosen


def _single_compared(run: RunData) -> bool:
    return (run.run_dir / "compared_baseline").is_dir() and len(run.scenarios) == 2


def _lower(text: str) -> str:
    """A label inside a sentence: its first letter in lower case."""
    return text[:1].lower() + text[1:]


def _join(parts: Sequence[str]) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def answer_factorial(run: RunData, q: Mapping[str, Any]) -> tuple[str, list[Headline]] | None:
    design = factorial_design(run.scenario_configs, run.scenarios, run.reference)
    if design is None:
        return None
    first, end, words = window_bounds(run, q)
    means = window_means(run, q["metrics"], first, end)
    metrics = [m for m in q["metrics"] if m in means.columns]
    a1, a0 = (_lower(design.row_title(i)) for i in range(2))     # level 0 of each factor is the reference's
    b1, b0 = (_lower(design.col_title(j)) for j in range(2))
    g = design.grid

    def effects(metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cell = {(i, j): means.loc[g[i][j], metric] for i in range(2) for j in range(2)}
        frame = pd.concat(cell, axis=1).dropna()
        y = {k: frame[k].to_numpy() for k in cell}
        row = ((y[0, 0] - y[1, 0]) + (y[0, 1] - y[1, 1])) / 2
        col = ((y[0, 0] - y[0, 1]) + (y[1, 0] - y[1, 1])) / 2
        inter = (y[0, 0] - y[0, 1]) - (y[1, 0] - y[1, 1])
        return row, col, inter

    sentences, heads = [], []
    for k, metric in enumerate(metrics[:2]):
        row, col, inter = effects(metric)
        h_row = diff_headline(metric, row, f"{metric_label(metric)[0]}: {a1} rather than {a0}")
        h_col = diff_headline(metric, col, f"{metric_label(metric)[0]}: {b1} rather than {b0}")
        h_int = diff_headline(metric, inter, f"{metric_label(metric)[0]}: interaction",
                              note=f"the effect of {b1} under {a1} minus under {a0}")
        sentence = (f"{a1} rather than {a0} changed {_name(metric_label(metric)[0])} by "
                    f"{_phrase(h_row)}, and {b1} rather than {b0} by {_phrase(h_col)} "
                    f"(main effects, each averaged over the other factor); the interaction (the effect of {b1} "
                    f"under {a1} minus under {a0}) was {_phrase(h_int)}"
                    f"{', not distinguishable from zero' if _unclear(h_int.low, h_int.high) else ''}")
        sentences.append(f"for {_name(metric_label(metric)[0])}, {sentence}" if k else sentence)
        if k == 0:
            heads = [h_row, h_col, h_int]
    text = f"During {words}, " + ". Likewise " .join(sentences) + "."
    return text, heads


def intervention_start(config: Mapping[str, Any]) -> int | None:
    ivs = config.get("intervention") or {}
    starts = [int(iv.get("start_month", 0)) for iv in ivs.values() if isinstance(iv, Mapping) and iv.get("enabled")]
    return min(starts) if starts else None


def answer_time_to_half(run: RunData, q: Mapping[str, Any]) -> tuple[str, list[Headline]] | None:
    from sim.calibration.estimators import Replication, time_to_half  # noqa: PLC0415

    ref = run.reference
    arms = [(s, st) for s in run.scenarios if s != ref
            and (st := intervention_start(run.scenario_configs.get(s) or {})) is not None]
    if not arms or len(run.scenarios) < 2:
        return None
    name, start = arms[0]
    org = run.timeseries[run.timeseries["team"].isna()]
    horizon = int(org["month"].max()) + 1
    means = window_means(run, q["metrics"], None, None)
    parts, heads = [], []
    for metric in q["metrics"]:
        rows = org[org["metric"] == metric]
        times = []
        for _rep, g in rows.groupby("replication"):
            arm, base = g[g["scenario"] == name], g[g["scenario"] == ref]
            if arm.empty or base.empty:
                continue
            t = time_to_half(Replication({name: arm, ref: base}, start_month={name: start}), metric=metric,
                             scenario=name, reference=ref)
            if not math.isnan(t):
                times.append(t)
        if not times or metric not in means.columns:
            continue
        final = diff_headline(metric, _paired(means, name, ref, metric), f"{metric_label(metric)[0]}: final effect")
        mean, _, lo, hi = bounded_interval(np.asarray(times), 0.0, float(horizon - start))
        if len(times) < 2:
            lo = hi = float("nan")
        half = Headline(f"{metric_label(metric)[0]}: months to half of the effect", mean, lo, hi, "months",
                        note=f"final effect {final.formatted()[0]} ({final.formatted()[1]})")
        if _unclear(final.low, final.high):
            parts.append(f"{_name(metric_label(metric)[0])} shows no final effect distinguishable from zero "
                         f"({_phrase(final)}), so its time to half means little")
        else:
            parts.append(f"{_name(metric_label(metric)[0])} reaches half of its final effect after {_phrase(half)} "
                         f"(final effect {_phrase(final)})")
        heads.append(half)
    if not parts:
        return None
    n_last = run.summary_months
    text = (f"After {L(name)} starts at month {start} (against {L(ref)}), " + "; ".join(parts)
            + f". The final effect is the paired difference over the last {n_last} months; a time to half is "
            f"counted from the start, per replication, on a 3-month rolling mean, and is censored at the end of the "
            f"run ({horizon - start} months after the start).")
    return text, heads[:3]


def _targets() -> Any:
    from sim.calibration.targets import parse_targets  # noqa: PLC0415

    data = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    return parse_targets(data, "england")


#: Estimators of a target that one run of the typical trust can be measured by.
SINGLE_RUN_ESTIMATORS = ("mean", "team_percentile_ratio", "dose_response_odds_ratio", "start_jump")


def target_rows(run: RunData, scenario: str) -> list[dict[str, Any]]:
    """Each NHS target measurable on one run of the typical (mixed-culture) trust: the
    model's value with its interval over replications, the target range and its source."""
    from sim.calibration.estimators import Replication, measure  # noqa: PLC0415

    ts = run.timeseries[run.timeseries["scenario"] == scenario]
    reps = {r: g for r, g in ts.groupby("replication")}
    rows = []
    for t in _targets().entries:
        m = t.measure
        if m["scenario"] != "mixed" or m["estimator"] not in SINGLE_RUN_ESTIMATORS or m.get("minus"):
            continue
        values = []
        for g in reps.values():
            try:
                v = measure(Replication({"mixed": g}), m)
            except (KeyError, ValueError, IndexError):
                continue
            if math.isfinite(v):
                values.append(v)
        if not values:
            continue
        metric = m.get("metric", "")
        share = (m["estimator"] in ("mean", "start_jump") and metric_bounds(metric) == (0.0, 1.0)
                 or metric in ("leaver_rate", "nurses_missing_some_care"))
        lo_b, hi_b = (0.0, 1.0) if share or m["estimator"] == "start_jump" else (0.0, math.inf)
        mean, _, lo, hi = bounded_interval(np.asarray(values), lo_b, hi_b)
        rows.append({"target": t, "mean": mean, "low": lo if len(values) > 1 else float("nan"),
                     "high": hi if len(values) > 1 else float("nan"), "percent": share, "n": len(values)})
    return rows


def answer_targets(run: RunData, q: Mapping[str, Any]) -> tuple[str, list[Headline], list[dict[str, str]]] | None:
    leadership = (run.config.get("leadership") or {}).get("name")
    if len(run.scenarios) != 1 or leadership not in (None, "mixed"):
        return None
    rows = target_rows(run, run.scenarios[0])
    if not rows:
        return None
    k = lambda r: 100.0 if r["percent"] else 1.0  # noqa: E731
    details, inside, outside = [], 0, []
    heads = []
    for r in rows:
        t = r["target"]
        ok = t.inside(r["mean"])
        inside += ok
        unit = "%" if r["percent"] else ""
        h = Headline(t.label, r["mean"] * k(r), r["low"] * k(r), r["high"] * k(r), unit,
                     note=f"target {_range(t, k(r), unit)} ({_source(t)})")
        value, interval = h.formatted()
        details.append({"Target": t.label, "Model (steady-state year)": value, "95% interval": interval,
                        "NHS target": _range(t, k(r), unit), "Met": "yes" if ok else "no", "Source": _source(t)})
        if not ok:
            outside.append(f"{t.label[0].lower() + t.label[1:]} ({value} against {_range(t, k(r), unit)})")
        if t.measure.get("metric") in ("burnout_prevalence", "vacancy_rate", "leaver_rate") and t.measure[
                "estimator"] == "mean":
            heads.append(h)
    n_last = run.summary_months
    text = (f"In its steady-state year (the last {n_last} months), the model's typical trust meets {inside} of the "
            f"{len(rows)} national targets that one run of it can be checked against (its mean within the target's "
            f"range; conf/targets/england.yaml). "
            + " ".join(f"{h.label}: {_phrase(h)}, {h.note}." for h in heads))
    if outside:
        text += " Outside its target: " + "; ".join(outside) + "."
    text += (" The targets on blame and compassionate trusts and on culture change need other scenarios: "
             "python -m sim.calibrate checks all of them.")
    return text, heads[:3], details


def _source(t: Any) -> str:
    """The citation's first part, for a table cell (up to a comma, semicolon or bracket)."""
    short = t.short_source.split("(")[0].strip()
    return short or t.short_source


def _range(t: Any, k: float, unit: str) -> str:
    def n(x: float) -> str:
        return format_number(x * k, decimals=1 if k == 100 else 2) + unit
    if math.isinf(t.low):
        return f"at most {n(t.high)}"
    if math.isinf(t.high):
        return f"at least {n(t.low)}"
    return f"{n(t.low)} to {n(t.high)}"


def answer_roi(run: RunData, q: Mapping[str, Any]) -> tuple[str, list[Headline]] | None:
    ce = run.cost
    if ce is None or ce.empty or "net_cost" not in ce.columns:
        return None
    n_last = run.summary_months
    ranked = len(ce) >= 2 and "rank_leaver" in ce.columns
    order = ce.sort_values(["rank_leaver", "net_cost"], na_position="last") if ranked else ce
    top = order.iloc[0]
    name = L(str(top["scenario"]))

    def h(col: str, label: str, unit: str, note: str = "") -> Headline:
        return Headline(label, float(top[col]), float(top.get(f"{col}_ci_low", np.nan)),
                        float(top.get(f"{col}_ci_high", np.nan)), unit, note)

    net = h("net_cost", f"Net cost a year: {name}", "£ a year")
    leavers = h("leavers_avoided", f"Leavers avoided a year: {name}", "leavers a year")
    p_first = float(top["p_first_leaver"]) if ranked and "p_first_leaver" in ce.columns else float("nan")
    per = Headline(f"Net cost per leaver avoided: {name}", float(top["cost_per_leaver_avoided"]),
                   float(top["cost_per_leaver_ci_low"]), float(top["cost_per_leaver_ci_high"]), "£ per leaver avoided",
                   note=f"chance of ranking first {p_first:.0%}" if math.isfinite(p_first) else "")
    adverse = h("adverse_reduction_per_1000", f"Adverse events avoided per 1,000 patient-days: {name}",
                "per 1,000 patient-days")
    saving = h("agency_saving", "Bank and agency saving a year", "£ a year")
    saved = " (negative: a saving on average)" if net.value < 0 else ""
    desc = (f"{name} costs {money(top['intervention_cost'])} a year and saves {_phrase(saving)} of bank and agency "
            f"spend: a net cost of {_phrase(net)}{saved}. It avoids {_phrase(leavers)} (the leaver rate "
            f"{format_number(top['leaver_rate_reduction'] * 100, decimals=2)} pp lower, counted at the headcount of "
            f"{run.reference}), and adverse events fall by {_phrase(adverse)}")
    if is_missing(per.value) or not math.isfinite(per.value):
        desc += "; it avoids no leavers on average, so it has no cost per leaver avoided"
    elif is_missing(per.low) or is_missing(per.high):
        desc += (f"; that is {money(per.value)} per leaver avoided, but the benefit is not distinguishable from zero, "
                 "so this ratio has no interval")
    elif per.value < 0:
        desc += f"; it saves money while avoiding leavers ({_phrase(per)} per leaver avoided)"
    else:
        desc += f"; {_phrase(per)} per leaver avoided"
    text = f"Over the last {n_last} months, against {run.reference}, per year: "
    if ranked:
        probs = ce.set_index("scenario")["p_first_leaver"].sort_values(ascending=False)
        text += (f"{name} ranks first of {len(ce)} options by net cost per leaver avoided. {desc}. Chance of ranking "
                 "first (share of paired replications, parameter draws included): "
                 + ", ".join(f"{L(s)} {p:.0%}" for s, p in probs.items() if p > 0) + ".")
        unranked = ce[ce["rank_leaver"].isna()]["scenario"].tolist()
        if unranked:
            text += " Unranked (no leavers avoided on average): " + ", ".join(L(str(u)) for u in unranked) + "."
    else:
        text += desc + ". With one option there is no ranking."
    return text, [net, leavers, per]


KINDS = {"difference": answer_difference, "factorial": answer_factorial, "time_to_half": answer_time_to_half,
         "return_on_investment": answer_roi}


def build_answer(run: RunData) -> Answer:
    """The answer to the run's question (``config.question``), over the window it needs.

    A kind of answer the run cannot give (a 2x2 with a job missing, targets for a culture
    other than the typical trust's) falls back to the paired differences, so every report
    opens with an answer.
    """
    q = question_of(run.config)
    kind = q["answer"]
    _, _, words = window_bounds(run, q)
    details: list[dict[str, str]] = []
    got: Any = None
    if kind == "targets":
        got = answer_targets(run, q)
        if got is not None:
            text, heads, details = got
            got = (text, heads)
            words = f"the steady state, the last {run.summary_months} months"
    elif kind in KINDS:
        got = KINDS[kind](run, q)
        if kind == "time_to_half" and got is not None:
            words = f"from the programme's start to the end; final effect over the last {run.summary_months} months"
        if kind == "return_on_investment" and got is not None:
            words = f"the last {run.summary_months} months, per year"
    if got is None:
        got = answer_difference(run, q)
        kind = "difference"
    if kind == "difference" and run.cost is not None and (roi := answer_roi(run, q)) is not None:
        got = (f"{got[0]} Return on investment: {roi[0][0].lower()}{roi[0][1:]}", got[1])   # a costed change
    text, heads = got
    return Answer(question=q["text"], text=text, headlines=list(heads), window=words,
                  uncertainty=uncertainty_text(run), details=details)
