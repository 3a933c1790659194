"""Non-finite numbers are failures, not results (issue 18)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from symmp import LRNN, Allocation
from symmp.numeric import estimate_mp
from symmp.numeric.runs.finite import FAILED, failure_reason, mark_failures
from symmp.numeric.sampling import draw_trial
from symmp.numeric.solvers import TrialOutcome

ROOT = Path(__file__).resolve().parents[2]
ALLOCATION = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=2, m=2)


def _cli(*argv):
    return subprocess.run([sys.executable, "-m", "symmp", *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_draw_that_overflows_and_a_nan_residual_are_failures():
    trial = draw_trial(ALLOCATION, 0, 0)
    fine = TrialOutcome(0, True, False, 1e-12, 1, "newton", {})
    assert failure_reason(trial, fine) is None
    assert failure_reason(trial, TrialOutcome(0, False, False, math.inf, 1, "newton", {})) is None
    overflowed = type(trial)(trial.index, trial.teacher, trial.student, trial.inputs,
                             np.full_like(trial.targets, np.inf))
    [marked] = mark_failures([overflowed], [fine])
    assert (marked.matched, marked.proved) == (False, False)
    assert "overflowed" in marked.details[FAILED]
    [nan] = mark_failures([trial], [TrialOutcome(0, False, False, math.nan, 1, "adam", {})])
    assert "NaN" in nan.details[FAILED]
    [loss] = mark_failures([trial], [TrialOutcome(0, False, False, math.inf, 1, "adam",
                                                  {"relative_loss": math.nan})])
    assert "not a finite number" in loss.details[FAILED]


def test_failed_trials_are_counted_and_reported(monkeypatch):
    def solver(allocation, trials, options):  # every other trial ends on NaN
        return [TrialOutcome(t.index, t.index % 2 == 0, False,
                             1e-12 if t.index % 2 == 0 else math.nan, 1, "newton", {})
                for t in trials]

    monkeypatch.setattr("symmp.numeric.runs.executors.get_solver", lambda name: solver)
    result = estimate_mp(ALLOCATION, trials=6, seed=1, solver="newton", use_certificate=False)
    assert (result.failed, result.matches, result.trials, result.lower_bound) == (3, 3, 6, True)
    assert result.to_dict()["failures"] == {"the solver ended on a NaN residual": 3}


def test_a_run_whose_trials_all_overflow_exits_non_zero_with_one_line():
    done = _cli("mp", "examples/specs/relu_distributed.json", "--trials", "3", "--solver",
                "adahessian", "--sigma", "1e150", "--max-iter", "20", "--no-store")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "all 3 trials failed" in done.stderr, done.stderr
    assert "RuntimeWarning" not in done.stderr


def test_an_empty_sweep_exits_non_zero_saying_why():
    done = _cli("sweep", "--dims", '{"n": 8, "b": 2, "d": 2, "T": 2}', "--r", str(10**9),
                "--trials", "3", "--no-store")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: nothing to sweep: r = 1000000000")
    assert done.stderr.count("\n") == 1
