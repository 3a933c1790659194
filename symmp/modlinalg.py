"""Exact linear algebra over the prime field Z/pZ.

Use :func:`rank_mod_p` to decide the rank of an integer matrix modulo a
prime. It runs a blocked Schur-complement elimination whose bulk work is done
by float64 BLAS products made exact by 16-bit limb splitting
(:func:`symmp.arithmetic.matmul_mod`), so large ranks cost about as much as a
floating-point SVD instead of a Python-object loop. :func:`rank_mod_p_flint`
is the reference implementation through python-flint's ``nmod_mat``; the
tests check that both agree.

Examples
--------
>>> import numpy as np
>>> rank_mod_p(np.array([[1, 2], [2, 4]]), 7)
1
>>> rank_mod_p(np.array([[1, 2], [3, 4]]), 2)
1
"""

from __future__ import annotations

import numpy as np

from .arithmetic import _LIMB, DEFAULT_PRIME, matmul_mod

__all__ = ["rank_mod_p", "rank_mod_p_flint", "inverse_mod_p", "solve_mod_p"]



def _inv_scalar(x: int, p: int) -> int:
    return pow(int(x), p - 2, p)


def _panel_pivots(panel: np.ndarray, p: int) -> tuple[list[int], list[int]]:
    """Rows and columns of a maximal nonsingular square submatrix of ``panel``.

    Plain Gaussian elimination mod p on a narrow (height x <= 32) block.
    """
    work = panel.copy()
    height = work.shape[0]
    free_rows = np.ones(height, dtype=bool)
    pivot_rows: list[int] = []
    pivot_cols: list[int] = []
    for col in range(work.shape[1]):
        candidates = np.flatnonzero(free_rows & (work[:, col] != 0))
        if candidates.size == 0:
            continue
        row = int(candidates[0])
        pivot_rows.append(row)
        pivot_cols.append(col)
        free_rows[row] = False
        others = np.flatnonzero(free_rows)
        if others.size == 0 or col + 1 == work.shape[1]:
            continue
        factor = (work[others, col] * _inv_scalar(work[row, col], p)) % p
        tail = work[row, col + 1 :]
        work[others, col + 1 :] = (
            work[others, col + 1 :] - (factor[:, None] * tail[None, :]) % p
        ) % p
        work[others, col] = 0
    return pivot_rows, pivot_cols


def inverse_mod_p(a: np.ndarray, p: int = DEFAULT_PRIME) -> np.ndarray:
    """Inverse of a square matrix modulo ``p`` (Gauss-Jordan).

    Raises
    ------
    ZeroDivisionError
        If the matrix is singular modulo ``p``.
    """
    a = np.mod(np.asarray(a, dtype=np.int64), p)
    k = a.shape[0]
    work = np.concatenate([a, np.eye(k, dtype=np.int64)], axis=1)
    for col in range(k):
        rows = np.flatnonzero(work[col:, col] != 0)
        if rows.size == 0:
            raise ZeroDivisionError("matrix is singular modulo p")
        pivot = col + int(rows[0])
        if pivot != col:
            work[[col, pivot]] = work[[pivot, col]]
        work[col] = (work[col] * _inv_scalar(work[col, col], p)) % p
        factor = work[:, col].copy()
        factor[col] = 0
        work = (work - (factor[:, None] * work[col][None, :]) % p) % p
    return work[:, k:]


def solve_mod_p(a: np.ndarray, b: np.ndarray, p: int = DEFAULT_PRIME) -> np.ndarray:
    """Solve ``a x = b`` modulo ``p`` for square nonsingular ``a``."""
    return matmul_mod(inverse_mod_p(a, p), np.mod(np.asarray(b, dtype=np.int64), p), p)


def _reduce_inplace(x: np.ndarray, p: int) -> np.ndarray:
    """``x mod p`` in place for float64 integers ``0 <= |x| < 2**53``.

    Much faster than ``np.fmod`` (a libm call per element): the quotient from a
    float reciprocal is off by at most one, which the two masked corrections
    fix, and every intermediate is an exactly representable integer.
    """
    quotient = x * (1.0 / p)
    np.floor(quotient, out=quotient)
    quotient *= p
    x -= quotient
    x[x < 0] += p
    x[x >= p] -= p
    return x


def _times_residues(left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """Exact ``left @ right mod p`` for int64 ``left`` and float64 ``right``,
    both holding residues of ``p < 2**31``; returns float64 residues.

    ``left`` is cut into limbs of ``bits`` bits with ``k * 2**bits * p <=
    2**52`` (k = inner dimension), so every BLAS product is exact, and the
    limbs are combined Horner-style with one reduction per limb.
    """
    inner = left.shape[-1]
    bits = 52 - int(p).bit_length() - max(inner - 1, 1).bit_length()
    if bits < 1:
        half = inner // 2
        total = _times_residues(left[:, :half], right[:half], p)
        total += _times_residues(left[:, half:], right[half:], p)
        return _reduce_inplace(total, p)
    limbs = []
    rest = left.copy()
    while True:
        rest, limb = np.divmod(rest, 1 << bits)
        limbs.append(limb)
        if not rest.any():
            break
    out = None
    for limb in reversed(limbs):
        product = np.matmul(limb.astype(np.float64), right)
        if out is not None:
            out *= 1 << bits
            product += out
        out = _reduce_inplace(product, p)
    return out


def _blocked_pivots(
    work: np.ndarray, p: int, widths: tuple[int, ...] = (128, 16)
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a maximal nonsingular square submatrix of ``work``
    (float64 residues), by blocked Schur-complement elimination.

    Panels of ``widths[0]`` columns are reduced recursively with the next
    width (the narrowest by :func:`_panel_pivots`); the pivot block's Schur
    complement replaces the rest, and the panel's other columns are dropped
    because their Schur complement is zero.
    """
    row_ids = np.arange(work.shape[0])
    col_ids = np.arange(work.shape[1])
    pivot_rows: list[np.ndarray] = []
    pivot_cols: list[np.ndarray] = []
    while work.size:
        width = min(widths[0], work.shape[1])
        panel = work[:, :width]
        if len(widths) > 1 and width > widths[1]:
            rows, cols = _blocked_pivots(panel.copy(), p, widths[1:])
        else:
            found_rows, found_cols = _panel_pivots(panel.astype(np.int64), p)
            rows, cols = np.array(found_rows, dtype=np.intp), np.array(found_cols, dtype=np.intp)
        trailing = work[:, width:]
        if rows.size == 0:
            work, col_ids = trailing, col_ids[width:]
            continue
        pivot_rows.append(row_ids[rows])
        pivot_cols.append(col_ids[cols])
        others = np.setdiff1d(np.arange(work.shape[0]), rows)
        if others.size == 0 or trailing.shape[1] == 0:
            break
        a11_inv = inverse_mod_p(panel[np.ix_(rows, cols)].astype(np.int64), p)
        # Schur complement: A22 - A21 (A11^{-1} A12).
        solved = _times_residues(a11_inv, trailing[rows], p)
        correction = _times_residues(panel[np.ix_(others, cols)].astype(np.int64), solved, p)
        work = trailing[others]
        work -= correction
        _reduce_inplace(work, p)
        row_ids, col_ids = row_ids[others], col_ids[width:]
    if not pivot_rows:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(pivot_rows), np.concatenate(pivot_cols)


def rank_mod_p(matrix: np.ndarray, p: int = DEFAULT_PRIME) -> int:
    """Exact rank of an integer matrix modulo the prime ``p`` (``p < 2**31``).

    Parameters
    ----------
    matrix : array_like of int
        Any integers; they are reduced modulo ``p`` first.
    p : int
        A prime below 2**31.

    Returns
    -------
    int
        The rank over Z/pZ.

    Notes
    -----
    Blocked elimination: a panel of at most 128 columns is reduced exactly
    (recursively, in panels of 16) to find a nonsingular k x k pivot block
    ``A11``; the remaining rows and
    columns are replaced by the Schur complement ``A22 - A21 A11^{-1} A12``
    (exact BLAS-backed modular products), and the panel's other columns are
    dropped because their Schur complement is zero. The rank is the sum of
    the pivot counts. The rank modulo ``p`` never exceeds the rank over Q,
    so a rank found here is a certified lower bound on the rational rank.

    Examples
    --------
    >>> import numpy as np
    >>> rank_mod_p(np.arange(12).reshape(3, 4))
    2
    """
    if not 2 <= p < 2**32:
        raise ValueError(f"modulus must satisfy 2 <= p < 2**32, got {p}")
    work = np.mod(np.asarray(matrix, dtype=np.int64), p)
    if work.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {work.shape}")
    if work.shape[0] < work.shape[1]:
        work = work.T
    if p >= 2**31:
        raise ValueError(f"rank_mod_p needs a prime below 2**31, got {p}")
    rows, _ = _blocked_pivots(np.ascontiguousarray(work, dtype=np.float64), p)
    return int(rows.size)


def rank_mod_p_flint(matrix: np.ndarray, p: int = DEFAULT_PRIME) -> int:
    """Rank modulo ``p`` through python-flint's ``nmod_mat`` (reference)."""
    import flint

    work = np.mod(np.asarray(matrix, dtype=np.int64), p)
    rows, cols = work.shape
    if rows == 0 or cols == 0:
        return 0
    return int(flint.nmod_mat(rows, cols, work.ravel().tolist(), p).rank())
