"""The glossary (sim/glossary.py) names every metric, intervention and experiment in plain words."""

from __future__ import annotations

import re

import pytest

from sim import glossary
from sim.config import flatten
from sim.list import _default_config
from sim.metric_records import RECORDS

CODE_NAME = re.compile(r"[a-z]+_[a-z]+|\b[a-z_]+\.[a-z_]+\b")  # snake_case or dotted keys


def test_every_metric_has_a_plain_label_and_unit() -> None:
    for rec in RECORDS:
        title, unit = glossary.metric_label(rec.name)
        assert title and unit and not CODE_NAME.search(title) and not CODE_NAME.search(unit), rec.name
        assert "(true)" not in unit
    for metric in glossary.METRIC_MEANINGS:
        assert metric in {r.name for r in RECORDS if r.contract}
    assert set(glossary.METRIC_MEANINGS) == {r.name for r in RECORDS if r.contract}


def test_every_intervention_and_experiment_has_an_entry() -> None:
    interventions = glossary.intervention_names()
    assert "none" in interventions and len(interventions) >= 8
    for name in interventions:
        entry = glossary.INTERVENTIONS[name]
        assert entry.label and entry.meaning and not CODE_NAME.search(entry.label), name
    assert set(glossary.INTERVENTIONS) == set(interventions), "an entry without a conf/intervention file"
    experiments = glossary.experiment_names()
    assert experiments[0] == "baseline" and len(experiments) >= 7
    for name in experiments:
        assert glossary.EXPERIMENTS[name].label, name
        question = glossary.experiment_question(name)
        assert question.endswith("?") and question[0].isupper(), (name, question)
    assert set(glossary.EXPERIMENTS) == set(experiments), "an entry without an experiment file"


@pytest.mark.parametrize(("name", "label"), [
    ("siloed+blame", "Siloed teams, blaming leadership"),
    ("collaborative+compassionate", "Collaborative teams, compassionate leadership"),
    ("leadership_development", "Leadership development"),
    ("peer_support&pay_and_terms", "Peer support (Schwartz Rounds) with better pay and terms"),
    ("none", "No intervention"),
    ("mixed", "Mixed culture (today's NHS)"),
    ("leadership_2x2", "Four cultures under a demand surge"),
    ("recovery_rate=0.03", "Recovery rate = 0.03"),
    ("exhaustion.recovery_rate=0.03", "Daily recovery from exhaustion = 0.03"),
])
def test_scenario_names_in_words(name: str, label: str) -> None:
    assert glossary.scenario_label(name) == label


def test_every_parameter_reads_in_words() -> None:
    keys = [k for k in flatten(_default_config()) if not k.startswith("hydra")]
    assert "exhaustion.recovery_rate" in keys
    for key in keys:
        label = glossary.parameter_label(key)
        assert label and "_" not in label and ("." not in key or key not in label), (key, label)
    assert glossary.parameter_label("intervention.peer_support.cost_per_staff_year") == \
        "Peer support (Schwartz Rounds): cost per staff post a year (£)"
    assert glossary.parameter_label("exhaustion.noise_sd") == "Staff exhaustion: noise spread"
