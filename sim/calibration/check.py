"""``python -m sim.calibrate check``: the posterior predictive at the shipped parameters
against every target, one line per target; exit 1 when any target is missed."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from sim.calibration.design import Design
from sim.calibration.fit import read_posterior, representative_point
from sim.calibration.settings import Settings
from sim.runner import ordered_map


def predictive(settings: Settings) -> tuple[pd.DataFrame, Design, dict[str, float]]:
    """Each target's value in each replication of the check's design."""
    chk = settings.check
    design_settings = {**settings.design, "organisation": chk["organisation"], "replications": chk["replications"]}
    design = Design(design_settings, settings.targets)
    params: dict[str, float] = {}
    trust_fitted = bool(settings.raw.get("trust")) and settings.path("posterior").exists()
    if chk["parameters"] == "posterior" or trust_fitted:     # a trust's runs use its posterior's point
        params = representative_point(read_posterior(settings.path("posterior"), settings.parameters), settings.parameters)
    n_jobs = settings.raw["n_jobs"] or 2
    reps = ordered_map(design.run_replication, [(params, r) for r in range(design.replications)],
                       workers=max(1, min(n_jobs, design.replications)), desc="check: replications", unit="rep",
                       progress=settings.raw["progress"])
    return design.statistics(reps), design, params


def verdicts(settings: Settings, stats: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90 % interval (5th-95th percentile over replications) of each target."""
    rows = []
    for t in settings.targets.entries:
        v = stats[t.name].to_numpy(dtype=float)
        ok = v[np.isfinite(v)]
        mean = float(ok.mean()) if len(ok) else math.nan
        lo, hi = (np.percentile(ok, [5, 95]) if len(ok) else (math.nan, math.nan))
        rows.append({"target": t.name, "range": t.range_text(), "model": mean, "p5": float(lo), "p95": float(hi),
                     "source": t.short_source, "inside": bool(math.isfinite(mean) and t.inside(mean))})
    return pd.DataFrame(rows)


def run_check(settings: Settings) -> int:
    started = time.time()
    stats, design, params = predictive(settings)
    table = verdicts(settings, stats)
    if settings.raw.get("trust"):
        return _print_trust(settings, table, design, params, started)
    where = "shipped parameters (conf/config.yaml)" if not params else f"posterior point ({settings.path('posterior').name})"
    print(f"Calibration check: targets '{settings.targets.name}' at the {where}; {design.replications} replications of "
          f"a {settings.check['organisation']} organisation, scenarios {', '.join(r.name for r in design.runs)}, "
          f"{settings.design['warmup_years']:g}-year warm-up discarded; model = mean, [5th-95th percentile]")
    width = max(len(t) for t in table["target"])
    for r in table.itertuples():
        print(f"{r.target:<{width}}  {r.range:>12}  {r.model:>9.4g} [{r.p5:.4g}, {r.p95:.4g}]  {r.source:<28.28}  "
              f"{'ok' if r.inside else 'MISS'}")
    return _tally(table, "targets", started)


def _print_trust(settings: Settings, table: pd.DataFrame, design: Design, params: dict[str, float],
                 started: float) -> int:
    """One line per figure of the trust: its own figure, the stated range, the model; exit 1 on a miss."""
    t = settings.raw["trust"]
    post = settings.path("posterior")
    if params or post.exists():
        where = f"its posterior point ({post.name}, used by every run of the trust)"
    else:
        where = "the national parameters (no trust posterior yet: python -m sim.calibrate fit trust=...)"
    run = design.runs[0]
    print(f"Trust check: {t['name']} ({t['profile']}) against the model at {where}; {design.replications} "
          f"replications of its {len(run.cfg.organisation.wards)} wards, the last 12 of {run.cfg.years:g} years after a "
          f"{settings.design['warmup_years']:g}-year warm-up; model = mean [5th-95th percentile]")
    width = max(len(e.label) for e in settings.targets.entries)
    for e, r in zip(settings.targets.entries, table.itertuples(), strict=True):
        print(f"{e.label:<{width}}  trust {e.value:.3f}  range {e.low:.3f}-{e.high:.3f}  model {r.model:.3f} "
              f"[{r.p5:.3f}, {r.p95:.3f}]  {'ok' if r.inside else 'MISS'}")
    return _tally(table, "figures", started)


def _tally(table: pd.DataFrame, noun: str, started: float) -> int:
    """The closing line (how many met, which missed) and the exit status: 1 on a miss."""
    missed = int((~table["inside"]).sum())
    print(f"{len(table) - missed} of {len(table)} {noun} met ({time.time() - started:.0f} s)"
          + ("" if not missed else f"; MISSED: {', '.join(table.loc[~table['inside'], 'target'])}"))
    return 0 if not missed else 1
