"""Typed schema of every model parameter, and its validation.

Values live in ``conf/`` (each with its evidence comment); this module only says what
type and range each one may take. Hydra merges the YAML onto these dataclasses, so a
misspelt key or a wrong type is rejected at composition; :func:`validate` then checks
ranges and cross-field rules that types cannot express, and rejects keys added with
``+key=value`` that the model would silently ignore.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf

REPO_ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS_DIR = REPO_ROOT / "experiments"


#: The scenario name of the default configuration (conf/config.yaml, experiments/baseline.yaml).
DEFAULT_SCENARIO = "baseline"


class ConfigError(ValueError):
    """A configuration value the model cannot run with; the message names the key."""


def p(lo: float | None = None, hi: float | None = None, default: Any = MISSING) -> Any:
    """A schema field with an allowed closed range ``[lo, hi]`` (None = unbounded)."""
    return field(default=default, metadata={"lo": lo, "hi": hi})


def prob(default: Any = MISSING) -> Any:
    """A probability or share: must lie in [0, 1]."""
    return p(0.0, 1.0, default)


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


@dataclass
class LabourMarket:
    """One labour market shared by the organisations of an integrated care system."""

    move_share: float = prob()
    search_days: float = p(1.0, 3650.0)
    appoint_prob: float = prob()
    exhaustion_carryover: float = prob()
    aid_share: float = prob()


@dataclass
class Demand:
    name: str = MISSING
    occupancy: float = p(0.05, 2.0)
    los_mean_days: float = p(0.5, 100.0)
    los_cv: float = p(0.0, 5.0)
    seasonal_amplitude: float = p(0.0, 0.9)
    seasonal_peak_day: int = p(0, 364)
    growth_per_year: float = p(-0.5, 1.0)
    shock_start_month: int = p(0, None)
    shock_months: int = p(0, None)
    shock_multiplier: float = p(0.0, 10.0)
    shock_team_share: float = prob()


@dataclass
class Staffing:
    day_presence_per_wte: float = p(0.01, 1.0)
    safe_patients_per_rn: float = p(1.0, 30.0)
    agency_fill_share: float = prob()
    agency_cost_per_wte_day: float = p(0.0, None)
    agency_inexperience: float = prob()
    initial_age_min: float = p(16, 70)
    initial_age_max: float = p(16, 70)


@dataclass
class Exhaustion:
    burnout_threshold: float = prob()
    base_stress: float = p(0.0, None)
    workload_stress: float = p(0.0, None)
    bullying_stress: float = p(0.0, None)
    contagion_stress: float = p(0.0, None)
    blame_shock: float = prob()
    recovery_rate: float = p(0.0, 1.0)
    leader_support_recovery: float = p(0.0, None)
    peer_support_recovery: float = p(0.0, None)
    peer_support_share: float = prob()
    susceptibility_sd: float = p(0.0, 3.0)
    noise_sd: float = p(0.0, 1.0)
    initial_mean: float = prob()


@dataclass
class Sickness:
    episodes_per_year: float = p(0.0, 1e5)
    exhaustion_log_hazard: float = p(0.0, 20.0)
    long_term_share: float = prob()
    short_mean_days: float = p(1.0, 365.0)
    long_mean_days: float = p(1.0, 365.0)
    duration_cv: float = p(0.0, 5.0)


@dataclass
class Leaving:
    resignations_per_year: float = p(0.0, 1e5)
    exhaustion_coef: float = p(0.0, 20.0)
    psychological_safety_coef: float = p(0.0, 20.0)
    bullying_coef: float = p(0.0, 20.0)
    engagement_coef: float = p(0.0, 20.0)
    new_starter_multiplier: float = p(0.0, 10.0)
    new_starter_years: float = p(0.0, 10.0)
    pay_multiplier: float = p(0.0, 10.0)
    notice_days: int = p(0, 365)
    retirement_age: float = p(40, 80)
    retirements_per_year: float = p(0.0, 1.0)
    max_age: float = p(50, 90)


@dataclass
class Recruitment:
    attempt_days: float = p(1.0, 730.0)
    attempt_cv: float = p(0.0, 5.0)
    success_prob_rn: float = prob()
    success_prob_hca: float = prob()
    applicant_multiplier: float = p(0.0, 10.0)
    reputation_elasticity: float = p(0.0, 10.0)
    start_delay_days: float = p(0.0, 365.0)
    new_starter_experience: float = prob()
    experience_years: float = p(0.01, 30.0)
    new_starter_age_min: float = p(16, 70)
    new_starter_age_max: float = p(16, 70)


@dataclass
class Quality:
    adverse_events_per_1000: float = p(0.0, 1000.0)
    adverse_odds_per_patient: float = p(0.5, 3.0)
    reference_patients_per_rn: float = p(1.0, 30.0)
    adverse_exhaustion_coef: float = p(0.0, 20.0)
    adverse_inexperience_coef: float = p(0.0, 20.0)
    adverse_learning_coef: float = p(0.0, 20.0)
    missed_care_base: float = prob()
    missed_patients_coef: float = p(0.0, 20.0)
    missed_exhaustion_coef: float = p(0.0, 20.0)
    missed_inexperience_coef: float = p(0.0, 20.0)
    missed_hca_shortfall_coef: float = p(0.0, 20.0)
    missed_learning_coef: float = p(0.0, 20.0)


@dataclass
class Reporting:
    report_prob_min: float = prob()
    report_prob_max: float = prob()
    review_days: float = p(0.0, 365.0)
    learning_gain: float = prob()
    initial_learning: float = prob()
    learning_decay_years: float = p(0.01, 100.0)
    learning_share: float = prob()
    blame_staff_involved: int = p(0, 20)
    blame_psafe_drop: float = prob()
    blame_engagement_drop: float = prob()


@dataclass
class Culture:
    psafe_min: float = prob()
    psafe_max: float = prob()
    psafe_timescale_days: float = p(1.0, 3650.0)
    development_speedup: float = p(0.0, 20.0)
    bullying_per_year: float = prob()
    bullying_blame_coef: float = p(0.0, 20.0)
    bullying_exhaustion_coef: float = p(0.0, 20.0)
    bullying_psafe_erosion: float = p(0.0, 1.0)
    engagement_base: float = prob()
    engagement_psafe_coef: float = p(0.0, 5.0)
    engagement_exhaustion_coef: float = p(0.0, 5.0)
    engagement_timescale_days: float = p(1.0, 3650.0)


@dataclass
class Leadership:
    name: str = MISSING
    compassion_mean: float = prob()
    compassion_concentration: float = p(0.1, 1000.0)
    compassion_shift: float = p(-1.0, 1.0)
    development_share: float = prob()
    exhaustion_compassion_loss: float = prob()


@dataclass
class Collaboration:
    name: str = MISSING
    collaboration_mean: float = prob()
    collaboration_concentration: float = p(0.1, 1000.0)
    collaboration_shift: float = p(-1.0, 1.0)
    crisis_patients_per_rn: float = p(1.0, 50.0)
    donor_limit_patients_per_rn: float = p(1.0, 50.0)
    max_lend_share: float = prob()


@dataclass
class LeaderWellbeing:
    base_stress: float = p(0.0, None)
    team_problem_stress: float = p(0.0, None)
    isolation_stress: float = p(0.0, None)
    recovery_rate: float = p(0.0, 1.0)
    peer_support: float = prob()
    peer_support_recovery: float = p(0.0, None)
    departures_per_year: float = p(0.0, 1e5)
    exhaustion_coef: float = p(0.0, 20.0)
    vacancy_days: float = p(0.0, 730.0)
    induction_days: float = p(0.0, 730.0)
    interim_compassion: float = prob()


@dataclass
class Reputation:
    initial: float = prob()
    timescale_months: float = p(0.1, 240.0)
    turnover_coef: float = p(0.0, 50.0)
    care_coef: float = p(0.0, 50.0)
    culture_coef: float = p(0.0, 50.0)
    reference_leaver_rate: float = prob()
    reference_missed_care: float = prob()
    reference_psafe: float = prob()


@dataclass
class Mechanisms:
    """One switch per mechanism of shared/MODEL.md; off means no effect at all."""

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
class Intervention:
    """A programme switched on from ``start_month``, costed per staff post per year."""

    enabled: bool = False
    start_month: int = p(0, None, default=0)
    cost_per_staff_year: float = p(0.0, None, default=0.0)


@dataclass
class LeadershipDevelopment(Intervention):
    compassion_shift: float = p(-1.0, 1.0, default=MISSING)


@dataclass
class PeerSupport(Intervention):
    share_attending: float = prob()


@dataclass
class LeaderWellbeingSupport(Intervention):
    peer_support: float = prob()


@dataclass
class StaffingUplift(Intervention):
    establishment_multiplier: float = p(0.1, 5.0)


@dataclass
class PayAndTerms(Intervention):
    pay_multiplier: float = p(0.0, 10.0)
    applicant_multiplier: float = p(0.0, 10.0)


@dataclass
class CollaborationProgramme(Intervention):
    collaboration_shift: float = p(-1.0, 1.0)


@dataclass
class EmergingLeaders(Intervention):
    development_share: float = prob()


@dataclass
class Interventions:
    """MODEL.md mechanism 12; each becomes scheduled parameter changes from its start."""

    leadership_development: LeadershipDevelopment = field(default_factory=LeadershipDevelopment)
    peer_support: PeerSupport = field(default_factory=PeerSupport)
    leader_wellbeing_support: LeaderWellbeingSupport = field(default_factory=LeaderWellbeingSupport)
    staffing_uplift: StaffingUplift = field(default_factory=StaffingUplift)
    pay_and_terms: PayAndTerms = field(default_factory=PayAndTerms)
    collaboration_programme: CollaborationProgramme = field(default_factory=CollaborationProgramme)
    emerging_leaders: EmergingLeaders = field(default_factory=EmergingLeaders)


#: What each intervention changes: its field -> the live model parameter it sets.
INTERVENTION_EFFECTS: dict[str, dict[str, str]] = {
    "leadership_development": {"compassion_shift": "leadership.compassion_shift"},
    "peer_support": {"share_attending": "exhaustion.peer_support_share"},
    "leader_wellbeing_support": {"peer_support": "leader_wellbeing.peer_support"},
    "staffing_uplift": {"establishment_multiplier": "organisation.establishment_multiplier"},
    "pay_and_terms": {"pay_multiplier": "leaving.pay_multiplier", "applicant_multiplier": "recruitment.applicant_multiplier"},
    "collaboration_programme": {"collaboration_shift": "collaboration.collaboration_shift"},
    "emerging_leaders": {"development_share": "leadership.development_share"},
}


@dataclass
class SensitivityParameter:
    """One uncertain parameter and the range it is explored over."""

    key: str = MISSING
    low: float = MISSING
    high: float = MISSING


@dataclass
class Sensitivity:
    """Global sensitivity analysis (``analysis: sensitivity``): Morris screening of every
    parameter, then Sobol indices for the ``sobol_top`` most influential."""

    parameters: list[SensitivityParameter] = field(default_factory=list)
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


@dataclass
class Config:
    scenario: str = "baseline"
    description: str = ""
    reference_scenario: str | None = None
    seed: int = p(0, 2**63 - 1)
    n_replications: int = p(1, 100_000)
    years: float = p(1 / 12, 100.0)
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
        sub_type = section_type(names[key])
        value = node[key]
        if sub_type is not None and isinstance(value, DictConfig):
            _check_keys(value, sub_type, f"{prefix}{key}.")


def section_type(f: dataclasses.Field) -> type | None:
    """The dataclass a schema field holds (a config section), or None for a plain value."""
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        made = f.default_factory()  # type: ignore[misc]
        if dataclasses.is_dataclass(made):
            return type(made)
    return None


def _check_ranges(obj: Any, prefix: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _check_ranges(value, key + ".")
            continue
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            lo_s = "-inf" if lo is None else f"{lo:g}"
            hi_s = "inf" if hi is None else f"{hi:g}"
            raise ConfigError(f"{key}={value!r} is out of range; allowed: [{lo_s}, {hi_s}]")


def _check_rules(cfg: Config) -> None:
    horizon_months = int(round(cfg.years * 12))
    rules = [
        (cfg.staffing.initial_age_min <= cfg.staffing.initial_age_max,
         "staffing.initial_age_min must not exceed staffing.initial_age_max"),
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
    if cfg.analysis not in ("scenario", "sensitivity"):
        raise ConfigError(f"analysis='{cfg.analysis}' is not known; allowed: scenario, sensitivity")
    for i, sp in enumerate(cfg.sensitivity.parameters):
        where = f"sensitivity.parameters[{i}]"
        check_parameter_key(cfg, sp.key, where)
        if not sp.low < sp.high:
            raise ConfigError(f"{where}: low={sp.low} must be below high={sp.high}")
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
        lo, hi = fld.metadata.get("lo"), fld.metadata.get("hi")
        if (lo is not None and change.value < lo) or (hi is not None and change.value > hi):
            raise ConfigError(
                f"{where}.value={change.value!r} is out of range for {change.key}; "
                f"allowed: [{lo}, {hi}]"
            )


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
    _check_ranges(obj, "")
    _check_rules(obj)
    return obj


def scheduled_changes(cfg: Config) -> list[ScheduledChange]:
    """The config's own schedule plus the changes of every enabled intervention."""
    changes = list(cfg.schedule)
    for name, effects in INTERVENTION_EFFECTS.items():
        iv = getattr(cfg.intervention, name)
        if iv.enabled:
            changes += [ScheduledChange(month=iv.start_month, key=key, value=float(getattr(iv, f)))
                        for f, key in effects.items()]
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


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the config as ``python -m sim`` would, for tools and tests."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(REPO_ROOT / "conf"), version_base="1.3"):
        return hydra_compose("config", overrides=list(overrides or []))


def load_config(overrides: list[str] | None = None) -> Config:
    """Composed and validated typed config."""
    return to_config(compose(overrides))
