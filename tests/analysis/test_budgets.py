"""Closed-form equation budgets (THEORY.md section 4) against exact ranks of
whole rows and columns, over a grid of sizes."""

from __future__ import annotations

import itertools

import pytest

from symmp.analysis import equation_budgets, measured_budgets
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU


def assert_closed_form_matches_exact(model, m):
    closed = model.equation_budgets(m)
    measured = measured_budgets(model, m, seed=1)
    assert set(closed) == set(measured) == set(model.matrix_shapes)
    for name, (rows, columns) in closed.items():
        assert list(rows) == measured[name].rows, (model, m, name, "rows")
        assert list(columns) == measured[name].columns, (model, m, name, "columns")


LRNN_SIZES = list(itertools.product([1, 2, 3, 4], [1, 2], [1, 2], [1, 2, 3]))


@pytest.mark.parametrize("convention", ["paper", "standard"])
@pytest.mark.parametrize(("n", "b", "d", "T"), LRNN_SIZES)
def test_lrnn_budgets_match_exact_ranks(n, b, d, T, convention):
    model = LRNN(n, b, d, T, convention)
    for m in (1, 2, 3, 5):
        assert_closed_form_matches_exact(model, m)


@pytest.mark.parametrize(("n", "d"), list(itertools.product([1, 2, 3, 5], [1, 2, 3])))
def test_linear_budgets_match_exact_ranks(n, d):
    for m in (1, 2, 4, 6):
        assert_closed_form_matches_exact(LinearEstimator(n, d), m)


LFFN_WIDTHS = [list(w) for w in itertools.product([1, 2, 3], [1, 3], [1, 2, 3])] + [
    [3, 3, 3, 2],
    [4, 2, 3, 3],
    [2, 3, 1, 3],
    [3, 4, 4, 2, 2],
]


@pytest.mark.parametrize("widths", LFFN_WIDTHS, ids=str)
def test_lffn_budgets_match_exact_ranks(widths):
    for m in (1, 2, 4):
        assert_closed_form_matches_exact(LFFN(widths), m)


def test_budget_values_spelled_out():
    # lrnn paper, n = 5, b = d = T = 2, m = 4: W rows min(5, 4, 4*2) = 4,
    # W columns min(5, 4, 8) = 4; B rows min(2, 4*2) = 2; D rows min(5, 4, 4) = 4
    budgets = equation_budgets(LRNN(5, 2, 2, 2), 4)
    assert budgets["W"].rows == [4] * 5 and budgets["W"].columns == [4] * 5
    assert budgets["B"].rows == [2] * 5 and budgets["B"].columns == [4, 4]
    assert budgets["D"].rows == [4, 4] and budgets["D"].columns == [2] * 5
    # standard convention: W acts T - 1 = 1 times
    standard = equation_budgets(LRNN(5, 2, 2, 2, convention="standard"), 4)
    assert standard["W"].rows == [2] * 5 and standard["W"].columns == [2] * 5
    assert not budgets["W"].measured


def test_relu_budgets_are_measured():
    budgets = equation_budgets(ShallowReLU(n0=2, h=3, d=2), 3)
    assert budgets["W"].measured and budgets["D"].measured
    assert len(budgets["W"].rows) == 3 and len(budgets["W"].columns) == 2
    # a D row sees the h active-pattern hidden values on m samples
    assert all(0 <= value <= 3 for value in budgets["D"].rows)
