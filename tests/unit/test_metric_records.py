"""Every metric the model writes has a record at the level it is written at, and no record is idle."""

from __future__ import annotations

import pytest

from sim import metrics
from sim.metric_records import (
    BY_NAME,
    CONTRACT_METRICS,
    MONEY_METRICS,
    PERCENT_METRICS,
    RECORDS,
    Kind,
    Level,
    headline_unit,
    metric_label,
    names_at,
)
from sim.model import Model
from tests.conftest import small


@pytest.fixture(scope="module")
def written() -> dict[Level, set[str]]:
    """The metric names a short run of a two-organisation system fills with values, by level.

    A recorder column left all NaN does not count: the recorder's lists come from the
    records, so only the values show what the model really writes.
    """
    model = Model(small("organisation.n_organisations=2", "years=0.25", "outputs.summary_months=1"), 0)
    df = model.run().to_frame("s", 0, with_teams=True)
    df = df[df["value"].notna()]
    names = df.groupby(df["team"].isna())["metric"].unique()
    out: dict[Level, set[str]] = {Level.TEAM: set(names[False]), Level.ORGANISATION: set(),
                                  Level.PER_ORGANISATION: set()}
    for name in names[True]:
        base, org = metrics.split_organisation_metric(name)
        out[Level.PER_ORGANISATION if org else Level.ORGANISATION].add(base)
    return out


@pytest.mark.parametrize("level", list(Level))
def test_every_written_metric_has_a_record_at_its_level(written: dict[Level, set[str]], level: Level) -> None:
    missing = sorted(m for m in written[level] if m not in BY_NAME or level not in BY_NAME[m].levels)
    assert not missing, f"written at level {level} without a record there (add to sim/metric_records.py): {missing}"
    idle = sorted(set(names_at(level)) - written[level])
    assert not idle, f"records at level {level} that the model does not write: {idle}"


def test_recorder_lists_follow_the_records() -> None:
    assert metrics.CONTRACT_METRICS == CONTRACT_METRICS == names_at(Level.ORGANISATION, contract=True)
    assert len(CONTRACT_METRICS) == 12 and CONTRACT_METRICS[0] == "vacancy_rate"
    assert set(metrics.ORGANISATION_METRICS) == set(names_at(Level.PER_ORGANISATION))
    assert len(metrics.ORGANISATION_METRICS) == len(set(metrics.ORGANISATION_METRICS))
    assert names_at(Level.TEAM) == metrics.TEAM_METRICS


def test_formatting_sets_follow_the_kinds() -> None:
    assert {r.name for r in RECORDS if r.kind is Kind.SHARE} == set(PERCENT_METRICS)
    assert "vacancy_rate@org2" in PERCENT_METRICS and "agency_cost@org1" in MONEY_METRICS
    assert "psychological_safety" not in PERCENT_METRICS and "intervention_cost" in MONEY_METRICS
    assert all(r.label and r.unit and r.levels for r in RECORDS)


def test_labels_and_headline_units() -> None:
    assert metric_label("vacancy_rate") == ("Vacancy rate", "% of establishment vacant")
    assert metric_label("vacancy_rate@org2") == ("Vacancy rate, organisation 2", "% of establishment vacant")
    assert metric_label("new_thing") == ("New thing", "value")
    assert headline_unit("adverse_events_per_1000") == " per 1,000 patient-days"
    assert headline_unit("vacancy_rate") == ""
