"""Calibration to one trust: ``python -m sim.calibrate fit|check trust=NAME``.

The targets are the trust's own figures (leaver rate, vacancy rate, sickness absence,
staff-survey burnout; sim/trust.py ``Profile.figures``) with their stated ranges; the design
is one scenario, the trust itself (its wards, culture and agency cost from the profile), run
with the model's own warm-up; the prior of the free parameters is the national posterior
(conf/calibration/posterior_england.csv) smoothed by a weighted Gaussian kernel density, so
that a trust's fit starts from what the national evidence says and moves only as far as its
own figures ask. The trust's posterior is written beside its profile (``NAME.posterior.csv``)
and every later run of the trust uses its representative point.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyabc.random_variables import DistributionBase

from sim.calibration.design import FreeParameter
from sim.calibration.settings import Settings
from sim.calibration.targets import Target, TargetSet
from sim.config import REPO_ROOT, ConfigError
from sim.trust import Profile, load, resolve
from sim.trust import _short as short_path


def trust_targets(profile: Profile) -> TargetSet:
    """The trust's figures as calibration targets of the design's scenario ``trust``."""
    src = f"trust profile {profile.path.name}" + (" (FICTIONAL)" if profile.fictional else "")
    entries = tuple(
        Target(name=f.name, label=f.label, low=f.low, high=f.high, value=f.value, population=profile.description,
               year="", source=src, derived=False, strength="moderate",
               note=f"stated range: figure +- {f.tolerance:g} (profile tolerance_{f.name})",
               measure={"estimator": "mean", "metric": f.metric, "scenario": "trust", "window": "steady"})
        for f in profile.figures())
    return TargetSet(name=f"trust_{profile.name}", description=f"{profile.name}: {profile.description}",
                     entries=entries)


def trust_override(value: str) -> str:
    """The model override selecting the trust (``trust=NAME``, or ``trust_file=PATH``)."""
    path = resolve(value)
    return f"trust={path.stem}" if path.parent == REPO_ROOT / "conf" / "trust" and path.suffix == ".yaml" \
        else f"trust_file={path}"


def apply_trust(settings: Settings, value: str, overrides: list[str]) -> Settings:
    """Settings for a trust: its targets, a one-scenario design running the trust, its own
    posterior path and output folder, and the national posterior as the prior."""
    profile = load(value)
    raw = settings.raw
    t = raw["trust_fit"]
    if raw["apply"]:
        raise ConfigError("apply=true writes the national defaults in conf/config.yaml; a trust's posterior is used "
                          f"from beside its profile ({profile.posterior_path().name}) instead: leave apply out")
    quick = raw["quick"]
    d = raw["design"]
    d["model_overrides"] = [o for o in d.get("model_overrides", []) if not o.startswith("organisation.n_teams")]
    d["model_overrides"] += [trust_override(value), "trust_posterior=false"]   # never an earlier fit's point
    d["scenarios"] = {"trust": {"overrides": [], "years": t["quick_years"] if quick else t["years"]}}
    d["replications"] = raw["quick_settings"]["replications"] if quick else t["replications"]
    if not quick:
        raw["fit"] = {**raw["fit"], "population": t["population"], "generations": t["generations"]}
    for key in ("population", "generations"):
        if any(o.startswith(f"fit.{key}=") for o in overrides):     # the command line wins
            raw["fit"][key] = next(o for o in reversed(overrides) if o.startswith(f"fit.{key}=")).split("=", 1)[1]
            raw["fit"][key] = int(raw["fit"][key])
    if not any(o.startswith("posterior=") for o in overrides):
        raw["posterior"] = str(profile.posterior_path())
    if not any(o.startswith("output_dir=") for o in overrides):
        raw["output_dir"] = str(REPO_ROOT / "results" / "calibration" / f"trust_{profile.name}")
    raw["trust"] = {"name": profile.name, "profile": short_path(profile.path), "prior": t["prior"],
                    "prior_widen": t["prior_widen"], "prior_broad_share": t["prior_broad_share"]}
    return Settings(raw, trust_targets(profile), settings.parameters)


# ----------------------------------------------------------------------------- the prior


class KdePrior(DistributionBase):
    """pyabc's prior of a trust's fit: a weighted Gaussian kernel density of the national
    posterior, in each parameter's own scale (log for a log-uniform prior), truncated to the
    prior ranges, mixed with a share ``broad`` of the national fit's own broad prior (uniform
    or log-uniform over the same ranges: a defensive mixture, so that a trust whose figures
    lie outside what the national posterior predicts can still be reached)."""

    def __init__(self, sample: pd.DataFrame, parameters: tuple[FreeParameter, ...], widen: float,
                 broad: float = 0.0) -> None:
        from scipy.stats import gaussian_kde  # noqa: PLC0415

        self.broad = broad
        self.parameters = parameters
        self.log = np.array([p.prior == "loguniform" for p in parameters])
        self.low = np.array([p.low for p in parameters])
        self.high = np.array([p.high for p in parameters])
        self.log_low = np.log(np.where(self.log, self.low, 1.0))      # log ranges (0 where uniform: unused)
        self.log_span = np.log(np.where(self.log, self.high, 1.0)) - self.log_low
        x = sample[[p.key for p in parameters]].to_numpy(dtype=float)
        w = sample["weight"].to_numpy(dtype=float)
        ok = np.isfinite(x).all(axis=1) & np.isfinite(w) & (w > 0)
        x, w = x[ok], w[ok]
        inside = ((x >= self.low) & (x <= self.high)).all(axis=1)
        x, w = x[inside], w[inside]
        if len(x) < len(parameters) + 2:
            raise ConfigError(f"the national posterior has {len(x)} usable particles inside the prior ranges; "
                              f"allowed: at least {len(parameters) + 2} for its kernel density (trust_fit.prior)")
        z = self._to_z(x)
        self.kde = gaussian_kde(z.T, weights=w / w.sum())
        self.kde.set_bandwidth(self.kde.factor * widen)

    def _to_z(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.log, np.log(np.maximum(x, 1e-300)), x)

    def _from_z(self, z: np.ndarray) -> np.ndarray:
        return np.where(self.log, np.exp(z), z)

    def _broad_pdf(self, v: np.ndarray) -> float:
        """Density of the national broad prior (uniform, or log-uniform, on each range)."""
        dens = np.where(self.log, 1.0 / (v * np.where(self.log, self.log_span, 1.0)), 1.0 / (self.high - self.low))
        return float(np.prod(dens))

    def rvs(self, *args: Any, **kwargs: Any) -> Any:
        import pyabc  # noqa: PLC0415

        if self.broad > 0 and np.random.random() < self.broad:     # numpy's global state: pyabc's own, seeded by the fit
            u = np.random.random(len(self.parameters))
            x = np.where(self.log, np.exp(self.log_low + u * self.log_span), self.low + u * (self.high - self.low))
            return pyabc.Parameter({p.safe_name: float(v) for p, v in zip(self.parameters, x, strict=True)})
        for _ in range(10_000):
            seed = int(np.random.randint(0, 2**31 - 1))        # pyabc's own draws: numpy's global state, seeded by the fit
            x = self._from_z(self.kde.resample(1, seed=seed)[:, 0])
            if ((x >= self.low) & (x <= self.high)).all():
                return pyabc.Parameter({p.safe_name: float(v) for p, v in zip(self.parameters, x, strict=True)})
        raise RuntimeError("the national posterior's kernel density has almost no mass inside the prior ranges")

    def pdf(self, x: Any) -> float:
        v = np.array([float(x[p.safe_name]) for p in self.parameters])
        if not ((v >= self.low) & (v <= self.high)).all():
            return 0.0
        jacobian = float(np.prod(np.where(self.log, 1.0 / v, 1.0)))
        kde = float(self.kde.pdf(self._to_z(v)[:, None])[0]) * jacobian
        return (1.0 - self.broad) * kde + self.broad * self._broad_pdf(v)


def national_prior(settings: Settings) -> KdePrior:
    """The prior of a trust's fit: the national posterior's kernel density."""
    t = settings.raw["trust"]
    path = Path(t["prior"])
    path = path if path.is_absolute() else REPO_ROOT / path
    if not path.exists():
        raise ConfigError(f"trust_fit.prior={t['prior']} does not exist; allowed: the national posterior "
                          "(python -m sim.calibrate fit writes it)")
    sample = pd.read_csv(path)
    missing = [p.key for p in settings.parameters if p.key not in sample.columns]
    if missing or "weight" not in sample.columns:
        raise ConfigError(f"trust_fit.prior={t['prior']} has no column '{(missing or ['weight'])[0]}' (fitted with "
                          "other parameters?); allowed: a posterior of conf/calibration/calibration.yaml's parameters")
    widen = float(t["prior_widen"])
    if not (math.isfinite(widen) and 0.1 <= widen <= 10):
        raise ConfigError(f"trust_fit.prior_widen={widen!r} is out of range; allowed: 0.1 to 10")
    broad = float(t["prior_broad_share"])
    if not (math.isfinite(broad) and 0.0 <= broad <= 1.0):
        raise ConfigError(f"trust_fit.prior_broad_share={broad!r} is out of range; allowed: 0 to 1")
    return KdePrior(sample, settings.parameters, widen, broad)
