"""Run-folder outputs, written atomically: a file that exists is complete.

Each file is written to a temporary name in the same folder and renamed into place;
``status.json`` is written first as ``running`` and last as ``completed`` (or
``failed`` with the error), so a folder never looks finished when it is not.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import REPO_ROOT

_UMASK = os.umask(0)
os.umask(_UMASK)

PACKAGES = ("simpy", "numpy", "pandas", "scipy", "hydra-core", "omegaconf", "seaborn", "matplotlib", "pyarrow")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` then rename tmp to ``path`` (same folder, so the rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)      # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False, engine="pyarrow"))


def write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_csv(p, index=False, float_format="%.10g"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def provenance(seed: int, n_replications: int, started: str, finished: str) -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "git": git_state(), "packages": versions, "python": sys.version.split()[0],
        "platform": platform.platform(), "seed": seed, "n_replications": n_replications,
        "started": started, "finished": finished, "command": command_line(),
    }


def command_line() -> str:
    """The command that made the run, as one would type it again (``python -m sim ...``,
    quoted for the shell), not the path of the module Python ran."""
    head = Path(sys.argv[0])
    if head.suffix == ".py" and head.parent.name == "sim":
        prog = ["python", "-m", "sim" if head.stem == "__main__" else f"sim.{head.stem}"]
    else:
        prog = sys.argv[:1]
    return shlex.join(prog + sys.argv[1:])


def write_status(run_dir: Path, status: str, **extra: Any) -> None:
    write_json(run_dir / "status.json", {"status": status, "time": now_iso(), **extra})
