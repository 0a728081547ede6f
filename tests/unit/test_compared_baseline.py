"""Which baseline a single run is compared with (sim.app.baseline_overrides)."""
from sim.app import baseline_overrides


def test_the_baseline_itself_is_not_doubled() -> None:
    assert baseline_overrides([]) is None
    assert baseline_overrides(["years=2", "n_replications=3"]) is None


def test_a_changed_culture_is_compared_with_the_baseline_of_the_same_size() -> None:
    assert baseline_overrides(["leadership=blame", "years=2"]) == ["years=2", "scenario=baseline"]


def test_a_trust_profile_is_its_own_baseline() -> None:
    assert baseline_overrides(["trust=example", "years=1"]) is None
    assert baseline_overrides(["trust=example", "leadership=blame"]) == ["trust=example", "scenario=baseline"]


def test_a_named_scenario_or_an_experiment_is_not_compared() -> None:
    assert baseline_overrides(["leadership=blame", "scenario=mine"]) is None
    assert baseline_overrides(["experiment=interventions"]) is None
