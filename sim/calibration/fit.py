"""ABC-SMC fit of the free parameters to every target jointly (pyabc).

Each particle is one evaluation of the calibration design; its distance is the root sum
of squares of each target's normalised distance outside its range (0 inside), so only
parameter sets that meet every target reach 0. The run lives in pyabc's SQLite
history (resumable); the final generation becomes the shipped posterior sample (CSV
with weights), its best-fitting weighted medoid the representative point, and the diagnostics
report shows marginals, pairs and every target against the posterior predictive.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.design import Design, FreeParameter, total_distance
from sim.calibration.settings import Settings
from sim.calibration.targets import TargetSet
from sim.config import REPO_ROOT, ConfigError
from sim.outputs import write_csv, write_text

log = logging.getLogger("sim.calibrate")


class DesignModel:
    """The pyabc model: parameters (pyabc's dot-free names) -> the targets' statistics."""

    def __init__(self, design: Design, parameters: tuple[FreeParameter, ...]) -> None:
        self.design = design
        self.names = {p.safe_name: p.key for p in parameters}

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        return self.design.evaluate({self.names[k]: float(v) for k, v in particle.items()})


class RangeDistance:
    """Joint distance to the targets' ranges (the observed data are not used: targets are ranges)."""

    def __init__(self, targets: TargetSet) -> None:
        self.targets = targets

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        return total_distance(self.targets, x)


def prior(parameters: tuple[FreeParameter, ...]) -> Any:
    import pyabc  # noqa: PLC0415 - heavy import, only for the fit

    rvs = {}
    for p in parameters:
        if p.prior == "loguniform":
            rvs[p.safe_name] = pyabc.RV("loguniform", p.low, p.high)
        else:
            rvs[p.safe_name] = pyabc.RV("uniform", p.low, p.high - p.low)
    return pyabc.Distribution(**rvs)


def make_sampler(settings: Settings) -> Any:
    """pyabc's sampler: multicore on this machine, or Dask (an existing cluster or a local one)."""
    import pyabc  # noqa: PLC0415

    n = settings.raw["n_jobs"] or (os.cpu_count() or 1)
    if settings.fit["sampler"] == "dask":
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415

        address = settings.fit.get("dask_address")
        client = (Client(address) if address else
                  Client(LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)))
        return pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=1)
    if n == 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n)


def close_sampler(sampler: Any) -> None:
    """Shut down a Dask client (and the local cluster started for it), so no worker outlives the fit."""
    client = getattr(sampler, "my_client", None)
    if client is None:
        return
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """Quantiles of a weighted sample (midpoint interpolation of the weighted CDF)."""
    ok = np.isfinite(values)
    v, w = values[ok], weights[ok]
    if not len(v):
        return np.full(np.shape(q), np.nan)
    order = np.argsort(v)
    v, w = v[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


def weighted_medians(posterior: pd.DataFrame, parameters: tuple[FreeParameter, ...]) -> dict[str, float]:
    """The weighted median of each parameter's marginal (a summary, not a simulated point:
    the medians of correlated parameters need not fit together)."""
    w = posterior["weight"].to_numpy()
    return {p.key: float(weighted_quantile(posterior[p.key].to_numpy(), w, 0.5)) for p in parameters}


def representative_index(posterior: pd.DataFrame, parameters: tuple[FreeParameter, ...]) -> int:
    """Row of the representative particle: among the particles with the smallest distance
    (usually several at 0, meeting every target in their own simulation), the weighted
    medoid, i.e. the one with the smallest weighted mean distance to every particle of the
    generation, each parameter scaled to its prior range (log scale for a loguniform prior).
    An actually simulated point, central in the posterior, among the best fits."""
    def scaled(p: FreeParameter) -> np.ndarray:
        x = posterior[p.key].to_numpy(dtype=float)
        if p.prior == "loguniform":
            return (np.log(x) - math.log(p.low)) / (math.log(p.high) - math.log(p.low))
        return (x - p.low) / (p.high - p.low)

    x = np.column_stack([scaled(p) for p in parameters]) if parameters else np.zeros((len(posterior), 1))
    w = posterior["weight"].to_numpy(dtype=float)
    if "distance" in posterior.columns and posterior["distance"].notna().any():
        d = posterior["distance"].to_numpy(dtype=float)
        best = np.flatnonzero(np.isclose(d, np.nanmin(d), rtol=0.0, atol=1e-12))
    else:
        best = np.arange(len(posterior))
    spread = np.sqrt(((x[best, None, :] - x[None, :, :]) ** 2).sum(axis=2)) @ (w / w.sum())
    return int(best[int(np.argmin(spread))])


def representative_point(posterior: pd.DataFrame, parameters: tuple[FreeParameter, ...]) -> dict[str, float]:
    """The representative particle's parameters (:func:`representative_index`)."""
    row = posterior.iloc[representative_index(posterior, parameters)]
    return {p.key: float(row[p.key]) for p in parameters}


def read_posterior(path: Path, parameters: tuple[FreeParameter, ...]) -> pd.DataFrame:
    if not path.exists():
        raise ConfigError(f"posterior={path} does not exist; run `python -m sim.calibrate fit` first")
    df = pd.read_csv(path)
    missing = [p.key for p in parameters if p.key not in df.columns] + ([] if "weight" in df.columns else ["weight"])
    if missing:
        raise ConfigError(f"posterior={path} has no column '{missing[0]}' (fitted with other parameters?)")
    return df


def _logging(progress: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s", "%H:%M:%S"))
    for name in ("ABC", "sim.calibrate"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(logging.INFO if progress else logging.WARNING)
        lg.propagate = False
    for name in ("ABC.Sampler", "ABC.Adaptation", "ABC.Distance", "ABC.Epsilon", "ABC.Population", "ABC.Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_fit(settings: Settings) -> int:
    """Run (or resume) the fit; write the posterior sample and the diagnostics report."""
    import pyabc  # noqa: PLC0415

    _logging(settings.raw["progress"])
    fit, targets, params = settings.fit, settings.targets, settings.parameters
    out_dir = settings.path("output_dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / ("fit_quick.db" if settings.raw["quick"] else "fit.db")
    design = Design(settings.design, targets)
    started = time.time()
    t0 = time.process_time()
    design.evaluate({})
    cost = time.process_time() - t0
    log.info("design: scenarios %s, %s organisation, %g years each after a %g-year warm-up, %d replication(s); "
             "%.2f s CPU per evaluation (%.1f organisation-years)", ", ".join(r.name for r in design.runs),
             f"trust {settings.raw['trust']['name']}'s" if settings.raw.get("trust") else settings.design["organisation"],
             max(r.cfg.years - r.warmup_months / 12 for r in design.runs),
             settings.design["warmup_years"],
             design.replications, cost, design.years_simulated() * design.replications)
    if settings.raw.get("trust"):               # a trust's fit: the national posterior is the prior
        from sim.calibration.trust import national_prior  # noqa: PLC0415

        parameter_prior = national_prior(settings)
    else:
        parameter_prior = prior(params)
    abc = pyabc.ABCSMC(DesignModel(design, params), parameter_prior, RangeDistance(targets),
                       population_size=fit["population"], sampler=make_sampler(settings),
                       eps=pyabc.MedianEpsilon())
    generations = fit["generations"]
    if settings.raw["resume"] and db_path.exists():
        history = abc.load(f"sqlite:///{db_path}", 1)
        done = history.max_t + 1
        generations = max(0, generations - done)
        log.info("resume: %d generation(s) in %s, %d more to run", done, db_path, generations)
    else:
        if db_path.exists():
            db_path.unlink()
        np.random.seed(int(fit["seed"]))
        abc.new(f"sqlite:///{db_path}", {t.name: (t.low if math.isfinite(t.low) else t.high) for t in targets.entries})
    if generations > 0:
        history = abc.run(minimum_epsilon=float(fit["min_epsilon"]), max_nr_populations=generations,
                          max_total_nr_simulations=int(fit["max_evaluations"]),
                          max_walltime=timedelta(minutes=float(fit["max_minutes"])),
                          min_acceptance_rate=float(fit.get("min_acceptance_rate", 0.0)))
    close_sampler(abc.sampler)
    history = abc.history
    posterior = posterior_frame(history, params, targets)
    if posterior.empty:
        log.error("the fit produced no accepted generation; nothing written")
        return 1
    path = settings.path("posterior")
    if settings.raw["quick"]:
        path = out_dir / path.name           # a quick fit never replaces the shipped posterior
    rep = representative_index(posterior, params)
    posterior["representative"] = np.arange(len(posterior)) == rep      # the shipped defaults' particle
    write_csv(path, posterior)
    point = representative_point(posterior, params)
    elapsed = time.time() - started
    summary = {"generations": int(history.max_t + 1), "evaluations": int(history.total_nr_simulations),
               "final_epsilon": float(posterior_epsilon(history)), "minutes": elapsed / 60, "cost_cpu_s": cost,
               "ess": float(1.0 / np.sum(posterior["weight"].to_numpy() ** 2)), "particles": len(posterior),
               "db": str(db_path), "posterior": str(path)}
    from sim.calibration.report import write_report  # noqa: PLC0415 - matplotlib only when a report is drawn

    report = write_report(out_dir / ("report_quick.html" if settings.raw["quick"] else "report.html"),
                          history, posterior, params, targets, point, summary)
    print(f"fit: {summary['generations']} generation(s), {summary['evaluations']} evaluations, final epsilon "
          f"{summary['final_epsilon']:.3g}, effective sample size {summary['ess']:.1f} of {len(posterior)}, "
          f"{elapsed / 60:.1f} min")
    print(f"posterior sample: {path} ({len(posterior)} particles with weights)")
    print(f"diagnostics report: {report}")
    if settings.raw.get("trust"):
        print("representative point (the representative particle, as for the national fit), used by every run of "
              f"trust {settings.raw['trust']['name']}"
              + (" once the posterior sits beside its profile (a quick fit's never does):" if settings.raw["quick"]
                 else ":"))
    else:
        print(f"representative point (particle {rep}: the weighted medoid of the particles with the smallest distance, "
              f"{float(posterior['distance'].iloc[rep]) if 'distance' in posterior else math.nan:.3g}); "
              "set the shipped defaults with these overrides or `apply=true`:")
    print("  " + " ".join(f"{k}={v:.4g}" for k, v in point.items()))
    if settings.raw["apply"] and not settings.raw["quick"]:
        skipped = apply_point(point, source=f"{path.name} representative particle, fit {time.strftime('%Y-%m-%d')}")
        print("written into conf/config.yaml" + (f"; not found there (set by hand): {', '.join(skipped)}" if skipped else ""))
    return 0


def posterior_epsilon(history: Any) -> float:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return float(pops["epsilon"].iloc[-1]) if len(pops) else math.nan


def posterior_frame(history: Any, params: tuple[FreeParameter, ...], targets: TargetSet) -> pd.DataFrame:
    """The last generation: parameters (dotted keys), weight, distance and each target's statistic."""
    if history.max_t < 0:
        return pd.DataFrame()
    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    names = {p.safe_name: p.key for p in params}
    out = df.rename(columns=names)[[p.key for p in params]].reset_index(drop=True)
    out["weight"] = np.asarray(w) / np.sum(w)
    dist = history.get_weighted_distances(t=t)
    stats_w, stats = history.get_weighted_sum_stats(t=t)
    if len(dist) == len(out):
        out["distance"] = dist["distance"].to_numpy()
    for target in targets.entries:
        out[f"stat:{target.name}"] = [float(s.get(target.name, math.nan)) for s in stats] if len(stats) == len(out) \
            else math.nan
    out.insert(0, "generation", t)
    return out


def apply_point(point: Mapping[str, float], config_path: Path = REPO_ROOT / "conf" / "config.yaml",
                source: str = "") -> list[str]:
    """Write the representative point into conf/config.yaml, keeping each line's comment
    (a key that lives in a group file instead is listed, not written)."""
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    skipped = []
    for key, value in point.items():
        section, _, name = key.partition(".")
        try:
            start = next(i for i, line in enumerate(lines) if line.rstrip() == f"{section}:" or
                         line.startswith(f"{section}:") and line[len(section) + 1:].lstrip().startswith("#"))
        except StopIteration:
            skipped.append(key)
            continue
        pattern = re.compile(rf"^(  {re.escape(name)}:\s*)([^#\s]+)(\s*#\s*)?(.*)$")
        for i in range(start + 1, len(lines)):
            if lines[i] and not lines[i].startswith(" ") and lines[i].strip():
                skipped.append(key)
                break
            m = pattern.match(lines[i].rstrip("\n"))
            if m:
                comment = re.sub(r"\s*\[posterior:[^\]]*\]", "", m.group(4))
                lines[i] = f"{m.group(1)}{value:.4g}{m.group(3) or '  # '}{comment} [posterior: {source}]\n"
                break
        else:
            skipped.append(key)
    write_text(config_path, "".join(lines))
    return skipped
