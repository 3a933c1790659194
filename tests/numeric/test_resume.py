"""A run killed with SIGKILL mid-way resumes from the ledger and loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from symmp import LRNN, Allocation
from symmp.numeric import estimate_mp
from symmp.numeric.runs.ledger import Ledger

TRIALS = 300
ALLOCATION = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=8, m=4)
SETTINGS = dict(trials=TRIALS, seed=2, solver="fsolve", starts=3, use_certificate=False)


def _count(store) -> int:
    try:
        with sqlite3.connect(store) as db:
            return db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0


def test_sigkill_then_resume_gives_the_uninterrupted_answer(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(ALLOCATION.to_spec()))
    store = tmp_path / "runs.sqlite"
    command = [
        sys.executable, "-m", "symmp", "mp", str(spec), "--trials", str(TRIALS), "--seed", "2",
        "--solver", "fsolve", "--starts", "3", "--no-certificate", "--store", str(store),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while _count(store) < 50 and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    finished = _count(store)
    assert 0 < finished < TRIALS, f"the run was not interrupted mid-way ({finished} trials stored)"

    with Ledger(store) as ledger:
        key = next(iter(dict(ledger._db.execute("SELECT key, settings FROM runs"))))
        before = ledger.finish_times(key)
    resumed = estimate_mp(ALLOCATION, store=store, **SETTINGS)
    assert (resumed.reused, resumed.computed) == (finished, TRIALS - finished)
    with Ledger(store) as ledger:
        after = ledger.finish_times(key)
    assert all(after[i] == t for i, t in before.items())  # nothing rewritten
    assert len(after) == TRIALS

    uninterrupted = estimate_mp(ALLOCATION, **SETTINGS)
    assert (resumed.mp, resumed.matches, resumed.ci95) == (
        uninterrupted.mp, uninterrupted.matches, uninterrupted.ci95)
    assert [(o.index, o.matched, o.residual) for o in resumed.outcomes] == [
        (o.index, o.matched, o.residual) for o in uninterrupted.outcomes]


def test_certified_runs_do_not_resume_across_a_change_of_phc(tmp_path, monkeypatch):
    import symmp.numeric.solvers.certified as certified
    from symmp import LRNN, Allocation
    from symmp.numeric import estimate_mp

    allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    store = tmp_path / "runs.sqlite"
    monkeypatch.setattr(certified, "phc_available", lambda: False)
    first = estimate_mp(allocation, trials=6, solver="certified", store=store, use_certificate=False)
    again = estimate_mp(allocation, trials=6, solver="certified", store=store, use_certificate=False)
    assert (first.computed, again.reused) == (6, 6)
    assert first.settings["environment"] == {"phc": False}
    monkeypatch.setattr(certified, "phc_available", lambda: True)
    other = estimate_mp(allocation, trials=6, solver="certified", store=store, use_certificate=False)
    assert other.reused == 0 and other.computed == 6


def test_runs_do_not_resume_across_a_solver_revision(tmp_path, monkeypatch):
    from dataclasses import replace

    from symmp import LRNN, Allocation
    from symmp.numeric import estimate_mp
    from symmp.numeric.solvers import SOLVER_INFO

    allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    store = tmp_path / "runs.sqlite"
    first = estimate_mp(allocation, trials=5, solver="certified", store=store, use_certificate=False)
    assert first.settings["revision"] == SOLVER_INFO["certified"].revision >= 1
    again = estimate_mp(allocation, trials=5, solver="certified", store=store, use_certificate=False)
    assert again.reused == 5
    revised = replace(SOLVER_INFO["certified"], revision=SOLVER_INFO["certified"].revision + 1)
    monkeypatch.setitem(SOLVER_INFO, "certified", revised)
    other = estimate_mp(allocation, trials=5, solver="certified", store=store, use_certificate=False)
    assert other.reused == 0 and other.computed == 5
    newton = estimate_mp(allocation, trials=3, solver="newton", store=store, use_certificate=False)
    assert "revision" not in newton.settings  # revision 0: keys as before
