"""Square quadratic systems as coefficient arrays, and their exact algebra mod p.

A system of ``q`` quadratics in ``q`` unknowns is stored per member as the
coefficients of its monomials in :func:`quadratic_terms` order;
:func:`term_coefficients` builds them from ``c + J x + x^T H x / 2``,
:func:`general_form` puts a system in general position (a fixed change of
unknowns and mix of equations, :func:`general_position`). Mod ``p``:
:func:`standard_monomials` (a grevlex Groebner basis, sympy) and
:func:`macaulay_mod_p`, from which :mod:`.template` builds a family's
elimination template.

Examples
--------
>>> [tuple(int(e) for e in term) for term in quadratic_terms(1)]
[(0,), (1,), (2,)]
>>> len(monomials(2, 2))
6
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from ... import modlinalg

__all__ = [
    "monomials",
    "quadratic_terms",
    "term_coefficients",
    "general_position",
    "general_form",
    "standard_monomials",
    "macaulay_mod_p",
    "NotZeroDimensional",
]

_PRIME = modlinalg.DEFAULT_PRIME


class NotZeroDimensional(ArithmeticError):
    """The family's systems have infinitely many roots (no finite action matrix)."""


def monomials(q: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent tuples of every monomial of degree <= ``degree``, largest first in grevlex."""
    out = set()
    for total in range(degree + 1):
        for combo in itertools.combinations_with_replacement(range(q), total):
            exponent = [0] * q
            for i in combo:
                exponent[i] += 1
            out.add(tuple(exponent))
    return sorted(out, key=lambda e: (sum(e), tuple(-x for x in reversed(e))), reverse=True)


def quadratic_terms(q: int) -> list[tuple[int, ...]]:
    """The monomials of a quadratic: 1, x_i, then x_i x_k (i <= k), in that order.

    Examples
    --------
    >>> [tuple(int(e) for e in term) for term in quadratic_terms(2)]
    [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    """
    unit = np.eye(q, dtype=int)
    out = [tuple([0] * q)] + [tuple(unit[i]) for i in range(q)]
    out += [tuple(unit[i] + unit[k]) for i in range(q) for k in range(i, q)]
    return out


def term_coefficients(constant: np.ndarray, linear: np.ndarray, hessian: np.ndarray) -> np.ndarray:
    """Coefficients in :func:`quadratic_terms` order, shape ``(k, q, terms)``, of ``c + J x + x^T H x / 2``."""
    k, q = constant.shape
    upper_i, upper_k = np.triu_indices(q)
    symmetric = 0.5 * (hessian + hessian.transpose(0, 1, 3, 2))
    quadratic = np.where(upper_i == upper_k, 0.5, 1.0) * symmetric[:, :, upper_i, upper_k]
    return np.concatenate([constant[:, :, None], linear, quadratic], axis=2)


@lru_cache(maxsize=None)
def general_position(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed random orthogonal matrices (equation mix, change of unknowns) for size ``q``.

    Examples
    --------
    >>> mix, turn = general_position(2)
    >>> bool(np.allclose(mix @ mix.T, np.eye(2)))
    True
    """
    rng = np.random.default_rng(7919 + q)
    mix = np.linalg.qr(rng.standard_normal((q, q)))[0]
    turn = np.linalg.qr(rng.standard_normal((q, q)))[0]
    return mix, turn


def general_form(coefficients: np.ndarray) -> np.ndarray:
    """Coefficients ``(k, q, terms)`` after the fixed change of unknowns and mix of equations
    (:func:`general_position`: structured systems such as x^2 = 1, y^2 = 4 come out in
    general position for the template), each equation scaled to unit norm."""
    k, q, _ = coefficients.shape
    mix, turn = general_position(q)
    constant, linear = coefficients[:, :, 0], coefficients[:, :, 1 : q + 1]
    upper_i, upper_k = np.triu_indices(q)
    hessian = np.zeros((k, q, q, q))
    diagonal = upper_i == upper_k
    hessian[:, :, upper_i, upper_k] = np.where(diagonal, 2.0, 1.0) * coefficients[:, :, q + 1 :]
    hessian[:, :, upper_k, upper_i] = hessian[:, :, upper_i, upper_k]
    linear_y = np.matmul(np.matmul(mix, linear), turn)
    turned = np.matmul(np.matmul(turn.T, hessian), turn)  # (k, e, q, q)
    hessian_y = np.matmul(mix, turned.reshape(k, q, q * q)).reshape(k, q, q, q)
    # per system (a stack of 1 x q products, not one k x q product: BLAS blocks a tall
    # product by its height, so a row's rounding would depend on the other systems)
    constant_y = np.matmul(constant[:, None, :], mix.T)[:, 0]
    out = term_coefficients(constant_y, linear_y, hessian_y)
    norms = np.linalg.norm(out, axis=2)
    return out / np.where(norms > 0, norms, 1.0)[:, :, None]


def standard_monomials(q: int, coefficients: np.ndarray) -> list[tuple[int, ...]]:
    """Standard monomials of the ideal of an exact instance mod p (grevlex Groebner basis, sympy).

    Raises :class:`NotZeroDimensional` when there are infinitely many.
    """
    import sympy
    from sympy.polys.orderings import grevlex

    xs = sympy.symbols(f"x1:{q + 1}")
    terms = quadratic_terms(q)
    polys = [
        sum(int(coefficients[e, t]) * sympy.prod([x**k for x, k in zip(xs, term)]) for t, term in enumerate(terms))
        for e in range(q)
    ]
    basis = sympy.groebner(polys, *xs, order="grevlex", modulus=_PRIME)
    if list(basis.exprs) == [1]:
        return []
    leads = [sympy.Poly(g, *xs).monoms(order=grevlex)[0] for g in basis.exprs]
    # zero-dimensional iff every variable has a pure power among the leading monomials
    top = []
    for i in range(q):
        powers = [lead[i] for lead in leads if sum(lead) == lead[i] and lead[i] > 0]
        if not powers:
            raise NotZeroDimensional("the system has a positive-dimensional set of roots")
        top.append(min(powers))
    candidates = monomials(q, sum(top))
    return [m for m in candidates if not any(all(a >= b for a, b in zip(m, lead)) for lead in leads)]


def macaulay_mod_p(q: int, degree: int, coefficients: np.ndarray):
    """Macaulay matrix mod p of degree ``degree``: rows ``x^mu f_e``, columns :func:`monomials`."""
    columns = monomials(q, degree)
    position = {m: i for i, m in enumerate(columns)}
    terms = quadratic_terms(q)
    rows = [(e, mu) for e in range(q) for mu in monomials(q, degree - 2)]
    matrix = np.zeros((len(rows), len(columns)), dtype=np.int64)
    for i, (e, mu) in enumerate(rows):
        for t, term in enumerate(terms):
            matrix[i, position[tuple(a + b for a, b in zip(term, mu))]] = coefficients[e, t] % _PRIME
    return matrix, columns, rows
