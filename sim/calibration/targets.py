"""Calibration targets as data: the Hydra group ``conf/targets/`` (default ``england``).

Each entry is one sourced fact about NHS organisations (value or range, population,
year, citation, strength of evidence) and says how the model measures it (an estimator
of sim/calibration/estimators.py on a scenario of the calibration design). Validation
names the entry and the key, so a typo in a target file is one clear line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.calibration.estimators import DERIVED_METRICS, DOSE_RESPONSE_METRICS, ESTIMATORS
from sim.config import ConfigError
from sim.metrics import CONTRACT_METRICS, EXTRA_METRICS, TEAM_METRICS

STRENGTHS = ("strong", "moderate", "weak")
ENTRY_KEYS = ("name", "label", "low", "high", "value", "population", "year", "source", "derived", "strength", "note",
              "measure")
REQUIRED_KEYS = ("name", "label", "low", "high", "source", "strength", "measure")
TEAM_ESTIMATORS = ("team_percentile_ratio", "dose_response_odds_ratio")


@dataclass(frozen=True)
class Target:
    """One sourced target and how the model measures it."""

    name: str
    label: str
    low: float            # -inf when unbounded below
    high: float           # inf when unbounded above
    value: float | None
    population: str
    year: str
    source: str
    derived: bool
    strength: str
    note: str
    measure: dict[str, Any]

    def range_text(self) -> str:
        if math.isinf(self.low):
            return f"<= {self.high:.4g}"
        if math.isinf(self.high):
            return f">= {self.low:.4g}"
        return f"{self.low:.4g}-{self.high:.4g}"

    def inside(self, x: float) -> bool:
        return bool(self.low <= x <= self.high)

    def distance(self, x: float) -> float:
        """Distance of ``x`` outside the range, in units of the range's width (or of the
        bound's size for a one-sided range); 0 inside. Not a number counts as far off."""
        if x is None or not math.isfinite(x):
            return 10.0
        if self.low <= x <= self.high:
            return 0.0
        if math.isfinite(self.low) and math.isfinite(self.high) and self.high > self.low:
            scale = self.high - self.low
        else:
            bound = self.low if x < self.low else self.high
            scale = abs(bound) if bound != 0 else 1.0
        return (self.low - x if x < self.low else x - self.high) / scale

    @property
    def short_source(self) -> str:
        """The citation up to its first comma or semicolon (for one-line tables)."""
        return self.source.replace(";", ",").split(",")[0].strip()


@dataclass(frozen=True)
class TargetSet:
    name: str
    description: str
    entries: tuple[Target, ...]

    def scenarios(self) -> set[str]:
        """Every scenario of the design the targets read."""
        out = set()
        for t in self.entries:
            out.add(t.measure["scenario"])
            for key in ("minus", "reference"):
                if t.measure.get(key):
                    out.add(t.measure[key])
        return out

    def needs_snapshots(self) -> dict[str, int]:
        """Scenario -> snapshot interval (months) for the individual-persistence targets."""
        out: dict[str, int] = {}
        for t in self.entries:
            if t.measure["estimator"] == "individual_persistence":
                s, lag = t.measure["scenario"], int(t.measure["lag_months"])
                out[s] = math.gcd(out.get(s, lag), lag)
        return out


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number or null, not {value!r}")
    return float(value)


def _check_window(window: Any, where: str) -> None:
    if window in ("steady", "all"):
        return
    if (isinstance(window, list | tuple) and len(window) == 2 and all(isinstance(v, int) for v in window)
            and 0 <= window[0] < window[1]):
        return
    raise ConfigError(f"{where}.window={window!r} is not a window; allowed: steady, all or [first_month, end_month]")


def _check_measure(m: Any, where: str) -> dict[str, Any]:
    if not isinstance(m, dict):
        raise ConfigError(f"{where} must be a mapping with an estimator and its keys")
    est = m.get("estimator")
    if est not in ESTIMATORS:
        raise ConfigError(f"{where}.estimator={est!r} is not known; allowed: {', '.join(ESTIMATORS)}")
    _, required, optional = ESTIMATORS[est]
    for key in required:
        if key not in m:
            raise ConfigError(f"{where}.{key} is missing (estimator {est} needs: {', '.join(required)})")
    for key in m:
        if key != "estimator" and key not in required + optional:
            raise ConfigError(f"{where}.{key} is not a key of estimator {est}; allowed: {', '.join(required + optional)}")
    for key in ("scenario", "minus", "reference"):
        if key in m and m[key] is not None and not (isinstance(m[key], str) and m[key]):
            raise ConfigError(f"{where}.{key}={m[key]!r} must be a scenario name")
    if "metric" in m:
        allowed = TEAM_METRICS if est in TEAM_ESTIMATORS else CONTRACT_METRICS + EXTRA_METRICS + tuple(DERIVED_METRICS)
        if est == "dose_response_odds_ratio":
            allowed = tuple(DOSE_RESPONSE_METRICS)
        if m["metric"] not in allowed:
            raise ConfigError(f"{where}.metric={m['metric']!r} cannot be measured by {est}; allowed: {', '.join(allowed)}")
    if "window" in m:
        _check_window(m["window"], where)
    if est == "team_percentile_ratio":
        lo, hi = _number(m["q_low"], f"{where}.q_low"), _number(m["q_high"], f"{where}.q_high")
        if lo is None or hi is None or not 0 <= lo < hi <= 1:
            raise ConfigError(f"{where}: q_low={m['q_low']!r} and q_high={m['q_high']!r} must satisfy 0 <= q_low < q_high <= 1")
    if est == "individual_persistence" and not (isinstance(m["lag_months"], int) and m["lag_months"] > 0):
        raise ConfigError(f"{where}.lag_months={m['lag_months']!r} must be a positive whole number of months")
    return dict(m)


def parse_targets(data: Any, set_name: str) -> TargetSet:
    """Validate a target set (the ``targets`` node as plain data)."""
    where0 = f"targets '{set_name}'"
    if not isinstance(data, dict):
        raise ConfigError(f"{where0}: must be a mapping with name, description and entries")
    for key in data:
        if key not in ("name", "description", "entries"):
            raise ConfigError(f"{where0}: unknown key '{key}'; allowed: name, description, entries")
    entries = data.get("entries")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where0}: 'entries' must be a non-empty list")
    out, seen = [], set()
    for i, e in enumerate(entries):
        label = e.get("name") if isinstance(e, dict) else None
        where = f"{where0}, entries[{i}]" + (f" ({label})" if label else "")
        if not isinstance(e, dict):
            raise ConfigError(f"{where} must be a mapping")
        for key in e:
            if key not in ENTRY_KEYS:
                raise ConfigError(f"{where}: unknown key '{key}'; allowed: {', '.join(ENTRY_KEYS)}")
        for key in REQUIRED_KEYS:
            if key not in e:
                raise ConfigError(f"{where}: key '{key}' is missing")
        if not isinstance(e["name"], str) or not e["name"].isidentifier():
            raise ConfigError(f"{where}: name={e['name']!r} must be an identifier (letters, digits, _)")
        if e["name"] in seen:
            raise ConfigError(f"{where}: name '{e['name']}' is used twice")
        seen.add(e["name"])
        low, high = _number(e["low"], f"{where}: low"), _number(e["high"], f"{where}: high")
        if low is None and high is None:
            raise ConfigError(f"{where}: low and high are both null; give at least one bound")
        if low is not None and high is not None and low > high:
            raise ConfigError(f"{where}: low={low:g} is above high={high:g}")
        value = _number(e.get("value"), f"{where}: value")
        if not (isinstance(e["source"], str) and e["source"].strip()):
            raise ConfigError(f"{where}: source must name the evidence")
        if e["strength"] not in STRENGTHS:
            raise ConfigError(f"{where}: strength={e['strength']!r}; allowed: {', '.join(STRENGTHS)}")
        if not isinstance(e.get("derived", False), bool):
            raise ConfigError(f"{where}: derived={e['derived']!r} must be true or false")
        out.append(Target(
            name=e["name"], label=str(e["label"]), low=-math.inf if low is None else low,
            high=math.inf if high is None else high, value=value, population=str(e.get("population") or ""),
            year=str(e.get("year") or ""), source=e["source"].strip(), derived=bool(e.get("derived", False)),
            strength=e["strength"], note=str(e.get("note") or ""), measure=_check_measure(e["measure"], f"{where}: measure")))
    return TargetSet(name=str(data.get("name", set_name)), description=str(data.get("description", "")), entries=tuple(out))


def load_targets(name: str = "england") -> TargetSet:
    """The target set ``conf/targets/NAME.yaml``, composed through Hydra (as the group
    ``targets`` of conf/calibration/calibration.yaml) and validated."""
    from sim.calibration.settings import compose_settings  # noqa: PLC0415 - settings imports this module

    try:
        data = compose_settings([f"targets={name}"])["targets"]
    except ConfigError as exc:
        raise ConfigError(f"targets={name}: {exc}") from exc
    return parse_targets(data, name)
