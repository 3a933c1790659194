"""Non-finite numbers are failures, not results (issue 18)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from symmp import LRNN, Allocation
from symmp.numeric.result import MPResult
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


def test_failed_trials_are_counted_and_reported():
    trials = [draw_trial(ALLOCATION, 1, i) for i in range(6)]
    outcomes = mark_failures(trials, [
        TrialOutcome(i, i % 2 == 0, False, 1e-12 if i % 2 == 0 else math.nan, 1, "newton", {})
        for i in range(6)])
    result = MPResult(mp=0.5, ci95=(0.2, 0.8), matches=3, trials=6, method="newton",
                      lower_bound=True, starts=1, proved=0, seconds=0.0, solver="newton",
                      settings={}, seed=1, outcomes=tuple(outcomes))
    assert result.failed == 3
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
