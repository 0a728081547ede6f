"""One Hydra job: validate the config, run every replication, write the run folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim import outputs
from sim.config import DEFAULT_SCENARIO, Config, ConfigError, as_dict, to_config
from sim.evidence import parameter_table
from sim.runner import run_scenario
from sim.summary import summarise

log = logging.getLogger(__name__)


def run_to_folder(cfg: Config, run_dir: Path, report: bool = True, label: str = "") -> pd.DataFrame:
    """Run the scenario and write the output contract into ``run_dir``.

    Files appear only when complete (atomic rename); ``status.json`` says ``running``
    until everything is written, ``failed`` with the error if anything raised.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
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
        else:
            ts = run_scenario(cfg, label)
        outputs.write_parquet(run_dir / "timeseries.parquet", ts)
        summary = summarise(ts, reference=cfg.reference_scenario, months=cfg.outputs.summary_months)
        outputs.write_csv(run_dir / "summary.csv", summary)
        outputs.write_json(run_dir / "provenance.json",
                           outputs.provenance(cfg.seed, cfg.n_replications, started, outputs.now_iso()))
        if report:
            _report(run_dir)
    except BaseException as exc:
        outputs.write_status(run_dir, "failed", scenario=cfg.scenario, error=f"{type(exc).__name__}: {exc}")
        raise
    outputs.write_status(run_dir, "completed", scenario=cfg.scenario, started=started)
    log.info("completed: %s%s", run_dir, " (open report.html)" if report else "")
    return ts


def _report(run_dir: Path) -> None:
    from sim.report import build_report  # noqa: PLC0415 - matplotlib only when a report is drawn

    build_report(run_dir)


def is_completed(run_dir: Path) -> bool:
    try:
        return json.loads((run_dir / "status.json").read_text())["status"] == "completed"
    except (OSError, ValueError, KeyError):
        return False


#: Overrides that do not make a scenario (they are the same across a sweep's jobs).
NOT_SCENARIO_KEYS = {"experiment", "seed", "n_replications", "n_jobs", "years", "progress", "resume"}


GROUPS = {"organisation", "demand", "leadership", "collaboration", "intervention"}


def scenario_from_overrides(task_overrides: list[str], swept: set[str] | None = None) -> str:
    """A sweep job's scenario name from its scenario-defining overrides.

    Group choices give their option (``leadership=blame`` -> ``blame``; a list
    ``intervention=[a,b]`` -> ``a&b``), parameters give ``leaf=value``; parts are sorted
    by key and joined with ``+``, e.g. ``blame+siloed``.
    """
    parts = []
    for o in sorted(x.lstrip("+~") for x in task_overrides):
        key, _, value = o.partition("=")
        if key.startswith("hydra") or key in NOT_SCENARIO_KEYS or key == "scenario":
            continue
        if swept is not None and key not in swept:
            continue
        value = value.strip("[]").replace(",", "&").replace(" ", "")
        parts.append(value if key in GROUPS else f"{key.rsplit('.', 1)[-1]}={value}")
    return "+".join(parts)


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


def run_job(cfg: DictConfig, run_dir: Path, task_overrides: list[str] | None = None,
            swept: set[str] | None = None, label: str = "",
            single_overrides: list[str] | None = None) -> pd.DataFrame | None:
    """Validate and run one job; with ``resume=true`` a completed job is skipped.

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
    try:
        typed = to_config(cfg)
    except ConfigError as exc:
        outputs.write_status(run_dir, "failed", error=str(exc))
        raise
    if typed.resume and is_completed(run_dir):
        log.info("resume: %s already completed, skipped", run_dir)
        return None
    if typed.analysis == "sensitivity":
        from sim.sensitivity import run_sensitivity  # noqa: PLC0415 - SALib only when asked for

        run_sensitivity(typed, run_dir)
        return None
    log.info("scenario %s: %d replications x %g years -> %s", typed.scenario, typed.n_replications, typed.years, run_dir)
    # In a sweep the collected report (sweep folder) shows every job; `python -m sim.report
    # DIR/<job>` still builds one for a single job on demand.
    return run_to_folder(typed, run_dir, report=task_overrides is None, label=label)
