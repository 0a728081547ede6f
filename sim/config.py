"""Typed schema of every model parameter, and its validation.

Values live in ``conf/`` (each with its evidence comment); this module only says what
type and range each one may take. The section of each mechanism (``demand``, ``leaving``,
...) is declared beside its code in ``sim/mechanisms/`` and re-exported here, so every
schema name stays importable from ``sim.config``. Hydra merges the YAML onto these dataclasses, so a
misspelt key or a wrong type is rejected at composition; :func:`validate` then checks
ranges and cross-field rules that types cannot express, and rejects keys added with
``+key=value`` that the model would silently ignore.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf

from sim.mechanisms.culture import Culture  # noqa: F401
from sim.mechanisms.demand import Demand  # noqa: F401
from sim.mechanisms.exhaustion import Exhaustion  # noqa: F401
from sim.mechanisms.interventions import (  # noqa: F401
    INTERVENTION_EFFECTS,
    CollaborationProgramme,
    EmergingLeaders,
    Intervention,
    Interventions,
    LeadershipDevelopment,
    LeaderWellbeingSupport,
    PayAndTerms,
    PeerSupport,
    StaffingUplift,
)
from sim.mechanisms.labour_market import LabourMarket  # noqa: F401
from sim.mechanisms.leaders import Leadership, LeaderWellbeing  # noqa: F401
from sim.mechanisms.leaving import Leaving  # noqa: F401
from sim.mechanisms.quality import Quality  # noqa: F401
from sim.mechanisms.recruitment import Recruitment  # noqa: F401
from sim.mechanisms.reporting import Reporting  # noqa: F401
from sim.mechanisms.reputation import Reputation  # noqa: F401
from sim.mechanisms.sickness import Sickness  # noqa: F401
from sim.mechanisms.staffing import Collaboration, Staffing  # noqa: F401
from sim.schema import p, prob  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS_DIR = REPO_ROOT / "experiments"


#: The scenario name of the default configuration (conf/config.yaml, experiments/baseline.yaml).
DEFAULT_SCENARIO = "baseline"


class ConfigError(ValueError):
    """A configuration value the model cannot run with; the message names the key."""


@dataclass
class Ward:
    """One ward of its own size (``organisation.wards``; a trust profile writes them): beds,
    funded posts and, optionally, its own occupancy, length of stay and starting vacancies."""

    name: str = MISSING
    type: str = "general"                      # specialty or type (medical, surgical, ...): labels only
    organisation: int = p(0, 49, default=0)    # index of its organisation (wards listed organisation by organisation)
    beds: int = p(1, 200)
    occupancy: float | None = p(0.05, 2.0, default=None)       # null: demand.occupancy
    los_mean_days: float | None = p(0.5, 100.0, default=None)  # null: demand.los_mean_days
    rn_posts: int = p(1, 500)
    hca_posts: int = p(0, 500)
    rn_vacancies: int | None = p(0, 500, default=None)         # vacant at start; null: initial_vacancy_rate
    hca_vacancies: int | None = p(0, 500, default=None)


@dataclass
class Organisation:
    name: str = MISSING
    n_organisations: int = p(1, 50)
    n_teams: int = p(1, 500)
    beds_per_team: int = p(1, 200)
    rn_posts_per_team: int = p(1, 500)
    hca_posts_per_team: int = p(0, 500)
    fte_full_share: float = prob()
    fte_part: float = p(0.1, 1.0)
    initial_vacancy_rate: float = prob()
    establishment_multiplier: float = p(0.1, 5.0)
    compassion_offsets: list[float] = field(default_factory=list)
    wards: list[Ward] = field(default_factory=list)   # [] = n_teams equal wards per organisation; else these wards


@dataclass
class Mechanisms:
    """One switch per mechanism of the reference design (docs/model.md); off means no effect at all."""

    seasonality: bool = True
    demand_growth: bool = True
    sickness: bool = True
    leaving: bool = True
    retirement: bool = True
    recruitment: bool = True
    agency_cover: bool = True
    exhaustion: bool = True
    contagion: bool = True
    peer_support: bool = True
    quality: bool = True
    blame: bool = True
    learning: bool = True
    culture_drift: bool = True
    bullying: bool = True
    leader_wellbeing: bool = True
    leader_turnover: bool = True
    mutual_aid: bool = True
    shared_learning: bool = True
    reputation: bool = True
    labour_market: bool = True
    cross_organisation_aid: bool = True


@dataclass
class ScheduledChange:
    """A parameter set to a new value from the start of ``month`` (intervention hook)."""

    month: int = p(0, None)
    key: str = MISSING
    value: float = MISSING


@dataclass
class SensitivityParameter:
    """One uncertain parameter and the range it is explored over."""

    key: str = MISSING
    low: float | None = None   # given ranges: required; posterior ranges: taken from the posterior instead
    high: float | None = None


@dataclass
class SensitivityDifference:
    """An output that is a difference between two leadership presets at the same sample point
    (same seed and replications: common random numbers), e.g. burnout blame minus compassionate."""

    metric: str = MISSING
    scenario: str = MISSING
    minus: str = MISSING


@dataclass
class Sensitivity:
    """Global sensitivity analysis (``analysis: sensitivity``): Morris screening of every
    parameter, then Sobol indices for the ``sobol_top`` most influential."""

    parameters: list[SensitivityParameter] = field(default_factory=list)
    parameters_from: str = "list"
    ranges: str = "given"
    posterior: str = "conf/calibration/posterior_england.csv"
    differences: list[SensitivityDifference] = field(default_factory=list)
    metrics: list[str] = field(default_factory=lambda: ["burnout_prevalence", "leaver_rate", "vacancy_rate",
                                                        "adverse_events_per_1000"])
    morris_trajectories: int = p(2, 1000, default=10)
    morris_levels: int = p(2, 20, default=4)
    sobol_top: int = p(0, 50, default=4)
    sobol_n: int = p(2, 4096, default=32)
    replications_per_point: int = p(1, 100, default=1)


@dataclass
class Outputs:
    team_metrics: bool = True
    summary_months: int = p(1, None)
    individuals: bool = False
    individuals_snapshot_months: int = p(1, None, default=12)


#: How a question is answered (``question.answer``): the paired difference of each scenario from
#: the reference (a single run: its levels, or against the baseline it changes); the main
#: effects and interaction of a 2x2 design; months to half of an intervention's effect; the
#: model beside the NHS targets (conf/targets/england.yaml); return on investment of costed
#: interventions.
ANSWER_KINDS = ("difference", "factorial", "time_to_half", "targets", "return_on_investment")
#: The window a question needs (``question.window``): the steady state (the last
#: ``outputs.summary_months``), the demand shock's months, or ``question.months``.
WINDOWS = ("steady", "shock", "months")


@dataclass
class Question:
    """The question a run answers: the report opens with its answer, computed over the window
    the question needs, for the metrics that answer it (docs/model.md, "The answer first")."""

    text: str = ""                  # empty: the run's description
    answer: str = "difference"      # one of ANSWER_KINDS
    window: str = "steady"          # one of WINDOWS
    months: list[int] = field(default_factory=list)   # window=months: [first month, end month) of the outputs
    metrics: list[str] = field(default_factory=lambda: ["burnout_prevalence", "vacancy_rate", "leaver_rate",
                                                        "adverse_events_per_1000"])


@dataclass
class Config:
    scenario: str = "baseline"
    description: str = ""
    trust: Any = None              # a trust profile (group conf/trust/, sim/trust.py): its content once selected
    trust_file: str | None = None  # trust=PATH on the command line: a profile file outside conf/trust/
    trust_posterior: bool = True   # a trust's runs use its fitted posterior's point (false: a trust fit's own runs)
    reference_scenario: str | None = None
    seed: int = p(0, 2**63 - 1)
    n_replications: int = p(1, 100_000)
    years: float = p(1 / 12, 100.0)
    warmup_years: int = p(0, 50, default=0)
    n_jobs: int = p(0, 1024)
    progress: bool = True
    resume: bool = False
    organisation: Organisation = field(default_factory=Organisation)
    demand: Demand = field(default_factory=Demand)
    staffing: Staffing = field(default_factory=Staffing)
    exhaustion: Exhaustion = field(default_factory=Exhaustion)
    sickness: Sickness = field(default_factory=Sickness)
    leaving: Leaving = field(default_factory=Leaving)
    recruitment: Recruitment = field(default_factory=Recruitment)
    quality: Quality = field(default_factory=Quality)
    reporting: Reporting = field(default_factory=Reporting)
    culture: Culture = field(default_factory=Culture)
    leadership: Leadership = field(default_factory=Leadership)
    collaboration: Collaboration = field(default_factory=Collaboration)
    leader_wellbeing: LeaderWellbeing = field(default_factory=LeaderWellbeing)
    reputation: Reputation = field(default_factory=Reputation)
    labour_market: LabourMarket = field(default_factory=LabourMarket)
    mechanisms: Mechanisms = field(default_factory=Mechanisms)
    schedule: list[ScheduledChange] = field(default_factory=list)
    intervention: Interventions = field(default_factory=Interventions)
    analysis: str = "scenario"
    sensitivity: Sensitivity = field(default_factory=Sensitivity)
    outputs: Outputs = field(default_factory=Outputs)
    question: Question = field(default_factory=Question)
    parameter_uncertainty: bool = False
    posterior: str = "conf/calibration/posterior_england.csv"
    compare_with_baseline: bool = True


#: Sections whose values the model reads live, so a scheduled change takes effect
#: (of ``organisation``, only ``establishment_multiplier``: the daily process opens or
#: stops refilling posts to match it).
SCHEDULABLE_SECTIONS = (
    "organisation", "demand", "staffing", "exhaustion", "sickness", "leaving", "recruitment", "quality",
    "reporting", "culture", "leadership", "collaboration", "leader_wellbeing",
    "reputation", "labour_market", "mechanisms",
)


def register_configs() -> None:
    """Register the schema and the experiment library with Hydra's ConfigStore.

    Experiments live in the top-level ``experiments/`` folder (one YAML each, the
    ``# @package _global_`` style); registering them as the ``experiment`` group keeps
    ``experiment=NAME`` working without a symlink, on any operating system.
    """
    cs = ConfigStore.instance()
    cs.store(name="schema", node=Config)
    for path in sorted(EXPERIMENTS_DIR.glob("*.yaml")):
        node = OmegaConf.load(path)
        cs.store(group="experiment", name=path.stem, node=node, package="_global_")


# --------------------------------------------------------------------------- validation


def _check_keys(node: Any, schema: type, prefix: str) -> None:
    """Reject keys that the schema does not know (e.g. added with ``+key=value``)."""
    names = {f.name: f for f in dataclasses.fields(schema)}
    for key in node:
        if key == "hydra":
            continue
        if key not in names:
            allowed = ", ".join(sorted(names))
            raise ConfigError(f"unknown key '{prefix}{key}'; allowed here: {allowed}")
        if OmegaConf.is_missing(node, key):
            continue    # reading it would raise; to_config names it, and where to set it
        sub_type = section_type(names[key])
        value = node[key]
        if sub_type is not None and isinstance(value, DictConfig):
            _check_keys(value, sub_type, f"{prefix}{key}.")
        item_type = list_item_type(names[key], schema)
        if item_type is not None and isinstance(value, ListConfig):
            for i, item in enumerate(value):
                if isinstance(item, DictConfig):
                    _check_keys(item, item_type, f"{prefix}{key}[{i}].")


def list_item_type(f: dataclasses.Field, owner: type) -> type | None:
    """The dataclass of a list field's entries (``schedule``, ``sensitivity.parameters``), or
    None; the annotation is resolved in ``owner``'s own module, wherever the schema lives."""
    try:
        hint = typing.get_type_hints(owner)[f.name]
    except (NameError, KeyError, TypeError):
        return None
    args = typing.get_args(hint)
    if typing.get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def section_type(f: dataclasses.Field) -> type | None:
    """The dataclass a schema field holds (a config section), or None for a plain value."""
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        made = f.default_factory()  # type: ignore[misc]
        if dataclasses.is_dataclass(made):
            return type(made)
    return None


#: Upper bounds for the schema's fields that have none (``p(lo, None)``), by field name:
#: a value above them is a typo or an overflow, never a scenario (e.g. ``base_stress=1e308``
#: overflowed the model). Stress rates are daily rises on the 0-1 exhaustion scale (above 1
#: a single day saturates it); recovery multipliers above 100 would make recovery instant;
#: months are capped at the longest horizon (100 years); costs at £1m per post per year.
UPPER_BOUNDS: dict[str, float] = {
    "base_stress": 1.0, "bullying_stress": 1.0, "contagion_stress": 1.0,
    "team_problem_stress": 1.0, "isolation_stress": 1.0,
    "leader_support_recovery": 100.0, "peer_support_recovery": 100.0,
    "shock_start_month": 1200, "shock_months": 1200, "start_month": 1200, "month": 1200, "summary_months": 1200,
    "agency_cost_per_wte_day": 1e5, "cost_per_staff_year": 1e6,
}
#: Any other unbounded field (none today; new fields default to it).
DEFAULT_UPPER_BOUND = 1e6


def _bounds(f: dataclasses.Field) -> tuple[float | None, float | None]:
    """The allowed closed range of a schema field (its own, or :data:`UPPER_BOUNDS` above)."""
    lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
    if lo is not None and hi is None:
        hi = UPPER_BOUNDS.get(f.name, DEFAULT_UPPER_BOUND)
    return lo, hi


def _check_number(key: str, value: Any, lo: float | None = None, hi: float | None = None) -> None:
    """One number: finite (NaN and inf pass every comparison test, so they are refused
    first) and inside ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if not math.isfinite(value):
        raise ConfigError(f"{key}={value!r} is not a finite number; allowed: a finite number"
                          + (f" in [{_fmt(lo)}, {_fmt(hi)}]" if lo is not None or hi is not None else ""))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{key}={value!r} is out of range; allowed: [{_fmt(lo)}, {_fmt(hi)}]")


def _fmt(bound: float | None) -> str:
    return "-inf" if bound is None else f"{bound:g}"


def _check_ranges(obj: Any, prefix: str) -> None:
    """Every number of the config, including list entries (schedule, compassion offsets,
    sensitivity parameters), finite and in range, each named by its own path."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _check_ranges(value, key + ".")
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    _check_ranges(item, f"{key}[{i}].")
                else:
                    _check_number(f"{key}[{i}]", item)
        else:
            lo, hi = _bounds(f)
            _check_number(key, value, lo, hi)


#: Scenario names become folder names and report labels: a safe character set, no path.
SCENARIO_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+&=-]{0,119}")


def check_scenario_name(name: object, key: str = "scenario") -> None:
    """Refuse a scenario name that is empty, a path, or has characters a folder name must not."""
    if not isinstance(name, str) or not SCENARIO_NAME.fullmatch(name):
        raise ConfigError(f"{key}={name!r} is not a safe scenario name; allowed: 1-120 characters of letters, "
                          "digits and _ . + & = - (not starting with . + & = or -)")


def _check_sensitivity_rules(cfg: Config) -> None:
    """The sensitivity section's choices and each listed parameter's key and range (posterior
    ranges are read from the posterior file when the analysis runs, not here)."""
    sens = cfg.sensitivity
    if sens.parameters_from not in ("list", "calibration"):
        raise ConfigError(f"sensitivity.parameters_from={sens.parameters_from!r} is not known; allowed: list, calibration")
    if sens.ranges not in ("given", "posterior"):
        raise ConfigError(f"sensitivity.ranges={sens.ranges!r} is not known; allowed: given, posterior")
    if sens.parameters_from == "calibration" and sens.parameters:
        raise ConfigError("sensitivity.parameters must be [] when sensitivity.parameters_from=calibration "
                          "(the parameters are those of conf/calibration/calibration.yaml)")
    if sens.parameters_from == "calibration" and sens.ranges != "posterior":
        raise ConfigError("sensitivity.parameters_from=calibration needs sensitivity.ranges=posterior "
                          "(the calibrated parameters have no given ranges here)")
    for i, sp in enumerate(sens.parameters):
        where = f"sensitivity.parameters[{i}]"
        check_parameter_key(cfg, sp.key, where)
        if sens.ranges == "posterior":
            if sp.low is not None or sp.high is not None:
                raise ConfigError(f"{where}: low/high are taken from the posterior when sensitivity.ranges=posterior; "
                                  "give only the key, or set sensitivity.ranges=given")
        elif sp.low is None or sp.high is None:
            raise ConfigError(f"{where}: low and high are required when sensitivity.ranges=given")
        elif not sp.low < sp.high:
            raise ConfigError(f"{where}: low={sp.low} must be below high={sp.high}")


def _check_question(cfg: Config, horizon_months: int) -> None:
    """The question's answer kind, window and metrics (names of the output contract's records)."""
    from sim.metric_records import BY_NAME  # noqa: PLC0415 - metric records import nothing from here

    q = cfg.question
    if q.answer not in ANSWER_KINDS:
        raise ConfigError(f"question.answer={q.answer!r} is not known; allowed: {', '.join(ANSWER_KINDS)}")
    if q.window not in WINDOWS:
        raise ConfigError(f"question.window={q.window!r} is not known; allowed: {', '.join(WINDOWS)}")
    if q.window == "months":
        if len(q.months) != 2 or not 0 <= q.months[0] < q.months[1] <= horizon_months:
            raise ConfigError(f"question.months={list(q.months)} is not a window; allowed: [first, end] with "
                              f"0 <= first < end <= {horizon_months} (years={cfg.years:g}) when question.window=months")
    elif q.months:
        raise ConfigError(f"question.months={list(q.months)} is set but question.window={q.window}; allowed: [] "
                          "(or question.window=months)")
    if q.window == "shock" and (cfg.demand.shock_months <= 0 or cfg.demand.shock_multiplier == 1.0):
        raise ConfigError("question.window=shock but the demand has no shock; allowed: demand=shock, or "
                          "question.window=steady|months")
    if not q.metrics:
        raise ConfigError("question.metrics is empty; allowed: one or more metric names (sim/metric_records.py)")
    for i, m in enumerate(q.metrics):
        if m not in BY_NAME:
            raise ConfigError(f"question.metrics[{i}]={m!r} is not a metric; allowed: {', '.join(BY_NAME)}")


def _check_rules(cfg: Config) -> None:
    check_scenario_name(cfg.scenario)
    if cfg.reference_scenario is not None:
        check_scenario_name(cfg.reference_scenario, "reference_scenario")
    if abs(cfg.years * 12 - round(cfg.years * 12)) > 1e-6:
        # a fraction of a month would leave a stub month, a few days long, in the summary window
        raise ConfigError(f"years={cfg.years!r} is not a whole number of months; allowed: a multiple of 1/12 "
                          "(e.g. 0.25, 0.5, 1.5)")
    horizon_months = int(round(cfg.years * 12))
    rules = [
        (cfg.recruitment.new_starter_age_min <= cfg.recruitment.new_starter_age_max,
         "recruitment.new_starter_age_min must not exceed recruitment.new_starter_age_max"),
        (cfg.reporting.report_prob_min <= cfg.reporting.report_prob_max,
         "reporting.report_prob_min must not exceed reporting.report_prob_max"),
        (cfg.culture.psafe_min <= cfg.culture.psafe_max,
         "culture.psafe_min must not exceed culture.psafe_max"),
        (cfg.leaving.retirement_age <= cfg.leaving.max_age,
         "leaving.retirement_age must not exceed leaving.max_age"),
        (cfg.collaboration.donor_limit_patients_per_rn <= cfg.collaboration.crisis_patients_per_rn,
         "collaboration.donor_limit_patients_per_rn must not exceed collaboration.crisis_patients_per_rn"),
        (cfg.outputs.summary_months <= horizon_months,
         f"outputs.summary_months={cfg.outputs.summary_months} exceeds the horizon "
         f"({horizon_months} months from years={cfg.years:g})"),
    ]
    for ok, message in rules:
        if not ok:
            raise ConfigError(message)
    offsets, k = cfg.organisation.compassion_offsets, cfg.organisation.n_organisations
    if offsets and len(offsets) != k:
        raise ConfigError(f"organisation.compassion_offsets has {len(offsets)} values; allowed: [] or one per "
                          f"organisation ({k}, organisation.n_organisations)")
    for i, value in enumerate(offsets):
        if not -1.0 <= value <= 1.0:
            raise ConfigError(f"organisation.compassion_offsets[{i}]={value!r} is out of range; allowed: [-1, 1]")
    _check_wards(cfg.organisation)
    if cfg.analysis not in ("scenario", "sensitivity"):
        raise ConfigError(f"analysis='{cfg.analysis}' is not known; allowed: scenario, sensitivity")
    _check_sensitivity_rules(cfg)
    _check_question(cfg, horizon_months)
    d = cfg.demand
    if d.shock_months > 0 and d.shock_multiplier != 1.0 and d.shock_start_month >= horizon_months:
        raise ConfigError(f"demand.shock_start_month={d.shock_start_month} is after the horizon, so the shock would "
                          f"never happen; allowed: 0 to {horizon_months - 1} (years={cfg.years:g}), or demand=steady")
    for name in INTERVENTION_EFFECTS:
        iv = getattr(cfg.intervention, name)
        if iv.enabled and iv.start_month >= horizon_months:
            raise ConfigError(f"intervention.{name}.start_month={iv.start_month} is after the horizon; allowed: 0 to "
                              f"{horizon_months - 1} (years={cfg.years:g})")
    for i, change in enumerate(cfg.schedule):
        where = f"schedule[{i}]"
        if change.month >= horizon_months:
            raise ConfigError(
                f"{where}.month={change.month} is after the horizon; allowed: 0 to "
                f"{horizon_months - 1} (years={cfg.years:g})"
            )
        check_parameter_key(cfg, change.key, where)
        section, _, name = change.key.partition(".")
        target = getattr(cfg, section)
        fld = next(f for f in dataclasses.fields(target) if f.name == name)
        lo, hi = _bounds(fld)
        if (lo is not None and change.value < lo) or (hi is not None and change.value > hi):
            raise ConfigError(
                f"{where}.value={change.value!r} is out of range for {change.key}; "
                f"allowed: [{_fmt(lo)}, {_fmt(hi)}]"
            )


def _check_wards(org: Organisation) -> None:
    """Wards of their own sizes: listed organisation by organisation, every organisation
    with at least one ward, no more starting vacancies than funded posts."""
    if not org.wards:
        return
    k = org.n_organisations
    previous = 0
    for i, w in enumerate(org.wards):
        where = f"organisation.wards[{i}] ({w.name})"
        if w.organisation >= k:
            raise ConfigError(f"{where}.organisation={w.organisation} is out of range; allowed: 0 to {k - 1} "
                              f"(organisation.n_organisations={k})")
        if w.organisation < previous:
            raise ConfigError(f"{where}.organisation={w.organisation} comes after organisation {previous}; allowed: "
                              "wards listed organisation by organisation")
        previous = w.organisation
        for role in ("rn", "hca"):
            vacant, posts = getattr(w, f"{role}_vacancies"), getattr(w, f"{role}_posts")
            if vacant is not None and vacant > posts:
                raise ConfigError(f"{where}.{role}_vacancies={vacant} is above its {role}_posts={posts}; "
                                  f"allowed: 0 to {posts}")
    missing = sorted(set(range(k)) - {w.organisation for w in org.wards})
    if missing:
        raise ConfigError(f"organisation {missing[0]} has no ward in organisation.wards; allowed: every organisation "
                          f"0 to {k - 1} has at least one ward")


def check_parameter_key(cfg: Config, key: str, where: str) -> None:
    """A dotted key naming a numeric model parameter that can change during a run."""
    section, _, name = key.partition(".")
    if section not in SCHEDULABLE_SECTIONS or not name:
        raise ConfigError(
            f"{where}.key='{key}' cannot be scheduled; allowed: "
            f"'<section>.<parameter>' with section one of {', '.join(SCHEDULABLE_SECTIONS)}"
        )
    if section == "organisation" and name != "establishment_multiplier":
        raise ConfigError(f"{where}.key='{key}' cannot be scheduled; of organisation only "
                          "establishment_multiplier can change during a run")
    target = getattr(cfg, section)
    if name not in {f.name for f in dataclasses.fields(target)} or name == "name":
        raise ConfigError(f"{where}.key='{key}' is not a parameter of '{section}'")
    if isinstance(getattr(target, name), str):
        raise ConfigError(f"{where}.key='{key}' is not numeric")


def to_config(cfg: DictConfig | dict) -> Config:
    """Validate a composed config and return it as a typed :class:`Config` object."""
    if isinstance(cfg, dict):
        cfg = OmegaConf.merge(OmegaConf.structured(Config), OmegaConf.create(cfg))
    _check_keys(cfg, Config, "")
    plain = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    missing = sorted(OmegaConf.missing_keys(plain))
    if missing:
        raise ConfigError(f"missing value for '{missing[0]}'; set it in conf/ or on the command line")
    obj = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), plain))
    assert isinstance(obj, Config)
    if obj.trust is not None or obj.trust_file is not None:
        apply_trust(obj)
    validate(obj)
    return obj


def validate(cfg: Config) -> None:
    """The checks that types cannot express: every number finite and in its range, and the
    rules between fields (:class:`ConfigError` naming the key)."""
    _check_ranges(cfg, "")
    _check_rules(cfg)


def apply_trust(cfg: Config) -> None:
    """Model the trust of ``cfg.trust``: its wards, starting vacancies, leadership culture,
    agency cost and (if fitted) its posterior point replace the configured ones (sim/trust.py).
    The profile is read again each time, so it must be valid: one line naming the file if not."""
    from sim import trust  # noqa: PLC0415 - sim.trust imports this module

    if cfg.trust_file is not None:
        profile = trust.load(trust.resolve(cfg.trust_file))
    elif isinstance(cfg.trust, dict):
        profile = trust.from_mapping(cfg.trust)
    else:
        raise ConfigError(f"trust={cfg.trust!r} is not a profile; allowed: trust=NAME (conf/trust/NAME.yaml: "
                          f"{', '.join(trust.available())}) or trust=PATH to a .yaml or .xlsx profile")
    trust.apply_profile(cfg, profile, use_posterior=cfg.trust_posterior)
    cfg.trust = profile.as_dict()
    if cfg.trust_posterior and profile.posterior_path().exists():
        cfg.trust["_posterior"] = profile.posterior_path().name


def rewrite_trust_overrides(overrides: list[str]) -> list[str]:
    """``trust=PATH`` (a file, not a name in conf/trust/) becomes ``+trust_file=PATH``: Hydra
    knows ``trust`` as the group of conf/trust/ and would look for PATH there."""
    out = []
    for o in overrides:
        key, sep, value = o.partition("=")
        v = value.strip().strip("'\"")
        if sep and key == "trust" and ("/" in v or v.endswith((".yaml", ".yml", ".xlsx"))):
            out.append(f"trust_file={v}")
        else:
            out.append(o)
    return out


def scheduled_changes(cfg: Config) -> list[ScheduledChange]:
    """The config's own schedule plus the changes of every enabled intervention.

    Leadership development trains leaders in cohorts: its shift rises in equal monthly
    steps over ``rollout_months`` from ``start_month`` (one step when 1); a step after the
    horizon never applies."""
    changes = list(cfg.schedule)
    for name, effects in INTERVENTION_EFFECTS.items():
        iv = getattr(cfg.intervention, name)
        if not iv.enabled:
            continue
        steps = getattr(iv, "rollout_months", 1)
        for f, key in effects.items():
            value = float(getattr(iv, f))
            changes += [ScheduledChange(month=iv.start_month + k, key=key, value=value * (k + 1) / steps)
                        for k in range(steps)]
    return changes


def as_dict(cfg: Config) -> dict[str, Any]:
    """Plain nested dict of a typed config (for writing and hashing)."""
    return dataclasses.asdict(cfg)


def flatten(d: dict[str, Any] | DictConfig | ListConfig, prefix: str = "") -> dict[str, Any]:
    """Dotted-key view of a nested config, used in reports and comparisons."""
    out: dict[str, Any] = {}
    items = d.items() if not isinstance(d, ListConfig | list) else enumerate(d)
    for k, v in items:
        key = f"{prefix}{k}"
        if isinstance(v, dict | DictConfig):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def compose(overrides: list[str] | None = None, with_hydra: bool = False) -> DictConfig:
    """Compose the config as ``python -m sim`` would, for tools and tests (``with_hydra``:
    keep the ``hydra`` node, e.g. to read a sweep's mode and parameters)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(REPO_ROOT / "conf"), version_base="1.3"):
        return hydra_compose("config", overrides=rewrite_trust_overrides(list(overrides or [])),
                             return_hydra_config=with_hydra)


def load_config(overrides: list[str] | None = None) -> Config:
    """Composed and validated typed config."""
    return to_config(compose(overrides))
