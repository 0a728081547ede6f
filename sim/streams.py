"""Named random streams: the only source of randomness in the model.

Each replication gets its own ``SeedSequence([seed, replication])``; every process in
the model draws from its own named child stream, so replication r sees the same
random numbers in every scenario (common random numbers) and a change in one
mechanism does not shift the draws of another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

#: Draws per block of a buffered stream (see ``block_draws``).
BLOCK = 256

#: Order matters: a stream's seed is fixed by its position, so only append new names.
STREAM_NAMES: tuple[str, ...] = (
    "initial_state",      # staff, leaders and teams at the start
    "admissions",         # per team: arrival gaps, thinning, lengths of stay (spawned per team, then per use)
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


def block_draws(draw: Callable[[int], np.ndarray], block: int = BLOCK) -> Iterator[float]:
    """An endless iterator over ``draw(block)`` arrays, one float at a time.

    A numpy ``Generator`` fills an array by repeated scalar draws, so this yields the very
    numbers that one call per draw would, for a fraction of the per-call cost (it serves
    the patient flow, one draw per candidate arrival). Only for a generator with this
    one consumer: the generator runs up to a block ahead.
    """
    while True:
        yield from draw(block).tolist()


@dataclass
class PatientDraws:
    """A team's patient-flow draws, one generator per use, so that the k-th admitted
    patient's length of stay is the same in every scenario whatever the thinning did."""

    gaps: Iterator[float]        # standard exponential: gap to the next candidate arrival x the rate bound
    acceptance: Iterator[float]  # uniform: thinning; and the elapsed share of each initial patient's stay
    stays: Iterator[float]       # standard normal: log length of stay

    @classmethod
    def spawn(cls, seq: np.random.SeedSequence) -> PatientDraws:
        gaps, acceptance, stays = (np.random.Generator(np.random.PCG64(s)) for s in seq.spawn(3))
        return cls(block_draws(gaps.standard_exponential), block_draws(acceptance.random),
                   block_draws(stays.standard_normal))


class Streams:
    """Named ``numpy.random.Generator`` streams of one replication."""

    def __init__(self, seed: int, replication: int, n_teams: int) -> None:
        root = np.random.SeedSequence([seed, replication])
        children = root.spawn(len(STREAM_NAMES))
        self._gen = {n: np.random.Generator(np.random.PCG64(c)) for n, c in zip(STREAM_NAMES, children, strict=True)}
        admissions_seq = children[STREAM_NAMES.index("admissions")]
        self.admissions_by_team = [PatientDraws.spawn(s) for s in admissions_seq.spawn(n_teams)]

    def __getattr__(self, name: str) -> np.random.Generator:
        try:
            return self.__dict__["_gen"][name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None
