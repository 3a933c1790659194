"""Masked Adam and gradient descent: same mask, same criterion as AdaHessian."""

from __future__ import annotations

import numpy as np
import pytest

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, ShallowReLU
from symmp.numeric.relu.first_order import Adam, GradientDescent, masked_adam, masked_gd
from symmp.numeric.sampling import draw_trials
from symmp.numeric.solvers import SOLVERS, SolverOptions


def _allocation(activation="relu"):
    model = ShallowReLU(n0=3, h=4, d=2, activation=activation)
    return Allocation.from_entries(model, [("W", 0, 0), ("W", 2, 1), ("D", 0, 1), ("D", 1, 3)], m=2)


def _batch(allocation, trials, source="student"):
    return (
        {n: np.stack([getattr(t, source)[n] for t in trials]) for n in ("W", "D")},
        np.stack([t.inputs for t in trials]),
        np.stack([t.targets for t in trials]),
    )


@pytest.mark.parametrize("train", [masked_adam, masked_gd])
def test_fixed_weights_bitwise_unchanged(train):
    allocation = _allocation()
    student, inputs, targets = _batch(allocation, draw_trials(allocation, 0, range(6)))
    run = train(allocation, student, inputs, targets, tol=1e-30, max_steps=100)
    for name in ("W", "D"):
        fixed = allocation.mask(name) == 0
        assert student[name][:, fixed].tobytes() == run.weights[name][:, fixed].tobytes()
        assert not np.array_equal(student[name][:, ~fixed], run.weights[name][:, ~fixed])


@pytest.mark.parametrize("train", [masked_adam, masked_gd])
def test_loss_decreases_towards_a_known_solution(train):
    allocation = _allocation("tanh")
    trials = draw_trials(allocation, 1, range(10))
    student, inputs, targets = _batch(allocation, trials, "teacher")
    for name in ("W", "D"):
        mask = allocation.mask(name).astype(bool)
        student[name][:, mask] += 0.05
    short = train(allocation, student, inputs, targets, tol=1e-30, max_steps=10)
    long = train(allocation, student, inputs, targets, tol=1e-30, max_steps=2000)
    assert np.median(long.relative_loss / short.relative_loss) < 1e-2


def test_rules_validate_their_settings():
    with pytest.raises(ValueError, match="lr must be positive"):
        GradientDescent(lr=0.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(0.9, 1.0))


@pytest.mark.parametrize("name", ["adam", "gd", "adahessian"])
def test_solver_outcomes_are_lower_bounds_with_steps_and_losses(name):
    allocation = _allocation()
    trials = draw_trials(allocation, 0, range(5))
    outcomes = SOLVERS[name](allocation, trials, SolverOptions(starts=2, tol=1e-4, max_iter=200, seed=1))
    for trial, outcome in zip(trials, outcomes):
        assert outcome.index == trial.index and outcome.method == name and not outcome.proved
        assert 1 <= outcome.starts <= 2
        assert 0 <= outcome.details["steps"] <= 200
        assert outcome.details["relative_loss"] == pytest.approx(outcome.residual**2)
        assert outcome.matched == (outcome.details["relative_loss"] <= 1e-8)
        assert outcome.details["rule"]["name"] == name


def test_extra_options_reach_the_rule():
    allocation = _allocation()
    trials = draw_trials(allocation, 0, range(2))
    outcome = SOLVERS["gd"](allocation, trials, SolverOptions(starts=1, max_iter=5, extra={"lr": 0.03}))[0]
    assert outcome.details["rule"] == {"name": "gd", "lr": 0.03}
