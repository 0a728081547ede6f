"""Unit tier: every validation rule of sim/config.py refuses what it should, with the
message it should, and accepts the edge of what is allowed.

The config is composed once (as ``python -m sim organisation=small years=2`` composes
it) and each test changes a copy, so this file runs in a few seconds.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from typing import Any

import pytest
from omegaconf import DictConfig, OmegaConf

from sim.config import (
    DEFAULT_UPPER_BOUND,
    SCHEDULABLE_SECTIONS,
    Config,
    ConfigError,
    Exhaustion,
    ScheduledChange,
    SensitivityParameter,
    compose,
    flatten,
    scheduled_changes,
    to_config,
    validate,
)

SECTIONS = ", ".join(SCHEDULABLE_SECTIONS)


@functools.cache
def _base() -> DictConfig:
    return compose(["organisation=small", "years=2"])


def cfg_with(**changes: Any) -> DictConfig:
    """The composed config with dotted keys (``__`` for ``.``) set, as an untyped copy (so
    that an unknown key reaches :func:`to_config`, as one added with ``+key=value`` does)."""
    plain = OmegaConf.to_container(_base(), resolve=False)
    assert isinstance(plain, dict)
    for key, value in changes.items():
        *path, name = key.split("__")
        node = plain
        for part in path:
            node = node[part]
        node[name] = copy.deepcopy(value)
    return OmegaConf.create(plain)


@functools.cache
def _typed() -> Config:
    return to_config(_base())


def typed_with(**changes: Any) -> Config:
    """A copy of the validated typed config with dotted keys (``__`` for ``.``) set, list
    entries as their schema's dataclasses (what :func:`to_config` builds before it validates)."""
    cfg = copy.deepcopy(_typed())
    for key, value in changes.items():
        *path, name = key.split("__")
        node: Any = cfg
        for part in path:
            node = getattr(node, part)
        if name == "schedule":
            value = [ScheduledChange(**d) for d in value]
        elif name == "parameters":
            value = [SensitivityParameter(**d) for d in value]
        assert hasattr(node, name), key
        setattr(node, name, value)
    return cfg


def ok(**changes: Any) -> Config:
    cfg = typed_with(**changes)
    validate(cfg)
    return cfg


def refused(message: str, **changes: Any) -> None:
    """The change is refused with exactly this one-line message."""
    with pytest.raises(ConfigError) as err:
        validate(typed_with(**changes))
    assert str(err.value) == message


def refused_at_composition(message: str, **changes: Any) -> None:
    with pytest.raises(ConfigError) as err:
        to_config(cfg_with(**changes))
    assert str(err.value) == message


def test_the_composed_config_is_valid() -> None:
    cfg = ok()
    assert (cfg.years, cfg.organisation.name) == (2, "small")


# ----------------------------------------------------------------- unknown and missing keys


def test_unknown_keys_are_refused_at_every_level() -> None:
    top = ", ".join(sorted(f.name for f in dataclasses.fields(Config)))
    refused_at_composition(f"unknown key 'colour'; allowed here: {top}", colour="blue")
    nested = ", ".join(sorted(f.name for f in dataclasses.fields(Exhaustion)))
    refused_at_composition(f"unknown key 'exhaustion.recovery_rat'; allowed here: {nested}", exhaustion__recovery_rat=0.1)
    refused_at_composition("unknown key 'schedule[0].colour'; allowed here: key, month, value",
            schedule=[{"month": 1, "key": "leaving.pay_multiplier", "value": 0.5, "colour": "red"}])
    refused_at_composition("unknown key 'sensitivity.parameters[1].lo'; allowed here: high, key, low",
            sensitivity__parameters=[{"key": "exhaustion.base_stress", "low": 0.01, "high": 0.02},
                                     {"key": "exhaustion.base_stress", "lo": 0.01}])


def test_hydra_node_is_not_an_unknown_key() -> None:
    with_hydra = compose(["organisation=small", "years=2"], with_hydra=True)
    assert "hydra" in with_hydra
    assert to_config(with_hydra).years == 2


def test_missing_value_is_refused() -> None:
    refused_at_composition("missing value for 'seed'; set it in conf/ or on the command line", seed="???")


def test_composition_validates_ranges_and_rules() -> None:
    refused_at_composition("n_replications=0 is out of range; allowed: [1, 100000]", n_replications=0)
    refused_at_composition("analysis='sobol' is not known; allowed: scenario, sensitivity", analysis="sobol")


# ----------------------------------------------------------------- ranges of numbers


@pytest.mark.parametrize(("key", "low", "high", "step"), [
    ("n_replications", 1, 100_000, 1), ("organisation.rn_posts_per_team", 1, 500, 1),
    ("reporting.learning_gain", 0.0, 1.0, 1e-9), ("organisation.fte_part", 0.1, 1.0, 1e-9),
    ("leadership.compassion_shift", -1.0, 1.0, 1e-9), ("demand.seasonal_peak_day", 0, 364, 1),
    ("seed", 0, 2**63 - 1, 1),
])
def test_a_bounded_field_accepts_its_bounds_and_refuses_beyond(key: str, low: float, high: float, step: float) -> None:
    name = key.replace(".", "__")
    ok(**{name: low})
    ok(**{name: high})
    for bad in (low - step, high + step):
        refused(f"{key}={bad!r} is out of range; allowed: [{low:g}, {high:g}]", **{name: bad})


def test_a_field_without_an_upper_bound_gets_its_named_one() -> None:
    ok(exhaustion__base_stress=1.0)
    refused("exhaustion.base_stress=1.5 is out of range; allowed: [0, 1]", exhaustion__base_stress=1.5)
    ok(leader_wellbeing__team_problem_stress=1.0)
    refused("leader_wellbeing.team_problem_stress=1.01 is out of range; allowed: [0, 1]",
            leader_wellbeing__team_problem_stress=1.01)
    refused("staffing.agency_cost_per_wte_day=100001.0 is out of range; allowed: [0, 100000]",
            staffing__agency_cost_per_wte_day=100001.0)


def test_a_field_without_a_named_upper_bound_gets_the_default() -> None:
    assert DEFAULT_UPPER_BOUND == 1e6
    ok(outputs__individuals_snapshot_months=1_000_000)
    refused("outputs.individuals_snapshot_months=1000001 is out of range; allowed: [1, 1e+06]",
            outputs__individuals_snapshot_months=1_000_001)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(value: float) -> None:
    refused(f"exhaustion.base_stress={value!r} is not a finite number; allowed: a finite number in [0, 1]",
            exhaustion__base_stress=value)


def test_non_finite_numbers_in_lists_are_refused_by_their_own_path() -> None:
    refused("organisation.compassion_offsets[0]=nan is not a finite number; allowed: a finite number",
            organisation__compassion_offsets=[float("nan")])
    refused("sensitivity.parameters[0].high=inf is not a finite number; allowed: a finite number",
            sensitivity__parameters=[{"key": "exhaustion.base_stress", "low": 0.01, "high": float("inf")}])
    refused("schedule[0].month=-1 is out of range; allowed: [0, 1200]",
            schedule=[{"month": -1, "key": "leaving.pay_multiplier", "value": 0.5}])


# ----------------------------------------------------------------- names and horizon


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden", "-x", "+x", "a b", "x" * 121])
def test_unsafe_scenario_names_are_refused(name: str) -> None:
    refused(f"scenario={name!r} is not a safe scenario name; allowed: 1-120 characters of letters, digits and "
            "_ . + & = - (not starting with . + & = or -)", scenario=name)
    with pytest.raises(ConfigError, match="^reference_scenario="):
        validate(typed_with(reference_scenario=name))


def test_safe_scenario_names_are_accepted() -> None:
    assert ok(scenario="x" * 120, reference_scenario="a.b+c&d=e-f_1").reference_scenario == "a.b+c&d=e-f_1"
    assert ok(scenario="_x").scenario == "_x"


def test_years_must_be_whole_months() -> None:
    refused("years=0.3 is not a whole number of months; allowed: a multiple of 1/12 (e.g. 0.25, 0.5, 1.5)",
            years=0.3, outputs__summary_months=1)
    assert ok(years=0.25, outputs__summary_months=3).years == 0.25
    assert ok(years=1 / 12, outputs__summary_months=1).years == pytest.approx(1 / 12)


def test_summary_window_within_the_horizon() -> None:
    ok(outputs__summary_months=24)
    refused("outputs.summary_months=25 exceeds the horizon (24 months from years=2)", outputs__summary_months=25)
    refused("outputs.summary_months=4 exceeds the horizon (3 months from years=0.25)", years=0.25,
            outputs__summary_months=4)


@pytest.mark.parametrize(("low", "high"), [
    ("recruitment.new_starter_age_min", "recruitment.new_starter_age_max"),
    ("reporting.report_prob_min", "reporting.report_prob_max"),
    ("culture.psafe_min", "culture.psafe_max"),
    ("leaving.retirement_age", "leaving.max_age"),
    ("collaboration.donor_limit_patients_per_rn", "collaboration.crisis_patients_per_rn"),
])
def test_pairs_that_must_be_ordered(low: str, high: str) -> None:
    lo, hi = low.replace(".", "__"), high.replace(".", "__")
    ok(**{lo: 50, hi: 50} if "age" in low else {lo: 0.5, hi: 0.5} if "prob" in low or "psafe" in low else {lo: 9, hi: 9})
    values = {lo: 60, hi: 55} if "age" in low else {lo: 0.6, hi: 0.5} if "prob" in low or "psafe" in low else {lo: 9.5, hi: 9}
    refused(f"{low} must not exceed {high}", **values)


def test_compassion_offsets_one_per_organisation_within_plus_minus_one() -> None:
    ok(organisation__n_organisations=2, organisation__compassion_offsets=[-1.0, 1.0])
    ok(organisation__n_organisations=2, organisation__compassion_offsets=[])
    refused("organisation.compassion_offsets has 1 values; allowed: [] or one per organisation "
            "(2, organisation.n_organisations)", organisation__n_organisations=2, organisation__compassion_offsets=[0.1])
    refused("organisation.compassion_offsets[1]=1.01 is out of range; allowed: [-1, 1]",
            organisation__n_organisations=2, organisation__compassion_offsets=[0.0, 1.01])
    refused("organisation.compassion_offsets[0]=-1.01 is out of range; allowed: [-1, 1]",
            organisation__n_organisations=2, organisation__compassion_offsets=[-1.01, 0.0])


def test_analysis_must_be_known() -> None:
    assert ok(analysis="sensitivity").analysis == "sensitivity"
    refused("analysis='sobol' is not known; allowed: scenario, sensitivity", analysis="sobol")


def test_demand_shock_must_start_within_the_horizon() -> None:
    shock = {"demand__shock_months": 3, "demand__shock_multiplier": 2.0}
    ok(**shock, demand__shock_start_month=23)
    refused("demand.shock_start_month=24 is after the horizon, so the shock would never happen; allowed: 0 to 23 "
            "(years=2), or demand=steady", **shock, demand__shock_start_month=24)
    ok(demand__shock_months=3, demand__shock_multiplier=1.0, demand__shock_start_month=24)   # no shock at all
    ok(demand__shock_months=0, demand__shock_multiplier=2.0, demand__shock_start_month=24)


@pytest.mark.parametrize("name", ["leadership_development", "peer_support", "leader_wellbeing_support", "staffing_uplift",
                                  "pay_and_terms", "collaboration_programme", "emerging_leaders"])
def test_an_enabled_intervention_must_start_within_the_horizon(name: str) -> None:
    ok(**{f"intervention__{name}__enabled": True, f"intervention__{name}__start_month": 23})
    ok(**{f"intervention__{name}__enabled": False, f"intervention__{name}__start_month": 24})
    refused(f"intervention.{name}.start_month=24 is after the horizon; allowed: 0 to 23 (years=2)",
            **{f"intervention__{name}__enabled": True, f"intervention__{name}__start_month": 24})


# ----------------------------------------------------------------- schedule and parameter keys


def change(month: int = 1, key: str = "leaving.pay_multiplier", value: float = 0.5) -> list[dict[str, Any]]:
    return [{"month": 0, "key": "leaving.pay_multiplier", "value": 1.0}, {"month": month, "key": key, "value": value}]


def test_schedule_month_within_the_horizon() -> None:
    ok(schedule=change(month=23))
    refused("schedule[1].month=24 is after the horizon; allowed: 0 to 23 (years=2)", schedule=change(month=24))


@pytest.mark.parametrize(("key", "message"), [
    ("nosuch.x", f"schedule[1].key='nosuch.x' cannot be scheduled; allowed: '<section>.<parameter>' with section one of "
                 f"{SECTIONS}"),
    ("demand", f"schedule[1].key='demand' cannot be scheduled; allowed: '<section>.<parameter>' with section one of "
               f"{SECTIONS}"),
    ("outputs.summary_months", f"schedule[1].key='outputs.summary_months' cannot be scheduled; allowed: "
                               f"'<section>.<parameter>' with section one of {SECTIONS}"),
    ("organisation.n_teams", "schedule[1].key='organisation.n_teams' cannot be scheduled; of organisation only "
                             "establishment_multiplier can change during a run"),
    ("demand.nonsense", "schedule[1].key='demand.nonsense' is not a parameter of 'demand'"),
    ("leadership.name", "schedule[1].key='leadership.name' is not a parameter of 'leadership'"),
])
def test_schedule_key_must_be_a_live_parameter(key: str, message: str) -> None:
    refused(message, schedule=change(key=key))


def test_schedulable_keys_are_accepted() -> None:
    cfg = ok(schedule=change(key="organisation.establishment_multiplier", value=1.2)
             + [{"month": 2, "key": "mechanisms.bullying", "value": 0}])
    assert [(c.month, c.key) for c in cfg.schedule][1:] == [(1, "organisation.establishment_multiplier"),
                                                            (2, "mechanisms.bullying")]


def test_schedule_value_within_the_parameters_range() -> None:
    ok(schedule=change(key="reporting.report_prob_max", value=1.0))
    ok(schedule=change(key="reporting.report_prob_max", value=0.0))
    refused("schedule[1].value=1.5 is out of range for reporting.report_prob_max; allowed: [0, 1]",
            schedule=change(key="reporting.report_prob_max", value=1.5))
    refused("schedule[1].value=-0.1 is out of range for reporting.report_prob_max; allowed: [0, 1]",
            schedule=change(key="reporting.report_prob_max", value=-0.1))
    # a field with no upper bound of its own is held to its named one
    refused("schedule[1].value=2.0 is out of range for exhaustion.base_stress; allowed: [0, 1]",
            schedule=change(key="exhaustion.base_stress", value=2.0))


# ----------------------------------------------------------------- sensitivity section


def sens(**changes: Any) -> dict[str, Any]:
    return {"analysis": "sensitivity", **{f"sensitivity__{k}": v for k, v in changes.items()}}


def test_sensitivity_choices_must_be_known() -> None:
    refused("sensitivity.parameters_from='file' is not known; allowed: list, calibration", **sens(parameters_from="file"))
    refused("sensitivity.ranges='wide' is not known; allowed: given, posterior", **sens(ranges="wide"))


def test_sensitivity_from_calibration_needs_posterior_ranges_and_no_list() -> None:
    ok(**sens(parameters_from="calibration", ranges="posterior"))
    refused("sensitivity.parameters must be [] when sensitivity.parameters_from=calibration (the parameters are those "
            "of conf/calibration/calibration.yaml)",
            **sens(parameters_from="calibration", ranges="posterior", parameters=[{"key": "exhaustion.base_stress"}]))
    refused("sensitivity.parameters_from=calibration needs sensitivity.ranges=posterior (the calibrated parameters "
            "have no given ranges here)", **sens(parameters_from="calibration", ranges="given"))


def test_sensitivity_parameter_ranges() -> None:
    good = {"key": "exhaustion.base_stress", "low": 0.01, "high": 0.02}
    ok(**sens(parameters=[good]))
    ok(**sens(ranges="posterior", parameters=[{"key": "exhaustion.base_stress"}]))
    refused("sensitivity.parameters[0]: low/high are taken from the posterior when sensitivity.ranges=posterior; give "
            "only the key, or set sensitivity.ranges=given", **sens(ranges="posterior", parameters=[good]))
    refused("sensitivity.parameters[0]: low/high are taken from the posterior when sensitivity.ranges=posterior; give "
            "only the key, or set sensitivity.ranges=given",
            **sens(ranges="posterior", parameters=[{"key": "exhaustion.base_stress", "high": 0.02}]))
    for missing in ("low", "high"):
        refused("sensitivity.parameters[0]: low and high are required when sensitivity.ranges=given",
                **sens(parameters=[{k: v for k, v in good.items() if k != missing}]))
    refused("sensitivity.parameters[0]: low=0.02 must be below high=0.02",
            **sens(parameters=[{**good, "low": 0.02}]))
    refused("sensitivity.parameters[0].key='organisation.n_teams' cannot be scheduled; of organisation only "
            "establishment_multiplier can change during a run",
            **sens(parameters=[{**good, "key": "organisation.n_teams"}]))


# ----------------------------------------------------------------- scheduled changes and flattening


def test_scheduled_changes_add_each_enabled_interventions_steps_after_the_schedule() -> None:
    cfg = ok(schedule=[{"month": 3, "key": "leaving.pay_multiplier", "value": 0.9}],
             intervention__pay_and_terms__enabled=True, intervention__pay_and_terms__start_month=5,
             intervention__leadership_development__enabled=True, intervention__leadership_development__start_month=2,
             intervention__leadership_development__rollout_months=2,
             intervention__leadership_development__compassion_shift=0.3)
    steps = [(c.month, c.key, c.value) for c in scheduled_changes(cfg)]
    assert steps == [(3, "leaving.pay_multiplier", 0.9),
                     (2, "leadership.compassion_shift", pytest.approx(0.15)), (3, "leadership.compassion_shift", 0.3),
                     (5, "leaving.pay_multiplier", 0.85), (5, "recruitment.applicant_multiplier", 1.15)]
    assert all(isinstance(c, ScheduledChange) for c in scheduled_changes(cfg))
    assert scheduled_changes(ok()) == []


def test_flatten_gives_dotted_keys() -> None:
    assert flatten({"a": {"b": 1, "c": {"d": "x"}}, "e": [1, 2]}) == {"a.b": 1, "a.c.d": "x", "e": [1, 2]}
    assert flatten(OmegaConf.create([{"k": 1}, 2]), "s.") == {"s.0.k": 1, "s.1": 2}
    assert flatten(OmegaConf.create({"a": {"b": 1}}))["a.b"] == 1


def test_schema_fields_carry_their_ranges() -> None:
    from omegaconf import MISSING

    from sim.schema import p, prob

    f = p(0.5, 2.0, 1.0)
    assert (f.metadata["lo"], f.metadata["hi"], f.default) == (0.5, 2.0, 1.0)
    f = p()
    assert (f.metadata["lo"], f.metadata["hi"], f.default) == (None, None, MISSING)
    f = prob(0.3)
    assert (f.metadata["lo"], f.metadata["hi"], f.default) == (0.0, 1.0, 0.3)
    assert prob().default == MISSING
    exhaustion = {f.name: f for f in dataclasses.fields(Exhaustion)}
    assert exhaustion["burnout_threshold"].metadata == {"lo": 0.0, "hi": 1.0}
    assert exhaustion["base_stress"].metadata == {"lo": 0.0, "hi": None}


def test_experiments_are_registered_and_configs_convert_to_plain_dicts() -> None:
    from sim.config import as_dict, load_config

    cfg = load_config(["experiment=ics"])
    assert cfg.organisation.n_organisations > 1                  # the experiment's own organisation
    plain = as_dict(ok())
    assert plain["organisation"]["name"] == "small" and plain["years"] == 2 and isinstance(plain["schedule"], list)
