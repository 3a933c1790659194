"""Forward passes against the formulas of THEORY.md section 1."""

from __future__ import annotations

import numpy as np
import pytest

from symmp.arithmetic import FLOAT, ModularArithmetic
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU

from .helpers import float_point


def lrnn_formula(weights, inputs, T, offset):
    """Y = D sum_t W^(T-t+offset) B X_t, powers formed explicitly."""
    W, B, D = weights["W"], weights["B"], weights["D"]
    return sum(
        D @ np.linalg.matrix_power(W, T - t + offset) @ B @ inputs[t - 1] for t in range(1, T + 1)
    )


@pytest.mark.parametrize("T", [1, 2, 4])
@pytest.mark.parametrize(("convention", "offset"), [("paper", 1), ("standard", 0)])
def test_lrnn_forward_matches_closed_form(T, convention, offset):
    model = LRNN(n=3, b=2, d=2, T=T, convention=convention)
    weights, inputs = float_point(model, 5, np.random.default_rng(T))
    np.testing.assert_allclose(
        model.forward(weights, inputs), lrnn_formula(weights, inputs, T, offset), rtol=1e-12, atol=1e-12
    )


def test_lrnn_recursions_paper_and_standard():
    # paper: h_t = W (h_{t-1} + B x_t); standard: h_t = W h_{t-1} + B x_t
    rng = np.random.default_rng(0)
    model = LRNN(n=4, b=2, d=3, T=3)
    weights, inputs = float_point(model, 2, rng)
    W, B, D = weights["W"], weights["B"], weights["D"]
    h_paper = np.zeros((4, 2))
    h_standard = np.zeros((4, 2))
    for t in range(3):
        h_paper = W @ (h_paper + B @ inputs[t])
        h_standard = W @ h_standard + B @ inputs[t]
    np.testing.assert_allclose(model.forward(weights, inputs), D @ h_paper, atol=1e-12)
    standard = LRNN(n=4, b=2, d=3, T=3, convention="standard")
    np.testing.assert_allclose(standard.forward(weights, inputs), D @ h_standard, atol=1e-12)


def test_lrnn_worked_value():
    # n = b = d = 1, W = 2, B = D = 1, x_1 = x_2 = 1: paper 2^2 + 2, standard 2 + 1
    weights = {"W": np.array([[2.0]]), "B": np.array([[1.0]]), "D": np.array([[1.0]])}
    ones = np.ones((2, 1, 1))
    assert LRNN(1, 1, 1, 2).forward(weights, ones)[0, 0] == 6.0
    assert LRNN(1, 1, 1, 2, convention="standard").forward(weights, ones)[0, 0] == 3.0


def test_lffn_applies_w1_first():
    model = LFFN([3, 4, 2])
    assert model.matrix_shapes == {"W1": (4, 3), "W2": (2, 4)}
    weights, inputs = float_point(model, 6, np.random.default_rng(1))
    np.testing.assert_allclose(model.forward(weights, inputs), weights["W2"] @ weights["W1"] @ inputs)
    assert model.depth == 2 and model.output_dim == 2 and model.input_shape(6) == (3, 6)


def test_linear_and_relu_forward():
    rng = np.random.default_rng(2)
    linear = LinearEstimator(n=3, d=2)
    weights, inputs = float_point(linear, 4, rng)
    np.testing.assert_allclose(linear.forward(weights, inputs), weights["W"] @ inputs)
    relu = ShallowReLU(n0=3, h=5, d=2)
    weights, inputs = float_point(relu, 4, rng)
    np.testing.assert_allclose(
        relu.forward(weights, inputs), weights["D"] @ np.maximum(weights["W"] @ inputs, 0)
    )
    tanh = ShallowReLU(n0=3, h=5, d=2, activation="tanh")
    np.testing.assert_allclose(tanh.forward(weights, inputs), weights["D"] @ np.tanh(weights["W"] @ inputs))


def test_relu_exact_arithmetic_needs_a_pattern():
    relu = ShallowReLU(n0=2, h=2, d=1)
    ar = ModularArithmetic(101)
    weights = {"W": np.array([[1, 2], [3, 4]]), "D": np.array([[5, 6]])}
    inputs = np.array([[1], [1]])
    with pytest.raises(ValueError, match="pattern"):
        relu.forward(weights, inputs, ar)
    # pattern keeps unit 0 only: 5 * (1 + 2) = 15
    assert relu.forward(weights, inputs, ar, pattern=np.array([[1], [0]]))[0, 0] == 15


def test_forward_broadcasts_over_batch():
    model = LRNN(n=3, b=1, d=2, T=2)
    rng = np.random.default_rng(3)
    weights, inputs = float_point(model, 4, rng, batch=(5,))
    batched = model.forward(weights, inputs, FLOAT)
    assert batched.shape == (5, 2, 4)
    for k in range(5):
        single = model.forward({n: w[k] for n, w in weights.items()}, inputs[k])
        np.testing.assert_allclose(batched[k], single, atol=1e-12)


def test_output_degrees():
    # all random quantities: D W^T B X has degree T + 3 (paper), T + 2 (standard)
    assert LRNN(3, 1, 1, 4).output_degree() == 7
    assert LRNN(3, 1, 1, 4, convention="standard").output_degree() == 6
    assert LRNN(3, 1, 1, 4).jacobian_entry_degree() == 6
    assert LFFN([2, 2, 2, 2]).output_degree() == 4
    assert LinearEstimator(2, 2).output_degree() == 2
    # learnable-only degrees
    lrnn = LRNN(3, 1, 1, 3)
    w_mask = {"W": np.ones((3, 3))}
    assert lrnn.output_degree(w_mask) == 3
    assert lrnn.output_degree({"D": np.ones((1, 3)), "B": np.ones((3, 1))}) == 2
    # standard convention, T = 1: Y = D B X_1 does not involve W (a constant in W)
    assert LRNN(3, 1, 1, 1, convention="standard").output_degree(w_mask) == 0
    with pytest.raises(ValueError, match="not polynomial"):
        ShallowReLU(2, 2, 1).output_degree()


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_relu_jacobian_entry_degree_counts_random_slopes(activation):
    # exact ranks of networks with an activation use a slope pattern S: fixed 0/1 or
    # 1, 1/100 slopes for (leaky) ReLU, random residues (random quantities) otherwise
    import sympy

    from symmp.arithmetic import OBJECT

    model = ShallowReLU(n0=2, h=2, d=1, activation=activation)
    W = np.array(sympy.symbols("w:2:2"), dtype=object).reshape(2, 2)
    D = np.array(sympy.symbols("v:1:2"), dtype=object).reshape(1, 2)
    X = np.array(sympy.symbols("x:2:2"), dtype=object).reshape(2, 2)
    S = np.array(sympy.symbols("s:2:2"), dtype=object).reshape(2, 2)
    random_slopes = activation in ("tanh", "sigmoid")
    pattern = S if random_slopes else np.ones((2, 2), dtype=object)
    jacobian = model.jacobian({"W": W, "D": D}, X, model.all_entries(), OBJECT, pattern=pattern)
    degree = max(sympy.Poly(entry, *W.ravel(), *D.ravel(), *X.ravel(), *S.ravel()).total_degree()
                 for entry in jacobian.ravel() if entry != 0)
    assert model.jacobian_entry_degree() == degree
