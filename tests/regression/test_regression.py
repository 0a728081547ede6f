"""Regression tier: a fixed small scenario against its stored summary.

The stored file holds each contract metric's mean and sd over replications; the check
allows 3 standard errors of a difference of two means, ``3 sd sqrt(2/n)``, plus a small
absolute floor, so it passes across platforms and numpy patch releases but fails when the
model changes materially. Regenerate after an intended change with
``REGRESSION_UPDATE=1 python -m pytest tests/regression`` and say why in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.metrics import CONTRACT_METRICS
from sim.runner import run_scenario
from sim.summary import summarise
from tests.conftest import small

STORED = Path(__file__).with_name("small_baseline.csv")
OVERRIDES = ("years=3", "n_replications=6", "n_jobs=2", "seed=12345")


def current() -> pd.DataFrame:
    s = summarise(run_scenario(small(*OVERRIDES)))
    s = s[s["metric"].isin(CONTRACT_METRICS)][["metric", "n", "mean", "sd"]].reset_index(drop=True)
    s["tolerance"] = 3 * s["sd"] * np.sqrt(2 / s["n"]) + 1e-6 * s["mean"].abs().clip(lower=1)
    return s


def test_small_baseline_matches_stored_summary() -> None:
    now = current()
    if os.environ.get("REGRESSION_UPDATE"):
        now.to_csv(STORED, index=False, float_format="%.10g")
        pytest.skip(f"rewrote {STORED.name}")
    stored = pd.read_csv(STORED).set_index("metric")
    moved = []
    for row in now.itertuples():
        ref = stored.loc[row.metric]
        if abs(row.mean - ref["mean"]) > ref["tolerance"]:
            moved.append(f"{row.metric}: stored {ref['mean']:.5g} now {row.mean:.5g} (tolerance {ref['tolerance']:.3g})")
    assert not moved, "model outputs moved:\n" + "\n".join(moved)
