"""Unit tier: the patient flow moved on in bulk (sim/beds.py) is the event-driven flow it
replaced -- one SimPy arrival process per ward, one timeout per stay -- kept here as the
reference: the same patients in beds at every daily review, the same admissions and
discharges."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import numpy as np
import pytest
import simpy

from sim.config import load_config
from sim.model import Model
from sim.streams import PatientDraws, Streams


def _sequence(draws: PatientDraws, use: int) -> Iterator[float]:
    while True:
        yield from draws.draw(use).tolist()


def reference_flow(model: Model, days: int) -> tuple[list[list[int]], int, int]:
    """Patients per ward at each review t = d + 0.5, and admissions and discharges before
    ``days``, by one SimPy process per ward and one timeout per stay (the code before issue
    15), on fresh generators of the same seeds."""
    cfg, flow, T = model.cfg, model.flow, model.n_teams
    env = simpy.Environment(initial_time=0)
    draws = Streams(cfg.seed, model.replication, T).admissions_by_team
    gaps, acceptance, stays = ([_sequence(d, use) for d in draws] for use in range(3))
    patients = np.zeros(T, dtype=np.int64)
    counts = [0, 0]

    def discharge(team: int, _event: simpy.Event) -> None:
        patients[team] -= 1
        counts[1] += 1

    def occupy(team: int, stay: float) -> None:
        patients[team] += 1
        env.timeout(stay).callbacks.append(lambda event, team=team: discharge(team, event))

    def admissions(team: int) -> Generator[simpy.Event, Any, None]:
        while True:
            bound = flow.bounds[team]
            yield env.timeout(next(gaps[team]) / bound)
            if next(acceptance[team]) * bound <= flow.rate(team, env.now):
                counts[0] += 1
                occupy(team, flow.length_of_stay(next(stays[team]), team))

    seen: list[list[int]] = []

    def reviews() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(0.5)
        while True:
            seen.append(patients.tolist())
            yield env.timeout(1)

    for team in range(T):
        n0 = int(round(flow.beds[team] * flow.occupancy[team]))       # each ward's beds x its occupancy
        for _ in range(n0):
            occupy(team, next(acceptance[team]) * flow.length_of_stay(next(stays[team]), team))
    for team in range(T):
        env.process(admissions(team))
    env.process(reviews())
    env.run(until=days)
    return seen, counts[0], counts[1]


@pytest.mark.parametrize("overrides", [
    [],
    ["demand=shock", "demand.shock_start_month=1", "demand.shock_multiplier=5", "organisation.beds_per_team=80"],
    ["demand=growing", "demand.los_cv=0"],
    ["trust=example", "demand=shock", "demand.shock_start_month=1"],     # wards of their own sizes and stays
])
def test_beds_give_the_event_driven_flows_patients_admissions_and_discharges(overrides: list[str]) -> None:
    days = 120
    model = Model(load_config(["organisation=small", "years=1", "warmup_years=0", *overrides]), 0)
    seen = []
    for d in range(days):
        model.beds.advance(d + 0.5)
        seen.append(model.teams.patients.tolist())
    model.beds.advance(days)
    admitted, discharged = model.month.admissions, model.month.discharges
    want_seen, want_admitted, want_discharged = reference_flow(model, days)
    assert seen == want_seen
    assert (admitted, discharged) == (want_admitted, want_discharged)
    assert max(max(row) for row in seen) > 0
