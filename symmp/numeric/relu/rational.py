"""One activation-pattern combination decided exactly, over the rationals.

The float route (:mod:`.feasibility`) decides almost every combination to
stated margins; the few it cannot (a near-singular least-squares system, a
solution far out along a null direction, an LP inside HiGHS's tolerances, a
candidate whose float re-check fails because its weights are huge) are
decided here **exactly**. A trial's draws are floats, that is exact
rationals (the target is recomputed from the teacher's, see
:mod:`.exact_system`). The combination's linear problem

    M theta = t,   G theta + h >= 0,   (G theta + h)_i > 0 for the strict rows

(strict: ``c = |D_j| > 0`` of a sign-split unit) is rebuilt from them in
exact arithmetic (python-flint ``fmpq``, :func:`~.exact_system.combination_system`) and
decided by :func:`decide_exact`:

- equalities by exact row reduction: inconsistent (a left null vector y of
  M with ``y . t != 0``), or ``theta = theta0 + N lam`` with N an exact
  null-space basis;
- the reduced inequalities ``A lam + b >= 0`` by a float HiGHS LP (largest
  common slack) whose answer is then **proved** exactly: a rational point
  checked row by row (feasible), or a Farkas vector ``w >= 0`` on the LP's
  dual support with ``A^T w = 0`` exactly and ``b . w < 0`` (infeasible), or
  ``b . w = 0`` with a strict row in the support (infeasible: Motzkin), or
  ``b . w = 0`` otherwise: every solution makes the support's rows tight,
  and the problem is decided again on that face (one dimension fewer);
  anything else stays ``"unclear"``.

The combination's system is written by :mod:`.exact_system`, which also
turns a feasible point into the network's weights and evaluates the real
layer in rationals against the target (residual exactly 0).

Robustness (for :mod:`.witness`). Near a generic draw the zero entries of
M, t, G and h stay zero (they come from a pattern's slope 0 or from a ReLU
feature ``relu(z)``, ``z < 0``), the others move continuously. A feasible
verdict is *robust* when the nonzero rows of M have full row rank and every
inequality is strict at the point (nearby data keep a solution); an
infeasible one when ``K = [M_Y^T | G_S^T]`` (Y, S the supports of the
certificate ``(y, w)``; or Y every row of M), restricted to the unknowns it
touches, has full row rank (nearby data keep a certificate near ``(y, w)``). Both are checked
exactly on request.

Examples
--------
>>> from flint import fmpq
>>> system = LinearSystem([[fmpq(1), fmpq(1)]], [fmpq(1)], [[fmpq(1), fmpq(0)], [fmpq(0), fmpq(1)]],
...                       [fmpq(0), fmpq(0)], (), 2)
>>> decide_exact(system).status             # x + y = 1, x, y >= 0
'feasible'
>>> decide_exact(LinearSystem([[fmpq(1), fmpq(1)]], [fmpq(-1)], system.G, system.h, (), 2)).status
'infeasible'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import flint
import numpy as np
from scipy.optimize import linprog

__all__ = ["rational", "rationals", "LinearSystem", "ExactVerdict", "decide_exact"]

_Q = flint.fmpq
_ZERO = _Q(0)
#: dual values below this fraction of the largest are outside the Farkas support
_SUPPORT = 1e-9


def rational(x: float) -> flint.fmpq:
    """The float ``x`` as the exact rational it is."""
    f = Fraction(float(x))
    return _Q(f.numerator, f.denominator)


def rationals(a) -> list:
    """A float array as nested lists of exact rationals."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return [rational(v) for v in a]
    return [rationals(row) for row in a]


@dataclass
class LinearSystem:
    """``M theta = t``, ``G theta + h >= 0``, rows ``strict`` of G > 0; P unknowns (exact)."""

    M: list
    t: list
    G: list
    h: list
    strict: tuple
    P: int


@dataclass
class ExactVerdict:
    """``status``: ``"feasible"`` (with ``theta``), ``"infeasible"`` or ``"unclear"``."""

    status: str
    theta: list | None = None
    robust: bool | None = None
    certificate: dict = field(default_factory=dict)


def _matrix(rows: list, ncols: int) -> flint.fmpq_mat:
    return flint.fmpq_mat(len(rows), ncols, [v for row in rows for v in row]) if rows else flint.fmpq_mat(0, ncols)


def _rref(rows: list, ncols: int) -> tuple[list, list[int]]:
    """(reduced rows, pivot columns) of a rational matrix."""
    if not rows:
        return [], []
    reduced, rank = _matrix(rows, ncols).rref()
    out, pivots = [], []
    for i in range(rank):
        row = [reduced[i, j] for j in range(ncols)]
        pivots.append(next(j for j, v in enumerate(row) if v != 0))
        out.append(row)
    return out, pivots


def _null_space(rows: list, ncols: int) -> list[list]:
    """An exact basis of ``{x : rows x = 0}``."""
    reduced, pivots = _rref(rows, ncols)
    basis = []
    for free in (j for j in range(ncols) if j not in pivots):
        vec = [_ZERO] * ncols
        vec[free] = _Q(1)
        for row, p in zip(reduced, pivots):
            vec[p] = -row[free]
        basis.append(vec)
    return basis


def _dot(a: list, b: list):
    return sum((x * y for x, y in zip(a, b)), _ZERO)


def _rank(rows: list, ncols: int) -> int:
    return _matrix(rows, ncols).rank() if rows else 0


def _persists(columns: list, p: int) -> bool:
    """True when every matrix near ``K = [columns]`` (P x len(columns)) with the same zero entries
    keeps a kernel vector near the certificate: K restricted to its nonzero rows has full row rank."""
    touched = [i for i in range(p) if any(col[i] != 0 for col in columns)]
    if not touched:
        return True
    return _rank([[col[i] for col in columns] for i in touched], len(columns)) == len(touched)


def _solve_left(m_rows: list, rhs: list, p: int) -> list | None:
    """Some y with ``M^T y = rhs`` exactly (M given by rows), or None."""
    e = len(m_rows)
    if e == 0:
        return [] if all(v == 0 for v in rhs) else None
    reduced, pivots = _rref([[m_rows[r][i] for r in range(e)] + [rhs[i]] for i in range(p)], e + 1)
    if pivots and pivots[-1] == e:
        return None
    y = [_ZERO] * e
    for row, piv in zip(reduced, pivots):
        y[piv] = row[e]
    return y


def decide_exact(system: LinearSystem, *, robust: bool = False) -> ExactVerdict:
    """Decide ``system`` exactly (see module doc); ``robust`` also checks persistence."""
    p, e = system.P, len(system.M)
    reduced, pivots = _rref([row + [tv] for row, tv in zip(system.M, system.t)], p + 1)
    if pivots and pivots[-1] == p:
        # inconsistent equalities: y in the left null space of M with y . t != 0, a zero row first
        zero = [r for r in range(e) if all(v == 0 for v in system.M[r]) and system.t[r] != 0]
        if zero:
            y = [_Q(int(r == zero[0])) for r in range(e)]
        else:
            left = _null_space([list(col) for col in zip(*system.M)], e)
            y = next(v for v in left if _dot(v, system.t) != 0)
        ok = (_persists([system.M[r] for r in range(e) if y[r] != 0], p) or _persists(system.M, p)) if robust else None
        return ExactVerdict("infeasible", robust=ok, certificate={"kind": "equalities", "y": y})
    theta0 = [_ZERO] * p
    for row, piv in zip(reduced, pivots):
        theta0[piv] = row[p]
    basis = _null_space([row[:p] for row in reduced], p) if reduced else [
        [_Q(int(i == k)) for i in range(p)] for k in range(p)]
    f = len(basis)
    a = [[_dot(g, vec) for vec in basis] for g in system.G]
    b = [_dot(g, theta0) + hv for g, hv in zip(system.G, system.h)]
    lam = _reduced_point(a, b, system.strict, f)
    if isinstance(lam, tuple) and lam[0] == "face":
        # every solution makes the support's rows tight: decide on that face (one dimension fewer)
        support = set(lam[1])
        keep = [i for i in range(len(system.G)) if i not in support]
        face = LinearSystem(
            system.M + [system.G[i] for i in sorted(support)], system.t + [-system.h[i] for i in sorted(support)],
            [system.G[i] for i in keep], [system.h[i] for i in keep],
            tuple(keep.index(i) for i in system.strict), p,
        )
        found = decide_exact(face)
        return ExactVerdict(found.status, found.theta, robust=False if robust else None,
                            certificate={**found.certificate, "face": sorted(support)})
    if isinstance(lam, list):
        theta = [theta0[i] + _dot([vec[i] for vec in basis], lam) for i in range(p)]
        ok = None
        if robust:
            values = [_dot(g, theta) + hv for g, hv in zip(system.G, system.h)]
            rows = [row for row in system.M if any(v != 0 for v in row)]
            ok = all(v > 0 for v in values) and _rank(rows, p) == len(rows)
        return ExactVerdict("feasible", theta, robust=ok, certificate={"kind": "point"})
    if lam is None:
        return ExactVerdict("unclear")
    support, w = lam
    ok = None
    if robust:
        combo = [sum((wi * system.G[s][i] for wi, s in zip(w, support)), _ZERO) for i in range(p)]
        y = _solve_left(system.M, [-v for v in combo], p)
        rows = [system.G[s] for s in support]
        ok = y is not None and (_persists([system.M[r] for r in range(e) if y[r] != 0] + rows, p)
                                or _persists(system.M + rows, p))
    return ExactVerdict("infeasible", robust=ok, certificate={"kind": "farkas", "support": support, "w": w})


def _reduced_point(a: list, b: list, strict: tuple, f: int):
    """A rational lam with ``a lam + b >= 0`` (strict rows > 0), or (support, w) proving there is
    none, or None when neither could be proved."""
    q = len(b)
    if q == 0:
        return [_ZERO] * f
    if f == 0:
        bad = [i for i in range(q) if b[i] < 0 or (i in strict and b[i] == 0)]
        return [] if not bad else ([bad[0]], [_Q(1)])
    af = np.array([[float(v) for v in row] for row in a])
    bf = np.array([float(v) for v in b])
    norms = np.linalg.norm(af, axis=1)
    norms = np.where(norms > 0, norms, 1.0)
    result = linprog(
        np.r_[np.zeros(f), -1.0], A_ub=np.hstack([-af / norms[:, None], np.ones((q, 1))]), b_ub=bf / norms,
        bounds=[(None, None)] * f + [(None, 1.0)], method="highs",
    )
    if result.status != 0:
        return None
    if -result.fun > 0:
        lam = [rational(v) for v in result.x[:f]]
        values = [_dot(row, lam) + bv for row, bv in zip(a, b)]
        if all(v >= 0 for v in values) and all(values[i] > 0 for i in strict):
            return lam
    dual = -np.asarray(result.ineqlin.marginals, dtype=float)
    if dual.size == 0 or dual.max() <= 0:
        return None
    support = [int(i) for i in np.flatnonzero(dual > _SUPPORT * dual.max())]
    cols = [[a[i][k] for i in support] for k in range(f)]  # A_S^T
    null = _null_space(cols, len(support))
    if not null:
        return None
    if len(null) == 1:
        w = null[0]
        if all(v <= 0 for v in w):
            w = [-v for v in w]
    else:  # project the float dual onto the exact null space, rationalised
        basis = np.array([[float(v) for v in vec] for vec in null]).T
        coef = np.linalg.lstsq(basis, dual[support] / norms[support], rcond=None)[0]
        cq = [rational(v) for v in coef]
        w = [sum((cq[k] * null[k][i] for k in range(len(null))), _ZERO) for i in range(len(support))]
    if any(v < 0 for v in w) or all(v == 0 for v in w):
        return None
    value = _dot(w, [b[i] for i in support])
    if value < 0 or (value == 0 and any(support[i] in strict and w[i] > 0 for i in range(len(support)))):
        return support, w
    if value == 0 and all(v > 0 for v in w):
        return "face", support
    return None
