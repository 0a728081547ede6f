"""Target files: the shipped set loads; every kind of mistake is one line naming the entry and key."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from sim.calibration.targets import load_targets, parse_targets
from sim.config import ConfigError

GOOD: dict[str, Any] = {
    "name": "t",
    "description": "test",
    "entries": [{
        "name": "burnout", "label": "Burnt out", "low": 0.26, "high": 0.34, "value": None, "population": "nurses",
        "year": "2023", "source": "NHS Staff Survey 2023", "derived": False, "strength": "strong", "note": "",
        "measure": {"estimator": "mean", "metric": "burnout_prevalence", "scenario": "mixed", "window": "steady"},
    }],
}


def broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    node = data["entries"][0]
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


def test_shipped_england_targets_load_with_sources() -> None:
    targets = load_targets("england")
    assert len(targets.entries) >= 7
    assert all(t.source for t in targets.entries)
    assert "mixed" in targets.scenarios()


def test_unknown_target_set_is_one_line() -> None:
    with pytest.raises(ConfigError, match="targets=nowhere"):
        load_targets("nowhere")


def test_one_sided_range_and_distance() -> None:
    t = parse_targets(broken("high", None), "t").entries[0]
    assert math.isinf(t.high) and t.range_text() == ">= 0.26"
    assert t.distance(0.5) == 0.0
    assert t.distance(0.13) == pytest.approx(0.5)          # 0.13 below 0.26, in units of |0.26|
    two = parse_targets(GOOD, "t").entries[0]
    assert two.distance(0.30) == 0.0 and two.distance(0.38) == pytest.approx(0.5)   # 0.04 / 0.08
    assert two.distance(float("nan")) == 10.0


@pytest.mark.parametrize(("path", "value", "message"), [
    ("source", KeyError, r"entries\[0\] \(burnout\): key 'source' is missing"),
    ("strength", "solid", r"entries\[0\] \(burnout\): strength='solid'"),
    ("low", "high", r"entries\[0\] \(burnout\): low must be a number"),
    ("low", 0.5, r"entries\[0\] \(burnout\): low=0.5 is above high=0.34"),
    ("colour", "red", r"entries\[0\] \(burnout\): unknown key 'colour'"),
    ("measure.estimator", "median", r"measure.estimator='median' is not known"),
    ("measure.metric", "burnout", r"measure.metric='burnout' cannot be measured by mean"),
    ("measure.window", "last", r"measure.window='last' is not a window"),
    ("measure.minus", "blame", r"measure.minus is not a key of estimator mean"),
    ("measure.scenario", KeyError, r"measure.scenario is missing"),
])
def test_bad_entries_name_the_entry_and_key(path: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_targets(broken(path, value), "t")


def test_estimator_specific_checks() -> None:
    data = broken("measure", {"estimator": "team_percentile_ratio", "metric": "missed_care_rate", "scenario": "mixed",
                              "q_low": 0.9, "q_high": 0.1, "window": "steady"})
    with pytest.raises(ConfigError, match="q_low=0.9 and q_high=0.1"):
        parse_targets(data, "t")
    data = broken("measure", {"estimator": "individual_persistence", "scenario": "mixed", "lag_months": 0})
    with pytest.raises(ConfigError, match="lag_months=0"):
        parse_targets(data, "t")
    data = broken("measure", {"estimator": "dose_response_odds_ratio", "metric": "vacancy_rate", "scenario": "mixed",
                              "window": "steady"})
    with pytest.raises(ConfigError, match="allowed: burnout_prevalence, adverse_events_per_1000"):
        parse_targets(data, "t")


def test_duplicate_names_and_empty_sets_are_rejected() -> None:
    data = copy.deepcopy(GOOD)
    data["entries"].append(copy.deepcopy(data["entries"][0]))
    with pytest.raises(ConfigError, match="name 'burnout' is used twice"):
        parse_targets(data, "t")
    with pytest.raises(ConfigError, match="non-empty list"):
        parse_targets({"name": "t", "entries": []}, "t")
