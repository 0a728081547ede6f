"""How much common random numbers reduce the noise of paired scenario comparisons.

    python -m sim.crn                      # trust, 10 replications x 5 years (issue 16's measurement)
    python -m sim.crn --quick              # small organisation, 4 replications x 2 years (seconds)
    python -m sim.crn --replications 20 --years 10 --out crn.csv
    python -m sim.crn --extra              # also peer_support and staffing_uplift vs none

For each comparison (B − A) of the experiment library's paired comparisons
(``leadership=compassionate`` − ``mixed``; ``culture_change``: ``leadership_development`` −
``none``) it runs A and B with the seed (paired: replication r of both uses the same random
numbers) and B again with another seed (independent), takes each replication's mean of
the last 12 months of each headline metric, and reports the variance-reduction factor

    VRF = var(B(seed') − A(seed)) ÷ var(B(seed) − A(seed))

over replications: how many times fewer replications a paired comparison needs for the
same standard error (``sd_ratio`` = 1/√VRF is the issue's "paired sd ratio"). ``vrf_pooled``
estimates the same quantity with var(A) + var(B) in the numerator (the variance of the
difference of independent runs, from the paired runs' own spread): a second, less noisy
estimate that needs no extra runs. With n replications a VRF is an F-type ratio of two
variances on n − 1 degrees of freedom each: with 10 it is uncertain by a factor of about
2 either way, so read it as an order of magnitude.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import load_config
from sim.runner import run_scenario
from sim.summary import replication_means

#: The headline metrics of issue 16 (organisation level).
METRICS: tuple[str, ...] = ("burnout_prevalence", "leaver_rate", "vacancy_rate", "adverse_events_per_1000",
                            "sickness_absence_rate")

#: Added to the seed for the independent runs.
SEED_OFFSET = 1000


@dataclass(frozen=True)
class Comparison:
    """Two scenarios of the experiment library compared pairwise: ``b`` − ``a``."""

    name: str
    a: tuple[str, ...]
    b: tuple[str, ...]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("compassionate - mixed", ("leadership=mixed",), ("leadership=compassionate",)),
    Comparison("culture_change: leadership_development - none", ("experiment=culture_change", "intervention=none"),
               ("experiment=culture_change", "intervention=leadership_development")),
)

#: Smaller effects from the ``interventions`` experiment (``--extra``): peer support, and a
#: staffing uplift (which grows the establishment, and with it the state arrays).
EXTRA: tuple[Comparison, ...] = tuple(
    Comparison(f"interventions: {name} - none", ("experiment=interventions", "intervention=none"),
               ("experiment=interventions", f"intervention={name}"))
    for name in ("peer_support", "staffing_uplift"))


def last_year(overrides: list[str]) -> pd.DataFrame:
    """Each replication's last-12-month mean of the headline metrics (replication x metric)."""
    cfg = load_config(overrides)
    means = replication_means(run_scenario(cfg), cfg.outputs.summary_months)
    table = means.pivot(index="replication", columns="metric", values="value")
    return table[list(METRICS)]


def measure(comparison: Comparison, common: list[str], seed: int) -> pd.DataFrame:
    """The variance-reduction factor of one comparison, per metric."""
    a = last_year([*comparison.a, *common, f"seed={seed}"])
    b = last_year([*comparison.b, *common, f"seed={seed}"])
    b_other = last_year([*comparison.b, *common, f"seed={seed + SEED_OFFSET}"])
    paired, independent = b - a, b_other.to_numpy() - a.to_numpy()
    rows = []
    for j, metric in enumerate(METRICS):
        var_paired = float(np.var(paired[metric].to_numpy(), ddof=1))
        var_indep = float(np.var(independent[:, j], ddof=1))
        var_pooled = float(np.var(a[metric].to_numpy(), ddof=1) + np.var(b[metric].to_numpy(), ddof=1))
        rows.append({
            "comparison": comparison.name, "metric": metric, "n": len(a),
            "diff_mean": float(paired[metric].mean()), "sd_paired": var_paired ** 0.5, "sd_independent": var_indep ** 0.5,
            "vrf": var_indep / var_paired if var_paired > 0 else float("inf"),
            "sd_ratio": (var_paired / var_indep) ** 0.5 if var_indep > 0 else float("nan"),
            "vrf_pooled": var_pooled / var_paired if var_paired > 0 else float("inf"),
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.crn", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small organisation, 4 replications x 2 years")
    ap.add_argument("--replications", type=int, default=None, help="replications (default 10; quick 4)")
    ap.add_argument("--years", type=float, default=None, help="years (default 5; quick 2)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the paired runs (default 1)")
    ap.add_argument("--n-jobs", type=int, default=0, help="worker processes (0 = all cores)")
    ap.add_argument("--extra", action="store_true", help="also two comparisons of the interventions experiment")
    ap.add_argument("--out", default=None, help="also write the table to this CSV file")
    ap.add_argument("overrides", nargs="*", help="further config overrides (key=value)")
    args = ap.parse_args(argv)
    n = args.replications or (4 if args.quick else 10)
    years = args.years or (2 if args.quick else 5)
    organisation = "small" if args.quick else "trust"
    # the organisation comes after the experiment's own (culture_change sets trust)
    common = [f"organisation={organisation}", f"years={years}", f"n_replications={n}", f"n_jobs={args.n_jobs}",
              "progress=false", *args.overrides]
    start = time.perf_counter()
    comparisons = COMPARISONS + (EXTRA if args.extra else ())
    table = pd.concat([measure(c, common, args.seed) for c in comparisons], ignore_index=True)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(f"# Variance reduction of paired comparisons: {organisation}, {n} replications x {years:g} years, "
              f"seed {args.seed} (independent: seed {args.seed + SEED_OFFSET}); "
              f"{time.perf_counter() - start:.0f} s\n")
        print(table.to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
