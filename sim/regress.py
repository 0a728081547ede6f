"""``python -m sim.regress check|update``: reference scenarios against stored baselines.

A fixed set of reference scenarios (:data:`SCENARIOS`) is run on the small organisation
with fixed seeds and a short horizon (:data:`COMMON`: 3 years, 6 replications, seed
20261122; about a minute on 2 cores): ``baseline`` (the default mixed leadership and
collaboration) and the four cultures of the 2x2 leadership {compassionate, blame} x
collaboration {collaborative, siloed}, and ``system``: three small organisations sharing a
labour market (the integrated-care-system scale). For each scenario every replication's
metrics (:data:`REGRESSION_METRICS`: the twelve contract metrics, and the extra metrics that carry
a mechanism no contract metric shows on its own: bullying, learning, mutual aid, reputation and
leader exhaustion) are averaged over the last 12 months (:func:`sim.summary.replication_means`),
then the mean and sd over replications are taken.

Two kinds of check, each one row of the printed table:

* **statistical** -- ``|now - stored mean| <= tolerance`` for every scenario and metric of
  :data:`REGRESSION_METRICS`, with the tolerance stored in ``tests/regression/baselines.csv`` (columns
  ``scenario, metric, n, mean, sd, tolerance, rule``) under the rule

      tolerance = 3 * sd * sqrt(2 / n) + 1e-6 * max(|mean|, 1)

  i.e. three standard errors of a difference of two n-replication means, plus a tiny
  floor so that a metric with sd = 0 still tolerates floating-point noise. The same seeds
  on the same platform reproduce the stored means exactly; the 3-SE band is for other
  platforms / numpy builds, while a material change of the model moves some metric
  beyond it (verdict ``REGRESSION``).
* **directional** -- the documented directions of effect hold in the *current* run:
  within each collaboration level, blame leadership gives higher ``burnout_prevalence``,
  ``leaver_rate``, ``vacancy_rate`` and ``adverse_events_per_1000`` and lower
  ``psychological_safety`` than compassionate leadership (verdict ``DIRECTION FAILED``).
  In these rows "baseline" is the compassionate mean and "now" the blame mean.

``check`` prints the table and a final line ``N checks, M failed``; exit code 0 if all
pass, 1 if any fails, 2 for a usage error, a bad override or a missing baseline file.
Extra Hydra overrides (positional, or after ``--``) are applied to every scenario, e.g.
``python -m sim.regress check exhaustion.base_stress=0.02`` (should fail) or
``python -m sim.regress check outputs.team_metrics=false`` (should pass);
``--only NAME`` restricts the run to some scenarios (direction checks need the 2x2).

``update --reason "..."`` reruns every scenario, rewrites ``baselines.csv`` atomically
and appends a line to ``tests/regression/CHANGELOG.md`` (UTC date, git commit, reason,
metrics that moved beyond tolerance vs the previous baselines). It refuses (exit 1) if
a direction of effect fails, and takes no overrides: baselines are always the defaults.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import pandas as pd

from sim.config import REPO_ROOT, Config, load_config
from sim.metrics import CONTRACT_METRICS
from sim.outputs import git_state, now_iso, write_csv, write_text
from sim.runner import n_workers, run_scenario
from sim.summary import replication_means

BASELINES = REPO_ROOT / "tests" / "regression" / "baselines.csv"
CHANGELOG = REPO_ROOT / "tests" / "regression" / "CHANGELOG.md"

#: Extra metrics checked beside the contract's: each carries a mechanism that the contract
#: metrics show only diluted (a change to bullying or mutual aid moved them by 5-17 % while every
#: contract metric stayed within tolerance; issue 17).
MECHANISM_METRICS: tuple[str, ...] = ("bullying_prevalence", "learning", "mutual_aid_rn", "reputation",
                                      "leader_exhaustion")
#: Every metric the statistical check compares (and ``update`` stores), in this order.
REGRESSION_METRICS: tuple[str, ...] = CONTRACT_METRICS + MECHANISM_METRICS

#: Settings shared by every reference scenario.
COMMON: tuple[str, ...] = ("organisation=small", "years=3", "n_replications=6", "n_jobs=2", "seed=20261122", "progress=false")

#: The reference scenarios: (name, overrides).
SCENARIOS: list[tuple[str, tuple[str, ...]]] = [
    ("baseline", ()),
    ("compassionate_collaborative", ("leadership=compassionate", "collaboration=collaborative")),
    ("compassionate_siloed", ("leadership=compassionate", "collaboration=siloed")),
    ("blame_collaborative", ("leadership=blame", "collaboration=collaborative")),
    ("blame_siloed", ("leadership=blame", "collaboration=siloed")),
    # integrated care system scale: three organisations sharing a labour market, cultures apart;
    # offsets +-0.15 from mixed are the blame / compassionate presets' distance (10th / 90th
    # percentile trust), so no organisation is outside the observed range of cultures
    ("system", ("organisation.n_organisations=3", "organisation.compassion_offsets=[-0.15,0,0.15]",
                "collaboration=collaborative")),
]

#: Documented directions of effect, blame vs compassionate: +1 blame higher, -1 blame lower.
DIRECTIONS: dict[str, int] = {
    "burnout_prevalence": +1, "leaver_rate": +1, "vacancy_rate": +1, "adverse_events_per_1000": +1,
    "psychological_safety": -1,
}
COLLABORATION_LEVELS = ("collaborative", "siloed")

SE_MULTIPLIER = 3.0
FLOOR = 1e-6
RULE = "3*sd*sqrt(2/n) + 1e-6*max(|mean|,1)"
BASELINE_COLUMNS = ["scenario", "metric", "n", "mean", "sd", "tolerance", "rule"]


def tolerance(sd: float, n: int, mean: float) -> float:
    """The stored tolerance of a metric (see the module docstring)."""
    sd = 0.0 if not math.isfinite(sd) else sd
    return SE_MULTIPLIER * sd * math.sqrt(2 / n) + FLOOR * max(abs(mean), 1.0)


def scenario_configs(extra: list[str] | tuple[str, ...] = (), only: list[str] | None = None) -> list[Config]:
    """Validated configs of the reference scenarios, with ``extra`` overrides applied to each."""
    return [load_config([*COMMON, *overrides, *extra, f"scenario={name}"]) for name, overrides in SCENARIOS
            if not only or name in only]


def run(configs: list[Config]) -> pd.DataFrame:
    """Per-replication last-12-month means of :data:`REGRESSION_METRICS`: scenario, replication, metric, value."""
    frames = []
    for cfg in configs:
        means = replication_means(run_scenario(cfg), 12)
        frames.append(means[means["metric"].isin(REGRESSION_METRICS)])
    return pd.concat(frames, ignore_index=True)


def summarise_reps(reps: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and tolerance over replications: the baselines.csv table."""
    g = reps.groupby(["scenario", "metric"], sort=False)["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["tolerance"] = [tolerance(r.sd, r.n, r.mean) for r in out.itertuples()]
    out["rule"] = RULE
    rank = {name: i for i, (name, _) in enumerate(SCENARIOS)} | {m: i for i, m in enumerate(REGRESSION_METRICS)}
    out = out.sort_values(["scenario", "metric"], key=lambda col: col.map(rank), kind="stable")
    return out[BASELINE_COLUMNS].reset_index(drop=True)


def statistical_rows(now: pd.DataFrame, stored: pd.DataFrame) -> list[dict]:
    ref = stored.set_index(["scenario", "metric"])
    rows = []
    for r in now.itertuples():
        if (r.scenario, r.metric) not in ref.index:
            rows.append({"scenario": r.scenario, "metric": r.metric, "baseline": math.nan, "now": r.mean,
                         "tolerance": math.nan, "verdict": "REGRESSION (no baseline)"})
            continue
        b = ref.loc[(r.scenario, r.metric)]
        ok = abs(r.mean - b["mean"]) <= b["tolerance"]
        rows.append({"scenario": r.scenario, "metric": r.metric, "baseline": float(b["mean"]), "now": r.mean,
                     "tolerance": float(b["tolerance"]), "verdict": "ok" if ok else "REGRESSION"})
    return rows


def direction_rows(now: pd.DataFrame) -> list[dict]:
    """Blame vs compassionate within each collaboration level, from the current run's means."""
    means = now.set_index(["scenario", "metric"])["mean"]
    rows = []
    for level in COLLABORATION_LEVELS:
        comp, blame = f"compassionate_{level}", f"blame_{level}"
        if comp not in means.index.get_level_values(0) or blame not in means.index.get_level_values(0):
            continue
        for metric, sign in DIRECTIONS.items():
            c, b = float(means[(comp, metric)]), float(means[(blame, metric)])
            ok = (b - c) * sign > 0
            rel = ">" if sign > 0 else "<"
            rows.append({"scenario": "2x2", "metric": f"direction: blame{rel}compassionate {metric} ({level})",
                         "baseline": c, "now": b, "tolerance": math.nan, "verdict": "ok" if ok else "DIRECTION FAILED"})
    return rows


def format_table(rows: list[dict]) -> str:
    def num(x: float) -> str:
        return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.6g}"

    header = ("scenario", "metric", "baseline", "now", "tolerance", "verdict")
    cells = [header] + [(r["scenario"], r["metric"], num(r["baseline"]), num(r["now"]), num(r["tolerance"]), r["verdict"])
                        for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    right = {2, 3, 4}
    lines = ["  ".join(c[i].rjust(widths[i]) if i in right else c[i].ljust(widths[i]) for i in range(len(header))).rstrip()
             for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _describe(exc: BaseException) -> str:
    """One line for a composition error, as ``python -m sim`` prints it when it can."""
    from sim.__main__ import describe  # noqa: PLC0415 - the CLI module registers Hydra on import

    return describe(exc)


def _configs_or_fail(extra: list[str], only: list[str] | None) -> list[Config] | None:
    try:
        return scenario_configs(extra, only)
    except Exception as exc:  # noqa: BLE001 - every composition error becomes one line
        if os.environ.get("SIM_DEBUG"):
            raise
        print(f"error: {_describe(exc)}", file=sys.stderr)
        return None


def _announce(configs: list[Config], extra: list[str]) -> None:
    cfg = configs[0]
    print(f"Regression: {len(configs)} scenarios x {cfg.n_replications} replications x {cfg.years:g} years on "
          f"organisation={cfg.organisation.name}, seed {cfg.seed}, {n_workers(cfg)} workers"
          + (f"; overrides: {' '.join(extra)}" if extra else ""), flush=True)


def check(extra: list[str], only: list[str] | None, baselines: Path) -> int:
    if not baselines.exists():
        print(f"error: no baseline file {baselines}; create it with: python -m sim.regress update --reason \"...\"",
              file=sys.stderr)
        return 2
    configs = _configs_or_fail(extra, only)
    if configs is None:
        return 2
    stored = pd.read_csv(baselines)
    _announce(configs, extra)
    started = time.perf_counter()
    now = summarise_reps(run(configs))
    rows = statistical_rows(now, stored) + direction_rows(now)
    print(format_table(rows))
    if any(r["scenario"] == "2x2" for r in rows):
        print("(direction rows: baseline = compassionate mean, now = blame mean, both from this run)")
    failed = sum(r["verdict"] != "ok" for r in rows)
    print(f"(ran in {time.perf_counter() - started:.0f} s)")
    print(f"{len(rows)} checks, {failed} failed")
    return 1 if failed else 0


def update(reason: str, baselines: Path, changelog: Path) -> int:
    configs = _configs_or_fail([], None)
    if configs is None:
        return 2
    _announce(configs, [])
    now = summarise_reps(run(configs))
    directions = direction_rows(now)
    broken = [r for r in directions if r["verdict"] != "ok"]
    if broken:
        print(format_table(broken))
        print("error: a documented direction of effect fails; baselines not written", file=sys.stderr)
        return 1
    if baselines.exists():
        moved_rows = [r for r in statistical_rows(now, pd.read_csv(baselines)) if r["verdict"] != "ok"]
        moved = ", ".join(f"{r['scenario']}/{r['metric']}" for r in moved_rows) or "none"
        print(format_table(moved_rows) if moved_rows else "no metric moved beyond tolerance")
    else:
        moved = "none (no previous baselines)"
    write_csv(baselines, now)
    git = git_state()
    commit = (git["commit"] or "unknown")[:12] + (" (dirty)" if git["dirty"] else "")
    old = changelog.read_text(encoding="utf-8") if changelog.exists() else (
        "# Regression baselines: changelog\n\n"
        "One line per `python -m sim.regress update` (UTC time, git commit the baselines were made from, reason,\n"
        "scenario/metric pairs whose mean moved beyond the previous tolerance). Newest last.\n\n")
    reason_line = " ".join(reason.split())
    entry = f"- {now_iso()} | commit {commit} | reason: {reason_line} | moved beyond tolerance: {moved}\n"
    write_text(changelog, old + ("" if old.endswith("\n") else "\n") + entry)
    print(f"wrote {baselines} ({len(now)} rows) and appended to {changelog}")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m sim.regress", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baselines", type=Path, default=BASELINES, help="baseline CSV (default: %(default)s)")
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run the reference scenarios and compare with the stored baselines")
    c.add_argument("--only", action="append", choices=[n for n, _ in SCENARIOS], metavar="SCENARIO",
                   help="run only this scenario (repeatable); default all")
    c.add_argument("overrides", nargs="*", help="Hydra overrides for every scenario, e.g. leaving.resignations_per_year=0.2")
    u = sub.add_parser("update", help="rerun and rewrite the baselines; append to the changelog")
    u.add_argument("--reason", required=True, help="why the baselines change (written to the changelog)")
    u.add_argument("--changelog", type=Path, default=CHANGELOG, help="changelog file (default: %(default)s)")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Exit 0 all checks pass, 1 a check failed (or the run failed or was interrupted),
    2 bad usage or input; errors are one line (``SIM_DEBUG=1``: the traceback)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        return int(exc.code or 0)
    try:
        if args.command == "check":
            extra = [o for o in args.overrides if o != "--"]
            return check(extra, args.only, args.baselines)
        if not args.reason.strip():
            print("error: --reason must not be empty", file=sys.stderr)
            return 2
        return update(args.reason, args.baselines, args.changelog)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a failure of the run itself: one line, result-level
        if os.environ.get("SIM_DEBUG"):
            raise
        print(f"error: regression run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
