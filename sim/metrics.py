"""The output contract: metric names (from sim/metric_records.py) and monthly collection."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metric_records import Level, names_at, split_organisation_metric  # noqa: F401 - re-exported

#: Organisation-level metrics: the contract's (docs/model.md, "Outputs"), then the rest, so every
#: mechanism is visible in the outputs. Derived from the metric records (sim/metric_records.py),
#: whose order is the row order of ``timeseries.parquet``.
CONTRACT_METRICS: tuple[str, ...] = names_at(Level.ORGANISATION, contract=True)
EXTRA_METRICS: tuple[str, ...] = names_at(Level.ORGANISATION, contract=False)

#: Metrics also written per organisation of an integrated care system (``n_organisations``
#: > 1), as organisation-level rows named ``METRIC@orgK`` (K = 1, 2, ...), so that the
#: contract's rows (``team`` null, plain names) stay the whole system's. Listed here because this
#: order is their row order in ``timeseries.parquet`` (unlike the records' reading order);
#: tests/unit/test_metric_records.py checks it names exactly the records at this level.
ORGANISATION_METRICS: tuple[str, ...] = (
    "vacancy_rate", "leaver_rate", "burnout_prevalence", "patients_per_nurse", "missed_care_rate",
    "adverse_events_per_1000", "psychological_safety", "reputation", "transfers_in", "transfers_out", "headcount",
    "establishment",
)


def organisation_metric(metric: str, organisation: int) -> str:
    """The row name of a metric of one organisation (0-based index) of the system."""
    return f"{metric}@org{organisation + 1}"


#: Metrics also written per team (``team`` column not null).
TEAM_METRICS: tuple[str, ...] = names_at(Level.TEAM)


class MonthlyRecorder:
    """Collects organisation and team metrics month by month into arrays."""

    def __init__(self, n_months: int, n_teams: int, n_organisations: int = 1) -> None:
        self.org = {m: np.full(n_months, np.nan) for m in CONTRACT_METRICS + EXTRA_METRICS}
        self.team = {m: np.full((n_months, n_teams), np.nan) for m in TEAM_METRICS}
        self.by_organisation = ({m: np.full((n_months, n_organisations), np.nan) for m in ORGANISATION_METRICS}
                                if n_organisations > 1 else {})
        self.n_months = n_months
        self.n_teams = n_teams
        self.n_organisations = n_organisations

    def to_frame(self, scenario: str, replication: int, with_teams: bool) -> pd.DataFrame:
        """The tidy long table: scenario, replication, month, team, metric, value."""
        months = np.arange(self.n_months)
        frames = []
        org_rows = list(self.org.items())
        for name, values in self.by_organisation.items():
            org_rows += [(organisation_metric(name, k), values[:, k]) for k in range(self.n_organisations)]
        for name, values in org_rows:
            frames.append(pd.DataFrame({"month": months, "team": pd.array([pd.NA] * self.n_months, dtype="Int16"),
                                        "metric": name, "value": values}))
        if with_teams:
            for name, values in self.team.items():
                frames.append(pd.DataFrame({
                    "month": np.repeat(months, self.n_teams),
                    "team": pd.array(np.tile(np.arange(self.n_teams), self.n_months), dtype="Int16"),
                    "metric": name, "value": values.ravel(),
                }))
        df = pd.concat(frames, ignore_index=True)
        df.insert(0, "replication", np.int32(replication))
        df.insert(0, "scenario", scenario)
        df["month"] = df["month"].astype("int32")
        return df
