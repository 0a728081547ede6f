"""The report's time-course section: months to half effect computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.report.data import RunData
from sim.report.sections import time_course


def _run(tmp_path: Path) -> RunData:
    """Reference burnout flat at 0.30; the arm falls by 0.002 a month from month 12 to 36,
    then stays at 0.252 (months 0-47, two identical replications)."""
    months = np.arange(48)
    arm = 0.30 - 0.002 * np.clip(months - 12, 0, 24)
    rows = []
    for rep in (0, 1):
        for scen, values in (("none", np.full(48, 0.30)), ("programme", arm)):
            rows += [{"scenario": scen, "replication": rep, "month": int(m), "team": None,
                      "metric": "burnout_prevalence", "value": float(v)} for m, v in zip(months, values, strict=True)]
    ts = pd.DataFrame(rows)
    configs = {"none": {"intervention": {"peer_support": {"enabled": False, "start_month": 12}}},
               "programme": {"intervention": {"peer_support": {"enabled": True, "start_month": 12}}}}
    return RunData(run_dir=tmp_path, timeseries=ts, summary=pd.DataFrame(), config={}, provenance={},
                   scenario_configs=configs, parameters=None, reference="none", scenarios=["none", "programme"])


def test_time_to_half_effect_by_hand(tmp_path: Path) -> None:
    # effect at month 12+k is -0.002k; on a 3-month rolling mean from the start it is
    # -0.002(k-1) for k >= 2; half of the final -0.048 is first reached at k - 1 = 12, so k = 13
    s = time_course(_run(tmp_path))
    assert s is not None and s["reference"] == "No intervention"   # in words (sim/glossary.py)
    (block,) = s["blocks"]
    assert block["name"] == "Programme" and block["start"] == 12
    (row,) = block["rows"]
    assert row["median"] == "13" and row["range"] == "13–13" and row["n"] == 2
    assert row["effect"].startswith("−4.8")


def test_no_section_without_an_intervention_arm(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.scenario_configs["programme"]["intervention"]["peer_support"]["enabled"] = False
    assert time_course(run) is None
