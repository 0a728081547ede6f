"""Named random streams: the only source of randomness in the model.

Common random numbers that survive divergence (issue 16; Klein, Abeysuriya, Stuart & Kerr
2024, as in starsim). Every stochastic *decision* (sickness onset, resignation, a recruitment
round, ...) has its own stream, a child of the replication's ``SeedSequence`` keyed by the
decision's name (so adding a decision changes no other). A stream is not read in sequence:
each draw jumps to a position fixed by ``(day, key)`` -- the day of the decision (negative
during the warm-up), or a count such as a post's hire number -- and reads the numbers there by *slot* (a post, a
ward, a bed, a leader post). So a person's numbers do not depend on how many others drew
before them, on the order of events, or on the size of the arrays: two scenarios that
diverge keep giving the same post the same numbers.

The patient flow keeps its per-team, per-use generators read in sequence (``PatientDraws``):
arrivals do not depend on the workforce, so they stay in step across scenarios anyway.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

#: Draws per block of a patient-flow generator (``PatientDraws.draw``).
BLOCK = 1024

#: Positions of a decision stream: day (or count) d and key k start at d x DAY_STRIDE +
#: k x KEY_STRIDE, so a key has 2**32 numbers and a day 2**32 keys (PCG64's period is 2**128).
KEY_STRIDE = 2**32
DAY_STRIDE = 2**64
#: PCG64's period: positions are taken modulo it, so a warm-up day d < 0 (``warmup_years``)
#: sits at 2**128 + d x DAY_STRIDE, distinct from every output day, and output day d >= 0
#: reads the same numbers whatever the warm-up's length.
PERIOD = 2**128

#: The decisions. Each name's stream is keyed by the name itself (crc32), not its position.
DECISIONS: tuple[str, ...] = (
    "initial_state",       # day 0: initial staff ages and tenures, initial leaders (by slot / team)
    "exhaustion_noise",    # day, by post slot: daily fluctuation of exhaustion (standard normal)
    "sickness",            # day, by post slot: who starts a sickness episode
    "sickness_duration",   # day, by post slot: short or long, and how long (one uniform)
    "leaving",             # day, by post slot: resignations and retirements
    "recruitment",         # attempt number of the post, by post slot: length, outcome, mover's answer
    "new_starters",        # holder number of the post, by post slot: attributes of the new holder
    "care_quality",        # day, by ward: missed care, then adverse events (binomial quantiles)
    "reporting",           # day, by ward: how many of the day's adverse events are reported
    "incident_response",   # day of the incident, by (report, ward): learning or blame, who is blamed
    "leaders",             # day, by leader post: departures
    "leader_appointments",  # appointment number of the post, by leader post: the new leader's styles
    "labour_market",       # day, by post slot: whether a resigner seeks a post elsewhere in the system
    "admissions",          # per ward, spawned into three generators read in sequence (PatientDraws)
)


def decision_seed(seed: int, replication: int, name: str) -> np.random.SeedSequence:
    """The seed of one decision's stream: a child of ``SeedSequence([seed, replication])``
    keyed by the crc32 of the decision's name."""
    return np.random.SeedSequence([seed, replication], spawn_key=(zlib.crc32(name.encode()),))


class DecisionStream:
    """One decision's random numbers, positioned by ``(day, key)`` and read by slot.

    ``at(day, key)`` returns the generator jumped to that position (PCG64 ``advance``: a few
    microseconds); ``uniforms(day, n)`` returns the day's first ``n`` uniforms (key 0), cached
    for the day. A longer read gives the same first numbers as a shorter one (numpy fills
    arrays in order), so arrays that grow -- more posts after an uplift, more patients --
    never change the numbers of the slots that were there before.
    """

    __slots__ = ("_bitgen", "_cache", "_cache_day", "_gen", "_origin")

    def __init__(self, seq: np.random.SeedSequence) -> None:
        self._bitgen = np.random.PCG64(seq)
        self._origin = self._bitgen.state
        self._gen = np.random.Generator(self._bitgen)
        self._cache_day: int | None = None       # None: nothing cached (days may be negative)
        self._cache = np.empty(0)

    def at(self, day: int, key: int = 0) -> np.random.Generator:
        """The stream's generator at position ``(day, key)`` (valid until the next call)."""
        self._bitgen.state = self._origin
        self._bitgen.advance((int(day) * DAY_STRIDE + int(key) * KEY_STRIDE) % PERIOD)
        return self._gen

    def uniforms(self, day: int, n: int) -> np.ndarray:
        """The first ``n`` uniforms of ``day`` (key 0): one per slot, read as ``u[slot]``."""
        if self._cache_day != day or len(self._cache) < n:
            self._cache = self.at(day).random(n)
            self._cache_day = day
        return self._cache[:n]

    def normals(self, day: int, n: int) -> np.ndarray:
        """The first ``n`` standard normals of ``day`` (key 0), one per slot."""
        return self.at(day).standard_normal(n)


@dataclass
class PatientDraws:
    """A team's patient-flow draws, one generator per use, so that the k-th admitted
    patient's length of stay is the same in every scenario whatever the thinning did.

    Read in sequence, a block at a time (``draw``): a numpy ``Generator`` fills an array by
    repeated scalar draws, so consecutive blocks hold the very numbers that one call per
    draw would give, whatever the block size. Each generator has this one consumer, so it
    may run up to a block ahead."""

    gaps: np.random.Generator        # standard exponential: gap to the next candidate arrival x the rate bound
    acceptance: np.random.Generator  # uniform: thinning; and the elapsed share of each initial patient's stay
    stays: np.random.Generator       # standard normal: log length of stay

    #: The uses, in the order ``draw`` numbers them.
    USES = ("gaps", "acceptance", "stays")

    @classmethod
    def spawn(cls, seq: np.random.SeedSequence) -> PatientDraws:
        gaps, acceptance, stays = (np.random.Generator(np.random.PCG64(s)) for s in seq.spawn(3))
        return cls(gaps, acceptance, stays)

    def draw(self, use: int, n: int = BLOCK) -> np.ndarray:
        """The next ``n`` numbers of use ``use`` (0 gaps, 1 acceptance, 2 stays)."""
        if use == 0:
            return self.gaps.standard_exponential(n)
        return self.acceptance.random(n) if use == 1 else self.stays.standard_normal(n)


class Streams:
    """The decision streams of one replication (``DECISIONS``), and each ward's patient-flow
    generators (``admissions_by_team``)."""

    def __init__(self, seed: int, replication: int, n_teams: int) -> None:
        self._streams = {n: DecisionStream(decision_seed(seed, replication, n)) for n in DECISIONS if n != "admissions"}
        admissions_seq = decision_seed(seed, replication, "admissions")
        self.admissions_by_team = [PatientDraws.spawn(s) for s in admissions_seq.spawn(n_teams)]

    def __getattr__(self, name: str) -> DecisionStream:
        try:
            return self.__dict__["_streams"][name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None
