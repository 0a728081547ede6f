"""Individual-level outputs (``outputs.individuals=true``): one row per staff spell, one
per leader tenure, and periodic snapshots of each person's exhaustion and burnout.

Why: the aggregate metrics cannot show who burns out, who stays burnt out and who
leaves; these tables let emergent effects be checked person by person (issue 11, item 7)
and give the calibration its individual persistence of burnout.

Memory stays bounded at ICS scale: columns are preallocated numpy arrays grown by
doubling (no per-event objects or frames), and snapshots are taken only every
``outputs.individuals_snapshot_months`` months.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import Config

#: Reasons a staff spell ends ("in_post" = still in post at the end of the run).
STAFF_REASONS: tuple[str, ...] = ("resignation", "retirement", "move", "in_post")
#: Reasons a leader's tenure ends.
LEADER_REASONS: tuple[str, ...] = ("departure", "in_post")


class Columns:
    """A growable table of fixed-type numpy columns."""

    def __init__(self, dtypes: dict[str, str], capacity: int = 1024) -> None:
        self.data = {k: np.zeros(capacity, dtype=t) for k, t in dtypes.items()}
        self.n = 0

    def add(self, **values: float) -> int:
        """Append one row; returns its index."""
        if self.n == len(next(iter(self.data.values()))):
            for k, v in self.data.items():
                self.data[k] = np.concatenate([v, np.zeros_like(v)])
        i = self.n
        for k, v in values.items():
            self.data[k][i] = v
        self.n += 1
        return i

    def add_many(self, **values: np.ndarray) -> None:
        """Append many rows at once (snapshots)."""
        m = len(next(iter(values.values())))
        need = self.n + m
        size = len(next(iter(self.data.values())))
        if need > size:
            new = max(need, 2 * size)
            for k, v in self.data.items():
                grown = np.zeros(new, dtype=v.dtype)
                grown[: self.n] = v[: self.n]
                self.data[k] = grown
        for k, v in values.items():
            self.data[k][self.n: need] = v
        self.n = need

    def keep(self, rows: np.ndarray) -> np.ndarray:
        """Keep only ``rows`` (sorted), in order; returns each old row's new index (-1 if dropped)."""
        new_index = np.full(self.n, -1, dtype=np.int64)
        new_index[rows] = np.arange(len(rows))
        for v in self.data.values():
            kept = v[rows].copy()
            v[: len(rows)] = kept
        self.n = len(rows)
        return new_index

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: v[: self.n].copy() for k, v in self.data.items()})


class IndividualRecorder:
    """Spells of staff and leaders, filled by the model's hooks (sim/model.py)."""

    def __init__(self, capacity: int, n_teams: int, organisation_of_team: np.ndarray, snapshot_months: int) -> None:
        self.organisation_of_team = organisation_of_team
        self.snapshot_months = snapshot_months
        self.person_of_slot = np.full(capacity, -1, dtype=np.int64)
        self.row_of_slot = np.full(capacity, -1, dtype=np.int64)
        self.next_person = 0
        self.staff = Columns({"person": "int64", "organisation": "int16", "team": "int16", "role": "int8",
                              "start_day": "float64", "end_day": "float64", "reason": "int8",
                              "exhaustion_end": "float64", "burnt_out_end": "float64", "peer_support": "bool",
                              "development_cohort": "bool"})
        self.leaders = Columns({"team": "int16", "start_day": "float64", "end_day": "float64", "reason": "int8",
                                "compassion": "float64", "exhaustion_end": "float64"})
        self.leader_row = np.full(n_teams, -1, dtype=np.int64)
        # burnt_out / burnt_out_end: the chance the person reports burnout, the model's own soft
        # step (exhaustion.burnout_weight, as in burnout_prevalence); 0/1 when burnout_softness=0.
        self.snapshots = Columns({"month": "int16", "person": "int64", "team": "int16", "exhaustion": "float64",
                                  "burnt_out": "float64"}, capacity=4096)

    def _ensure(self, slot: int) -> None:
        if slot >= len(self.person_of_slot):
            extra = max(slot + 1, 2 * len(self.person_of_slot)) - len(self.person_of_slot)
            self.person_of_slot = np.concatenate([self.person_of_slot, np.full(extra, -1, dtype=np.int64)])
            self.row_of_slot = np.concatenate([self.row_of_slot, np.full(extra, -1, dtype=np.int64)])

    # ------------------------------------------------------------------ staff hooks

    def staff_start(self, slot: int, team: int, role: int, day: float, person: int | None = None) -> None:
        """A person takes a post (``person`` given for a mover, who keeps their id)."""
        self._ensure(slot)
        if person is None:
            person = self.next_person
            self.next_person += 1
        self.person_of_slot[slot] = person
        self.row_of_slot[slot] = self.staff.add(
            person=person, organisation=int(self.organisation_of_team[team]), team=team, role=role, start_day=day,
            end_day=np.nan, reason=-1)

    def staff_end(self, slot: int, day: float, reason: str, exhaustion: float, burnt_out: float, peer: bool,
                  developed: bool) -> int:
        """A spell ends; returns the person's id (a mover carries it to the next post)."""
        row = int(self.row_of_slot[slot])
        d = self.staff.data
        d["end_day"][row], d["reason"][row] = day, STAFF_REASONS.index(reason)
        d["exhaustion_end"][row], d["burnt_out_end"][row] = exhaustion, burnt_out
        d["peer_support"][row], d["development_cohort"][row] = peer, developed
        self.row_of_slot[slot] = -1
        return int(self.person_of_slot[slot])

    def mark_moved(self, person: int) -> None:
        """A resigned person took a post elsewhere in the system: their last spell ended in a move."""
        d = self.staff.data
        rows = np.flatnonzero(d["person"][: self.staff.n] == person)
        ended = rows[d["reason"][rows] == STAFF_REASONS.index("resignation")]
        if len(ended):
            d["reason"][ended[-1]] = STAFF_REASONS.index("move")

    def snapshot(self, month: int, slots: np.ndarray, teams: np.ndarray, exhaustion: np.ndarray,
                 burnt: np.ndarray) -> None:
        """Each person in post at a month's close, every ``snapshot_months`` months."""
        if (month + 1) % self.snapshot_months:
            return
        self.snapshots.add_many(month=np.full(len(slots), month), person=self.person_of_slot[slots], team=teams,
                                exhaustion=exhaustion, burnt_out=burnt)

    # ------------------------------------------------------------------ leader hooks

    def leader_start(self, team: int, day: float, compassion: float) -> None:
        self.leader_row[team] = self.leaders.add(team=team, start_day=day, end_day=np.nan, reason=-1,
                                                 compassion=compassion, exhaustion_end=np.nan)

    def leader_end(self, team: int, day: float, reason: str, exhaustion: float) -> None:
        row = int(self.leader_row[team])
        if row < 0:
            return
        d = self.leaders.data
        d["end_day"][row], d["reason"][row], d["exhaustion_end"][row] = day, LEADER_REASONS.index(reason), exhaustion
        self.leader_row[team] = -1

    # ------------------------------------------------------------------ warm-up

    def discard_warmup(self, search_days: float) -> None:
        """At the end of the warm-up (``warmup_years``): drop the staff spells and leader
        tenures that ended before output day 0, so the tables describe the output period
        only. Spells still open keep their (negative) start day: ``start_day < 0`` means in
        post since before the outputs began. No snapshot is taken in the warm-up.

        A resignation in the last ``search_days`` of the warm-up is kept for now: the person
        may still take a post elsewhere in the system after day 0 (a move, counted in
        ``transfers``); :meth:`tables` drops it unless it became one."""
        d = self.staff.data
        end, reason = d["end_day"][: self.staff.n], d["reason"][: self.staff.n]
        searching = (reason == STAFF_REASONS.index("resignation")) & (end >= -search_days)
        keep = np.flatnonzero(~(end < 0) | searching)                   # open spells have end_day NaN
        new_index = self.staff.keep(keep)
        held = self.row_of_slot >= 0
        self.row_of_slot[held] = new_index[self.row_of_slot[held]]
        d = self.leaders.data
        keep = np.flatnonzero(~(d["end_day"][: self.leaders.n] < 0))
        new_index = self.leaders.keep(keep)
        held = self.leader_row >= 0
        self.leader_row[held] = new_index[self.leader_row[held]]

    # ------------------------------------------------------------------ output

    def tables(self, scenario: str, replication: int) -> dict[str, pd.DataFrame]:
        """``staff``, ``leaders`` and ``snapshots`` frames with readable reasons."""
        out = {}
        for name, cols, reasons in (("staff", self.staff, STAFF_REASONS), ("leaders", self.leaders, LEADER_REASONS),
                                    ("snapshots", self.snapshots, None)):
            df = cols.frame()
            if name == "staff":          # warm-up resignations kept only if they became a move (discard_warmup)
                df = df[~((df["end_day"] < 0) & (df["reason"] != STAFF_REASONS.index("move")))].reset_index(drop=True)
            if reasons is not None:
                df["reason"] = pd.Categorical.from_codes(df["reason"].clip(lower=0), categories=list(reasons))
            if name == "staff":
                df["role"] = np.where(df["role"] == 0, "RN", "HCA")
            df.insert(0, "replication", np.int32(replication))
            df.insert(0, "scenario", scenario)
            out[name] = df
        return out


def concat_tables(parts: Sequence[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several replications, concatenated in order."""
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]} if parts else {}


def run_replication(cfg: Config, replication: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """One replication's time series and individual tables (``outputs.individuals`` on)."""
    from sim.model import Model  # noqa: PLC0415 - sim.model imports this module
    from sim.uncertainty import replication_config  # noqa: PLC0415 - as sim.model

    model = Model(replication_config(cfg, replication), replication)
    frame = model.run().to_frame(cfg.scenario, replication, cfg.outputs.team_metrics)
    assert model.individuals is not None
    return frame, model.individuals.tables(cfg.scenario, replication)


def run_scenario(cfg: Config, label: str = "") -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Every replication, with the individual tables (in parallel as sim.runner runs them)."""
    from sim.runner import n_workers, ordered_map  # noqa: PLC0415 - sim.runner imports sim.model

    results = ordered_map(run_replication, [(cfg, r) for r in range(cfg.n_replications)], workers=n_workers(cfg),
                          desc=f"{label}{cfg.scenario}: replications", unit="rep", progress=cfg.progress)
    return pd.concat([f for f, _ in results], ignore_index=True), concat_tables([t for _, t in results])


def write_tables(run_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """staff.parquet, leaders.parquet and snapshots.parquet into a run folder (atomically)."""
    from sim.outputs import write_parquet  # noqa: PLC0415

    for name, df in tables.items():
        write_parquet(run_dir / f"{name}.parquet", df)
