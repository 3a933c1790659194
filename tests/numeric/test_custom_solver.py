"""A solver written and registered here is picked up by the contract suite and by ``--solver``.

``toy`` decides affine allocations by least squares on the real model's
Jacobian (outputs are affine in the learnables, so one Gauss-Newton step
from zero is exact) and returns the learned values, so the contract
re-checks its matches by a forward pass. ``reversed_toy`` breaks the first
rule of the contract (outcomes in trial order) and must be caught. Both are
registered only for the tests that use them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from symmp import Allocation, LinearEstimator
from symmp.cli import main
from symmp.numeric import TrialOutcome, estimate_mp, register_solver, unregister_solver
from symmp.numeric.problems.match import MatchProblem
from symmp.numeric.solvers import SOLVER_INFO
from symmp.numeric.solvers.checks import (
    check_matches_on_the_real_model,
    check_outcomes_in_trial_order,
    check_solver,
    example_allocation,
    solver_checks,
)

SPECS = Path(__file__).resolve().parents[2] / "examples" / "specs"
AFFINE = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)


def toy_solve(allocation, trials, options):
    """Least squares on the real model (exact for affine outputs), with the learned values."""
    problem = MatchProblem(allocation, trials)
    zero = np.zeros((problem.size, problem.r))
    J, res = problem.jacobian(zero), problem.residual(zero)
    theta = np.stack([np.linalg.lstsq(J[t], -res[t], rcond=None)[0] for t in range(problem.size)])
    relative = problem.relative_residual(theta)
    return [
        TrialOutcome(
            index=trial.index, matched=bool(relative[t] <= options.tol), proved=False,
            residual=float(relative[t]), starts=0, method="toy",
            details={"theta": theta[t].tolist()} if relative[t] <= options.tol else {},
        )
        for t, trial in enumerate(trials)
    ]


def reversed_toy(allocation, trials, options):
    return toy_solve(allocation, trials, options)[::-1]


def lying_toy(allocation, trials, options):
    """Claims a match everywhere, with values that are not one."""
    return [
        TrialOutcome(t.index, True, False, 0.0, 0, "lying_toy", {"theta": [0.0] * allocation.r}) for t in trials
    ]


def _affine(allocation):
    return allocation.model.kind == "linear"


@pytest.fixture
def toy():
    register_solver("toy", toy_solve, applies=_affine, needs="a linear estimator",
                    options={"verbose": "unused"}, description="least squares (test)")
    yield "toy"
    unregister_solver("toy")


@pytest.fixture
def broken():
    register_solver("reversed_toy", reversed_toy, applies=_affine, needs="a linear estimator")
    yield "reversed_toy"
    unregister_solver("reversed_toy")


def test_the_contract_suite_picks_up_a_solver_registered_here_and_it_passes(toy):
    checked = {check.__name__ for name, check in solver_checks() if name == "toy"}
    assert "check_matches_on_the_real_model" in checked and "check_workers_independence" in checked
    allocation = example_allocation("toy")
    assert allocation.model.kind == "linear"
    assert estimate_mp(allocation, trials=6, solver="toy", use_certificate=False).matches > 0  # matches re-checked
    check_solver("toy")  # every check, workers included (the task carries toy_solve itself)


def test_the_contract_catches_a_solver_that_breaks_it(broken):
    with pytest.raises(AssertionError):
        check_outcomes_in_trial_order("reversed_toy", AFFINE)


def test_the_contract_rechecks_claimed_matches_on_the_real_model():
    register_solver("lying_toy", lying_toy, applies=_affine, needs="a linear estimator")
    try:
        with pytest.raises(AssertionError, match="the real model misses"):
            check_matches_on_the_real_model("lying_toy", AFFINE)
    finally:
        unregister_solver("lying_toy")


def test_symmp_mp_runs_a_solver_registered_here(toy, capsys):
    status = main(["mp", str(SPECS / "linear_3_1.json"), "--solver", "toy", "--trials", "6",
                   "--no-store", "--no-certificate", "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "toy" and result["trials"] == 6
    assert main(["mp", str(SPECS / "lrnn_diagonal.json"), "--solver", "toy", "--no-store"]) == 2
    assert "it needs a linear estimator" in capsys.readouterr().err


def test_unregistering_leaves_no_trace(toy):
    unregister_solver("toy")
    assert "toy" not in SOLVER_INFO and "toy" not in {name for name, _ in solver_checks()}
