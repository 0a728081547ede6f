"""The output contract of shared/MODEL.md: metric names and monthly collection."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Organisation-level metrics of the contract (shared/MODEL.md, "Outputs").
CONTRACT_METRICS: tuple[str, ...] = (
    "vacancy_rate", "leaver_rate", "burnout_prevalence", "sickness_absence_rate",
    "patients_per_nurse", "missed_care_rate", "adverse_events_per_1000",
    "reported_incidents_per_1000", "psychological_safety", "leader_turnover",
    "agency_cost", "headcount",
)

#: Further organisation-level metrics, so every mechanism is visible in the outputs.
EXTRA_METRICS: tuple[str, ...] = (
    "hires", "leavers", "resignations", "retirements", "admissions", "discharges",
    "patients_in_beds", "patient_days", "adverse_events", "reported_incidents",
    "blamed_incidents", "learned_incidents", "agency_cover_share", "mutual_aid_rn",
    "exhaustion_mean", "engagement_mean", "bullying_prevalence", "learning",
    "leader_exhaustion", "leader_compassion", "leader_vacancies", "reputation",
    "establishment", "demand_index", "intervention_cost", "transfers", "cross_organisation_aid_rn",
)

#: Metrics also written per organisation of an integrated care system (``n_organisations``
#: > 1), as organisation-level rows named ``METRIC@orgK`` (K = 1, 2, ...), so that the
#: contract's rows (``team`` null, plain names) stay the whole system's.
ORGANISATION_METRICS: tuple[str, ...] = (
    "vacancy_rate", "leaver_rate", "burnout_prevalence", "patients_per_nurse", "missed_care_rate",
    "adverse_events_per_1000", "psychological_safety", "reputation", "transfers_in", "transfers_out", "headcount",
    "establishment",
)


def organisation_metric(metric: str, organisation: int) -> str:
    """The row name of a metric of one organisation (0-based index) of the system."""
    return f"{metric}@org{organisation + 1}"


def split_organisation_metric(name: str) -> tuple[str, int | None]:
    """``'vacancy_rate@org2'`` -> ``('vacancy_rate', 2)``; a system metric -> ``(name, None)``."""
    base, sep, org = name.partition("@org")
    return (base, int(org)) if sep and org.isdigit() else (name, None)

#: Metrics also written per team (``team`` column not null). ``patient_days`` and
#: ``staff_in_post`` (mean daily staff in post) are the denominators of the team's rates,
#: so that team-months can be weighted or turned back into counts (calibration estimators).
TEAM_METRICS: tuple[str, ...] = (
    "vacancy_rate", "burnout_prevalence", "patients_per_nurse", "missed_care_rate",
    "adverse_events_per_1000", "psychological_safety", "patient_days", "staff_in_post",
)


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
