"""Per-staff state as numpy arrays (one slot per funded post, fixed by team, role and post
number), updated vectorised; and beside it the state of teams, leaders and organisations.

A post's slot is held from hiring to leaving; ``generation`` counts the post's holders so
that a pending life-cycle process (a sickness episode, a notice period) never acts on the
next holder, and so that each holder gets their own random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.config import Organisation

RN, HCA = 0, 1   # roles: registered nurse, healthcare assistant


@dataclass(frozen=True)
class WardLayout:
    """Each ward's size and demand, one entry per team (teams numbered organisation by
    organisation): equal wards from ``n_teams`` and the ``*_per_team`` keys, or the wards of
    ``organisation.wards`` (a trust profile). ``uniform`` marks the equal-wards case, whose
    arithmetic (and so every output) stays exactly that of the model before wards had sizes."""

    organisation: np.ndarray     # (team,) organisation index
    beds: np.ndarray             # (team,) beds
    occupancy: np.ndarray        # (team,) target bed occupancy; NaN = demand.occupancy (live)
    los_mean_days: np.ndarray    # (team,) mean length of stay; NaN = demand.los_mean_days (live)
    posts: np.ndarray            # (team, role) funded posts before the establishment multiplier
    vacancies: np.ndarray        # (team, role) vacant at the start; -1 = from initial_vacancy_rate
    names: tuple[str, ...]
    types: tuple[str, ...]
    uniform: bool

    @property
    def n_teams(self) -> int:
        return len(self.beds)

    def sizes(self, n_organisations: int) -> np.ndarray:
        """Wards of each organisation."""
        return np.bincount(self.organisation, minlength=n_organisations)

    @classmethod
    def from_config(cls, org: Organisation) -> WardLayout:
        K = org.n_organisations
        if not org.wards:
            T, n = K * org.n_teams, org.n_teams
            return cls(organisation=np.arange(T) // n, beds=np.full(T, org.beds_per_team),
                       occupancy=np.full(T, math.nan), los_mean_days=np.full(T, math.nan),
                       posts=np.tile(np.array([org.rn_posts_per_team, org.hca_posts_per_team]), (T, 1)),
                       vacancies=np.full((T, 2), -1), names=tuple(f"ward {t + 1}" for t in range(T)),
                       types=("general",) * T, uniform=True)
        w = org.wards

        def opt(x: float | None) -> float:
            return math.nan if x is None else float(x)

        return cls(organisation=np.array([x.organisation for x in w], dtype=np.int64),
                   beds=np.array([x.beds for x in w], dtype=np.int64),
                   occupancy=np.array([opt(x.occupancy) for x in w]),
                   los_mean_days=np.array([opt(x.los_mean_days) for x in w]),
                   posts=np.array([[x.rn_posts, x.hca_posts] for x in w], dtype=np.int64),
                   vacancies=np.array([[-1 if x.rn_vacancies is None else x.rn_vacancies,
                                        -1 if x.hca_vacancies is None else x.hca_vacancies] for x in w], dtype=np.int64),
                   names=tuple(x.name for x in w), types=tuple(x.type for x in w), uniform=False)


class Workforce:
    """Every funded post's state, one array per attribute, indexed by a stable *post slot*.

    Post ``k`` of role ``r`` in team ``t`` is slot ``k * 2T + 2t + r`` (T teams): its
    index never changes, and an establishment uplift appends whole rows of posts (a new
    ``k``) at the end without moving any other. A person's random numbers are those of
    their post (``sim/streams.py``), so they do not depend on array order or on who else
    was hired. ``generation`` counts the post's past holders (its hire number).
    """

    def __init__(self, n_teams: int, posts_per_role: int) -> None:
        self.n_teams = n_teams
        self.row = 2 * n_teams                              # slots per post number k
        self.capacity = 0
        self.active = np.zeros(0, dtype=bool)               # in post
        self.sick = np.zeros(0, dtype=bool)                 # off sick today
        self.resigned = np.zeros(0, dtype=bool)             # serving notice
        self.reserved = np.zeros(0, dtype=bool)             # vacant, a recruitment round under way
        self.team = np.zeros(0, dtype=np.int64)             # fixed by the slot
        self.role = np.zeros(0, dtype=np.int64)             # fixed by the slot
        self.fte = np.zeros(0)
        self.age = np.zeros(0)                              # years
        self.tenure = np.zeros(0)                           # years in post
        self.experience0 = np.zeros(0)                      # experience on joining, 0-1
        self.exhaustion = np.zeros(0)
        self.engagement = np.zeros(0)
        self.susceptibility = np.ones(0)                    # individual stress multiplier
        self.peer_u = np.ones(0)                            # attends peer support if < share
        self.development_u = np.ones(0)                     # has leadership development if < share
        self.generation = np.zeros(0, dtype=np.int64)       # past holders of the post
        self.attempts = np.zeros(0, dtype=np.int64)         # recruitment attempts for the post so far
        self.ensure_posts(max(1, posts_per_role))

    def slot(self, team: int, role: int, k: int) -> int:
        """The slot of post ``k`` of ``role`` in ``team``."""
        return k * self.row + 2 * team + role

    def posts_per_role(self) -> int:
        return self.capacity // self.row

    def ensure_posts(self, posts_per_role: int) -> None:
        """Room for ``posts_per_role`` posts of each role in every team: whole rows of posts
        are appended (existing slots, and their random numbers, stay where they are)."""
        extra = posts_per_role - self.posts_per_role()
        if extra <= 0:
            return
        n = extra * self.row
        fills = {"susceptibility": 1.0, "peer_u": 1.0, "development_u": 1.0}
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, name, np.concatenate([value, np.full(n, fills.get(name, 0), dtype=value.dtype)]))
        self.capacity += n
        local = np.arange(self.capacity) % self.row
        self.team, self.role = local // 2, local % 2

    def free_post(self, team: int, role: int) -> int:
        """The lowest-numbered post of ``role`` in ``team`` that is neither held nor being
        recruited to (a new row of posts if there is none)."""
        column = np.arange(2 * team + role, self.capacity, self.row)
        free = column[~(self.active[column] | self.reserved[column])]
        if len(free) == 0:
            self.ensure_posts(self.posts_per_role() + 1)
            return self.slot(team, role, self.posts_per_role() - 1)
        return int(free[0])

    def free_slot(self, i: int) -> None:
        """The holder leaves: the post is vacant and its next holder is a new generation."""
        self.active[i] = self.sick[i] = self.resigned[i] = False
        self.generation[i] += 1

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
    def start(cls, layout: WardLayout) -> Teams:
        T = layout.n_teams
        return cls(organisation=layout.organisation.copy(), posts=layout.posts.copy(),
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
    appointments: np.ndarray    # replacements appointed to the post so far (keys their draws)
    eff_compassion: np.ndarray  # compassion shown today (shifted, eroded; an interim's when vacant)
    willingness: np.ndarray     # willingness to collaborate today (0 when vacant)

    @classmethod
    def start(cls, n_teams: int) -> Leaders:
        return cls(compassion=np.zeros(n_teams), collaboration=np.zeros(n_teams), exhaustion=np.zeros(n_teams),
                   present=np.ones(n_teams, dtype=bool), tenure=np.zeros(n_teams), leaves=[None] * n_teams,
                   appointments=np.zeros(n_teams, dtype=np.int64),
                   eff_compassion=np.zeros(n_teams), willingness=np.zeros(n_teams))


@dataclass
class Organisations:
    """Per-organisation state of the system, and its shared labour market."""

    reputation: np.ndarray
    movers: list[Any] = field(default_factory=list)   # labour_market.Mover, searching for a post

    @classmethod
    def start(cls, n_organisations: int, initial_reputation: float) -> Organisations:
        return cls(reputation=np.full(n_organisations, initial_reputation))
