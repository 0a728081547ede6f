"""Cluster launchers: the same sweep under the basic, joblib, submitit (local) and Ray
launchers gives identical collected results; the SLURM config becomes a sensible sbatch array.

Marked ``cluster`` (not in the default run): needs requirements-cluster.lock (``make test-cluster``).
Each test skips, naming the missing plugin, when its launcher is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.config import REPO_ROOT
from tests.functional.test_sweeps import SMALL, SURGE_IN_YEAR_1

pytestmark = pytest.mark.cluster

SWEEP = ["experiment=leadership_2x2", *SMALL, SURGE_IN_YEAR_1]
PLUGINS = {"slurm_local": "hydra_plugins.hydra_submitit_launcher", "ray": "hydra_plugins.hydra_ray_launcher"}
#: Overrides per launcher; Ray is started by the launcher itself on this machine, with at most 2 CPUs.
LAUNCHERS = {
    "joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
    "slurm_local": ["hydra/launcher=slurm_local"],
    "ray": ["hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2"],
}


def need(launcher: str) -> None:
    """Skip unless the launcher's plugin is installed."""
    package = {"slurm_local": "hydra-submitit-launcher", "ray": "hydra-ray-launcher"}[launcher]
    pytest.importorskip(PLUGINS[launcher], reason=f"{package} not installed (make test-cluster installs it)")


def sim(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}     # never join someone's cluster
    base["RAY_USAGE_STATS_ENABLED"] = "0"                                  # no usage report from Ray
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=600, env={**base, **(env or {})})


def collected(sweep: Path) -> dict[str, pd.DataFrame]:
    """What a sweep's collection wrote, less provenance (paths, times)."""
    return {"summary": pd.read_csv(sweep / "summary.csv"),
            "timeseries": pd.read_parquet(sweep / "timeseries.parquet"),
            "jobs": pd.read_csv(sweep / "jobs.csv").drop(columns="folder")}


def ray_pids() -> set[int]:
    """Ray's daemons (raylet, gcs_server) running on this machine."""
    pids = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if cmd.endswith((b"/raylet", b"/gcs_server")):
            pids.add(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("launchers") / "basic"
    proc = sim(*SWEEP, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return collected(out)


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_same_sweep_same_collected_results(launcher: str, basic: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    if launcher in PLUGINS:
        need(launcher)
    before = ray_pids()
    out = tmp_path / launcher
    try:
        proc = sim(*SWEEP, *LAUNCHERS[launcher], f"hydra.sweep.dir={out}")
        assert proc.returncode == 0, proc.stderr[-3000:]
        got = collected(out)
        assert set(got["summary"]["scenario"]) == {"collaborative+compassionate", "collaborative+blame",
                                                   "siloed+compassionate", "siloed+blame"}
        assert (got["jobs"]["status"] == "completed").all()
        for name, frame in basic.items():
            pd.testing.assert_frame_equal(got[name], frame, check_exact=True, obj=f"{launcher} {name}")
    finally:
        deadline = time.monotonic() + 20                # Ray stops its daemons when the sweep's process exits
        while (stray := ray_pids() - before) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in stray:
            os.kill(pid, 9)
    assert not stray, f"Ray processes left running: {sorted(stray)}"


def test_launcher_configs_are_ours() -> None:
    need("slurm_local")
    need("ray")
    slurm = sim("hydra/launcher=slurm", "--cfg", "hydra", "-p", "hydra.launcher")
    assert slurm.returncode == 0, slurm.stderr
    assert "_target_: hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in slurm.stdout
    assert "cpus_per_task: ${n_jobs}" in slurm.stdout and "partition: null" in slurm.stdout
    ray = sim("hydra/launcher=ray", "--cfg", "hydra", "-p", "hydra.launcher")
    assert ray.returncode == 0, ray.stderr
    assert "_target_: hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher" in ray.stdout
    assert "include_dashboard: false" in ray.stdout            # conf/hydra/launcher/ray.yaml, not the plugin's own
    assert "validated against ConfigStore schema" not in ray.stderr


def test_slurm_config_becomes_an_sbatch_array(tmp_path: Path) -> None:
    """No cluster: a stand-in sbatch keeps the script submitit wrote and refuses the job."""
    need("slurm_local")
    bin_dir, script = tmp_path / "bin", tmp_path / "job.sh"
    bin_dir.mkdir()
    (bin_dir / "srun").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "sbatch").write_text(f'#!/bin/sh\ncp "$1" {script}\necho "sbatch: error: no cluster here" >&2\nexit 1\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    proc = sim(*SWEEP, "n_jobs=3", "hydra/launcher=slurm", "hydra.launcher.partition=short",
               f"hydra.sweep.dir={tmp_path / 'sweep'}", env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode != 0 and "no cluster here" in proc.stderr
    lines = set(script.read_text().splitlines())
    for expected in ("#SBATCH --partition=short", "#SBATCH --cpus-per-task=3", "#SBATCH --array=0-3%4",  # 4 jobs
                     "#SBATCH --time=120", "#SBATCH --mem=4GB", "#SBATCH --job-name=sim", "#SBATCH --ntasks-per-node=1"):
        assert expected in lines, f"{expected} not in the sbatch script:\n{script.read_text()}"
    assert any(sys.executable in line and "submitit.core._submit" in line for line in lines)
