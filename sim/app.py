"""One Hydra job: validate the config, run every replication, write the run folder."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf

from sim import outputs, uncertainty
from sim.config import DEFAULT_SCENARIO, Config, ConfigError, as_dict, compose, flatten, to_config
from sim.evidence import parameter_table
from sim.runner import n_workers, ordered_map, run_replication, run_scenario
from sim.summary import cost_effectiveness, summarise

log = logging.getLogger(__name__)


#: The folder of a single run that holds the config of the baseline it was compared with.
COMPARED_FOLDER = "compared_baseline"


def run_with_baseline(cfg: Config, baseline: Config, label: str = "") -> pd.DataFrame:
    """The baseline's replications, then the run's, in one pool of workers: replication r
    of both uses the same seed (common random numbers) and, with parameter uncertainty,
    the same posterior draw, so their paired differences carry no noise of their own."""
    tasks = [(c, r) for c in (baseline, cfg) for r in range(c.n_replications)]
    frames = ordered_map(run_replication, tasks, workers=n_workers(cfg, len(tasks)),
                         desc=f"{label}{cfg.scenario} and {baseline.scenario}: replications", unit="rep",
                         progress=cfg.progress)
    return pd.concat(frames, ignore_index=True)


def run_to_folder(cfg: Config, run_dir: Path, report: bool = True, label: str = "",
                  baseline: Config | None = None) -> pd.DataFrame:
    """Run the scenario and write the output contract into ``run_dir``.

    With ``baseline`` (a single run that changes the baseline) the baseline is run
    alongside under common random numbers, its rows come first in the outputs and the
    summary's differences are taken against it; its config is kept in ``compared_baseline/``.

    Files appear only when complete (atomic rename); ``status.json`` says ``running``
    until everything is written. If anything fails or the run is interrupted (Ctrl-C,
    SIGTERM, a full disk), at any phase including the report, every result written so
    far is removed and ``status.json`` says ``failed`` with the error: a failed folder
    never holds a timeseries, summary or report that could be mistaken for results.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    outputs.discard_results(run_dir)          # an earlier run's results must not outlive this one
    started = outputs.now_iso()
    outputs.write_status(run_dir, "running", scenario=cfg.scenario)
    try:
        resolved = as_dict(cfg)
        outputs.write_text(run_dir / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(resolved)))
        outputs.write_csv(run_dir / "parameters.csv", parameter_table(resolved))
        if cfg.outputs.individuals:
            from sim import individuals  # noqa: PLC0415

            ts, tables = individuals.run_scenario(cfg, label)
            individuals.write_tables(run_dir, tables)
            if baseline is not None:
                ts = pd.concat([run_scenario(baseline, label), ts], ignore_index=True)
        elif baseline is not None:
            ts = run_with_baseline(cfg, baseline, label)
        else:
            ts = run_scenario(cfg, label)
        drawn = {cfg.scenario: cfg.parameter_uncertainty}
        if baseline is not None:
            compared = run_dir / COMPARED_FOLDER
            compared.mkdir(exist_ok=True)
            outputs.write_text(compared / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(as_dict(baseline))))
            drawn[baseline.scenario] = baseline.parameter_uncertainty
        outputs.write_parquet(run_dir / "timeseries.parquet", ts)
        summary = summarise(ts, reference=baseline.scenario if baseline is not None else cfg.reference_scenario,
                            months=cfg.outputs.summary_months, uncertainty=drawn)
        outputs.write_csv(run_dir / "summary.csv", summary)
        if baseline is not None:            # a costed change of the baseline: its return on investment
            ce = cost_effectiveness(ts, reference=baseline.scenario, months=cfg.outputs.summary_months)
            if not ce.empty:
                outputs.write_csv(run_dir / "cost_effectiveness.csv", ce)
        outputs.write_json(run_dir / "provenance.json",
                           outputs.provenance(cfg.seed, cfg.n_replications, started, outputs.now_iso()))
        if report:
            _report(run_dir)
        outputs.write_status(run_dir, "completed", scenario=cfg.scenario, started=started)
    except BaseException as exc:
        outputs.discard_results(run_dir)       # first: frees the space a full disk needs for the status
        outputs.mark_failed(run_dir, f"{type(exc).__name__}: {exc}", scenario=cfg.scenario)
        raise
    log.info("completed: %s%s", run_dir, " (open report.html)" if report else "")
    return ts


def _report(run_dir: Path) -> None:
    from sim.report import build_report  # noqa: PLC0415 - matplotlib only when a report is drawn

    build_report(run_dir)


def is_completed(run_dir: Path) -> bool:
    """Status ``completed`` (a resume then checks the files with :func:`damaged_files`)."""
    try:
        return json.loads((run_dir / "status.json").read_text())["status"] == "completed"
    except (OSError, ValueError, KeyError, TypeError):
        return False


def damaged_files(run_dir: Path) -> str | None:
    """Why a completed job's files cannot be used (missing or unreadable), or None if they can.

    A resume re-runs such a job instead of trusting its status: a file damaged after the
    run (a full disk, a copy cut short, a hand edit) would otherwise end up in the summary.
    """
    try:
        yaml.safe_load((run_dir / "config.yaml").read_text())
        pd.read_csv(run_dir / "summary.csv")
        ts = pd.read_parquet(run_dir / "timeseries.parquet")
    except Exception as exc:  # noqa: BLE001 - any reading error means the same: re-run
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if ts.empty or not {"scenario", "replication", "month", "metric", "value"} <= set(ts.columns):
        return "timeseries.parquet has no rows or misses columns"
    return None


#: Settings that do not change a job's results: a resume may change them freely.
RESUME_FREE_KEYS = {"resume", "progress", "n_jobs", "description"}


def config_differences(stored: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Keys whose values differ between a completed job's stored config and the new one,
    as ``key (old -> new)``; settings that do not change results are left out."""
    old_flat, new_flat = flatten(stored), flatten(new)
    diffs = []
    for key in sorted(set(old_flat) | set(new_flat)):
        if key.split(".", 1)[0] in RESUME_FREE_KEYS:
            continue
        a, b = old_flat.get(key, "<absent>"), new_flat.get(key, "<absent>")
        if a != b:
            diffs.append(f"{key} ({a!r} -> {b!r})")
    return diffs


def resume_conflict(cfg: Config, run_dir: Path) -> str | None:
    """With ``resume=true``: why a completed job in ``run_dir`` may not be kept with the new
    settings (its stored config differs), or None. A job that is not completed is re-run."""
    if not is_completed(run_dir):
        return None
    try:
        stored = yaml.safe_load((run_dir / "config.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return None                             # damaged: re-run, see damaged_files
    if not isinstance(stored, dict):
        return None
    diffs = config_differences(stored, as_dict(cfg))
    if not diffs:
        return None
    shown = ", ".join(diffs[:6]) + (f" and {len(diffs) - 6} more" if len(diffs) > 6 else "")
    return (f"resume: {run_dir} was completed with other settings: {shown}; resume with the same settings, "
            "or run into a new folder")


#: Overrides that do not make a scenario (they are the same across a sweep's jobs).
NOT_SCENARIO_KEYS = {"experiment", "seed", "n_replications", "n_jobs", "years", "progress", "resume",
                     "parameter_uncertainty", "posterior", "compare_with_baseline", "question"}


GROUPS = {"organisation", "demand", "leadership", "collaboration", "intervention", "trust"}


def scenario_from_overrides(task_overrides: list[str], swept: set[str] | None = None) -> str:
    """A sweep job's scenario name from its scenario-defining overrides.

    Group choices give their option (``leadership=blame`` -> ``blame``; a list
    ``intervention=[a,b]`` -> ``a&b``), parameters give ``leaf=value``; parts are sorted
    by key and joined with ``+``, e.g. ``blame+siloed``.
    """
    parts = []
    for o in sorted(x.lstrip("+~") for x in task_overrides):
        key, _, value = o.partition("=")
        if key.startswith("hydra") or key.split(".")[0] in NOT_SCENARIO_KEYS or key == "scenario":
            continue
        if swept is not None and key not in swept:
            continue
        value = value.strip("[]").replace(",", "&").replace(" ", "")
        if key == "trust_file":                   # trust=PATH: named after the file
            parts.append(Path(value.strip("'\"")).stem)
            continue
        parts.append(value if key in GROUPS else f"{key.rsplit('.', 1)[-1]}={value}")
    # a name is a folder name and a label: characters outside the safe set become '_'
    return re.sub(r"[^A-Za-z0-9_.+&=-]", "_", "+".join(parts)).lstrip(".+&=-")


def single_run_name(scenario: str, task_overrides: list[str]) -> str:
    """The scenario name of a single run: the baseline changed by command-line overrides
    (``organisation=ics``, ``leadership=blame``) is named after them (``ics``, ``blame``),
    so that its folder, output rows and report do not pass it off as the baseline. A name
    set with ``scenario=`` or by an experiment is kept."""
    if scenario != DEFAULT_SCENARIO or any(o.lstrip("+~").startswith("scenario=") for o in task_overrides):
        return scenario
    return scenario_from_overrides(task_overrides) or scenario


def _hydra_run_name(scenario: str) -> str:
    """``${sim.run_name:${scenario}}`` in ``hydra.run.dir``: the folder is named like the run."""
    from hydra.core.hydra_config import HydraConfig  # noqa: PLC0415 - only when Hydra resolves its run dir

    if not HydraConfig.initialized():
        return scenario
    return single_run_name(scenario, list(HydraConfig.get().overrides.task))


OmegaConf.register_new_resolver("sim.run_name", _hydra_run_name, replace=True)


def prepare(cfg: DictConfig, task_overrides: list[str] | None = None, swept: set[str] | None = None,
            single_overrides: list[str] | None = None) -> Config:
    """Name a job's scenario and validate it: the one path from a composed config to the
    typed one, used by ``python -m sim`` before Hydra starts (every job of a sweep) and by
    each job, so that what was checked is what runs.

    In a sweep (``task_overrides`` given) the scenario is named from the job's overrides,
    so every job of a sweep has its own name in the collected outputs. A single run with
    scenario-changing overrides (``single_overrides``) is named after them, and its
    description says what it changes.
    """
    if task_overrides is not None and (name := scenario_from_overrides(task_overrides, swept)):
        cfg.scenario = name
    elif task_overrides is None and single_overrides:
        name = single_run_name(cfg.scenario, single_overrides)
        if name != cfg.scenario:
            changes = [o for o in single_overrides if scenario_from_overrides([o])]
            cfg.description = f"{cfg.description} This run changes it: {', '.join(changes)}."
            cfg.scenario = name
            policy = [o for o in changes if o.lstrip("+~").split("=")[0].split(".")[0] not in KEPT_FOR_BASELINE]
            if cfg.question.answer == "targets" and policy:   # the baseline's question is not this run's
                cfg.question.answer = "difference"
                cfg.question.text = f"What does changing the baseline ({', '.join(policy)}) do?"
    typed = to_config(cfg)
    uncertainty.check(typed)
    return typed


#: Overrides of a single run that set where and how it runs rather than what it changes:
#: the baseline it is compared with keeps them (the organisation too: the comparison is
#: the same organisation under the baseline's culture, demand and interventions).
#: Overrides the compared baseline keeps: the run's organisation (a trust profile is the
#: trust's own baseline, so ``trust=example`` alone is not doubled and ``trust=example
#: leadership=blame`` is compared with that trust), size, seed and outputs.
KEPT_FOR_BASELINE = ("organisation", "trust", "trust_file", "seed", "n_replications", "n_jobs", "years", "warmup_years",
                     "progress", "resume", "parameter_uncertainty", "posterior", "outputs", "mechanisms")


def baseline_overrides(single_overrides: list[str]) -> list[str] | None:
    """The overrides of the baseline a single run is compared with, or None when the run
    is the baseline itself (no scenario-changing override), is named by hand
    (``scenario=``) or runs an experiment (which has its own question)."""
    keys = [o.lstrip("+~").partition("=")[0] for o in single_overrides]
    if any(k in ("experiment", "scenario") for k in keys):
        return None
    kept = [o for o, k in zip(single_overrides, keys, strict=True)
            if k.startswith("hydra") or k.split(".")[0].split("/")[0] in KEPT_FOR_BASELINE]
    changed = [o for o in single_overrides if o not in kept and scenario_from_overrides([o])]
    if not changed:
        return None
    return [o for o in kept if not o.lstrip("+~").startswith("hydra")] + [f"scenario={DEFAULT_SCENARIO}"]


def comparison_baseline(cfg: Config, single_overrides: list[str] | None) -> Config | None:
    """The validated baseline a single run is run alongside (``compare_with_baseline``), or None."""
    if not cfg.compare_with_baseline or not single_overrides or cfg.analysis != "scenario":
        return None
    overrides = baseline_overrides(single_overrides)
    if overrides is None:
        return None
    base = prepare(compose(overrides))
    return None if base.scenario == cfg.scenario else base


def run_job(cfg: DictConfig, run_dir: Path, task_overrides: list[str] | None = None,
            swept: set[str] | None = None, label: str = "",
            single_overrides: list[str] | None = None) -> pd.DataFrame | None:
    """Validate and run one job, holding the folder's lock; with ``resume=true`` a completed
    job is skipped if it was run with the same settings and its files are sound."""
    typed = prepare(cfg, task_overrides, swept, single_overrides)
    outputs.acquire_lock(run_dir)               # FolderLocked: another run writes here
    try:
        if typed.resume and is_completed(run_dir):
            conflict = resume_conflict(typed, run_dir)
            if conflict:
                raise ConfigError(conflict)
            damage = damaged_files(run_dir)
            if damage is None:
                log.info("resume: %s already completed, skipped", run_dir)
                return None
            log.warning("resume: %s said completed but its files are damaged (%s); running it again", run_dir, damage)
        if typed.analysis == "sensitivity":
            from sim.sensitivity import run_sensitivity  # noqa: PLC0415 - SALib only when asked for

            run_sensitivity(typed, run_dir)
            return None
        baseline = comparison_baseline(typed, single_overrides) if task_overrides is None else None
        seconds = estimate_seconds(typed) + (estimate_seconds(baseline) if baseline is not None else 0.0)
        log.info("scenario %s: %d replications x %g years -> %s (estimated %s)%s", typed.scenario,
                 typed.n_replications, typed.years, run_dir, format_duration(seconds),
                 f"; compared with {baseline.scenario}, run alongside under common random numbers"
                 if baseline is not None else "")
        # In a sweep the collected report (sweep folder) shows every job; `python -m sim.report
        # DIR/<job>` still builds one for a single job on demand.
        return run_to_folder(typed, run_dir, report=task_overrides is None, label=label, baseline=baseline)
    finally:
        outputs.release_lock(run_dir)


#: Seconds of one CPU core per staff member per simulated year, warm-up included (measured
#: after the compiled kernels of issue 15: a 1,000-staff trust simulates 13 years in ~1.5 s
#: of CPU, ~1.1e-4; `make run` took 16 s for 10 replications on 2 cores; rounded up for a
#: loaded machine, so estimates err long).
SECONDS_PER_STAFF_YEAR = 4e-4


def estimate_seconds(cfg: Config) -> float:
    """Rough wall-clock time of a run: replications x years x staff, over the worker processes."""
    o = cfg.organisation
    posts = (sum(w.rn_posts + w.hca_posts for w in o.wards) if o.wards else
             o.n_organisations * o.n_teams * (o.rn_posts_per_team + o.hca_posts_per_team))
    staff = posts * o.establishment_multiplier
    workers = min(cfg.n_replications, cfg.n_jobs if cfg.n_jobs > 0 else (os.cpu_count() or 1))
    return cfg.n_replications * (cfg.years + cfg.warmup_years) * staff * SECONDS_PER_STAFF_YEAR / max(1, workers)


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"~{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"~{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"~{seconds / 3600:.1f} h"
    return f"~{seconds / 86400:.0f} days"
