"""Global sensitivity analysis (``analysis: sensitivity``): Morris screening, then Sobol.

Stage 1 screens every parameter of ``sensitivity.parameters`` with Morris elementary
effects (mu*, its bootstrap interval, sigma). Stage 2 estimates first-order and total
Sobol indices (Saltelli sampling) for the ``sobol_top`` parameters with the largest
normalised mu*, the others held at their config values.

Ranges are ``given`` (each parameter's low and high) or, with ``sensitivity.ranges:
posterior``, the weighted 5th-95th percentiles of each parameter in the calibration's
posterior sample (``sensitivity.posterior``); ``parameters_from: calibration`` explores
every parameter that conf/calibration/calibration.yaml fits.

One model evaluation is the scenario's config with the sample's parameter values set,
run for ``replications_per_point`` replications (0..k-1, the same random streams at
every point: common random numbers). Its output for each of ``sensitivity.metrics``
is the organisation-level mean over the last ``outputs.summary_months`` months,
averaged over those replications. Each of ``sensitivity.differences`` also runs the two
leadership presets it names (conf/leadership/NAME.yaml replaces the leadership section;
the sample's values, seed and replications are the same: common random numbers), and
its output is the difference of their means. Points run in worker processes; results
are kept in sample order, so a run is deterministic whatever the number of workers.

Outputs in the run folder (each written atomically): ``morris.csv``, ``sobol.csv``,
``samples.csv``, ``ranges.csv`` (each parameter's explored range and its source),
``config.yaml``, ``parameters.csv``, ``provenance.json``,
``figures/*.png``, a self-contained ``report.html`` and ``status.json``. The figures and the
page are drawn by ``sim/report/`` (``figures.morris_figure``, ``figures.sobol_figure``,
``sensitivity.render_sensitivity``); this module only samples, runs and analyses.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim import outputs
from sim.calibration.fit import weighted_quantile
from sim.config import REPO_ROOT, Config, ConfigError, SensitivityParameter, as_dict, check_parameter_key
from sim.evidence import parameter_table
from sim.metric_records import difference_name
from sim.metrics import CONTRACT_METRICS, EXTRA_METRICS
from sim.model import Model
from sim.runner import n_workers, ordered_map

CONF_LEVEL = 0.95
NUM_RESAMPLES = 100
#: The free parameters of the calibration (``parameters_from: calibration``).
CALIBRATION_FILE = REPO_ROOT / "conf" / "calibration" / "calibration.yaml"
#: Leadership presets (``sensitivity.differences``): conf/leadership/NAME.yaml.
LEADERSHIP_DIR = REPO_ROOT / "conf" / "leadership"
#: Posterior ranges: the weighted 5th and 95th percentiles of each parameter's marginal.
POSTERIOR_QUANTILES = (0.05, 0.95)


# --------------------------------------------------------------------------- ranges and outputs


def calibrated_keys() -> list[str]:
    """The keys of the parameters the calibration fits (conf/calibration/calibration.yaml ``parameters``)."""
    entries = OmegaConf.to_container(OmegaConf.load(CALIBRATION_FILE)["parameters"], resolve=False)
    assert isinstance(entries, list)
    return [str(e["key"]) for e in entries]


def posterior_path(cfg: Config) -> Path:
    path = Path(cfg.sensitivity.posterior)
    return path if path.is_absolute() else REPO_ROOT / path


def resolve_ranges(cfg: Config) -> Config:
    """``cfg`` with every sensitivity parameter's low and high set: unchanged for given ranges;
    for posterior ranges, a copy whose parameters (listed, or the calibrated ones) carry the
    weighted 5th-95th percentiles of the posterior sample. A parameter the posterior lacks
    is a :class:`ConfigError` naming it."""
    sens = cfg.sensitivity
    if sens.ranges != "posterior":
        return cfg
    if sens.parameters_from == "calibration":
        keys = calibrated_keys()
        for i, key in enumerate(keys):
            check_parameter_key(cfg, key, f"{CALIBRATION_FILE.relative_to(REPO_ROOT)} parameters[{i}]")
    else:
        keys = [sp.key for sp in sens.parameters]
    path = posterior_path(cfg)
    if not path.is_file():
        raise ConfigError(f"sensitivity.posterior={sens.posterior} does not exist; run `python -m sim.calibrate fit` "
                          "or set sensitivity.ranges=given")
    post = pd.read_csv(path)
    if "weight" not in post.columns:
        raise ConfigError(f"sensitivity.posterior={sens.posterior} has no 'weight' column (not a posterior sample?)")
    weights = post["weight"].to_numpy(dtype=float)
    params = []
    for key in keys:
        if key not in post.columns:
            raise ConfigError(f"sensitivity parameter '{key}' is not in the posterior sensitivity.posterior="
                              f"{sens.posterior} (fitted with other parameters?); refit with `python -m sim.calibrate "
                              "fit`, or give its range with sensitivity.ranges=given")
        lo, hi = (float(v) for v in weighted_quantile(post[key].to_numpy(dtype=float), weights,
                                                       np.array(POSTERIOR_QUANTILES)))
        if not lo < hi:
            raise ConfigError(f"sensitivity parameter '{key}': the posterior's 5th-95th percentiles [{lo:g}, {hi:g}] "
                              f"are not a range ({sens.posterior})")
        params.append(SensitivityParameter(key=key, low=lo, high=hi))
    new = copy.deepcopy(cfg)
    new.sensitivity.parameters = params
    return new


def output_names(cfg: Config) -> list[str]:
    """The analysed outputs: the metrics, then each preset difference (``metric[scenario-minus]``)."""
    sens = cfg.sensitivity
    return [*sens.metrics, *(difference_name(d.metric, d.scenario, d.minus) for d in sens.differences)]


def leadership_presets() -> list[str]:
    return sorted(p.stem for p in LEADERSHIP_DIR.glob("*.yaml"))


@functools.cache
def _preset_node(name: str) -> Any:
    return OmegaConf.load(LEADERSHIP_DIR / f"{name}.yaml")


def with_preset(cfg: Config, preset: str | None) -> Config:
    """``cfg`` with its leadership section replaced by conf/leadership/PRESET.yaml (as the
    override ``leadership=PRESET`` would compose it); ``None``: ``cfg`` itself."""
    if preset is None:
        return cfg
    new = copy.deepcopy(cfg)
    node = OmegaConf.merge(OmegaConf.structured(type(cfg.leadership)), _preset_node(preset))
    new.leadership = OmegaConf.to_object(node)
    return new


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


def arm_means(cfg: Config, metrics: Sequence[str]) -> dict[str, float]:
    """Mean of each metric over the last summary months, averaged over the point's replications."""
    months = cfg.outputs.summary_months
    per_rep = []
    for r in range(cfg.sensitivity.replications_per_point):
        recorder = Model(cfg, r).run()
        per_rep.append([float(np.mean(recorder.org[m][-months:])) for m in metrics])
    return dict(zip(metrics, np.mean(per_rep, axis=0).tolist(), strict=True))


def evaluate(cfg: Config, values: dict[str, float]) -> dict[str, float]:
    """Every output at one sample point: the metrics of the scenario itself, and each preset
    difference from one run of each preset it names (shared by differences that name it)."""
    sens = cfg.sensitivity
    arms: dict[str | None, list[str]] = {None: list(sens.metrics)} if sens.metrics else {}
    for d in sens.differences:
        for preset in (d.scenario, d.minus):
            wanted = arms.setdefault(preset, [])
            if d.metric not in wanted:
                wanted.append(d.metric)
    means = {arm: arm_means(with_parameters(with_preset(cfg, arm), values), metrics) for arm, metrics in arms.items()}
    out = {m: means[None][m] for m in sens.metrics}
    for d in sens.differences:
        out[difference_name(d.metric, d.scenario, d.minus)] = means[d.scenario][d.metric] - means[d.minus][d.metric]
    return out


def evaluate_points(cfg: Config, points: Sequence[dict[str, float]], desc: str) -> list[dict[str, float]]:
    """Evaluate every point, in parallel when ``n_jobs`` allows; results in point order."""
    return ordered_map(evaluate, [(cfg, values) for values in points], workers=n_workers(cfg, len(points)),
                       desc=f"{cfg.scenario}: {desc}", unit="point", progress=cfg.progress)


# --------------------------------------------------------------------------- the analysis


def check_sensitivity(cfg: Config) -> None:
    """What the schema validation cannot see: ranges inside each field's allowed range, known metrics."""
    sens = cfg.sensitivity
    if not sens.parameters:
        raise ConfigError("sensitivity.parameters is empty; give [{key: section.name, low: L, high: H}, ...] "
                          "or sensitivity.parameters_from=calibration with sensitivity.ranges=posterior")
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
    if not sens.metrics and not sens.differences:
        raise ConfigError("sensitivity.metrics and sensitivity.differences are both empty")
    for i, m in enumerate(sens.metrics):
        if m not in known:
            raise ConfigError(f"sensitivity.metrics[{i}]='{m}' is not a metric; allowed: {', '.join(sorted(known))}")
    presets = leadership_presets()
    names = set()
    for i, d in enumerate(sens.differences):
        where = f"sensitivity.differences[{i}]"
        if d.metric not in known:
            raise ConfigError(f"{where}.metric='{d.metric}' is not a metric; allowed: {', '.join(sorted(known))}")
        for part in ("scenario", "minus"):
            if getattr(d, part) not in presets:
                raise ConfigError(f"{where}.{part}='{getattr(d, part)}' is not a leadership preset; allowed: "
                                  f"{', '.join(presets)}")
        if d.scenario == d.minus:
            raise ConfigError(f"{where}: scenario and minus are both '{d.scenario}'; the difference would be 0")
        name = difference_name(d.metric, d.scenario, d.minus)
        if name in names:
            raise ConfigError(f"{where} is listed twice")
        names.add(name)


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
    for metric in output_names(cfg):
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
    for metric in output_names(cfg):
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
        given = as_dict(cfg)  # as composed: posterior ranges are re-read from the posterior on a re-run
        cfg = resolve_ranges(cfg)
        check_sensitivity(cfg)
        outputs.write_text(run_dir / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(given)))
        outputs.write_csv(run_dir / "parameters.csv", parameter_table(given))
        source = ("given" if cfg.sensitivity.ranges == "given" else
                  f"posterior {cfg.sensitivity.posterior}, weighted 5th-95th percentiles")
        outputs.write_csv(run_dir / "ranges.csv", pd.DataFrame(
            [{"parameter": p.key, "low": p.low, "high": p.high, "source": source} for p in cfg.sensitivity.parameters]))
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
        names = output_names(cfg)
        figures = {"morris": morris_figure(morris, names, run_dir / "figures" / "morris.png")}
        if sobol is not None:
            figures["sobol"] = sobol_figure(sobol, names, run_dir / "figures" / "sobol.png")
        values = {p.key: getattr(*_field(cfg, p.key)[:2]) for p in cfg.sensitivity.parameters}
        prov = outputs.provenance(cfg.seed, cfg.sensitivity.replications_per_point, started, outputs.now_iso())
        prov["packages"]["SALib"] = _salib_version()
        arms = (1 if cfg.sensitivity.metrics else 0) + len({p for d in cfg.sensitivity.differences
                                                            for p in (d.scenario, d.minus)})
        prov["model_runs"] = len(samples) * cfg.sensitivity.replications_per_point * arms
        if cfg.sensitivity.ranges == "posterior":
            post = posterior_path(cfg)
            prov["posterior"] = {"path": cfg.sensitivity.posterior,
                                 "sha256": hashlib.sha256(post.read_bytes()).hexdigest(),
                                 "quantiles": list(POSTERIOR_QUANTILES)}
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
