"""Exact linear algebra over the prime field Z/pZ.

Use :func:`rank_mod_p` to decide the rank of an integer matrix modulo a
prime. Matrices of at most :data:`FLINT_ENTRIES` entries go to
python-flint's ``nmod_mat`` (:func:`rank_mod_p_flint`); larger ones to the
blocked elimination of :mod:`symmp.modlinalg.blocked`, whose bulk work is
float64 BLAS products made exact by balanced residues and a limb split of one
operand (:mod:`symmp.modlinalg.balanced`), so a large rank costs a fraction
of a floating-point SVD (``benchmarks/bench_rank.py``). The tests check that
both agree with flint. Small Gauss-Jordan routines live in
:mod:`symmp.modlinalg.dense`.

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

from ..arithmetic import DEFAULT_PRIME
from .balanced import balanced_residues, matmul_balanced, product_plan
from .blocked import eliminate
from .dense import inverse_mod_p, rank_mod_p_flint, rref_mod_p, solve_mod_p

__all__ = [
    "rank_mod_p",
    "rank_mod_p_blocked",
    "rank_mod_p_flint",
    "rref_mod_p",
    "inverse_mod_p",
    "solve_mod_p",
    "balanced_residues",
    "matmul_balanced",
    "product_plan",
    "FLINT_ENTRIES",
]

#: Matrices of at most this many entries go to python-flint's ``nmod_mat``.
#: Measured (one BLAS thread, p = 2**31 - 1): flint reads ~0.5 us per entry,
#: so it wins only while the blocked elimination's fixed cost (~1.5 ms)
#: dominates: 80 x 80 flint 2.3 ms vs 5.4 ms, 128 x 128 7.5 vs 7.0 ms,
#: 64 x 1000 31.6 vs 4.6 ms, 40 x 5000 107 vs 4.3 ms.
FLINT_ENTRIES = 12_000


def _checked(matrix, p: int) -> np.ndarray:
    if not 2 <= p < 2**31:
        raise ValueError(f"rank_mod_p needs a prime modulus p >= 2 and below 2**31, got {p}")
    work = np.asarray(matrix)
    if work.dtype.kind == "f":
        work = work.astype(np.int64)
    if work.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {work.shape}")
    return work


def rank_mod_p(matrix: np.ndarray, p: int = DEFAULT_PRIME, *, limit: int | None = None) -> int:
    """Exact rank of an integer matrix modulo the prime ``p`` (``p < 2**31``).

    Parameters
    ----------
    matrix : array_like of int
        Any integers; they are reduced modulo ``p``.
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
    Matrices of at most :data:`FLINT_ENTRIES` entries go to python-flint;
    larger ones to :func:`rank_mod_p_blocked`. The rank modulo
    ``p`` never exceeds the rank over Q, so a rank found here is a certified
    lower bound on the rational rank.

    Examples
    --------
    >>> import numpy as np
    >>> rank_mod_p(np.arange(12).reshape(3, 4))
    2
    >>> rank_mod_p(np.eye(300, dtype=np.int64), limit=10)
    10
    """
    work = _checked(matrix, p)
    if work.size <= FLINT_ENTRIES:
        rank = rank_mod_p_flint(np.mod(work.astype(object) if work.dtype.kind == "O" else work, p), p)
        return rank if limit is None else min(rank, limit)
    return rank_mod_p_blocked(work, p, limit=limit)


def rank_mod_p_blocked(matrix: np.ndarray, p: int = DEFAULT_PRIME, *, limit: int | None = None) -> int:
    """:func:`rank_mod_p` by the blocked elimination alone, at every shape.

    The matrix is made tall (transposed if wide) and converted once to
    balanced float64 residues; :func:`symmp.modlinalg.blocked.eliminate`
    does the rest in place.

    Examples
    --------
    >>> rank_mod_p_blocked(np.array([[1, 2], [2, 4]]), 7)
    1
    """
    work = _checked(matrix, p)
    if work.size == 0:
        return 0
    balanced = balanced_residues(work, p, transpose=work.shape[0] < work.shape[1])
    return eliminate(balanced, p, limit=limit)
