"""Trial draws: determinism per (seed, index), distributions, shared matrices, validation."""

from __future__ import annotations

import numpy as np
import pytest

from symmp import LRNN, Allocation, LinearEstimator, SpecError
from symmp.numeric import draw_trial
from symmp.numeric.sampling import DISTRIBUTIONS, draw_matrix


@pytest.fixture
def allocation():
    return Allocation.spread(LRNN(3, 2, 2, 2), "W", r=4, K=2, m=4)


def test_trial_depends_only_on_seed_and_index(allocation):
    a = draw_trial(allocation, seed=5, index=7)
    b = draw_trial(allocation, seed=5, index=7)
    c = draw_trial(allocation, seed=5, index=8)
    d = draw_trial(allocation, seed=6, index=7)
    for name in a.teacher:
        assert np.array_equal(a.teacher[name], b.teacher[name])
        assert np.array_equal(a.student[name], b.student[name])
        assert not np.array_equal(a.teacher[name], c.teacher[name])
        assert not np.array_equal(a.teacher[name], d.teacher[name])
    assert np.array_equal(a.inputs, b.inputs) and np.array_equal(a.targets, b.targets)


def test_shapes_and_targets_are_teacher_outputs(allocation):
    trial = draw_trial(allocation, seed=0, index=0)
    model = allocation.model
    assert trial.inputs.shape == model.input_shape(allocation.m)
    assert trial.targets.shape == (model.output_dim, allocation.m)
    assert np.allclose(trial.targets, model.forward(trial.teacher, trial.inputs))


def test_student_is_independent_unless_shared(allocation):
    trial = draw_trial(allocation, seed=0, index=0)
    assert not np.array_equal(trial.student["B"], trial.teacher["B"])
    shared = draw_trial(allocation, seed=0, index=0, shared=("B", "W"))
    assert np.array_equal(shared.student["B"], shared.teacher["B"])
    fixed = allocation.mask("W") == 0
    learnable = ~fixed
    assert np.array_equal(shared.student["W"][fixed], shared.teacher["W"][fixed])
    assert not np.array_equal(shared.student["W"][learnable], shared.teacher["W"][learnable])


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_variance_is_sigma_squared_over_fan_in(distribution):
    rng = np.random.default_rng(1)
    x = draw_matrix(rng, (500, 400), fan_in=8, distribution=distribution, sigma=2.0)
    assert abs(x.var() - 4.0 / 8) < 0.01
    assert abs(x.mean()) < 0.01


def test_rademacher_takes_two_values():
    x = draw_matrix(np.random.default_rng(0), (50, 50), 4, "rademacher", 1.0)
    assert set(np.unique(x)) == {-0.5, 0.5}


@pytest.mark.parametrize(
    "options, message",
    [
        ({"distribution": "cauchy"}, "distribution must be one of"),
        ({"sigma": 0.0}, "sigma must be a positive"),
        ({"sigma": float("nan")}, "sigma must be a positive"),
        ({"shared": ("Q",)}, "shared matrix 'Q'"),
        ({"shared": "W"}, "sequence of matrix names"),
    ],
)
def test_bad_options_are_one_line_errors(allocation, options, message):
    with pytest.raises(SpecError, match=message) as info:
        draw_trial(allocation, seed=0, index=0, **options)
    assert "\n" not in str(info.value)


def test_linear_estimator_inputs_are_standard_normal():
    allocation = Allocation.spread(LinearEstimator(n=50, d=1), "W", r=1, K=1, m=200)
    x = draw_trial(allocation, seed=3, index=0).inputs
    assert abs(x.std() - 1) < 0.05
