"""Exact proofs that a system of equations of degree <= 2 has no real solution.

The equations are exact rational polynomials in ``r`` unknowns, each of
total degree at most 2 (e.g. an lrnn with T = 2 after the exact input
reduction: its Markov equations ``D W B`` and ``D W^2 B``). Two proofs:

1. **The linear equations are inconsistent** (exact row reduction over Q).
2. **A positive-definite combination.** The linear equations are solved
   exactly, ``theta = theta_p + N z`` (``z`` in ``Q^q``, ``N`` from the
   reduced row echelon form), and each quadratic becomes
   ``f_e(z) = [1, z] M_e [1, z]^T`` with a rational symmetric ``M_e``. If
   ``M(lam) = sum_e lam_e M_e`` is positive definite for some rational
   ``lam``, then ``sum_e lam_e f_e > 0`` on all of ``R^q``, so the
   quadratics have no common real zero on the solution set of the linear
   ones: no real solution. ``lam`` is searched in floating point
   (:func:`symmp.numeric.roots.certificate.find_certificates`, on a
   congruent, well-scaled copy of the forms: congruence keeps definiteness),
   rounded to rationals, and ``M(lam)`` is checked **exactly**: every
   leading principal minor positive (Sylvester's criterion, ``fmpq_mat.det``).

Unknowns along which every quadratic is constant (after the substitution)
are dropped first: positivity on the others is positivity everywhere.

A proof is sufficient, never necessary: a system without real solutions
need not have such a combination (then the verdict stays open). The
numbers of equations and unknowns are arbitrary, so this also proves "no"
for underdetermined systems, which point-wise methods cannot.

Examples
--------
>>> from flint import fmpq_mpoly_ctx
>>> context = fmpq_mpoly_ctx.get(("x", 3), "lex")
>>> x, y, w = context.gens()
>>> # x + y = 1 and x^2 + y^2 + w^2 = 1/4: the line stays at distance 1/sqrt(2) > 1/2
>>> prove_no_real_solution([x + y - 1, x * x + y * y + w * w - context.from_dict({(0, 0, 0): 1}) / 4], 3).proved
True
>>> prove_no_real_solution([x + y - 1, x * x + y * y + w * w - 1], 3).proved
False
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flint import fmpq, fmpq_mat

from ..roots.certificate import find_certificates

__all__ = ["NoRealProof", "prove_no_real_solution", "quadratic_parts"]


@dataclass
class NoRealProof:
    """Outcome of :func:`prove_no_real_solution`.

    Attributes
    ----------
    proved : bool
        True: the system has no real solution (exact proof).
    how : str
        ``"inconsistent"`` (the linear equations alone), ``"combination"``
        (a positive-definite combination), or why nothing was proved.
    free : int
        Unknowns left after the linear equations (``q``; -1 when the linear
        equations are inconsistent).
    lam : list of fmpq
        The combination's coefficients, one per quadratic equation.
    """

    proved: bool
    how: str
    free: int = -1
    lam: list = field(default_factory=list)


def quadratic_parts(poly, r: int) -> tuple:
    """``(c, g, Q)`` with ``poly = c + g . x + x^T Q x`` exactly (``Q`` symmetric), as fmpq objects.

    Raises ``ValueError`` for a term of degree above 2.

    Examples
    --------
    >>> from flint import fmpq_mpoly_ctx
    >>> x, y = fmpq_mpoly_ctx.get(("x", 2), "lex").gens()
    >>> c, g, Q = quadratic_parts(3 * x * y + x - 2 + 0 * y, 2)
    >>> (c, g, Q)
    (-2, [1, 0], [[0, 3/2], [3/2, 0]])
    """
    c = fmpq(0)
    g = [fmpq(0)] * r
    Q = [[fmpq(0)] * r for _ in range(r)]
    for exponent, coefficient in poly.to_dict().items():
        coefficient = fmpq(coefficient)
        used = [i for i, e in enumerate(exponent) if e]
        degree = sum(exponent)
        if degree == 0:
            c += coefficient
        elif degree == 1:
            g[used[0]] += coefficient
        elif degree == 2 and len(used) == 1:
            Q[used[0]][used[0]] += coefficient
        elif degree == 2:
            i, j = used
            Q[i][j] += coefficient / 2
            Q[j][i] += coefficient / 2
        else:
            raise ValueError(f"a term of degree {degree}: only equations of degree <= 2 are handled")
    return c, g, Q


def _solve_linear(rows: list, rhs: list, r: int):
    """All solutions of ``rows . x = rhs`` over Q: ``(x_p, N)`` (``N``: r lists of q entries) or None."""
    if not rows:
        return [fmpq(0)] * r, [[fmpq(int(i == j)) for j in range(r)] for i in range(r)]
    augmented = fmpq_mat(len(rows), r + 1, [v for row, b in zip(rows, rhs) for v in (*row, b)])
    echelon, rank = augmented.rref()
    pivots = []
    for i in range(rank):
        column = next(j for j in range(r + 1) if echelon[i, j] != 0)
        if column == r:
            return None  # 0 = nonzero: inconsistent
        pivots.append(column)
    free = [j for j in range(r) if j not in pivots]
    particular = [fmpq(0)] * r
    for i, column in enumerate(pivots):
        particular[column] = echelon[i, r]
    null = [[fmpq(0)] * len(free) for _ in range(r)]
    for k, j in enumerate(free):
        null[j][k] = fmpq(1)
        for i, column in enumerate(pivots):
            null[column][k] = -echelon[i, j]
    return particular, null


def _reduced_form(c, g, Q, particular, null) -> list:
    """``M`` (rows of fmpq) with ``f(x_p + N z) = [1, z] M [1, z]^T``."""
    r, q = len(g), len(null[0]) if null else 0
    Qp = [sum((Q[i][j] * particular[j] for j in range(r)), fmpq(0)) for i in range(r)]  # Q x_p
    constant = c + sum((g[i] * particular[i] for i in range(r)), fmpq(0)) + sum(
        (particular[i] * Qp[i] for i in range(r)), fmpq(0)
    )
    slope = [  # (g + 2 Q x_p) . N_k
        sum(((g[i] + 2 * Qp[i]) * null[i][k] for i in range(r)), fmpq(0)) for k in range(q)
    ]
    QN = [[sum((Q[i][j] * null[j][k] for j in range(r)), fmpq(0)) for k in range(q)] for i in range(r)]
    curvature = [[sum((null[i][a] * QN[i][b] for i in range(r)), fmpq(0)) for b in range(q)] for a in range(q)]
    M = [[constant] + [s / 2 for s in slope]]
    for a in range(q):
        M.append([slope[a] / 2] + curvature[a])
    return M


def _moving_directions(forms: list, q: int) -> list:
    """Coordinates ``P`` of ``z`` whose span complements the directions ``v`` along which
    every quadratic is constant (``M_e [0, v] = 0`` for all ``e``), exactly over Q.

    ``f_e(z + v) = f_e(z)`` for such ``v``, so a combination positive definite on
    the coordinates ``P`` (pivots of the stacked ``M_e[:, 1:]``, whose span meets
    the kernel only in 0) is positive everywhere.
    """
    if q == 0:
        return []
    rows = [row[1:] for M in forms for row in M]
    echelon, rank = fmpq_mat(len(rows), q, [v for row in rows for v in row]).rref()
    if rank == q:
        return list(range(q))
    return [next(j for j in range(q) if echelon[i, j] != 0) for i in range(rank)]


def _positive_definite(M: list) -> bool:
    """Exactly: every leading principal minor of the rational symmetric ``M`` is positive."""
    size = len(M)
    return all(
        fmpq_mat(k, k, [M[i][j] for i in range(k) for j in range(k)]).det() > 0 for k in range(1, size + 1)
    )


def prove_no_real_solution(polys: list, r: int, *, scale: float = 1.0) -> NoRealProof:
    """Try to prove that the equations ``polys`` (degree <= 2) have no common real zero.

    Parameters
    ----------
    polys : list of fmpq_mpoly
        Exact equations in ``r`` unknowns, each of total degree <= 2.
    r : int
    scale : float
        Typical size of the unknowns (only conditions the floating-point
        search; the proof is exact whatever it is).

    Returns
    -------
    NoRealProof

    Examples
    --------
    >>> from flint import fmpq_mpoly_ctx
    >>> x, y = fmpq_mpoly_ctx.get(("x", 2), "lex").gens()
    >>> prove_no_real_solution([x - y, x * x + y * y + 1 + 0 * x], 2).how  # 2 x^2 + 1 > 0
    'combination'
    >>> prove_no_real_solution([x - y, x * y - 1 + 0 * x], 2).proved  # x = y = 1
    False
    """
    for poly in polys:
        if poly.context().nvars() != r:
            raise ValueError(f"the equations have {poly.context().nvars()} variables, not r = {r}")
    parts = [quadratic_parts(p, r) for p in polys]
    linear = [(c, g) for c, g, Q in parts if all(v == 0 for row in Q for v in row)]
    quadratic = [part for part in parts if any(v != 0 for row in part[2] for v in row)]
    if any(c != 0 and all(v == 0 for v in g) for c, g in linear):
        return NoRealProof(True, "inconsistent")
    solved = _solve_linear([g for _, g in linear], [-c for c, _ in linear], r)
    if solved is None:
        return NoRealProof(True, "inconsistent")
    particular, null = solved
    q = len(null[0]) if null else 0
    if not quadratic:
        return NoRealProof(False, "the linear equations are consistent and there are no quadratics", q)
    forms = [_reduced_form(c, g, Q, particular, null) for c, g, Q in quadratic]
    kept = _moving_directions(forms, q)  # the quadratics are constant along the other ones
    forms = [[[M[i][j] for j in [0] + [1 + a for a in kept]] for i in [0] + [1 + a for a in kept]] for M in forms]
    null = [[row[a] for a in kept] for row in null]
    q = len(kept)
    try:
        numeric = np.array([[[float(v) for v in row] for row in M] for M in forms])  # (E, q+1, q+1)
        transform = np.eye(q + 1)  # a congruent, well-scaled copy for the search: z -> scale R^-1 w
        if q:
            _, R = np.linalg.qr(np.array([[float(v) for v in row] for row in null]))  # N = Q_N R
            if np.all(np.abs(np.diag(R)) > 0):
                transform[1:, 1:] = scale * np.linalg.inv(R)
    except OverflowError:
        return NoRealProof(False, "coefficients beyond floating-point range for the search", q)
    search = (transform.T @ numeric @ transform).reshape(len(forms), -1)
    if not np.all(np.isfinite(search)):
        return NoRealProof(False, "the quadratic forms are not finite in floating point", q)
    # search over an orthonormal basis of the forms' span: zero, repeated or proportional
    # equations (and forms that vanish on the linear solution set) drop out
    U, sigma, Vt = np.linalg.svd(search, full_matrices=False)
    rank = int(np.sum(sigma > 1e-12 * sigma[0])) if sigma.size and sigma[0] > 0 else 0
    if rank == 0:
        return NoRealProof(False, "the quadratics vanish on the solutions of the linear equations", q)
    basis = Vt[:rank].reshape(rank, q + 1, q + 1)
    found = find_certificates(basis[None])
    if not found.certified[0]:
        return NoRealProof(False, "no positive-definite combination found", q)
    weights = U[:, :rank] @ (found.lam[0] / sigma[:rank])  # sum_j lam_j basis_j = sum_e weights_e search_e
    if not np.all(np.isfinite(weights)):
        return NoRealProof(False, "the combination found is not finite", q)
    lam = [fmpq(*float(value).as_integer_ratio()) for value in weights]
    size = q + 1
    combined = [[sum((l * M[i][j] for l, M in zip(lam, forms)), fmpq(0)) for j in range(size)] for i in range(size)]
    if not _positive_definite(combined):
        return NoRealProof(False, "the rounded combination is not positive definite", q)
    return NoRealProof(True, "combination", q, lam)


@dataclass
class Margin:
    """Whether a proof of :func:`prove_no_real_solution` persists near its instance.

    Attributes
    ----------
    persistent : bool
        True: the linear equations have full row rank, every direction of
        their solution set is kept (none dropped as constant), and
        ``M(lam) - margin I`` is positive definite exactly, so the strict
        inequality survives any small change of the coefficients.
    margin : fmpq or None
        A rational ``eps > 0`` with ``M(lam) - eps I`` positive definite.
    reason : str
    """

    persistent: bool
    margin: object = None
    reason: str = ""


def combination_margin(polys: list, r: int, lam: list) -> Margin:
    """Check that the combination ``lam`` of a "combination" proof has a strict margin.

    The equations' coefficients depend continuously on the instance; with
    the linear equations of full row rank their solution set
    ``x_p + N z`` moves continuously (same pivots), so do the forms ``M_e``,
    and a positive-definite ``M(lam) - eps I`` stays positive definite
    nearby: the instance has a neighbourhood without real solutions.

    Examples
    --------
    >>> from flint import fmpq_mpoly_ctx
    >>> x, y = fmpq_mpoly_ctx.get(("x", 2), "lex").gens()
    >>> polys = [x - y, x * x + y * y + 1 + 0 * x]
    >>> proof = prove_no_real_solution(polys, 2)
    >>> combination_margin(polys, 2, proof.lam).persistent
    True
    """
    parts = [quadratic_parts(p, r) for p in polys]
    linear = [(c, g) for c, g, Q in parts if all(v == 0 for row in Q for v in row)]
    quadratic = [part for part in parts if any(v != 0 for row in part[2] for v in row)]
    if len(lam) != len(quadratic):
        return Margin(False, None, "one coefficient per quadratic equation expected")
    if linear:
        rows = fmpq_mat(len(linear), r, [v for _, g in linear for v in g])
        if rows.rank() < len(linear):
            return Margin(False, None, "the linear equations are dependent (their rank may change nearby)")
    solved = _solve_linear([g for _, g in linear], [-c for c, _ in linear], r)
    if solved is None:
        return Margin(False, None, "the linear equations are inconsistent (no combination needed)")
    particular, null = solved
    q = len(null[0]) if null else 0
    forms = [_reduced_form(c, g, Q, particular, null) for c, g, Q in quadratic]
    if len(_moving_directions(forms, q)) != q:
        return Margin(False, None, "some directions were dropped as constant (they may not stay constant nearby)")
    size = q + 1
    combined = [[sum((l * M[i][j] for l, M in zip(lam, forms)), fmpq(0)) for j in range(size)] for i in range(size)]
    smallest = float(np.linalg.eigvalsh(np.array([[float(v) for v in row] for row in combined])).min())
    if not smallest > 0:
        return Margin(False, None, "the combination is not positive definite")
    eps = fmpq(*float(smallest / 2).as_integer_ratio())
    shifted = [[v - (eps if i == j else 0) for j, v in enumerate(row)] for i, row in enumerate(combined)]
    if not _positive_definite(shifted):
        return Margin(False, None, "M(lam) - eps I is not positive definite")
    return Margin(True, eps, "")


__all__ += ["Margin", "combination_margin"]
