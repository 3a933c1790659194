"""Blocked right-looking elimination modulo p whose bulk work is exact BLAS.

The rank of a matrix of balanced float64 residues (:mod:`.balanced`) by
three levels:

1. **trailing updates** (:func:`eliminate`): panels of :data:`PANEL`
   columns. A panel's pivot block ``A11`` (k x k, nonsingular) and its
   inverse come from level 2 on the panel's first ``PANEL + EXTRA_ROWS``
   rows with a nonzero entry; the other rows and the non-pivot columns are
   replaced by the Schur complement ``A22 - A21 (A11^{-1} A12)``, a new
   contiguous array updated inside BLAS (two exact products accumulated
   before one reduction, :func:`~.balanced.subtract_product`). Non-pivot
   columns of a panel (its tried rows were not enough) stay in the trailing
   block, so no row is eliminated twice; all-zero columns are dropped;
2. **panel** (:func:`panel_inverse`): block Gauss-Jordan on the tried rows
   in sub-panels of :data:`SUB_PANEL` columns, every update an exact product,
   which leaves the inverse of the pivot block in place;
3. **leaf** (:func:`leaf_inverse`): in-place Gauss-Jordan on int64 residues
   of ``SUB_PANEL + EXTRA_ROWS`` rows, the only loop over columns (one
   step per pivot).

Measured at 2000 x 2000, p = 2**31 - 1, one BLAS thread: about 0.65 s of CPU,
of which ~0.35 s is the BLAS products themselves (``benchmarks/bench_rank.py``
compares it with numpy's ``matrix_rank``).

Every leading principal minor of a pivot block is nonzero by construction,
and every value stays an exact integer below 2**53, so the rank is exact.

Examples
--------
>>> import numpy as np
>>> from symmp.modlinalg.balanced import balanced_residues
>>> eliminate(balanced_residues(np.array([[1, 2], [2, 4], [0, 1]]), 7), 7)
2
"""

from __future__ import annotations

import numpy as np

from .balanced import balance, matmul_balanced, subtract_product

__all__ = ["eliminate", "panel_inverse", "leaf_inverse", "PANEL", "SUB_PANEL"]

#: Columns of a trailing-update panel (one exact chunk of two products at p < 2**31).
PANEL = 160
#: Columns of a sub-panel of the block Gauss-Jordan.
SUB_PANEL = 32
#: Rows tried beyond a (sub-)panel's width before the others are looked at.
EXTRA_ROWS = 8

_NONE = np.zeros(0, dtype=np.intp)


def leaf_inverse(block: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pivot rows, pivot columns and the inverse of the pivot block of a small
    int64 residue block (overwritten), by in-place Gauss-Jordan.

    The pivot block is ``block[rows][:, cols]`` (rows and columns in
    elimination order); the inverse comes back in int64 residues.

    Examples
    --------
    >>> rows, cols, inverse = leaf_inverse(np.array([[0, 3], [2, 1]]), 7)
    >>> rows.tolist(), cols.tolist(), inverse.tolist()
    ([1, 0], [0, 1], [[4, 1], [0, 5]])
    """
    work = block
    height, width = work.shape
    free = np.ones(height, dtype=bool)
    rows: list[int] = []
    cols: list[int] = []
    for col in range(width):
        column = work[:, col]
        candidates = free & (column != 0)
        row = int(np.argmax(candidates))
        if not candidates[row]:
            continue
        inverse = pow(int(column[row]), p - 2, p)
        pivot_row = work[row] * inverse
        pivot_row %= p
        # the in-place trick: with inverse + 1 in the pivot column, every other
        # row's entry there becomes -entry * inverse (the pivot row is rewritten)
        pivot_row[col] = inverse + 1
        work -= column[:, None] * pivot_row  # |product| < p**2 < 2**62: one int64 modulo
        work %= p
        pivot_row[col] = inverse
        work[row] = pivot_row
        free[row] = False
        rows.append(row)
        cols.append(col)
        if len(rows) == height:
            break
    rows_out, cols_out = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
    return rows_out, cols_out, work[np.ix_(rows_out, cols_out)]


def panel_inverse(panel: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pivot rows ``R``, pivot columns ``C`` and ``X = panel[R][:, C]^{-1}`` of a
    panel of balanced float64 residues (overwritten), ``R`` and ``C`` in
    elimination order; ``len(R)`` is the panel's rank.

    Block Gauss-Jordan in sub-panels of :data:`SUB_PANEL` columns: each
    sub-panel's pivots come from :func:`leaf_inverse` on its first
    ``width + EXTRA_ROWS`` free rows with a nonzero entry (again on the next
    rows for the columns left without a pivot); the pivot rows are multiplied by the
    block's inverse and every other row is reduced by one exact product, the
    pivot columns keeping the inverse (so it accumulates in place).

    Examples
    --------
    >>> rows, cols, inverse = panel_inverse(np.array([[0.0, 3.0], [2.0, 1.0]]), 7)
    >>> np.mod(inverse, 7).astype(int).tolist()
    [[4, 1], [0, 5]]
    """
    height, width = panel.shape
    free = np.ones(height, dtype=bool)
    pivot_rows: list[np.ndarray] = []
    pivot_cols: list[np.ndarray] = []
    for start in range(0, width, SUB_PANEL):
        pending = np.arange(start, min(start + SUB_PANEL, width))
        while pending.size and free.any():
            nonzero = np.flatnonzero(free & np.any(panel[:, pending] != 0, axis=1))
            if nonzero.size == 0:
                break
            tried = nonzero[: pending.size + EXTRA_ROWS]
            leaf = np.mod(panel[np.ix_(tried, pending)].astype(np.int64), p)
            local_rows, local_cols, inverse = leaf_inverse(leaf, p)
            rows, cols = tried[local_rows], pending[local_cols]
            inverse = balance(inverse.astype(np.float64), p)
            top = matmul_balanced(inverse, panel[rows], p)
            top[:, cols] = inverse
            factor = panel[:, cols].copy()
            factor[rows] = 0
            panel[:, cols] = 0
            panel[rows] = top
            subtract_product(panel, factor, top, p)
            free[rows] = False
            pivot_rows.append(rows)
            pivot_cols.append(cols)
            left = np.ones(pending.size, dtype=bool)
            left[local_cols] = False
            pending = pending[left]
            if tried.size == nonzero.size:
                break  # every candidate row was tried: the rest of `pending` is zero
    if not pivot_rows:
        return _NONE, _NONE, np.zeros((0, 0))
    rows, cols = np.concatenate(pivot_rows), np.concatenate(pivot_cols)
    return rows, cols, panel[np.ix_(rows, cols)]


def eliminate(work: np.ndarray, p: int, limit: int | None = None) -> int:
    """Rank modulo p of balanced float64 residues ``work`` (overwritten);
    with ``limit``, stops as soon as the rank reaches it.

    See the module docstring for the three levels.
    """
    rank = 0
    while work.shape[0] and work.shape[1] and (limit is None or rank < limit):
        width = min(PANEL, work.shape[1])
        mask = work[:, :width] != 0
        used = np.any(mask, axis=0)
        if not used.all():  # all-zero columns are dropped
            work = work[:, np.concatenate([np.flatnonzero(used), np.arange(width, work.shape[1])])]
            continue
        tried = np.flatnonzero(np.any(mask, axis=1))[: width + EXTRA_ROWS]
        rows, cols, inverse = panel_inverse(work[tried, :width], p)
        k = rows.size
        rank += k
        if k == work.shape[0] or k == work.shape[1]:
            break
        rows = tried[rows]
        rest = np.ones(work.shape[1], dtype=bool)
        rest[cols] = False
        others = np.ones(work.shape[0], dtype=bool)
        others[rows] = False
        trailing = np.flatnonzero(rest)
        if trailing[0] == k and trailing.size == work.shape[1] - k:
            trailing = slice(k, None)  # pivots are the leading columns (the usual case)
        others = np.flatnonzero(others)
        solved = matmul_balanced(inverse, work[np.ix_(rows, np.arange(work.shape[1])[trailing])], p)
        schur = work[others, k:] if isinstance(trailing, slice) else work[np.ix_(others, trailing)]
        subtract_product(schur, work[np.ix_(others, cols)], solved, p)
        work = schur
    return rank if limit is None else min(rank, limit)
