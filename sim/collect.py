"""``python -m sim.collect DIR``: gather a sweep's jobs into one comparison.

Reads every job folder of a Hydra sweep (``DIR/<job number>/``), concatenates the
completed jobs' ``timeseries.parquet``, writes ``timeseries.parquet``, ``summary.csv``
(with paired differences from the reference scenario), ``cost_effectiveness.csv`` when
interventions are costed, ``jobs.csv`` and ``report.html`` into DIR, and names every
failed, missing or damaged job instead of silently dropping it (exit code 1 when there
are any, 2 when DIR is not a sweep folder). The same code runs at the end of every sweep:
``python -m sim`` collects after Hydra returns (not in a Hydra callback, whose exceptions
Hydra turns into warnings), so a collection that fails is the command's exit status.
Collected files from an earlier collection are removed first, and everything written is
removed again if the collection fails: a sweep folder never shows a stale summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim import outputs
from sim.app import damaged_files
from sim.config import DEFAULT_SCENARIO
from sim.summary import cost_effectiveness, summarise

log = logging.getLogger(__name__)

#: The sweep folder of the multirun under way in this process (set by CollectSweep).
ACTIVE_SWEEP: dict[str, Path | bool] = {}


def job_folders(sweep_dir: Path) -> list[Path]:
    return sorted((p for p in sweep_dir.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def sweep_overrides(sweep_dir: Path) -> list[Any]:
    """The sweep's parsed overrides (command line and ``hydra.sweeper.params``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: PLC0415

    cfg = OmegaConf.load(Path(sweep_dir) / "multirun.yaml")
    overrides = list(cfg.hydra.overrides.task)
    params = cfg.hydra.sweeper.get("params") or {}
    keys = {o.split("=", 1)[0] for o in overrides}
    overrides += [f"{k}={v}" for k, v in params.items() if k not in keys]
    return OverridesParser.create().parse_overrides(overrides)


def swept_keys(sweep_dir: Path) -> set[str] | None:
    """The keys a sweep varies (None if its multirun.yaml cannot be read)."""
    try:
        return {o.key_or_group for o in sweep_overrides(sweep_dir) if o.is_sweep_override()}
    except Exception:  # noqa: BLE001
        return None


def expected_jobs(sweep_dir: Path) -> int | None:
    """How many jobs the sweep had, from Hydra's ``multirun.yaml`` (None if unknown)."""
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper  # noqa: PLC0415

        return sum(len(batch) for batch in BasicSweeper.split_arguments(sweep_overrides(sweep_dir), None))
    except Exception:  # noqa: BLE001 - an unreadable multirun.yaml only loses the count
        return None


def read_job(folder: Path) -> dict[str, Any]:
    info: dict[str, Any] = {"job": int(folder.name), "folder": str(folder), "scenario": None, "status": "missing",
                            "error": ""}
    try:
        status = json.loads((folder / "status.json").read_text())
        info["status"], info["error"] = status.get("status", "unknown"), status.get("error", "")
    except (OSError, ValueError):
        info["error"] = "no status.json: the job never started or was killed before writing it"
    if info["status"] == "running":
        info["status"], info["error"] = "incomplete", "status still 'running': the job was killed or is still running"
    if info["status"] == "completed":
        damage = damaged_files(folder)
        if damage is not None:
            info["status"], info["error"] = "damaged", f"completed status but unusable files: {damage}"
    try:
        info["config"] = yaml.safe_load((folder / "config.yaml").read_text())
        info["scenario"] = info["config"].get("scenario")
    except (OSError, yaml.YAMLError):
        info["config"] = None
    return info



def sweep_name(sweep_dir: Path) -> str:
    """The sweep's name for its report: the experiment's ``scenario`` (``ics``,
    ``leadership_2x2``) from Hydra's ``multirun.yaml``, else the folder's name."""
    try:
        name = yaml.safe_load((sweep_dir / "multirun.yaml").read_text()).get("scenario")
    except (OSError, yaml.YAMLError, AttributeError):
        name = None
    return str(name) if name and name != DEFAULT_SCENARIO else sweep_dir.name

class CollectError(RuntimeError):
    """The sweep could not be collected; the message names the job or file at fault."""


#: What a collection writes into the sweep folder (removed before and, on failure, after).
COLLECTED = (*outputs.RESULT_NAMES, "config.yaml")


def collect(sweep_dir: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Collect a sweep folder; returns the summary and the jobs that did not complete.

    Raises :class:`CollectError` (one line) when nothing can be collected; the folder is
    then left with no collected results at all.
    """
    sweep_dir = Path(sweep_dir)
    outputs.discard_results(sweep_dir, COLLECTED)
    try:
        return _collect(sweep_dir)
    except BaseException as exc:
        outputs.discard_results(sweep_dir, COLLECTED)
        if isinstance(exc, CollectError | KeyboardInterrupt | SystemExit):
            raise
        raise CollectError(f"{sweep_dir}: collection failed: {type(exc).__name__}: {exc}") from exc


def _collect(sweep_dir: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    jobs = [read_job(f) for f in job_folders(sweep_dir)]
    n_expected = expected_jobs(sweep_dir)
    present = {j["job"] for j in jobs}
    for n in range(n_expected or 0):
        if n not in present:
            jobs.append({"job": n, "folder": str(sweep_dir / str(n)), "scenario": None, "status": "missing",
                         "error": "no job folder", "config": None})
    jobs.sort(key=lambda j: j["job"])
    frames, seen, done = [], set(), []
    months: dict[str, int] = {}
    drawn: dict[str, bool] = {}
    for j in (j for j in jobs if j["status"] == "completed"):
        try:
            ts = pd.read_parquet(Path(j["folder"]) / "timeseries.parquet")
            name = str(ts["scenario"].iloc[0])
        except Exception as exc:  # noqa: BLE001 - damaged after read_job looked: name the job
            j["status"], j["error"] = "damaged", f"timeseries.parquet unreadable: {type(exc).__name__}: {exc}"
            continue
        if name in seen:                       # two jobs with one name: keep both, apart
            name = f"{name}#{j['job']}"
            ts["scenario"] = name
        seen.add(name)
        j["scenario"] = name
        months[name] = int(((j["config"] or {}).get("outputs") or {}).get("summary_months", 12))
        drawn[name] = bool((j["config"] or {}).get("parameter_uncertainty", False))
        frames.append(ts)
        done.append(j)
    if not done:
        bad = "; ".join(f"job {j['job']}: {j['status']}: {j['error']}" for j in jobs) or "no job folders"
        raise CollectError(f"{sweep_dir}: no completed job to collect ({bad})")
    ts = pd.concat(frames, ignore_index=True)
    first = done[0]["config"] or {}
    scenarios = list(dict.fromkeys(ts["scenario"]))
    reference = first.get("reference_scenario")
    if reference not in scenarios:
        if reference:
            log.warning("reference scenario %r not among %s; using %r", reference, scenarios, scenarios[0])
        reference = scenarios[0]
    summary = summarise(ts, reference=reference, months=months, uncertainty=drawn)
    outputs.write_parquet(sweep_dir / "timeseries.parquet", ts)
    outputs.write_csv(sweep_dir / "summary.csv", summary)
    ce = cost_effectiveness(ts, reference=reference, months=months)
    if not ce.empty:
        outputs.write_csv(sweep_dir / "cost_effectiveness.csv", ce)
    outputs.write_csv(sweep_dir / "jobs.csv", pd.DataFrame(jobs)[["job", "scenario", "status", "error", "folder"]])
    sweep_cfg = dict(first)
    sweep_cfg.update(scenario=sweep_name(sweep_dir), reference_scenario=reference)
    outputs.write_text(sweep_dir / "config.yaml", yaml.safe_dump(sweep_cfg, sort_keys=False))
    prov = Path(done[0]["folder"]) / "provenance.json"
    if prov.exists():
        data = json.loads(prov.read_text())
        data.update(collected=outputs.now_iso(), jobs=len(jobs), completed=len(done))
        outputs.write_json(sweep_dir / "provenance.json", data)
    from sim.report import build_report  # noqa: PLC0415 - matplotlib only when a report is drawn

    build_report(sweep_dir)
    return summary, [j for j in jobs if j["status"] != "completed"]


def print_outcome(sweep_dir: Path, summary: pd.DataFrame, problems: list[dict[str, Any]]) -> None:
    n_scen = summary["scenario"].nunique()
    print(f"collected {n_scen} scenario(s) into {sweep_dir}/summary.csv and report.html", file=sys.stderr)
    ce = sweep_dir / "cost_effectiveness.csv"
    if ce.exists():
        months = int((yaml.safe_load((sweep_dir / 'config.yaml').read_text()) or {}).get('outputs', {}).get('summary_months', 12))
        print_ranking(pd.read_csv(ce), months)
    for j in problems:
        print(f"job {j['job']} ({j['scenario'] or 'unnamed'}): {j['status']}: {j['error']}", file=sys.stderr)


def print_ranking(ce: pd.DataFrame, months: int = 12) -> None:
    """The return on investment of each option, ranked by net cost per leaver avoided when
    there are two or more, with 95% intervals and the chance of ranking first."""
    def money(x: float) -> str:
        return "—" if not math.isfinite(x) else ("−" if x < 0 else "") + f"£{abs(x):,.0f}"

    def interval(lo: float, hi: float) -> str:
        return "no interval: benefit not distinguishable from zero" if not (math.isfinite(lo) and math.isfinite(hi)) \
            else f"{money(lo)} to {money(hi)}"

    ranked = "rank_leaver" in ce.columns and len(ce) >= 2
    print(f"\nReturn on investment, per year over the last {months} months (95% intervals)"
          + (", ranked by net cost per leaver avoided:" if ranked else ":"))
    rows = ce.sort_values(["rank_leaver", "net_cost"], na_position="last") if ranked else ce
    for row in rows.itertuples():
        rank = getattr(row, "rank_leaver", None) if ranked else None
        head = f"  {int(rank)}. " if rank is not None and not pd.isna(rank) else "  -  "
        per = (f"{money(row.cost_per_leaver_avoided)} per leaver avoided "
               f"({interval(row.cost_per_leaver_ci_low, row.cost_per_leaver_ci_high)})"
               if math.isfinite(row.cost_per_leaver_avoided) else "no leavers avoided on average")
        first = f"; chance of ranking first {row.p_first_leaver:.0%}" if ranked else ""
        net = interval(row.net_cost_ci_low, row.net_cost_ci_high)
        print(f"{head}{row.scenario}: net cost {money(row.net_cost)} a year ({net}); "
              f"{row.leavers_avoided:.1f} leavers avoided a year; {per}{first}")


class CollectSweep(Callback):
    """Hydra callback: note the sweep folder and lock it when the sweep starts (see
    ``hydra.callbacks`` in conf/). The collection itself runs in ``python -m sim`` after
    Hydra returns (:func:`collect_active`), so that its failure is the exit status."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        ACTIVE_SWEEP.clear()
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            outputs.acquire_lock(sweep_dir)
        except outputs.FolderLockedError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)                # SystemExit passes through Hydra's callback wrapper
        ACTIVE_SWEEP["dir"] = sweep_dir


def collect_active() -> int:
    """Collect the sweep this process ran, print the outcome and return the exit code:
    0 all jobs completed, 1 a job failed, is missing or damaged, or nothing could be collected."""
    sweep_dir = ACTIVE_SWEEP.get("dir")
    if not isinstance(sweep_dir, Path) or ACTIVE_SWEEP.get("collected") or not sweep_dir.exists():
        return 0
    ACTIVE_SWEEP["collected"] = True
    return collect_and_report(sweep_dir)


def collect_and_report(sweep_dir: Path) -> int:
    """Collect, print the outcome in a few lines, return the exit code (see :func:`main`)."""
    try:
        summary, problems = collect(sweep_dir)
    except CollectError as exc:
        if os.environ.get("SIM_DEBUG"):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_outcome(sweep_dir, summary, problems)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="a sweep folder (with numbered job folders)")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir() or not job_folders(args.sweep_dir):
        print(f"error: {args.sweep_dir} is not a sweep folder (no numbered job folders)", file=sys.stderr)
        return 2
    try:
        outputs.acquire_lock(args.sweep_dir)
    except outputs.FolderLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return collect_and_report(args.sweep_dir)
    except KeyboardInterrupt:
        print(f"error: interrupted; {args.sweep_dir} keeps no collected results", file=sys.stderr)
        return 1
    finally:
        outputs.release_lock(args.sweep_dir)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends a collection like Ctrl-C: what it wrote is removed (see :func:`collect`)."""
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    sys.exit(main())
