"""``is_affine`` and learnable degrees against the exact definition (sympy expansion)."""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symmp import Allocation
from symmp.analysis import is_affine
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU


def symbolic_degree(allocation: Allocation) -> int:
    """Total degree of the outputs in the learnable weights, by expansion.

    Every weight and input is its own symbol (a generic point), so the
    degree is the polynomial's own, with no accidental cancellation.
    """
    model = allocation.model
    mats = {
        name: sympy.Matrix(rows, cols, lambda i, j, name=name: sympy.Symbol(f"{name}_{i}_{j}"))
        for name, (rows, cols) in model.matrix_shapes.items()
    }
    learnable = [sympy.Symbol(f"{name}_{i}_{j}") for name, i, j in allocation.entries]
    if isinstance(model, LRNN):
        xs = [sympy.Matrix(model.b, 1, lambda i, j, t=t: sympy.Symbol(f"x{t}_{i}")) for t in range(model.T)]
        W, B, D = mats["W"], mats["B"], mats["D"]
        e = model.power_offset
        out = sum((D * W ** (model.T - t + e) * B * xs[t - 1] for t in range(1, model.T + 1)),
                  sympy.zeros(model.d, 1))
    elif isinstance(model, LFFN):
        out = sympy.Matrix(model.widths[0], 1, lambda i, j: sympy.Symbol(f"x_{i}"))
        for l in range(1, model.depth + 1):
            out = mats[f"W{l}"] * out
    else:
        out = mats["W"] * sympy.Matrix(model.n, 1, lambda i, j: sympy.Symbol(f"x_{i}"))
    degrees = [sympy.Poly(sympy.expand(value), *learnable).total_degree() for value in out]
    return max(degrees)


def lrnn_row_without_diagonal(T: int, convention: str = "paper") -> Allocation:
    model = LRNN(n=3, b=1, d=1, T=T, convention=convention)
    return Allocation.from_entries(model, [("W", 0, 1), ("W", 0, 2)], m=T)


def test_one_row_without_diagonal_is_affine_for_T2_not_T3():
    # W = W0 + e_0 u^T with u_0 = 0: in W^2 the product e_0 u^T e_0 u^T = u_0 e_0 u^T
    # vanishes, in W^3 the term e_0 u^T W0 e_0 u^T does not
    assert is_affine(lrnn_row_without_diagonal(2))
    assert symbolic_degree(lrnn_row_without_diagonal(2)) == 1
    assert not is_affine(lrnn_row_without_diagonal(3))
    assert symbolic_degree(lrnn_row_without_diagonal(3)) == 2
    # standard convention: W^(T-1), so T = 3 is affine and T = 4 is not
    assert is_affine(lrnn_row_without_diagonal(3, "standard"))
    assert not is_affine(lrnn_row_without_diagonal(4, "standard"))


def test_one_row_with_its_diagonal_is_not_affine_for_T2():
    model = LRNN(n=3, b=1, d=1, T=2)
    allocation = Allocation.from_entries(model, [("W", 0, 0), ("W", 0, 1)], m=2)
    assert not is_affine(allocation)
    assert symbolic_degree(allocation) == 2


def test_single_matrix_allocations_are_affine():
    lrnn = LRNN(n=3, b=2, d=2, T=3)
    for name in ("D", "B"):
        assert is_affine(Allocation.from_entries(lrnn, lrnn.all_entries([name]), m=2))
    assert not is_affine(Allocation.from_entries(lrnn, [("D", 0, 0), ("B", 0, 0)], m=2))
    assert not is_affine(Allocation.from_entries(lrnn, lrnn.all_entries(["W"]), m=2))
    # one W entry: the diagonal one appears squared in W^T, an off-diagonal one does not for T = 2
    assert not is_affine(Allocation.from_entries(LRNN(3, 1, 1, 2), [("W", 1, 1)], m=2))
    assert is_affine(Allocation.from_entries(LRNN(3, 1, 1, 2), [("W", 1, 2)], m=2))
    lffn = LFFN([2, 3, 2])
    assert is_affine(Allocation.from_entries(lffn, lffn.all_entries(["W2"]), m=2))
    assert not is_affine(Allocation.from_entries(lffn, [("W1", 0, 0), ("W2", 0, 0)], m=2))
    assert is_affine(Allocation.diagonal(LinearEstimator(3, 2), "W", m=2))
    relu = ShallowReLU(2, 3, 1)
    assert is_affine(Allocation.from_entries(relu, relu.all_entries(["D"]), m=2))
    assert not is_affine(Allocation.from_entries(relu, [("W", 0, 0)], m=2))


@st.composite
def polynomial_allocations(draw):
    kind = draw(st.sampled_from(["lrnn", "lffn", "linear"]))
    if kind == "lrnn":
        model = LRNN(draw(st.integers(1, 3)), 1, 1, draw(st.integers(1, 3)),
                     draw(st.sampled_from(["paper", "standard"])))
    elif kind == "lffn":
        model = LFFN(draw(st.lists(st.integers(1, 2), min_size=2, max_size=4)))
    else:
        model = LinearEstimator(draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    pool = model.all_entries()
    entries = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=min(len(pool), 5), unique=True))
    return Allocation.from_entries(model, entries, m=1)


@given(allocation=polynomial_allocations())
def test_tropical_degree_equals_expanded_degree(allocation):
    degree = symbolic_degree(allocation)
    assert allocation.model.output_degree(allocation.masks()) == degree
    assert is_affine(allocation) == (degree <= 1)


def test_full_degree_matches_expansion():
    # in every random quantity (weights and inputs)
    model = LRNN(n=2, b=1, d=1, T=3)
    everything = Allocation.from_entries(model, model.all_entries(), m=1)
    assert symbolic_degree(everything) == 1 + 3 + 1  # D W^3 B in the weights
    assert model.output_degree() == 1 + 3 + 1 + 1  # and the input
    assert np.isfinite(model.output_degree())
