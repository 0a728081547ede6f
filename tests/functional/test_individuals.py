"""``outputs.individuals=true``: staff and leader tables agree with the aggregate metrics,
and switching them on changes no model output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import individuals
from sim.app import run_to_folder
from sim.config import Config, load_config
from sim.mechanisms.exhaustion import burnout_weight
from sim.model import DAYS_PER_YEAR
from sim.runner import run_replication


def n_teams_of(cfg: Config) -> int:
    return cfg.organisation.n_teams * cfg.organisation.n_organisations


def month_of(days: np.ndarray, n_days: int) -> np.ndarray:
    return ((np.arange(n_days + 1) * 12) // DAYS_PER_YEAR)[days.astype(int)]


@pytest.mark.parametrize("organisation", ["small", "ics"])
def test_tables_match_leavers_and_headcount(organisation: str) -> None:
    years = 2 if organisation == "small" else 1
    cfg = load_config([f"organisation={organisation}", f"years={years}", "n_replications=1", "n_jobs=1",
                       "progress=false", "outputs.individuals=true", "outputs.individuals_snapshot_months=3"])
    ts, tables = individuals.run_replication(cfg, 0)
    staff, leaders, snaps = tables["staff"], tables["leaders"], tables["snapshots"]
    org = ts[ts["team"].isna()].pivot_table(index="month", columns="metric", values="value")
    n_days = int(round(cfg.years * DAYS_PER_YEAR))
    # Leavers a month: spells ended by resignation, retirement or a move, by the month of their last day.
    left = staff[(staff["reason"] != "in_post") & (staff["end_day"] >= 0)]
    by_month = pd.Series(month_of(left["end_day"].to_numpy(), n_days)).value_counts()
    np.testing.assert_array_equal(by_month.reindex(org.index, fill_value=0).to_numpy(), org["leavers"].to_numpy())
    assert (left["reason"] == "resignation").sum() + (left["reason"] == "move").sum() == org["resignations"].sum()
    # Headcount at each month's close (the daily review at mid-day of its last day).
    closes = [np.flatnonzero(month_of(np.arange(n_days), n_days) == m).max() + 0.5 for m in org.index]
    in_post = [int(((staff["start_day"] <= t) & (staff["end_day"] > t)).sum()) for t in closes]
    np.testing.assert_array_equal(in_post, org["headcount"].to_numpy())
    # Snapshots every 3 months hold everyone in post then; spells still open end at the horizon.
    assert snaps.groupby("month").size().to_numpy().tolist() == org["headcount"].iloc[2::3].astype(int).tolist()
    assert (staff.loc[staff["reason"] == "in_post", "end_day"] == n_days).all()
    # Burnt out: the model's own soft step (as in burnout_prevalence), at the spell's end and in snapshots.
    e = cfg.exhaustion
    np.testing.assert_allclose(staff["burnt_out_end"].dropna(), burnout_weight(
        staff["exhaustion_end"].dropna().to_numpy(), e.burnout_threshold, e.burnout_softness))
    np.testing.assert_allclose(snaps["burnt_out"], burnout_weight(snaps["exhaustion"].to_numpy(), e.burnout_threshold,
                                                                  e.burnout_softness))
    # The warm-up is not in the tables: no spell or tenure ended before output day 0, no
    # snapshot before month 0; spells open then start at negative days.
    # (Except a resignation in the warm-up's last weeks that became a move into a post after day 0.)
    assert cfg.warmup_years > 0 and (leaders["end_day"].dropna() >= 0).all()
    assert (staff.loc[staff["end_day"] < 0, "reason"] == "move").all()
    assert snaps["month"].min() == 2 and (staff["start_day"] < 0).any()
    # Leaders: every team has had a leader since before the outputs began (or gets one);
    # departures as counted in leader_turnover.
    assert leaders["team"].nunique() == n_teams_of(cfg)
    departures = (leaders["reason"] == "departure").sum()
    n_teams = n_teams_of(cfg)
    assert departures == pytest.approx(org["leader_turnover"].sum() * n_teams / 12)
    if organisation == "ics":
        assert (staff["reason"] == "move").sum() == org["transfers"].sum() > 0
        moved = staff.loc[staff["reason"] == "move", "person"]
        assert staff[staff["person"].isin(moved)].groupby("person").size().ge(2).all()   # the mover's next spell


def test_individual_outputs_change_no_model_output() -> None:
    base = ["organisation=small", "years=1", "n_replications=1", "n_jobs=1", "progress=false"]
    off = run_replication(load_config(base), 0)
    on, _ = individuals.run_replication(load_config([*base, "outputs.individuals=true"]), 0)
    pd.testing.assert_frame_equal(off, on)


def test_run_folder_gets_the_tables_only_when_asked(tmp_path: Path) -> None:
    base = ["organisation=small", "years=1", "n_replications=2", "n_jobs=1", "progress=false"]
    run_to_folder(load_config([*base, "outputs.individuals=true"]), tmp_path / "on", report=False)
    for name in ("staff", "leaders", "snapshots"):
        df = pd.read_parquet(tmp_path / "on" / f"{name}.parquet")
        assert set(df["replication"]) == {0, 1}
    run_to_folder(load_config(base), tmp_path / "off", report=False)
    assert not (tmp_path / "off" / "staff.parquet").exists()
    ts = pd.read_parquet(tmp_path / "off" / "timeseries.parquet")
    teams = ts[ts["team"].notna()]
    assert {"patient_days", "staff_in_post"} <= set(teams["metric"])
