"""Issue 12: sweeps and runs never lose, mix or misreport results.

One test (or parametrised case) per cause found by the adversarial pass, numbered as in
the issue, and one per doubtful case that is now refused. Validation-only cases run
in-process through the same code path as ``python -m sim`` (:func:`sim.__main__.prevalidate`);
a few go through the command line to check the promise itself: exit code, one line, no
traceback, no folder.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim import outputs
from sim.__main__ import MAX_REPLICATIONS, prevalidate
from sim.app import run_to_folder
from sim.config import REPO_ROOT, load_config
from sim.summary import replication_means

TINY = ["organisation=small", "n_replications=1", "n_jobs=1", "progress=false"]
FAST = [*TINY, "years=0.5", "outputs.summary_months=3"]


def sim(*args: str, module: str = "sim", timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=timeout, env={**os.environ, "SIM_DEBUG": ""})


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one-line message with which ``python -m sim ARGS`` refuses, before Hydra starts (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        prevalidate(list(args))
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


def one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert lines and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def status(folder: Path) -> str:
    return json.loads((folder / "status.json").read_text())["status"]


SWEEP = ["-m", *FAST, "leadership=blame,compassionate"]


@pytest.fixture(scope="module")
def done_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A completed two-job sweep; tests damage copies of it."""
    sweep = tmp_path_factory.mktemp("sweep") / "done"
    proc = sim(*SWEEP, f"hydra.sweep.dir={sweep}")
    assert proc.returncode == 0, proc.stderr
    return sweep


@pytest.fixture
def sweep(done_sweep: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "sweep"
    shutil.copytree(done_sweep, copy)
    return copy


# 1. a sweep over horizons summarises every job over its own last months --------------------------

def test_1_summary_window_is_per_job(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    proc = sim("-m", *TINY, "years=0.5,1", "outputs.summary_months=3", f"hydra.sweep.dir={sweep}")
    assert proc.returncode == 0, proc.stderr
    summary = pd.read_csv(sweep / "summary.csv")
    assert summary["scenario"].nunique() == 2                      # the 6-month job is not dropped
    assert (pd.read_csv(sweep / "jobs.csv")["status"] == "completed").all()


def test_1_replication_means_window_ends_at_each_scenarios_last_month() -> None:
    rows = [{"scenario": s, "replication": 0, "month": m, "team": pd.NA, "metric": "x", "value": float(m)}
            for s, last in (("short", 5), ("long", 11)) for m in range(last + 1)]
    means = replication_means(pd.DataFrame(rows), months=2).set_index("scenario")["value"]
    assert means["short"] == 4.5 and means["long"] == 10.5
    per_job = replication_means(pd.DataFrame(rows), months={"short": 1, "long": 3}).set_index("scenario")["value"]
    assert per_job["short"] == 5 and per_job["long"] == 10


# 2. resume compares each completed job's stored settings with the new ones -----------------------

def test_2_resume_with_other_settings_is_refused_naming_the_keys(sweep: Path) -> None:
    before = (sweep / "summary.csv").read_bytes()
    again = sim(*SWEEP, "years=0.25", "seed=7", "resume=true", f"hydra.sweep.dir={sweep}")
    line = one_line_error(again, 2)
    assert "seed" in line and "years" in line
    assert (sweep / "summary.csv").read_bytes() == before              # nothing touched
    same = sim(*SWEEP, "resume=true", "n_jobs=2", f"hydra.sweep.dir={sweep}")
    assert same.returncode == 0, same.stderr                            # n_jobs does not change results


# 3 and 12. a failing collection is the exit status, naming the job; resume re-runs a damaged job --

def test_3_12_damaged_job_is_named_exit_1_and_resume_reruns_it(sweep: Path) -> None:
    parquet = sweep / "1" / "timeseries.parquet"
    parquet.write_bytes(parquet.read_bytes()[:200])                     # truncated after the run
    collected = sim(str(sweep), module="sim.collect")
    assert collected.returncode == 1 and "Traceback" not in collected.stderr
    assert "job 1" in collected.stderr and "damaged" in collected.stderr
    assert set(pd.read_csv(sweep / "summary.csv")["scenario"]) == {"blame"}   # no stale two-job summary

    resumed = sim(*SWEEP, "resume=true", f"hydra.sweep.dir={sweep}")
    assert resumed.returncode == 0, resumed.stderr
    assert set(pd.read_csv(sweep / "summary.csv")["scenario"]) == {"blame", "compassionate"}


def test_3_collection_with_nothing_to_collect_exits_1_and_leaves_no_stale_results(sweep: Path) -> None:
    for job in ("0", "1"):
        (sweep / job / "status.json").write_text('{"status": "failed", "error": "injected"}')
    line = one_line_error(sim(str(sweep), module="sim.collect"), 1)
    assert "no completed job" in line
    for name in ("summary.csv", "timeseries.parquet", "report.html"):
        assert not (sweep / name).exists(), name


# 4. NaN, inf and huge values are refused everywhere, named by their path ------------------------

@pytest.mark.parametrize(("override", "named"), [
    ("recruitment.success_prob_rn=nan", "recruitment.success_prob_rn=nan is not a finite number"),
    ("intervention=peer_support intervention.peer_support.share_attending=nan",
     "intervention.peer_support.share_attending=nan"),
    ("exhaustion.base_stress=nan", "exhaustion.base_stress=nan"),
    ("exhaustion.base_stress=inf", "exhaustion.base_stress=inf"),
    ("exhaustion.base_stress=1e308", "exhaustion.base_stress=1e+308 is out of range"),
    ("+schedule=[{month:3,key:exhaustion.base_stress,value:nan}]", "schedule[0].value=nan"),
    ("organisation.n_organisations=2 organisation.compassion_offsets=[0,inf]", "organisation.compassion_offsets[1]=inf"),
])
def test_4_non_finite_and_unbounded_values_are_refused(override: str, named: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert named in refused(capsys, *FAST, *override.split(), f"hydra.run.dir={tmp_path / 'run'}")
    assert not (tmp_path / "run").exists()


def test_4_nan_on_the_command_line_exits_2_without_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert "exhaustion.base_stress=nan" in one_line_error(sim(*FAST, "exhaustion.base_stress=nan",
                                                              f"hydra.run.dir={out}"), 2)
    assert not out.exists()


# 5. an interruption in the report phase leaves status failed and no results ---------------------

def test_5_interrupt_during_the_report_leaves_nothing_and_sim_report_refuses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.report

    def interrupted(run_dir: Path) -> Path:
        (run_dir / "figures").mkdir()
        (run_dir / "figures" / "half.png").write_bytes(b"\x89PNG")
        raise KeyboardInterrupt("signal 15")

    monkeypatch.setattr(sim.report, "build_report", interrupted)
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        run_to_folder(load_config(FAST), out)
    assert status(out) == "failed"
    for name in ("timeseries.parquet", "summary.csv", "provenance.json", "report.html", "figures"):
        assert not (out / name).exists(), name
    monkeypatch.undo()
    assert sim.report.main([str(out)]) != 0                             # no report from a failed run


# 6. scenario names are safe folder names ---------------------------------------------------------

@pytest.mark.parametrize("name", ["../../escaped", "a/b", "", ".hidden", "a b"])
def test_6_unsafe_scenario_names_are_refused(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "not a safe scenario name" in refused(capsys, *FAST, f"scenario={name}", f"hydra.run.dir={tmp_path / 'r'}")


def test_6_sweep_with_an_empty_scenario_is_refused_before_any_folder(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    line = one_line_error(sim("-m", *FAST, "scenario=x,''", f"hydra.sweep.dir={sweep}"), 2)
    assert "job 1" in line and "scenario" in line
    assert not sweep.exists()


# 7. figures are written atomically; a full disk leaves status failed and no truncated PNG --------

def test_7_full_disk_while_drawing_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Figure.savefig
    calls = {"n": 0}

    def full_disk(self: Figure, fname: object, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:                                             # the second figure hits a full disk
            Path(str(fname)).write_bytes(b"\x89PNG\r\n")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", full_disk)
    out = tmp_path / "run"
    with pytest.raises(OSError, match="No space"):
        run_to_folder(load_config(FAST), out)
    assert status(out) == "failed" and "No space" in json.loads((out / "status.json").read_text())["error"]
    assert not list(out.rglob("*.png")) and not list(out.rglob(".*.tmp"))
    for name in ("timeseries.parquet", "summary.csv", "report.html"):
        assert not (out / name).exists(), name


def test_7_save_figure_leaves_no_partial_file(tmp_path: Path) -> None:
    class Broken:
        def savefig(self, fname: object, **kwargs: object) -> None:
            Path(str(fname)).write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        outputs.save_figure(Broken(), tmp_path / "f.png", dpi=10)
    assert list(tmp_path.iterdir()) == []


# 8. schedule entries are range-checked with their own paths; years=nan names its key -------------

@pytest.mark.parametrize(("override", "named"), [
    ("+schedule=[{month:-1,key:exhaustion.base_stress,value:0.01}]", "schedule[0].month=-1 is out of range"),
    ("+schedule=[{month:1,key:exhaustion.base_stress,value:0.01,typo:1}]",
     "unknown key 'typo' in an entry of schedule; allowed here: key, month, value"),
    ("years=nan", "years=nan is not a finite number"),
])
def test_8_schedule_entries_and_years(override: str, named: str, capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    assert named in refused(capsys, *FAST, override, f"hydra.run.dir={tmp_path / 'r'}")


# 9. bad input in a sweep: one line, exit 2, no sweep folder -------------------------------------

@pytest.mark.parametrize(("args", "named"), [
    (("leadership=blame,nope",), "Could not find 'leadership/nope'; allowed: blame, compassionate, mixed"),
    (("leadership=blame,compassionate", "exhaustion.recovery_rat=0.1"), "unknown key 'exhaustion.recovery_rat'"),
    (("experiment=nope,baseline",), "Could not find 'experiment/nope'"),
])
def test_9_bad_sweep_input_refused_in_process(args: tuple[str, ...], named: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert named in refused(capsys, "-m", *FAST, *args, f"hydra.sweep.dir={tmp_path / 's'}")
    assert not (tmp_path / "s").exists()


def test_9_bad_sweep_value_on_the_command_line(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    assert "leadership/nope" in one_line_error(sim("-m", *FAST, "leadership=blame,nope",
                                                   f"hydra.sweep.dir={sweep}"), 2)
    assert not sweep.exists()


# 10. SIGTERM to a joblib-launched sweep leaves no job running -----------------------------------

def test_10_sigterm_to_a_joblib_sweep_marks_its_jobs_failed(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "-m", *TINY, "years=30", "leadership=blame,compassionate",
                             "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={sweep}"],
                            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any((f / "status.json").exists() and status(f) == "running" for f in sweep.glob("[0-9]")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err, err
    for job in sweep.glob("[0-9]"):
        assert (job / "status.json").exists() and status(job) != "running", job
        if status(job) == "failed":
            assert not (job / "timeseries.parquet").exists()
    assert not (sweep / "summary.csv").exists()


# doubtful cases, decided: refused ---------------------------------------------------------------

@pytest.mark.parametrize(("override", "named"), [
    ("demand=shock years=1", "demand.shock_start_month=24 is after the horizon"),       # a shock that never comes
    ("intervention.peer_support.start_month=6", "intervention peer_support is not selected"),
    ("intervention=[peer_support,peer_support]", "lists an intervention twice"),
    ("hydra.run.dir=", "hydra.run.dir is empty"),
    ("years=1.04", "years=1.04 is not a whole number of months"),                        # a stub month
    ("progress=1", "progress=1 is not a boolean"),
    ("mechanisms.sickness=2", "mechanisms.sickness=2 is not a boolean"),
    (f"n_replications={MAX_REPLICATIONS + 1}", "add force=true"),
    ("hydra.run.dir=/proc/no/such/folder", "cannot write results into /proc/no/such/folder"),
])
def test_doubtful_cases_refused(override: str, named: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert named in refused(capsys, *FAST, *override.split())


def test_force_allows_a_large_replication_count(tmp_path: Path) -> None:
    plan = prevalidate([*FAST, f"n_replications={MAX_REPLICATIONS + 1}", f"hydra.run.dir={tmp_path / 'r'}"],
                       force=True)
    assert plan is not None and plan.configs[0].n_replications == MAX_REPLICATIONS + 1


def test_a_folder_locked_by_a_live_run_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out.mkdir()
        (out / outputs.LOCK_NAME).write_text(f"{holder.pid} {socket.gethostname()}\n")
        assert "in use by another run" in refused(capsys, *FAST, f"hydra.run.dir={out}")
        with pytest.raises(outputs.FolderLockedError):
            outputs.acquire_lock(out)
    finally:
        holder.kill()
        holder.wait()
    outputs.acquire_lock(out)                                           # the holder is gone: a stale lock is taken
    outputs.release_lock(out)
    assert not (out / outputs.LOCK_NAME).exists()


def test_intervention_empty_list_means_none_and_is_accepted(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    plan = prevalidate([*FAST, "intervention=[]", f"hydra.run.dir={tmp_path / 'r'}"])
    assert plan is not None and not any(getattr(plan.configs[0].intervention, f).enabled
                                        for f in ("peer_support", "staffing_uplift"))


def test_kill_9_then_resume_takes_over_the_stale_lock_and_reruns(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "sim", *TINY, "years=30", f"hydra.run.dir={out}"], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not ((out / "status.json").exists() and status(out) == "running"):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    proc.kill()                                                         # kill -9: no clean-up at all
    proc.wait(timeout=30)
    assert status(out) == "running" and (out / outputs.LOCK_NAME).exists()
    resumed = sim(*FAST, "resume=true", f"hydra.run.dir={out}")        # other settings: the job never completed
    assert resumed.returncode == 0, resumed.stderr
    assert status(out) == "completed" and (out / "summary.csv").exists()
    assert not (out / outputs.LOCK_NAME).exists()
