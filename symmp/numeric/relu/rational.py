"""One activation-pattern combination decided exactly, over the rationals.

The float route (:mod:`.feasibility`) decides almost every combination to
stated margins; the few it cannot (a near-singular least-squares system, a
solution far out along a null direction, an LP inside HiGHS's tolerances, a
candidate whose float re-check fails because its weights are huge) are
decided here **exactly**. A trial's data are floats, that is exact
rationals: the student's fixed weights, the inputs and the targets. The
combination's linear problem

    M theta = t,   G theta + h >= 0,   (G theta + h)_i > 0 for the strict rows

(strict: ``c = |D_j| > 0`` of a sign-split unit) is rebuilt from them in
exact arithmetic (python-flint ``fmpq``, :func:`combination_system`) and
decided by :func:`decide_exact`:

- equalities by exact row reduction: inconsistent (a left null vector y of
  M with ``y . t != 0``), or ``theta = theta0 + N lam`` with N an exact
  null-space basis;
- the reduced inequalities ``A lam + b >= 0`` by a float HiGHS LP (largest
  common slack) whose answer is then **proved** exactly: a rational point
  checked row by row (feasible), or a Farkas vector ``w >= 0`` on the LP's
  dual support with ``A^T w = 0`` exactly and ``b . w < 0`` (infeasible), or
  ``b . w = 0`` with a strict row in the support (infeasible: Motzkin);
  anything else stays ``"unclear"``.

A feasible point is turned into the network's weights exactly
(:func:`exact_weights`) and the real layer ``D act(W X)`` is evaluated in
rationals against the target (:func:`exact_match`): residual exactly 0.

Robustness (for :mod:`.witness`): a feasible verdict is *robust* when M has
full row rank and every inequality is strict at the point (nearby data keep
a solution); an infeasible one when ``K = [M^T | G_S^T]`` (S the Farkas
support) has rank P (nearby data keep a certificate). Both are checked
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

__all__ = [
    "rational", "rationals", "LinearSystem", "ExactVerdict", "decide_exact", "combination_system",
    "exact_weights", "exact_match", "exact_inputs",
]

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


def decide_exact(system: LinearSystem, *, robust: bool = False) -> ExactVerdict:
    """Decide ``system`` exactly (see module doc); ``robust`` also checks persistence."""
    p, e = system.P, len(system.M)
    reduced, pivots = _rref([row + [tv] for row, tv in zip(system.M, system.t)], p + 1)
    if pivots and pivots[-1] == p:
        # inconsistent equalities: y in the left null space of M with y . t != 0
        left = _null_space([list(col) for col in zip(*system.M)], e) if p else [
            [_Q(int(i == k)) for i in range(e)] for k in range(e)]
        y = next(v for v in left if _dot(v, system.t) != 0)
        k_rank = _rank([list(col) for col in zip(*system.M)], e) if robust else None
        return ExactVerdict("infeasible", robust=None if k_rank is None else k_rank == p,
                            certificate={"kind": "equalities", "y": y})
    theta0 = [_ZERO] * p
    for row, piv in zip(reduced, pivots):
        theta0[piv] = row[p]
    basis = _null_space([row[:p] for row in reduced], p) if reduced else [[_Q(int(i == k)) for i in range(p)] for k in range(p)]
    f = len(basis)
    a = [[_dot(g, vec) for vec in basis] for g in system.G]
    b = [_dot(g, theta0) + hv for g, hv in zip(system.G, system.h)]
    lam = _reduced_point(a, b, system.strict, f)
    if isinstance(lam, list):
        theta = [theta0[i] + _dot([vec[i] for vec in basis], lam) for i in range(p)]
        values = [_dot(g, theta) + hv for g, hv in zip(system.G, system.h)]
        ok = robust and all(v > 0 for v in values) and (e == 0 or _rank(system.M, p) == e)
        return ExactVerdict("feasible", theta, robust=ok if robust else None, certificate={"kind": "point"})
    if lam is None:
        return ExactVerdict("unclear")
    support, w = lam
    ok = None
    if robust:
        k_rows = [list(col) for col in zip(*system.M)] if e else [[] for _ in range(p)]
        ok = _rank([k_rows[i] + [system.G[s][i] for s in support] for i in range(p)], e + len(support)) == p
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
    return None


# ------------------------------------------------------------------ the layer, exactly
def _act(z, alpha):
    return z if z > 0 else alpha * z


def exact_inputs(layer) -> list:
    """The layer's inputs ``X`` in exact rationals (recomputed through ``layer.leading`` for relu2)."""
    if layer.raw_inputs is None:
        return rationals(layer.X)
    x = rationals(layer.raw_inputs)
    alpha = rational(layer.alpha)
    for weights in layer.leading:
        wq = rationals(weights)
        x = [[_act(_dot(row, [x[l][s] for l in range(len(x))]), alpha) for s in range(len(x[0]))] for row in wq]
    return x


@dataclass
class _Data:
    W: list
    D: list
    X: list
    Y: list
    alpha: object
    m: int


def _data(layer) -> _Data:
    return _Data(rationals(layer.W), rationals(layer.D), exact_inputs(layer), rationals(layer.target),
                 rational(layer.alpha), layer.X.shape[1])


def _unit_parts(layer, data: _Data, j: int):
    """(learnable columns, a = fixed part of z (m), B rows (k x m)) of unit j, exact."""
    cols = [int(c) for c in np.flatnonzero(layer.learn_w[j])]
    fixed = [l for l in range(len(data.X)) if l not in cols]
    a = [_dot([data.W[j][l] for l in fixed], [data.X[l][s] for l in fixed]) for s in range(data.m)]
    return cols, a, [data.X[l] for l in cols]


def combination_system(layer, choice: list, dead: list) -> tuple[LinearSystem, list]:
    """The exact problem of one combination: ``choice`` = [(block, option)] of the alive blocks,
    ``dead`` the split blocks with ``D_j = 0``. Returns (system, layout) for :func:`exact_weights`."""
    data = _data(layer)
    d, h = layer.D.shape
    m, alpha = data.m, data.alpha
    # linear forms: out[o][s] = const + sum coef * var
    const = [[-data.Y[o][s] for s in range(m)] for o in range(d)]
    coefs: list[list[dict]] = [[{} for _ in range(m)] for _ in range(d)]
    ineq: list[tuple[dict, object]] = []
    strict: list[int] = []
    layout: list = []
    count = 0

    def new(width: int) -> list[int]:
        nonlocal count
        count += width
        return list(range(count - width, count))

    def add(o, s, var, value):
        coefs[o][s][var] = coefs[o][s].get(var, _ZERO) + value

    dead_units = {blk.unit for blk in dead}
    units = {blk.unit: (blk, option) for blk, option in choice if blk.unit >= 0}
    for j in range(h):
        if layer.learn_w[j].any():
            if j in dead_units:
                layout.append((j, "dead", None, [], None))
                continue
            blk, option = units[j]
            cols, a, bq = _unit_parts(layer, data, j)
            kind, k = blk.kind, len(cols)
            sigma = rational(blk.sigmas[option]) if blk.sigmas is not None else None
            if kind in ("free", "split-free"):
                q = new(m)
                for s in range(m):
                    for o in range(d):
                        if kind == "free":
                            add(o, s, q[s], data.D[o][j])
                        else:
                            add(o, s, q[s], sigma)
                    if alpha == 0:
                        ineq.append(({q[s]: _Q(1)}, _ZERO))
                layout.append((j, kind, option, q, sigma))
                continue
            pattern = blk.patterns[option]
            with_c = kind == "split-cells" and any(v != 0 for v in a)
            c = new(1) if with_c else []
            u = new(k)
            for s in range(m):
                slope = _Q(1) if pattern[s] else alpha
                sign = _Q(1) if pattern[s] else _Q(-1)
                form = {u[i]: bq[i][s] for i in range(k)}
                base = _ZERO
                if with_c:
                    form[c[0]] = a[s]
                elif kind == "cells":
                    base = a[s]
                ineq.append(({v: sign * x for v, x in form.items()}, sign * base))
                for o in range(d):
                    factor = data.D[o][j] * slope if kind == "cells" else sigma * slope
                    for v, x in form.items():
                        add(o, s, v, factor * x)
                    const[o][s] += factor * base
            if with_c:
                strict.append(len(ineq))
                ineq.append(({c[0]: _Q(1)}, _ZERO))
            layout.append((j, kind, option, c + u, sigma))
            continue
        z = [_dot(data.W[j], [data.X[l][s] for l in range(len(data.X))]) for s in range(m)]
        feature = [_act(v, alpha) for v in z]
        for o in range(d):
            if layer.learn_d[o, j]:
                (var,) = new(1)
                layout.append((j, "D", o, [var], None))
                for s in range(m):
                    add(o, s, var, feature[s])
            else:
                for s in range(m):
                    const[o][s] += data.D[o][j] * feature[s]
    mat = [[coefs[o][s].get(v, _ZERO) for v in range(count)] for o in range(d) for s in range(m)]
    rhs = [-const[o][s] for o in range(d) for s in range(m)]
    g = [[form.get(v, _ZERO) for v in range(count)] for form, _ in ineq]
    return LinearSystem(mat, rhs, g, [base for _, base in ineq], tuple(strict), count), layout


def _row_from(bq: list, a: list, z: list, m: int) -> list:
    """u with ``a + u B = z`` exactly (B of rank m)."""
    k = len(bq)
    bt = [[bq[i][s] for i in range(k)] for s in range(m)]  # B^T (m x k)
    _, pivots = _rref(bt, k)
    sub = flint.fmpq_mat(m, m, [bt[s][i] for s in range(m) for i in pivots])
    sol = sub.solve(flint.fmpq_mat(m, 1, [z[s] - a[s] for s in range(m)]))
    u = [_ZERO] * k
    for r, i in enumerate(pivots):
        u[i] = sol[r, 0]
    return u


def exact_weights(layer, layout: list, theta: list) -> tuple[list, list] | None:
    """The network's (W, D) of an exact solution ``theta`` (None when a split unit has c <= 0)."""
    data = _data(layer)
    w = [row[:] for row in data.W]
    dm = [row[:] for row in data.D]
    alpha = data.alpha
    for j, kind, option, vars_, sigma in layout:
        if kind == "dead":
            dm[0][j] = _ZERO
            continue
        if kind == "D":
            dm[option][j] = theta[vars_[0]]
            continue
        cols, a, bq = _unit_parts(layer, data, j)
        values = [theta[v] for v in vars_]
        if kind in ("free", "split-free"):
            if alpha == 0:
                z = [v if v > 0 else _Q(-1) for v in values]
            else:
                z = [v if v >= 0 else v / alpha for v in values]
            u = _row_from(bq, a, z, data.m)
            if kind == "split-free":
                dm[0][j] = sigma
        elif kind == "cells":
            u = values
        elif any(v != 0 for v in a):  # split-cells with c
            c = values[0]
            if not c > 0:
                return None
            u = [v / c for v in values[1:]]
            dm[0][j] = sigma * c
        else:
            u = values
            dm[0][j] = sigma
        for col, value in zip(cols, u):
            w[j][col] = value
    return w, dm


def exact_match(layer, w: list, dm: list) -> bool:
    """``D act(W X) == Y`` exactly, on the layer's exact inputs."""
    data = _data(layer)
    rows = [[_act(_dot(w[j], [data.X[l][s] for l in range(len(data.X))]), data.alpha) for s in range(data.m)]
            for j in range(len(w))]
    return all(_dot(dm[o], [rows[j][s] for j in range(len(w))]) == data.Y[o][s]
               for o in range(len(dm)) for s in range(data.m))
