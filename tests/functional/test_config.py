"""Every config composes; bad input is refused with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException, HydraException
from omegaconf.errors import ConfigKeyError, ValidationError

from sim.config import EXPERIMENTS_DIR, REPO_ROOT, ConfigError, load_config

GROUPS = {g: sorted(p.stem for p in (REPO_ROOT / "conf" / g).glob("*.yaml"))
          for g in ("organisation", "demand", "leadership", "collaboration")}


@pytest.mark.parametrize(("group", "option"), [(g, o) for g, opts in GROUPS.items() for o in opts])
def test_every_group_option_composes(group: str, option: str) -> None:
    cfg = load_config([f"{group}={option}"])
    assert getattr(cfg, group).name == option


@pytest.mark.parametrize("name", sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml")))
def test_every_experiment_composes(name: str) -> None:
    assert load_config([f"experiment={name}"]).scenario


def test_required_options_exist() -> None:
    assert {"compassionate", "blame", "mixed"} <= set(GROUPS["leadership"])
    assert {"siloed", "collaborative"} <= set(GROUPS["collaboration"])
    assert {"small", "trust"} <= set(GROUPS["organisation"])
    assert {"steady", "growing"} <= set(GROUPS["demand"])
    assert (EXPERIMENTS_DIR / "baseline.yaml").exists()


def test_default_is_the_baseline() -> None:
    assert load_config([]) == load_config(["experiment=baseline"])


def test_trust_is_about_a_thousand_staff() -> None:
    o = load_config(["organisation=trust"]).organisation
    assert 900 <= o.n_teams * (o.rn_posts_per_team + o.hca_posts_per_team) <= 1100


def test_every_parameter_has_an_evidence_comment() -> None:
    from sim.config import as_dict
    from sim.evidence import parameter_table
    table = parameter_table(as_dict(load_config([])))
    missing = table[(table["evidence"] == "") & ~table["key"].str.startswith(("mechanisms.", "outputs.", "hydra"))
                    & ~table["key"].isin(["scenario", "description", "reference_scenario", "seed", "n_replications",
                                          "years", "n_jobs", "progress", "organisation.name", "demand.name",
                                          "leadership.name", "collaboration.name"])]
    assert missing.empty, missing["key"].tolist()


@pytest.mark.parametrize(("override", "error"), [
    ("exhaustion.recovery_rat=0.1", (ConfigCompositionException, ConfigKeyError)),   # typo
    ("n_replications=many", (ConfigCompositionException, ValidationError)),           # wrong type
    ("leadership=tyrannical", (HydraException,)),                                      # unknown option
    ("experiment=nonexistent", (HydraException,)),                                     # unknown experiment
])
def test_composition_rejects(override: str, error: tuple[type[Exception], ...]) -> None:
    with pytest.raises(error):
        load_config([override])


@pytest.mark.parametrize(("override", "named"), [
    ("+exhaustion.recovery_rat=0.1", "exhaustion.recovery_rat"),
    ("+colour=blue", "colour"),
    ("organisation.rn_posts_per_team=-5", "organisation.rn_posts_per_team"),
    ("reporting.report_prob_max=1.5", "reporting.report_prob_max"),
    ("n_replications=0", "n_replications"),
    ("+schedule=[{month: 500, key: leaving.pay_multiplier, value: 0.5}]", "schedule[0].month"),
    ("+schedule=[{month: 1, key: leaving.nonsense, value: 0.5}]", "schedule[0].key"),
    ("organisation.compassion_offsets=[0.1,0.2]", "organisation.compassion_offsets"),   # one per organisation
    ("organisation.compassion_offsets=[2]", "organisation.compassion_offsets[0]"),
])
def test_validation_names_the_key(override: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_config([override])


@pytest.mark.parametrize(("override", "named"), [
    ("exhaustion.recovery_rat=0.1", "exhaustion.recovery_rat"),          # unknown key (typo)
    ("+colour=blue", "colour"),                                          # unknown key, added with +
    ("n_replications=many", "n_replications"),                           # wrong type
    ("organisation.rn_posts_per_team=-5", "organisation.rn_posts_per_team"),  # negative staff
    ("reporting.report_prob_max=1.5", "reporting.report_prob_max"),      # probability outside 0-1
    ("n_replications=0", "n_replications"),                              # zero replications
    ("intervention=peer_support intervention.peer_support.start_month=500", "start_month"),  # after the horizon
    ("organisation.compassion_offsets=[0.1,0.2]", "organisation.compassion_offsets"),  # not one per organisation
    ("leadership=tyrannical", "leadership/tyrannical"),                  # unknown group option
    ("experiment=nonexistent", "experiment/nonexistent"),                # unknown experiment
])
def test_cli_bad_input_exits_2_with_one_line_and_no_results(override: str, named: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "organisation=small", *override.split(),
                           f"hydra.run.dir={out}"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 2
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and named in lines[0] and ("allowed" in lines[0] or "convert" in lines[0]), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("value", ["-1", "51"])
def test_warmup_years_out_of_range_names_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match="warmup_years"):
        load_config([f"warmup_years={value}"])


def test_leadership_development_rolls_out_in_monthly_cohorts() -> None:
    from sim.config import scheduled_changes
    cfg = load_config(["intervention=leadership_development", "intervention.leadership_development.start_month=6",
                       "intervention.leadership_development.rollout_months=4",
                       "intervention.leadership_development.compassion_shift=0.2"])
    steps = [(c.month, c.key, c.value) for c in scheduled_changes(cfg)]
    assert steps == [(m, "leadership.compassion_shift", pytest.approx(0.05 * (m - 5))) for m in (6, 7, 8, 9)]
