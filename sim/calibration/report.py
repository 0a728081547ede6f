"""The fit's diagnostics report: one self-contained HTML file (figures embedded)."""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.calibration.design import FreeParameter  # noqa: E402
from sim.calibration.targets import TargetSet  # noqa: E402
from sim.outputs import write_text  # noqa: E402


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _resample(posterior: pd.DataFrame, n: int = 400, seed: int = 0) -> pd.DataFrame:
    """An unweighted resample of the weighted particles (for plots that take no weights)."""
    rng = np.random.default_rng(seed)
    w = posterior["weight"].to_numpy()
    return posterior.iloc[rng.choice(len(posterior), size=n, p=w / w.sum())].reset_index(drop=True)


def marginals(posterior: pd.DataFrame, params: tuple[FreeParameter, ...], point: Mapping[str, float]) -> str:
    n = len(params)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.5 * rows), squeeze=False)
    for ax, p in zip(axes.ravel(), params, strict=False):
        sns.histplot(x=posterior[p.key], weights=posterior["weight"], bins=15, stat="density", ax=ax, color="#4c72b0")
        ax.axvline(point[p.key], color="#c44e52", lw=1.5)
        ax.set_xlim(p.low, p.high)
        ax.set_xlabel(p.key, fontsize=8)
        ax.set_ylabel("")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle("Posterior marginals over the prior range (red: the representative particle, the shipped defaults)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def pairs(posterior: pd.DataFrame, params: tuple[FreeParameter, ...]) -> str:
    sample = _resample(posterior)[[p.key for p in params]]
    sample.columns = [k.split(".", 1)[1] for k in sample.columns]
    grid = sns.pairplot(sample, corner=True, plot_kws={"s": 8, "alpha": 0.5}, height=1.4)
    return _png(grid.figure)


def predictive_table(posterior: pd.DataFrame, targets: TargetSet) -> pd.DataFrame:
    """Every target against the posterior predictive (the particles' own statistics)."""
    w = posterior["weight"].to_numpy()
    from sim.calibration.fit import weighted_quantile  # noqa: PLC0415

    rows = []
    for t in targets.entries:
        v = posterior[f"stat:{t.name}"].to_numpy(dtype=float)
        lo, med, hi = weighted_quantile(v, w, np.array([0.05, 0.5, 0.95]))
        rows.append({"target": t.name, "range": t.range_text(), "median": med, "p5": lo, "p95": hi,
                     "inside": t.inside(med), "source": t.short_source})
    return pd.DataFrame(rows)


def predictive_figure(table: pd.DataFrame, targets: TargetSet) -> str:
    """Each target's range (grey) and the predictive 90 % interval and median, on a scale
    where the range is [0, 1] (one-sided ranges: the bound at 0 or 1)."""
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1))
    for i, (t, row) in enumerate(zip(targets.entries, table.itertuples(), strict=True)):
        lo = t.low if math.isfinite(t.low) else t.high - max(abs(t.high), 1.0)
        hi = t.high if math.isfinite(t.high) else t.low + max(abs(t.low), 1.0)
        span = (hi - lo) or 1.0

        def scale(x: float, lo: float = lo, span: float = span) -> float:
            return (x - lo) / span

        ax.barh(i, 1.0, left=0.0, color="#dddddd", height=0.6)
        ax.plot([scale(row.p5), scale(row.p95)], [i, i], color="#4c72b0", lw=2)
        ax.plot(scale(row.median), i, "o", color="#c44e52" if not row.inside else "#55a868")
    ax.set_yticks(range(len(table)), table["target"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("position relative to the target range (grey = the range)")
    ax.set_title("Targets against the posterior predictive (median, 90 % interval)", fontsize=10)
    return _png(fig)


def write_report(path: Path, history: Any, posterior: pd.DataFrame, params: tuple[FreeParameter, ...],
                 targets: TargetSet, point: Mapping[str, float], summary: Mapping[str, Any]) -> Path:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0][["t", "epsilon", "samples", "population_end_time"]]
    table = predictive_table(posterior, targets)
    prm = pd.DataFrame([{"parameter": p.key, "prior": f"{p.prior} [{p.low:g}, {p.high:g}]",
                         "median": point[p.key],
                         "p5": float(np.interp(0.05, *_cdf(posterior, p.key))),
                         "p95": float(np.interp(0.95, *_cdf(posterior, p.key))), "note": p.note} for p in params])
    sections = [
        "<h1>Calibration fit: diagnostics</h1>",
        f"<p>Targets <b>{html.escape(targets.name)}</b> ({len(targets.entries)}): "
        f"{html.escape(targets.description)}. {summary['generations']} generation(s), {summary['evaluations']} design "
        f"evaluations, final epsilon {summary['final_epsilon']:.3g}, effective sample size "
        f"{summary['ess']:.1f} of {summary['particles']} particles, {summary['minutes']:.1f} minutes; "
        f"{summary['cost_cpu_s']:.2f} s CPU per design evaluation. Posterior: {html.escape(summary['posterior'])}.</p>",
        "<p>Distance: root sum of squares of each target's distance outside its range, in units of the range's "
        "width (0 inside). The predictive intervals below are those of the final particles' own design "
        "evaluations (each includes the model's stochastic noise).</p>",
        "<h2>Generations</h2>", pops.to_html(index=False, float_format=lambda x: f"{x:.4g}"),
        "<h2>Parameters</h2>", prm.to_html(index=False, float_format=lambda x: f"{x:.4g}"),
        marginals(posterior, params, point),
        "<h2>Pairs</h2>", pairs(posterior, params),
        "<h2>Targets against the posterior predictive</h2>",
        table.to_html(index=False, float_format=lambda x: f"{x:.4g}"), predictive_figure(table, targets),
    ]
    write_text(path, "<!doctype html><html><head><meta charset='utf-8'><title>Calibration fit</title>"
                     "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;"
                     "font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:100%}</style></head><body>"
               + "\n".join(sections) + "</body></html>\n")
    return path


def _cdf(posterior: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    v = posterior[key].to_numpy()
    w = posterior["weight"].to_numpy()
    order = np.argsort(v)
    cdf = (np.cumsum(w[order]) - 0.5 * w[order]) / w.sum()
    return cdf, v[order]
