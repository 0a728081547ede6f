"""``python -m sim [experiment=NAME] [overrides]``: run a scenario (or a sweep) with Hydra.

Before Hydra starts (and creates any output folder) the overrides of a single run are
composed and validated once, so bad input ends with one line naming the key and what
is allowed, exit code 2, and nothing written. ``SIM_DEBUG=1`` shows the traceback.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import NoReturn

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import MissingConfigException, OverrideParseException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import ConfigKeyError, ValidationError

from sim.app import run_job
from sim.collect import collect_active, expected_jobs, swept_keys
from sim.config import Config, ConfigError, load_config, register_configs, section_type

register_configs()
# conf/hydra/launcher/ray.yaml shares the Ray plugin's config name on purpose (hydra/launcher=ray
# means ours); Hydra's deprecation notice about matching it to the plugin's schema is noise.
warnings.filterwarnings("ignore", message=r"\s*'hydra/launcher/ray' is validated against ConfigStore schema")


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _allowed_keys(dotted: str) -> str:
    """The keys the schema allows beside ``dotted`` (for 'unknown key' messages)."""
    node: type = Config
    for part in dotted.split(".")[:-1]:
        fields = {f.name: f for f in dataclasses.fields(node)}
        sub = section_type(fields[part]) if part in fields else None
        if sub is None:
            break
        node = sub
    return ", ".join(sorted(f.name for f in dataclasses.fields(node)))


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
        return f"unknown key '{key}'; allowed here: {_allowed_keys(key)}"
    if isinstance(cause, ValidationError):
        return f"{cause.full_key}: {str(cause.msg).splitlines()[0]}"
    lines = [x for x in str(exc).splitlines() if x.strip()]
    return lines[0] if lines else type(exc).__name__


def prevalidate(args: list[str]) -> None:
    """Compose and validate a single run's overrides; sweeps are validated per job."""
    if any(a.startswith("-") for a in args):
        return  # --help, --cfg, -m / --multirun ...: Hydra's own business
    overrides = [a for a in args if not a.lstrip("+~").startswith(("hydra.", "hydra/"))]
    try:
        if any(o.is_sweep_override() for o in OverridesParser.create().parse_overrides(overrides)):
            return
        load_config(overrides)
    except Exception as exc:  # noqa: BLE001 - every composition error becomes one line
        if os.environ.get("SIM_DEBUG"):
            raise
        fail(describe(exc))


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C: status.json says failed, no result looks complete."""
    raise KeyboardInterrupt(f"signal {signum}")


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    try:
        sweeping = hc.mode == RunMode.MULTIRUN
        task = list(hc.overrides.task) if sweeping else None
        swept, label = None, ""
        if sweeping:
            sweep_dir = Path(hc.sweep.dir)
            swept, total = swept_keys(sweep_dir), expected_jobs(sweep_dir)
            label = f"job {hc.job.num + 1}/{total or '?'} "
        single = None if sweeping else list(hc.overrides.task)
        run_job(cfg, Path(hc.runtime.output_dir), task, swept, label, single_overrides=single)
    except ConfigError as exc:
        if os.environ.get("SIM_DEBUG") or hc.mode == RunMode.MULTIRUN:
            raise  # in a sweep the launcher records the failure and runs the other jobs
        fail(str(exc))


def cli() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    prevalidate(sys.argv[1:])
    try:
        main()
    finally:
        collect_active()  # a sweep that ended in a failed job is still collected


if __name__ == "__main__":
    cli()
