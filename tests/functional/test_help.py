"""``python -m sim --help`` and ``python -m sim.list`` say what there is to run, in words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim import glossary
from sim import list as sim_list

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def help_out() -> str:
    done = run("sim", "--help")
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())   # wrapped lines joined: a question reads in one piece


def test_help_lists_every_experiment_with_its_question(help_out: str) -> None:
    for name in glossary.experiment_names():
        assert f" {name} " in help_out, name
        assert " ".join(glossary.experiment_question(name).split()) in help_out, name


def test_help_lists_every_intervention_with_what_it_does(help_out: str) -> None:
    for name in glossary.intervention_names():
        entry = glossary.INTERVENTIONS[name]
        assert f" {name} " in help_out and f"{entry.label}: {entry.meaning}" in help_out, name
    assert "per staff post a year" in help_out
    assert "python -m sim --help-hydra" in help_out and "python -m sim.list parameters" in help_out


def test_hydra_help_stays_reachable() -> None:
    done = run("sim", "--help-hydra")
    assert done.returncode == 0, done.stderr
    assert "Configuration groups" in done.stdout and "leadership: blame, compassionate, mixed" in done.stdout


def test_list_parameters_with_their_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_list.main(["parameters"]) == 0
    out = capsys.readouterr().out
    assert "exhaustion.recovery_rate = 0.02" in out and "Daily recovery from exhaustion" in out
    assert "daily recovery of exhaustion (~50 day time constant) without support (assumption)" in out
    assert "NICE SG1 (2014)" in out       # staffing.safe_patients_per_rn's evidence
    assert "Experiments (" not in out     # only the topic asked for


def test_list_everything_and_refuse_an_unknown_topic(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_list.main([]) == 0
    out = capsys.readouterr().out
    assert "Experiments (" in out and "Interventions (" in out and "Parameters (" in out
    assert sim_list.main(["drugs"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown topic 'drugs'")
