"""Exact modular products, the three arithmetics, tropical degrees."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symmp.arithmetic import (
    DEFAULT_PRIME,
    FLOAT,
    TROPICAL,
    ModularArithmetic,
    matmul_mod,
)


def reference_matmul_mod(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Python big-integer product, reduced modulo p."""
    product = a.astype(object) @ b.astype(object)
    return np.array([[int(x) % p for x in row] for row in product], dtype=np.int64)


@given(
    rows=st.integers(1, 6),
    inner=st.integers(1, 40),
    cols=st.integers(1, 6),
    p=st.sampled_from([2, 3, 65_521, 2_147_483_629, DEFAULT_PRIME, 4_294_967_291]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matmul_mod_matches_big_integers(rows, inner, cols, p, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, p, size=(rows, inner), dtype=np.int64)
    b = rng.integers(0, p, size=(inner, cols), dtype=np.int64)
    np.testing.assert_array_equal(matmul_mod(a, b, p), reference_matmul_mod(a, b, p))


def test_matmul_mod_worst_case_residues():
    # every residue p - 1: the largest partial sums the limb split must keep exact
    p = DEFAULT_PRIME
    a = np.full((3, 500), p - 1, dtype=np.int64)
    expected = (500 * (p - 1) ** 2) % p
    assert (matmul_mod(a, a.T, p) == expected).all()


def test_matmul_mod_broadcasts_over_batches():
    rng = np.random.default_rng(1)
    p = 1_000_003
    a = rng.integers(0, p, size=(4, 3, 5), dtype=np.int64)
    b = rng.integers(0, p, size=(5, 2), dtype=np.int64)
    out = matmul_mod(a, b, p)
    assert out.shape == (4, 3, 2)
    for k in range(4):
        np.testing.assert_array_equal(out[k], reference_matmul_mod(a[k], b, p))


def test_modular_arithmetic_operations():
    ar = ModularArithmetic(7)
    assert ar.asarray([-1, 8, 14]).tolist() == [6, 1, 0]
    assert ar.add(np.array([5]), np.array([4])).tolist() == [2]
    assert ar.mul(np.array([5]), np.array([4])).tolist() == [6]
    assert ar.zeros((2,)).dtype == np.int64
    np.testing.assert_array_equal(ar.eye(2), np.eye(2, dtype=np.int64))
    assert ar.sum([np.array([3]), np.array([3]), np.array([3])]).tolist() == [2]
    draws = ar.random((1000,), np.random.default_rng(0))
    assert draws.min() >= 0 and draws.max() < 7 and len(set(draws.tolist())) == 7


@pytest.mark.parametrize("p", [0, 1, 2**32])
def test_modular_arithmetic_rejects_bad_modulus(p):
    with pytest.raises(ValueError, match="modulus"):
        ModularArithmetic(p)


def test_sum_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        FLOAT.sum([])


def test_tropical_matmul_is_max_plus():
    a = np.array([[0.0, 1.0], [-np.inf, 2.0]])
    b = np.array([[3.0, -np.inf], [0.0, 1.0]])
    np.testing.assert_array_equal(TROPICAL.matmul(a, b), [[3.0, 2.0], [2.0, 3.0]])
    assert TROPICAL.add(np.array(1.0), np.array(4.0)) == 4.0
    assert TROPICAL.mul(np.array(1.0), np.array(4.0)) == 5.0
    np.testing.assert_array_equal(TROPICAL.matmul(TROPICAL.eye(2), a), a)
    assert np.isneginf(TROPICAL.zeros((2, 2))).all()


def test_tropical_power_counts_degree():
    # degree of the entries of W^3 when every entry of W has degree 1
    w = np.ones((3, 3))
    cube = TROPICAL.matmul(TROPICAL.matmul(w, w), w)
    assert (cube == 3).all()
