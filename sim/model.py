"""The organisation: one replication of one scenario, as a SimPy environment.

``Model`` holds the environment, the state (staff in ``Workforce``; ``Teams``, ``Leaders``
and ``Organisations`` beside it, all numpy arrays), builds the initial state, runs the
daily review (``sim.mechanisms.DAILY_STEPS``, vectorised over staff and teams), applies
the schedule and closes each month (``sim.month``). Each mechanism, with its parameters,
functional forms, daily step and SimPy processes, is a module of ``sim/mechanisms/``.

Timing convention (keeps traces exact and free of same-time ordering puzzles): the
daily process runs at mid-day, ``t = d + 0.5`` for day ``d``; every life-cycle change
it decides (a sickness episode, a departure, a hire) takes effect at a whole day,
``t = d + 1 + duration``. A sickness episode of k days decided on day d therefore
removes the person from the rota on days d+1 .. d+k exactly. (Incident reviews end at half-days,
just before that day's daily process.) The ``warmup_years`` before the outputs run at negative
days, so output day 0 is t = 0 whatever the warm-up (docs/model.md, "Time").
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy
from scipy import special

from sim import initial_profile
from sim.beds import Beds
from sim.config import Config, scheduled_changes
from sim.individuals import IndividualRecorder
from sim.mechanisms import (
    DAILY_STEPS,
    DailyStep,
    culture,
    demand,
    exhaustion,
    interventions,
    leaders,
    leaving,
    recruitment,
    reputation,
    staffing,
)
from sim.mechanisms.common import Today, beta_quantile, normal_quantile
from sim.mechanisms.culture import engagement_target, psafe_target
from sim.mechanisms.labour_market import Mover
from sim.mechanisms.quality import CareDay
from sim.mechanisms.staffing import StaffingDay
from sim.metrics import MonthlyRecorder
from sim.month import Month, close_month, mean_or_zero
from sim.streams import Streams
from sim.workforce import HCA, RN, Leaders, Organisations, Teams, WardLayout, Workforce

__all__ = ["DAYS_PER_YEAR", "CareDay", "Model", "Month", "Mover", "StaffingDay", "beta_quantile", "mean_or_zero"]

DAYS_PER_YEAR = 365


class Model:
    """One replication of one scenario."""

    def __init__(self, cfg: Config, replication: int = 0, trace: bool = False) -> None:
        self.cfg = cfg
        self.p = copy.deepcopy(cfg)          # live parameters: scheduled changes edit these
        self.changes = scheduled_changes(cfg)  # the schedule plus every enabled intervention
        self.replication = replication
        # Warm-up: whole years simulated before the outputs begin, at negative times, so
        # that output day 0 is still t = 0 (1 January) and every month index, start month
        # and shock month counts from the first output month.
        self.warmup_days = cfg.warmup_years * DAYS_PER_YEAR
        self.env = simpy.Environment(initial_time=-self.warmup_days)
        org = cfg.organisation
        self.n_organisations = K = org.n_organisations
        self.wards = WardLayout.from_config(org)                  # each ward's beds, demand and posts
        self.n_teams = T = self.wards.n_teams                     # teams numbered organisation by organisation
        self.org_sizes = self.wards.sizes(K)                      # wards of each organisation
        #: wards per organisation when all organisations have as many (equal wards), else None
        self.teams_per_organisation = org.n_teams if self.wards.uniform else None
        self.ring = staffing.ring_donors(K, org.n_teams) if self.wards.uniform else \
            staffing.ring_donors_by_size(self.org_sizes)          # mutual aid and shared learning stay within one
        self.rng = Streams(cfg.seed, replication, T)
        self.ring_array = np.array(self.ring, dtype=np.int64).reshape(len(self.ring), T)   # the same, for kernels
        self.n_days = max(1, int(round(cfg.years * DAYS_PER_YEAR)))
        self.month_of_day = (np.arange(self.n_days + 1) * 12) // DAYS_PER_YEAR
        self.n_months = int(self.month_of_day[self.n_days - 1]) + 1
        # Months of the warm-up days -W .. -1 (negative; never recorded).
        self.warmup_month_of_day = (np.arange(-self.warmup_days, 0) * 12) // DAYS_PER_YEAR
        self.recorder = MonthlyRecorder(self.n_months, T, K)
        self.trace: list[tuple[float, str, dict[str, Any]]] | None = [] if trace else None
        self.steps: tuple[tuple[str, DailyStep], ...] = DAILY_STEPS    # the daily review, in order

        self.teams = Teams.start(self.wards)
        self.staff = Workforce(T, int(math.ceil(self.teams.posts.max() * max(1.0, org.establishment_multiplier))))
        self.leaders = Leaders.start(T)
        self.organisations = Organisations.start(K, cfg.reputation.initial)
        self.individuals = (IndividualRecorder(self.staff.capacity, T, self.teams.organisation,
                                               cfg.outputs.individuals_snapshot_months)
                            if cfg.outputs.individuals else None)     # outputs.individuals: staff, leader, snapshot tables
        self.initial_patients = 0               # patients in beds when the outputs begin
        self.initial_headcount = 0              # staff in post when the outputs begin
        self.month = Month.start(T, K)
        self._refresh_derived()

        self._initial_state()
        for t in range(T):
            self.env.process(leaders.post(self, t))
        self.env.process(self._days())

    # ------------------------------------------------------------------ helpers

    @property
    def in_post(self) -> np.ndarray:
        """Staff in post per team and role (``teams.in_post``)."""
        return self.teams.in_post

    @property
    def posts(self) -> np.ndarray:
        """Funded posts per team and role before the multiplier (``teams.posts``)."""
        return self.teams.posts

    @property
    def day(self) -> int:
        """Today's day number (the position of the day's random numbers): ``floor(now)``,
        negative during the warm-up (day -1 runs at t = -0.5), 0 at the first output day."""
        return math.floor(self.env.now)

    def log(self, event: str, **details: Any) -> None:
        """Record an event in the trace (when tracing)."""
        if self.trace is not None:
            self.trace.append((self.env.now, event, details))

    def after(self, delay: float, callback: Callable[..., None], *args: Any) -> None:
        """Call ``callback(*args, event)`` after ``delay``: one SimPy timeout with a callback.

        Life-cycle steps that decide nothing while they wait (a sickness episode, a notice
        period, an incident review) are events rather than processes: no start-up event
        and no generator to resume, so a third of the events each.
        """
        self.env.timeout(delay).callbacks.append(functools.partial(callback, *args))

    def establishment(self) -> np.ndarray:
        """Funded posts per team and role (RN, HCA) under the live multiplier (read-only)."""
        return self._est

    def mean_fte(self) -> float:
        o = self.p.organisation
        return o.fte_full_share + (1.0 - o.fte_full_share) * o.fte_part

    def admission_rate(self, team: int, time: float) -> float:
        """Expected admissions a day of a team (``demand.PatientFlow.rate``)."""
        return self.flow.rate(team, time)

    def _refresh_derived(self) -> None:
        """Quantities derived from the live parameters, computed at the start and again
        whenever the schedule may have changed them: the funded establishment, and the
        constants of the patient flow that every candidate arrival reads."""
        self._est = np.rint(self.teams.posts * self.p.organisation.establishment_multiplier).astype(np.int64)
        self._est.setflags(write=False)
        self.staff.ensure_posts(int(self._est.max(initial=1)))
        self.est_fte = self._est * self.mean_fte()
        self.flow = demand.PatientFlow(self.p, self.wards, self.n_organisations, self.n_days)

    # ------------------------------------------------------------------ initial state

    def _initial_state(self) -> None:
        """Staff, leaders, team culture and patients at the start: post k of each team and
        role is held when k < its establishment less its initial vacancies; holders' ages
        and tenures come from the ``initial_state`` stream by slot, their other attributes
        from ``new_starters`` as for any holder (and the patients from each ward's flow)."""
        cfg, T, s = self.cfg, self.n_teams, self.staff
        est = self.establishment()
        vacant = np.rint(est * cfg.organisation.initial_vacancy_rate).astype(np.int64)
        given = self.wards.vacancies >= 0                          # a ward's own starting vacancies (trust profile)
        if given.any():
            vacant = np.where(given, np.minimum(self.wards.vacancies, est), vacant)
        self._u_age_tenure = self.rng.initial_state.at(0, 0).random(2 * s.capacity).reshape(-1, 2)   # by slot
        for t in range(T):
            for r in (RN, HCA):
                for k in range(est[t, r] - vacant[t, r]):
                    recruitment.hire(self, t, r, s.slot(t, r, k), initial=True)
        leaders.initial(self)
        self.teams.psafe[:] = psafe_target(culture.leader_support_now(self), cfg.culture.psafe_min, cfg.culture.psafe_max)
        self.teams.learning[:] = cfg.reporting.initial_learning if cfg.mechanisms.learning else 0.0
        self.beds = Beds(self)                  # the patients in beds and each ward's flow
        self.initial_patients = int(self.teams.patients.sum())
        self.initial_headcount = int(self.staff.active.sum())
        self._start_near_equilibrium()

    def _start_near_equilibrium(self) -> None:
        """Start the workforce in its own stationary state: each member of staff at the
        exhaustion their team's starting conditions settle them at, their engagement at its
        target, and the workforce's make-up (susceptibility, age, tenure) as the model's own
        hiring and leaving would have left it after decades (``sim/initial_profile.py``), so
        that the warm-up only has to settle the faster states (vacancies, reputation,
        learning, safety) and every culture starts near its own steady state.
        Deterministic: no random draws beyond the start's own uniforms (the hire's Beta draw
        still happens and is overwritten), so every stream is unchanged."""
        m, s = self.p.mechanisms, self.staff
        if m.exhaustion:
            self._equilibrium_exhaustion()
            if m.leaving and self.p.exhaustion.susceptibility_sd > 0:
                self._stationary_susceptibility()
                self._equilibrium_exhaustion()
        self._equilibrium_engagement()
        rate = self._resignation_rates() if m.leaving else np.zeros(s.capacity)
        lv, rc, act = self.p.leaving, self.p.recruitment, s.active
        hz = initial_profile.LeavingHazards(lv.new_starter_multiplier, lv.new_starter_years, lv.retirement_age,
                                            lv.retirements_per_year, lv.max_age, bool(m.retirement))
        table = initial_profile.SpellTable(rate[act] if act.any() else np.zeros(1), rc.new_starter_age_min,
                                           rc.new_starter_age_max, hz)
        u = self._u_age_tenure
        s.age[act], s.tenure[act] = table.draw(rate[act], u[act, 0], u[act, 1])

    def _equilibrium_exhaustion(self) -> None:
        """Each active person's exhaustion at the level today's conditions settle it at."""
        s = self.staff
        for _ in range(3):                    # contagion depends on the burnt-out share it sets
            today = Today()
            staffing.daily(self, today)       # draws nothing: who is on duty, workload, burnt-out share
            culture.update_bullying(self, today.staffing)
            stress, recovery = exhaustion.exhaustion_rates(self, today.staffing)
            s.exhaustion = np.where(s.active, exhaustion.exhaustion_equilibrium(stress, recovery), s.exhaustion)

    def _equilibrium_engagement(self) -> None:
        s, c = self.staff, self.p.culture
        target = engagement_target(self.teams.psafe[s.team], s.exhaustion, base=c.engagement_base,
                                   psafe_coef=c.engagement_psafe_coef, exhaustion_coef=c.engagement_exhaustion_coef)
        s.engagement = np.where(s.active, target, s.engagement)

    def _resignation_rates(self, exhaustion_level: np.ndarray | None = None,
                           team: np.ndarray | None = None) -> np.ndarray:
        """Annual resignation rate (past the new-starter period) at equilibrium exhaustion
        and engagement: of every slot, or of given exhaustion levels in given teams. Without
        ``leaving.pay_multiplier`` (an intervention lever): a trust that differs only in pay
        starts from the same workforce, so paired comparisons stay paired."""
        s, lv, c, teams = self.staff, self.p.leaving, self.p.culture, self.teams
        E = s.exhaustion if exhaustion_level is None else exhaustion_level
        team = s.team if team is None else team
        eng = engagement_target(teams.psafe[team], E, base=c.engagement_base, psafe_coef=c.engagement_psafe_coef,
                                exhaustion_coef=c.engagement_exhaustion_coef)
        return leaving.resignation_annual_rate(
            E, teams.psafe[team], teams.bullying[team], eng, np.zeros(np.shape(E), dtype=bool),
            base=lv.resignations_per_year, exhaustion_coef=lv.exhaustion_coef, psafe_coef=lv.psychological_safety_coef,
            bullying_coef=lv.bullying_coef, engagement_coef=lv.engagement_coef, new_starter_multiplier=1.0,
            pay_multiplier=1.0)     # a lever, not the culture: arms differing only in pay start alike (CRN)

    def _stationary_susceptibility(self) -> None:
        """Susceptibility of the staff in post at the start, reweighted by the expected
        time in post each susceptibility gives in its team (survivors of years of
        turnover are less susceptible than new starters): the same uniform, read through
        the stationary distribution's quantile function."""
        s, e, lv = self.staff, self.p.exhaustion, self.p.leaving
        act = s.active
        sd = e.susceptibility_sd
        today = Today()
        staffing.daily(self, today)
        culture.update_bullying(self, today.staffing)
        stress, recovery = exhaustion.exhaustion_rates(self, today.staffing)
        T, K = self.n_teams, 400
        n = np.maximum(np.bincount(s.team[act], minlength=T), 1)
        stress_t = np.bincount(s.team[act], (stress / s.susceptibility)[act], minlength=T) / n
        recovery_t = np.bincount(s.team[act], recovery[act], minlength=T) / n
        u_grid = (np.arange(K) + 0.5) / K
        mult = np.exp(sd * normal_quantile(u_grid) - sd * sd / 2)                 # susceptibility per cell
        E = exhaustion.exhaustion_equilibrium(mult[None, :] * stress_t[:, None],
                                              np.broadcast_to(recovery_t[:, None], (T, K)))
        rate = self._resignation_rates(E, np.repeat(np.arange(T)[:, None], K, axis=1))
        m = self.p.mechanisms
        hz = initial_profile.LeavingHazards(lv.new_starter_multiplier, lv.new_starter_years, lv.retirement_age,
                                            lv.retirements_per_year, lv.max_age, bool(m.retirement))
        rc = self.p.recruitment
        table = initial_profile.SpellTable(rate, rc.new_starter_age_min, rc.new_starter_age_max, hz)
        duration = table.expected_duration(rate.ravel()).reshape(T, K)
        for t in range(T):
            held = np.flatnonzero(act & (s.team == t))
            u = special.ndtr((np.log(s.susceptibility[held]) + sd * sd / 2) / sd)   # the hire's own uniform
            z = normal_quantile(np.clip(initial_profile.stationary_quantiles(u, duration[t]), 1e-12, 1 - 1e-12))
            s.susceptibility[held] = np.exp(sd * z - sd * sd / 2)

    # ------------------------------------------------------------------ the daily loop

    def _days(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(0.5)
        months = np.concatenate([self.warmup_month_of_day, self.month_of_day])    # warm-up months < 0
        W = self.warmup_days
        for k in range(W + self.n_days):
            self.beds.advance(self.env.now)     # the patient flow up to this review
            month = int(months[k])
            if k == 0 or month != months[k - 1]:
                self._apply_schedule(month)
            self._day()
            if k == W + self.n_days - 1 or months[k + 1] != month:
                self._close_month(month)
            yield self.env.timeout(1)

    def _close_month(self, month: int) -> None:
        """Record the month's metrics (output months only), move each organisation's
        reputation (warm-up included), start a new month. At the last warm-up month's close
        the outputs' starting state is kept (``initial_patients``, ``initial_headcount``) and
        the warm-up's ended spells leave the individual tables."""
        by_organisation = close_month(self, month, interventions.cost(self, month))
        if month == -1:
            self.initial_patients = int(self.teams.patients.sum())
            self.initial_headcount = int(self.staff.active.sum())
            if self.individuals is not None:
                self.individuals.discard_warmup(self.p.labour_market.search_days)
        reputation.monthly(self, by_organisation)
        self.month = Month.start(self.n_teams, self.n_organisations)

    def _day(self) -> None:
        """The daily review at mid-day: each step of ``self.steps`` in turn, vectorised over
        staff and teams. What it decides (sickness, leaving, hiring, incident reviews, a
        leader's departure) is scheduled as SimPy events from the next whole day."""
        today = Today()
        for _, step in self.steps:
            step(self, today)

    def run(self) -> MonthlyRecorder:
        self.env.run(until=self.n_days)
        self.beds.advance(self.n_days)         # the flow after the last review
        if self.individuals is not None:       # spells still open at the end
            for i in np.flatnonzero(self.staff.active):
                leaving.end_spell(self, int(i), "in_post")
            for t in np.flatnonzero(self.leaders.present):
                self.individuals.leader_end(int(t), self.env.now, "in_post", float(self.leaders.exhaustion[t]))
        return self.recorder

    # ------------------------------------------------------------------ scheduled changes

    def _apply_schedule(self, month: int) -> None:
        for change in self.changes:
            if change.month != month:
                continue
            section, name = change.key.split(".", 1)
            obj = getattr(self.p, section)
            current = getattr(obj, name)
            value: Any = change.value
            if isinstance(current, bool):
                value = bool(value)
            elif isinstance(current, int):
                value = int(round(value))
            setattr(obj, name, value)
            self.log("schedule", key=change.key, value=value)
        self._refresh_derived()        # demand parameters may have changed
