"""Each ward's patients in beds: the patient flow of ``demand`` moved on in bulk, not as
SimPy events.

Nothing in the model reads the patients in beds, or the month's admissions and
discharges, except the daily review (at mid-day) and the month's close that follows it.
So instead of a SimPy process per ward and a timeout per stay, ``Beds.advance(t)`` runs
every ward's candidate arrivals, thinning and discharges before ``t`` in one compiled call
(``sim.kernels.advance_beds``), just before each daily review. The result is the same, bit
for bit, as the event-driven flow it replaces: each ward's gaps, acceptance uniforms and
stays come from its own generators in the same sequence (``streams.PatientDraws``); times
are the same float sums (arrival + gap / bound, arrival + stay); the rate is
``demand.PatientFlow.rate`` operation for operation, with the bound a gap was drawn under
and the flow in force at the arrival (the schedule changes it only at a daily review). An
arrival or discharge at exactly the review's time (probability zero for continuous times)
counts after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.kernels import DONE, advance_beds
from sim.streams import BLOCK

if TYPE_CHECKING:
    from sim.mechanisms.demand import PatientFlow
    from sim.model import Model


class Beds:
    """The patients in each ward's beds (their discharge times) and each ward's next
    candidate arrival; ``model.teams.patients`` is the count, updated in place."""

    def __init__(self, model: Model) -> None:
        """The patients already in beds at the start (each ward's flow: an elapsed share of
        a stay, from the acceptance and stays generators), and each ward's first candidate
        arrival, as the admission process drew them at the start."""
        self.model = model
        self.draws = model.rng.admissions_by_team
        T = model.n_teams
        self.buffers = np.stack([np.stack([d.draw(use) for use in range(3)]) for d in self.draws], axis=1)  # (use, team, k)
        self.position = np.zeros((T, 3), dtype=np.int64)            # next unread number of each use
        self.patients = model.teams.patients                        # the count per ward (the same array)
        self.discharge_at = np.full((T, 64), np.inf)                # per ward, the first patients[t] are in beds
        self.counts = np.zeros(2, dtype=np.int64)                   # (admissions, discharges) since the last advance
        self._flow: PatientFlow | None = None
        flow, now = model.flow, model.env.now
        for t in range(T):
            for _ in range(int(round(flow.beds[t] * flow.occupancy[t]))):     # the ward's beds x its occupancy
                elapsed = self._take(t, 1)
                self._place(t, now + elapsed * flow.length_of_stay(self._take(t, 2), t))
        self.pending_bound = np.array(flow.bounds, dtype=float)     # the bound each ward's next gap was drawn under
        self.next_arrival = np.array([now + self._take(t, 0) / self.pending_bound[t] for t in range(T)])

    def _take(self, team: int, use: int) -> float:
        if self.position[team, use] == BLOCK:
            self._refill(team)
        value = float(self.buffers[use, team, self.position[team, use]])
        self.position[team, use] += 1
        return value

    def _place(self, team: int, discharge: float) -> None:
        if self.patients[team] == self.discharge_at.shape[1]:
            self._grow()
        self.discharge_at[team, self.patients[team]] = discharge
        self.patients[team] += 1

    def _refill(self, team: int) -> None:
        """A new block for each of the ward's uses that has been read to its end."""
        for use in range(3):
            if self.position[team, use] == BLOCK:
                self.buffers[use, team] = self.draws[team].draw(use)
                self.position[team, use] = 0

    def _grow(self) -> None:
        T, cap = self.discharge_at.shape
        grown = np.full((T, 2 * cap), np.inf)
        grown[:, :cap] = self.discharge_at
        self.discharge_at = grown

    def _pack(self, flow: PatientFlow) -> None:
        """The flow's constants as the kernel reads them (once per flow: the model makes a
        new one whenever the schedule may have changed them)."""
        d, T = flow.p.demand, self.model.n_teams
        self._flow = flow
        self._bounds = np.array(flow.bounds, dtype=float)
        self._base = np.array(flow.bases, dtype=float)                          # each ward's base load
        self._shocked = np.array(flow.team_shocked, dtype=np.bool_)
        self._season = np.array([1.0, *flow.season] if flow.season is not None else [0.0, 0.0, 0.0], dtype=float)
        self._growth = float(flow.growth) if flow.growth is not None else 0.0       # a growth factor is > 0
        self._shock = np.array([d.shock_multiplier, d.shock_start_month, d.shock_start_month + d.shock_months],
                               dtype=float)
        self._los = np.array([[1.0, *flow.los[t]] if flow.los is not None else [0.0, flow.los_mean[t], 0.0]
                              for t in range(T)], dtype=float).reshape(T, 3)    # per ward: (lognormal?, mu or mean, sigma)

    def advance(self, until: float) -> None:
        """Every admission and discharge before ``until``, under the flow in force now;
        they count in the month's accounts."""
        model = self.model
        if model.flow is not self._flow:
            self._pack(model.flow)
        while True:
            team = advance_beds(float(until), self.next_arrival, self.pending_bound, self._bounds, self._base,
                                self._shocked, self._season, self._growth, self._shock, self._los,
                                self.buffers[0], self.buffers[1], self.buffers[2], self.position,
                                self.discharge_at, self.patients, self.counts)
            if team == DONE:
                break
            if self.patients[team] == self.discharge_at.shape[1]:
                self._grow()
            self._refill(team)
        if self.counts.any():
            model.month.admissions += int(self.counts[0])
            model.month.discharges += int(self.counts[1])
            self.counts[:] = 0
