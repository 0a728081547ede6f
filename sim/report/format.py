"""Numbers and values as the reports show them, driven by the metric records.

Shares (``Kind.SHARE``) show as percent and differ in percentage points; money
(``Kind.MONEY``) shows in pounds; everything else as a plain number. A mean and its
interval share one precision. Everything returns plain text: the templates escape it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from sim.metric_records import record

MISSING = "—"


def is_missing(x: Any) -> bool:
    """None or NaN (an empty cell of a CSV)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def _percent(metric: str) -> bool:
    rec = record(metric)
    return rec is not None and rec.percent


def _money(metric: str) -> bool:
    rec = record(metric)
    return rec is not None and rec.money


def decimals_for(*values: Any) -> int:
    """Decimals that show the largest of a group to about three significant figures.

    A mean and its interval are formatted with one shared precision, so "9.9% to 10.1%"
    never turns into "9.93% to 10.1%".
    """
    size = max((abs(float(v)) for v in values if not is_missing(v)), default=0.0)
    for bound, decimals in ((100.0, 0), (10.0, 1), (0.1, 2), (0.01, 3)):
        if size >= bound:
            return decimals
    return 4 if size else 2


def format_number(x: Any, signed: bool = False, decimals: int | None = None) -> str:
    """A number with thousands separators and a true minus sign; an em dash for missing."""
    if is_missing(x):
        return MISSING
    d = decimals_for(x) if decimals is None else decimals
    value = round(float(x), d) or 0.0  # no "−0.0"
    return f"{value:{'+' if signed else ''},.{d}f}".replace("-", "−")


def scaled(metric: str, x: Any) -> float:
    """The value in the unit it is shown in: shares become percent."""
    if is_missing(x):
        return float("nan")
    return float(x) * 100 if _percent(metric) else float(x)


def metric_decimals(metric: str, *values: Any) -> int:
    """Shared decimals for a group of values of one metric, in its shown unit."""
    return decimals_for(*(scaled(metric, v) for v in values))


def format_value(metric: str, x: Any, decimals: int | None = None) -> str:
    """A metric value in its unit: shares as percent, money in pounds."""
    if is_missing(x):
        return MISSING
    text = format_number(scaled(metric, x), decimals=decimals)
    if _percent(metric):
        return text + "%"
    return "£" + text if _money(metric) else text


def format_diff(metric: str, x: Any, decimals: int | None = None) -> str:
    """A signed difference: percentage points for shares, pounds for money."""
    if is_missing(x):
        return MISSING
    text = format_number(scaled(metric, x), signed=True, decimals=decimals)
    if _percent(metric):
        return text + " pp"
    return text[0] + "£" + text[1:] if _money(metric) else text


def value_with_interval(metric: str, mean: Any, lo: Any, hi: Any) -> tuple[str, str]:
    """(mean, "lo to hi") with one precision for all three."""
    d = metric_decimals(metric, mean, lo, hi)
    return format_value(metric, mean, d), f"{format_value(metric, lo, d)} to {format_value(metric, hi, d)}"


def diff_with_interval(metric: str, diff: Any, lo: Any, hi: Any) -> tuple[str, str]:
    """(difference, "lo to hi") with one precision for all three."""
    d = metric_decimals(metric, diff, lo, hi)
    if is_missing(lo) or is_missing(hi):
        return format_diff(metric, diff, d), MISSING
    return format_diff(metric, diff, d), f"{format_diff(metric, lo, d)} to {format_diff(metric, hi, d)}"


def money(x: Any) -> str:
    """Pounds with no pence; ∞ for an unbounded value; an em dash for missing."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return ("−" if x < 0 else "") + f"£{abs(x):,.0f}"


def count(x: Any) -> str:
    """A whole number (a count of replications), or an em dash."""
    return MISSING if is_missing(x) else str(int(x))


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested mapping; lists are kept whole (shown as JSON)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def show(value: Any) -> str:
    """A config or provenance value as text: JSON for lists and dicts, YAML-ish otherwise."""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
