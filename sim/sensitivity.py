"""Global sensitivity analysis (``analysis: sensitivity``): Morris screening, then Sobol.

Stage 1 screens every parameter of ``sensitivity.parameters`` with Morris elementary
effects (mu*, its bootstrap interval, sigma). Stage 2 estimates first-order and total
Sobol indices (Saltelli sampling) for the ``sobol_top`` parameters with the largest
normalised mu*, the others held at their config values.

One model evaluation is the scenario's config with the sample's parameter values set,
run for ``replications_per_point`` replications (0..k-1, the same random streams at
every point: common random numbers). Its output for each of ``sensitivity.metrics``
is the organisation-level mean over the last ``outputs.summary_months`` months,
averaged over those replications. Points run in worker processes; results are kept
in sample order, so a run is deterministic whatever the number of workers.

Outputs in the run folder (each written atomically): ``morris.csv``, ``sobol.csv``,
``samples.csv``, ``config.yaml``, ``parameters.csv``, ``provenance.json``,
``figures/*.png``, a self-contained ``report.html`` and ``status.json``. The figures and the
page are drawn by ``sim/report/`` (``figures.morris_figure``, ``figures.sobol_figure``,
``sensitivity.render_sensitivity``); this module only samples, runs and analyses.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim import outputs
from sim.config import Config, ConfigError, as_dict
from sim.evidence import parameter_table
from sim.metrics import CONTRACT_METRICS, EXTRA_METRICS
from sim.model import Model
from sim.runner import n_workers, ordered_map

CONF_LEVEL = 0.95
NUM_RESAMPLES = 100


# --------------------------------------------------------------------------- evaluation


def _field(cfg: Config, key: str) -> tuple[Any, str, dataclasses.Field]:
    section, _, name = key.partition(".")
    target = getattr(cfg, section)
    fld = next(f for f in dataclasses.fields(target) if f.name == name)
    return target, name, fld


def with_parameters(cfg: Config, values: dict[str, float]) -> Config:
    """A deep copy of ``cfg`` with each dotted parameter set (ints rounded where the field is int)."""
    new = copy.deepcopy(cfg)
    for key, value in values.items():
        target, name, _ = _field(new, key)
        current = getattr(target, name)
        setattr(target, name, int(round(value)) if isinstance(current, int) and not isinstance(current, bool)
                else float(value))
    return new


def evaluate(cfg: Config, values: dict[str, float]) -> dict[str, float]:
    """Mean of each sensitivity metric over the last summary months, averaged over replications."""
    point = with_parameters(cfg, values)
    months = cfg.outputs.summary_months
    per_rep = []
    for r in range(cfg.sensitivity.replications_per_point):
        recorder = Model(point, r).run()
        per_rep.append([float(np.mean(recorder.org[m][-months:])) for m in cfg.sensitivity.metrics])
    return dict(zip(cfg.sensitivity.metrics, np.mean(per_rep, axis=0).tolist(), strict=True))


def evaluate_points(cfg: Config, points: Sequence[dict[str, float]], desc: str) -> list[dict[str, float]]:
    """Evaluate every point, in parallel when ``n_jobs`` allows; results in point order."""
    return ordered_map(evaluate, [(cfg, values) for values in points], workers=n_workers(cfg, len(points)),
                       desc=f"{cfg.scenario}: {desc}", unit="point", progress=cfg.progress)


# --------------------------------------------------------------------------- the analysis


def check_sensitivity(cfg: Config) -> None:
    """What the schema validation cannot see: ranges inside each field's allowed range, known metrics."""
    sens = cfg.sensitivity
    if not sens.parameters:
        raise ConfigError("sensitivity.parameters is empty; give [{key: section.name, low: L, high: H}, ...]")
    seen = set()
    for i, sp in enumerate(sens.parameters):
        where = f"sensitivity.parameters[{i}]"
        if sp.key in seen:
            raise ConfigError(f"{where}.key='{sp.key}' is listed twice")
        seen.add(sp.key)
        _, _, fld = _field(cfg, sp.key)
        lo, hi = fld.metadata.get("lo"), fld.metadata.get("hi")
        if (lo is not None and sp.low < lo) or (hi is not None and sp.high > hi):
            raise ConfigError(f"{where}: [{sp.low}, {sp.high}] is outside the allowed range of {sp.key}: [{lo}, {hi}]")
    known = set(CONTRACT_METRICS) | set(EXTRA_METRICS)
    if not sens.metrics:
        raise ConfigError("sensitivity.metrics is empty")
    for i, m in enumerate(sens.metrics):
        if m not in known:
            raise ConfigError(f"sensitivity.metrics[{i}]='{m}' is not a metric; allowed: {', '.join(sorted(known))}")


def _problem(params: Sequence[Any]) -> dict[str, Any]:
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[float(p.low), float(p.high)] for p in params]}


def _salib_seed(cfg: Config, stage: int) -> int:
    return int((cfg.seed + stage) % 2**32)  # numpy's legacy seeding takes 32-bit seeds


def _samples_frame(stage: str, names: Sequence[str], points: Sequence[dict[str, float]],
                   results: Sequence[dict[str, float]]) -> pd.DataFrame:
    rows = [{"stage": stage, "point": i, **{n: pt[n] for n in names}, **res}
            for i, (pt, res) in enumerate(zip(points, results, strict=True))]
    return pd.DataFrame(rows)


def run_morris(cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris screening of every parameter: (morris table, evaluated samples)."""
    from SALib.analyze import morris as morris_analyze  # noqa: PLC0415 - SALib only when asked for
    from SALib.sample import morris as morris_sample  # noqa: PLC0415

    sens = cfg.sensitivity
    problem = _problem(sens.parameters)
    seed = _salib_seed(cfg, 0)
    x = morris_sample.sample(problem, sens.morris_trajectories, num_levels=sens.morris_levels, seed=seed)
    points = [dict(zip(problem["names"], row.tolist(), strict=True)) for row in x]
    results = evaluate_points(cfg, points, "Morris")
    rows = []
    for metric in sens.metrics:
        y = np.array([r[metric] for r in results], dtype=float)
        res = morris_analyze.analyze(problem, x, y, num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                     num_levels=sens.morris_levels, seed=seed)
        for j, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "parameter": name, "mu_star": float(res["mu_star"][j]),
                         "mu_star_conf": float(res["mu_star_conf"][j]), "sigma": float(res["sigma"][j]),
                         "mu": float(res["mu"][j])})
    return pd.DataFrame(rows), _samples_frame("morris", problem["names"], points, results)


def rank_parameters(morris: pd.DataFrame) -> pd.Series:
    """Normalised mu* (mu* / largest mu* of the metric), averaged over metrics, largest first."""
    top = morris.groupby("metric")["mu_star"].transform("max")
    norm = (morris["mu_star"] / top.where(top > 0)).fillna(0.0)
    score = norm.groupby(morris["parameter"], sort=False).mean()
    return score.sort_values(ascending=False, kind="stable")


def run_sobol(cfg: Config, names: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order and total Sobol indices of ``names``: (sobol table, evaluated samples)."""
    from SALib.analyze import sobol as sobol_analyze  # noqa: PLC0415
    from SALib.sample import sobol as sobol_sample  # noqa: PLC0415

    sens = cfg.sensitivity
    params = [p for p in sens.parameters if p.key in names]
    problem = _problem(params)
    seed = _salib_seed(cfg, 1)
    x = sobol_sample.sample(problem, sens.sobol_n, calc_second_order=False, seed=seed)
    points = [dict(zip(problem["names"], row.tolist(), strict=True)) for row in x]
    results = evaluate_points(cfg, points, "Sobol")
    rows = []
    for metric in sens.metrics:
        y = np.array([r[metric] for r in results], dtype=float)
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=NUM_RESAMPLES,
                                    conf_level=CONF_LEVEL, seed=seed)
        for j, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "parameter": name, "S1": float(res["S1"][j]),
                         "S1_conf": float(res["S1_conf"][j]), "ST": float(res["ST"][j]),
                         "ST_conf": float(res["ST_conf"][j])})
    samples = _samples_frame("sobol", problem["names"], points, results)
    for p in sens.parameters:  # the held parameters, at their config values
        if p.key not in names:
            target, name, _ = _field(cfg, p.key)
            samples[p.key] = getattr(target, name)
    return pd.DataFrame(rows), samples


# --------------------------------------------------------------------------- the run folder


def run_sensitivity(cfg: Config, run_dir: Path) -> None:
    """Morris screening, then Sobol on the top parameters; write the results into ``run_dir``.

    Like :func:`sim.app.run_to_folder`: ``status.json`` says ``running`` until everything
    is written, then ``completed``, or ``failed`` with the error if anything raised.
    """
    from sim.report.figures import morris_figure, sobol_figure  # noqa: PLC0415 - matplotlib only when drawn
    from sim.report.sensitivity import render_sensitivity  # noqa: PLC0415

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    started = outputs.now_iso()
    outputs.write_status(run_dir, "running", scenario=cfg.scenario)
    try:
        check_sensitivity(cfg)
        resolved = as_dict(cfg)
        outputs.write_text(run_dir / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(resolved)))
        outputs.write_csv(run_dir / "parameters.csv", parameter_table(resolved))
        morris, samples = run_morris(cfg)
        outputs.write_csv(run_dir / "morris.csv", morris)
        ranking = rank_parameters(morris)
        n_top = min(cfg.sensitivity.sobol_top, len(cfg.sensitivity.parameters))
        sobol = None
        if n_top > 0:
            sobol, sobol_samples = run_sobol(cfg, list(ranking.index[:n_top]))
            outputs.write_csv(run_dir / "sobol.csv", sobol)
            samples = pd.concat([samples, sobol_samples], ignore_index=True)
        outputs.write_csv(run_dir / "samples.csv", samples)
        figures = {"morris": morris_figure(morris, cfg.sensitivity.metrics, run_dir / "figures" / "morris.png")}
        if sobol is not None:
            figures["sobol"] = sobol_figure(sobol, cfg.sensitivity.metrics, run_dir / "figures" / "sobol.png")
        values = {p.key: getattr(*_field(cfg, p.key)[:2]) for p in cfg.sensitivity.parameters}
        prov = outputs.provenance(cfg.seed, cfg.sensitivity.replications_per_point, started, outputs.now_iso())
        prov["packages"]["SALib"] = _salib_version()
        prov["model_runs"] = len(samples) * cfg.sensitivity.replications_per_point
        outputs.write_json(run_dir / "provenance.json", prov)
        outputs.write_text(run_dir / "report.html",
                           render_sensitivity(cfg, morris, sobol, ranking, figures, prov, values))
    except BaseException as exc:
        outputs.write_status(run_dir, "failed", scenario=cfg.scenario, error=f"{type(exc).__name__}: {exc}")
        raise
    outputs.write_status(run_dir, "completed", scenario=cfg.scenario, started=started)


def _salib_version() -> str | None:
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version("SALib")
    except metadata.PackageNotFoundError:
        return None
