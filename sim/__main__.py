"""``python -m sim [experiment=NAME] [overrides]``: run a scenario (or a sweep) with Hydra.

Exit codes, as in every ``sim`` command: 0 success; 1 a result-level failure (a failed,
missing or damaged job, a collection that failed, an interrupted run); 2 bad usage or
input. Errors are one line on stderr; ``SIM_DEBUG=1`` shows the traceback.

Before Hydra starts (and creates any output folder) every job is composed, named and
validated exactly as it will run, for a single run and for each job of a sweep (``-m``
or an experiment's ``hydra.sweeper.params``); the output folder is checked (writable,
not locked by another run); a resume is checked against the completed jobs' stored
settings; and a run far larger than usual is refused unless ``force=true``. After Hydra
returns, a sweep is collected here, so a failed collection is the exit status.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, NoReturn

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import MissingConfigException, OverrideParseException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import ConfigKeyError, ValidationError

from sim import outputs
from sim.app import estimate_seconds, format_duration, prepare, resume_conflict, run_job
from sim.collect import ACTIVE_SWEEP, collect_active, expected_jobs, job_folders, swept_keys
from sim.config import (
    INTERVENTION_EFFECTS,
    Config,
    ConfigError,
    compose,
    list_item_type,
    register_configs,
    rewrite_trust_overrides,
    section_type,
)

register_configs()
# conf/hydra/launcher/ray.yaml shares the Ray plugin's config name on purpose (hydra/launcher=ray
# means ours); Hydra's deprecation notice about matching it to the plugin's schema is noise.
warnings.filterwarnings("ignore", message=r"\s*'hydra/launcher/ray' is validated against ConfigStore schema")

#: Above this many replications a run is refused unless ``force=true``: 10-100 give
#: intervals of a percentage point or two (docs/engineering.md, "How many replications?"); far more is
#: almost always a typo, and would hold the machine for hours.
MAX_REPLICATIONS = 1000

#: Hydra flags this module handles itself; any other flag (--cfg, --info, --hydra-help ...) is Hydra's.
SWEEP_FLAGS = ("-m", "--multirun")

#: ``--help`` prints the model's own guide (experiments with their questions, interventions with
#: what they do: :func:`sim.list.help_text`); Hydra's app help stays reachable as ``--help-hydra``.
HELP_FLAGS = ("--help", "-h")
HYDRA_HELP_FLAG = "--help-hydra"


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def _schema_node(dotted: str) -> tuple[type, dataclasses.Field | None]:
    """The schema dataclass holding the last part of ``dotted``, and that part's field."""
    node: type = Config
    parts = dotted.split(".")
    for part in parts[:-1]:
        name = part.split("[", 1)[0]
        fields = {f.name: f for f in dataclasses.fields(node)}
        if name not in fields:
            return node, None
        sub = section_type(fields[name]) or list_item_type(fields[name], node)
        if sub is None:
            return node, None
        node = sub
    leaf = {f.name: f for f in dataclasses.fields(node)}.get(parts[-1].split("[", 1)[0])
    return node, leaf


def _allowed_keys(dotted: str) -> str:
    """The keys the schema allows beside ``dotted`` (for 'unknown key' messages), also
    inside list entries (``schedule[0].foo``)."""
    node, _ = _schema_node(dotted)
    return ", ".join(sorted(f.name for f in dataclasses.fields(node)))


def _list_holding(item: object, node: type = Config, prefix: str = "") -> str | None:
    """The dotted name of the schema's list whose entries are ``item`` dataclasses
    (``schedule``, ``sensitivity.parameters``), or None."""
    if not isinstance(item, type) or not dataclasses.is_dataclass(item):
        return None
    for f in dataclasses.fields(node):
        if list_item_type(f, node) is item:
            return prefix + f.name
        sub = section_type(f)
        if sub is not None and (found := _list_holding(item, sub, f"{prefix}{f.name}.")):
            return found
    return None


def describe(exc: BaseException) -> str:
    """One line for a Hydra / OmegaConf composition error."""
    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, MissingConfigException):
        first = str(exc).splitlines()[0].replace("In 'config': ", "")
        options = ", ".join(exc.options or [])
        return f"{first}; allowed: {options}" if options else first
    if isinstance(exc, OverrideParseException):
        return " ".join(str(exc).splitlines()[:2])
    cause = exc.__cause__ or exc
    if isinstance(cause, ConfigKeyError | AttributeError) and getattr(cause, "full_key", None):
        key = str(cause.full_key)
        owner = getattr(cause, "object_type", None)
        if "." not in key and (where := _list_holding(owner)):
            # inside a list entry (schedule=[{...}]): OmegaConf names only the leaf
            allowed = ", ".join(sorted(f.name for f in dataclasses.fields(owner)))
            return f"unknown key '{key}' in an entry of {where}; allowed here: {allowed}"
        return f"unknown key '{key}'; allowed here: {_allowed_keys(key)}"
    if isinstance(cause, ValidationError):
        return f"{cause.full_key}: {str(cause.msg).splitlines()[0]}"
    lines = [x for x in str(exc).splitlines() if x.strip()]
    return lines[0] if lines else type(exc).__name__


@dataclasses.dataclass
class Plan:
    """What ``python -m sim`` is about to run, as validated before Hydra starts."""

    sweeping: bool
    jobs: list[list[str]]                 # each job's overrides (Hydra's task overrides)
    configs: list[Config]
    folder: Path | None                   # hydra.run.dir / hydra.sweep.dir if given


def _is_hydra(override: str) -> bool:
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def _last_value(overrides: list[str], key: str) -> str | None:
    values = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == key and "=" in o]
    return values[-1] if values else None


def plan_jobs(args: list[str]) -> Plan:
    """Expand the command line into its jobs as Hydra will (``-m`` or an experiment's
    ``hydra.mode: MULTIRUN`` with ``hydra.sweeper.params``), compose, name and validate
    each one. Raises on the first bad job, its message naming the key (and the job)."""
    multirun_flag = any(a in SWEEP_FLAGS for a in args)
    overrides = [a for a in args if a not in SWEEP_FLAGS]
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    for key in ("hydra.run.dir", "hydra.sweep.dir"):
        value = _last_value(overrides, key)
        if value is not None and not value.strip().strip("'\""):
            raise ConfigError(f"{key} is empty; allowed: a folder path (an empty one would write the results "
                              "into the current folder, among other files)")
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    base = compose(fixed, with_hydra=True)
    sweeping = multirun_flag or str(base.hydra.mode) == str(RunMode.MULTIRUN)
    task = [o for o in overrides if not _is_hydra(o)]
    if not sweeping:
        if len(fixed) != len(overrides):
            raise ConfigError("a list of values (a,b) sweeps: add -m (python -m sim -m key=a,b)")
        jobs, swept = [task], set()
    else:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper  # noqa: PLC0415

        keys = {o.split("=", 1)[0] for o in task}
        params = base.hydra.sweeper.get("params") or {}
        task += [f"{k}={v}" for k, v in params.items() if k not in keys]
        parsed_task = parser.parse_overrides(task)
        swept = {o.key_or_group for o in parsed_task if o.is_sweep_override()}
        jobs = [job for batch in BasicSweeper.split_arguments(parsed_task, None) for job in batch]
    configs = []
    for i, job in enumerate(jobs):
        where = f"job {i} ({' '.join(job)}): " if sweeping and len(jobs) > 1 else ""
        try:
            _check_literals(job)
            cfg = prepare(compose(job), job if sweeping else None, swept if sweeping else None,
                          None if sweeping else job)
            _check_unselected(job, cfg)
        except Exception as exc:
            raise ConfigError(where + describe(exc)) from exc
        configs.append(cfg)
    folder = _last_value(overrides, "hydra.sweep.dir" if sweeping else "hydra.run.dir")
    return Plan(sweeping, jobs, configs, Path(folder.strip("'\"")) if folder else None)


def _check_literals(job: list[str]) -> None:
    """Command-line values read loosely are refused: an intervention listed twice (Hydra
    merges it once), a boolean given as anything but true/false (OmegaConf reads 2 or
    'yes' as true)."""
    for o in job:
        key, _, value = o.lstrip("+~").partition("=")
        if key == "intervention":
            names = [v.strip() for v in value.strip("[]").split(",") if v.strip()]
            if len(names) != len(set(names)):
                raise ConfigError(f"intervention={value} lists an intervention twice; allowed: each at most once")
        _, leaf = _schema_node(key)
        if leaf is not None and leaf.type in (bool, "bool") and value.strip().lower() not in ("true", "false"):
            raise ConfigError(f"{key}={value} is not a boolean; allowed: true, false")


def _check_unselected(job: list[str], cfg: Config) -> None:
    """A parameter of an intervention that is not selected would silently do nothing: refused."""
    for o in job:
        parts = o.lstrip("+~").partition("=")[0].split(".")
        if parts[0] == "intervention" and len(parts) == 3 and parts[1] in INTERVENTION_EFFECTS \
                and parts[2] != "enabled" and not getattr(cfg.intervention, parts[1]).enabled:
            key = ".".join(parts)
            raise ConfigError(f"{key} is set but intervention {parts[1]} is not selected, so it would do nothing; "
                              f"allowed: add intervention={parts[1]} (or intervention=[{parts[1]},...])")


def _check_folder(plan: Plan) -> None:
    """The output folder can be written and no other live run holds it; a resume keeps
    only completed jobs whose stored settings equal the new ones."""
    target = plan.folder or Path("results")
    try:                  # everything else is valid: the folder may be made now, and is tried
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot write results into {target}: {exc.strerror or exc}; allowed: a folder you "
                          "can write (hydra.run.dir=... or hydra.sweep.dir=...)") from exc
    if plan.folder is None:
        return                                   # a new timestamped folder: nothing to clash with
    holder = outputs.lock_holder(plan.folder)
    if holder is not None:
        raise ConfigError(f"{plan.folder} is in use by another run ({holder}); wait for it to end, "
                          "or choose another folder")
    for i, cfg in enumerate(plan.configs):
        folder = plan.folder / str(i) if plan.sweeping else plan.folder
        if plan.sweeping and (holder := outputs.lock_holder(folder)) is not None:
            raise ConfigError(f"{folder} is in use by another run ({holder})")
        if cfg.resume and (conflict := resume_conflict(cfg, folder)):
            raise ConfigError(conflict)


def _check_size(plan: Plan, force: bool) -> None:
    """Announce a long run; refuse an unusually large one unless forced."""
    seconds = sum(estimate_seconds(c) for c in plan.configs)
    biggest = max(c.n_replications for c in plan.configs)
    if biggest > MAX_REPLICATIONS and not force:
        raise ConfigError(f"n_replications={biggest} is above {MAX_REPLICATIONS} (estimated run time "
                          f"{format_duration(seconds)}); allowed: up to {MAX_REPLICATIONS}, or add force=true")
    if seconds > 600:
        print(f"estimated run time {format_duration(seconds)} ({len(plan.configs)} job(s))", file=sys.stderr)


def prevalidate(args: list[str], force: bool = False) -> Plan | None:
    """Validate everything before Hydra starts; bad input ends here with one line, exit 2."""
    if any(a.startswith("-") and a not in SWEEP_FLAGS for a in args):
        return None  # --help, --cfg, --info ...: Hydra's own business
    try:
        plan = plan_jobs(args)
        _check_folder(plan)
        _check_size(plan, force)
    except Exception as exc:  # noqa: BLE001 - every composition error becomes one line
        if os.environ.get("SIM_DEBUG"):
            raise
        fail(describe(exc))
    return plan


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C: status.json says failed, no result looks complete."""
    raise KeyboardInterrupt(f"signal {signum}")


def _install_sigterm() -> None:
    # outside a worker's main thread this fails: its parent then marks the job failed if it is killed
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, _terminate)


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    _install_sigterm()              # also in a launcher's worker process (joblib)
    hc = HydraConfig.get()
    sweeping = hc.mode == RunMode.MULTIRUN
    run_dir = Path(hc.runtime.output_dir)
    try:
        task = list(hc.overrides.task) if sweeping else None
        swept, label = None, ""
        if sweeping:
            sweep_dir = Path(hc.sweep.dir)
            swept, total = swept_keys(sweep_dir), expected_jobs(sweep_dir)
            label = f"job {hc.job.num + 1}/{total or '?'} "
        single = None if sweeping else list(hc.overrides.task)
        run_job(cfg, run_dir, task, swept, label, single_overrides=single)
    except (ConfigError, outputs.FolderLockedError) as exc:
        if os.environ.get("SIM_DEBUG"):
            raise
        if sweeping:                 # recorded in the job's status; the sweep's collection names it
            print(f"error: job {hc.job.num}: {exc}", file=sys.stderr)
            return
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - one line; status.json holds the error
        if os.environ.get("SIM_DEBUG"):
            raise
        print(f"error: {'job ' + str(hc.job.num) if sweeping else 'run'} failed: {type(exc).__name__}: {exc} "
              f"(status.json in {run_dir} says failed)", file=sys.stderr)
        if not sweeping:
            sys.exit(1)


def _children() -> list[int]:
    """This process's child processes (Linux /proc; elsewhere none are found)."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            found.append(int(stat.parent.name))
    return found


def _stop_children(grace: float = 5.0) -> None:
    """Stop the worker processes of an interrupted sweep (a launcher's, e.g. joblib's)
    before their jobs are marked failed, so none can write after that."""
    children = _children()
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in _children()):
        time.sleep(0.1)
    for pid in _children():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def mark_interrupted(sweep_dir: Path) -> None:
    """An interrupted sweep: every job still ``running`` failed, with no results left in
    it, and no collected results in the sweep folder (they would be stale). A job whose
    folder exists without a status yet was interrupted while starting: failed too."""
    for folder in job_folders(sweep_dir):
        try:
            status: Any = (folder / "status.json").read_text()
        except OSError:
            status = '"running"'          # started (Hydra made its folder) but had not said so yet
        if '"running"' in status:
            outputs.discard_results(folder)
            outputs.mark_failed(folder, "KeyboardInterrupt: the sweep was interrupted")
            outputs.release_lock(folder)
            (folder / outputs.LOCK_NAME).unlink(missing_ok=True)   # its worker is gone
    from sim.collect import COLLECTED  # noqa: PLC0415

    outputs.discard_results(sweep_dir, COLLECTED)


def cli() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    args = sys.argv[1:]
    if any(a in HELP_FLAGS for a in args):
        from sim.list import help_text  # noqa: PLC0415

        print(help_text())
        sys.exit(0)
    args = ["--help" if a == HYDRA_HELP_FLAG else a for a in args]
    force = any(a in ("force=true", "force=True") for a in args)
    args = [a for a in args if a.split("=", 1)[0] != "force"]   # not a model setting: Hydra never sees it
    args = rewrite_trust_overrides(args)      # trust=PATH: a profile file outside conf/trust/
    sys.argv[1:] = args
    code: int = 0
    try:
        prevalidate(args, force)
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        code = 1
        sweep_dir = ACTIVE_SWEEP.get("dir")
        if isinstance(sweep_dir, Path):
            _stop_children()
            mark_interrupted(sweep_dir)
            outputs.release_lock(sweep_dir)
        if os.environ.get("SIM_DEBUG"):
            raise
        print("error: interrupted; the run's status.json says failed and no results were kept", file=sys.stderr)
        sys.exit(code)
    sweep_dir = ACTIVE_SWEEP.get("dir")
    if isinstance(sweep_dir, Path) and code in (0, 1):
        try:
            code = max(code, collect_active())
        except KeyboardInterrupt:
            mark_interrupted(sweep_dir)
            code = 1
            print("error: interrupted while collecting; no collected results were kept", file=sys.stderr)
        finally:
            outputs.release_lock(sweep_dir)
    sys.exit(code)


if __name__ == "__main__":
    cli()
