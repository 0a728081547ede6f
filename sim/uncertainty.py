"""Parameter uncertainty: replication r runs with the parameters of one posterior draw.

With ``parameter_uncertainty: true`` each replication takes the calibrated parameters of a
draw from the calibration's posterior sample (``posterior``, written by ``python -m
sim.calibrate fit``). The draw of replication r is chosen by weight from its own named
stream, ``decision_seed(seed, r, "parameter_draw")``, so it depends only on the seed and r:
every scenario of an experiment runs replication r with the same draw (and the same
random numbers), and paired differences carry parameter as well as stochastic
uncertainty. Adding replications adds draws without changing the earlier ones.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import REPO_ROOT, Config, ConfigError, check_parameter_key
from sim.streams import decision_seed

#: Columns of a posterior file that are not parameters (weights, distances, the fit's statistics).
NON_PARAMETER_COLUMNS = ("generation", "weight", "distance", "representative")


def parameter_columns(columns: Any) -> tuple[str, ...]:
    """The parameter columns of a posterior file (not its weights, distances or statistics)."""
    return tuple(c for c in columns if c not in NON_PARAMETER_COLUMNS and not str(c).startswith("stat:"))

#: The name of the stream that chooses each replication's draw.
DRAW_STREAM = "parameter_draw"


def posterior_file(cfg: Config) -> Path:
    path = Path(cfg.posterior)
    return path if path.is_absolute() else REPO_ROOT / path


@functools.cache
def _read(path: Path) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    post = pd.read_csv(path)
    keys = parameter_columns(post.columns)
    weights = post["weight"].to_numpy(dtype=float) if "weight" in post.columns else np.ones(len(post))
    return keys, post[list(keys)].to_numpy(dtype=float), weights


def posterior(cfg: Config) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(parameter keys, values [draw, key], weights) of the config's posterior sample; a
    :class:`ConfigError` naming ``posterior`` when it cannot be used."""
    path = posterior_file(cfg)
    if not path.is_file():
        raise ConfigError(f"posterior={cfg.posterior} does not exist; run `python -m sim.calibrate fit`, "
                          "or set parameter_uncertainty=false")
    try:
        keys, values, weights = _read(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"posterior={cfg.posterior} cannot be read as a posterior sample: {exc}") from exc
    if not keys or not len(values):
        raise ConfigError(f"posterior={cfg.posterior} has no parameter columns or no draws")
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise ConfigError(f"posterior={cfg.posterior}: the weights must be finite, non-negative and not all zero")
    for key in keys:
        check_parameter_key(cfg, key, f"posterior={cfg.posterior} column")
    return keys, values, weights


def draw_index(seed: int, replication: int, weights: np.ndarray) -> int:
    """The posterior draw of one replication: chosen by weight from its own named stream."""
    rng = np.random.default_rng(decision_seed(seed, replication, DRAW_STREAM))
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def draw_indices(cfg: Config) -> list[int]:
    """Every replication's posterior draw (row of the posterior file)."""
    _, _, weights = posterior(cfg)
    return [draw_index(cfg.seed, r, weights) for r in range(cfg.n_replications)]


def check(cfg: Config) -> None:
    """With parameter uncertainty on, the posterior must be usable (checked before a run starts)."""
    if cfg.parameter_uncertainty:
        posterior(cfg)


def replication_config(cfg: Config, replication: int) -> Config:
    """``cfg`` itself without parameter uncertainty; else a copy with the calibrated parameters
    of the replication's posterior draw (integer fields rounded)."""
    if not cfg.parameter_uncertainty:
        return cfg
    keys, values, weights = posterior(cfg)
    row = values[draw_index(cfg.seed, replication, weights)]
    new = copy.deepcopy(cfg)
    for key, value in zip(keys, row, strict=True):
        section, _, name = key.partition(".")
        target = getattr(new, section)
        current = getattr(target, name)
        setattr(target, name, int(round(value)) if isinstance(current, int) and not isinstance(current, bool)
                else float(value))
    return new


def describe(parameter_uncertainty: bool, n: int) -> str:
    """What an interval includes, in words (summary.csv's ``uncertainty`` column and the reports)."""
    kind = ("parameter (calibration posterior) and stochastic" if parameter_uncertainty else "stochastic only")
    return f"{kind}; {n} replication{'s' if n != 1 else ''}"

