"""Field helpers of the typed parameter schema, shared by ``sim.config`` and the parameter
dataclass of every mechanism (``sim/mechanisms/``): each field carries its allowed range,
which :func:`sim.config.to_config` checks after Hydra has merged the YAML."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from omegaconf import MISSING


def p(lo: float | None = None, hi: float | None = None, default: Any = MISSING) -> Any:
    """A schema field with an allowed closed range ``[lo, hi]`` (None = unbounded)."""
    return field(default=default, metadata={"lo": lo, "hi": hi})


def prob(default: Any = MISSING) -> Any:
    """A probability or share: must lie in [0, 1]."""
    return p(0.0, 1.0, default)
