"""A Markov-reduced square quadratic family, once per allocation: its template and samples.

For an lrnn W-only allocation whose reduction is square quadratic
(:func:`~symmp.numeric.problems.markov.square_quadratic_unknowns`), the
family of reduced systems has one elimination template
(:func:`family_template`, built exactly mod p, cached) and a fixed set of
floating-point sample members (:func:`float_samples`) that guide its pivots,
choose its elimination and decide whether certificates of no real root pay
(:func:`certificates_pay`). Used by the ``algebraic`` solver.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> family_template(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)).roots
12
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...allocation import Allocation
from ...modlinalg import rref_mod_p
from ..problems.markov import ReducedMarkovProblem, natural_scale, square_quadratic_unknowns
from ..problems.match import MatchProblem
from ..problems.quadratic import QuadraticProblem
from ..sampling import draw_trials
from .action_matrix import choose_method
from .certificate import find_certificates, homogenized_forms
from .forms import NotZeroDimensional, quadratic_terms, term_coefficients
from .template import MAX_UNKNOWNS, ActionTemplate, build_template

__all__ = [
    "reduced_square",
    "reduced_quadratic_mod_p",
    "family_template",
    "certificates_pay",
    "float_samples",
    "scaled_members",
    "CERTIFICATE_SHARE",
]

#: the certificate stage runs in families where at least this share of the sample members
#: has a certificate of no real root (:func:`certificates_pay`)
CERTIFICATE_SHARE = 0.125
_PRIME = 2**31 - 1  # the exact family instance's modulus
_SAMPLE_SEED = 20251128  # the template's floating-point sample member (pivot guide only)


def reduced_square(allocation: Allocation) -> bool:
    """True when the Markov reduction leaves a square quadratic system of at most
    :data:`~symmp.numeric.roots.template.MAX_UNKNOWNS` unknowns."""
    q = square_quadratic_unknowns(allocation)
    return q is not None and q <= MAX_UNKNOWNS


@lru_cache(maxsize=64)
def family_template(allocation: Allocation) -> ActionTemplate | None:
    """The elimination template of the allocation's reduced family (cached), or None.

    Built exactly from a random member mod p
    (:func:`reduced_quadratic_mod_p`,
    :func:`~symmp.numeric.roots.template.build_template`); None when the
    family's systems have infinitely many roots or none.
    """
    samples = float_samples(allocation)
    first = None if samples is None else term_coefficients(*(part[:1] for part in samples))[0]
    for seed in (0, 1):  # a second instance if the first was degenerate (probability <= ~1e-6)
        try:
            template = build_template(reduced_quadratic_mod_p(allocation, seed), sample=first)
            return template if samples is None else choose_method(template, samples)
        except NotZeroDimensional:
            return None
        except ArithmeticError:
            continue
    return None


@lru_cache(maxsize=64)
def certificates_pay(allocation: Allocation) -> bool:
    """Whether the certificate stage is worth its cost in this family (cached).

    True when at least :data:`CERTIFICATE_SHARE` of the family's fixed
    floating-point sample members (the 24 that guide the template) have a
    certificate of no real root: in families where nearly every trial is
    solvable (MP near 1) the search would only delay the roots.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> certificates_pay(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=8, m=4))  # MP about 0.44
    True
    >>> certificates_pay(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4))  # MP about 1
    False
    """
    samples = float_samples(allocation)
    if samples is None:
        return False
    return bool(find_certificates(homogenized_forms(*samples)).certified.mean() >= CERTIFICATE_SHARE)


@lru_cache(maxsize=64)
def float_samples(allocation: Allocation, count: int = 24):
    """``(constant, linear, hessian)`` of floating-point members of the reduced family
    (fixed draws, unknowns in natural scale), or None: they guide the template's
    pivots, choose its elimination and whether certificates pay, never decide a rank."""
    trials = draw_trials(allocation, _SAMPLE_SEED, range(count))
    reduced = ReducedMarkovProblem(MatchProblem(allocation, trials), metric="markov")
    rows = np.flatnonzero(reduced.eligible)
    if rows.size == 0:
        return None
    quad = QuadraticProblem(reduced, reduced.quadratic_coefficients())
    return scaled_members(quad, rows, natural_scale(reduced.exact, rows))


def scaled_members(quad: QuadraticProblem, owner: np.ndarray, scale: np.ndarray) -> tuple:
    """``(constant, linear, hessian)`` of members ``owner`` with the unknowns divided by ``scale``."""
    return (
        quad.constant[owner],
        quad.linear[owner] * scale[:, None, None],
        quad.hessian[owner] * (scale**2)[:, None, None, None],
    )


def _mod(matrix) -> np.ndarray:
    return np.asarray(matrix, dtype=object) % _PRIME


class _ModPrime:
    """Products of python-int object arrays reduced modulo the family prime
    (the arithmetic :meth:`LRNN.markov_blocks <symmp.models.LRNN.markov_blocks>` runs in here)."""

    @staticmethod
    def matmul(a, b) -> np.ndarray:
        return _mod(a @ b)


def reduced_quadratic_mod_p(allocation: Allocation, seed: int = 0) -> np.ndarray:
    """An exact random member mod p of the allocation's reduced square quadratic family.

    The exact counterpart of :class:`ReducedMarkovProblem` for
    ``convention="paper"``, T = 2: random integer student (D, B, fixed part
    of W) and teacher mod ``p = 2^31 - 1``, the linear block
    ``D W B = D* W* B*`` solved exactly (particular solution plus a null-space
    basis, then a random change of the ``q = r - d*b`` unknowns), and the
    block ``D W^2 B - D* W*^2 B*`` expanded in them, its ``d*b`` equations
    mixed by a random invertible matrix. Used to build the family's
    elimination template (:func:`symmp.numeric.roots.template.build_template`),
    whose rank decisions are then exact for this instance.

    Returns
    -------
    ndarray of int (object), shape (d*b, terms)
        Coefficients in :func:`~symmp.numeric.roots.forms.quadratic_terms` order.

    Raises
    ------
    ArithmeticError
        The linear block is not of full row rank d*b for the instance.
    """
    if square_quadratic_unknowns(allocation) is None:
        raise ValueError("reduced_quadratic_mod_p needs an lrnn W-only allocation (paper convention, T = 2, "
                         "m >= T*b, r = 2*d*b)")
    model = allocation.model
    n, b, d = model.n, model.b, model.d
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return np.array(rng.integers(0, _PRIME, size=shape).tolist(), dtype=object)

    D, B, W0, W_t, B_t, D_t = draw(d, n), draw(n, b), draw(n, n), draw(n, n), draw(n, b), draw(d, n)
    entries = [(i, j) for _, i, j in allocation.ordered_entries]
    for i, j in entries:
        W0[i, j] = 0
    markov = model.markov_blocks({"W": W_t, "B": B_t, "D": D_t}, _ModPrime)  # D* W*^j B*, j = 1, 2
    first, second = markov[1], markov[2]
    r = len(entries)
    A = [[D[e // b, i] * B[j, e % b] % _PRIME for i, j in entries] for e in range(d * b)]
    rhs = _mod(first - _mod(D @ _mod(W0 @ B))).reshape(-1)
    augmented = np.array([[int(v) for v in A[e]] + [int(rhs[e])] for e in range(d * b)], dtype=object)
    reduced, pivots = rref_mod_p(augmented, _PRIME)
    if len(pivots) != d * b or r in pivots:
        raise ArithmeticError("the linear Markov block of the random instance is not of full row rank")
    free = [j for j in range(r) if j not in pivots]
    particular = np.zeros(r, dtype=object)
    null = np.zeros((r, len(free)), dtype=object)
    for i, j in enumerate(pivots):
        particular[j] = int(reduced[i, r])
    for k, f in enumerate(free):
        null[f, k] = 1
        for i, j in enumerate(pivots):
            null[j, k] = -int(reduced[i, f]) % _PRIME
    q = len(free)
    null = _mod(null @ draw(q, q))  # a random change of unknowns
    mix = draw(d * b, d * b)

    def value(z):
        theta = _mod(particular + null @ np.asarray(z, dtype=object))
        W = W0.copy()
        for (i, j), v in zip(entries, theta):
            W[i, j] = v
        return _mod(mix @ _mod(_mod(D @ _mod(W @ _mod(W @ B))) - second).reshape(-1))

    half = pow(2, _PRIME - 2, _PRIME)
    unit = np.eye(q, dtype=int)
    constant = value(unit[0] * 0)
    plus = [value(unit[i]) for i in range(q)]
    minus = [value(-unit[i]) for i in range(q)]
    linear = [_mod((plus[i] - minus[i]) * half) for i in range(q)]
    square = [_mod((plus[i] + minus[i]) * half - constant) for i in range(q)]
    coefficient = {tuple(unit[0] * 0): constant}
    for i in range(q):
        coefficient[tuple(unit[i])] = linear[i]
        coefficient[tuple(2 * unit[i])] = square[i]
        for k in range(i + 1, q):
            both = value(unit[i] + unit[k])
            coefficient[tuple(unit[i] + unit[k])] = _mod(
                both - constant - linear[i] - linear[k] - square[i] - square[k]
            )
    return np.array([[coefficient[t][e] for t in quadratic_terms(q)] for e in range(d * b)], dtype=object)
