"""Small exact linear algebra modulo p: Gauss-Jordan on int64 residues and python-flint.

These are the reference routines (and the leaves of the blocked elimination
in :mod:`symmp.modlinalg.blocked`): :func:`inverse_mod_p` and
:func:`solve_mod_p` by Gauss-Jordan, :func:`rank_mod_p_flint` and
:func:`rref_mod_p` through python-flint's ``nmod_mat``.

Examples
--------
>>> import numpy as np
>>> inverse_mod_p(np.array([[2, 0], [0, 3]]), 7).tolist()
[[4, 0], [0, 5]]
"""

from __future__ import annotations

import flint
import numpy as np

from ..arithmetic import DEFAULT_PRIME, matmul_mod

__all__ = ["inverse_mod_p", "solve_mod_p", "rank_mod_p_flint", "rref_mod_p", "to_flint"]


def inverse_mod_p(a: np.ndarray, p: int = DEFAULT_PRIME) -> np.ndarray:
    """Inverse of a square matrix modulo ``p`` (Gauss-Jordan).

    Raises
    ------
    ZeroDivisionError
        If the matrix is singular modulo ``p``.

    Examples
    --------
    >>> inverse_mod_p(np.array([[0, 1], [1, 0]]), 5).tolist()
    [[0, 1], [1, 0]]
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
        work[col] = (work[col] * pow(int(work[col, col]), p - 2, p)) % p
        factor = work[:, col].copy()
        factor[col] = 0
        work = (work - (factor[:, None] * work[col][None, :]) % p) % p
    return work[:, k:]


def solve_mod_p(a: np.ndarray, b: np.ndarray, p: int = DEFAULT_PRIME) -> np.ndarray:
    """Solve ``a x = b`` modulo ``p`` for square nonsingular ``a``.

    Examples
    --------
    >>> solve_mod_p(np.array([[2, 0], [0, 3]]), np.array([[1], [1]]), 7).tolist()
    [[4], [5]]
    """
    return matmul_mod(inverse_mod_p(a, p), np.mod(np.asarray(b, dtype=np.int64), p), p)


def to_flint(work: np.ndarray, p: int):
    """An ``nmod_mat`` from int64 residues in ``[0, p)``, read through a
    memoryview (no Python list; flint still converts entry by entry, about
    0.5 us each, which is why large matrices stay in numpy)."""
    rows, cols = work.shape
    flat = np.ascontiguousarray(work, dtype=np.int64).reshape(-1)
    return flint.nmod_mat(rows, cols, memoryview(flat), p)


def rank_mod_p_flint(matrix: np.ndarray, p: int = DEFAULT_PRIME) -> int:
    """Rank modulo ``p`` through python-flint's ``nmod_mat``.

    Examples
    --------
    >>> rank_mod_p_flint(np.array([[1, 2], [2, 4]]), 7)
    1
    """
    work = np.mod(np.asarray(matrix, dtype=np.int64), p)
    if work.shape[0] == 0 or work.shape[1] == 0:
        return 0
    return int(to_flint(work, p).rank())


def rref_mod_p(matrix, p: int = DEFAULT_PRIME) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form modulo ``p`` (python-flint) and its pivot columns.

    Returns the ``rank`` nonzero rows of the echelon form as an int64 array
    and the pivot column of each.

    Examples
    --------
    >>> reduced, pivots = rref_mod_p(np.array([[1, 2, 3], [2, 4, 7]]), 7)
    >>> reduced.tolist(), pivots
    ([[1, 2, 0], [0, 0, 1]], [0, 2])
    """
    work = np.mod(np.asarray(matrix, dtype=object), p).astype(np.int64)
    rows, cols = work.shape
    if rows == 0 or cols == 0:
        return np.zeros((0, cols), dtype=np.int64), []
    reduced, rank = to_flint(work, p).rref()
    entries = np.fromiter(map(int, reduced.entries()), dtype=np.int64, count=rows * cols)
    echelon = entries.reshape(rows, cols)[:rank]
    pivots = [int(np.flatnonzero(row)[0]) for row in echelon]
    return echelon, pivots
