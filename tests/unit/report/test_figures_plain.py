"""Figures that serve the answer: a colour-blind palette distinct for eight scenarios, leader
turnover as a rolling 12-month mean, no figure for an input held fixed."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from sim.report import figures


def test_palette_is_okabe_ito_and_distinct_for_eight_scenarios() -> None:
    colours = figures.distinct_colours(8)
    assert len(set(colours)) == 8
    # far apart in RGB: no two of the eight closer than 0.25 (two oranges of seaborn's palette are 0.13 apart)
    closest = min(float(np.linalg.norm(np.subtract(a, b))) for a, b in itertools.combinations(colours, 2))
    assert closest > 0.25
    names = [f"s{i}" for i in range(8)]
    palette = figures.scenario_palette(names)
    assert list(palette) == names and len(set(palette.values())) == 8
    # from the fifth scenario on, the line style changes too: a second cue for overlapping lines
    assert {figures.line_style(i) for i in range(4)} == {"-"} and figures.line_style(4) != "-"


def _frame(metric: str, values: list[float], scenario: str = "a") -> pd.DataFrame:
    return pd.DataFrame({"scenario": scenario, "replication": 0, "month": range(len(values)),
                         "team": pd.array([pd.NA] * len(values), dtype="Int16"), "metric": metric, "value": values})


def test_leader_turnover_is_drawn_as_a_rolling_12_month_mean() -> None:
    spikes = [0.0] * 11 + [0.375] + [0.0] * 11 + [0.375]    # one of 32 leaders leaving in a month, once a year
    b = figures.band(_frame("leader_turnover", spikes), "leader_turnover")
    assert np.isclose(b["median"].iloc[11], 0.375 / 12) and np.isclose(b["median"].iloc[23], 0.375 / 12)
    assert b["median"].max() <= 0.375 / 12 + 1e-12                 # no monthly spike to 37.5% "a year"
    assert figures.metric_title("leader_turnover")[0] == "Leader turnover (rolling 12-month mean)"
    other = figures.band(_frame("leaver_rate", spikes), "leaver_rate")   # other rates as they are
    assert np.isclose(other["median"].max(), 0.375)


def test_an_input_held_fixed_is_constant_and_a_result_is_not() -> None:
    ts = pd.concat([_frame("agency_cover_share", [0.8] * 24), _frame("agency_cover_share", [0.8] * 24, "b"),
                    _frame("establishment", [992.0] * 12 + [1091.0] * 12, "b"),
                    _frame("burnout_prevalence", list(np.linspace(0.3, 0.2, 24)))])
    assert figures.is_constant(ts, "agency_cover_share")
    assert not figures.is_constant(ts, "establishment")          # a staffing uplift changes it: drawn
    assert not figures.is_constant(ts, "burnout_prevalence")
