"""``rank_upper_bound`` against exact full ranks (THEORY.md section 3)."""

from __future__ import annotations

import itertools

import pytest

from symmp.analysis import exact_rank
from symmp.models import LFFN, LRNN, LinearEstimator


def full_rank(model, m):
    return exact_rank(model, model.all_entries(), m, seed=2)


LRNN_GRID = [
    LRNN(n, b, d, T, convention)
    for n, b, d, T in itertools.product([1, 2, 3], [1, 2], [1, 2], [1, 2, 3])
    for convention in ("paper", "standard")
]


@pytest.mark.parametrize("m", [1, 2, 3, 5])
def test_bound_never_below_exact_full_rank(m):
    models = (
        [LinearEstimator(n, d) for n, d in itertools.product([1, 2, 4], [1, 3])]
        + [LFFN(list(w)) for w in itertools.product([1, 3], [1, 2, 3], [2, 3])]
        + LRNN_GRID
    )
    for model in models:
        assert model.rank_upper_bound(m) >= full_rank(model, m), (model, m)


@pytest.mark.parametrize(("n", "d", "m"), list(itertools.product([1, 2, 4], [1, 3], [1, 2, 3, 5])))
def test_linear_estimator_full_rank_is_d_min_n_m(n, d, m):
    model = LinearEstimator(n, d)
    assert full_rank(model, m) == model.rank_upper_bound(m) == d * min(n, m)


@pytest.mark.parametrize("widths", [[3, 2, 4], [2, 3, 2], [4, 1, 3], [3, 3, 3, 2], [2, 4, 4, 3]])
@pytest.mark.parametrize("m", [1, 2, 4])
def test_lffn_bound_is_exact(widths, m):
    model = LFFN(widths)
    assert full_rank(model, m) == model.rank_upper_bound(m)


@pytest.mark.parametrize("model", [mdl for mdl in LRNN_GRID if mdl.n >= max(mdl.b, mdl.d)], ids=repr)
def test_lrnn_full_rank_reaches_both_caps(model):
    # rho_full = min(d * min(m, T b), n (b + d)) whenever n >= max(b, d)
    for m in (1, 2, 3, 5):
        assert full_rank(model, m) == model.rank_upper_bound(m), m


def test_lrnn_bound_is_not_tight_when_n_is_smaller_than_b_and_d():
    # n = 1, b = d = 2, T = 1: Y = (D W B) X_1 with D W B of rank 1, so the
    # outputs form the rank-1 2 x 2 matrices times X: dimension 3, not 4
    model = LRNN(n=1, b=2, d=2, T=1)
    assert model.rank_upper_bound(2) == 4
    assert full_rank(model, 2) == 3


def test_lrnn_full_rank_is_d_m_when_nothing_caps_it():
    model = LRNN(n=4, b=2, d=2, T=2)
    assert full_rank(model, 3) == 2 * 3
    assert full_rank(model, 4) == 2 * 4
    assert full_rank(model, 9) == 2 * 2 * 2  # capped by T*b = 4
