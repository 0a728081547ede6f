"""One record per metric: everything the outputs, figures and report need to know about it.

A metric's facts used to be spread over ``sim/metrics.py`` (the contract list),
``sim/figures.py`` (labels, which metrics are percentages) and ``sim/report.py``
(headline units). They now live here, one :class:`MetricRecord` each, and the old
names are derived: :data:`CONTRACT_METRICS`, :data:`PERCENT_METRICS`,
:data:`MONEY_METRICS`, :func:`metric_label`, :func:`headline_unit`.

Adding a metric: the model writes it (``sim/metrics.py`` recorder and the model's
monthly close), and it gets one record below; ``tests/unit/test_metric_records.py``
fails until both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a metric's number is; the formatting follows from it."""

    SHARE = "share"    # a fraction 0–1 of something: shown as percent, differences in percentage points
    MONEY = "money"    # pounds sterling: shown with £
    COUNT = "count"    # a number of people, posts, events or patients (per month or in post)
    RATE = "rate"      # events or patients per unit of something (per 1,000 patient-days, per team per day)
    RATIO = "ratio"    # one count over another (patients per nurse)
    LEVEL = "level"    # a score on a 0–1 scale (safety, exhaustion, reputation)


class Level(StrEnum):
    """Where a metric is written in ``timeseries.parquet``."""

    ORGANISATION = "organisation"          # ``team`` null, plain name: the whole organisation (or system)
    TEAM = "team"                          # ``team`` not null: one row per team
    PER_ORGANISATION = "per organisation"  # ``team`` null, named ``METRIC@orgK``: one organisation of a system


ORG, TEAM, PER_ORG = Level.ORGANISATION, Level.TEAM, Level.PER_ORGANISATION


@dataclass(frozen=True)
class MetricRecord:
    """One metric: its name in the outputs, how it reads in plain English, and where it exists."""

    name: str
    label: str                      # title of its figure and table row
    unit: str                       # axis label: what one unit is
    kind: Kind
    levels: frozenset[Level]
    contract: bool = False          # one of the output contract's organisation-level metrics
    headline_unit: str = ""         # words after a headline number where the number alone would not say it

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the metric's values (and so its means and their intervals) can take:
        shares and 0-1 levels in [0, 1], everything else non-negative; annualised rates
        (leavers, leader turnover) are non-negative but not bounded by 1 (a month's rate a
        year can exceed it)."""
        if self.name in ANNUALISED or self.kind not in (Kind.SHARE, Kind.LEVEL):
            return 0.0, float("inf")
        return 0.0, 1.0

    @property
    def percent(self) -> bool:
        return self.kind is Kind.SHARE

    @property
    def money(self) -> bool:
        return self.kind is Kind.MONEY


def _r(name: str, label: str, unit: str, kind: Kind, *levels: Level, contract: bool = False,
       headline_unit: str = "") -> MetricRecord:
    return MetricRecord(name, label, unit, kind, frozenset(levels), contract, headline_unit)


_PER_1000 = " per 1,000 patient-days"

#: Shares that are monthly flows annualised (x 12): non-negative, but above 1 in a bad month.
ANNUALISED: frozenset[str] = frozenset({"leaver_rate", "leader_turnover"})

#: Every metric, in reading order: the contract first, then by theme (flows of staff,
#: patients, incidents, cover, staff state, leaders, the organisation, the system).
#: This order is the order of figures and tables in the report, and (filtered by level)
#: the order of rows in ``timeseries.parquet``, so do not reorder existing records.
RECORDS: tuple[MetricRecord, ...] = (
    _r("vacancy_rate", "Vacancy rate", "% of establishment vacant", Kind.SHARE, ORG, TEAM, PER_ORG, contract=True),
    _r("leaver_rate", "Leaver rate", "% of headcount a year (annualised)", Kind.SHARE, ORG, PER_ORG, contract=True),
    _r("burnout_prevalence", "Burnout prevalence", "% of staff in post burnt out", Kind.SHARE, ORG, TEAM, PER_ORG,
       contract=True),
    _r("sickness_absence_rate", "Sickness absence", "% of contracted staff-days lost", Kind.SHARE, ORG, contract=True),
    _r("patients_per_nurse", "Patients per registered nurse", "patients per RN on duty", Kind.RATIO,
       ORG, TEAM, PER_ORG, contract=True, headline_unit=" patients per registered nurse"),
    _r("missed_care_rate", "Missed care", "% of patient-days with missed care", Kind.SHARE, ORG, TEAM, PER_ORG,
       contract=True),
    _r("adverse_events_per_1000", "Adverse events", "per 1,000 patient-days, reported or not", Kind.RATE, ORG, TEAM, PER_ORG,
       contract=True, headline_unit=_PER_1000),
    _r("reported_incidents_per_1000", "Reported incidents", "per 1,000 patient-days", Kind.RATE, ORG,
       contract=True, headline_unit=_PER_1000),
    _r("psychological_safety", "Psychological safety", "team mean, 0–1 scale", Kind.LEVEL, ORG, TEAM, PER_ORG,
       contract=True),
    _r("leader_turnover", "Leader turnover", "% of leaders leaving a year", Kind.SHARE, ORG, contract=True),
    _r("agency_cost", "Bank and agency spend", "£ per month", Kind.MONEY, ORG, contract=True,
       headline_unit=" a month"),
    _r("headcount", "Headcount", "staff in post", Kind.COUNT, ORG, PER_ORG, contract=True),
    _r("hires", "Hires", "starters per month", Kind.COUNT, ORG),
    _r("leavers", "Leavers", "leavers per month", Kind.COUNT, ORG),
    _r("resignations", "Resignations", "resignations per month", Kind.COUNT, ORG),
    _r("retirements", "Retirements", "retirements per month", Kind.COUNT, ORG),
    _r("admissions", "Admissions", "admissions per month", Kind.COUNT, ORG),
    _r("discharges", "Discharges", "discharges per month", Kind.COUNT, ORG),
    _r("patients_in_beds", "Patients in beds", "mean patients in beds", Kind.COUNT, ORG),
    _r("patient_days", "Patient-days", "patient-days per month", Kind.COUNT, ORG, TEAM),
    _r("staff_in_post", "Staff in post", "mean staff in post a day", Kind.COUNT, TEAM),
    _r("adverse_events", "Adverse events (count)", "events per month", Kind.COUNT, ORG),
    _r("reported_incidents", "Reported incidents (count)", "reports per month", Kind.COUNT, ORG),
    _r("blamed_incidents", "Incidents met with blame", "incidents per month", Kind.COUNT, ORG),
    _r("learned_incidents", "Incidents turned into learning", "incidents per month", Kind.COUNT, ORG),
    _r("agency_cover_share", "Bank and agency cover", "% of gaps covered", Kind.SHARE, ORG),
    _r("mutual_aid_rn", "Mutual aid between teams", "RNs lent per day", Kind.COUNT, ORG),
    _r("exhaustion_mean", "Mean staff exhaustion", "0–1 scale", Kind.LEVEL, ORG),
    _r("engagement_mean", "Mean staff engagement", "0–1 scale", Kind.LEVEL, ORG),
    _r("bullying_prevalence", "Bullying prevalence", "% of staff bullied", Kind.SHARE, ORG),
    _r("learning", "Learning from incidents", "team learning stock, 0–1", Kind.LEVEL, ORG),
    _r("leader_exhaustion", "Leader exhaustion", "mean, 0–1 scale", Kind.LEVEL, ORG),
    _r("leader_compassion", "Leader compassion", "mean effective compassion, 0–1", Kind.LEVEL, ORG),
    _r("leader_vacancies", "Leader vacancies", "leader posts vacant", Kind.COUNT, ORG),
    _r("reputation", "Employer reputation", "0–1 scale (0.5 = neutral)", Kind.LEVEL, ORG, PER_ORG),
    _r("establishment", "Establishment", "funded posts", Kind.COUNT, ORG, PER_ORG),
    _r("demand_index", "Demand", "admissions per team per day", Kind.RATE, ORG),
    _r("intervention_cost", "Intervention cost", "£ per month", Kind.MONEY, ORG),
    _r("transfers", "Moves within the system", "movers hired per month", Kind.COUNT, ORG),
    _r("transfers_in", "Staff joining from elsewhere in the system", "starters per month", Kind.COUNT, PER_ORG),
    _r("transfers_out", "Staff leaving for elsewhere in the system", "leavers per month", Kind.COUNT, PER_ORG),
    _r("cross_organisation_aid_rn", "Mutual aid across organisations", "RNs lent per day", Kind.COUNT, ORG),
)

#: name -> record.
BY_NAME: dict[str, MetricRecord] = {r.name: r for r in RECORDS}
assert len(BY_NAME) == len(RECORDS), "a metric has two records"


def split_organisation_metric(name: str) -> tuple[str, int | None]:
    """``'vacancy_rate@org2'`` -> ``('vacancy_rate', 2)``; a system metric -> ``(name, None)``."""
    base, sep, org = name.partition("@org")
    return (base, int(org)) if sep and org.isdigit() else (name, None)


#: Per-team counts written as the denominators of the team rates (calibration estimators weight by them).
TEAM_DENOMINATORS: tuple[str, ...] = ("patient_days", "staff_in_post")


def names_at(level: Level, *, contract: bool | None = None) -> tuple[str, ...]:
    """The metrics that exist at ``level`` (optionally only contract or only non-contract), in record order."""
    return tuple(r.name for r in RECORDS
                 if level in r.levels and (contract is None or r.contract == contract))


def record(metric: str) -> MetricRecord | None:
    """The record of a metric, also of its per-organisation rows (``METRIC@orgK``); None if unknown."""
    return BY_NAME.get(split_organisation_metric(metric)[0])


class MetricSet(frozenset):
    """A set of metric names that also holds each metric's per-organisation rows
    (``METRIC@orgK``), so one membership test formats both alike."""

    def __contains__(self, metric: object) -> bool:
        if isinstance(metric, str):
            metric = split_organisation_metric(metric)[0]
        return frozenset.__contains__(self, metric)


#: The output contract's organisation-level metrics (docs/model.md, "Outputs"), in order.
CONTRACT_METRICS: tuple[str, ...] = tuple(r.name for r in RECORDS if r.contract)

#: Metrics that are shares (0–1) of something: axes and numbers show them as percent.
PERCENT_METRICS: frozenset[str] = MetricSet(r.name for r in RECORDS if r.percent)

#: Metrics in pounds sterling.
MONEY_METRICS: frozenset[str] = MetricSet(r.name for r in RECORDS if r.money)

#: metric -> (title, axis label with unit), in reading order.
METRIC_LABELS: dict[str, tuple[str, str]] = {r.name: (r.label, r.unit) for r in RECORDS}


def difference_name(metric: str, scenario: str, minus: str) -> str:
    """The output name of a preset difference (sensitivity analysis): ``metric[scenario-minus]``."""
    return f"{metric}[{scenario}-{minus}]"


def split_difference(name: str) -> tuple[str, str, str] | None:
    """``'burnout_prevalence[blame-compassionate]'`` -> ``('burnout_prevalence', 'blame', 'compassionate')``."""
    base, sep, rest = name.partition("[")
    if not sep or not rest.endswith("]") or "-" not in rest:
        return None
    scenario, _, minus = rest[:-1].partition("-")
    return base, scenario, minus


def metric_label(metric: str) -> tuple[str, str]:
    """Title and axis label of a metric; unknown metrics still get a readable title; a preset
    difference reads "Burnout prevalence: blame − compassionate"."""
    if (diff := split_difference(metric)) is not None:
        title, unit = metric_label(diff[0])
        return f"{title}: {diff[1]} \u2212 {diff[2]}", unit
    base, organisation = split_organisation_metric(metric)
    rec = BY_NAME.get(base)
    title, unit = (rec.label, rec.unit) if rec else (base.replace("_", " ").capitalize(), "value")
    return (f"{title}, organisation {organisation}" if organisation else title), unit


def metric_bounds(metric: str) -> tuple[float, float]:
    """The range a metric's values can take (:attr:`MetricRecord.bounds`); unknown metrics and
    preset differences are unbounded."""
    rec = record(metric) if split_difference(metric) is None else None
    return rec.bounds if rec else (float("-inf"), float("inf"))


def headline_unit(metric: str) -> str:
    """Words after a headline number (" a month"), or nothing where the number says it."""
    rec = record(metric)
    return rec.headline_unit if rec else ""
