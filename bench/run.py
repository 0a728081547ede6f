#!/usr/bin/env python
"""Performance benchmarks of the simulation against bare SimPy and plain numpy.

    python bench/run.py --quick            # about 1 minute
    python bench/run.py                    # full: about 3 minutes
    python bench/run.py --out DIR          # write DIR/latest.md and DIR/latest.json

Every timed case runs in this one process, interleaved: repeat r runs every case once,
in an order rotated by r, so slow drift of the (shared) machine hits all cases alike.
Each figure is the median over repeats with its range (min-max). Single-process figures
use CPU time of this process (``time.process_time``), which is less disturbed than wall
time by other jobs on the machine; wall time is recorded too. The parallel speed-up uses
wall time (it is what parallelism buys). Peak memory is read in fresh subprocesses, one
per size. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import simpy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sim.config import load_config  # noqa: E402
from sim.mechanisms import DAILY_STEPS  # noqa: E402
from sim.model import Model  # noqa: E402
from sim.runner import run_scenario  # noqa: E402

#: The daily review's steps, in the order ``Model._day`` runs them, timed one by one.
DAY_STEPS = tuple(name for name, _ in DAILY_STEPS)

POSTS_PER_TEAM = 31  # trust: 19 RN + 12 HCA funded posts per team (conf/organisation/trust.yaml)


def teams_for(staff: int) -> int:
    """Number of trust-sized teams giving about ``staff`` funded posts (32 teams = 992)."""
    return max(1, round(staff / POSTS_PER_TEAM))


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


# --------------------------------------------------------------------------- 1. bare SimPy


def bare_mmc(n_customers: int = 50_000, c: int = 20, load: float = 0.9, seed: int = 1) -> dict[str, float]:
    """A bare SimPy M/M/c queue: c servers (simpy.Resource), Poisson arrivals, exponential
    service with mean 1, arrival rate load*c; every draw is a scalar call on a numpy
    Generator (as in the model). Runs until the last customer has left."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    arrival_rate, service_mean = load * c / 1.0, 1.0
    served = 0

    def customer() -> Any:
        nonlocal served
        with servers.request() as request:
            yield request
            yield env.timeout(rng.exponential(service_mean))
        served += 1

    def arrivals() -> Any:
        for _ in range(n_customers):
            env.process(customer())
            yield env.timeout(rng.exponential(1.0 / arrival_rate))

    env.process(arrivals())
    w0, c0 = clocks()
    env.run()
    w1, c1 = clocks()
    assert served == n_customers
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0, "customers": n_customers,
            "us_per_customer_cpu": (c1 - c0) / n_customers * 1e6, "us_per_customer_wall": (w1 - w0) / n_customers * 1e6}


class PatientFlowOnly(Model):
    """The model's own patient flow in isolation: each ward's admissions (thinned arrivals)
    and discharges, moved on once a day by ``sim.beds.Beds.advance`` as the model does
    before each daily review.

    Constructed exactly like the model (initial staff, leaders, the initial patients, each
    ward's first candidate arrival), but the daily process only moves the patient flow on:
    no daily review, so no staff, sickness, leaving, recruitment or incident events ever
    run. The leader processes wait on an event that never fires (one step each at start)."""

    def _days(self) -> Any:
        yield self.env.timeout(0.5)
        while True:
            self.beds.advance(self.env.now)
            yield self.env.timeout(1)


def patient_flow(n_teams: int, days: int) -> dict[str, float]:
    """``days`` days of the model's patient flow alone (trust with ``n_teams`` teams)."""
    m = PatientFlowOnly(load_config([f"organisation.n_teams={n_teams}", "years=1", "warmup_years=0"]), 0)
    w0, c0 = clocks()
    m.env.run(until=days)
    m.beds.advance(days)
    w1, c1 = clocks()
    adm = int(m.month.admissions)
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0, "admissions": adm,
            "us_per_admission_cpu": (c1 - c0) / adm * 1e6, "us_per_admission_wall": (w1 - w0) / adm * 1e6}


# --------------------------------------------------------------------------- 2. daily update


class DayTimed(Model):
    """The model, with every call of ``_day`` after ``warmup`` days timed, and each of its
    steps (``sim.mechanisms.DAILY_STEPS``, the model's own list) timed inside it."""

    def __init__(self, *args: Any, warmup: float = 30.0, **kw: Any) -> None:
        self.warmup = warmup
        self.day_cpu: list[float] = []
        self.day_wall: list[float] = []
        self.step_cpu: dict[str, float] = dict.fromkeys(DAY_STEPS, 0.0)
        super().__init__(*args, **kw)
        self.steps = tuple((name, self._timed(name, step)) for name, step in self.steps)

    def _timed(self, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            if self.env.now < self.warmup:
                return step(*args)
            c0 = time.process_time()
            out = step(*args)
            self.step_cpu[name] += time.process_time() - c0
            return out
        return timed

    def _day(self) -> None:
        if self.env.now < self.warmup:
            super()._day()
            return
        w0, c0 = clocks()
        super()._day()
        w1, c1 = clocks()
        self.day_cpu.append(c1 - c0)
        self.day_wall.append(w1 - w0)


def model_day(n_teams: int, warmup: int, days: int) -> dict[str, Any]:
    """Mean cost of one ``Model._day`` call inside a real run (trust organisation with
    ``n_teams`` teams), over ``days`` days after ``warmup`` days, and of each of its steps
    (their sum is a little above the whole: the timers' own cost)."""
    m = DayTimed(load_config([f"organisation.n_teams={n_teams}", "years=1"]), 0, warmup=warmup)
    m.env.run(until=warmup + days)
    n = len(m.day_cpu)
    cpu, wall = sum(m.day_cpu) / n, sum(m.day_wall) / n
    return {"calls": n, "agents": int(m.staff.capacity), "in_post": int(m.staff.active.sum()),
            "us_per_day_cpu": cpu * 1e6, "us_per_day_wall": wall * 1e6,
            "ns_per_agent_cpu": cpu / m.staff.capacity * 1e9,
            "steps_us_per_day_cpu": {k: v / n * 1e6 for k, v in m.step_cpu.items()}}


def numpy_reference(n_agents: int, n_teams: int, calls: int, seed: int = 2) -> dict[str, float]:
    """A plain numpy daily update of ``n_agents`` agents in ``n_teams`` teams, per call:

    1. exhaustion update: E += susceptibility * stress[team] - recovery * E + 0.01 * N(0,1) noise,
       clipped to [0, 1]  (gather, 4 multiply/add ops, one normal draw, clip);
    2. a Bernoulli draw: p = 1 - exp(-0.85 * exp(2.2 E) / 365) (hazard to daily probability),
       hit = uniform < p;
    3. a per-team count of the hits: bincount(team, weights=hit, minlength=n_teams).

    About 14 numpy calls over arrays of ``n_agents``: the kind of work the model does per
    mechanism, without the model's bookkeeping."""
    rng = np.random.default_rng(seed)
    team = rng.integers(0, n_teams, n_agents)
    E = rng.uniform(0.0, 1.0, n_agents)
    susceptibility = rng.lognormal(0.0, 0.6, n_agents)
    stress = rng.uniform(0.01, 0.02, n_teams)
    recovery = 0.02
    counts = np.zeros(n_teams)
    w0, c0 = clocks()
    for _ in range(calls):
        E = E + susceptibility * stress[team] - recovery * E + 0.01 * rng.standard_normal(n_agents)
        np.clip(E, 0.0, 1.0, out=E)
        p = 1.0 - np.exp(-0.85 * np.exp(2.2 * E) / 365.0)
        hit = rng.random(n_agents) < p
        counts += np.bincount(team, weights=hit, minlength=n_teams)
    w1, c1 = clocks()
    cpu, wall = (c1 - c0) / calls, (w1 - w0) / calls
    return {"calls": calls, "agents": n_agents, "us_per_day_cpu": cpu * 1e6, "us_per_day_wall": wall * 1e6,
            "ns_per_agent_cpu": cpu / n_agents * 1e9}


# --------------------------------------------------------------------------- 3. scaling


def replication(n_teams: int, years: float) -> dict[str, float]:
    """One full replication (construction + run) without a warm-up, so that ``years`` is
    all that is simulated (and every admission is counted); default trust parameters
    otherwise."""
    cfg = load_config([f"organisation.n_teams={n_teams}", f"years={years}", "warmup_years=0"])
    w0, c0 = clocks()
    m = Model(cfg, 0)
    staff = int(m.staff.active.sum())
    rec = m.run()
    w1, c1 = clocks()
    adm = float(np.nansum(rec.org["admissions"]))
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0, "staff_in_post_at_start": staff,
            "funded_posts": int(m.establishment().sum()), "admissions": adm,
            "us_per_admission_cpu": (c1 - c0) / adm * 1e6}


def decade(n_teams: int) -> dict[str, float]:
    """One replication of the default configuration (10 years after a 2-year warm-up) of a
    trust with ``n_teams`` wards, construction included: the unit of a calibration run."""
    cfg = load_config([f"organisation.n_teams={n_teams}"])
    w0, c0 = clocks()
    m = Model(cfg, 0)
    staff = int(m.staff.active.sum())
    m.run()
    w1, c1 = clocks()
    return {"wall_s": w1 - w0, "cpu_s": c1 - c0, "staff_in_post_at_start": staff, "years": cfg.years,
            "warmup_years": cfg.warmup_years, "decades_per_cpu_s": (cfg.years / 10) / (c1 - c0)}


# --------------------------------------------------------------------------- 4. parallel


def scenario(n_jobs: int, overrides: list[str]) -> dict[str, float]:
    """8 replications through sim.runner.run_scenario. Besides wall time, records the CPU
    time of this process and of its reaped worker processes, so that ``cores_obtained`` =
    total CPU / wall shows how much of the machine the run actually got."""
    import resource

    cfg = load_config(overrides + ["n_replications=8", f"n_jobs={n_jobs}", "progress=false"])
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0, c0 = clocks()
    frame = run_scenario(cfg)
    w1, c1 = clocks()
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert frame["replication"].nunique() == 8
    child = (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    return {"wall_s": w1 - w0, "cpu_s_parent": c1 - c0, "cpu_s_workers": child,
            "cpu_s_total": (c1 - c0) + child, "cores_obtained": ((c1 - c0) + child) / (w1 - w0)}


# --------------------------------------------------------------------------- 5. memory


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def memory_child(n_teams: int, years: float) -> None:
    """Run in a fresh interpreter: one replication, then print peak RSS as JSON."""
    import resource

    base = vm_hwm_kib()  # after imports, before the model
    out: dict[str, Any] = {"n_teams": n_teams, "years": years, "vmhwm_after_imports_kib": base}
    if n_teams > 0:
        out.update(replication(n_teams, years))
    out["vmhwm_kib"] = vm_hwm_kib()
    out["ru_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def memory_run(n_teams: int, years: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(n_teams), str(years)]
    w0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["subprocess_wall_s"] = time.perf_counter() - w0
    return out


# --------------------------------------------------------------------------- 6. compiled kernels


def first_call_child() -> None:
    """Run in a fresh interpreter: the CPU time of the imports (numba included), then of a
    first small run (a 1-year small organisation), which compiles ``sim/kernels.py`` or
    loads it from numba's cache (``NUMBA_CACHE_DIR`` chooses which)."""
    imports = time.process_time()      # CPU since the interpreter started: start-up and imports
    c0 = time.process_time()
    Model(load_config(["organisation=small", "years=1", "warmup_years=0"]), 0).run()
    c1 = time.process_time()
    again0 = time.process_time()
    Model(load_config(["organisation=small", "years=1", "warmup_years=0"]), 1).run()
    again1 = time.process_time()
    print(json.dumps({"imports_cpu_s": imports, "first_run_cpu_s": c1 - c0, "second_run_cpu_s": again1 - again0}))


def first_call_runs() -> dict[str, Any]:
    """The kernels' first-call cost: a fresh process with an empty numba cache (compiles
    everything), then another on the cache it wrote (what every later run pays)."""
    import tempfile

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold_cache", "warm_cache"):
            res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--first-call-child"],
                                 capture_output=True, text=True, check=True, cwd=REPO, env=env)
            out[label] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


# --------------------------------------------------------------------------- harness


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pandas

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(), "cpu_model": cpu, "cores": os.cpu_count(), "cores_usable": affinity,
        "python": platform.python_version(), "numpy": np.__version__, "simpy": simpy.__version__,
        "pandas": pandas.__version__, "loadavg_start": os.getloadavg(),
        "git_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                     text=True).stdout.strip(),
    }


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def plan(quick: bool) -> dict[str, Any]:
    if quick:
        return {
            "repeats": 5,
            "flow": (teams_for(1000), 180),
            "day": [(teams_for(1000), 20, 60)],
            "ref_calls": 2000,
            "scaling": [(300, 1), (1000, 1), (3000, 1), (300, 2)],
            "decade": teams_for(1000),
            "parallel": ["years=1"],
            "memory": [(300, 1), (1000, 1), (3000, 1)],
        }
    return {
        "repeats": 5,
        "flow": (teams_for(1000), 365),
        "day": [(teams_for(1000), 30, 120), (teams_for(10000), 30, 30)],
        "ref_calls": 2000,
        "scaling": [(300, 1), (1000, 1), (3000, 1), (10000, 1), (300, 5), (300, 10)],
        "decade": teams_for(1000),
        "parallel": ["years=1"],
        "memory": [(300, 1), (1000, 1), (3000, 1), (10000, 10)],
    }


def run_all(quick: bool, repeats: int | None) -> dict[str, Any]:
    P = plan(quick)
    R = repeats or P["repeats"]
    cases: list[tuple[str, Callable[[], dict[str, float]]]] = [
        ("mmc", bare_mmc),
        ("flow", lambda: patient_flow(*P["flow"])),
    ]
    for T, warm, days in P["day"]:
        cases.append((f"day_T{T}", lambda T=T, warm=warm, days=days: model_day(T, warm, days)))
    for staff, years in P["scaling"]:
        T = teams_for(staff)
        cases.append((f"rep_{staff}x{years}", lambda T=T, years=years: replication(T, years)))
    cases.append(("decade", lambda: decade(P["decade"])))
    cases.append(("par_1", lambda: scenario(1, P["parallel"])))
    cases.append(("par_2", lambda: scenario(2, P["parallel"])))

    raw: dict[str, list[dict[str, float]]] = {name: [] for name, _ in cases}
    ref_raw: dict[int, list[dict[str, float]]] = {}
    agents_for_day: dict[str, int] = {}
    t_start = time.perf_counter()
    for r in range(R):
        order = cases[r % len(cases):] + cases[:r % len(cases)]
        for name, fn in order:
            gc.collect()
            res = fn()
            raw[name].append(res)
            if name.startswith("day_"):
                # the numpy reference on exactly as many agents, right after the model's day
                n = int(res["agents"])
                agents_for_day[name] = n
                T = int(name.split("T")[1])
                ref_raw.setdefault(n, []).append(numpy_reference(n, T, P["ref_calls"]))
        print(f"  repeat {r + 1}/{R} done ({time.perf_counter() - t_start:.0f} s)", file=sys.stderr, flush=True)

    memory = []
    for staff, years in P["memory"]:
        print(f"  memory: {staff} staff x {years} years in a fresh process", file=sys.stderr, flush=True)
        memory.append({"staff_target": staff, **memory_run(teams_for(staff), years)})
    print("  compiled kernels: first run with an empty and with a warm numba cache", file=sys.stderr, flush=True)
    first_call = first_call_runs()
    return {"plan": {k: v for k, v in P.items()}, "repeats": R, "raw": raw, "numpy_reference_raw": ref_raw,
            "agents_for_day": agents_for_day, "memory": memory, "first_call": first_call,
            "bench_seconds": time.perf_counter() - t_start}


WHY = {
    "patient": "Python-level per-event overhead of SimPy in the rest of the model; the patient flow itself is "
               "one compiled call a day (sim.beds)",
    "full": "the full model adds the daily review and the staff life-cycle events (sickness, notice, "
            "recruitment, incident reviews), all charged here to admissions",
    "day": "_day runs all 13 steps of 11 mechanisms, each a Python function with its own numpy calls on small "
           "arrays (per-team arrays of 32), random draws by slot (a normal and 5 uniform arrays a day, each "
           "positioned by a PCG64 jump) and numpy's exp/log/expm1/power, which stay numpy's so that the outputs "
           "stay bit-identical (numpy's AVX-512 versions differ from the C library's that compiled code calls); "
           "the table 'Where the daily update goes' splits it by step",
    "decade": "the daily review (see 2) and the staff life-cycle events still cost several hundred µs a day",
    "scaling": "fixed per-day and per-team costs do not shrink with work, and a shared, loaded machine adds noise",
    "parallel": "the machine is shared with other jobs (see load average and 'cores obtained'): with 2 workers "
                "the run got well under 2 cores of CPU, so the second core was not free; pool start-up and "
                "pickling of result frames add a little",
    "memory": "per-replication state grew beyond the limit",
}


def analyse(res: dict[str, Any], info: dict[str, Any], quick: bool) -> dict[str, Any]:
    raw = res["raw"]
    out: dict[str, Any] = {"targets": [], "tables": {}}

    def ratios(num: list[float], den: list[float]) -> list[float]:
        return [a / b for a, b in zip(num, den, strict=True)]

    mmc = [x["us_per_customer_cpu"] for x in raw["mmc"]]
    flow = [x["us_per_admission_cpu"] for x in raw["flow"]]
    full_key = "rep_1000x1"
    full = [x["us_per_admission_cpu"] for x in raw[full_key]]
    r_flow, r_full = ratios(flow, mmc), ratios(full, mmc)
    out["tables"]["per_patient"] = {
        "bare_mmc_us_per_customer": stats(mmc), "flow_us_per_admission": stats(flow),
        "full_model_us_per_admission": stats(full), "ratio_flow": stats(r_flow), "ratio_full": stats(r_full),
        "flow_admissions": raw["flow"][0]["admissions"], "full_admissions": raw[full_key][0]["admissions"],
    }
    out["targets"].append(("1a. per patient, patient flow alone (sim.beds: admissions + stays) / bare SimPy M/M/c customer",
                           stats(r_flow), "<= 1.0 (aim 0.5)", stats(r_flow)["median"] <= 1.0, WHY["patient"]))
    out["targets"].append(("1b. per admission, full default model (1,000 staff, 1 year) / bare SimPy M/M/c customer",
                           stats(r_full), "<= 0.5", stats(r_full)["median"] <= 0.5,
                           WHY["full"] + "; " + WHY["patient"]))

    day_tab = {}
    for name, n in res["agents_for_day"].items():
        model = [x["us_per_day_cpu"] for x in raw[name]]
        ref = [x["us_per_day_cpu"] for x in res["numpy_reference_raw"][n]]
        rr = ratios(model, ref)
        day_tab[name] = {"agents": n, "in_post": raw[name][0]["in_post"], "calls_per_repeat": raw[name][0]["calls"],
                         "model_us_per_day": stats(model), "reference_us_per_day": stats(ref),
                         "model_ns_per_agent": stats([x["ns_per_agent_cpu"] for x in raw[name]]),
                         "reference_ns_per_agent": stats([x["ns_per_agent_cpu"] for x in res["numpy_reference_raw"][n]]),
                         "ratio": stats(rr),
                         "steps_us_per_day": {k: statistics.median(x["steps_us_per_day_cpu"][k] for x in raw[name])
                                              for k in DAY_STEPS}}
        out["targets"].append((f"2. daily update per staff, Model._day / numpy reference ({n:,} agents)",
                               stats(rr), "<= 4 (aim 2)", stats(rr)["median"] <= 4.0, WHY["day"]))
    out["tables"]["daily_update"] = day_tab

    scal = {}
    base = raw["rep_300x1"]
    base_staff = base[0]["staff_in_post_at_start"]
    for name in raw:
        if not name.startswith("rep_"):
            continue
        staff_t, years = name[4:].split("x")
        cells = raw[name]
        work = (cells[0]["staff_in_post_at_start"] * float(years)) / (base_staff * 1.0)
        tr = ratios([x["cpu_s"] for x in cells], [x["cpu_s"] for x in base])
        scal[name] = {"staff_target": int(staff_t), "years": float(years),
                      "staff_in_post": cells[0]["staff_in_post_at_start"], "teams": teams_for(int(staff_t)),
                      "cpu_s": stats([x["cpu_s"] for x in cells]), "wall_s": stats([x["wall_s"] for x in cells]),
                      "work_ratio": work, "time_ratio": stats(tr), "time_per_work_ratio": stats([t / work for t in tr])}
    # the 10,000 x 10 years run of the memory section (one sample, fresh process)
    for m in res["memory"]:
        if m["years"] >= 10 and m["staff_target"] >= 10000:
            base_med = statistics.median(x["cpu_s"] for x in base)
            work = m["staff_in_post_at_start"] * m["years"] / base_staff
            scal["mem_10000x10"] = {"staff_target": m["staff_target"], "years": m["years"],
                                    "staff_in_post": m["staff_in_post_at_start"], "teams": m["n_teams"],
                                    "cpu_s": stats([m["cpu_s"]]), "wall_s": stats([m["wall_s"]]),
                                    "work_ratio": work, "time_ratio": stats([m["cpu_s"] / base_med]),
                                    "time_per_work_ratio": stats([m["cpu_s"] / base_med / work]), "single_sample": True}
    out["tables"]["scaling"] = scal
    big = [v for v in scal.values() if v["work_ratio"] >= 4.5]
    worst = max(big, key=lambda v: v["time_per_work_ratio"]["median"]) if big else None
    if worst is not None:
        label = f"{worst['staff_in_post']:,} staff x {worst['years']:g} y"
        out["targets"].append((
            f"3. time per unit of work (staff x years) vs 300 staff x 1 y, worst cell with >= 4.5x work ({label})",
            worst["time_per_work_ratio"], "<= 1.1 (10x work <= 11x time)",
            all(v["time_per_work_ratio"]["median"] <= 1.1 for v in big), WHY["scaling"]))

    dec = [x["decades_per_cpu_s"] for x in raw["decade"]]
    d0 = raw["decade"][0]
    out["tables"]["decade"] = {"staff_in_post": d0["staff_in_post_at_start"], "years": d0["years"],
                               "warmup_years": d0["warmup_years"], "cpu_s": stats([x["cpu_s"] for x in raw["decade"]]),
                               "wall_s": stats([x["wall_s"] for x in raw["decade"]]), "decades_per_cpu_s": stats(dec),
                               "simulated_decades_per_cpu_s": stats([(d0["years"] + d0["warmup_years"]) / 10 / x["cpu_s"]
                                                                     for x in raw["decade"]])}
    out["targets"].append((f"6. replication-decades per CPU-second, {d0['staff_in_post_at_start']:,}-staff trust "
                           f"({d0['years']:g} years after a {d0['warmup_years']:g}-year warm-up, construction included)",
                           stats(dec), ">= 0.9 (a decade in about 1 s CPU)", stats(dec)["median"] >= 0.9,
                           WHY["decade"]))

    p1 = [x["wall_s"] for x in raw["par_1"]]
    p2 = [x["wall_s"] for x in raw["par_2"]]
    sp = ratios(p1, p2)
    cpu1 = [x["cpu_s_total"] for x in raw["par_1"]]
    cpu2 = [x["cpu_s_total"] for x in raw["par_2"]]
    out["tables"]["parallel"] = {"config": res["plan"]["parallel"], "n_jobs_1_wall_s": stats(p1),
                                 "n_jobs_2_wall_s": stats(p2), "speedup": stats(sp),
                                 "n_jobs_1_cpu_s": stats(cpu1), "n_jobs_2_cpu_s": stats(cpu2),
                                 "n_jobs_1_cores_obtained": stats([x["cores_obtained"] for x in raw["par_1"]]),
                                 "n_jobs_2_cores_obtained": stats([x["cores_obtained"] for x in raw["par_2"]])}
    got = statistics.median(x["cores_obtained"] for x in raw["par_2"])
    why_parallel = WHY["parallel"] if got < 1.8 else (
        f"both cores were obtained ({got:.2f}); the fixed cost of starting the worker pool and returning "
        f"the result frames weighs on a run of {statistics.median(p1):.1f} s")
    out["targets"].append(("4. speed-up of 8 replications, n_jobs=2 over n_jobs=1 (wall)", stats(sp), ">= 1.8",
                           stats(sp)["median"] >= 1.8, why_parallel))

    mem_tab = []
    for m in res["memory"]:
        mem_tab.append({"staff_in_post": m["staff_in_post_at_start"], "teams": m["n_teams"], "years": m["years"],
                        "peak_rss_mib": m["vmhwm_kib"] / 1024, "rss_after_imports_mib": m["vmhwm_after_imports_kib"] / 1024,
                        "wall_s": m["wall_s"]})
    out["tables"]["memory"] = mem_tab
    big_mem = [m for m in mem_tab if m["years"] >= 10 and m["staff_in_post"] >= 9000]
    if big_mem:
        v = big_mem[0]["peak_rss_mib"]
        out["targets"].append(("5. peak RSS of one 10,000-staff 10-year replication (MiB)", stats([v]),
                               "< 2048 MiB", v < 2048, WHY["memory"]))
    else:
        out["targets"].append(("5. peak RSS of one 10,000-staff 10-year replication (MiB)", None, "< 2048 MiB",
                               None, "skipped in --quick mode (run the full mode)"))
    return out


def fmt(s: dict[str, float] | None, digits: int = 2) -> str:
    if s is None:
        return "—"
    if s["n"] == 1:
        return f"{s['median']:.{digits}f} (n=1)"
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def markdown(info: dict[str, Any], res: dict[str, Any], an: dict[str, Any], quick: bool, cmd: str) -> str:
    L: list[str] = []
    L.append(f"# Benchmark results ({'quick' if quick else 'full'} mode)\n")
    L.append(f"Command: `{cmd}` · {res['repeats']} interleaved repeats · medians with [min–max] over repeats · "
             f"total benchmark time {res['bench_seconds']:.0f} s.\n")
    L.append("| machine | |\n|---|---|")
    for k in ("date", "platform", "cpu_model", "cores", "python", "numpy", "simpy", "pandas", "git_commit"):
        L.append(f"| {k} | {info[k]} |")
    la0 = ", ".join(f"{x:.2f}" for x in info["loadavg_start"])
    la1 = ", ".join(f"{x:.2f}" for x in info["loadavg_end"])
    L.append(f"| load average (1/5/15 min) | start {la0}; end {la1} |\n")
    L.append("Times are CPU seconds of the benchmark process unless marked wall. The machine was shared with "
             "other jobs; a load average above the core count means the figures (wall time above all) are "
             "noisier and slower than on an idle machine.\n")
    L.append("## Targets\n")
    L.append("| # | measure | median [range] | target | result | why (when missed) |\n|---|---|---|---|---|---|")
    for i, (name, s, target, ok, why) in enumerate(an["targets"], 1):
        result = "skipped" if ok is None else ("**met**" if ok else "**missed**")
        L.append(f"| {i} | {name} | {fmt(s)} | {target} | {result} | {'' if ok else why} |")
    pp = an["tables"]["per_patient"]
    L.append("\n## 1. Cost per patient vs bare SimPy\n")
    L.append("| case | µs CPU per customer / admission | ratio to bare M/M/c |\n|---|---|---|")
    L.append(f"| bare SimPy M/M/c (c=20, load 0.9, 50,000 customers) | {fmt(pp['bare_mmc_us_per_customer'])} | 1 |")
    L.append(f"| model patient flow alone ({pp['flow_admissions']:,} admissions, 1,000-staff trust) | "
             f"{fmt(pp['flow_us_per_admission'])} | {fmt(pp['ratio_flow'])} |")
    L.append(f"| full default model, 1,000 staff, 1 year ({int(pp['full_admissions']):,} admissions) | "
             f"{fmt(pp['full_model_us_per_admission'])} | {fmt(pp['ratio_full'])} |")
    L.append("\n## 2. Daily update vs plain numpy\n")
    L.append("| agents (in post) | Model._day µs/day | reference µs/day | model ns/agent | reference ns/agent | ratio |"
             "\n|---|---|---|---|---|---|")
    for v in an["tables"]["daily_update"].values():
        L.append(f"| {v['agents']:,} ({v['in_post']:,}) | {fmt(v['model_us_per_day'], 0)} | "
                 f"{fmt(v['reference_us_per_day'], 0)} | {fmt(v['model_ns_per_agent'], 0)} | "
                 f"{fmt(v['reference_ns_per_agent'], 0)} | {fmt(v['ratio'], 1)} |")
    L.append("\n### Where the daily update goes (µs CPU per day, median over repeats)\n")
    cols = list(an["tables"]["daily_update"].values())
    L.append("| step (mechanism) | " + " | ".join(f"{v['agents']:,} agents" for v in cols) + " |")
    L.append("|---|" + "---|" * len(cols))
    for step in DAY_STEPS:
        L.append(f"| `{step}` | " + " | ".join(f"{v['steps_us_per_day'][step]:.0f}" for v in cols) + " |")
    L.append("\n`sickness`, `leaving`, `reporting` and `recruitment` include scheduling their SimPy events "
             "(episodes, notices, incident reviews, recruitment rounds); the rest is array work.")
    L.append("\n## 3. Time per replication vs size\n")
    L.append("| staff in post (teams) | years | CPU s | wall s | work ratio | time ratio | time ratio / work ratio |"
             "\n|---|---|---|---|---|---|---|")
    for v in an["tables"]["scaling"].values():
        note = " (fresh process, n=1)" if v.get("single_sample") else ""
        L.append(f"| {v['staff_in_post']:,} ({v['teams']}) | {v['years']:g}{note} | {fmt(v['cpu_s'])} | "
                 f"{fmt(v['wall_s'])} | {v['work_ratio']:.1f} | {fmt(v['time_ratio'])} | "
                 f"{fmt(v['time_per_work_ratio'])} |")
    d = an["tables"]["decade"]
    L.append("\n### A replication-decade (the unit of a calibration run)\n")
    L.append("| staff in post | years (+ warm-up) | CPU s | wall s | replication-decades per CPU-second | "
             "simulated decades (warm-up included) per CPU-second |\n|---|---|---|---|---|---|")
    L.append(f"| {d['staff_in_post']:,} | {d['years']:g} (+{d['warmup_years']:g}) | {fmt(d['cpu_s'])} | "
             f"{fmt(d['wall_s'])} | {fmt(d['decades_per_cpu_s'])} | {fmt(d['simulated_decades_per_cpu_s'])} |")
    par = an["tables"]["parallel"]
    L.append("\n## 4. Parallel replications\n")
    L.append(f"8 replications of `{' '.join(par['config'])}` (the default 1,000-staff trust otherwise) through "
             "`sim.runner.run_scenario`.\n")
    L.append("| | n_jobs=1 | n_jobs=2 |\n|---|---|---|")
    L.append(f"| wall s | {fmt(par['n_jobs_1_wall_s'])} | {fmt(par['n_jobs_2_wall_s'])} |")
    L.append(f"| CPU s (parent + workers) | {fmt(par['n_jobs_1_cpu_s'])} | {fmt(par['n_jobs_2_cpu_s'])} |")
    L.append(f"| cores obtained (CPU s / wall s) | {fmt(par['n_jobs_1_cores_obtained'])} | "
             f"{fmt(par['n_jobs_2_cores_obtained'])} |")
    L.append(f"| **speed-up** (wall n_jobs=1 / wall n_jobs=2) | | **{fmt(par['speedup'])}** |\n")
    L.append("'cores obtained' near 2 for n_jobs=2 means both cores were really available; near 1 means other "
             "jobs took the second one. CPU s of n_jobs=2 close to n_jobs=1 means parallel overhead is small.")
    L.append("\n## 5. Peak memory (fresh subprocess per size)\n")
    L.append("| staff in post (teams) | years | peak RSS (VmHWM) MiB | RSS after imports MiB | wall s |\n|---|---|---|---|---|")
    for m in an["tables"]["memory"]:
        L.append(f"| {m['staff_in_post']:,} ({m['teams']}) | {m['years']:g} | {m['peak_rss_mib']:.0f} | "
                 f"{m['rss_after_imports_mib']:.0f} | {m['wall_s']:.1f} |")
    if quick:
        L.append("\nThe 10,000-staff 10-year replication was **skipped** in --quick mode (run without --quick).")
    fc = res["first_call"]
    L.append("\n## 6. Compiled kernels: first-call cost (fresh process each, n=1)\n")
    L.append("CPU s of a fresh interpreter's start-up and imports (numba included), then of its first and second "
             "small runs (`organisation=small`, 1 year). With an empty numba cache the first run compiles "
             "`sim/kernels.py`; every later process loads the compiled code from the cache.\n")
    L.append("| numba cache | start-up + imports | first run | second run |\n|---|---|---|---|")
    for label, v in fc.items():
        L.append(f"| {label.replace('_', ' ')} | {v['imports_cpu_s']:.2f} | {v['first_run_cpu_s']:.2f} | "
                 f"{v['second_run_cpu_s']:.2f} |")
    L.append("")
    return "\n".join(L)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer and smaller cases (about 1 minute)")
    ap.add_argument("--out", default=str(HERE / "results"), help="output folder (default bench/results)")
    ap.add_argument("--repeats", type=int, default=None, help="interleaved repeats (default 5)")
    ap.add_argument("--memory-child", nargs=2, metavar=("N_TEAMS", "YEARS"), help=argparse.SUPPRESS)
    ap.add_argument("--first-call-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.first_call_child:
        first_call_child()
        return
    if args.memory_child:
        memory_child(int(args.memory_child[0]), float(args.memory_child[1]))
        return
    info = machine_info()
    res = run_all(args.quick, args.repeats)
    info["loadavg_end"] = os.getloadavg()
    an = analyse(res, info, args.quick)
    cmd = "python bench/run.py" + (" --quick" if args.quick else "") + \
        (f" --repeats {args.repeats}" if args.repeats else "")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(info, res, an, args.quick, cmd)
    (out / "latest.md").write_text(md)
    doc = {"mode": "quick" if args.quick else "full", "command": cmd, "machine": info,
           "targets": [{"measure": n, "value": s, "target": t, "met": ok, "why": None if ok else why}
                       for n, s, t, ok, why in an["targets"]],
           "tables": an["tables"], "raw": res}
    (out / "latest.json").write_text(json.dumps(doc, indent=1, default=str))
    print(md)


if __name__ == "__main__":
    main()
