"""Exact linear algebra over the prime field Z/pZ.

Use :func:`rank_mod_p` to decide the rank of an integer matrix modulo a
prime. Small matrices go to python-flint's ``nmod_mat``
(:func:`rank_mod_p_flint`, filled through a memoryview, no Python list);
larger ones to a blocked Schur-complement elimination whose bulk work is done
by float64 BLAS products made exact by 15-bit limb splitting, so a large rank
costs a fraction of a floating-point SVD. The tests check that both agree.

Examples
--------
>>> import numpy as np
>>> rank_mod_p(np.array([[1, 2], [2, 4]]), 7)
1
>>> rank_mod_p(np.array([[1, 2], [3, 4]]), 2)
1
"""

from __future__ import annotations

import flint
import numpy as np

from .arithmetic import DEFAULT_PRIME, matmul_mod

__all__ = [
    "rank_mod_p",
    "rank_mod_p_blocked",
    "rank_mod_p_flint",
    "rref_mod_p",
    "inverse_mod_p",
    "solve_mod_p",
    "balanced_residues",
    "matmul_balanced",
    "FLINT_SIDE",
]


def _inv_scalar(x: int, p: int) -> int:
    return pow(int(x), p - 2, p)


def _panel_pivots(panel: np.ndarray, p: int) -> tuple[list[int], list[int]]:
    """Rows and columns of a maximal nonsingular square submatrix of ``panel``.

    Plain Gaussian elimination mod p on a narrow (height x <= 32) block of
    int64 residues in ``[0, p)``, updating the whole block in place (pivot
    rows get a zero multiplier) instead of gathering the free rows.
    """
    work = panel.copy()
    height, width = work.shape
    free_rows = np.ones(height, dtype=bool)
    pivot_rows: list[int] = []
    pivot_cols: list[int] = []
    for col in range(width):
        candidates = np.flatnonzero(free_rows & (work[:, col] != 0))
        if candidates.size == 0:
            continue
        row = int(candidates[0])
        pivot_rows.append(row)
        pivot_cols.append(col)
        free_rows[row] = False
        if col + 1 == width or len(pivot_rows) == height:
            continue
        factor = (work[:, col] * _inv_scalar(work[row, col], p)) % p
        factor[~free_rows] = 0
        tail = work[:, col + 1 :]
        tail -= (factor[:, None] * work[row, col + 1 :][None, :]) % p
        tail %= p
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


#: Limb of the balanced two-limb products below: residues |x| <= 2**30 + 2
#: split as hi * 2**15 + lo with |hi| <= 2**15 + 1, |lo| <= 2**14.
_HALF = float(1 << 15)
#: Largest inner dimension of one exact product: 240 * (2**15 + 1) * (2**30 + 2) < 2**53,
#: and the low limb's product plus the scaled high part stays below 2**53 too.
_INNER = 240
#: Rows per cache-sized block of a trailing update.
_ROW_BLOCK = 256
#: Column widths of the nested panels of the blocked elimination (outermost first);
#: the outer width is one exact product's inner dimension.
_WIDTHS = (240, 48, 8)
#: Matrices whose smaller side is at most this go to python-flint's ``nmod_mat``
#: (measured: below it, numpy's per-panel overhead loses to flint's C loop).
FLINT_SIDE = 64


def _balance(x: np.ndarray, p: int) -> np.ndarray:
    """Reduce float64 integers ``|x| < 2**53`` in place to balanced residues,
    ``|x| <= p/2 + 2``.

    ``rint(x / p)`` from a float reciprocal is within ``1/2 + 2**-30`` of the
    true quotient, so the remainder stays in that range, and every
    intermediate is an exactly representable integer. A residue is zero mod p
    exactly when its balanced representative is 0.
    """
    quotient = x * (1.0 / p)
    np.rint(quotient, out=quotient)
    quotient *= p
    x -= quotient
    return x


def _limbs(left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split balanced residues into ``hi * 2**15 + lo`` (both float64)."""
    hi = np.rint(left * (1.0 / _HALF))
    lo = left - hi * _HALF
    return hi, lo


def _subtract_product(target: np.ndarray, left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """``target - left @ right`` modulo p, in place, all balanced float64 residues.

    Exact: the inner dimension is cut into chunks of at most :data:`_INNER`,
    ``left`` into two 15-bit limbs, so every BLAS product is an integer below
    2**53 (``_INNER * (2**15 + 1) * (2**30 + 2)``); the high part is reduced
    before it is scaled back. Rows are processed in cache-sized blocks.
    """
    inner = left.shape[1]
    step = -(-inner // -(-inner // _INNER)) if inner else 1  # equal chunks of at most _INNER
    for start in range(0, inner, step):
        hi, lo = _limbs(left[:, start : start + step])
        chunk = right[start : start + step]
        for row in range(0, target.shape[0], _ROW_BLOCK):
            block = target[row : row + _ROW_BLOCK]
            high = np.matmul(hi[row : row + _ROW_BLOCK], chunk)
            _balance(high, p)  # |high| <= 2**30 + 2
            high *= _HALF  # |high| <= 2**45 + 2**16
            block -= high
            block -= np.matmul(lo[row : row + _ROW_BLOCK], chunk)  # <= 2**51.9 in size
            _balance(block, p)
    return target


def _product(left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """Exact ``left @ right`` modulo p in balanced float64 residues."""
    out = np.zeros((left.shape[0], right.shape[1]))
    _subtract_product(out, left, right, p)
    return np.negative(out, out=out)


def balanced_residues(x: np.ndarray, p: int) -> np.ndarray:
    """Integers (any range) as balanced float64 residues, ``|x| <= p/2 + 2``.

    Examples
    --------
    >>> balanced_residues(np.array([6, 7, 8]), 7).tolist()
    [-1.0, 0.0, 1.0]
    """
    return _balance(np.mod(np.asarray(x, dtype=np.int64), p).astype(np.float64), p)


def matmul_balanced(left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """Exact ``left @ right`` modulo p on balanced float64 residues (2-D), in
    balanced float64 residues: two BLAS products a chunk of 240 inner terms
    (half the products of :func:`symmp.arithmetic.matmul_mod`).

    Examples
    --------
    >>> matmul_balanced(np.array([[3.0, -2.0]]), np.array([[2.0], [1.0]]), 5).tolist()
    [[-1.0]]
    """
    return _product(left, right, p)


def _balanced_inverse(a: np.ndarray, p: int) -> np.ndarray:
    """Inverse mod p of a square matrix of balanced float64 residues whose
    leading principal minors are all nonzero mod p (as a pivot block found by
    elimination is), in balanced float64 residues.

    Block recursion ``[[A, B], [C, D]]^-1`` through ``A^-1`` and the inverse
    of the Schur complement ``S = D - C A^-1 B``, every product an exact
    two-limb BLAS product; small blocks use Gauss-Jordan. Raises
    ZeroDivisionError if a leading block is singular.
    """
    k = a.shape[0]
    if k <= 32:
        return _balance(inverse_mod_p(np.mod(a.astype(np.int64), p), p).astype(np.float64), p)
    half = k // 2
    A, B, C, D = a[:half, :half], a[:half, half:], a[half:, :half], a[half:, half:]
    A_inv = _balanced_inverse(A, p)
    A_inv_B = _product(A_inv, B, p)
    C_A_inv = _product(C, A_inv, p)
    S_inv = _balanced_inverse(_subtract_product(D.copy(), C, A_inv_B, p), p)
    upper_right = np.negative(_product(A_inv_B, S_inv, p))
    lower_left = np.negative(_product(S_inv, C_A_inv, p))
    upper_left = _subtract_product(A_inv.copy(), upper_right, C_A_inv, p)
    return np.block([[upper_left, upper_right], [lower_left, S_inv]])


def _strong_inverse(a: np.ndarray, p: int) -> np.ndarray:
    """:func:`_balanced_inverse` for int64 residues in ``[0, p)`` (same range out)."""
    balanced = _balance(np.mod(np.asarray(a, dtype=np.int64), p).astype(np.float64), p)
    return np.mod(_balanced_inverse(balanced, p).astype(np.int64), p)


def _pivot_block_inverse(a: np.ndarray, p: int) -> np.ndarray:
    try:
        return _balanced_inverse(a, p)
    except ZeroDivisionError:  # pragma: no cover - pivot blocks are strongly nonsingular
        inverse = inverse_mod_p(np.mod(a.astype(np.int64), p), p).astype(np.float64)
        return _balance(inverse, p)


_NONE = np.zeros(0, dtype=np.intp)


def _panel_profile(panel: np.ndarray, p: int, widths: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a maximal nonsingular square submatrix of a panel
    (balanced float64 residues), in elimination order.

    Only rows with a nonzero entry take part. The first ``2 * width`` of them
    are tried alone first: when they already give ``width`` pivots (full
    column rank, the usual case) the panel's other rows are never touched;
    otherwise the whole panel is eliminated.
    """
    width = panel.shape[1]
    nonzero = np.flatnonzero(np.any(panel != 0, axis=1))
    if nonzero.size == 0:
        return _NONE, _NONE
    if nonzero.size > 2 * width:
        rows, cols = _blocked_pivots(panel[nonzero[: 2 * width]], p, widths)
        if rows.size == width:
            return nonzero[rows], cols
    rows, cols = _blocked_pivots(panel[nonzero], p, widths)
    return nonzero[rows], cols


def _blocked_pivots(
    work: np.ndarray, p: int, widths: tuple[int, ...] = _WIDTHS, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a maximal nonsingular square submatrix of ``work``
    (float64 balanced residues, overwritten), by blocked Schur-complement
    elimination; with ``limit``, stops as soon as that many pivots are found.

    Panels of ``widths[0]`` columns are reduced recursively with the next
    width (the narrowest by :func:`_panel_pivots`); the pivot block's Schur
    complement replaces the rest, and the panel's other columns are dropped
    because their Schur complement is zero. The pivots come out in
    elimination order, so every leading principal minor of the pivot block is
    nonzero (what :func:`_balanced_inverse` needs).
    """
    if len(widths) <= 1:
        found_rows, found_cols = _panel_pivots(np.mod(work.astype(np.int64), p), p)
        return np.array(found_rows, dtype=np.intp), np.array(found_cols, dtype=np.intp)
    row_ids = np.arange(work.shape[0])
    col_ids = np.arange(work.shape[1])
    pivot_rows: list[np.ndarray] = []
    pivot_cols: list[np.ndarray] = []
    found = 0
    while work.size and (limit is None or found < limit):
        width = min(widths[0], work.shape[1])
        panel = work[:, :width]
        rows, cols = _panel_profile(panel, p, widths[1:])
        trailing = work[:, width:]
        if rows.size == 0:
            work, col_ids = trailing, col_ids[width:]
            continue
        pivot_rows.append(row_ids[rows])
        pivot_cols.append(col_ids[cols])
        found += rows.size
        keep = np.ones(work.shape[0], dtype=bool)
        keep[rows] = False
        others = np.flatnonzero(keep)
        if others.size == 0 or trailing.shape[1] == 0:
            break
        a11_inv = _pivot_block_inverse(panel[np.ix_(rows, cols)], p)
        # Schur complement: A22 - A21 (A11^{-1} A12).
        solved = _product(a11_inv, trailing[rows], p)
        work = trailing[others]
        _subtract_product(work, panel[np.ix_(others, cols)], solved, p)
        row_ids, col_ids = row_ids[others], col_ids[width:]
    if not pivot_rows:
        return _NONE, _NONE
    return np.concatenate(pivot_rows), np.concatenate(pivot_cols)


def rank_mod_p(matrix: np.ndarray, p: int = DEFAULT_PRIME, *, limit: int | None = None) -> int:
    """Exact rank of an integer matrix modulo the prime ``p`` (``p < 2**31``).

    Parameters
    ----------
    matrix : array_like of int
        Any integers; they are reduced modulo ``p`` first.
    p : int
        A prime below 2**31.
    limit : int, optional
        An upper bound known in advance (e.g. a model's a-priori rank bound):
        the elimination stops as soon as the rank reaches it and returns it.

    Returns
    -------
    int
        The rank over Z/pZ (``min(rank, limit)`` with ``limit``).

    Notes
    -----
    Matrices whose smaller side is at most :data:`FLINT_SIDE` go to
    python-flint's ``nmod_mat`` (:func:`rank_mod_p_flint`); larger ones to a
    blocked elimination: a panel of at most 240 columns is reduced exactly
    (recursively, in panels of 48 and 8, each tried first on twice its width
    of rows) to find a nonsingular k x k pivot block ``A11``; the remaining
    rows and columns are replaced by the Schur complement
    ``A22 - A21 A11^{-1} A12`` (exact BLAS-backed modular products), and the
    panel's other columns are dropped because their Schur complement is
    zero. The rank is the sum of the pivot counts. The rank modulo ``p``
    never exceeds the rank over Q, so a rank found here is a certified lower
    bound on the rational rank.

    Examples
    --------
    >>> import numpy as np
    >>> rank_mod_p(np.arange(12).reshape(3, 4))
    2
    >>> rank_mod_p(np.eye(300, dtype=np.int64), limit=10)
    10
    """
    if not 2 <= p < 2**31:
        raise ValueError(f"rank_mod_p needs a prime modulus p >= 2 and below 2**31, got {p}")
    work = np.mod(np.asarray(matrix, dtype=np.int64), p)
    if work.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {work.shape}")
    if min(work.shape) <= FLINT_SIDE:
        rank = rank_mod_p_flint(work, p)
        return rank if limit is None else min(rank, limit)
    return rank_mod_p_blocked(work, p, limit=limit)


def rank_mod_p_blocked(matrix: np.ndarray, p: int = DEFAULT_PRIME, *, limit: int | None = None) -> int:
    """:func:`rank_mod_p` by the blocked elimination alone, at every shape.

    Examples
    --------
    >>> rank_mod_p_blocked(np.array([[1, 2], [2, 4]]), 7)
    1
    """
    work = np.mod(np.asarray(matrix, dtype=np.int64), p)
    if work.shape[0] < work.shape[1]:
        work = work.T
    balanced = _balance(np.ascontiguousarray(work, dtype=np.float64), p)
    rows, _ = _blocked_pivots(balanced, p, limit=limit)
    return int(rows.size) if limit is None else min(int(rows.size), limit)


def _to_flint(work: np.ndarray, p: int):
    """An ``nmod_mat`` from int64 residues, read through a memoryview (no Python list)."""
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
    return int(_to_flint(work, p).rank())


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
    reduced, rank = _to_flint(work, p).rref()
    entries = np.fromiter(map(int, reduced.entries()), dtype=np.int64, count=rows * cols)
    echelon = entries.reshape(rows, cols)[:rank]
    pivots = [int(np.flatnonzero(row)[0]) for row in echelon]
    return echelon, pivots
