"""Run all replications of one scenario, serially or in parallel, in replication order.

Replications are independent (each has its own random streams), so running them in
worker processes gives results identical to a serial run.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

import pandas as pd
from tqdm import tqdm

from sim.config import Config
from sim.model import Model


def run_replication(cfg: Config, replication: int) -> pd.DataFrame:
    """One replication as a tidy frame (scenario, replication, month, team, metric, value)."""
    recorder = Model(cfg, replication).run()
    return recorder.to_frame(cfg.scenario, replication, cfg.outputs.team_metrics)


def n_workers(cfg: Config) -> int:
    wanted = cfg.n_jobs if cfg.n_jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, cfg.n_replications))


def run_scenario(cfg: Config, label: str = "") -> pd.DataFrame:
    """Every replication of the scenario, concatenated in replication order.

    ``label`` prefixes the progress bar (a sweep passes "job 2/4").
    """
    reps = range(cfg.n_replications)
    bar = tqdm(total=len(reps), desc=f"{label}{cfg.scenario}: replications", unit="rep",
               disable=not (cfg.progress and sys.stderr.isatty()), file=sys.stderr)
    frames: dict[int, pd.DataFrame] = {}
    workers = n_workers(cfg)
    try:
        if workers == 1:
            for r in reps:
                frames[r] = run_replication(cfg, r)
                bar.update()
        else:
            pool = ProcessPoolExecutor(max_workers=workers)
            finished = False
            try:
                futures = {pool.submit(run_replication, cfg, r): r for r in reps}
                for fut in as_completed(futures):
                    frames[futures[fut]] = fut.result()
                    bar.update()
                finished = True
            finally:
                if not finished:  # interrupted or failed: do not wait for the other replications
                    for proc in list(getattr(pool, "_processes", {}).values()):
                        proc.terminate()
                pool.shutdown(wait=finished, cancel_futures=True)
    finally:
        bar.close()
    return pd.concat([frames[r] for r in reps], ignore_index=True)
