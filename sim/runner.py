"""Run all replications of one scenario, serially or in parallel, in replication order.

Replications are independent (each has its own random streams), so running them in
worker processes gives results identical to a serial run.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from sim.config import Config
from sim.model import Model
from sim.uncertainty import replication_config

T = TypeVar("T")


def run_replication(cfg: Config, replication: int) -> pd.DataFrame:
    """One replication as a tidy frame (scenario, replication, month, team, metric, value);
    with ``parameter_uncertainty`` its parameters are those of its posterior draw (sim/uncertainty.py)."""
    recorder = Model(replication_config(cfg, replication), replication).run()
    return recorder.to_frame(cfg.scenario, replication, cfg.outputs.team_metrics)


def n_workers(cfg: Config, n_tasks: int | None = None) -> int:
    """Worker processes to use: ``n_jobs`` (0 = all cores), no more than there are tasks."""
    wanted = cfg.n_jobs if cfg.n_jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, cfg.n_replications if n_tasks is None else n_tasks))


def ordered_map(func: Callable[..., T], tasks: Sequence[tuple[Any, ...]], *, workers: int, desc: str, unit: str,
                progress: bool) -> list[T]:
    """``func(*task)`` for every task, results in task order, in worker processes when
    ``workers > 1``; a progress bar on a terminal. If a task fails or the run is
    interrupted, the workers are stopped at once instead of finishing their tasks."""
    results: dict[int, T] = {}
    bar = tqdm(total=len(tasks), desc=desc, unit=unit, disable=not (progress and sys.stderr.isatty()), file=sys.stderr)
    try:
        if workers == 1:
            for i, task in enumerate(tasks):
                results[i] = func(*task)
                bar.update()
        else:
            pool = ProcessPoolExecutor(max_workers=workers)
            finished = False
            try:
                # Workers are forked at the first submit: freezing the parent's objects first
                # keeps the children's garbage collector from touching (and so copying) every
                # page they share with it.
                gc.freeze()
                futures = {pool.submit(func, *task): i for i, task in enumerate(tasks)}
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.update()
                finished = True
            finally:
                if not finished:
                    for proc in list(getattr(pool, "_processes", {}).values()):
                        proc.terminate()
                pool.shutdown(wait=finished, cancel_futures=True)
                gc.unfreeze()
    finally:
        bar.close()
    return [results[i] for i in range(len(tasks))]


def run_scenario(cfg: Config, label: str = "") -> pd.DataFrame:
    """Every replication of the scenario, concatenated in replication order.

    ``label`` prefixes the progress bar (a sweep passes "job 2/4").
    """
    frames = ordered_map(run_replication, [(cfg, r) for r in range(cfg.n_replications)], workers=n_workers(cfg),
                         desc=f"{label}{cfg.scenario}: replications", unit="rep", progress=cfg.progress)
    return pd.concat(frames, ignore_index=True)
