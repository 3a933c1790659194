"""Number systems the model code runs in, so that it is written once.

Every model computes its outputs and Jacobian factors through an
:class:`Arithmetic` object instead of calling numpy directly. Three are
provided:

``FLOAT``
    ordinary float64 numpy arithmetic (used by the numeric solvers);
``ModularArithmetic(p)``
    exact arithmetic in Z/pZ on int64 arrays (used to decide ranks);
``TROPICAL``
    the max-plus semiring, used to read off polynomial degrees: run the
    forward pass with each weight replaced by its degree (0 or 1) and the
    output entries come out as the exact degree of the output polynomials.

All operations broadcast over leading batch dimensions, so one model call
can evaluate many trials at once.

Examples
--------
>>> import numpy as np
>>> ar = ModularArithmetic(7)
>>> ar.matmul(np.array([[3, 4]]), np.array([[5], [6]]))
array([[4]])
>>> TROPICAL.matmul(np.array([[1.0, 0.0]]), np.array([[1.0], [0.0]]))
array([[2.]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Arithmetic",
    "FloatArithmetic",
    "ModularArithmetic",
    "TropicalArithmetic",
    "ObjectArithmetic",
    "FLOAT",
    "OBJECT",
    "TROPICAL",
    "DEFAULT_PRIME",
    "matmul_mod",
]

#: The Mersenne prime 2**31 - 1: products of two residues fit in int64 and the
#: 16-bit limbs used by :func:`matmul_mod` keep BLAS float64 products exact.
DEFAULT_PRIME = 2_147_483_647

_LIMB = 1 << 16
# Largest inner dimension for which a sum of 16-bit x 16-bit limb products is
# exact in float64 (2**32 * 2**21 = 2**53).
_MAX_EXACT_INNER = 1 << 21


def matmul_mod(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Exact ``a @ b mod p`` for int64 residues in ``[0, p)``, ``p < 2**32``.

    Each factor is split into two 16-bit limbs; the four limb products are
    exact float64 BLAS matrix products (every partial sum stays below 2**53),
    reduced modulo ``p`` and recombined in int64.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[2**30, 5]], dtype=np.int64)
    >>> b = np.array([[2**30], [7]], dtype=np.int64)
    >>> int(matmul_mod(a, b, 2**31 - 1)[0, 0]) == (2**60 + 35) % (2**31 - 1)
    True
    """
    inner = a.shape[-1]
    if inner > _MAX_EXACT_INNER:
        half = inner // 2
        return (
            matmul_mod(a[..., :half], b[..., :half, :], p)
            + matmul_mod(a[..., half:], b[..., half:, :], p)
        ) % p
    a_hi, a_lo = np.divmod(a, _LIMB)
    b_hi, b_lo = np.divmod(b, _LIMB)
    a_hi, a_lo, b_hi, b_lo = (x.astype(np.float64) for x in (a_hi, a_lo, b_hi, b_lo))

    def part(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.fmod(np.matmul(x, y), p).astype(np.int64)

    hh = part(a_hi, b_hi)
    mid = (part(a_hi, b_lo) + part(a_lo, b_hi)) % p
    ll = part(a_lo, b_lo)
    shift = _LIMB % p
    shift2 = (_LIMB * _LIMB) % p
    return ((hh * shift2) % p + (mid * shift) % p + ll) % p


class Arithmetic:
    """Interface of a number system; see the module docstring."""

    name: str = "abstract"
    exact: bool = False

    def asarray(self, x) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def add(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def mul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def zeros(self, shape) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def eye(self, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def sum(self, terms) -> np.ndarray:
        """Sum of an iterable of equally shaped arrays (zero array if empty is
        not allowed: callers always pass at least one term)."""
        total = None
        for term in terms:
            total = term if total is None else self.add(total, term)
        if total is None:
            raise ValueError("sum of no terms")
        return total


class FloatArithmetic(Arithmetic):
    """float64 numpy arithmetic."""

    name = "float"
    exact = False

    def asarray(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def matmul(self, a, b):
        return np.matmul(a, b)

    def add(self, a, b):
        return a + b

    def mul(self, a, b):
        return a * b

    def zeros(self, shape):
        return np.zeros(shape)

    def eye(self, n):
        return np.eye(n)


@dataclass(frozen=True)
class ModularArithmetic(Arithmetic):
    """Exact arithmetic in Z/pZ on int64 arrays (``p`` prime, ``p < 2**32``)."""

    p: int = DEFAULT_PRIME
    name = "modular"
    exact = True

    def __post_init__(self) -> None:
        if not 2 <= self.p < 2**32:
            raise ValueError(f"modulus must satisfy 2 <= p < 2**32, got {self.p}")

    def asarray(self, x) -> np.ndarray:
        return np.mod(np.asarray(x, dtype=np.int64), self.p)

    def matmul(self, a, b):
        return matmul_mod(a, b, self.p)

    def add(self, a, b):
        return (a + b) % self.p

    def mul(self, a, b):
        return (a * b) % self.p

    def zeros(self, shape):
        return np.zeros(shape, dtype=np.int64)

    def eye(self, n):
        return np.eye(n, dtype=np.int64)

    def random(self, shape, rng: np.random.Generator) -> np.ndarray:
        """Uniform residues in ``[0, p)``."""
        return rng.integers(0, self.p, size=shape, dtype=np.int64)


class TropicalArithmetic(Arithmetic):
    """The max-plus semiring: ``a + b -> max(a, b)``, ``a * b -> a + b``.

    Entries are degrees; ``-inf`` is the additive identity (a zero polynomial).
    Running a polynomial model whose expansion has only positive coefficients
    (no cancellation, as for products of generic matrices) in this semiring
    gives the exact degree of each output.
    """

    name = "tropical"
    exact = True

    def asarray(self, x):
        return np.asarray(x, dtype=np.float64)

    def matmul(self, a, b):
        return np.max(a[..., :, :, None] + b[..., None, :, :], axis=-2)

    def add(self, a, b):
        return np.maximum(a, b)

    def mul(self, a, b):
        return a + b

    def zeros(self, shape):
        return np.full(shape, -np.inf)

    def eye(self, n):
        out = np.full((n, n), -np.inf)
        np.fill_diagonal(out, 0.0)
        return out


class ObjectArithmetic(FloatArithmetic):
    """numpy object arrays of exact or ball numbers (``fractions.Fraction``,
    python-flint ``fmpq``, ``arb``, ``acb``, polynomials): numpy's operators
    dispatch to the objects' own arithmetic.

    Examples
    --------
    >>> from fractions import Fraction
    >>> OBJECT.matmul(OBJECT.asarray([[Fraction(1, 3)]]), OBJECT.asarray([[3]]))[0, 0]
    Fraction(1, 1)
    """

    name = "object"
    exact = True

    def asarray(self, x) -> np.ndarray:
        return np.asarray(x, dtype=object)

    def zeros(self, shape):
        return np.zeros(shape, dtype=np.int64).astype(object)

    def eye(self, n):
        return np.eye(n, dtype=np.int64).astype(object)


FLOAT = FloatArithmetic()
TROPICAL = TropicalArithmetic()
OBJECT = ObjectArithmetic()
