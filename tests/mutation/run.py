"""``make mutation``: mutation testing (mutmut) of the mechanisms, the summary statistics
and the configuration's validation, one module at a time with one worker, then the report.

Usage: ``python tests/mutation/run.py [MODULE ...]`` (default :data:`MODULES`; e.g.
``sim.summary``); ``--survivors [MODULE ...]`` to re-run only the stored survivors not
explained as equivalent (after adding tests); ``--report`` to rewrite the report from the
stored results only. The
mutants, their results and each module's mutmut log live in ``mutants/`` (not committed);
the report is written to ``tests/mutation/report.md`` with every surviving mutant, its
diff and its explanation from ``tests/mutation/equivalent.toml`` (docs/mutation.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTMUT = [sys.executable, "-m", "mutmut"]
HERE = Path(__file__).resolve().parent
REPORT = HERE / "report.md"
EXPLAINED = HERE / "equivalent.toml"

#: The modules mutated (pyproject's [tool.mutmut] only_mutate), smallest first.
MODULES: tuple[str, ...] = (
    "sim.schema", "sim.summary", "sim.config",
    "sim.mechanisms.common", "sim.mechanisms.culture", "sim.mechanisms.exhaustion", "sim.mechanisms.leaders",
    "sim.mechanisms.quality", "sim.mechanisms.reputation", "sim.mechanisms.sickness", "sim.mechanisms.leaving",
    "sim.mechanisms.staffing", "sim.mechanisms.labour_market", "sim.mechanisms.reporting", "sim.mechanisms.demand",
    "sim.mechanisms.interventions", "sim.mechanisms.recruitment",
)
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def module_of(key: str) -> str:
    """``sim.mechanisms.demand.xǁPatientFlowǁlevel__mutmut_3`` -> ``sim.mechanisms.demand``."""
    return key.split(".x", 1)[0] if ".x" in key else key.rsplit(".", 1)[0]


def results() -> dict[str, str]:
    """Every mutant's status from mutmut's stored results (read in this process: mutmut's
    own ``results`` and ``show`` commands start a process each)."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    found: dict[str, str] = {}
    for path in walk_mutatable_files():
        m = SourceFileMutationData(path=path)
        m.load()
        found.update({k: status_by_exit_code[v] for k, v in m.exit_code_by_key.items()})
    return found


def run_module(module: str) -> float:
    """Mutate and test one module (one worker); its log goes to mutants/<module>.log."""
    log = ROOT / "mutants" / f"{module}.log"
    log.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as fh:
        subprocess.run([*MUTMUT, "run", "--max-children", "1", f"{module}.*"], cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
                       check=False)
    return time.perf_counter() - started


def diff(key: str) -> str:
    """The mutant's changed lines (as ``mutmut show`` prints them)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    try:
        text = get_diff_for_mutant(key)
    except Exception as exc:  # noqa: BLE001 - a diff that cannot be rebuilt is reported, not fatal
        return f"(no diff: {type(exc).__name__})"
    return "\n".join(line for line in text.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))


def score_table(status: dict[str, str]) -> tuple[str, int, int]:
    by_module: dict[str, Counter[str]] = {}
    for key, s in status.items():
        by_module.setdefault(module_of(key), Counter())[s] += 1
    lines = ["| module | mutants | killed | survived | no tests | score |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    tot_k = tot_n = 0
    for module in MODULES:
        c = by_module.get(module, Counter())
        n = sum(c.values()) - c["skipped"] - c["not checked"]
        k = sum(c[s] for s in KILLED)
        tot_k, tot_n = tot_k + k, tot_n + n
        lines.append(f"| {module} | {n} | {k} | {c['survived'] + c['suspicious']} | {c['no tests']} | "
                     + (f"{100 * k / n:.1f} % |" if n else "- |"))
    lines.append(f"| **all** | {tot_n} | {tot_k} | | | **{100 * tot_k / max(tot_n, 1):.1f} %** |")
    return "\n".join(lines), tot_k, tot_n


def report(times: dict[str, float]) -> None:
    status = results()
    table, _, _ = score_table(status)
    reasons = explained()
    alive = sorted(k for k, s in status.items() if s not in KILLED and s not in ("skipped", "not checked"))
    parts = ["# Mutation testing: surviving mutants", "",
             "Written by `make mutation` (tests/mutation/run.py); how it runs and what the score means: docs/mutation.md.",
             "", table, ""]
    if times:
        parts += ["Run time of this run (one worker): " + ", ".join(f"{m} {t:.0f} s" for m, t in times.items())
                  + f"; total {sum(times.values()) / 60:.1f} min.", ""]
    parts += [f"## Surviving mutants ({len(alive)})", ""]
    for key in alive:
        why = reasons.get(key, "UNEXPLAINED: needs a test or an explanation in tests/mutation/equivalent.toml")
        parts += [f"### `{key}` ({status[key]})", "", f"{why}", "", "```diff", diff(key), "```", ""]
    REPORT.write_text("\n".join(parts), encoding="utf-8")
    print(table)
    print(f"{len(alive)} surviving mutants; report: {REPORT.relative_to(ROOT)}")


def explained() -> dict[str, str]:
    """Mutant name -> why it is equivalent (tests/mutation/equivalent.toml)."""
    table = tomllib.loads(EXPLAINED.read_text(encoding="utf-8")) if EXPLAINED.exists() else {}
    return {k: v["why"] for v in table.values() for k in v["mutants"]}


def rerun_survivors(modules: list[str]) -> None:
    """Re-run the unexplained survivors of ``modules`` (one worker), e.g. after new tests."""
    status, known = results(), explained()
    for module in modules:
        alive = sorted(k for k, s in status.items() if module_of(k) == module and s not in KILLED
                       and s not in ("skipped", "not checked") and k not in known)
        if not alive:
            continue
        started = time.perf_counter()
        with (ROOT / "mutants" / f"{module}.survivors.log").open("w") as fh:
            subprocess.run([*MUTMUT, "run", "--max-children", "1", *alive], cwd=ROOT, stdout=fh,
                           stderr=subprocess.STDOUT, check=False)
        print(f"{module}: {len(alive)} survivors re-run in {time.perf_counter() - started:.0f} s", flush=True)


def main(argv: list[str]) -> int:
    os.chdir(ROOT)                  # mutmut reads pyproject.toml and mutants/ from the working directory
    if argv == ["--report"]:
        report({})
        return 0
    if argv[:1] == ["--survivors"]:
        rerun_survivors(argv[1:] or list(MODULES))
        report({})
        return 0
    modules = argv or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        print(f"error: unknown module {unknown[0]}; allowed: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    times = {}
    for module in modules:
        times[module] = run_module(module)
        print(f"{module}: {times[module]:.0f} s", flush=True)
    report(times)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
