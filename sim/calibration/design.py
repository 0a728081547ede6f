"""The calibration design: the scenarios one parameter set runs, and their statistics.

One evaluation of a parameter set runs every scenario the targets read (mixed, blame and
compassionate trusts; a leadership-development arm beside its reference) for the same
replications 0..n-1, so every scenario sees the same random numbers (common random
numbers: each replication's streams are spawned from ``[seed, replication]``). Each run
starts with a warm-up that is discarded, so month 0 is a trust that has had its
culture for years: the model's own ``warmup_years`` when the config schema has it,
otherwise extra years run here and cut off (interventions and scheduled changes are then
shifted by the warm-up, so their start months count from the end of the warm-up).
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.estimators import Replication, measure
from sim.calibration.targets import TargetSet
from sim.config import INTERVENTION_EFFECTS, Config, ConfigError, check_parameter_key, load_config
from sim.model import Model


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the evidence does not pin, with its prior range."""

    key: str
    low: float
    high: float
    prior: str          # uniform | loguniform
    note: str

    @property
    def safe_name(self) -> str:
        """The name pyabc stores (no dots)."""
        return self.key.replace(".", "__")


def parse_parameters(items: Sequence[Mapping[str, Any]], base: Config) -> tuple[FreeParameter, ...]:
    """Validate the fit's free parameters against the model's schema."""
    out = []
    for i, item in enumerate(items):
        where = f"parameters[{i}]"
        for k in item:
            if k not in ("key", "low", "high", "prior", "note"):
                raise ConfigError(f"{where}: unknown key '{k}'; allowed: key, low, high, prior, note")
        key = item.get("key")
        if not isinstance(key, str):
            raise ConfigError(f"{where}.key is missing")
        check_parameter_key(base, key, where)
        low, high = item.get("low"), item.get("high")
        if not (isinstance(low, int | float) and isinstance(high, int | float) and low < high):
            raise ConfigError(f"{where} ({key}): low={low!r} must be a number below high={high!r}")
        prior = item.get("prior", "uniform")
        if prior not in ("uniform", "loguniform"):
            raise ConfigError(f"{where}.prior={prior!r}; allowed: uniform, loguniform")
        if prior == "loguniform" and low <= 0:
            raise ConfigError(f"{where} ({key}): a loguniform prior needs low > 0")
        section, _, name = key.partition(".")
        fld = next(f for f in dataclasses.fields(getattr(base, section)) if f.name == name)
        lo, hi = fld.metadata.get("lo"), fld.metadata.get("hi")
        if (lo is not None and low < lo) or (hi is not None and high > hi):
            raise ConfigError(f"{where} ({key}): prior [{low:g}, {high:g}] leaves the schema's range [{lo}, {hi}]")
        out.append(FreeParameter(key, float(low), float(high), prior, str(item.get("note", ""))))
    if len({p.key for p in out}) != len(out):
        raise ConfigError("parameters: a key is listed twice")
    return tuple(out)


def apply_parameters(cfg: Config, values: Mapping[str, float]) -> Config:
    """A copy of ``cfg`` with dotted-key parameters set (ints rounded)."""
    new = copy.deepcopy(cfg)
    for key, value in values.items():
        section, _, name = key.partition(".")
        obj = getattr(new, section)
        current = getattr(obj, name)
        setattr(obj, name, int(round(value)) if isinstance(current, int) and not isinstance(current, bool) else float(value))
    return new


@dataclass
class ScenarioRun:
    """One scenario of the design: its config (warm-up included) and what to discard."""

    name: str
    cfg: Config
    warmup_months: int       # months cut off the outputs here (0 when the model does it itself)
    start_month: int         # intervention start, counted from the end of the warm-up
    snapshots: int | None    # snapshot interval when individual persistence is measured


def model_has_warmup() -> bool:
    """Whether the config schema has ``warmup_years`` (the model then discards it itself)."""
    return any(f.name == "warmup_years" for f in dataclasses.fields(Config))


class Design:
    """The scenarios of one calibration evaluation, built once, run for any parameters."""

    def __init__(self, settings: Mapping[str, Any], targets: TargetSet, base_overrides: Sequence[str] = ()) -> None:
        self.settings = settings
        self.targets = targets
        self.replications = int(settings["replications"])
        if self.replications < 1:
            raise ConfigError(f"design.replications={self.replications} must be at least 1")
        warmup = float(settings["warmup_years"])
        if warmup < 0:
            raise ConfigError(f"design.warmup_years={warmup:g} must not be negative")
        scenarios = settings["scenarios"]
        missing = sorted(targets.scenarios() - set(scenarios))
        if missing:
            raise ConfigError(f"targets '{targets.name}' read scenario '{missing[0]}', which design.scenarios does not "
                              f"define; defined: {', '.join(scenarios)}")
        snapshots = targets.needs_snapshots()
        own_warmup = model_has_warmup()
        self.runs: list[ScenarioRun] = []
        for name in sorted(targets.scenarios(), key=list(scenarios).index):
            spec = scenarios[name]
            years = float(spec["years"])
            if years < 1:
                raise ConfigError(f"design.scenarios.{name}.years={years:g}: at least 1 (the steady window is 12 months)")
            overrides = [f"organisation={settings['organisation']}", *settings.get("model_overrides", []),
                         *spec.get("overrides", []), "n_replications=1", "n_jobs=1", "progress=false",
                         "outputs.team_metrics=true"]
            if own_warmup:
                overrides += [f"warmup_years={warmup:g}", f"years={years:g}"]
                warm_months = 0
            else:
                overrides.append(f"years={years + warmup:g}")
                warm_months = int(round(warmup * 12))
            if name in snapshots:
                overrides += ["outputs.individuals=true", f"outputs.individuals_snapshot_months={snapshots[name]}"]
            try:
                cfg = load_config(overrides)
            except ConfigError as exc:
                raise ConfigError(f"design.scenarios.{name}: {exc}") from exc
            cfg.scenario = name
            starts = [getattr(cfg.intervention, iv).start_month for iv in INTERVENTION_EFFECTS
                      if getattr(cfg.intervention, iv).enabled]
            start = min(starts) if starts else 0
            if warm_months:
                for iv in INTERVENTION_EFFECTS:
                    getattr(cfg.intervention, iv).start_month += warm_months
                for change in cfg.schedule:
                    change.month += warm_months
            self.runs.append(ScenarioRun(name, cfg, warm_months, start, snapshots.get(name)))

    def years_simulated(self) -> float:
        """Organisation-years one replication simulates (warm-up included)."""
        warm = float(self.settings["warmup_years"])
        return sum(r.cfg.years + (warm if model_has_warmup() else 0.0) for r in self.runs)

    def run_replication(self, params: Mapping[str, float], replication: int) -> Replication:
        """Every scenario for one replication at the given parameters (warm-up cut off)."""
        series, snaps, starts = {}, {}, {}
        for run in self.runs:
            cfg = apply_parameters(run.cfg, params) if params else run.cfg
            model = Model(cfg, replication)
            ts = model.run().to_frame(run.name, replication, True)
            if run.warmup_months:
                ts = ts[ts["month"] >= run.warmup_months].copy()
                ts["month"] -= run.warmup_months
            series[run.name] = ts
            if model.individuals is not None:
                s = model.individuals.tables(run.name, replication)["snapshots"]
                s = s[s["month"] >= run.warmup_months].copy()
                s["month"] -= run.warmup_months
                snaps[run.name] = s
            starts[run.name] = run.start_month
        return Replication(series, snaps, starts)

    def statistics(self, reps: Sequence[Replication]) -> pd.DataFrame:
        """Each target's value in each replication (rows: replications, columns: targets)."""
        rows = []
        for rep in reps:
            row = {}
            for t in self.targets.entries:
                try:
                    row[t.name] = float(measure(rep, t.measure))
                except (KeyError, ValueError, ZeroDivisionError, OverflowError):
                    row[t.name] = math.nan
            rows.append(row)
        return pd.DataFrame(rows, columns=[t.name for t in self.targets.entries])

    def evaluate(self, params: Mapping[str, float]) -> dict[str, float]:
        """The design's summary statistics at ``params``: each target's mean over replications."""
        reps = [self.run_replication(params, r) for r in range(self.replications)]
        stats = self.statistics(reps)
        return {k: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan for k, v in stats.items()}


def total_distance(targets: TargetSet, stats: Mapping[str, float]) -> float:
    """Joint distance of a parameter set's statistics to every target's range: the root
    sum of squares of each target's normalised distance outside its range (0 inside), so
    a set is at 0 only when it meets every target."""
    return float(math.sqrt(sum(t.distance(stats.get(t.name, math.nan)) ** 2 for t in targets.entries)))
