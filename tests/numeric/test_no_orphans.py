"""No orphans, clean stops (issue 18): workers die with their run; SIGTERM stops like SIGINT."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symmp import LRNN, Allocation

ROOT = Path(__file__).resolve().parents[2]
ALLOCATION = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=8, m=4)


def _group(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _count(store) -> int:
    try:
        with sqlite3.connect(store) as db:
            return db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _start(tmp_path, *extra):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(ALLOCATION.to_spec()))
    store = tmp_path / "runs.sqlite"
    command = [sys.executable, "-m", "symmp", "mp", str(spec), "--trials", "2000", "--batch", "10",
               "--solver", "fsolve", "--starts", "3", "--no-certificate", "--store", str(store),
               *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True, env=env, cwd=ROOT)
    deadline = time.time() + 120
    while _count(store) < 20 and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read().decode()
    return process, store


def _gone_within(pgid: int, seconds: float) -> list[int]:
    deadline = time.time() + seconds
    while _group(pgid) and time.time() < deadline:
        time.sleep(0.1)
    return _group(pgid)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_sigkill_of_the_run_leaves_no_worker_alive(tmp_path):
    process, _ = _start(tmp_path, "--workers", "2")
    assert len(_group(process.pid)) >= 3  # the run, its workers (and forkserver, tracker)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _gone_within(process.pid, 5) == []


CASES = [  # (run options, signal, sent to the whole process group as a terminal does)
    (("--workers", "1"), signal.SIGTERM, False),
    (("--workers", "2"), signal.SIGTERM, False),
    (("--workers", "2"), signal.SIGINT, True),
    (("--executor", "dask", "--workers", "2"), signal.SIGINT, True),
    (("--executor", "dask", "--workers", "2"), signal.SIGTERM, False),
]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
@pytest.mark.parametrize("options, signum, group", CASES,
                         ids=lambda v: "-".join(v) if isinstance(v, tuple) else str(v))
def test_a_stop_signal_gives_one_line_and_keeps_finished_trials(tmp_path, options, signum, group):
    if "dask" in options:
        pytest.importorskip("distributed")
    process, store = _start(tmp_path, *options)
    (os.killpg if group else os.kill)(process.pid, signum)
    _, err = process.communicate(timeout=60)
    lines = err.decode().strip().splitlines()
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    assert len(lines) == 1 and lines[0].startswith(f"error: {word}"), lines
    assert process.returncode == 128 + signum
    assert 20 <= _count(store) < 2000
    assert _gone_within(process.pid, 5) == []
