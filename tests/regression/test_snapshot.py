"""Exact snapshot tier: small runs' whole output frames, compared bit for bit with stored
parquet files, so a refactor is proven (not claimed) to change nothing.

The stored files were written by the code before the ``sim/mechanisms/`` refactor (issue
10). A deliberate change of the model's behaviour must regenerate them
(``python -m tests.regression.test_snapshot``) and say why in tests/regression/CHANGELOG.md.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config import load_config
from sim.runner import run_scenario

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

COMMON = ["organisation=small", "years=2", "n_replications=2", "n_jobs=1", "progress=false"]

#: name -> overrides; each exercises a different part of the model.
CASES: dict[str, list[str]] = {
    # the mixed culture: every mechanism of one organisation
    "small_mixed": COMMON,
    # three organisations: the labour market (movers) and mutual aid across organisations
    "small_system": [*COMMON, "organisation.n_organisations=3", "collaboration=collaborative",
                     "organisation.compassion_offsets=[-0.3,0,0.2]"],
    # interventions (scheduled changes, costs, an establishment uplift) and a demand shock
    "small_interventions_shock": [*COMMON, "years=3", "demand=shock", "demand.shock_start_month=6",
                                  "intervention=[peer_support,staffing_uplift,leadership_development]",
                                  "intervention.staffing_uplift.start_month=3",
                                  "schedule=[{month: 9, key: leaving.notice_days, value: 20}]"],
}


def frame(name: str) -> pd.DataFrame:
    """The run's tidy frame, as written to ``timeseries.parquet``."""
    return run_scenario(load_config(CASES[name]))


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_match_snapshot_bit_for_bit(name: str) -> None:
    stored = pd.read_parquet(SNAPSHOTS / f"{name}.parquet")
    got = frame(name)
    # round-trip through parquet, as the real outputs do, so dtypes match the stored file
    got = pd.read_parquet(_roundtrip(got))
    pd.testing.assert_frame_equal(got, stored, check_exact=True)
    # NaN-aware bit equality of the values (assert_frame_equal treats -0.0 == 0.0)
    assert got["value"].to_numpy().tobytes() == stored["value"].to_numpy().tobytes()


def _roundtrip(df: pd.DataFrame) -> io.BytesIO:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow")
    buf.seek(0)
    return buf


def write_snapshots() -> None:
    """Regenerate the stored files (only for a deliberate change of behaviour)."""
    SNAPSHOTS.mkdir(exist_ok=True)
    for name in CASES:
        frame(name).to_parquet(SNAPSHOTS / f"{name}.parquet", index=False, engine="pyarrow")
        print(f"wrote {SNAPSHOTS / name}.parquet", file=sys.stderr)


if __name__ == "__main__":
    write_snapshots()
