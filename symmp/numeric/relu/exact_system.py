"""One activation-pattern combination of a trial, rebuilt in exact rationals.

The trial's draws are floats, that is exact rationals: the teacher's and
the student's weights and the inputs. The last layer's inputs (through
``relu2``'s fixed first layer) and the target (the teacher's network) are
recomputed from them exactly, so the problem decided is the real-number
problem of the draw, not that of its rounded targets. :func:`combination_system` writes one combination
of the units' options (:class:`~.exact.Block`: pattern, sign of D_j, or a
free unit's activations) as the exact :class:`~.rational.LinearSystem` of
THEORY.md section 7's exact route; :func:`exact_weights` turns a solution
into the network's weights and :func:`exact_match` evaluates the real layer
``D act(W X)`` in rationals against the target. :func:`decide_open` decides
the combinations the float route left open this way, for
:func:`~.exact.solve_layer`.

Examples
--------
>>> import numpy as np
>>> from symmp.numeric.relu.exact import Layer, build_blocks
>>> x = np.array([[1.0, 2.0], [1.0, -1.0]])
>>> layer = Layer(np.array([[0.5, 0.5]]), np.array([[1.0]]), x, np.array([[1.5, 3.0]]),
...               np.ones((1, 2), bool), np.zeros((1, 1), bool), 0.0)
>>> (block,), _ = build_blocks(layer)
>>> system, layout = combination_system(layer, [(block, 0)], [])
>>> verdict = decide_exact(system)
>>> exact_match(layer, *exact_weights(layer, layout, verdict.theta))
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flint
import numpy as np

from .rational import LinearSystem, decide_exact, rational, rationals

__all__ = ["combination_system", "exact_weights", "exact_match", "exact_inputs", "exact_target", "layer_data",
           "decide_open", "silent_samples",
           "MAX_EXACT"]

#: combinations per trial the float route left open that are then decided exactly
MAX_EXACT = 256
_Q = flint.fmpq
_ZERO = _Q(0)


def _dot(a: list, b: list):
    return sum((x * y for x, y in zip(a, b)), _ZERO)


def _rref(rows: list, ncols: int) -> list[int]:
    """Pivot columns of a rational matrix."""
    reduced, rank = flint.fmpq_mat(len(rows), ncols, [v for row in rows for v in row]).rref()
    return [next(j for j in range(ncols) if reduced[i, j] != 0) for i in range(rank)]


def _act(z, alpha):
    return z if z > 0 else alpha * z


def _forward(x: list, matrices, alpha) -> list:
    """act(W_k ... act(W_1 x)) in rationals."""
    for weights in matrices:
        x = [[_act(_dot(row, [x[l][s] for l in range(len(x))]), alpha) for s in range(len(x[0]))]
             for row in rationals(weights)]
    return x


def exact_inputs(layer) -> list:
    """The layer's inputs ``X`` in exact rationals (recomputed through ``layer.leading`` for relu2)."""
    if layer.raw_inputs is None:
        return rationals(layer.X)
    return _forward(rationals(layer.raw_inputs), layer.leading, rational(layer.alpha))


def exact_target(layer) -> list:
    """The target: the teacher's network evaluated exactly on the inputs (``layer.teacher``), so
    that a real-number identity (e.g. features proportional to an input) holds exactly; the float
    target when the layer carries no teacher."""
    if not layer.teacher:
        return rationals(layer.target)
    x = rationals(layer.X if layer.raw_inputs is None else layer.raw_inputs)
    hidden = _forward(x, layer.teacher[:-1], rational(layer.alpha))
    return [[_dot(row, [hidden[j][s] for j in range(len(hidden))]) for s in range(len(x[0]))]
            for row in rationals(layer.teacher[-1])]


@dataclass
class _Data:
    W: list
    D: list
    X: list
    Y: list
    alpha: object
    m: int


def layer_data(layer) -> _Data:
    """The layer's W, D, X, target and slope as exact rationals (pass to the builders to reuse)."""
    return _Data(rationals(layer.W), rationals(layer.D), exact_inputs(layer), exact_target(layer),
                 rational(layer.alpha), layer.X.shape[1])


def _unit_parts(layer, data: _Data, j: int):
    """(learnable columns, a = fixed part of z (m), B rows (k x m)) of unit j, exact."""
    cols = [int(c) for c in np.flatnonzero(layer.learn_w[j])]
    fixed = [l for l in range(len(data.X)) if l not in cols]
    a = [_dot([data.W[j][l] for l in fixed], [data.X[l][s] for l in fixed]) for s in range(data.m)]
    return cols, a, [data.X[l] for l in cols]


def combination_system(layer, choice: list, dead: list, data=None) -> tuple[LinearSystem, list]:
    """The exact problem of one combination: ``choice`` = [(block, option)] of the alive blocks,
    ``dead`` the split blocks with ``D_j = 0``. Returns (system, layout) for :func:`exact_weights`."""
    data = data or layer_data(layer)
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
    pivots = _rref(bt, k)
    sub = flint.fmpq_mat(m, m, [bt[s][i] for s in range(m) for i in pivots])
    sol = sub.solve(flint.fmpq_mat(m, 1, [z[s] - a[s] for s in range(m)]))
    u = [_ZERO] * k
    for r, i in enumerate(pivots):
        u[i] = sol[r, 0]
    return u


def exact_weights(layer, layout: list, theta: list) -> tuple[list, list] | None:
    """The network's (W, D) of an exact solution ``theta`` (None when a split unit has c <= 0)."""
    data = layer_data(layer)
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
    data = layer_data(layer)
    rows = [[_act(_dot(w[j], [data.X[l][s] for l in range(len(data.X))]), data.alpha) for s in range(data.m)]
            for j in range(len(w))]
    return all(_dot(dm[o], [rows[j][s] for j in range(len(w))]) == data.Y[o][s]
               for o in range(len(dm)) for s in range(data.m))


def decide_open(layer, pending: list, check: Callable, info: dict):
    """Decide the combinations the float route left open exactly (:mod:`.rational`), at most
    :data:`MAX_EXACT` of them; (W, D, float residual) of an exact match, else None. Records
    ``info["exact"] = {"decided", "infeasible", "unclear"}``."""
    decided = infeasible = 0
    for alive, dead, row in pending[:MAX_EXACT]:
        system, layout = combination_system(layer, [(blk, int(row[i])) for i, blk in enumerate(alive)], dead)
        verdict = decide_exact(system)
        decided += 1
        if verdict.status == "infeasible":
            infeasible += 1
        elif verdict.status == "feasible":
            weights = exact_weights(layer, layout, verdict.theta)
            if weights is not None and exact_match(layer, *weights):
                w = np.array([[float(v) for v in r] for r in weights[0]])
                d = np.array([[float(v) for v in r] for r in weights[1]])
                info["exact"] = {"decided": decided, "infeasible": infeasible, "unclear": 0, "match": True}
                info["dead_units"] = [blk.unit for blk in dead]
                info["choice"] = [(blk.unit, int(row[i])) for i, blk in enumerate(alive)]
                return w, d, float(check(w, d))
    info["exact"] = {"decided": decided, "infeasible": infeasible, "unclear": len(pending) - infeasible}
    return None


def silent_samples(layer) -> set[int]:
    """Samples s where the teacher's last hidden layer and every student unit with a fixed W row
    have strictly negative pre-activations (ReLU only): there the target and the fixed units'
    output are 0, and stay 0 for nearby draws."""
    if layer.alpha != 0 or not layer.teacher:
        return set()
    m = layer.X.shape[1]
    x = rationals(layer.X if layer.raw_inputs is None else layer.raw_inputs)
    hidden = _forward(x, layer.teacher[:-2], _ZERO)
    teacher = [[_dot(row, [hidden[l][s] for l in range(len(hidden))]) for s in range(m)]
               for row in rationals(layer.teacher[-2])]
    data = layer_data(layer)
    fixed = [j for j in range(layer.W.shape[0]) if not layer.learn_w[j].any()]
    student = [[_dot(data.W[j], [data.X[l][s] for l in range(len(data.X))]) for s in range(m)] for j in fixed]
    return {s for s in range(m) if all(row[s] < 0 for row in teacher + student)}
