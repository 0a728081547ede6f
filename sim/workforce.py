"""Per-staff state as numpy arrays (one slot per person in post), updated vectorised; and
beside it the state of teams, leaders and organisations.

A slot is taken on hiring and freed on leaving; ``generation`` counts how often a
slot has been reused so that a pending life-cycle process (a sickness episode, a
notice period) never acts on the next occupant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

RN, HCA = 0, 1   # roles: registered nurse, healthcare assistant


class Workforce:
    """Every staff slot's state, one array per attribute."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.active = np.zeros(capacity, dtype=bool)       # in post
        self.sick = np.zeros(capacity, dtype=bool)         # off sick today
        self.resigned = np.zeros(capacity, dtype=bool)     # serving notice
        self.team = np.zeros(capacity, dtype=np.int64)
        self.role = np.zeros(capacity, dtype=np.int64)
        self.fte = np.zeros(capacity)
        self.age = np.zeros(capacity)                      # years
        self.tenure = np.zeros(capacity)                   # years in post
        self.experience0 = np.zeros(capacity)              # experience on joining, 0-1
        self.exhaustion = np.zeros(capacity)
        self.engagement = np.zeros(capacity)
        self.susceptibility = np.ones(capacity)            # individual stress multiplier
        self.peer_u = np.ones(capacity)                    # attends peer support if < share
        self.development_u = np.ones(capacity)             # has leadership development if < share
        self.generation = np.zeros(capacity, dtype=np.int64)
        self._free = list(range(capacity - 1, -1, -1))     # pop() gives the lowest slot

    def take_slot(self) -> int:
        if not self._free:
            self._grow()
        return self._free.pop()

    def free_slot(self, i: int) -> None:
        self.active[i] = self.sick[i] = self.resigned[i] = False
        self.generation[i] += 1
        self._free.append(i)

    def _grow(self) -> None:
        """Double capacity (only when an establishment uplift outgrows the arrays)."""
        old = self.capacity
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                fill = 1.0 if name in ("susceptibility", "peer_u", "development_u") else 0
                setattr(self, name, np.concatenate([value, np.full(old, fill, dtype=value.dtype)]))
        self.capacity = 2 * old
        self._free = list(range(self.capacity - 1, old - 1, -1))

    def experience(self, experience_years: float) -> np.ndarray:
        """Experience grows toward 1 with tenure (novice to expert)."""
        return 1.0 - (1.0 - self.experience0) * np.exp(-self.tenure / experience_years)


@dataclass
class Teams:
    """Per-team state (teams are numbered organisation by organisation); ``(team, role)``
    arrays have one column per role (RN, HCA)."""

    organisation: np.ndarray    # the organisation each team belongs to
    posts: np.ndarray           # (team, role) funded posts before the establishment multiplier
    in_post: np.ndarray         # (team, role) staff in post
    recruiting: np.ndarray      # (team, role) recruitment rounds under way
    patients: np.ndarray        # patients in beds
    psafe: np.ndarray           # psychological safety
    learning: np.ndarray        # what the team has learned from incidents
    bullying: np.ndarray        # share of staff bullied in a year

    @classmethod
    def start(cls, n_organisations: int, teams_per_organisation: int, rn_posts: int, hca_posts: int) -> Teams:
        T = n_organisations * teams_per_organisation
        return cls(organisation=np.arange(T) // teams_per_organisation,
                   posts=np.tile(np.array([rn_posts, hca_posts]), (T, 1)),
                   in_post=np.zeros((T, 2), dtype=np.int64), recruiting=np.zeros((T, 2), dtype=np.int64),
                   patients=np.zeros(T, dtype=np.int64), psafe=np.zeros(T), learning=np.zeros(T),
                   bullying=np.zeros(T))


@dataclass
class Leaders:
    """The leader post of each team: the holder's own style and state, and the styles the
    team sees today (``eff_compassion``, ``willingness``), set by the leadership step."""

    compassion: np.ndarray      # the holder's compassion style, 0-1
    collaboration: np.ndarray   # the holder's collaboration style, 0-1
    exhaustion: np.ndarray
    present: np.ndarray         # post filled (False while vacant)
    tenure: np.ndarray          # days in post
    leaves: list[Any]           # per team: the SimPy event that ends the holder's tenure
    eff_compassion: np.ndarray  # compassion shown today (shifted, eroded; an interim's when vacant)
    willingness: np.ndarray     # willingness to collaborate today (0 when vacant)

    @classmethod
    def start(cls, n_teams: int) -> Leaders:
        return cls(compassion=np.zeros(n_teams), collaboration=np.zeros(n_teams), exhaustion=np.zeros(n_teams),
                   present=np.ones(n_teams, dtype=bool), tenure=np.zeros(n_teams), leaves=[None] * n_teams,
                   eff_compassion=np.zeros(n_teams), willingness=np.zeros(n_teams))


@dataclass
class Organisations:
    """Per-organisation state of the system, and its shared labour market."""

    reputation: np.ndarray
    movers: list[Any] = field(default_factory=list)   # labour_market.Mover, searching for a post

    @classmethod
    def start(cls, n_organisations: int, initial_reputation: float) -> Organisations:
        return cls(reputation=np.full(n_organisations, initial_reputation))
