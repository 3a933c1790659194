"""Exact products modulo p on float64 residues, at BLAS speed.

Residues are kept *balanced* in float64, ``|x| <= h = p // 2 + 2``, so a
float64 BLAS product is exact as long as every partial sum stays below
2**53. Two regimes, chosen from the prime (:func:`product_plan`):

- **one product** when ``inner * h**2 + h < 2**53`` (primes below about
  1.2e7 at the 240-term inner chunks of the elimination): the plain float64
  product, reduced once;
- **two products** otherwise (every prime below 2**31): only the left
  operand is split, ``x = hi * 2**15 + lo`` with ``|hi| <= 2**15 + 1`` and
  ``|lo| <= 2**14``, and ``target - hi @ (2**15 y mod p) - lo @ y`` is
  accumulated inside BLAS (``dgemm`` with beta = 1) before one reduction,
  exact while ``h * (1 + inner * (2**15 + 1 + 2**14)) < 2**53`` (170 terms at
  ``p = 2**31 - 1``).

Examples
--------
>>> import numpy as np
>>> matmul_balanced(np.array([[3.0, -2.0]]), np.array([[2.0], [1.0]]), 5).tolist()
[[-1.0]]
>>> product_plan(2**31 - 1)
(2, 170)
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import dgemm

__all__ = ["balance", "balanced_residues", "matmul_balanced", "subtract_product", "product_plan",
           "MAX_EXACT", "ROW_BLOCK"]

#: float64 integers are exact below this
MAX_EXACT = float(2**53)
_HALF = float(1 << 15)
#: Rows per cache-sized block of a product.
ROW_BLOCK = 64
#: Inner chunks are capped here (longer chunks gain nothing and cost cache).
_MAX_INNER = 1 << 14


def product_plan(p: int) -> tuple[int, int]:
    """(BLAS products per chunk, largest exact inner dimension) for prime ``p``.

    One product while ``inner * h**2 + h < 2**53`` allows 240 terms; else two
    (``left = hi * 2**15 + lo``, the right operand also taken times 2**15 mod
    p), accumulated into the target together before one reduction:
    ``h * (1 + inner * (2**15 + 1 + 2**14)) < 2**53``.

    Examples
    --------
    >>> product_plan(1_000_003)
    (1, 16384)
    >>> product_plan(2**31 - 1)
    (2, 170)
    """
    h = p // 2 + 2
    single = (2**53 - 1 - h) // (h * h)
    if single >= 240:
        return 1, int(min(single, _MAX_INNER))
    two = ((2**53 - 1) // h - 1) // (2**15 + 1 + 2**14)
    return 2, int(min(two, _MAX_INNER))


def balance(x: np.ndarray, p: int) -> np.ndarray:
    """Reduce float64 integers ``|x| < 2**53`` in place to balanced residues,
    ``|x| <= p/2 + 2``.

    ``rint(x / p)`` from a float reciprocal is within ``1/2 + 2**-30`` of the
    true quotient, so the remainder stays in that range, and every
    intermediate is an exactly representable integer. A residue is zero mod p
    exactly when its balanced representative is 0.

    Examples
    --------
    >>> balance(np.array([6.0, 7.0, 8.0]), 7).tolist()
    [-1.0, 0.0, 1.0]
    """
    quotient = x * (1.0 / p)
    np.rint(quotient, out=quotient)
    quotient *= p
    x -= quotient
    return x


def balanced_residues(x: np.ndarray, p: int, *, transpose: bool = False) -> np.ndarray:
    """Integers (any range) as a new C-contiguous array of balanced float64
    residues, ``|x| <= p/2 + 2`` (of ``x.T`` with ``transpose``).

    Integer arrays within ``2**53`` are converted directly (no int64 modulo,
    the slow pass); larger or object entries are reduced modulo p first.

    Examples
    --------
    >>> balanced_residues(np.array([6, 7, 8]), 7).tolist()
    [-1.0, 0.0, 1.0]
    >>> balanced_residues(np.array([[1, 2]]), 7, transpose=True).shape
    (2, 1)
    """
    x = np.asarray(x)
    low, high = (int(x.min()), int(x.max())) if x.size and x.dtype.kind in "iub" else (0, 0)
    if x.dtype.kind not in "iub" or high >= 2**53 or low <= -(2**53):
        x = np.mod(x.astype(object) if x.dtype.kind == "O" else x.astype(np.int64), p).astype(np.int64)
        low, high = 0, p - 1
    out = np.empty(x.shape[::-1] if transpose else x.shape, dtype=np.float64)
    out[...] = x.T if transpose else x
    if low >= 0 and high < p:  # residues already: one conditional subtraction
        np.subtract(out, p, out=out, where=out > p // 2)
        return out
    return balance(out, p)


def _accumulate(block: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
    """``block -= left @ right`` in place (every sum an exact integer).

    A C-contiguous block is updated inside BLAS (``dgemm`` with beta = 1 on
    the transposes, no temporary); any other view through a temporary.
    """
    if block.flags.c_contiguous and left.flags.c_contiguous and right.flags.c_contiguous:
        dgemm(-1.0, right.T, left.T, 1.0, block.T, overwrite_c=1)
    else:
        block -= np.matmul(left, right)


def subtract_product(target: np.ndarray, left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """``target - left @ right`` modulo p, in place, all balanced float64 residues.

    Exact in either regime of :func:`product_plan`: the inner dimension is
    cut into equal chunks of at most the plan's length, and for two products
    ``target - hi @ (2**15 right mod p) - lo @ right`` stays below 2**53
    before its one reduction; rows are processed in cache-sized blocks of
    :data:`ROW_BLOCK`.

    Examples
    --------
    >>> subtract_product(np.array([[1.0]]), np.array([[2.0]]), np.array([[3.0]]), 7).tolist()
    [[2.0]]
    """
    products, longest = product_plan(p)
    inner = left.shape[1]
    if inner == 0 or target.size == 0:
        return target
    step = -(-inner // -(-inner // longest))  # equal chunks of at most `longest`
    for start in range(0, inner, step):
        piece = np.ascontiguousarray(left[:, start : start + step])
        chunk = np.ascontiguousarray(right[start : start + step])
        if products == 1:
            pairs = [(piece, chunk)]
        else:
            hi = np.rint(piece * (1.0 / _HALF))
            lo = piece - hi * _HALF
            pairs = [(hi, balance(chunk * _HALF, p)), (lo, chunk)]
        for row in range(0, target.shape[0], ROW_BLOCK):
            block = target[row : row + ROW_BLOCK]
            for factor, other in pairs:
                _accumulate(block, factor[row : row + ROW_BLOCK], other)
            balance(block, p)
    return target


def matmul_balanced(left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """Exact ``left @ right`` modulo p on balanced float64 residues (2-D), in
    balanced float64 residues (:func:`subtract_product` from zero).

    Examples
    --------
    >>> matmul_balanced(np.array([[3.0, -2.0]]), np.array([[2.0], [1.0]]), 5).tolist()
    [[-1.0]]
    """
    out = np.zeros((left.shape[0], right.shape[1]))
    subtract_product(out, left, right, p)
    return np.negative(out, out=out)
