"""Reading a run folder: the output contract's files, the scenario configs, the 2x2 design."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.report.format import flatten, show

#: Keys that name or describe a scenario rather than set the model; not "assumptions".
NON_PARAMETER_KEYS: frozenset[str] = frozenset({"scenario", "description", "reference_scenario"})

REQUIRED_FILES: tuple[str, ...] = ("timeseries.parquet", "summary.csv")

REPORT_NAME = "report.html"


@dataclass
class RunData:
    """Everything the report shows, read once from the run folder."""

    run_dir: Path
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    config: dict[str, Any]
    provenance: dict[str, Any]
    scenario_configs: dict[str, dict[str, Any]]
    parameters: pd.DataFrame | None
    reference: str
    scenarios: list[str] = field(default_factory=list)
    jobs: pd.DataFrame | None = None
    cost: pd.DataFrame | None = None

    @property
    def summary_months(self) -> int:
        outputs = self.config.get("outputs") or {}
        value = outputs.get("summary_months", 12) if isinstance(outputs, dict) else 12
        return int(value or 12)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or an empty dict when the file is missing or not a mapping."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object, or an empty dict when the file is missing."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {"value": data}


def find_scenario_configs(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Per-scenario configs of a sweep folder: ``*/config.yaml`` or ``*/.hydra/config.yaml``.

    Each is named by its ``scenario`` key (the name in the outputs), else by its folder;
    a later folder with a name already taken keeps its folder name so nothing is lost.
    Hidden folders are skipped: a top-level ``.hydra/`` is the run's own config, not a
    scenario's.
    """
    found: dict[str, dict[str, Any]] = {}
    for sub in sorted(p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for candidate in (sub / "config.yaml", sub / ".hydra" / "config.yaml"):
            cfg = read_yaml(candidate)
            if cfg:
                name = str(cfg.get("scenario") or sub.name)
                found[name if name not in found else sub.name] = cfg
                break
    return found


def choose_reference(summary: pd.DataFrame, config: Mapping[str, Any], scenarios: Sequence[str]) -> str:
    """The scenario differences are taken against.

    Config ``reference_scenario`` wins; else the one scenario whose ``diff`` is all NaN
    (the contract leaves the reference's own difference empty); else the config's
    ``scenario``; else the first name alphabetically.
    """
    named = config.get("reference_scenario")
    if named and named in scenarios:
        return str(named)
    if "diff" in summary.columns and len(scenarios) > 1:
        empty = summary.groupby("scenario")["diff"].apply(lambda s: s.isna().all())
        candidates = [s for s in scenarios if bool(empty.get(s, False))]
        if len(candidates) == 1:
            return candidates[0]
    own = config.get("scenario")
    if own and own in scenarios:
        return str(own)
    return sorted(scenarios)[0]


def load_run(run_dir: Path) -> RunData:
    """Read a run folder; raises FileNotFoundError naming the first missing required file."""
    run_dir = Path(run_dir)
    for name in REQUIRED_FILES:
        if not (run_dir / name).is_file():
            raise FileNotFoundError(f"{run_dir / name} not found: not a run folder")
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    summary = pd.read_csv(run_dir / "summary.csv")
    ts["scenario"] = ts["scenario"].astype(str)  # names compare as text whatever their look
    summary["scenario"] = summary["scenario"].astype(str)
    config = read_yaml(run_dir / "config.yaml")
    names = sorted(set(ts["scenario"]) | set(summary["scenario"]))
    reference = choose_reference(summary, config, names)
    params_path = run_dir / "parameters.csv"
    parameters = pd.read_csv(params_path, dtype=str, keep_default_na=False) if params_path.is_file() else None
    jobs_path, cost_path = run_dir / "jobs.csv", run_dir / "cost_effectiveness.csv"
    jobs = pd.read_csv(jobs_path, dtype=str, keep_default_na=False) if jobs_path.is_file() else None
    cost = pd.read_csv(cost_path) if cost_path.is_file() and cost_path.stat().st_size else None
    if cost is not None:
        cost["scenario"] = cost["scenario"].astype(str)
    return RunData(
        run_dir=run_dir, timeseries=ts, summary=summary, config=config,
        provenance=read_json(run_dir / "provenance.json"),
        scenario_configs=find_scenario_configs(run_dir), parameters=parameters,
        reference=reference, scenarios=[reference, *[s for s in names if s != reference]],
        jobs=jobs, cost=cost if cost is not None and not cost.empty else None,
    )


@dataclass
class Factorial:
    """A two-factor design: ``grid[i][j]`` is the scenario at row level i and column level j."""

    row_factor: str
    col_factor: str
    row_levels: list[str]
    col_levels: list[str]
    grid: list[list[str]]

    def row_title(self, i: int) -> str:
        return level_label(self.row_factor, self.row_levels[i])

    def col_title(self, j: int) -> str:
        return level_label(self.col_factor, self.col_levels[j])


def level_label(factor: str, level: str) -> str:
    """A factor's level in words: ``('leadership', 'blame')`` -> ``'Blaming leadership'``."""
    from sim.glossary import GROUP_OPTIONS, parameter_label  # noqa: PLC0415 - glossary reads conf/ paths

    return GROUP_OPTIONS.get((factor, level)) or f"{parameter_label(factor)}: {level}"


#: Factors read as rows first when a design has them (the question's main factor).
ROW_FACTOR_PREFERENCE: tuple[str, ...] = ("leadership", "collaboration")


def factorial_design(configs: Mapping[str, Mapping[str, Any]], scenarios: Sequence[str],
                     reference: str | None = None) -> Factorial | None:
    """The 2x2 design behind four scenarios, read from the parameters that differ.

    Parameters that split the scenarios the same way are one factor (``leadership.name``
    and ``leadership.compassion_mean`` move together); a factor is named by its
    ``*.name`` key when it has one (``leadership``), else by its first key. Parameters
    with a different value in every scenario (an id, not a factor) are ignored. None
    unless exactly two factors of two levels each cross the four scenarios. Levels are
    ordered so the reference scenario sits bottom right.
    """
    names = list(scenarios)
    if len(names) != 4 or not all(n in configs for n in names):
        return None
    flat = {n: flatten(configs[n]) for n in names}
    keys = sorted(set().union(*(f.keys() for f in flat.values())) - NON_PARAMETER_KEYS)
    groups: dict[tuple[int, ...], list[str]] = {}
    for key in keys:
        values = [show(flat[n][key]) if key in flat[n] else "\0missing" for n in names]
        codes: dict[str, int] = {}
        signature = tuple(codes.setdefault(v, len(codes)) for v in values)
        if 1 < len(codes) < len(names):
            groups.setdefault(signature, []).append(key)
    if len(groups) != 2 or any(sorted(sig) != [0, 0, 1, 1] for sig in groups):
        return None
    factors = []
    for group in groups.values():
        key = next((k for k in group if k.endswith(".name")), group[0])
        label = key.removesuffix(".name") if key.endswith(".name") else key
        factors.append((label, key))
    factors.sort(key=lambda f: (ROW_FACTOR_PREFERENCE.index(f[0]) if f[0] in ROW_FACTOR_PREFERENCE
                                else len(ROW_FACTOR_PREFERENCE), f[0]))
    (row_name, row_key), (col_name, col_key) = factors

    def levels(key: str) -> list[str]:
        found = list(dict.fromkeys(show(flat[n].get(key)) for n in names))
        if reference in flat:
            own = show(flat[reference].get(key))
            found = [v for v in found if v != own] + [own]
        return found

    rows, cols = levels(row_key), levels(col_key)
    cell = {(show(flat[n].get(row_key)), show(flat[n].get(col_key))): n for n in names}
    if len(cell) != 4 or any((r, c) not in cell for r in rows for c in cols):
        return None
    return Factorial(row_name, col_name, rows, cols, [[cell[(r, c)] for c in cols] for r in rows])
