"""Solvers: known MP = 1 and MP = 0 allocations, agreement between solvers."""

from __future__ import annotations

import numpy as np
import pytest

import symmp.numeric
from symmp import LRNN, Allocation, LinearEstimator, SymmpError
from symmp.numeric import SOLVERS, SolverOptions, draw_trials, estimate_mp
from symmp.numeric.solvers.auto import resolve_solver

LINEAR_22 = Allocation.from_entries(LinearEstimator(2, 2), [("W", 0, 0), ("W", 0, 1), ("W", 1, 0), ("W", 1, 1)], m=2)
LINEAR_31 = Allocation.from_entries(LinearEstimator(3, 2), [("W", 0, 0), ("W", 0, 1), ("W", 0, 2), ("W", 1, 0)], m=2)
# Theorem W-rows: d = 2 rows with T*b = 4 entries each (n = 5, m = T*b = 4)
W_ROWS = Allocation.spread(LRNN(5, 2, 2, 2), "W", r=8, K=2, m=4)
# all 8 entries in one row: beyond the row budget, so minimal
W_ONE_ROW = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=1, m=4)
# small intermediate allocation (THEORY: full rank, not affine, no theorem)
DIAGONAL = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)


def test_registry_holds_the_built_in_solvers():
    assert {"linear", "newton", "fsolve", "sequential", "auto"} <= set(SOLVERS)


def test_linear_estimator_maximal_gives_mp_one_proved():
    result = estimate_mp(LINEAR_22, trials=50, use_certificate=False)
    assert (result.mp, result.method, result.proved, result.lower_bound) == (1.0, "linear", 50, False)


def test_linear_estimator_minimal_gives_mp_zero_proved():
    result = estimate_mp(LINEAR_31, trials=50, use_certificate=False)
    assert (result.mp, result.method, result.proved, result.lower_bound) == (0.0, "linear", 50, False)


def test_w_rows_allocation_gives_mp_one():
    result = estimate_mp(W_ROWS, trials=60, use_certificate=False)
    assert result.mp == 1.0
    newton = estimate_mp(W_ROWS, trials=60, solver="newton", starts=20, use_certificate=False)
    assert newton.mp >= 0.9  # a local solver may miss, never invents a match
    assert newton.lower_bound == (newton.mp < 1.0)


@pytest.mark.parametrize("solver", ["newton", "fsolve"])
def test_minimal_w_allocation_never_matches(solver):
    result = estimate_mp(W_ONE_ROW, trials=20, solver=solver, starts=3, use_certificate=False)
    assert result.mp == 0.0
    assert all(o.residual > 1e-6 for o in result.outcomes)


def test_certificate_short_cuts_and_cross_check_agrees():
    short = estimate_mp(W_ROWS)
    assert (short.method, short.mp, short.ci95, short.trials) == ("certificate", 1.0, (1.0, 1.0), 0)
    assert short.verdict == "maximal" and short.certificate and short.error_bound == 0.0
    checked = estimate_mp(W_ROWS, trials=30, cross_check=True)
    assert checked.method != "certificate" and checked.mp == 1.0 and checked.verdict == "maximal"
    assert estimate_mp(LINEAR_31).mp == 0.0


def test_newton_and_fsolve_matches_are_real_matches():
    trials = draw_trials(DIAGONAL, 3, range(60))
    for name in ("newton", "fsolve"):
        outcomes = SOLVERS[name](DIAGONAL, trials, SolverOptions(starts=5, seed=3))
        assert [o.index for o in outcomes] == list(range(60))
        for outcome in outcomes:
            assert outcome.matched == (outcome.residual <= 1e-9)
        assert 0 < sum(o.matched for o in outcomes) < 60


def test_newton_outcome_does_not_depend_on_the_batch():
    trials = draw_trials(DIAGONAL, 0, range(12))
    options = SolverOptions(starts=4, seed=0)
    together = SOLVERS["newton"](DIAGONAL, trials, options)
    alone = [SOLVERS["newton"](DIAGONAL, [t], options)[0] for t in trials]
    assert together == alone


def test_newton_handles_non_square_systems():
    # 3 equations, 2 unknowns, but only rho_full = d * min(m, T b) = 2 independent ones
    over = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=1, m=3)
    under = Allocation.spread(LRNN(4, 2, 2, 2), "W", r=6, K=3, m=2)  # 4 equations, 6 unknowns
    for allocation in (over, under):
        result = estimate_mp(allocation, trials=20, solver="newton", use_certificate=False)
        assert result.mp > 0.5
        assert all(o.residual <= 1e-9 for o in result.outcomes if o.matched)


def test_newton_agrees_with_certified_within_its_interval():
    if "certified" not in SOLVERS:
        pytest.skip("the 'certified' solver is not registered in this build")
    certified = estimate_mp(DIAGONAL, trials=200, seed=11, solver="certified", use_certificate=False)
    newton = estimate_mp(DIAGONAL, trials=200, seed=11, solver="newton", starts=10, use_certificate=False)
    assert newton.ci95[0] <= certified.mp <= newton.ci95[1]
    # same trials: a local solver's match is always a real one
    for n, c in zip(newton.outcomes, certified.outcomes):
        assert not (n.matched and not c.matched and c.proved)


def test_auto_picks_the_strongest_applicable():
    assert resolve_solver(LINEAR_22) == "linear"
    assert resolve_solver(W_ROWS) in {"sequential", "certified", "newton"}
    assert resolve_solver(DIAGONAL, "fsolve") == "fsolve"


def test_linear_solver_refuses_polynomial_allocations():
    with pytest.raises(SymmpError, match="affine"):
        SOLVERS["linear"](DIAGONAL, draw_trials(DIAGONAL, 0, range(1)), SolverOptions())


def test_fsolve_finite_difference_option():
    trials = draw_trials(DIAGONAL, 0, range(10))
    analytic = SOLVERS["fsolve"](DIAGONAL, trials, SolverOptions(starts=5))
    differenced = SOLVERS["fsolve"](DIAGONAL, trials, SolverOptions(starts=5, extra={"jacobian": "finite-difference"}))
    assert abs(sum(o.matched for o in analytic) - sum(o.matched for o in differenced)) <= 2
    with pytest.raises(ValueError, match="jacobian"):
        SOLVERS["fsolve"](DIAGONAL, trials, SolverOptions(extra={"jacobian": "complex-step"}))


def test_batch_starts_equal_the_per_trial_starts():
    from symmp.numeric.problems.match import MatchProblem
    from symmp.numeric.kernels.starts import batch_starts, trial_starts

    problem = MatchProblem(W_ROWS, draw_trials(W_ROWS, 4, range(5)))
    together = batch_starts(problem, 6, 4)
    for t in range(5):
        assert np.array_equal(together[t], trial_starts(problem, t, 6, 4))


def test_newton_verdicts_do_not_depend_on_how_many_starts_run_side_by_side():
    # width 1: starts strictly one after another, as fsolve; width 64: later starts
    # of open trials run in parallel. Outcomes (verdict, starts used, winner) agree.
    allocation = Allocation.spread(LRNN(6, 2, 2, 2), "W", r=8, K=4, m=4)
    trials = draw_trials(allocation, 2, range(30))
    serial = SOLVERS["newton"](allocation, trials, SolverOptions(starts=6, seed=2, extra={"width": 1}))
    wide = SOLVERS["newton"](allocation, trials, SolverOptions(starts=6, seed=2, extra={"width": 64}))
    assert serial == wide
    for outcome in serial:
        assert outcome.starts == (outcome.details["winning_start"] + 1 if outcome.matched else 6)


def test_batched_sequential_agrees_with_the_per_trial_block_solves():
    from symmp.numeric.solvers.sequential import sequential_available, sequential_structure

    if not sequential_available():
        pytest.skip("sequential machinery not available")
    from symmp.numeric.problems.match import MatchProblem
    from symmp.systems.sequential_solver import sequential_solve

    allocation = Allocation.spread(LRNN(6, 2, 2, 2), "W", r=8, K=2, m=4)
    trials = draw_trials(allocation, 1, range(20))
    outcomes = SOLVERS["sequential"](allocation, trials, SolverOptions())
    assert all(o.matched and o.proved for o in outcomes)
    problem = MatchProblem(allocation, trials)
    for t, outcome in enumerate(outcomes):
        theta = sequential_solve(allocation, sequential_structure(allocation), trials[t].student,
                                 trials[t].inputs, trials[t].targets)
        assert problem.relative_residual(theta[None], [t])[0] <= 1e-9
        assert outcome.details["raw_residual"] <= 1e-6


def test_auto_escalates_through_staged_where_no_exact_route_applies():
    # certified keeps the systems of <= 3 unknowns (every verdict proved); algebraic its family
    assert resolve_solver(DIAGONAL) == "certified"
    assert resolve_solver(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)) == "algebraic"
    assert resolve_solver(Allocation.spread(LRNN(8, 2, 2, 3), "W", r=8, K=4, m=6)) == "staged"  # cubic


def test_a_singular_member_changes_no_other_members_solve():
    from symmp.numeric.kernels.newton import solve_or_lstsq

    rng = np.random.default_rng(0)
    systems, rhs = rng.standard_normal((50, 4, 4)), rng.standard_normal((50, 4, 1))
    alone = np.linalg.solve(systems, rhs)
    systems[17] = 0.0  # singular: least squares for it only
    mixed = solve_or_lstsq(systems, rhs)
    others = np.arange(50) != 17
    assert np.array_equal(mixed[others], alone[others]) and np.array_equal(mixed[17], np.zeros((4, 1)))
