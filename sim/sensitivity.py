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
``figures/*.png``, a self-contained ``report.html`` and ``status.json``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from omegaconf import OmegaConf

from sim import outputs
from sim.config import Config, ConfigError, as_dict, flatten
from sim.evidence import parameter_table
from sim.figures import PERCENT_METRICS, metric_label
from sim.metrics import CONTRACT_METRICS, EXTRA_METRICS
from sim.model import Model
from sim.runner import n_workers, ordered_map

CONF_LEVEL = 0.95
NUM_RESAMPLES = 100
FIG_DPI = 100


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


# --------------------------------------------------------------------------- figures


def _metric_scale(metric: str) -> tuple[str, float, str]:
    """Panel title, the factor that puts the metric in its plotted units, and those units."""
    title, unit = metric_label(metric)
    if metric in PERCENT_METRICS:
        return title, 100.0, "percentage points"
    return title, 1.0, unit


def short_names(keys: Sequence[str]) -> dict[str, str]:
    """Each dotted key by its parameter name alone, unless two sections share that name."""
    leaves = [k.split(".", 1)[-1] for k in keys]
    return {k: leaf if leaves.count(leaf) == 1 else k for k, leaf in zip(keys, leaves, strict=True)}


def _grid(n: int, width: float, height: float) -> tuple[plt.Figure, np.ndarray]:
    ncols = min(2, n)
    nrows = -(-n // ncols)
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)


def morris_figure(morris: pd.DataFrame, metrics: Sequence[str], path: Path) -> Path:
    """mu* against sigma, one panel per metric, each parameter labelled with its mu* interval."""
    sns.set_theme(style="whitegrid")
    names = list(dict.fromkeys(morris["parameter"]))
    short = short_names(names)
    palette = dict(zip(names, sns.color_palette("colorblind" if len(names) <= 10 else "husl", len(names)), strict=True))
    fig, axes = _grid(len(metrics), 6.4, 4.8)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        title, factor, unit = _metric_scale(metric)
        d = morris[morris["metric"] == metric]
        mu, conf, sigma = d["mu_star"] * factor, d["mu_star_conf"] * factor, d["sigma"] * factor
        big = float(np.nanmax(np.r_[mu, 0.0]))
        for name, m, c, s in zip(d["parameter"], mu, conf, sigma, strict=True):
            ax.errorbar(m, s, xerr=c, fmt="o", color=palette[name], elinewidth=1, capsize=3, markersize=6)
            if big > 0 and m >= 0.1 * big:  # label the influential; the legend names the rest by colour
                ax.annotate(short[name], (m, s), xytext=(4, 4), textcoords="offset points", fontsize=8)
        lim = float(np.nanmax(np.r_[mu + conf, sigma, 0.0])) or 1.0
        ax.plot([0, lim * 1.05], [0, lim * 1.05], color="0.6", linestyle=":", linewidth=1, label="σ = μ*")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"μ*: mean |elementary effect| ({unit}), 95% interval", fontsize=9)
        ax.set_ylabel(f"σ of elementary effects ({unit})", fontsize=9)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=palette[p]) for p in names]
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)), fontsize=8, frameon=False)
    fig.suptitle("Morris screening: influence (μ*) against non-linearity or interaction (σ); dotted line σ = μ*")
    fig.tight_layout(rect=(0, 0.04 + 0.025 * ((len(names) - 1) // 4), 1, 0.96))
    return _save(fig, path)


def sobol_figure(sobol: pd.DataFrame, metrics: Sequence[str], path: Path) -> Path:
    """First-order (S1) and total (ST) Sobol indices with 95% intervals, one panel per metric."""
    sns.set_theme(style="whitegrid")
    names = list(dict.fromkeys(sobol["parameter"]))
    fig, axes = _grid(len(metrics), 7.0, 1.6 + 0.6 * len(names))
    colours = sns.color_palette("colorblind", 2)
    height = 0.38
    pos = np.arange(len(names))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        d = sobol[sobol["metric"] == metric].set_index("parameter").reindex(names)
        for k, (col, label) in enumerate((("S1", "first order S1"), ("ST", "total ST"))):
            ax.barh(pos + (k - 0.5) * height, d[col], height=height, xerr=d[f"{col}_conf"], color=colours[k],
                    label=label, error_kw={"elinewidth": 1, "capsize": 3, "ecolor": "0.25"})
        ax.set_yticks(pos, names, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_title(_metric_scale(metric)[0], fontsize=10)
        ax.set_xlabel("Sobol index (share of output variance), 95% interval", fontsize=9)
        ax.set_ylabel("parameter", fontsize=9)
        ax.legend(fontsize=8, loc="best")
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("Sobol indices: output variance explained by each parameter alone (S1) and with interactions (ST)")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    outputs.atomic_write(path, lambda p: fig.savefig(p, dpi=FIG_DPI, format="png"))
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- report


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "—" if not np.isfinite(x) else f"{x:.4g}"
    return str(x)


def _table(df: pd.DataFrame) -> str:
    from sim.report import table_html  # noqa: PLC0415

    return table_html(df.map(_fmt) if len(df) else df)


def render_report(cfg: Config, morris: pd.DataFrame, sobol: pd.DataFrame | None, ranking: pd.Series,
                  figures: dict[str, Path], provenance: dict[str, Any]) -> str:
    """The self-contained HTML page of a sensitivity run."""
    from sim.report import esc, html_page, png_data_uri, section  # noqa: PLC0415

    sens = cfg.sensitivity
    values = {p.key: getattr(*_field(cfg, p.key)[:2]) for p in sens.parameters}
    ranges = pd.DataFrame([{"parameter": p.key, "config value": values[p.key], "low": p.low, "high": p.high,
                            "normalised μ* (mean over metrics)": ranking.get(p.key, np.nan)} for p in sens.parameters])
    n_morris = sens.morris_trajectories * (len(sens.parameters) + 1)
    design = (f"<p>Organisation <b>{esc(cfg.organisation.name)}</b>, {cfg.years:g} year(s), "
              f"{sens.replications_per_point} replication(s) per point with common random numbers. Each output is "
              f"the organisation-level mean of the last {cfg.outputs.summary_months} months. Morris: "
              f"{sens.morris_trajectories} trajectories × {len(sens.parameters) + 1} points = {n_morris} points "
              f"({sens.morris_levels} levels). ")
    if sobol is not None:
        top = list(dict.fromkeys(sobol["parameter"]))
        design += (f"Sobol (Saltelli, N={sens.sobol_n}, first order and total): the {len(top)} parameters with the "
                   f"largest normalised μ* ({esc(', '.join(top))}), {sens.sobol_n * (len(top) + 2)} points; the other "
                   "parameters held at their config values.</p>")
    else:
        design += "Sobol stage skipped (sobol_top = 0).</p>"
    question = f"<p>{esc(cfg.description or 'Which uncertain parameters drive the outputs?')}</p>" + design
    how_to_read = ("<p>μ* is the mean absolute change of the output when one parameter moves by a grid step across "
                   "its range, σ the spread of those changes: σ large relative to μ* means a non-linear effect or "
                   "interactions. Shares (rates, prevalence) are fractions 0–1 in the table and percentage points in "
                   "the figure; intervals are 95% bootstrap intervals.</p>")
    sobol_note = ("<p>S1 is the share of output variance a parameter explains on its own, ST the share including all "
                  "its interactions (ST − S1 = through interactions); intervals are 95% bootstrap intervals. With a "
                  "small base sample the intervals are wide and indices can fall slightly outside 0–1.</p>")

    def fig(key: str, alt: str) -> str:
        if key not in figures:
            return ""
        return f'<figure class="fig wide"><img src="{png_data_uri(figures[key])}" alt="{esc(alt)}"></figure>'

    prov = pd.DataFrame({"item": list(flatten(provenance)), "value": [str(v) for v in flatten(provenance).values()]})
    parts = [
        section("question", "Question and design", question),
        section("parameters", "Parameters and ranges", _table(ranges)),
        section("morris", "Stage 1: Morris screening", how_to_read + fig("morris", "Morris mu* against sigma")
                + _table(morris)),
        section("sobol", "Stage 2: Sobol indices",
                (sobol_note + fig("sobol", "Sobol indices S1 and ST") + _table(sobol)) if sobol is not None
                else "<p class='muted'>Skipped (sobol_top = 0).</p>"),
        section("provenance", "Provenance", _table(prov)),
    ]
    title = "Leadership culture, burnout and care: sensitivity analysis"
    body = "\n".join(parts)
    return html_page(title, f"scenario {cfg.scenario}", body)




# --------------------------------------------------------------------------- the run folder


def run_sensitivity(cfg: Config, run_dir: Path) -> None:
    """Morris screening, then Sobol on the top parameters; write the results into ``run_dir``.

    Like :func:`sim.app.run_to_folder`: ``status.json`` says ``running`` until everything
    is written, then ``completed``, or ``failed`` with the error if anything raised.
    """
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
        prov = outputs.provenance(cfg.seed, cfg.sensitivity.replications_per_point, started, outputs.now_iso())
        prov["packages"]["SALib"] = _salib_version()
        prov["model_runs"] = len(samples) * cfg.sensitivity.replications_per_point
        outputs.write_json(run_dir / "provenance.json", prov)
        outputs.write_text(run_dir / "report.html", render_report(cfg, morris, sobol, ranking, figures, prov))
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
