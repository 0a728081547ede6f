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
import shutil
import socket
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


def mark_failed(run_dir: Path, error: str, **extra: Any) -> None:
    """Say ``failed`` in status.json even on a full disk: first atomically, else by
    overwriting the small file in place (needs no new block), so a folder whose run
    died never keeps saying ``running``."""
    try:
        write_status(run_dir, "failed", error=error, **extra)
    except OSError:
        data = json.dumps({"status": "failed", "time": now_iso(), "error": error, **extra}, default=str)
        try:
            with open(run_dir / "status.json", "r+" if (run_dir / "status.json").exists() else "w") as fh:
                fh.write(data)
                fh.truncate()
        except OSError:
            pass  # nothing more can be done; collect reports a 'running' folder as incomplete


#: The results of a run (or a collected sweep): present only when its status is completed.
RESULT_NAMES = ("timeseries.parquet", "summary.csv", "provenance.json", "report.html", "cost_effectiveness.csv",
                "jobs.csv", "figures", "brief.html", "brief.md", "tables.xlsx", "compared_baseline")


def discard_results(folder: Path, names: tuple[str, ...] = RESULT_NAMES) -> None:
    """Remove a folder's results and leftover temporary files: after a failure (so nothing
    looks complete, and the space is freed before status.json is written) and before a
    new run in the same folder (so no stale result outlives a failed re-run)."""
    for name in names:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    figures = folder / "figures"
    if figures.is_dir():
        for tmp in figures.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def save_figure(fig: Any, path: Path, **kwargs: Any) -> None:
    """``fig.savefig`` through a temporary name, so a figure that exists is complete
    (a full disk or an interruption leaves no truncated PNG)."""
    fmt = kwargs.pop("format", path.suffix.lstrip(".") or "png")
    atomic_write(path, lambda p: fig.savefig(p, format=fmt, **kwargs))


# --------------------------------------------------------------------------- locks

LOCK_NAME = ".lock"


class FolderLockedError(RuntimeError):
    """Another live process is writing into the folder."""


def lock_holder(folder: Path) -> str | None:
    """Who holds ``folder``'s lock ('pid N on HOST'), or None if it is free or stale
    (its process is gone; a lock from another host is trusted, as its process cannot be checked)."""
    try:
        pid_s, _, host = (folder / LOCK_NAME).read_text().strip().partition(" ")
        pid = int(pid_s)
    except (OSError, ValueError):
        return None
    if host == socket.gethostname():
        if pid == os.getpid():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
    return f"pid {pid} on {host}"


def acquire_lock(folder: Path) -> Path:
    """Create ``folder/.lock`` (atomically, O_EXCL) or raise :class:`FolderLockedError`, so two
    runs never write into one folder; a stale lock (dead process) is taken over."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666 & ~_UMASK)
        except FileExistsError:
            holder = lock_holder(folder)
            if holder is not None:
                raise FolderLockedError(f"{folder} is in use by another run ({holder}); wait for it to end, "
                                   f"or choose another folder") from None
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()} {socket.gethostname()}\n")
        return path
    raise FolderLockedError(f"{folder}: could not take its lock {path}")


def release_lock(folder: Path) -> None:
    """Remove ``folder``'s lock if this process holds it."""
    path = folder / LOCK_NAME
    try:
        if int(path.read_text().split()[0]) == os.getpid():
            path.unlink(missing_ok=True)
    except (OSError, ValueError, IndexError):
        pass
