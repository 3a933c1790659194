"""Exact rank, inverse and solve modulo p, checked against python-flint."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symmp.arithmetic import DEFAULT_PRIME, matmul_mod
from symmp.modlinalg import inverse_mod_p, rank_mod_p, rank_mod_p_flint, solve_mod_p

PRIMES = [2, 3, 5, 7, 101, 65_521, 1_000_003, 2_147_483_629, DEFAULT_PRIME]


def low_rank(rows: int, cols: int, rank: int, p: int, rng: np.random.Generator) -> np.ndarray:
    """A random product of (rows x rank) and (rank x cols) factors, mod p."""
    left = rng.integers(0, p, size=(rows, rank), dtype=np.int64)
    right = rng.integers(0, p, size=(rank, cols), dtype=np.int64)
    return matmul_mod(left, right, p)


@given(
    rows=st.integers(1, 45),
    cols=st.integers(1, 45),
    rank=st.integers(0, 45),
    p=st.sampled_from(PRIMES),
    seed=st.integers(0, 2**32 - 1),
)
def test_rank_matches_flint_on_low_rank_products(rows, cols, rank, p, seed):
    rng = np.random.default_rng(seed)
    matrix = low_rank(rows, cols, min(rank, rows, cols), p, rng)
    assert rank_mod_p(matrix, p) == rank_mod_p_flint(matrix, p)


@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    p=st.sampled_from(PRIMES),
    density=st.sampled_from([0.05, 0.3, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_rank_matches_flint_on_sparse_and_small_prime_matrices(rows, cols, p, density, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, p, size=(rows, cols), dtype=np.int64)
    matrix[rng.random((rows, cols)) > density] = 0
    assert rank_mod_p(matrix, p) == rank_mod_p_flint(matrix, p)


@pytest.mark.parametrize(
    ("rows", "cols", "rank"),
    [(300, 300, 300), (300, 300, 211), (400, 150, 150), (150, 400, 97), (260, 260, 1), (129, 257, 129)],
)
def test_rank_matches_flint_across_panel_boundaries(rows, cols, rank):
    # sizes beyond the 160-column panel and its 32-column sub-panels
    rng = np.random.default_rng(rows * 1000 + cols + rank)
    matrix = low_rank(rows, cols, rank, DEFAULT_PRIME, rng)
    assert rank_mod_p(matrix) == rank_mod_p_flint(matrix) == rank


def test_rank_with_repeated_and_zero_columns():
    rng = np.random.default_rng(3)
    base = rng.integers(0, DEFAULT_PRIME, size=(200, 60), dtype=np.int64)
    matrix = np.concatenate([base, np.zeros((200, 70), dtype=np.int64), base[:, :50]], axis=1)
    assert rank_mod_p(matrix) == rank_mod_p_flint(matrix) == 60


def test_rank_reduces_negative_and_large_integers():
    matrix = np.array([[-1, 1], [DEFAULT_PRIME + 1, -DEFAULT_PRIME - 1]])
    # second row is (1, -1) mod p = -(first row)
    assert rank_mod_p(matrix) == 1
    assert rank_mod_p(np.array([[7, 14], [1, 3]]), 7) == 1


def test_rank_edge_cases():
    assert rank_mod_p(np.zeros((3, 4), dtype=np.int64)) == 0
    assert rank_mod_p(np.zeros((0, 5), dtype=np.int64)) == 0
    assert rank_mod_p(np.eye(1, dtype=np.int64)) == 1
    with pytest.raises(ValueError, match="2-D"):
        rank_mod_p(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="below 2\\*\\*31"):
        rank_mod_p(np.eye(2, dtype=np.int64), 4_294_967_291)
    with pytest.raises(ValueError, match="modulus"):
        rank_mod_p(np.eye(2, dtype=np.int64), 1)


@given(size=st.integers(1, 30), p=st.sampled_from(PRIMES[3:]), seed=st.integers(0, 2**32 - 1))
def test_inverse_and_solve(size, p, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, p, size=(size, size), dtype=np.int64)
    if rank_mod_p_flint(matrix, p) < size:
        with pytest.raises(ZeroDivisionError):
            inverse_mod_p(matrix, p)
        return
    inverse = inverse_mod_p(matrix, p)
    np.testing.assert_array_equal(matmul_mod(matrix, inverse, p), np.eye(size, dtype=np.int64))
    rhs = rng.integers(0, p, size=(size, 3), dtype=np.int64)
    np.testing.assert_array_equal(matmul_mod(matrix, solve_mod_p(matrix, rhs, p), p), rhs)


def test_inverse_needs_pivoting_and_detects_singularity():
    p = 11
    inverse = inverse_mod_p(np.array([[0, 1], [1, 0]]), p)
    np.testing.assert_array_equal(inverse, [[0, 1], [1, 0]])
    with pytest.raises(ZeroDivisionError):
        inverse_mod_p(np.array([[1, 2], [2, 4]]), p)
    with pytest.raises(ZeroDivisionError):
        inverse_mod_p(np.array([[1, 2], [3, 6 + 11]]), p)


# --- internals of the fast elimination: exactness at the extremes -----------
from symmp.modlinalg import blocked  # noqa: E402
from symmp.modlinalg.balanced import balance, product_plan, subtract_product  # noqa: E402
from symmp.modlinalg.blocked import leaf_inverse, panel_inverse  # noqa: E402


@pytest.mark.parametrize("p", [3, 65_521, DEFAULT_PRIME, 2_147_483_629])
def test_balance_is_exact_near_two_to_the_53(p):
    values = np.array([2**53 - 1, -(2**53 - 1), 2**52 + 12345, p, -p, p // 2, p // 2 + 1, 0, 1, -1],
                      dtype=np.float64)
    expected = [int(v) % p for v in values.astype(np.int64)]
    balanced = balance(values.copy(), p)
    assert np.abs(balanced).max() <= p / 2 + 2
    assert [int(b) % p for b in balanced.astype(np.int64)] == expected


@pytest.mark.parametrize("p", [DEFAULT_PRIME, 2_147_483_629, 16_777_213, 11_999_989, 1_000_003, 101])
@pytest.mark.parametrize("inner", [1, 169, 170, 171, 341, 500])
def test_subtract_product_worst_case_residues(p, inner):
    # every residue at the edge of the balanced range: the largest BLAS partial sums,
    # in both regimes of product_plan and across its chunk boundary
    edge = float(p // 2)
    rng = np.random.default_rng(inner)
    left = rng.choice([edge, -edge], size=(150, inner))
    right = rng.choice([edge, -edge], size=(inner, 7))
    target = rng.choice([edge, -edge, 0.0], size=(150, 7))
    expected = (target.astype(np.int64).astype(object)
                - left.astype(np.int64).astype(object) @ right.astype(np.int64).astype(object)) % p
    for view in (False, True):  # inside BLAS (contiguous) and through a temporary (a view)
        got = target.copy()
        if view:
            wide = np.zeros((150, 9))
            wide[:, 1:8] = target
            got = wide[:, 1:8]
        subtract_product(got, left, right, p)
        assert np.abs(got).max() <= p / 2 + 2
        np.testing.assert_array_equal(np.mod(got.astype(np.int64), p), expected.astype(np.int64))


def test_product_plan_bounds_every_partial_sum():
    for p in [2, 101, 1_000_003, 11_999_989, 16_777_213, 2_147_483_629, DEFAULT_PRIME]:
        products, inner = product_plan(p)
        h = p // 2 + 2
        if products == 1:
            assert inner * h * h + h < 2**53
        else:
            assert h * (1 + inner * (2**15 + 1 + 2**14)) < 2**53 and inner >= blocked.PANEL


@pytest.mark.parametrize("p", [7, 65_521, DEFAULT_PRIME])
def test_leaf_and_panel_inverses_invert_their_pivot_blocks(p):
    rng = np.random.default_rng(p)
    for shape, rank in [((40, 32), 32), ((40, 32), 20), ((100, 70), 70), ((100, 70), 45), ((30, 50), 30)]:
        matrix = low_rank(*shape, rank, p, rng)
        matrix[:, 3] = 0
        rows, cols, inverse = leaf_inverse(matrix.copy(), p)
        assert rows.size == rank_mod_p_flint(matrix, p)
        block = matrix[np.ix_(rows, cols)]
        np.testing.assert_array_equal(matmul_mod(inverse, block, p), np.eye(rows.size, dtype=np.int64))
        balanced = np.mod(matrix, p).astype(np.float64)
        rows, cols, inverse = panel_inverse(balance(balanced, p), p)
        assert rows.size == rank_mod_p_flint(matrix, p)
        inverse = np.mod(inverse.astype(np.int64), p)
        np.testing.assert_array_equal(matmul_mod(inverse, matrix[np.ix_(rows, cols)], p),
                                      np.eye(rows.size, dtype=np.int64))


@pytest.mark.parametrize(("panel", "sub_panel", "extra"), [(12, 4, 1), (20, 8, 0), (160, 32, 8)])
def test_blocked_rank_matches_flint_with_small_panels(monkeypatch, panel, sub_panel, extra):
    # narrow panels put every code path (leftover columns, untried rows, zero
    # columns, early stops) on small matrices
    from symmp.modlinalg import rank_mod_p_blocked

    monkeypatch.setattr(blocked, "PANEL", panel)
    monkeypatch.setattr(blocked, "SUB_PANEL", sub_panel)
    monkeypatch.setattr(blocked, "EXTRA_ROWS", extra)
    rng = np.random.default_rng(panel)
    for _ in range(60):
        p = int(rng.choice(PRIMES))
        rows, cols = (int(x) for x in rng.integers(1, 90, size=2))
        matrix = low_rank(rows, cols, int(rng.integers(0, min(rows, cols) + 1)), p, rng)
        if rng.random() < 0.3:
            matrix[rng.random(matrix.shape) < rng.random()] = 0
        if rng.random() < 0.3:
            matrix = np.concatenate([matrix[:, :7], np.zeros((rows, 25), dtype=np.int64), matrix, matrix[:, :30]], 1)
        if rng.random() < 0.3:
            matrix = np.concatenate([matrix, 3 * matrix[:17], np.zeros((9, matrix.shape[1]), dtype=np.int64)])
        limit = None if rng.random() < 0.7 else int(rng.integers(0, min(matrix.shape) + 2))
        expected = rank_mod_p_flint(matrix, p)
        assert rank_mod_p_blocked(matrix, p, limit=limit) == (expected if limit is None else min(expected, limit))


def test_rank_of_a_real_jacobian_matches_flint():
    from symmp.analysis.ranks import random_point
    from symmp.arithmetic import ModularArithmetic
    from symmp.models import LRNN

    model = LRNN(n=12, b=6, d=10, T=3)
    ar = ModularArithmetic(DEFAULT_PRIME)
    weights, inputs = random_point(model, 30, ar, np.random.default_rng(0))
    jacobian = model.jacobian(weights, inputs, model.all_entries(), ar)  # 300 x 336
    assert rank_mod_p(jacobian) == rank_mod_p_flint(jacobian) == model.rank_upper_bound(30)


def test_rref_mod_p_pivots_agree_with_the_rank():
    from symmp.modlinalg import rank_mod_p_flint, rref_mod_p

    rng = np.random.default_rng(5)
    for shape in [(5, 7), (7, 5), (6, 6)]:
        matrix = rng.integers(0, 4, size=shape)
        matrix[:, 1] = 2 * matrix[:, 0]  # a dependent column is never a pivot
        reduced, pivots = rref_mod_p(matrix, 101)
        assert len(pivots) == rank_mod_p_flint(matrix, 101) == reduced.shape[0]
        assert 1 not in pivots and all(reduced[i, j] == 1 for i, j in enumerate(pivots))
