"""Check the culture presets and the model's dynamics against the evidence of issue 11.

Prints, for the leadership presets blame / mixed / compassionate at steady state, the
last-12-month means of burnout, leaver rate, vacancy rate, sickness absence, patients per
RN and psychological safety; the burnout response to +15 % demand on every ward (mixed);
the change of burnout from output month 0 to month 3 (no intervention, no shock); and the
months from the start of leadership development to half of its final effect on burnout
and on psychological safety.

Usage (about 1 minute of CPU with the defaults, 1.5 minutes at trust scale; before/after
results in bench/results/dynamics_*.txt):

    .venv/bin/python bench/dynamics_check.py                   # 16 wards, 4 replications
    .venv/bin/python bench/dynamics_check.py --teams 32 --reps 4     # trust scale
    .venv/bin/python bench/dynamics_check.py --set warmup_years=0    # any override for every run

The organisation is ``organisation=small`` with ``--teams`` wards. Evidence ranges quoted
in the output are the working targets of issue 11 (conf/targets/ when it lands).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.config import Config, load_config
from sim.model import Model

METRICS = ("burnout_prevalence", "leaver_rate", "vacancy_rate", "sickness_absence_rate", "patients_per_nurse",
           "psychological_safety")
LABELS = ("burnout", "leavers", "vacancy", "sickness", "pts/RN", "psafe")
EVIDENCE = ("25-43 % (trusts' min-max; median 31)", "9-43 % incl. moves; NHS leavers ~11", "~5-17 %",
            "~3-6 %", "7-9 (mixed)", "(no target)")


def has_warmup() -> bool:
    """Whether this version of the model has the ``warmup_years`` key."""
    return hasattr(Config, "__dataclass_fields__") and "warmup_years" in Config.__dataclass_fields__


def cfg(teams: int, years: float, *extra: str) -> Config:
    return load_config(["organisation=small", f"organisation.n_teams={teams}", f"years={years}",
                        "n_replications=1", "n_jobs=1", "progress=false", "outputs.team_metrics=false", *extra])


def series(c: Config, reps: int) -> dict[str, np.ndarray]:
    """Monthly organisation metrics, replications x months, for each metric."""
    out: dict[str, list[np.ndarray]] = {m: [] for m in METRICS}
    for r in range(reps):
        rec = Model(c, r).run()
        for m in METRICS:
            out[m].append(rec.org[m].copy())
    return {m: np.array(v) for m, v in out.items()}


def half_time(effect: np.ndarray, start: int) -> float:
    """Months from ``start`` until the 3-month running mean of ``effect`` first reaches half
    of its final (last-12-month mean) value."""
    final = effect[-12:].mean()
    smooth = np.convolve(effect, np.ones(3) / 3, mode="same")
    for m in range(start, len(effect)):
        if (final > 0 and smooth[m] >= final / 2) or (final < 0 and smooth[m] <= final / 2):
            return float(m - start)
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teams", type=int, default=16)
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--years", type=float, default=5.0, help="horizon of the steady-state runs")
    ap.add_argument("--intervention-years", type=float, default=7.0)
    ap.add_argument("--set", nargs="*", default=[], help="extra overrides for every run")
    a = ap.parse_args()
    t0 = time.process_time()
    print(f"model with warm-up: {has_warmup()}; {a.teams} wards, {a.reps} replications, "
          f"steady state = last 12 of {a.years:g} years; overrides: {a.set}")
    print()
    print("| preset | " + " | ".join(LABELS) + " | burnout m0 -> m3 (pp) | max monthly swing in last year (pp) |")
    print("|---|" + "---|" * (len(LABELS) + 2))
    steady: dict[str, dict[str, float]] = {}
    for lead in ("compassionate", "mixed", "blame"):
        s = series(cfg(a.teams, a.years, f"leadership={lead}", *a.set), a.reps)
        steady[lead] = {m: float(s[m][:, -12:].mean()) for m in METRICS}
        b = s["burnout_prevalence"]
        d03 = float((b[:, 3] - b[:, 0]).mean()) * 100
        swing = float((b[:, -12:].max(axis=1) - b[:, -12:].min(axis=1)).mean()) * 100
        cells = [f"{steady[lead][m] * 100:.1f} %" if m not in ("patients_per_nurse", "psychological_safety")
                 else f"{steady[lead][m]:.2f}" for m in METRICS]
        print(f"| {lead} | " + " | ".join(cells) + f" | {d03:+.1f} | {swing:.1f} |")
    print("| evidence | " + " | ".join(EVIDENCE) + " | within 2 | |")
    print()
    hi = series(cfg(a.teams, a.years, "leadership=mixed", "demand.occupancy=1.058", *a.set), a.reps)
    b_hi = float(hi["burnout_prevalence"][:, -12:].mean())
    ppn_hi = float(hi["patients_per_nurse"][:, -12:].mean())
    b0, p0 = steady["mixed"]["burnout_prevalence"], steady["mixed"]["patients_per_nurse"]
    odds = (b_hi / (1 - b_hi)) / (b0 / (1 - b0))
    per_patient = odds ** (1 / (ppn_hi - p0)) if ppn_hi > p0 else float("nan")
    print(f"demand +15 % (occupancy 0.92 -> 1.058), mixed: burnout {b0 * 100:.1f} -> {b_hi * 100:.1f} % "
          f"({(b_hi - b0) * 100:+.1f} pp); patients per RN {p0:.2f} -> {ppn_hi:.2f}; "
          f"implied odds ratio per extra patient {per_patient:.2f} (Aiken 2002: 1.23)")
    start = 12
    ctrl = series(cfg(a.teams, a.intervention_years, "leadership=mixed", *a.set), a.reps)
    iv = series(cfg(a.teams, a.intervention_years, "leadership=mixed", "intervention=leadership_development",
                    f"intervention.leadership_development.start_month={start}", *a.set), a.reps)
    eff_b = (ctrl["burnout_prevalence"] - iv["burnout_prevalence"]).mean(axis=0)
    eff_p = (iv["psychological_safety"] - ctrl["psychological_safety"]).mean(axis=0)
    print(f"leadership development from month {start} (mixed): final effect burnout {-eff_b[-12:].mean() * 100:+.1f} pp, "
          f"psafe {eff_p[-12:].mean():+.3f}; months to half effect: burnout {half_time(eff_b, start):.0f}, "
          f"psafe {half_time(eff_p, start):.0f} (evidence: shows after ~2 annual survey cycles; special "
          f"measures exit 20.5 months)")
    print(f"\nCPU time {time.process_time() - t0:.0f} s")


if __name__ == "__main__":
    main()
