"""The calibration settings (conf/calibration/calibration.yaml) composed with Hydra, so the
targets group and command-line overrides work as they do for the model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.calibration.design import FreeParameter, parse_parameters
from sim.calibration.targets import TargetSet, parse_targets
from sim.config import REPO_ROOT, ConfigError, load_config

TOP_KEYS = ("targets", "quick", "resume", "apply", "n_jobs", "progress", "posterior", "output_dir", "design", "fit",
            "quick_settings", "check", "parameters", "trust_fit")


@dataclass
class Settings:
    raw: dict[str, Any]
    targets: TargetSet
    parameters: tuple[FreeParameter, ...]

    @property
    def design(self) -> dict[str, Any]:
        return self.raw["design"]

    @property
    def fit(self) -> dict[str, Any]:
        return self.raw["fit"]

    @property
    def check(self) -> dict[str, Any]:
        return self.raw["check"]

    def path(self, key: str) -> Path:
        p = Path(self.raw[key])
        return p if p.is_absolute() else REPO_ROOT / p


def compose_settings(overrides: list[str]) -> dict[str, Any]:
    from hydra import compose, initialize_config_dir  # noqa: PLC0415
    from hydra.core.global_hydra import GlobalHydra  # noqa: PLC0415
    from hydra.errors import HydraException  # noqa: PLC0415
    from omegaconf.errors import OmegaConfBaseException  # noqa: PLC0415

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(REPO_ROOT / "conf"), version_base="1.3"):
            cfg = compose("calibration/calibration", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        text = str(exc).strip().splitlines()
        first = text[0] if text else type(exc).__name__
        if first.startswith("Could not override '"):
            key = first.split("'")[1]
            first = f"unknown key '{key}' in conf/calibration/calibration.yaml; top-level keys: {', '.join(TOP_KEYS)}"
        raise ConfigError(first) from exc
    finally:
        GlobalHydra.instance().clear()
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    return data


def load_settings(overrides: list[str]) -> Settings:
    """Settings with quick mode applied, targets and free parameters validated."""
    raw = compose_settings(overrides)
    for key in raw:
        if key not in TOP_KEYS:
            raise ConfigError(f"unknown key '{key}'; allowed: {', '.join(TOP_KEYS)}")
    for key in ("quick", "resume", "apply", "progress"):
        if not isinstance(raw[key], bool):
            raise ConfigError(f"{key}={raw[key]!r} must be true or false")
    if not isinstance(raw["n_jobs"], int) or raw["n_jobs"] < 0:
        raise ConfigError(f"n_jobs={raw['n_jobs']!r} must be a whole number >= 0 (0 = all cores)")
    targets = parse_targets(raw["targets"], str(raw["targets"].get("name", "?")) if isinstance(raw["targets"], dict) else "?")
    if raw["quick"]:
        q, d = raw["quick_settings"], raw["design"]
        raw["fit"] = {**raw["fit"], "population": q["population"], "generations": q["generations"],
                      "min_acceptance_rate": q["min_acceptance_rate"]}
        d["replications"], d["warmup_years"] = q["replications"], q["warmup_years"]
        d["model_overrides"] = [*d.get("model_overrides", []), *q["model_overrides"]]
        for spec in d["scenarios"].values():
            spec["years"] = q["years"]
        raw["check"] = {**raw["check"], "organisation": d["organisation"], "replications": max(2, q["replications"])}
    fit = raw["fit"]
    for key in ("population", "generations", "max_evaluations"):
        if not isinstance(fit[key], int) or fit[key] < 1:
            raise ConfigError(f"fit.{key}={fit[key]!r} must be a whole number >= 1")
    if fit["sampler"] not in ("multicore", "dask"):
        raise ConfigError(f"fit.sampler={fit['sampler']!r}; allowed: multicore, dask "
                          "(Redis: see docs/engineering.md, Calibration)")
    if raw["check"]["parameters"] not in ("shipped", "posterior"):
        raise ConfigError(f"check.parameters={raw['check']['parameters']!r}; allowed: shipped, posterior")
    if not isinstance(raw["check"]["replications"], int) or raw["check"]["replications"] < 2:
        raise ConfigError(f"check.replications={raw['check']['replications']!r} must be a whole number >= 2")
    params = parse_parameters(raw["parameters"], load_config(["n_replications=1"]))
    return Settings(raw, targets, params)
