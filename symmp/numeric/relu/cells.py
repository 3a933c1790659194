"""The sign patterns one hidden unit can take as its learnable weights vary.

A unit's pre-activations on m samples are ``z = a + u B``: ``a`` (length m)
from its fixed weights, ``B`` (k x m) the inputs of its k learnable weights
``u``. Each sample is a hyperplane ``{u : z_s = 0}`` of R^k; the patterns
``z_s >= 0`` / ``z_s <= 0`` that some ``u`` realises on an open set are the
cells of that arrangement (THEORY.md section 7). Every point of R^k lies in
the closure of a cell, so the cells' closed sign regions cover R^k: a match
found in any closed region is also found in a cell's, and enumerating the
cells loses nothing.

:func:`unit_patterns` lists them:

- samples whose hyperplane is improper (that column of ``B`` is zero, e.g. a
  silent first-layer unit of ``relu2`` feeding every learnable weight) keep
  the sign of ``a_s``;
- ``u`` is reparametrised by the row space of ``B`` (rank r, by SVD);
- r >= the number of proper hyperplanes: every pattern of them;
- ``a`` outside the row space (an affine arrangement; its normals span R^r,
  so every cell is pointed and has a vertex): the vertices are the
  intersections of r hyperplanes; near a simple vertex all 2^r sign choices
  of its hyperplanes occur, the others keep their sign there;
- ``a`` in the row space (walls through one point: a fully learnable row,
  ``a = 0``): the arrangement is central; every open cone meets one of the
  two affine slices ``g . t = +-1`` (g generic), whose cells are found as
  above.

General position is checked with margins (:data:`SINGULAR`,
:data:`POSITION`); where it cannot be confirmed, every pattern of the proper
hyperplanes is returned instead: a superset, so completeness never rests on
a guess.

Examples
--------
>>> import numpy as np
>>> patterns, exact = unit_patterns(np.array([1.0, -1.0, 2.0]), np.array([[1.0, 1.0, -1.0]]))
>>> exact, len(patterns)      # one learnable weight, 3 samples: 4 intervals
(True, 4)
>>> len(unit_patterns(np.zeros(3), np.array([[1.0, 2.0, -1.0]]))[0])   # central: u > 0, u < 0
2
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["unit_patterns", "all_patterns", "SINGULAR", "RANK_GAP", "POSITION"]

#: singular values below this fraction of the largest count as zero
SINGULAR = 1e-10
#: ... and above this one as nonzero; in between the arrangement is called degenerate
RANK_GAP = 1e-7
#: a hyperplane closer than this (relative) to a vertex of others breaks general position
POSITION = 1e-9
#: the slicing direction of a central arrangement: any fixed vector is generic for random data
_SLICE_SEED = 0x5EC7


def all_patterns(m: int) -> np.ndarray:
    """Every 0/1 pattern of length m, shape (2^m, m), bool."""
    return ((np.arange(2**m)[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)


def _rank(matrix: np.ndarray) -> tuple[int, bool, np.ndarray, np.ndarray]:
    """(rank, clear, row-space basis C (rank x cols), left factor U_r) of ``matrix``."""
    if matrix.size == 0:
        return 0, True, np.zeros((0, matrix.shape[1])), np.zeros((matrix.shape[0], 0))
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    top = s[0] if s.size else 0.0
    if top == 0.0:
        return 0, True, np.zeros((0, matrix.shape[1])), np.zeros((matrix.shape[0], 0))
    rel = s / top
    rank = int(np.sum(rel > SINGULAR))
    clear = not np.any((rel > SINGULAR) & (rel < RANK_GAP))
    return rank, clear, s[:rank, None] * vt[:rank], u[:, :rank]


def _affine_cells(a: np.ndarray, c: np.ndarray) -> np.ndarray | None:
    """Cells of ``{a + t C}`` with C (r x p) of full row rank r < p and a
    outside its row space; None when general position fails."""
    r, p = c.shape
    if r == 0:
        return (a >= 0)[None, :]
    found = set()
    choices = all_patterns(r)
    for subset in itertools.combinations(range(p), r):
        cols = list(subset)
        block = c[:, cols]
        sv = np.linalg.svd(block, compute_uv=False)
        if sv[-1] <= RANK_GAP * sv[0]:
            return None
        vertex = np.linalg.solve(block.T, -a[cols])
        z = a + vertex @ c
        scale = np.abs(a) + np.linalg.norm(vertex) * np.linalg.norm(c, axis=0)
        others = np.ones(p, dtype=bool)
        others[cols] = False
        if np.any(np.abs(z[others]) <= POSITION * np.maximum(scale[others], 1e-300)):
            return None
        base = z >= 0
        for choice in choices:
            pattern = base.copy()
            pattern[cols] = choice
            found.add(pattern.tobytes())
    return np.array([np.frombuffer(b, dtype=bool) for b in sorted(found)])


def _central_cells(c: np.ndarray) -> np.ndarray | None:
    """Cells of the central arrangement ``{t C}``, C (r x p) of full row rank r < p."""
    r, p = c.shape
    if r == 1:
        row = c[0]
        return np.array([row > 0, row < 0])
    g = np.random.default_rng(_SLICE_SEED).standard_normal(r)
    basis = np.linalg.svd(g[None, :])[2][1:]  # (r-1, r): orthonormal basis of g's complement
    shift = (g / (g @ g)) @ c
    reduced = basis @ c
    out = []
    for sign in (1.0, -1.0):
        cells = _affine_cells(sign * shift, reduced)
        if cells is None:
            return None
        out.append(cells)
    return np.unique(np.concatenate(out), axis=0)


def unit_patterns(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, bool]:
    """The activation patterns of ``z = a + u B`` over all ``u``, see module doc.

    Parameters
    ----------
    a : ndarray, shape (m,)
        Pre-activations of the fixed weights.
    b : ndarray, shape (k, m)
        Inputs of the k learnable weights.

    Returns
    -------
    patterns : ndarray of bool, shape (n, m)
        True where ``z_s >= 0`` (active), False where ``z_s <= 0``.
    exact : bool
        True when they are exactly the cells; False when general position
        could not be confirmed and a superset (every pattern of the proper
        hyperplanes) is returned.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m = a.shape[0]
    proper = np.any(b != 0, axis=0)
    fixed = a >= 0  # improper hyperplanes: z_s = a_s whatever u (a_s = 0 is both; one suffices)
    idx = np.flatnonzero(proper)
    sub = None
    exact = True
    if idx.size:
        rank, clear, c, _ = _rank(b[:, idx])
        if not clear:
            sub, exact = None, False
        elif rank >= idx.size:
            sub = all_patterns(idx.size)
        else:
            ap = a[idx]
            # component of a outside the row space of C
            q = np.linalg.qr(c.T)[0]  # (p, r) orthonormal basis of the row space
            outside = ap - q @ (q.T @ ap)
            size = np.linalg.norm(outside)
            scale = np.linalg.norm(ap) + np.linalg.norm(c)
            if size <= SINGULAR * scale:
                sub = _central_cells(c)
            elif size >= RANK_GAP * scale:
                sub = _affine_cells(ap, c)
            if sub is None:
                exact = False
        if sub is None:
            sub = all_patterns(idx.size)
    else:
        sub = np.zeros((1, 0), dtype=bool)
    out = np.repeat(fixed[None, :], len(sub), axis=0)
    out[:, idx] = sub
    if m == 0:
        return np.zeros((1, 0), dtype=bool), True
    return out, exact
