"""Named random streams: the only source of randomness in the model.

Each replication gets its own ``SeedSequence([seed, replication])``; every process in
the model draws from its own named child stream, so replication r sees the same
random numbers in every scenario (common random numbers) and a change in one
mechanism does not shift the draws of another.
"""

from __future__ import annotations

import numpy as np

#: Order matters: a stream's seed is fixed by its position, so only append new names.
STREAM_NAMES: tuple[str, ...] = (
    "initial_state",      # staff, leaders and teams at the start
    "admissions",         # per-team arrival and length-of-stay draws (spawned per team)
    "exhaustion_noise",   # daily fluctuation of exhaustion
    "sickness",           # who starts a sickness episode
    "sickness_duration",  # how long it lasts
    "leaving",            # resignations and retirements
    "recruitment",        # recruitment rounds
    "new_starters",       # attributes of new starters
    "care_quality",       # missed care and adverse events
    "reporting",          # whether an adverse event is reported
    "incident_response",  # learning or blame, and who is blamed
    "leaders",            # leader departures
    "leader_appointments",  # styles of replacement leaders
    "labour_market",      # which leavers seek a post elsewhere in the system, and whether they take one
)


class Streams:
    """Named ``numpy.random.Generator`` streams of one replication."""

    def __init__(self, seed: int, replication: int, n_teams: int) -> None:
        root = np.random.SeedSequence([seed, replication])
        children = root.spawn(len(STREAM_NAMES))
        self._gen = {n: np.random.Generator(np.random.PCG64(c)) for n, c in zip(STREAM_NAMES, children, strict=True)}
        admissions_seq = children[STREAM_NAMES.index("admissions")]
        self.admissions_by_team = [np.random.Generator(np.random.PCG64(s)) for s in admissions_seq.spawn(n_teams)]

    def __getattr__(self, name: str) -> np.random.Generator:
        try:
            return self.__dict__["_gen"][name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None
