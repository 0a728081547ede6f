"""Faults: a failed sweep job loses nothing else, resume re-runs only what is missing,
and an interrupted run leaves nothing that looks complete."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.config import REPO_ROOT

QUICK = ["organisation=small", "years=0.5", "outputs.summary_months=6", "n_jobs=1", "progress=false"]


def sim(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=timeout)


def status(folder: Path) -> str:
    return json.loads((folder / "status.json").read_text())["status"]


def test_failed_job_in_a_sweep_keeps_the_others_and_resume_finishes_the_rest(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    (sweep / "1" / "config.yaml").mkdir(parents=True)          # injected fault: job 1 cannot write its config
    first = sim("-m", *QUICK, "n_replications=1,3,2", f"hydra.sweep.dir={sweep}")
    assert first.returncode == 1, first.stderr                     # the sweep reports its failure
    assert "Traceback" not in first.stderr
    assert [status(sweep / str(i)) for i in range(3)] == ["completed", "failed", "completed"]
    assert "config.yaml" in json.loads((sweep / "1" / "status.json").read_text())["error"]
    assert not (sweep / "1" / "timeseries.parquet").exists()
    (sweep / "1" / "config.yaml").rmdir()                          # the fault is repaired

    # Job 2 is "killed" mid-run: its status still says running and its results are gone.
    (sweep / "2" / "timeseries.parquet").unlink()
    (sweep / "2" / "status.json").write_text(json.dumps({"status": "running"}))
    done_before = (sweep / "0" / "timeseries.parquet").stat().st_mtime_ns

    again = sim("-m", *QUICK, "n_replications=1,3,2", "resume=true", f"hydra.sweep.dir={sweep}")
    assert again.returncode == 0, again.stderr
    assert [status(sweep / str(i)) for i in range(3)] == ["completed"] * 3
    assert (sweep / "0" / "timeseries.parquet").stat().st_mtime_ns == done_before   # skipped, not re-run
    assert (sweep / "2" / "timeseries.parquet").exists()
    assert sorted(p.name for p in sweep.iterdir() if p.is_dir() and p.name.isdigit()) == ["0", "1", "2"]
    assert (sweep / "summary.csv").exists() and (sweep / "report.html").exists()      # collected


def test_sigterm_mid_run_leaves_nothing_that_looks_complete(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "organisation=small", "years=20", "n_replications=4",
                             "n_jobs=2", f"hydra.run.dir={out}"], cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ((out / "status.json").exists() and status(out) == "running"):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert status(out) == "failed"
    for name in ("timeseries.parquet", "summary.csv", "provenance.json", "report.html"):
        assert not (out / name).exists(), name
    assert not list(out.glob(".*.tmp"))
