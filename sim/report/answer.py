"""The answer to a run's question (placeholder of the interface; the answer section's own
module replaces it): the question, and the reference scenario's key metrics with their
intervals from summary.csv."""

from __future__ import annotations

from dataclasses import dataclass

from sim.glossary import scenario_label
from sim.metric_records import headline_unit, metric_label, record
from sim.report.data import RunData
from sim.report.format import scaled

#: The metrics whose levels are the headline numbers, in this order.
HEADLINE_METRICS: tuple[str, ...] = ("burnout_prevalence", "vacancy_rate", "adverse_events_per_1000")


@dataclass(frozen=True)
class Headline:
    """One headline number with its interval, in the unit named by ``unit`` (shares in
    percent, "%"; differences of shares in percentage points, "pp")."""

    label: str
    value: float
    low: float
    high: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Answer:
    """The question, a paragraph answering it, its headline numbers and the window they cover."""

    question: str
    text: str
    headlines: list[Headline]
    window: str
    uncertainty: str


def build_answer(run: RunData) -> Answer:
    """The reference scenario's headline metrics over the summary window."""
    heads = []
    for metric in HEADLINE_METRICS:
        rows = run.summary[(run.summary["scenario"] == run.reference) & (run.summary["metric"] == metric)]
        if rows.empty:
            continue
        r = rows.iloc[0]
        rec = record(metric)
        unit = "%" if rec is not None and rec.percent else headline_unit(metric).strip()
        heads.append(Headline(metric_label(metric)[0], scaled(metric, r["mean"]), scaled(metric, r["ci_low"]),
                              scaled(metric, r["ci_high"]), unit))
    window = f"the last {run.summary_months} months"
    question = str(run.config.get("description") or "")
    text = f"Averages of {window} in {scenario_label(run.reference)}, with 95% intervals across replications."
    return Answer(question, text, heads, window, "stochastic (replications) only")
