"""The sensitivity analysis page (``analysis: sensitivity``): Morris and Sobol, on the base template.

:mod:`sim.sensitivity` samples and analyses; this module only shows its results:
``templates/sensitivity.html`` extends ``base.html`` like the run report.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config, flatten
from sim.glossary import parameter_label
from sim.metric_records import metric_label
from sim.report.render import Table, figure, render, table

TITLE = "Leadership culture, burnout and care: sensitivity analysis"


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "—" if not np.isfinite(x) else f"{x:.4g}"
    return str(x)


def result_table(df: pd.DataFrame) -> Table:
    """A results table with floats to four significant figures."""
    return table(df.map(_fmt) if len(df) else df)


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """The results with each output named readably ("Burnout prevalence: blame − compassionate")."""
    if not len(df):
        return df
    out = df.assign(metric=df["metric"].map(lambda m: metric_label(m)[0]))
    if "parameter" in out.columns:      # the key (to set it) and its name in words (sim/glossary.py)
        out.insert(out.columns.get_loc("parameter") + 1, "in words", out["parameter"].map(parameter_label))
    return out


def sensitivity_answer(morris: pd.DataFrame, sobol: pd.DataFrame | None, ranking: pd.Series) -> str:
    """The answer first: which parameters move the outputs most over their ranges, with the
    95% bootstrap intervals of the Morris and Sobol indices."""
    if ranking.empty or morris.empty:
        return "No parameter was analysed."
    top = [str(k) for k in ranking.sort_values(ascending=False).index[:3]]
    parts = []
    for metric, g in morris.groupby("metric", sort=False):
        best = g.sort_values("mu_star", ascending=False).iloc[0]
        lo, hi = max(0.0, best["mu_star"] - best["mu_star_conf"]), best["mu_star"] + best["mu_star_conf"]
        parts.append(f"{metric_label(str(metric))[0]}: {best['parameter']} (μ* {best['mu_star']:.3g}, 95% interval "
                     f"{lo:.3g} to {hi:.3g})")
    text = ("Over their ranges, the parameters that move the outputs most (mean normalised Morris μ*) are "
            + ", ".join(top) + ". The most influential for each output: " + "; ".join(parts) + ".")
    if sobol is not None and len(sobol):
        st = sobol.sort_values("ST", ascending=False).iloc[0]
        lo, hi = max(0.0, st["ST"] - st["ST_conf"]), min(1.0, st["ST"] + st["ST_conf"])
        shown = min(max(float(st["ST"]), 0.0), 1.0)
        raw = f"; the estimate, {st['ST']:.0%}, leaves [0, 1] from the small sample" if shown != st["ST"] else ""
        text += (f" The largest total Sobol index is {st['parameter']} on {metric_label(str(st['metric']))[0]}: it "
                 f"explains {shown:.0%} of that output's variance, alone or through interactions (95% interval "
                 f"{lo:.0%} to {hi:.0%}{raw}).")
    return text + (" Intervals are 95% bootstrap intervals of the indices (SALib), kept within their range; they "
                   "reflect the sample's size, not the model's replications.")


def render_sensitivity(cfg: Config, morris: pd.DataFrame, sobol: pd.DataFrame | None, ranking: pd.Series,
                       figures: Mapping[str, Path], provenance: dict[str, Any], values: Mapping[str, Any]) -> str:
    """The self-contained HTML page of a sensitivity run; ``values`` are the parameters' config values."""
    sens = cfg.sensitivity
    source = ("given" if sens.ranges == "given" else
              f"posterior: weighted 5th–95th percentiles of {sens.posterior}")
    ranges = pd.DataFrame([{"parameter": p.key, "in words": parameter_label(p.key), "config value": values[p.key],
                            "low": p.low, "high": p.high,
                            "range": source,
                            "normalised μ* (mean over metrics)": ranking.get(p.key, np.nan)} for p in sens.parameters])
    flat = flatten(provenance)
    prov = pd.DataFrame({"item": list(flat), "value": [str(v) for v in flat.values()]})
    return render(
        "sensitivity.html", title=TITLE, subtitle=f"scenario {cfg.scenario}",
        answer=sensitivity_answer(morris, sobol, ranking),
        question=cfg.description or "Which uncertain parameters drive the outputs?",
        organisation=cfg.organisation.name, years=f"{cfg.years:g}", sens=sens, n_parameters=len(sens.parameters),
        summary_months=cfg.outputs.summary_months,
        top=list(dict.fromkeys(sobol["parameter"])) if sobol is not None else None,
        ranges=result_table(ranges), morris=result_table(labelled(morris)),
        sobol=result_table(labelled(sobol)) if sobol is not None else None,
        morris_figure=figure(figures["morris"], "Morris mu* against sigma", wide=True) if "morris" in figures else None,
        sobol_figure=figure(figures["sobol"], "Sobol indices S1 and ST", wide=True) if "sobol" in figures else None,
        provenance=result_table(prov),
    )
