"""newton's Markov reduction (lrnn W-only): true matches, batch independence, fallback."""

from __future__ import annotations

import numpy as np
import pytest

from symmp import LRNN, Allocation
from symmp.numeric import SOLVERS, SolverOptions, draw_trials
from symmp.numeric.problems.match import MatchProblem
from symmp.numeric.problems.markov import ReducedMarkovProblem, reduction_applies

SPREAD = Allocation.spread(LRNN(6, 2, 2, 2), "W", r=8, K=4, m=4)
STANDARD = Allocation.spread(LRNN(5, 1, 2, 3, convention="standard"), "W", r=4, K=2, m=3)
PAPER_T3 = Allocation.spread(LRNN(5, 1, 1, 3), "W", r=3, K=3, m=3)


def test_reduction_applies_only_to_lrnn_w_only_with_enough_samples():
    assert reduction_applies(SPREAD) and reduction_applies(STANDARD) and reduction_applies(PAPER_T3)
    assert not reduction_applies(Allocation.spread(LRNN(6, 2, 2, 2), "W", r=8, K=4, m=3))  # m < T b
    mixed = Allocation.from_entries(LRNN(4, 1, 1, 2), [("W", 0, 0), ("D", 0, 1)], m=2)
    assert not reduction_applies(mixed)


def test_reduced_points_satisfy_the_linear_block_and_residuals_agree_at_zero():
    # every z gives a theta whose j = 1 Markov block is exact; the Markov residual is
    # zero exactly when the real residual is (X of full row rank)
    for allocation in (SPREAD, STANDARD, PAPER_T3):
        exact = MatchProblem(allocation, draw_trials(allocation, 5, range(6)))
        reduced = ReducedMarkovProblem(exact, metric="markov")
        assert reduced.eligible.all()
        z = np.random.default_rng(0).standard_normal((6, reduced.r))
        theta = reduced.full_theta(z)
        model = allocation.model
        for t in range(6):
            W = exact.fixed["W"][t].copy()
            for k, (_, i, j) in enumerate(exact.entries):
                W[i, j] = theta[t, k]
            student = exact.fixed["D"][t] @ W @ exact.fixed["B"][t]
            teacher = exact.trials[t].teacher
            assert np.allclose(student, teacher["D"] @ teacher["W"] @ teacher["B"])
        assert np.allclose(reduced.reduce(theta), z)
        # analytic Jacobian against central differences
        h = 1e-6
        numeric = np.stack(
            [(reduced.residual(z + h * e) - reduced.residual(z - h * e)) / (2 * h) for e in np.eye(reduced.r)],
            axis=2,
        )
        assert np.allclose(reduced.jacobian(z), numeric, atol=1e-6 * (1 + np.abs(numeric).max()))
        assert model.max_power >= 2


def test_reduced_matches_are_true_matches_on_the_real_model():
    trials = draw_trials(SPREAD, 7, range(40))
    outcomes = SOLVERS["newton"](SPREAD, trials, SolverOptions(starts=6, seed=7))
    assert all(o.details["markov_reduced"] for o in outcomes)
    assert 0 < sum(o.matched for o in outcomes) < 40
    exact = MatchProblem(SPREAD, trials)
    for outcome in outcomes:
        assert outcome.matched == (outcome.residual <= 1e-9)
    # re-solve the matched trials by hand: the reported residual is the real model's
    from symmp.numeric.solvers import newton as module

    captured = []
    original = module.confirm_matches

    def spy(problem, theta, owner, tol, polish, **kwargs):
        out = original(problem, theta, owner, tol, polish, **kwargs)
        captured.append((problem, theta, owner, out[1]))
        return out

    module.confirm_matches = spy
    try:
        module.newton_solve(SPREAD, trials, SolverOptions(starts=6, seed=7))
    finally:
        module.confirm_matches = original
    checked = 0
    for problem, theta, owner, out in captured:
        assert isinstance(problem, MatchProblem)  # confirmation runs on the real model
        assert theta.shape[1] == SPREAD.r
        checked += int((out <= 1e-9).sum())
    assert checked >= sum(o.matched for o in outcomes)
    assert exact.r == SPREAD.r


def test_reduced_outcomes_do_not_depend_on_the_batch():
    trials = draw_trials(SPREAD, 3, range(10))
    options = SolverOptions(starts=4, seed=3)
    together = SOLVERS["newton"](SPREAD, trials, options)
    alone = [SOLVERS["newton"](SPREAD, [t], options)[0] for t in trials]
    reversed_batch = SOLVERS["newton"](SPREAD, trials[::-1], options)[::-1]
    assert together == alone == reversed_batch
    serial = SOLVERS["newton"](SPREAD, trials, SolverOptions(starts=4, seed=3, extra={"width": 1}))
    assert serial == together


def test_rank_deficient_inputs_fall_back_to_the_unreduced_path():
    trials = draw_trials(SPREAD, 9, range(4))
    broken = trials[1]
    inputs = broken.inputs.copy()
    inputs[1, 0] = inputs[0, 0]  # stacked X loses a rank
    targets = SPREAD.model.forward(broken.teacher, inputs)
    trials[1] = type(broken)(broken.index, broken.teacher, broken.student, inputs, targets)
    outcomes = SOLVERS["newton"](SPREAD, trials, SolverOptions(starts=3, seed=9))
    assert [o.details["markov_reduced"] for o in outcomes] == [True, False, True, True]
    plain = SOLVERS["newton"](SPREAD, [trials[1]], SolverOptions(starts=3, seed=9, extra={"reduce": False}))
    assert outcomes[1].matched == plain[0].matched and outcomes[1].residual == plain[0].residual


def test_standard_convention_and_longer_horizon_find_real_matches():
    for allocation in (STANDARD, PAPER_T3):
        trials = draw_trials(allocation, 1, range(20))
        outcomes = SOLVERS["newton"](allocation, trials, SolverOptions(starts=5, seed=1))
        exact = MatchProblem(allocation, trials)
        for outcome in outcomes:
            assert outcome.matched == (outcome.residual <= 1e-9)
        assert all(o.details["markov_reduced"] for o in outcomes)
        assert exact.size == 20


def test_output_metric_residual_is_the_real_residual_on_the_subspace():
    exact = MatchProblem(SPREAD, draw_trials(SPREAD, 2, range(5)))
    reduced = ReducedMarkovProblem(exact, metric="outputs")
    z = np.random.default_rng(1).standard_normal((5, reduced.r))
    assert np.allclose(reduced.residual(z), exact.residual(reduced.full_theta(z)))
    h = 1e-6
    numeric = np.stack(
        [(reduced.residual(z + h * e) - reduced.residual(z - h * e)) / (2 * h) for e in np.eye(reduced.r)], axis=2
    )
    assert np.allclose(reduced.jacobian(z), numeric, atol=1e-6 * (1 + np.abs(numeric).max()))


def test_every_metric_gives_only_real_matches():
    trials = draw_trials(SPREAD, 4, range(30))
    exact = MatchProblem(SPREAD, trials)
    for extra in ({"metric": "markov"}, {"metric": "outputs"}, {"landing": 0}, {"reduce": False}):
        outcomes = SOLVERS["newton"](SPREAD, trials, SolverOptions(starts=4, seed=4, extra=extra))
        assert all(o.matched == (o.residual <= 1e-9) for o in outcomes)
        assert exact.size == len(outcomes)


def test_batch_starts_equal_the_per_trial_starts_for_any_subset():
    from symmp import Allocation, LRNN
    from symmp.numeric import draw_trials
    from symmp.numeric.problems.match import MatchProblem
    from symmp.numeric.kernels.starts import batch_starts, trial_starts

    allocation = Allocation.from_entries(LRNN(3, 2, 2, 2), [("W", 0, 0), ("B", 1, 1), ("D", 0, 2)], m=4)
    problem = MatchProblem(allocation, draw_trials(allocation, 3, range(7)))
    every = np.stack([trial_starts(problem, t, 5, 2) for t in range(7)])
    assert np.array_equal(batch_starts(problem, 5, 2), every)
    assert np.array_equal(batch_starts(problem, 5, 2, [4, 1]), every[[4, 1]])
    assert batch_starts(problem, 5, 2, []).shape == (0, 5, 3)


@pytest.mark.parametrize(
    "allocation",
    [
        Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4),  # the benchmark's K = 4 family
        Allocation.random(LRNN(5, 1, 2, 2), r=6, m=2, matrices=["W"], seed=3),  # chains j_p = i_p'
        Allocation.random(LRNN(7, 2, 1, 2), r=12, m=4, matrices=["W"], seed=4),
        Allocation.spread(LRNN(6, 2, 1, 3, convention="standard"), "W", r=8, K=3, m=6),  # blocks j = 0, 2
    ],
)
def test_closed_form_quadratic_coefficients_equal_the_jacobian_differences(allocation):
    from symmp.numeric.problems.quadratic import QuadraticProblem

    reduced = ReducedMarkovProblem(MatchProblem(allocation, draw_trials(allocation, 1, range(5))), metric="markov")
    generic = QuadraticProblem(reduced)  # r + 1 Jacobian evaluations per trial
    closed = reduced.quadratic_coefficients()
    for mine, theirs in zip(closed, (generic.constant, generic.linear, generic.hessian)):
        assert mine.shape == theirs.shape
        assert np.allclose(mine, theirs, rtol=1e-10, atol=1e-10 * np.abs(theirs).max())
    # and the surrogate built from them reproduces the reduced residual at random points
    fast = QuadraticProblem(reduced, closed)
    z = np.random.default_rng(0).standard_normal((5, reduced.r)) * 3
    assert np.allclose(fast.residual(z), reduced.residual(z), rtol=1e-9, atol=1e-9)


def test_closed_form_coefficients_refuse_what_is_not_quadratic_markov():
    allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
    exact = MatchProblem(allocation, draw_trials(allocation, 1, range(2)))
    with pytest.raises(ValueError, match="metric='markov'"):
        ReducedMarkovProblem(exact, metric="outputs").quadratic_coefficients()
    longer = Allocation.spread(LRNN(6, 2, 1, 3), "W", r=8, K=4, m=6)  # paper convention, T = 3: W^3
    with pytest.raises(ValueError, match="power 2"):
        ReducedMarkovProblem(MatchProblem(longer, draw_trials(longer, 1, range(2)))).quadratic_coefficients()
