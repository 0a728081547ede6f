"""Plain-English names for everything a reader meets: metrics, parameters, interventions,
scenarios and experiments.

One place, so the report, the one-page brief, the Excel tables, ``python -m sim --help``
and ``python -m sim.list`` all say the same thing, and no code name
(``leadership_development``, ``exhaustion.recovery_rate``) reaches a policy reader.

- metrics: the label and unit of ``sim/metric_records.py`` (the record of each metric),
  via :func:`metric_label`, plus a one-line meaning for the contract metrics;
- parameters: :func:`parameter_label` (a written label for the parameters a reader is
  likely to meet; any other key reads as "Section: words");
- interventions: :data:`INTERVENTIONS` (label and one line of what it does);
- scenarios: :func:`scenario_label` reads a scenario name built from group options,
  interventions and swept overrides (``siloed+blame``, ``peer_support&pay_and_terms``,
  ``recovery_rate=0.03``);
- experiments: :data:`EXPERIMENTS` (a title); their questions are read from the
  ``description`` of ``experiments/NAME.yaml`` (:func:`experiment_question`).

``tests/unit/test_glossary.py`` fails when a metric, intervention or experiment has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from sim.config import REPO_ROOT
from sim.metric_records import BY_NAME, metric_label, split_organisation_metric

__all__ = [
    "EXPERIMENTS", "GROUP_OPTIONS", "INTERVENTIONS", "METRIC_MEANINGS", "PARAMETERS", "SECTIONS", "Entry",
    "experiment_question", "experiment_names", "intervention_names", "metric_label", "metric_title",
    "parameter_label", "scenario_label",
]

EXPERIMENTS_DIR = REPO_ROOT / "experiments"
INTERVENTION_DIR = REPO_ROOT / "conf" / "intervention"


@dataclass(frozen=True)
class Entry:
    """A plain-English label and one line on what the thing is or does."""

    label: str
    meaning: str = ""


# --------------------------------------------------------------------------- metrics

#: What each contract metric means, in a line (the label and unit come from the metric records).
METRIC_MEANINGS: dict[str, str] = {
    "vacancy_rate": "funded posts with nobody in them",
    "leaver_rate": "staff leaving the organisation in a year, as a share of headcount",
    "burnout_prevalence": "staff in post who would report feeling burnt out often or always",
    "sickness_absence_rate": "contracted staff-days lost to sickness",
    "patients_per_nurse": "patients per registered nurse on a day shift",
    "missed_care_rate": "patient-days on which some necessary care was left undone",
    "adverse_events_per_1000": "harmful events to patients, whether reported or not",
    "reported_incidents_per_1000": "incidents staff report (more are reported where it is safe to speak up)",
    "psychological_safety": "how safe staff feel to speak up, 0 (not at all) to 1 (fully)",
    "leader_turnover": "ward leaders leaving their post in a year",
    "agency_cost": "spend on bank and agency staff covering gaps",
    "headcount": "staff in post",
}


def metric_title(metric: str) -> str:
    """The plain title of a metric (``'Burnout prevalence'``); also for ``METRIC@orgK`` rows."""
    return metric_label(metric)[0]


# --------------------------------------------------------------------------- interventions

#: Every intervention of ``conf/intervention/`` (``none`` included): its label and what it does.
INTERVENTIONS: dict[str, Entry] = {
    "none": Entry("No intervention", "the organisation as it is (the reference of a comparison)"),
    "leadership_development": Entry(
        "Leadership development", "trains ward leaders in compassionate leadership, in cohorts over two years"),
    "peer_support": Entry(
        "Peer support (Schwartz Rounds)", "staff meet to share the emotional load of care; attenders recover faster"),
    "leader_wellbeing_support": Entry(
        "Wellbeing support for leaders", "coaching and peer support for ward leaders, so they burn out and leave less"),
    "staffing_uplift": Entry("Staffing uplift", "funds 10% more nursing posts on every ward"),
    "pay_and_terms": Entry(
        "Better pay and terms", "pay, flexible working and retention premia: fewer resignations, more applicants"),
    "collaboration_programme": Entry(
        "Collaboration programme", "teams share staff, load and learning with neighbouring wards"),
    "emerging_leaders": Entry(
        "Emerging leaders", "leadership development for staff at every level (\"everyone can lead\")"),
}


def intervention_names() -> list[str]:
    """The interventions in ``conf/intervention/`` (file stems), ``none`` first."""
    names = sorted(p.stem for p in INTERVENTION_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "none")


# --------------------------------------------------------------------------- experiments

#: Every experiment of ``experiments/``: a plain title (the question is the YAML's ``description``).
EXPERIMENTS: dict[str, Entry] = {
    "baseline": Entry("Baseline trust", "an acute trust as it is today, against the national figures"),
    "leadership_2x2": Entry("Four cultures under a demand surge",
                            "compassionate or blaming leaders × collaborative or siloed teams"),
    "culture_change": Entry("Culture change in a blame culture",
                            "leadership development in a blame-culture trust, and how slowly things respond"),
    "demand_growth": Entry("Growing demand", "which leadership culture copes when demand grows 3% a year"),
    "interventions": Entry("Interventions compared", "seven interventions, each against none, with their costs"),
    "ics": Entry("Integrated care system", "five organisations sharing staff and a labour market through a surge"),
    "sensitivity": Entry("Sensitivity analysis",
                         "which uncertain parameters drive the results (Morris screening, then Sobol indices)"),
}


def experiment_names() -> list[str]:
    """The experiments in ``experiments/`` (file stems), the baseline first."""
    names = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "baseline")


def experiment_question(name: str) -> str:
    """The question an experiment answers: its ``description`` without the title before the colon."""
    path = EXPERIMENTS_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    text = str((data or {}).get("description") or "")
    head, sep, rest = text.partition(": ")
    question = rest.strip() if sep and len(head) < 50 else text.strip()
    return question[:1].upper() + question[1:]


# --------------------------------------------------------------------------- scenarios

#: Options of the config groups a scenario name can be made of: (group, option) -> label.
GROUP_OPTIONS: dict[tuple[str, str], str] = {
    ("leadership", "compassionate"): "Compassionate leadership",
    ("leadership", "mixed"): "Mixed leadership",
    ("leadership", "blame"): "Blaming leadership",
    ("collaboration", "collaborative"): "Collaborative teams",
    ("collaboration", "mixed"): "Mixed collaboration",
    ("collaboration", "siloed"): "Siloed teams",
    ("demand", "steady"): "Steady demand",
    ("demand", "growing"): "Demand growing 3% a year",
    ("demand", "shock"): "Demand surge",
    ("organisation", "trust"): "Acute trust",
    ("organisation", "small"): "Small organisation (4 wards)",
    ("organisation", "ics"): "Integrated care system",
}

#: Scenario names that are not a group option or an intervention.
_SCENARIO_WORDS: dict[str, str] = {
    "baseline": "Baseline trust",
    "mixed": "Mixed culture (today's NHS)",
    "compassionate": "Compassionate leadership",
    "blame": "Blaming leadership",
    "collaborative": "Collaborative teams",
    "siloed": "Siloed teams",
}


def _scenario_part(part: str) -> str:
    key, sep, value = part.partition("=")
    if sep:
        return f"{parameter_label(key)} = {value}"
    if part in INTERVENTIONS:
        return INTERVENTIONS[part].label
    if part in _SCENARIO_WORDS:
        return _SCENARIO_WORDS[part]
    if part in EXPERIMENTS:                # a collected sweep is named after its experiment
        return EXPERIMENTS[part].label
    for (_group, option), label in GROUP_OPTIONS.items():
        if option == part:
            return label
    return part.replace("_", " ").capitalize()


def scenario_label(name: str) -> str:
    """A scenario name in words: ``'siloed+blame'`` -> ``'Siloed teams, blaming leadership'``,
    ``'peer_support&pay_and_terms'`` -> ``'Peer support (Schwartz Rounds) with better pay and terms'``."""
    name = str(name)
    if "&" in name:
        parts = [_scenario_part(p) for p in name.split("&")]
        return parts[0] + "".join(" with " + p[0].lower() + p[1:] for p in parts[1:])
    if "+" in name:
        parts = [_scenario_part(p) for p in name.split("+")]
        return parts[0] + "".join(", " + p[0].lower() + p[1:] for p in parts[1:])
    return _scenario_part(name)


# --------------------------------------------------------------------------- parameters

#: Sections of the config, as a reader would name them.
SECTIONS: dict[str, str] = {
    "organisation": "Organisation", "demand": "Demand", "leadership": "Leadership", "collaboration": "Collaboration",
    "staffing": "Staffing", "exhaustion": "Staff exhaustion", "sickness": "Sickness", "leaving": "Leaving",
    "recruitment": "Recruitment", "quality": "Quality of care", "reporting": "Incident reporting",
    "culture": "Team culture", "leader_wellbeing": "Leaders' wellbeing", "reputation": "Employer reputation",
    "labour_market": "System labour market", "mechanisms": "Mechanism switched on",
    "intervention": "Intervention", "outputs": "Outputs", "sensitivity": "Sensitivity analysis",
}

#: Written labels of the parameters a reader meets most: the calibrated ones (the drivers of
#: the results), those the scenario presets and interventions set, and the run settings.
PARAMETERS: dict[str, str] = {
    "seed": "Random seed", "n_replications": "Replications", "years": "Years simulated",
    "warmup_years": "Warm-up years (discarded)", "n_jobs": "Worker processes",
    "exhaustion.recovery_rate": "Daily recovery from exhaustion",
    "exhaustion.base_stress": "Daily stress of the ordinary job",
    "exhaustion.workload_elasticity": "How steeply stress rises with patients per nurse",
    "exhaustion.contagion_stress": "Stress from burnt-out colleagues",
    "exhaustion.leader_support_recovery": "Faster recovery under a supportive leader",
    "exhaustion.peer_support_recovery": "Faster recovery with peer support",
    "exhaustion.bullying_stress": "Stress from bullying",
    "exhaustion.blame_shock": "Exhaustion jump when blamed after an incident",
    "exhaustion.burnout_threshold": "Exhaustion at which staff report burnout",
    "leaving.resignations_per_year": "Resignations a year (typical staff)",
    "leaving.exhaustion_coef": "Effect of exhaustion on resigning",
    "leaving.psychological_safety_coef": "Effect of psychological safety on resigning",
    "leaving.engagement_coef": "Effect of engagement on resigning",
    "leaving.bullying_coef": "Effect of bullying on resigning",
    "leaving.pay_multiplier": "Resignations multiplier (pay and terms)",
    "culture.psafe_timescale_days": "How slowly team culture follows its leader (days)",
    "culture.psafe_min": "Psychological safety under a pure blame leader",
    "culture.psafe_max": "Psychological safety under a fully compassionate leader",
    "sickness.episodes_per_year": "Sickness episodes a year (rested staff)",
    "recruitment.success_prob_rn": "Chance a recruitment round appoints a nurse",
    "recruitment.success_prob_hca": "Chance a recruitment round appoints a healthcare assistant",
    "recruitment.applicant_multiplier": "Appointing chance multiplier (pay and terms)",
    "staffing.agency_fill_share": "Share of gaps covered by bank and agency staff",
    "staffing.safe_patients_per_rn": "Safe patients per registered nurse",
    "quality.adverse_events_per_1000": "Adverse events per 1,000 patient-days at safe staffing",
    "quality.adverse_odds_per_patient": "Odds of an adverse event per extra patient per nurse",
    "leadership.compassion_mean": "Leaders' compassion (0 blaming, 1 compassionate)",
    "leadership.compassion_shift": "Added compassion of every leader",
    "leadership.development_share": "Staff with leadership development",
    "collaboration.collaboration_mean": "Leaders' willingness to collaborate (0 siloed, 1 collaborative)",
    "collaboration.collaboration_shift": "Added willingness to collaborate",
    "organisation.n_teams": "Wards", "organisation.n_organisations": "Organisations in the system",
    "organisation.compassion_offsets": "Leaders' compassion offset of each organisation",
    "demand.growth_per_year": "Demand growth a year",
    "demand.shock_start_month": "Month the demand surge starts", "demand.shock_months": "Length of the surge (months)",
    "demand.shock_multiplier": "Admissions during the surge (× usual)",
    "demand.shock_team_share": "Share of wards hit by the surge",
    "leader_wellbeing.peer_support": "Peer support for leaders",
    "leader_wellbeing.departures_per_year": "Leader departures a year",
    "outputs.summary_months": "Months averaged in the summary",
}

#: Words of parameter names spelt out.
_WORDS: dict[str, str] = {
    "rn": "registered nurse", "hca": "healthcare assistant", "psafe": "psychological safety",
    "los": "length of stay", "cv": "variation", "sd": "spread", "coef": "effect", "prob": "chance",
    "wte": "whole-time equivalent", "ics": "system", "n": "number of",
}


def _words(key: str) -> str:
    return " ".join(_WORDS.get(w, w) for w in key.split("_") if w)


def parameter_label(key: str) -> str:
    """A parameter key in words: the written label, else "Section: words" (``exhaustion.noise_sd``
    -> ``'Staff exhaustion: noise spread'``); intervention settings name their intervention."""
    key = str(key)
    if key in PARAMETERS:
        return PARAMETERS[key]
    parts = key.split(".")
    if parts[0] == "intervention" and len(parts) == 3 and parts[1] in INTERVENTIONS:
        leaf = {"start_month": "start month", "cost_per_staff_year": "cost per staff post a year (£)",
                "enabled": "selected"}.get(parts[2], _words(parts[2]))
        return f"{INTERVENTIONS[parts[1]].label}: {leaf}"
    if len(parts) >= 2 and parts[0] in SECTIONS:
        return f"{SECTIONS[parts[0]]}: {_words(' '.join(parts[1:]).replace(' ', '_'))}"
    text = _words(key.replace(".", "_"))
    return text[:1].upper() + text[1:]


def is_known_metric(metric: str) -> bool:
    """Whether a metric (or its ``@orgK`` row) has a record, hence a written label."""
    return split_organisation_metric(metric)[0] in BY_NAME

