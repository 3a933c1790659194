"""MatchProblem: residuals, analytic Jacobians, the exact quadratic surrogate."""

from __future__ import annotations

import numpy as np
import pytest

from symmp import LFFN, LRNN, Allocation, LinearEstimator
from symmp.numeric import MatchProblem, draw_trials
from symmp.numeric.problems.quadratic import QuadraticProblem

ALLOCATIONS = [
    Allocation.spread(LRNN(4, 2, 2, 2), "W", r=6, K=3, m=4),
    Allocation.spread(LRNN(4, 2, 2, 3, convention="standard"), "W", r=5, K=2, m=4),
    Allocation.spread(LRNN(3, 1, 2, 2), "B", r=2, K=2, m=3)
    | Allocation.spread(LRNN(3, 1, 2, 2), "D", r=2, K=1, m=3),
    Allocation.spread(LFFN([3, 4, 2]), "W1", r=3, K=2, m=3)
    | Allocation.spread(LFFN([3, 4, 2]), "W2", r=2, K=1, m=3),
    Allocation.spread(LinearEstimator(4, 2), "W", r=3, K=2, m=3),
]


@pytest.mark.parametrize("allocation", ALLOCATIONS, ids=repr)
def test_jacobian_matches_central_differences(allocation):
    problem = MatchProblem(allocation, draw_trials(allocation, 0, range(3)))
    theta = np.random.default_rng(0).standard_normal((3, allocation.r))
    J = problem.jacobian(theta)
    h = 1e-6
    for k in range(allocation.r):
        step = np.zeros(allocation.r)
        step[k] = h
        numeric = (problem.residual(theta + step) - problem.residual(theta - step)) / (2 * h)
        assert np.allclose(J[:, :, k], numeric, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("allocation", ALLOCATIONS, ids=repr)
def test_teacher_values_give_zero_residual_when_everything_else_is_shared(allocation):
    names = tuple(allocation.model.matrix_shapes)
    trials = draw_trials(allocation, 1, range(2), shared=names)
    problem = MatchProblem(allocation, trials)
    theta = np.array([[t.teacher[n][i, j] for n, i, j in allocation.ordered_entries] for t in trials])
    assert np.all(problem.relative_residual(theta) < 1e-13)
    assert np.all(problem.relative_residual(problem.start_points()) > 1e-6)


def test_owner_lets_several_points_share_a_trial():
    allocation = ALLOCATIONS[0]
    problem = MatchProblem(allocation, draw_trials(allocation, 0, range(2)))
    theta = np.random.default_rng(2).standard_normal((4, allocation.r))
    owner = np.array([1, 1, 0, 1])
    together = problem.residual(theta, owner)
    alone = MatchProblem(allocation, [problem.trials[1]]).residual(theta[:1])
    assert np.array_equal(together[0], alone[0])
    with pytest.raises(ValueError, match="pass owner"):
        problem.residual(theta)


@pytest.mark.parametrize("allocation", [a for a in ALLOCATIONS if QuadraticProblem.applies(a)], ids=repr)
def test_quadratic_surrogate_is_exact_for_degree_two(allocation):
    exact = MatchProblem(allocation, draw_trials(allocation, 4, range(3)))
    fast = QuadraticProblem(exact)
    theta = 3 * np.random.default_rng(5).standard_normal((6, allocation.r))
    owner = np.array([0, 1, 2, 2, 1, 0])
    scale = np.abs(exact.residual(theta, owner)).max()
    assert np.allclose(fast.residual(theta, owner), exact.residual(theta, owner), atol=1e-12 * scale)
    assert np.allclose(fast.jacobian(theta, owner), exact.jacobian(theta, owner), atol=1e-12 * scale)


def test_quadratic_surrogate_refuses_higher_degree():
    assert not QuadraticProblem.applies(ALLOCATIONS[1] if ALLOCATIONS[1].model.T > 3 else
                                        Allocation.spread(LRNN(4, 2, 2, 3), "W", r=4, K=2, m=4))


def test_quadratic_surrogate_checks_given_coefficients():
    allocation = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=1, m=2)
    exact = MatchProblem(allocation, draw_trials(allocation, 0, range(3)))
    generic = QuadraticProblem(exact)
    given = QuadraticProblem(exact, (generic.constant, generic.linear, generic.hessian))
    theta = np.random.default_rng(1).standard_normal((3, 2))
    assert np.allclose(given.residual(theta), exact.residual(theta))
    with pytest.raises(ValueError, match="shapes"):
        QuadraticProblem(exact, (generic.constant, generic.linear, generic.hessian[:, :, :1]))
