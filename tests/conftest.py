"""Shared helpers: configs composed exactly as ``python -m sim`` composes them."""

from __future__ import annotations

import copy
import functools

import pandas as pd
import pytest

from sim.config import Config, load_config
from sim.model import Model

#: A tiny organisation with every stochastic mechanism off, for exact traces.
QUIET = [
    "organisation=small", "organisation.n_teams=1", "organisation.rn_posts_per_team=1",
    "organisation.hca_posts_per_team=0", "organisation.initial_vacancy_rate=0", "organisation.fte_full_share=1",
    "mechanisms.sickness=false", "mechanisms.leaving=false", "mechanisms.recruitment=false",
    "mechanisms.quality=false", "mechanisms.leader_turnover=false", "mechanisms.seasonality=false",
    "n_replications=1", "n_jobs=1", "progress=false", "outputs.summary_months=1",
    "warmup_years=0",    # traces pin exact event times from the very start of the simulation
]


@functools.cache
def _composed(overrides: tuple[str, ...]) -> Config:
    return load_config(list(overrides))


def composed(overrides: list[str] | tuple[str, ...]) -> Config:
    """``load_config(overrides)``, composed once per process and copied for each caller.

    Hydra's composition takes ten times as long as a trace's run; composing each override
    list once keeps the unit tier fast, and lets ``make mutation`` (whose mutants run in
    processes forked after every test has run once) skip it altogether."""
    return copy.deepcopy(_composed(tuple(overrides)))


def config(*overrides: str) -> Config:
    return composed(overrides)


def small(*overrides: str) -> Config:
    """The small organisation over a short horizon: fast but every mechanism on."""
    return composed(["organisation=small", "years=2", "n_replications=1", "n_jobs=1", "progress=false", *overrides])


def run_trace(*overrides: str, years: float = 0.25) -> Model:
    model = Model(composed([*QUIET, f"years={years}", *overrides]), 0, trace=True)
    model.run()
    return model


def events(model: Model, *names: str) -> list[tuple[float, str]]:
    assert model.trace is not None
    return [(t, e) for t, e, _ in model.trace if e in names]


def org_series(model: Model, metric: str) -> pd.Series:
    return pd.Series(model.recorder.org[metric])


@pytest.fixture(scope="session")
def small_default() -> Model:
    model = Model(small(), 0)
    model.run()
    return model
