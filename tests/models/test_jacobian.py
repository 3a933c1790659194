"""The one Jacobian code path: finite differences, float vs exact modular, batches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symmp.arithmetic import FLOAT, ModularArithmetic
from symmp.models import LRNN, LinearEstimator

from .helpers import SMALL_MODELS, float_point, integer_point

P = 1_000_003


def options_for(model, weights, inputs):
    if model.polynomial:
        return {}
    return {"pattern": model.activation_pattern(weights, inputs)}


def finite_difference_jacobian(model, weights, inputs, entries, step=1e-6):
    columns = []
    for name, i, j in entries:
        plus = {k: v.copy() for k, v in weights.items()}
        minus = {k: v.copy() for k, v in weights.items()}
        plus[name][i, j] += step
        minus[name][i, j] -= step
        delta = model.forward(plus, inputs) - model.forward(minus, inputs)
        columns.append(delta.reshape(-1) / (2 * step))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("model", SMALL_MODELS, ids=repr)
@given(m=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_float_jacobian_matches_central_differences(model, m, seed):
    rng = np.random.default_rng(seed)
    weights, inputs = float_point(model, m, rng)
    if not model.polynomial:  # keep pre-activations away from the ReLU kink
        pre = weights["W"] @ inputs
        if np.abs(pre).min() < 1e-3:
            return
    entries = model.all_entries()
    jacobian = model.jacobian(weights, inputs, entries)
    assert jacobian.shape == (model.output_dim * m, len(entries))
    np.testing.assert_allclose(
        jacobian, finite_difference_jacobian(model, weights, inputs, entries), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("model", SMALL_MODELS, ids=repr)
@given(m=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_modular_jacobian_is_float_jacobian_mod_p(model, m, seed):
    # at small integer points the float Jacobian is an exact integer matrix,
    # so the modular one must equal it residue by residue
    rng = np.random.default_rng(seed)
    weights, inputs = integer_point(model, m, rng)
    options = options_for(model, weights, inputs)
    entries = model.all_entries()
    exact_float = model.jacobian(weights, inputs, entries, FLOAT)
    assert np.abs(exact_float).max() < 2**50
    ar = ModularArithmetic(P)
    modular = model.jacobian(
        {k: ar.asarray(v) for k, v in weights.items()}, ar.asarray(inputs), entries, ar, **options
    )
    assert modular.dtype == np.int64
    np.testing.assert_array_equal(modular, np.mod(exact_float.astype(np.int64), P))


def test_jacobian_row_order_is_output_major():
    # row o * m + s is output o on sample s
    model = LinearEstimator(n=2, d=2)
    weights = {"W": np.zeros((2, 2))}
    inputs = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    jacobian = model.jacobian(weights, inputs, [("W", 1, 0), ("W", 0, 1)])
    np.testing.assert_array_equal(jacobian[:, 0], [0, 0, 0, 1, 2, 3])
    np.testing.assert_array_equal(jacobian[:, 1], [4, 5, 6, 0, 0, 0])


def test_jacobian_column_order_follows_entries_across_matrices():
    model = LRNN(n=2, b=1, d=1, T=2)
    weights, inputs = float_point(model, 3, np.random.default_rng(4))
    entries = model.all_entries()
    full = model.jacobian(weights, inputs, entries)
    shuffled = [entries[k] for k in (7, 0, 5, 3)]
    np.testing.assert_array_equal(model.jacobian(weights, inputs, shuffled), full[:, [7, 0, 5, 3]])


def test_standard_convention_t1_has_zero_w_columns():
    model = LRNN(n=2, b=1, d=1, T=1, convention="standard")
    weights, inputs = float_point(model, 2, np.random.default_rng(5))
    assert not model.jacobian(weights, inputs, model.all_entries(["W"])).any()


@pytest.mark.parametrize("model", SMALL_MODELS[:5], ids=repr)
def test_batched_jacobian_equals_per_trial(model):
    rng = np.random.default_rng(6)
    weights, inputs = float_point(model, 3, rng, batch=(4,))
    entries = model.all_entries()
    batched = model.jacobian(weights, inputs, entries)
    assert batched.shape == (4, model.output_dim * 3, len(entries))
    for k in range(4):
        single = model.jacobian({n: w[k] for n, w in weights.items()}, inputs[k], entries)
        np.testing.assert_allclose(batched[k], single, atol=1e-12)
