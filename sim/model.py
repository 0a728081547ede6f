"""The organisation: SimPy processes for patients, staff life-cycle events and leaders,
with per-staff state in numpy arrays updated by one vectorised daily process.

Timing convention (keeps traces exact and free of same-time ordering puzzles): the
daily process runs at mid-day, ``t = d + 0.5`` for day ``d``; every life-cycle change
it decides (a sickness episode, a departure, a hire) takes effect at a whole day,
``t = d + 1 + duration``. A sickness episode of k days decided on day d therefore
removes the person from the rota on days d+1 .. d+k exactly. (Incident reviews end at half-days,
just before that day's daily process.)
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim import mechanisms as mech
from sim.config import INTERVENTION_EFFECTS, Config, scheduled_changes
from sim.individuals import IndividualRecorder
from sim.metrics import MonthlyRecorder
from sim.streams import Streams
from sim.workforce import HCA, RN, Workforce

DAYS_PER_YEAR = 365


def mean_or_zero(x: np.ndarray) -> float:
    """The mean of ``x`` (0 when empty), as ``x.mean()`` gives it without its overhead:
    the daily accumulators call it on every day of the run."""
    return float(x.sum() / x.size) if x.size else 0.0


def beta_draw(rng: np.random.Generator, mean: float, concentration: float, size: int | None = None) -> Any:
    """A Beta draw parameterised by mean and concentration (degenerate at 0 and 1)."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(mean)) if size is not None else float(mean)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=size)


class Month:
    """Accumulators of one month, reset when the month's metrics are written."""

    def __init__(self, n_teams: int, n_organisations: int = 1) -> None:
        self.days = 0
        self.transfers_out = np.zeros(n_organisations)    # by the organisation a mover left
        for name in ("leavers", "resignations", "retirements", "hires", "admissions", "discharges",
                     "leader_departures", "blamed", "learned", "reported", "head", "burnt",
                     "sick_fte", "contract_fte", "ppn", "agency_cost", "gap", "covered", "lent",
                     "exhaustion", "engagement", "bullying", "learning", "leader_exhaustion",
                     "leader_compassion", "leader_vacant", "demand", "transfers", "cross_lent"):
            setattr(self, name, 0.0)
        for name in ("vacant_t", "est_t", "burnt_t", "head_t", "ppn_t", "patient_days_t",
                     "missed_t", "adverse_t", "psafe_t", "leavers_t", "transfers_t"):
            setattr(self, name, np.zeros(n_teams))


@dataclass(slots=True)
class StaffingDay:
    """One day's staffing of every team (mechanisms 2 and 11) and the team aggregates of
    staff state, computed once at the start of the daily review; every mechanism reads it."""

    active: np.ndarray             # per staff slot: in post
    available: np.ndarray          # per staff slot: in post and not off sick
    establishment: np.ndarray      # funded posts (team, role)
    head: np.ndarray               # per team: staff in post
    rn_on_duty: np.ndarray         # RNs on duty after bank/agency cover and mutual aid
    patients_per_rn: np.ndarray
    hca_shortfall: np.ndarray      # share of HCA establishment not on duty
    agency: np.ndarray             # bank/agency WTE covering gaps
    gap: np.ndarray                # WTE below establishment before cover
    lent: np.ndarray               # RN WTE lent to neighbours (and other organisations)
    cross_lent: float              # of which across organisation boundaries
    exhaustion: np.ndarray         # mean exhaustion of staff available
    exhaustion_mean: float         # mean exhaustion of all staff in post
    burnt: np.ndarray              # burnt-out staff in post
    burnt_share: np.ndarray
    inexperience: np.ndarray       # FTE-weighted inexperience on duty, agency included
    development_share: np.ndarray  # share of staff with leadership development
    vacant: np.ndarray             # vacant funded posts
    vacancy: np.ndarray            # vacancy rate


@dataclass(slots=True)
class CareDay:
    """One day's patients and care outcomes per team (mechanisms 7 and 8)."""

    patients: np.ndarray
    missed: np.ndarray
    adverse: np.ndarray
    reported: np.ndarray


@dataclass
class Mover:
    """A member of staff who resigned from one organisation of the system and is looking
    for a post in another (the shared labour market of an integrated care system)."""

    role: int
    from_organisation: int
    until: float            # leaves the system's market at this time
    age: float
    fte: float
    experience: float
    exhaustion: float
    susceptibility: float
    person: int = -1        # id in the individual-level outputs (outputs.individuals)


class Model:
    """One replication of one scenario."""

    def __init__(self, cfg: Config, replication: int = 0, trace: bool = False) -> None:
        self.cfg = cfg
        self.p = copy.deepcopy(cfg)          # live parameters: scheduled changes edit these
        self.changes = scheduled_changes(cfg)  # the schedule plus every enabled intervention
        self.replication = replication
        self.env = simpy.Environment()
        org = cfg.organisation
        self.n_organisations = K = org.n_organisations
        self.teams_per_organisation = org.n_teams
        self.n_teams = T = K * org.n_teams                        # teams numbered organisation by organisation
        self.organisation_of = np.arange(T) // org.n_teams
        self.ring = mech.ring_donors(K, org.n_teams)              # mutual aid and shared learning stay within one
        self.movers: list[Mover] = []                             # the system's labour market (K > 1)
        self.rng = Streams(cfg.seed, replication, T)
        self.n_days = max(1, int(round(cfg.years * DAYS_PER_YEAR)))
        self.month_of_day = (np.arange(self.n_days + 1) * 12) // DAYS_PER_YEAR
        self.n_months = int(self.month_of_day[self.n_days - 1]) + 1
        self.recorder = MonthlyRecorder(self.n_months, T, K)
        self.trace: list[tuple[float, str, dict[str, Any]]] | None = [] if trace else None

        self.posts = np.tile(np.array([org.rn_posts_per_team, org.hca_posts_per_team]), (T, 1))
        capacity = int(math.ceil(self.posts.sum() * max(1.0, org.establishment_multiplier))) + 8
        self.staff = Workforce(capacity)
        self.individuals = (IndividualRecorder(capacity, T, org.n_teams, cfg.outputs.individuals_snapshot_months)
                            if cfg.outputs.individuals else None)
        self.in_post = np.zeros((T, 2), dtype=np.int64)
        self.recruiting = np.zeros((T, 2), dtype=np.int64)
        self.patients = np.zeros(T, dtype=np.int64)
        self.initial_patients = 0
        self.psafe = np.zeros(T)
        self.learning = np.zeros(T)
        self.bullying = np.zeros(T)
        self.reputation = np.full(K, cfg.reputation.initial)    # one per organisation
        self.leader_compassion = np.zeros(T)
        self.leader_collaboration = np.zeros(T)
        self.leader_exhaustion = np.zeros(T)
        self.leader_present = np.ones(T, dtype=bool)
        self.leader_tenure = np.zeros(T)         # days
        self.leader_leaves: list[simpy.Event | None] = [None] * T
        self.eff_compassion = np.zeros(T)
        self.collaboration = np.zeros(T)
        self.month = Month(T, K)
        self._discharge = [functools.partial(self._discharged, t) for t in range(T)]
        self._refresh_derived()

        self._initial_state()
        for t in range(T):
            self.env.process(self._admissions(t))
            self.env.process(self._leader(t))
        self.env.process(self._days())

    # ------------------------------------------------------------------ helpers

    def _log(self, event: str, **details: Any) -> None:
        if self.trace is not None:
            self.trace.append((self.env.now, event, details))

    def establishment(self) -> np.ndarray:
        """Funded posts per team and role (RN, HCA) under the live multiplier (read-only)."""
        return self._est

    def mean_fte(self) -> float:
        o = self.p.organisation
        return o.fte_full_share + (1.0 - o.fte_full_share) * o.fte_part

    def _base_admissions(self) -> float:
        d = self.p.demand
        return self.cfg.organisation.beds_per_team * d.occupancy / d.los_mean_days

    def _refresh_derived(self) -> None:
        """Quantities derived from the live parameters, computed at the start and again
        whenever the schedule may have changed them: the funded establishment, and the
        constants of the patient flow that every candidate arrival reads."""
        self._est = np.rint(self.posts * self.p.organisation.establishment_multiplier).astype(np.int64)
        self._est.setflags(write=False)
        self._est_fte = self._est * self.mean_fte()
        d, m = self.p.demand, self.p.mechanisms
        self._base = self._base_admissions()
        self._season = (d.seasonal_amplitude, d.seasonal_peak_day) if m.seasonality else None
        self._growth = 1.0 + d.growth_per_year if m.demand_growth else None
        n_shocked = self._shocked_teams()
        self._team_shocked = [t % self.teams_per_organisation < n_shocked for t in range(self.n_teams)]
        if d.los_cv <= 0:
            self._los: tuple[float, float] | None = None
        else:
            sigma2 = math.log1p(d.los_cv**2)
            self._los = (math.log(d.los_mean_days) - sigma2 / 2, math.sqrt(sigma2))
        self._bound = self._rate_bound()

    def _demand_level(self, time: float) -> float:
        """Expected admissions a day of an unshocked team: base load x winter pressure x growth."""
        rate = self._base
        if self._season is not None:
            amplitude, peak_day = self._season
            rate *= 1.0 + amplitude * math.cos(2 * math.pi * ((time % 365) - peak_day) / 365)
        if self._growth is not None:
            rate *= self._growth ** (time / DAYS_PER_YEAR)
        return rate

    def admission_rate(self, team: int, time: float) -> float:
        """Expected admissions a day of a team: the demand level x its shock."""
        level = self._demand_level(time)
        return level * self._shock_multiplier(time) if self._team_shocked[team] else level

    def _shocked_teams(self) -> int:
        """Teams of each organisation hit by a demand shock (its first ones)."""
        d = self.p.demand
        return math.ceil(d.shock_team_share * self.teams_per_organisation) if d.shock_months > 0 else 0

    def _shock_multiplier(self, time: float) -> float:
        d = self.p.demand
        month = time * 12 / DAYS_PER_YEAR
        return d.shock_multiplier if d.shock_start_month <= month < d.shock_start_month + d.shock_months else 1.0

    def _rate_bound(self) -> float:
        """An upper bound of every team's admission rate over the run (for thinning)."""
        d, m = self.p.demand, self.p.mechanisms
        rate = self._base_admissions() * (1.0 + (d.seasonal_amplitude if m.seasonality else 0.0))
        if m.demand_growth and d.growth_per_year > 0:
            rate *= (1.0 + d.growth_per_year) ** (self.n_days / DAYS_PER_YEAR)
        return rate * max(1.0, d.shock_multiplier if d.shock_months > 0 else 1.0)

    def _length_of_stay(self, z: float) -> float:
        """A lognormal length of stay (mean ``los_mean_days``, CV ``los_cv``) from a standard
        normal draw ``z``."""
        if self._los is None:
            return self.p.demand.los_mean_days
        mu, sigma = self._los
        return math.exp(mu + sigma * z)

    # ------------------------------------------------------------------ initial state

    def _initial_state(self) -> None:
        cfg, g, T = self.cfg, self.rng.initial_state, self.n_teams
        est = self.establishment()
        vacant = np.rint(est * cfg.organisation.initial_vacancy_rate).astype(np.int64)
        for t in range(T):
            for r in (RN, HCA):
                for _ in range(est[t, r] - vacant[t, r]):
                    i = self._hire(t, r, g, initial=True)
                    self.staff.age[i] = g.uniform(cfg.staffing.initial_age_min, cfg.staffing.initial_age_max)
                    self.staff.tenure[i] = min(g.exponential(8.0), max(0.0, self.staff.age[i] - 21.0))
        L, C = cfg.leadership, cfg.collaboration
        offsets = cfg.organisation.compassion_offsets
        if offsets:
            mean = np.clip(L.compassion_mean + np.asarray(offsets, dtype=float)[self.organisation_of], 0.0, 1.0)
            self.leader_compassion[:] = [beta_draw(g, m, L.compassion_concentration) for m in mean]
        else:
            self.leader_compassion[:] = beta_draw(g, L.compassion_mean, L.compassion_concentration, T)
        self.leader_collaboration[:] = beta_draw(g, C.collaboration_mean, C.collaboration_concentration, T)
        self.leader_tenure[:] = g.uniform(0, 5 * DAYS_PER_YEAR, T)
        if self.individuals is not None:
            for t in range(T):
                self.individuals.leader_start(t, 0.0, float(self.leader_compassion[t]))
        if cfg.mechanisms.leader_wellbeing:
            self.leader_exhaustion[:] = cfg.exhaustion.initial_mean
        self._update_leadership()
        self.psafe[:] = mech.psafe_target(self.eff_compassion, cfg.culture.psafe_min, cfg.culture.psafe_max)
        self.learning[:] = cfg.reporting.initial_learning if cfg.mechanisms.learning else 0.0
        # Patients already in beds at the start, with their remaining stays.
        for t in range(T):
            draws = self.rng.admissions_by_team[t]
            n0 = int(round(cfg.organisation.beds_per_team * cfg.demand.occupancy))
            for _ in range(n0):
                self._occupy_bed(t, next(draws.acceptance) * self._length_of_stay(next(draws.stays)))
        self.initial_patients = int(self.patients.sum())

    def _hire(self, team: int, role: int, g: np.random.Generator, initial: bool = False,
              mover: Mover | None = None) -> int:
        """Fill a post: a new person with drawn attributes takes a free slot (a mover from
        another organisation brings their age, hours, experience, susceptibility and part of
        their exhaustion)."""
        p, s = self.p, self.staff
        u = g.random(5)
        i = s.take_slot()
        s.active[i] = True
        s.team[i], s.role[i] = team, role
        s.fte[i] = 1.0 if u[0] < p.organisation.fte_full_share else p.organisation.fte_part
        lo, hi = p.recruitment.new_starter_age_min, p.recruitment.new_starter_age_max
        s.age[i] = lo + (hi - lo) * u[1]
        s.tenure[i] = 0.0
        s.experience0[i] = p.recruitment.new_starter_experience
        e = p.exhaustion
        s.exhaustion[i] = beta_draw(g, e.initial_mean, 6.0) if p.mechanisms.exhaustion else 0.0
        s.engagement[i] = p.culture.engagement_base
        sd = e.susceptibility_sd
        s.susceptibility[i] = math.exp(sd * g.standard_normal() - sd * sd / 2)
        s.peer_u[i], s.development_u[i] = u[2], u[3]
        if mover is not None:
            s.age[i], s.fte[i], s.experience0[i] = mover.age, mover.fte, mover.experience
            s.susceptibility[i] = mover.susceptibility
            s.exhaustion[i] = p.labour_market.exhaustion_carryover * mover.exhaustion if p.mechanisms.exhaustion else 0.0
            self.month.transfers += 1
            self.month.transfers_t[team] += 1
            self.month.transfers_out[mover.from_organisation] += 1
        self.in_post[team, role] += 1
        if self.individuals is not None:
            if mover is not None:
                self.individuals.mark_moved(mover.person)
            self.individuals.staff_start(i, team, role, self.env.now, None if mover is None else mover.person)
        if not initial:
            self.month.hires += 1
            self._log("hire", slot=i, team=team, role=role,
                      from_organisation=None if mover is None else mover.from_organisation)
        return i

    # ------------------------------------------------------------------ processes

    def _admissions(self, team: int) -> Generator[simpy.Event, Any, None]:
        """Non-homogeneous Poisson admissions by thinning (mechanism 1)."""
        draws, env = self.rng.admissions_by_team[team], self.env
        timeout, gaps, acceptance, stays = env.timeout, draws.gaps, draws.acceptance, draws.stays
        while True:
            bound = self._bound
            yield timeout(next(gaps) / bound)
            if next(acceptance) * bound <= self.admission_rate(team, env.now):
                self.month.admissions += 1
                self._occupy_bed(team, self._length_of_stay(next(stays)))

    def _occupy_bed(self, team: int, length_of_stay: float) -> None:
        """A patient's stay in a team's beds: one SimPy timeout whose callback discharges.

        A stay has nothing to decide while it lasts, so it is an event, not a process:
        this halves the events per patient (no start-up event, no generator to resume).
        """
        self.patients[team] += 1
        self.env.timeout(length_of_stay).callbacks.append(self._discharge[team])

    def _discharged(self, team: int, _event: simpy.Event) -> None:
        self.patients[team] -= 1
        self.month.discharges += 1

    def _after(self, delay: float, callback: Callable[..., None], *args: Any) -> None:
        """Call ``callback(*args, event)`` after ``delay``: one SimPy timeout with a callback.

        Life-cycle steps that decide nothing while they wait (a sickness episode, a notice
        period, an incident review) are events rather than processes: no start-up event
        and no generator to resume, so a third of the events each.
        """
        self.env.timeout(delay).callbacks.append(functools.partial(callback, *args))

    def _sickness_episode(self, i: int, days: int) -> None:
        """Decided at today's review: off sick from tomorrow for ``days`` whole days."""
        self._after(0.5, self._fall_sick, i, int(self.staff.generation[i]), days)

    def _fall_sick(self, i: int, gen: int, days: int, _event: simpy.Event) -> None:
        s = self.staff
        if s.generation[i] != gen:          # left before the episode began
            return
        s.sick[i] = True
        self._log("sick", slot=i, days=days)
        self._after(days, self._recover, i, gen)

    def _recover(self, i: int, gen: int, _event: simpy.Event) -> None:
        if self.staff.generation[i] == gen:
            self.staff.sick[i] = False
            self._log("back", slot=i)

    def _notice(self, i: int, reason: str) -> None:
        """Resign or retire at today's review: work the notice period, then leave."""
        self._log("resign" if reason == "resignation" else "retire", slot=i)
        self._after(0.5 + self.p.leaving.notice_days, self._leave, i, int(self.staff.generation[i]), reason)

    def _leave(self, i: int, gen: int, reason: str, _event: simpy.Event) -> None:
        """The end of the notice period: the post becomes vacant."""
        s = self.staff
        if s.generation[i] != gen:
            return
        team = s.team[i]
        self.in_post[team, s.role[i]] -= 1
        person = self._end_spell(i, reason) if self.individuals is not None else -1
        if reason == "resignation" and self._labour_market_open():
            lm = self.p.labour_market
            if self.rng.labour_market.random() < lm.move_share:
                self.movers.append(Mover(
                    role=int(s.role[i]), from_organisation=int(self.organisation_of[team]),
                    until=self.env.now + lm.search_days, age=float(s.age[i]), fte=float(s.fte[i]),
                    experience=float(s.experience(self.p.recruitment.experience_years)[i]),
                    exhaustion=float(s.exhaustion[i]), susceptibility=float(s.susceptibility[i]), person=person))
        s.free_slot(i)
        self.month.leavers += 1
        self.month.leavers_t[team] += 1
        if reason == "resignation":
            self.month.resignations += 1
        else:
            self.month.retirements += 1
        self._log("leave", slot=i, reason=reason)

    def _end_spell(self, i: int, reason: str) -> int:
        """Individual outputs: the end of person ``i``'s spell in post, with their state."""
        s, p = self.staff, self.p
        assert self.individuals is not None
        return self.individuals.staff_end(
            i, self.env.now, reason, float(s.exhaustion[i]), bool(s.exhaustion[i] > p.exhaustion.burnout_threshold),
            bool(p.mechanisms.peer_support and s.peer_u[i] < p.exhaustion.peer_support_share),
            bool(s.development_u[i] < p.leadership.development_share))

    def _labour_market_open(self) -> bool:
        return self.n_organisations > 1 and self.p.mechanisms.labour_market

    def _take_mover(self, role: int, organisation: int, appeal: float) -> Mover | None:
        """A mover of ``role`` from another organisation who accepts this post, if any.

        Movers whose search has ended leave the market first; the longest-searching
        eligible mover is offered the post and takes it with chance
        ``labour_market.appoint_prob`` x the hiring organisation's appeal.
        """
        now = self.env.now
        self.movers = [m for m in self.movers if m.until > now]
        for k, m in enumerate(self.movers):
            if m.role == role and m.from_organisation != organisation:
                if self.rng.labour_market.random() < min(1.0, self.p.labour_market.appoint_prob * appeal):
                    return self.movers.pop(k)
                return None
        return None

    def _recruit(self, team: int, role: int) -> Generator[simpy.Event, Any, None]:
        """Advertise, interview, appoint (a mover from elsewhere in the system, or from the
        wider market; else try again), then the starter arrives."""
        g = self.rng.recruitment
        organisation = int(self.organisation_of[team])
        yield self.env.timeout(0.5)
        mover = None
        while True:
            r = self.p.recruitment
            yield self.env.timeout(mech.gamma_day(g, r.attempt_days, r.attempt_cv))
            appeal = math.exp(r.reputation_elasticity * (self.reputation[organisation] - 0.5))
            if self._labour_market_open():
                mover = self._take_mover(role, organisation, appeal)
                if mover is not None:
                    break
            base = r.success_prob_rn if role == RN else r.success_prob_hca
            p_appoint = min(1.0, base * r.applicant_multiplier * appeal)
            if g.random() < p_appoint:
                break
            self._log("no_appointment", team=team, role=role)
        yield self.env.timeout(int(round(self.p.recruitment.start_delay_days)))
        self.recruiting[team, role] -= 1
        if self.in_post[team, role] < self.establishment()[team, role]:
            self._hire(team, role, self.rng.new_starters, mover=mover)

    def _incident_review(self, team: int, _event: simpy.Event) -> None:
        """A reported adverse event, once reviewed, becomes learning (just culture) or blame."""
        p, m, g = self.p, self.p.mechanisms, self.rng.incident_response
        u = g.random()
        if u < self.eff_compassion[team]:
            self.month.learned += 1
            if m.learning:
                gain = np.zeros(self.n_teams)
                gain[team] = p.reporting.learning_gain
                if m.shared_learning:
                    gain += mech.share_learning(gain, self.collaboration, p.reporting.learning_share, self.ring)
                self.learning += gain * (1.0 - self.learning)
            self._log("learning", team=team)
        elif m.blame:
            self.month.blamed += 1
            s = self.staff
            on_duty = np.flatnonzero(s.active & ~s.sick & (s.team == team))
            k = min(p.reporting.blame_staff_involved, len(on_duty))
            blamed = g.choice(on_duty, size=k, replace=False) if k else on_duty[:0]
            if m.exhaustion:
                s.exhaustion[blamed] += p.exhaustion.blame_shock * (1.0 - s.exhaustion[blamed])
            s.engagement[blamed] = np.maximum(0.0, s.engagement[blamed] - p.reporting.blame_engagement_drop)
            if m.culture_drift:
                self.psafe[team] = max(0.0, self.psafe[team] - p.reporting.blame_psafe_drop)
            self._log("blame", team=team, staff=blamed.tolist())

    def _leader(self, team: int) -> Generator[simpy.Event, Any, None]:
        """A team's leader post: holder leaves, post vacant, replacement drawn from the mix."""
        while True:
            self.leader_leaves[team] = self.env.event()
            yield self.leader_leaves[team]
            self.leader_present[team] = False
            if self.individuals is not None:
                self.individuals.leader_end(team, self.env.now, "departure", float(self.leader_exhaustion[team]))
            self._log("leader_leaves", team=team)
            yield self.env.timeout(0.5 + round(self.p.leader_wellbeing.vacancy_days))
            g, L, C = self.rng.leader_appointments, self.p.leadership, self.p.collaboration
            mean = L.compassion_mean
            if self.cfg.organisation.compassion_offsets:
                offset = self.cfg.organisation.compassion_offsets[self.organisation_of[team]]
                mean = min(1.0, max(0.0, mean + offset))
            self.leader_compassion[team] = beta_draw(g, mean, L.compassion_concentration)
            self.leader_collaboration[team] = beta_draw(g, C.collaboration_mean, C.collaboration_concentration)
            self.leader_exhaustion[team] = self.p.exhaustion.initial_mean if self.p.mechanisms.leader_wellbeing else 0.0
            self.leader_tenure[team] = 0.0
            self.leader_present[team] = True
            if self.individuals is not None:
                self.individuals.leader_start(team, self.env.now, float(self.leader_compassion[team]))
            self._log("leader_starts", team=team)

    def _days(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(0.5)
        for day in range(self.n_days):
            month = int(self.month_of_day[day])
            if day == 0 or month != self.month_of_day[day - 1]:
                self._apply_schedule(month)
            self._day()
            if day == self.n_days - 1 or self.month_of_day[day + 1] != month:
                self._close_month(month)
            yield self.env.timeout(1)

    def run(self) -> MonthlyRecorder:
        self.env.run(until=self.n_days)
        if self.individuals is not None:       # spells still open at the end
            for i in np.flatnonzero(self.staff.active):
                self._end_spell(int(i), "in_post")
            for t in np.flatnonzero(self.leader_present):
                self.individuals.leader_end(int(t), self.env.now, "in_post", float(self.leader_exhaustion[t]))
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
            self._log("schedule", key=change.key, value=value)
        self._refresh_derived()        # demand parameters may have changed

    # ------------------------------------------------------------------ the daily process

    def _update_leadership(self) -> None:
        p, m = self.p, self.p.mechanisms
        loss = p.leadership.exhaustion_compassion_loss if m.leader_wellbeing else 0.0
        self.eff_compassion = mech.effective_compassion(
            self.leader_compassion, p.leadership.compassion_shift, self.leader_exhaustion, loss,
            self.leader_present, p.leader_wellbeing.interim_compassion)
        collab = np.clip(self.leader_collaboration + p.collaboration.collaboration_shift, 0.0, 1.0)
        self.collaboration = np.where(self.leader_present, collab, 0.0)

    def _day(self) -> None:
        """The daily review at mid-day: each mechanism of MODEL.md in turn, vectorised over
        staff and teams. What it decides (sickness, leaving, hiring, incident reviews, a
        leader's departure) is scheduled as SimPy events from the next whole day."""
        self._update_leadership()
        day = self._staffing()          # 2 and 11
        care = self._care_quality(day)  # 7 and 8
        self._culture(day)              # 9
        self._exhaustion(day)           # 3
        self._leaders(day)              # 10
        self._sickness(day)             # 4
        self._leaving(day)              # 5
        self._recruitment(day)          # 6
        self._accumulate(day, care)
        s, a_day = self.staff, day.active / DAYS_PER_YEAR
        s.age += a_day
        s.tenure += a_day

    def _staffing(self) -> StaffingDay:
        """Mechanism 2 (staff on duty, bank/agency cover, workload) and 11 (mutual aid),
        with the team aggregates of staff state that the other mechanisms read."""
        p, m, s, T = self.p, self.p.mechanisms, self.staff, self.n_teams
        act = s.active
        avail = act & ~s.sick
        team, fte = s.team, s.fte
        is_rn = s.role == RN
        E = s.exhaustion
        est, est_fte = self._est, self._est_fte
        fte_avail = fte * avail
        rn_avail = np.bincount(team, weights=fte * (avail & is_rn), minlength=T)
        hca_avail = np.bincount(team, weights=fte * (avail & ~is_rn), minlength=T)
        gap_rn = np.maximum(0.0, est_fte[:, RN] - rn_avail)
        gap_hca = np.maximum(0.0, est_fte[:, HCA] - hca_avail)
        fill = p.staffing.agency_fill_share if m.agency_cover else 0.0
        agency_rn, agency_hca = fill * gap_rn, fill * gap_hca
        rn_duty = (rn_avail + agency_rn) * p.staffing.day_presence_per_wte
        patients = self.patients.astype(float)
        lent = np.zeros(T)
        cross_lent = 0.0
        if m.mutual_aid:
            c = p.collaboration
            rn_duty, lent = mech.mutual_aid(
                rn_duty, patients, self.collaboration, crisis_ppn=c.crisis_patients_per_rn,
                donor_limit_ppn=c.donor_limit_patients_per_rn, max_lend_share=c.max_lend_share, donors=self.ring)
            if m.cross_organisation_aid and self.n_organisations > 1:
                rn_duty, cross = mech.cross_organisation_aid(
                    rn_duty, patients, self.collaboration, self.organisation_of, self.n_organisations,
                    crisis_ppn=c.crisis_patients_per_rn, donor_limit_ppn=c.donor_limit_patients_per_rn,
                    max_lend_share=c.max_lend_share, aid_share=p.labour_market.aid_share,
                    first=int(self.env.now) % self.n_organisations)
                lent = lent + cross
                cross_lent = float(cross.sum())
        hca_est = est_fte[:, HCA]
        hca_short = np.maximum(0.0, 1 - np.divide(hca_avail + agency_hca, hca_est, out=np.ones(T), where=hca_est > 0))

        head = np.bincount(team, weights=act, minlength=T)
        avail_t = np.bincount(team, weights=avail, minlength=T)
        burnt = np.bincount(team, weights=act & (p.exhaustion.burnout_threshold < E), minlength=T)
        inexp_staff = np.bincount(team, weights=fte_avail * (1 - s.experience(p.recruitment.experience_years)), minlength=T)
        agency = agency_rn + agency_hca
        avail_fte_t = np.bincount(team, weights=fte_avail, minlength=T)
        developed = np.bincount(team, weights=act & (s.development_u < p.leadership.development_share), minlength=T)
        vacant = np.maximum(0, est - self.in_post).sum(axis=1)
        return StaffingDay(
            active=act, available=avail, establishment=est, head=head, rn_on_duty=rn_duty,
            patients_per_rn=patients / np.maximum(rn_duty, 0.5),      # someone (site manager) always covers
            hca_shortfall=hca_short, agency=agency, gap=gap_rn + gap_hca, lent=lent, cross_lent=cross_lent,
            exhaustion=np.bincount(team, weights=E * avail, minlength=T) / np.maximum(avail_t, 1),
            exhaustion_mean=mean_or_zero(E[act]),
            burnt=burnt, burnt_share=burnt / np.maximum(head, 1),
            inexperience=(inexp_staff + agency * p.staffing.agency_inexperience) / np.maximum(avail_fte_t + agency, 1e-9),
            development_share=developed / np.maximum(head, 1),
            vacant=vacant, vacancy=vacant / np.maximum(est.sum(axis=1), 1))

    def _care_quality(self, day: StaffingDay) -> CareDay:
        """Mechanisms 7 and 8: missed care and adverse events per team-day; reported events
        go to an incident review."""
        p, m, T = self.p, self.p.mechanisms, self.n_teams
        n_pat = self.patients.copy()
        if not m.quality:
            none = np.zeros(T, dtype=np.int64)
            return CareDay(n_pat, none, none, none)
        q = p.quality
        p_ae = mech.adverse_event_probability(
            day.patients_per_rn, day.exhaustion, day.inexperience, self.learning,
            base_per_1000=q.adverse_events_per_1000, odds_per_patient=q.adverse_odds_per_patient,
            reference_ppn=q.reference_patients_per_rn, exhaustion_coef=q.adverse_exhaustion_coef,
            inexperience_coef=q.adverse_inexperience_coef, learning_coef=q.adverse_learning_coef)
        p_missed = mech.missed_care_probability(
            day.patients_per_rn, day.exhaustion, day.inexperience, day.hca_shortfall, self.learning,
            base=q.missed_care_base, patients_coef=q.missed_patients_coef, learning_coef=q.missed_learning_coef,
            reference_ppn=q.reference_patients_per_rn, exhaustion_coef=q.missed_exhaustion_coef,
            inexperience_coef=q.missed_inexperience_coef, hca_shortfall_coef=q.missed_hca_shortfall_coef)
        g = self.rng.care_quality
        missed = g.binomial(n_pat, p_missed)
        adverse = g.binomial(n_pat, p_ae)
        p_rep = mech.report_probability(self.psafe, p.reporting.report_prob_min, p.reporting.report_prob_max)
        reported = self.rng.reporting.binomial(adverse, p_rep)
        review_days = p.reporting.review_days
        for t in np.flatnonzero(reported):
            for _ in range(reported[t]):
                self._after(review_days, self._incident_review, int(t))
        return CareDay(n_pat, missed, adverse, reported)

    def _culture(self, day: StaffingDay) -> None:
        """Mechanism 9: bullying, psychological safety drifting toward the leader's style,
        and the slow decay of learning."""
        p, m = self.p, self.p.mechanisms
        c = p.culture
        if m.bullying:
            self.bullying = mech.bullying_prevalence(
                self.eff_compassion, day.exhaustion, per_year=c.bullying_per_year, blame_coef=c.bullying_blame_coef,
                exhaustion_coef=c.bullying_exhaustion_coef)
        else:
            self.bullying = np.zeros(self.n_teams)
        if m.culture_drift:
            target = mech.psafe_target(self.eff_compassion, c.psafe_min, c.psafe_max)
            self.psafe = mech.psafe_step(self.psafe, target, c.psafe_timescale_days, day.development_share,
                                         c.development_speedup, self.bullying, c.bullying_psafe_erosion)
        if m.learning:
            self.learning *= math.exp(-1.0 / (p.reporting.learning_decay_years * DAYS_PER_YEAR))

    def _exhaustion(self, day: StaffingDay) -> None:
        """Mechanism 3: each person's exhaustion (stress from workload, bullying and burnt-out
        colleagues; recovery helped by the leader and peer support), then engagement."""
        p, m, s = self.p, self.p.mechanisms, self.staff
        act, team, E = day.active, s.team, s.exhaustion
        e = p.exhaustion
        noise = e.noise_sd * self.rng.exhaustion_noise.standard_normal(s.capacity)
        if m.exhaustion:
            stress_t = (e.base_stress + e.workload_stress * mech.relative_overload(day.patients_per_rn,
                                                                                    p.staffing.safe_patients_per_rn)
                        + e.bullying_stress * self.bullying)
            if m.contagion:
                stress_t = stress_t + e.contagion_stress * day.burnt_share
            support = mech.leader_support(self.eff_compassion, self.leader_present, self.leader_tenure,
                                          p.leader_wellbeing.induction_days)
            peer = (s.peer_u < e.peer_support_share) if m.peer_support else np.zeros(s.capacity, dtype=bool)
            recovery = e.recovery_rate * (1.0 + e.leader_support_recovery * support[team] + e.peer_support_recovery * peer)
            new_E = mech.exhaustion_step(E, s.susceptibility * stress_t[team], recovery, noise)
            s.exhaustion = np.where(act, new_E, E)
        c = p.culture
        eng_target = mech.engagement_target(self.psafe[team], s.exhaustion, base=c.engagement_base,
                                            psafe_coef=c.engagement_psafe_coef, exhaustion_coef=c.engagement_exhaustion_coef)
        s.engagement = np.where(act, s.engagement + (eng_target - s.engagement) / c.engagement_timescale_days, s.engagement)

    def _leaders(self, day: StaffingDay) -> None:
        """Mechanism 10: leaders' own exhaustion (team problems, isolation) and departures."""
        p, m, T = self.p, self.p.mechanisms, self.n_teams
        lw = p.leader_wellbeing
        if m.leader_wellbeing:
            isolation = (1.0 - self.collaboration) * (1.0 - lw.peer_support)
            stress_l = lw.base_stress + lw.team_problem_stress * (day.burnt_share + day.vacancy) + lw.isolation_stress * isolation
            recovery_l = lw.recovery_rate * (1.0 + lw.peer_support_recovery * lw.peer_support)
            self.leader_exhaustion = np.where(
                self.leader_present, mech.exhaustion_step(self.leader_exhaustion, stress_l, recovery_l), self.leader_exhaustion)
        u_leader = self.rng.leaders.random(T)
        if m.leader_turnover:
            log_hr = lw.exhaustion_coef * (self.leader_exhaustion - 0.5) if m.leader_wellbeing else 0.0
            p_leave = mech.daily_probability(lw.departures_per_year * np.exp(log_hr))
            for t in np.flatnonzero(self.leader_present & (u_leader < p_leave)):
                event = self.leader_leaves[t]
                if event is not None and not event.triggered:
                    event.succeed()
                    self.month.leader_departures += 1     # counted on the day it is decided
        self.leader_tenure += self.leader_present

    def _sickness(self, day: StaffingDay) -> None:
        """Mechanism 4: who starts a sickness episode today (hazard rising with exhaustion),
        and for how long."""
        p, m, s = self.p, self.p.mechanisms, self.staff
        u_sick = self.rng.sickness.random(s.capacity)
        if not m.sickness:
            return
        sk = p.sickness
        p_sick = mech.daily_probability(mech.sickness_annual_rate(s.exhaustion, sk.episodes_per_year,
                                                                  sk.exhaustion_log_hazard))
        g = self.rng.sickness_duration
        for i in np.flatnonzero(day.available & (u_sick < p_sick)):
            long = g.random() < sk.long_term_share
            self._sickness_episode(int(i), mech.gamma_day(g, sk.long_mean_days if long else sk.short_mean_days,
                                                          sk.duration_cv))

    def _leaving(self, day: StaffingDay) -> None:
        """Mechanism 5: resignations (exhaustion, psychological safety, bullying, engagement)
        and retirements; each starts a notice period."""
        p, m, s = self.p, self.p.mechanisms, self.staff
        u_leave = self.rng.leaving.random(s.capacity)
        if not m.leaving:
            return
        lv, team = p.leaving, s.team
        res = mech.resignation_annual_rate(
            s.exhaustion, self.psafe[team], self.bullying[team], s.engagement, s.tenure < lv.new_starter_years,
            base=lv.resignations_per_year, exhaustion_coef=lv.exhaustion_coef,
            psafe_coef=lv.psychological_safety_coef, bullying_coef=lv.bullying_coef,
            engagement_coef=lv.engagement_coef, new_starter_multiplier=lv.new_starter_multiplier,
            pay_multiplier=lv.pay_multiplier)
        p_res = mech.daily_probability(res)
        if m.retirement:
            p_ret = np.where(s.age >= lv.retirement_age, mech.daily_probability(lv.retirements_per_year), 0.0)
            p_ret = np.where(s.age >= lv.max_age, 1.0, p_ret)
        else:
            p_ret = np.zeros(s.capacity)
        candidates = day.active & ~s.resigned
        retire = candidates & (u_leave < p_ret)
        resign = candidates & ~retire & (u_leave < p_ret + p_res)
        for i in np.flatnonzero(retire | resign):
            s.resigned[i] = True
            self._notice(int(i), "retirement" if retire[i] else "resignation")

    def _recruitment(self, day: StaffingDay) -> None:
        """Mechanism 6: a recruitment round for every funded post that is neither filled
        nor already being recruited to."""
        if not self.p.mechanisms.recruitment:
            return
        open_posts = day.establishment - self.in_post - self.recruiting
        for t, r in zip(*np.nonzero(open_posts > 0), strict=True):
            for _ in range(open_posts[t, r]):
                self.recruiting[t, r] += 1
                self.env.process(self._recruit(int(t), int(r)))

    def _accumulate(self, day: StaffingDay, care: CareDay) -> None:
        """Add the day to the month's accumulators (the monthly metrics are their means)."""
        p, s, acc, T = self.p, self.staff, self.month, self.n_teams
        act, fte = day.active, s.fte
        acc.days += 1
        acc.cross_lent += day.cross_lent
        acc.vacant_t += day.vacant
        acc.est_t += day.establishment.sum(axis=1)
        acc.head += day.head.sum()
        acc.burnt += day.burnt.sum()
        acc.burnt_t += day.burnt
        acc.head_t += day.head
        acc.sick_fte += float((fte * (act & s.sick)).sum())
        acc.contract_fte += float((fte * act).sum())
        acc.ppn += self.patients.sum() / max(day.rn_on_duty.sum(), 0.5)
        acc.ppn_t += day.patients_per_rn
        acc.patient_days_t += care.patients
        acc.missed_t += care.missed
        acc.adverse_t += care.adverse
        acc.reported += float(care.reported.sum())
        acc.psafe_t += self.psafe
        agency = float(day.agency.sum())
        acc.agency_cost += agency * p.staffing.agency_cost_per_wte_day
        acc.gap += float(day.gap.sum())
        acc.covered += agency
        acc.lent += float(day.lent.sum())
        acc.exhaustion += day.exhaustion_mean
        acc.engagement += mean_or_zero(s.engagement[act])
        acc.bullying += mean_or_zero(self.bullying)
        acc.learning += mean_or_zero(self.learning)
        acc.leader_exhaustion += mean_or_zero(self.leader_exhaustion)
        acc.leader_compassion += mean_or_zero(self.eff_compassion)
        acc.leader_vacant += float((~self.leader_present).sum())
        shocked = self._shocked_teams() * self.n_organisations
        mean_shock = (shocked * self._shock_multiplier(self.env.now) + (T - shocked)) / T if shocked else 1.0
        acc.demand += self._demand_level(self.env.now) * mean_shock

    def _close_month(self, month: int) -> None:
        acc, org, team, T = self.month, self.recorder.org, self.recorder.team, self.n_teams
        days = max(acc.days, 1)
        pd_total = acc.patient_days_t.sum()
        mean_head = acc.head / days

        def ratio(a: float, b: float) -> float:
            return float(a / b) if b > 0 else 0.0

        values = {
            "vacancy_rate": ratio(acc.vacant_t.sum(), acc.est_t.sum()),
            "leaver_rate": ratio(acc.leavers * 12, mean_head),
            "burnout_prevalence": ratio(acc.burnt, acc.head),
            "sickness_absence_rate": ratio(acc.sick_fte, acc.contract_fte),
            "patients_per_nurse": acc.ppn / days,
            "missed_care_rate": ratio(acc.missed_t.sum(), pd_total),
            "adverse_events_per_1000": ratio(acc.adverse_t.sum() * 1000, pd_total),
            "reported_incidents_per_1000": ratio(acc.reported * 1000, pd_total),
            "psychological_safety": acc.psafe_t.sum() / (days * T),
            "leader_turnover": acc.leader_departures * 12 / T,
            "agency_cost": acc.agency_cost,
            "headcount": float(self.staff.active.sum()),
            "hires": acc.hires, "leavers": acc.leavers, "resignations": acc.resignations,
            "retirements": acc.retirements, "admissions": acc.admissions, "discharges": acc.discharges,
            "patients_in_beds": float(self.patients.sum()), "patient_days": float(pd_total),
            "adverse_events": float(acc.adverse_t.sum()), "reported_incidents": acc.reported,
            "blamed_incidents": acc.blamed, "learned_incidents": acc.learned,
            "agency_cover_share": ratio(acc.covered, acc.gap),
            "mutual_aid_rn": acc.lent / days, "exhaustion_mean": acc.exhaustion / days,
            "engagement_mean": acc.engagement / days, "bullying_prevalence": acc.bullying / days,
            "learning": acc.learning / days, "leader_exhaustion": acc.leader_exhaustion / days,
            "leader_compassion": acc.leader_compassion / days, "leader_vacancies": acc.leader_vacant / days,
            "reputation": float(self.reputation.mean()), "establishment": float(self.establishment().sum()),
            "demand_index": acc.demand / days,
            "intervention_cost": self._intervention_cost(month),
            "transfers": acc.transfers, "cross_organisation_aid_rn": acc.cross_lent / days,
        }
        for name, value in values.items():
            org[name][month] = value
        per_org = self._organisation_values(values) if self.n_organisations > 1 else None
        if per_org is not None:
            for name, by_org in per_org.items():
                self.recorder.by_organisation[name][month] = by_org
        with np.errstate(invalid="ignore", divide="ignore"):
            team["vacancy_rate"][month] = np.where(acc.est_t > 0, acc.vacant_t / acc.est_t, 0.0)
            team["burnout_prevalence"][month] = np.where(acc.head_t > 0, acc.burnt_t / acc.head_t, 0.0)
            team["patients_per_nurse"][month] = acc.ppn_t / days
            team["missed_care_rate"][month] = np.where(acc.patient_days_t > 0, acc.missed_t / acc.patient_days_t, 0.0)
            team["adverse_events_per_1000"][month] = np.where(
                acc.patient_days_t > 0, acc.adverse_t * 1000 / acc.patient_days_t, 0.0)
            team["psychological_safety"][month] = acc.psafe_t / days
            team["patient_days"][month] = acc.patient_days_t
            team["staff_in_post"][month] = acc.head_t / days
        if self.individuals is not None:
            s = self.staff
            act = np.flatnonzero(s.active)
            self.individuals.snapshot(month, act, s.team[act], s.exhaustion[act],
                                      s.exhaustion[act] > self.p.exhaustion.burnout_threshold)
        if self.p.mechanisms.reputation:
            r = self.p.reputation
            source = per_org if per_org is not None else {k: [values[k]] for k in values}
            for k in range(self.n_organisations):
                missed = source["missed_care_rate"][k] if self.p.mechanisms.quality else r.reference_missed_care
                target = mech.reputation_target(
                    source["leaver_rate"][k], missed, source["psychological_safety"][k],
                    turnover_coef=r.turnover_coef, care_coef=r.care_coef, culture_coef=r.culture_coef,
                    ref_leaver=r.reference_leaver_rate, ref_missed=r.reference_missed_care, ref_psafe=r.reference_psafe)
                self.reputation[k] += (target - self.reputation[k]) / max(r.timescale_months, 1.0)
        self.month = Month(T, self.n_organisations)

    def _organisation_values(self, values: dict[str, float]) -> dict[str, np.ndarray]:
        """The month's metrics of each organisation of the system (teams are in blocks)."""
        acc, K = self.month, self.n_organisations
        days = max(acc.days, 1)

        def by_org(x: np.ndarray) -> np.ndarray:
            return np.asarray(x, dtype=float).reshape(K, -1).sum(axis=1)

        def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.divide(a, b, out=np.zeros(K), where=b > 0)

        pd_k = by_org(acc.patient_days_t)
        est = self.establishment().sum(axis=1)
        return {
            "vacancy_rate": ratio(by_org(acc.vacant_t), by_org(acc.est_t)),
            "leaver_rate": ratio(by_org(acc.leavers_t) * 12, by_org(acc.head_t) / days),
            "burnout_prevalence": ratio(by_org(acc.burnt_t), by_org(acc.head_t)),
            "patients_per_nurse": by_org(acc.ppn_t) / (days * self.teams_per_organisation),
            "missed_care_rate": ratio(by_org(acc.missed_t), pd_k),
            "adverse_events_per_1000": ratio(by_org(acc.adverse_t) * 1000, pd_k),
            "psychological_safety": by_org(acc.psafe_t) / (days * self.teams_per_organisation),
            "reputation": self.reputation.copy(),
            "transfers_in": by_org(acc.transfers_t),
            "transfers_out": acc.transfers_out.copy(),
            "headcount": np.bincount(self.staff.team[self.staff.active], minlength=self.n_teams).reshape(K, -1).sum(axis=1)
            .astype(float),
            "establishment": by_org(est),
        }


    def _intervention_cost(self, month: int) -> float:
        """Spend in the month on every intervention that has started (per funded post)."""
        posts = float(self.establishment().sum())
        total = 0.0
        for name in INTERVENTION_EFFECTS:
            iv = getattr(self.cfg.intervention, name)
            if iv.enabled and month >= iv.start_month:
                total += iv.cost_per_staff_year * posts / 12
        return total

