"""Parameter uncertainty (sim/uncertainty.py): replication r runs with posterior draw r,
chosen from the seed alone, the same in every scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, load_config
from sim.uncertainty import draw_index, draw_indices, posterior, replication_config

BASE = ["organisation=small", "n_replications=6", "parameter_uncertainty=true"]


def test_off_by_default_and_the_config_itself() -> None:
    cfg = load_config(["organisation=small"])
    assert cfg.parameter_uncertainty is False
    assert replication_config(cfg, 3) is cfg


def test_each_replication_takes_the_parameters_of_its_draw() -> None:
    cfg = load_config(BASE)
    keys, values, _ = posterior(cfg)
    for r, i in enumerate(draw_indices(cfg)):
        rc = replication_config(cfg, r)
        for key, value in zip(keys, values[i], strict=True):
            section, _, name = key.partition(".")
            assert getattr(getattr(rc, section), name) == pytest.approx(value)
    assert cfg.exhaustion.recovery_rate == load_config(["organisation=small"]).exhaustion.recovery_rate  # untouched


def test_draws_depend_on_seed_and_replication_only() -> None:
    a = draw_indices(load_config(BASE))
    assert a == draw_indices(load_config([*BASE, "leadership=blame", "intervention=peer_support"]))  # every scenario
    assert a[:3] == draw_indices(load_config([*BASE, "n_replications=3"]))                            # prefix stable
    assert a != draw_indices(load_config([*BASE, "seed=7"]))


def test_draws_follow_the_weights() -> None:
    weights = np.array([0.0, 1.0, 0.0, 3.0])
    picks = [draw_index(1, r, weights) for r in range(400)]
    assert set(picks) <= {1, 3} and 0.65 < picks.count(3) / 400 < 0.85


def test_a_missing_or_bad_posterior_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="posterior="):
        posterior(load_config([*BASE, f"posterior={tmp_path / 'none.csv'}"]))
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"exhaustion.no_such": [1.0], "weight": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(ConfigError, match="no_such"):
        posterior(load_config([*BASE, f"posterior={bad}"]))


@pytest.mark.parametrize(("override", "named"), [
    ("question.answer=guess", "question.answer"),
    ("question.window=shock", "question.window=shock"),           # steady demand has no shock
    ("question.window=months", "question.months"),                # months missing
    ("question.metrics=[burnout]", "question.metrics[0]"),
])
def test_a_bad_question_names_its_key(override: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_config(["organisation=small", override])


def test_every_experiment_declares_its_question() -> None:
    for name, (answer, window) in {"leadership_2x2": ("factorial", "shock"), "culture_change": ("time_to_half", "steady"),
                                   "interventions": ("return_on_investment", "steady"), "ics": ("difference", "shock"),
                                   "demand_growth": ("difference", "steady"), "baseline": ("targets", "steady")}.items():
        cfg = load_config([f"experiment={name}"])
        assert (cfg.question.answer, cfg.question.window) == (answer, window), name
        assert cfg.parameter_uncertainty == (name != "baseline"), name   # the baseline is python -m sim itself
