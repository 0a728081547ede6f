"""Every figure of the reports: trajectories, an overview, a forest plot, team spread, the
culture grid, the organisations of a system, and the Morris and Sobol figures of a
sensitivity run.

Each function reads the tidy tables of the output contract (``timeseries.parquet``,
``summary.csv``), writes one PNG and returns its path, so the HTML report (and anyone
writing a paper) can use the same pictures. Bands are percentiles across replications
computed with a pandas groupby rather than seaborn's bootstrap, which keeps a report of
dozens of figures to a few seconds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim import outputs
from sim.glossary import scenario_label
from sim.metric_records import (
    CONTRACT_METRICS,
    METRIC_LABELS,
    MONEY_METRICS,
    PERCENT_METRICS,
    TEAM_DENOMINATORS,
    metric_label,
    split_difference,
    split_organisation_metric,
)
from sim.metrics import ORGANISATION_METRICS

BAND_LOW, BAND_HIGH = 0.025, 0.975
_STYLE = "whitegrid"
_DPI = 100


# --------------------------------------------------------------------------- helpers


#: The Okabe-Ito palette (Okabe & Ito 2008), designed to stay distinct under the common
#: colour-vision deficiencies: eight colours, so up to eight scenarios each get their own.
#: Ordered so the first few are far apart; yellow, faint on white, comes last.
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442")

#: Line styles cycled with the colours from the fifth scenario on, a second cue where lines overlap.
LINE_STYLES: tuple[str, ...] = ("-", "-", "-", "-", "--", "--", "-.", ":")

#: Metrics drawn as a rolling 12-month mean: their monthly values are annualised counts of rare
#: events (one leader of 32 leaving in a month reads as 37% "a year"), so a month alone misleads.
ROLLING_METRICS: frozenset[str] = frozenset({"leader_turnover"})
ROLLING_MONTHS = 12


def _hex_rgb(code: str) -> tuple[float, float, float]:
    return tuple(int(code[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def distinct_colours(n: int) -> list[tuple[float, float, float]]:
    """``n`` colours, colour-blind safe and distinct up to eight (more repeat the hues of husl)."""
    if n > len(OKABE_ITO):
        return sns.color_palette("husl", n)
    return [_hex_rgb(c) for c in OKABE_ITO[:max(n, 1)]]


def line_style(index: int) -> str:
    """The line style of the ``index``-th scenario."""
    return LINE_STYLES[index % len(LINE_STYLES)]


def scenario_palette(scenarios: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per scenario, in the given order, so every figure agrees."""
    names = list(dict.fromkeys(scenarios))
    return dict(zip(names, distinct_colours(len(names)), strict=False))


def org_level(ts: pd.DataFrame) -> pd.DataFrame:
    """Organisation-level rows (``team`` null), which all figures but the team one use."""
    if "team" not in ts.columns:
        return ts
    return ts[ts["team"].isna()]


def team_level(ts: pd.DataFrame) -> pd.DataFrame:
    """Per-team rows (``team`` not null)."""
    if "team" not in ts.columns:
        return ts.iloc[0:0]
    return ts[ts["team"].notna()]


def band(ts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Median and 2.5–97.5 percentiles across replications, per scenario and month."""
    rows = org_level(ts)
    rows = rows[rows["metric"] == metric]
    if metric in ROLLING_METRICS:
        rows = rolling(rows)
    q = rows.groupby(["scenario", "month"], observed=True)["value"].quantile([BAND_LOW, 0.5, BAND_HIGH])
    out = q.unstack().reset_index()
    return out.rename(columns={BAND_LOW: "low", 0.5: "median", BAND_HIGH: "high"})


def rolling(rows: pd.DataFrame, months: int = ROLLING_MONTHS) -> pd.DataFrame:
    """Each replication's trailing mean over ``months`` months (fewer at the start), per scenario."""
    rows = rows.sort_values(["scenario", "replication", "month"])
    out = rows.copy()
    out["value"] = (rows.groupby(["scenario", "replication"], observed=True)["value"]
                    .transform(lambda v: v.rolling(months, min_periods=1).mean()))
    return out


def is_constant(ts: pd.DataFrame, metric: str) -> bool:
    """Whether a metric never moves within any scenario: an input held fixed (bank and agency
    cover share, the establishment), not a result, so it gets no figure."""
    rows = org_level(ts)
    values = rows.loc[rows["metric"] == metric, ["scenario", "value"]].dropna()
    if values.empty:
        return True
    span = values.groupby("scenario", observed=True)["value"].agg(lambda v: float(v.max() - v.min()))
    size = max(1.0, float(values["value"].abs().max()))
    return bool((span <= 1e-9 * size).all())


def metric_title(metric: str) -> tuple[str, str]:
    """Title and axis label of a metric as drawn (a rolling metric says so)."""
    title, unit = metric_label(metric)
    if metric in ROLLING_METRICS:
        return f"{title} (rolling {ROLLING_MONTHS}-month mean)", unit
    return title, unit


def _ordered_scenarios(ts: pd.DataFrame, palette: dict | None) -> list[str]:
    names = sorted(pd.unique(ts["scenario"]).tolist())
    if palette:
        names = [s for s in palette if s in names] + [s for s in names if s not in palette]
    return names


def _format_y(ax: Axes, metric: str) -> None:
    if metric in PERCENT_METRICS:
        ax.yaxis.set_major_formatter(FuncFormatter(_percent_tick))
    elif metric in MONEY_METRICS:
        ax.yaxis.set_major_formatter(FuncFormatter(_money_tick))


def _percent_tick(x: float, _pos: int | None = None) -> str:
    return f"{round(x * 100, 6):g}%"


def _money_tick(x: float, _pos: int | None = None) -> str:
    sign = "−" if x < 0 else ""
    size = abs(x)
    if size >= 1e6:
        return f"{sign}£{size / 1e6:g}m"
    if size >= 1e3:
        return f"{sign}£{size / 1e3:g}k"
    return f"{sign}£{size:g}"


def _format_months(ax: Axes, n_months: int) -> None:
    """Ticks every year when the horizon is long enough, so the eye reads years."""
    ax.set_xlabel("Month")
    if n_months > 36:
        ax.xaxis.set_major_locator(MultipleLocator(12 if n_months <= 144 else 24))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _legend_columns(labels: Sequence[str], width_px: float, char_px: float = 6.5) -> int:
    """Legend columns that fit the figure's width, so long scenario names are never cut off."""
    longest = max((len(str(label)) for label in labels), default=1)
    per_entry = char_px * longest + 50  # text plus the line handle and spacing
    return max(1, min(len(labels), int(width_px // per_entry)))


def _band_alpha(n_scenarios: int) -> float:
    """Lighter bands when many overlap, so eight scenarios do not mix into one brown."""
    return 0.2 if n_scenarios <= 3 else max(0.06, 0.5 / n_scenarios)


def _draw_band(ax: Axes, bands: pd.DataFrame, scenarios: Sequence[str], palette: dict,
               alpha: float | None = None) -> None:
    alpha = _band_alpha(len(scenarios)) if alpha is None else alpha
    for name in scenarios:
        b = bands[bands["scenario"] == name].sort_values("month")
        if b.empty:
            continue
        colour = palette[name]
        ax.fill_between(b["month"], b["low"], b["high"], color=colour, alpha=alpha, linewidth=0)
        style = line_style(list(palette).index(name)) if name in palette else "-"
        ax.plot(b["month"], b["median"], color=colour, linewidth=1.6, linestyle=style, label=scenario_label(name))


def _pad_flat(ax: Axes, bands: pd.DataFrame) -> None:
    """Give a constant series a visible range, else the ticks repeat one rounded value."""
    if bands.empty:
        return
    lo, hi = float(bands[["low", "median"]].min().min()), float(bands[["median", "high"]].max().max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return
    if hi - lo <= 1e-9 * max(1.0, abs(hi)):
        pad = 0.1 * abs(hi) if hi else 1.0
        ax.set_ylim(lo - pad, hi + pad)


def _finish_panel(ax: Axes, metric: str, n_months: int) -> None:
    """Title, unit and axes of one small-multiple panel of a metric over months."""
    title, ylabel = metric_title(metric)
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_ylabel(ylabel, fontsize="small")
    _format_months(ax, n_months)
    _format_y(ax, metric)


def _hide_unused(axes: np.ndarray, n_used: int) -> None:
    for ax in list(axes.flat)[n_used:]:
        ax.set_visible(False)


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    outputs.save_figure(fig, path, dpi=_DPI)   # atomic: no truncated PNG on a full disk
    plt.close(fig)
    return path


def _shade_summary(ax: Axes, n_months: int, summary_months: int | None) -> None:
    if summary_months and 0 < summary_months < n_months:
        ax.axvspan(n_months - summary_months - 0.5, n_months - 0.5, color="0.5", alpha=0.08, linewidth=0)


# --------------------------------------------------------------------------- figures


def trajectory_figure(ts: pd.DataFrame, metric: str, out_dir: Path, *,
                      palette: dict | None = None, summary_months: int | None = None) -> Path:
    """One metric over time: median line and 95% band across replications per scenario."""
    bands = band(ts, metric)
    palette = palette or scenario_palette(sorted(bands["scenario"].unique()))
    scenarios = _ordered_scenarios(bands, palette)
    title, ylabel = metric_title(metric)
    n_months = int(bands["month"].max()) + 1 if not bands.empty else 0
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.9):
        fig, ax = plt.subplots(figsize=(7.2, 3.6), layout="constrained")
        _shade_summary(ax, n_months, summary_months)
        _draw_band(ax, bands, scenarios, palette)
        _pad_flat(ax, bands)
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_ylabel(ylabel)
        _format_months(ax, n_months)
        _format_y(ax, metric)
        fig.legend(loc="outside lower center", ncols=_legend_columns([scenario_label(n) for n in scenarios], 7.2 * _DPI),
                   fontsize="small", frameon=False)
        return _save(fig, Path(out_dir) / f"trajectory_{metric}.png")


def overview_figure(ts: pd.DataFrame, out_dir: Path, *, metrics: Sequence[str] = CONTRACT_METRICS,
                    palette: dict | None = None, summary_months: int | None = None) -> Path:
    """Small multiples of the contract metrics: the whole run at a glance."""
    org = org_level(ts)
    present = set(pd.unique(org["metric"]))
    metrics = [m for m in metrics if m in present]
    palette = palette or scenario_palette(sorted(pd.unique(org["scenario"])))
    scenarios = _ordered_scenarios(org, palette)
    n_months = int(org["month"].max()) + 1 if not org.empty else 0
    ncols = 4 if len(metrics) > 6 else 2 if len(metrics) == 4 else max(min(len(metrics), 3), 1)
    nrows = max(int(np.ceil(len(metrics) / ncols)), 1)
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.8):
        fig, axes = plt.subplots(nrows, ncols, figsize=(max(3.6 * ncols, 6.0), 2.7 * nrows + 0.6),
                                 layout="constrained", squeeze=False)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            _shade_summary(ax, n_months, summary_months)
            bands = band(org, metric)
            _draw_band(ax, bands, scenarios, palette)
            _pad_flat(ax, bands)
            _finish_panel(ax, metric, n_months)
        _hide_unused(axes, len(metrics))
        handles = [plt.Line2D([], [], color=palette[s], linewidth=2.5, linestyle=line_style(list(palette).index(s)))
                   for s in scenarios]
        names = [scenario_label(s) for s in scenarios]
        fig.legend(handles, names, loc="outside upper center",
                   ncols=min(4, _legend_columns(names, max(3.6 * ncols, 6.0) * _DPI, char_px=7.5)),
                   title="Scenario: median line and 95% band across replications", frameon=False)
        return _save(fig, Path(out_dir) / "overview.png")


def forest_figure(summary: pd.DataFrame, out_dir: Path, *, reference: str,
                  metrics: Sequence[str] | None = None, palette: dict | None = None) -> Path | None:
    """Paired differences from the reference with 95% intervals, one panel per metric.

    Returns None when there is nothing to compare (a single scenario, or no diff columns).
    """
    if "diff" not in summary.columns:
        return None
    rows = summary[(summary["scenario"] != reference) & summary["diff"].notna()]
    if rows.empty:
        return None
    if metrics is None:
        contract = [m for m in CONTRACT_METRICS if m in set(rows["metric"])]
        metrics = contract or sorted(rows["metric"].unique())
    metrics = [m for m in metrics if m in set(rows["metric"])]
    palette = palette or scenario_palette([reference, *sorted(rows["scenario"].unique())])
    scenarios = [s for s in palette if s in set(rows["scenario"])]
    scenarios += sorted(set(rows["scenario"]) - set(scenarios))
    ncols = 4 if len(metrics) > 6 else max(min(len(metrics), 3), 1)
    nrows = int(np.ceil(len(metrics) / ncols))
    panel_h = 0.9 + 0.35 * len(scenarios)
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.8):
        fig, axes = plt.subplots(nrows, ncols, figsize=(max(3.6 * ncols, 7.5), panel_h * nrows + 0.8),
                                 layout="constrained", squeeze=False, sharey=True)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            _forest_panel(ax, rows[rows["metric"] == metric], metric, scenarios, palette)
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        fig.suptitle(f"Paired difference from the reference ({scenario_label(reference)}), last-year mean, "
                     "95% interval",
                     fontweight="bold")
        return _save(fig, Path(out_dir) / "forest.png")


def _forest_panel(ax: Axes, rows: pd.DataFrame, metric: str, scenarios: Sequence[str],
                  palette: dict, labels: dict[str, str] | None = None, short: bool = False) -> None:
    scale = 100.0 if metric in PERCENT_METRICS else 1.0
    for y, name in enumerate(scenarios):
        r = rows[rows["scenario"] == name]
        if r.empty:
            continue
        d, lo, hi = (float(r[c].iloc[0]) * scale for c in ("diff", "diff_ci_low", "diff_ci_high"))
        xerr = np.array([[max(d - lo, 0.0)], [max(hi - d, 0.0)]])
        ax.errorbar([d], [y], xerr=xerr, fmt="o", color=palette.get(name, "0.3"), capsize=3, markersize=5)
    ax.axvline(0.0, color="0.3", linewidth=0.9, linestyle="--")
    names = [(labels or {}).get(n) or scenario_label(n) for n in scenarios]
    ax.set_yticks(range(len(scenarios)), names)
    ax.set_ylim(len(scenarios) - 0.5, -0.5)
    title, ylabel = metric_label(metric)
    ax.set_title(title, loc="left", fontweight="bold")
    unit = "percentage points" if metric in PERCENT_METRICS else ylabel
    ax.set_xlabel(unit.split(", ")[0] if short else f"difference, {unit}", fontsize="small")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    if metric in MONEY_METRICS:
        ax.xaxis.set_major_formatter(FuncFormatter(_money_tick))


@contextlib.contextmanager
def _fixed_jitter() -> Iterator[None]:
    """seaborn's strip-plot jitter draws from numpy's global generator: seed it for the
    plot only and put its state back, so the same folder always gives the same figure and
    nothing else's draws are touched (the model never uses the global generator)."""
    state = np.random.get_state()
    np.random.seed(0)
    try:
        yield
    finally:
        np.random.set_state(state)


def team_figure(ts: pd.DataFrame, out_dir: Path, *, palette: dict | None = None,
                summary_months: int = 12) -> Path | None:
    """Spread across teams of the last-year mean of each per-team metric.

    Culture is set team by team, so the organisation mean can hide failing wards; this
    shows each team as a dot (averaged over replications). None when there are no team rows.
    """
    teams = team_level(ts)
    if teams.empty:
        return None
    last = int(teams["month"].max())
    recent = teams[teams["month"] > last - summary_months]
    per_team = (recent.groupby(["metric", "scenario", "team"], observed=True)["value"].mean()
                .reset_index())
    per_team["team"] = per_team["team"].astype(str)
    per_team = per_team[~per_team["metric"].isin(TEAM_DENOMINATORS)]    # counts behind the rates, not outcomes
    metrics = [m for m in METRIC_LABELS if m in set(per_team["metric"])]
    metrics += sorted(set(per_team["metric"]) - set(metrics))
    palette = palette or scenario_palette(sorted(per_team["scenario"].unique()))
    scenarios = _ordered_scenarios(per_team, palette)
    ncols = min(len(metrics), 3)
    nrows = int(np.ceil(len(metrics) / ncols))
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.8):
        fig, axes = plt.subplots(nrows, ncols, figsize=(max(4.2 * ncols, 8.0), 3.0 * nrows + 0.5),
                                 layout="constrained", squeeze=False)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            data = per_team[per_team["metric"] == metric]
            _team_boxes(ax, data, scenarios, palette)
            with _fixed_jitter():
                sns.stripplot(data=data, x="scenario", y="value", hue="scenario", order=scenarios,
                              hue_order=scenarios, palette=palette, ax=ax, size=3.5, jitter=0.2,
                              legend=False, zorder=3)
            ax.set_xticks(range(len(scenarios)), [scenario_label(n) for n in scenarios])
            ax.set_xlim(-0.6, len(scenarios) - 0.4)
            title, ylabel = metric_label(metric)
            ax.set_title(title, loc="left", fontweight="bold")
            ax.set_ylabel(ylabel, fontsize="small")
            ax.set_xlabel("")
            _format_y(ax, metric)
            if len(scenarios) > 2:
                ax.tick_params(axis="x", labelrotation=30)
                for label in ax.get_xticklabels():
                    label.set_horizontalalignment("right")
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        fig.suptitle(f"Spread across teams: each dot is one team's mean of the last {summary_months} months",
                     fontweight="bold")
        return _save(fig, Path(out_dir) / "teams.png")


def _team_boxes(ax: Axes, data: pd.DataFrame, scenarios: Sequence[str], palette: dict) -> None:
    """Quartile boxes per scenario behind the team dots (matplotlib's own, no deprecated args)."""
    groups = [data.loc[data["scenario"] == s, "value"].dropna().to_numpy() for s in scenarios]
    boxes = ax.boxplot(groups, positions=range(len(scenarios)), widths=0.55, showfliers=False,
                       patch_artist=True, medianprops={"color": "0.2"}, zorder=2)
    for patch, name in zip(boxes["boxes"], scenarios, strict=True):
        patch.set_facecolor((*palette[name][:3], 0.3))
        patch.set_edgecolor("0.4")


def culture_grid_figure(ts: pd.DataFrame, metric: str, out_dir: Path, *, grid: Sequence[Sequence[str]],
                        row_titles: Sequence[str], col_titles: Sequence[str], reference: str | None = None,
                        palette: dict | None = None, summary_months: int | None = None) -> Path | None:
    """Small multiples of one metric for a factorial design: one scenario per panel.

    ``grid[i][j]`` is the scenario at row level ``row_titles[i]`` and column level
    ``col_titles[j]``. Each panel shows that scenario's median and 95% band across
    replications; the reference scenario's median is the dashed grey line in every panel,
    so each culture reads against the same yardstick. The y axis is shared. None when the
    metric is not in the time series.
    """
    bands = band(ts, metric)
    names = [s for row in grid for s in row]
    bands = bands[bands["scenario"].isin(names)]
    if bands.empty:
        return None
    palette = palette or scenario_palette(names)
    ref = bands[bands["scenario"] == reference].sort_values("month") if reference else bands.iloc[0:0]
    n_months = int(bands["month"].max()) + 1
    nrows, ncols = len(grid), max(len(r) for r in grid)
    title, ylabel = metric_title(metric)
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.85):
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.9 * ncols + 0.6, 2.6 * nrows + 1.1),
                                 layout="constrained", squeeze=False, sharex=True, sharey=True)
        for i, row in enumerate(grid):
            for j, name in enumerate(row):
                ax = axes[i, j]
                _shade_summary(ax, n_months, summary_months)
                if not ref.empty:
                    ax.plot(ref["month"], ref["median"], color="0.45", linewidth=1.3, linestyle="--", zorder=3)
                _draw_band(ax, bands, [name], palette, alpha=0.25)
                mark = " (reference)" if name == reference else ""
                ax.set_title(f"{row_titles[i]}\n{col_titles[j]}{mark}", loc="left", fontsize="medium")
                ax.set_ylabel(ylabel if j == 0 else "", fontsize="small")
                if i == nrows - 1:
                    _format_months(ax, n_months)
                else:
                    ax.set_xlabel("")
                _format_y(ax, metric)
            for ax in axes[i, len(row):]:
                ax.set_visible(False)
        _pad_flat(axes[0, 0], bands)
        handles = [plt.Line2D([], [], color="0.15", linewidth=2.0)]
        labels = ["this culture: median across replications (band: 95%)"]
        if not ref.empty:
            handles.append(plt.Line2D([], [], color="0.45", linewidth=1.3, linestyle="--"))
            labels.append(f"reference ({scenario_label(reference)}): median")
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize="small",
                   frameon=False)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        return _save(fig, Path(out_dir) / f"culture_grid_{metric}.png")


def organisation_figure(ts: pd.DataFrame, scenario: str, out_dir: Path, *, summary_months: int | None = None,
                        metrics: Sequence[str] = ("vacancy_rate", "leaver_rate", "burnout_prevalence",
                                                  "missed_care_rate", "psychological_safety", "reputation",
                                                  "transfers_in", "transfers_out", "patients_per_nurse"),
                        ) -> Path | None:
    """The organisations of an integrated care system side by side (one scenario): median
    across replications and 95% band, one colour per organisation. None without them."""
    org = org_level(ts)
    org = org[org["scenario"] == scenario]
    names = pd.Series(pd.unique(org["metric"].astype(str)))
    parts = names.map(split_organisation_metric)
    rows = [(name, base, k) for name, (base, k) in zip(names, parts, strict=True) if k and base in metrics]
    if not rows:
        return None
    lookup = pd.DataFrame(rows, columns=["metric", "base", "organisation"])
    data = org.merge(lookup, on="metric")
    metrics = [m for m in metrics if m in set(lookup["base"]) and m in ORGANISATION_METRICS]
    n_orgs = int(lookup["organisation"].max())
    colours = dict(zip(range(1, n_orgs + 1), distinct_colours(n_orgs), strict=True))
    ncols = 4 if len(metrics) > 6 else max(min(len(metrics), 3), 1)
    nrows = int(np.ceil(len(metrics) / ncols))
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.8):
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 2.9 * nrows + 0.6), layout="constrained",
                                 squeeze=False)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            sub = data[data["base"] == metric]
            q = sub.groupby(["organisation", "month"])["value"].quantile([BAND_LOW, 0.5, BAND_HIGH]).unstack()
            q = q.reset_index()
            n_months = int(q["month"].max()) + 1
            _shade_summary(ax, n_months, summary_months)
            for k, g in q.groupby("organisation"):
                ax.fill_between(g["month"], g[BAND_LOW], g[BAND_HIGH], color=colours[k], alpha=0.15, linewidth=0)
                ax.plot(g["month"], g[0.5], color=colours[k], linewidth=1.4, label=f"organisation {k}")
            _finish_panel(ax, metric, n_months)
        _hide_unused(axes, len(metrics))
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(n_orgs, 8), fontsize="small", frameon=False)
        fig.suptitle(f"Organisations of the system: {scenario_label(scenario)}", fontweight="bold")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in scenario)
        return _save(fig, Path(out_dir) / f"organisations_{safe}.png")


#: The metrics of the headline figures and the brief's figure, in this order.
HEADLINE_METRICS: tuple[str, ...] = ("burnout_prevalence", "vacancy_rate", "leaver_rate", "adverse_events_per_1000")


def brief_figure(ts: pd.DataFrame, summary: pd.DataFrame, out_dir: Path, *, reference: str,
                 scenarios: Sequence[str], labels: dict[str, str] | None = None,
                 metrics: Sequence[str] = HEADLINE_METRICS, summary_months: int | None = None) -> Path | None:
    """The one figure of the one-page brief, short enough for half an A4 page.

    Several scenarios: each scenario's paired difference from the reference with its 95%
    interval, one panel per headline metric. One scenario: the headline metrics over time
    (median and 95% band across replications). None when none of the metrics is there.
    """
    labels = labels or {}
    palette = scenario_palette(scenarios)
    others = [s for s in scenarios if s != reference]
    diff_rows = (summary[(summary["scenario"] != reference) & summary["diff"].notna()]
                 if "diff" in summary.columns else summary.iloc[0:0])
    comparing = bool(others) and not diff_rows.empty
    present = set(diff_rows["metric"]) if comparing else set(org_level(ts)["metric"].astype(str))
    metrics = [m for m in metrics if m in present]
    if not metrics:
        return None
    height = (0.9 + 0.32 * len(others)) if comparing else 2.3
    with sns.axes_style(_STYLE), sns.plotting_context("notebook", font_scale=0.75):
        fig, axes = plt.subplots(1, len(metrics), figsize=(7.6, max(height, 2.0) + 0.5), layout="constrained",
                                 squeeze=False, sharey=comparing)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            if comparing:
                _forest_panel(ax, diff_rows[diff_rows["metric"] == metric], metric, others, palette,
                              labels=labels, short=True)
                ax.set_title(metric_title(metric)[0], loc="left", fontweight="bold", fontsize="small")
            else:
                org = org_level(ts)
                bands = band(org, metric)
                n_months = int(bands["month"].max()) + 1 if not bands.empty else 0
                _shade_summary(ax, n_months, summary_months)
                _draw_band(ax, bands, list(scenarios), palette)
                _pad_flat(ax, bands)
                _finish_panel(ax, metric, n_months)
                ax.set_title(metric_title(metric)[0], loc="left", fontweight="bold", fontsize="medium")
        return _save(fig, Path(out_dir) / "brief.png")


# --------------------------------------------------------------------------- sensitivity analysis

SENSITIVITY_DPI = 100


def _metric_scale(metric: str) -> tuple[str, float, str]:
    """Panel title, the factor that puts the metric in its plotted units, and those units."""
    title, unit = metric_label(metric)
    if metric in PERCENT_METRICS or ((diff := split_difference(metric)) is not None and diff[0] in PERCENT_METRICS):
        return title, 100.0, "percentage points"
    return title, 1.0, unit


def short_names(keys: Sequence[str]) -> dict[str, str]:
    """Each dotted key by its parameter name alone, unless two sections share that name."""
    leaves = [k.split(".", 1)[-1] for k in keys]
    return {k: leaf if leaves.count(leaf) == 1 else k for k, leaf in zip(keys, leaves, strict=True)}


def _grid(n: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    ncols = min(2, n)
    nrows = -(-n // ncols)
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)


def _save_atomic(fig: Figure, path: Path) -> Path:
    """Like :func:`_save`, through a temporary file: a sensitivity run writes each output atomically."""
    outputs.atomic_write(path, lambda p: fig.savefig(p, dpi=SENSITIVITY_DPI, format="png"))
    plt.close(fig)
    return path


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
    return _save_atomic(fig, path)


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
    return _save_atomic(fig, path)
