"""Exact matching for ``relu2`` with learnables in W1 only: Y = D act(W2 act(W1 X)).

THEORY.md section 7's exact route where the learnables sit in one layer, the
first. Fix the activation pattern S1 of the first layer's units whose W1 row
holds learnables and the pattern S2 of every second-layer unit: then
``H1 = S1 o (W1 X)`` is affine in the learnables u, so is ``Z2 = W2 H1``, and
the outputs ``D (S2 o Z2)`` too; the sign constraints of both layers are
linear. A trial matches iff some (S1, S2) admits a solution.

Enumeration: the first layer's options per learnable row are the cells of
its arrangement (:func:`~.cells.unit_patterns`); for each combination of
them, each second-layer unit's options are the cells of *its* arrangement of
m hyperplanes ``Z2[i, s] = 0`` in u-space (a superset of the joint cells
inside the first layer's cell: complete). Each (S1, S2) is decided by
:func:`~.feasibility.decide`; a candidate is re-checked by the caller's
forward pass at ``tol``. Combinations the float route leaves open are
decided exactly over Q (:func:`~.rational.decide_exact`, the target the
teacher's network in rationals, a match checked by the exact forward pass);
only what that cannot settle leaves the trial ``"unclear"``.

Learnables in W2 and D or in W2 alone are the shallow problem on the
features act(W1 X) (:mod:`.exact`); learnables in two layers give products of
unknowns per pattern and are left to the optimisers (a lower bound).

Examples
--------
>>> import numpy as np
>>> w1 = np.array([[1.0], [-1.0]]); w2 = np.array([[1.0, 1.0]]); d = np.array([[1.0]])
>>> x = np.array([[1.0, -2.0]])
>>> target = np.array([[3.0, 2.0]])          # W1[0, 0] = 3: relu(3x) + relu(-x) = (3, 2)
>>> solve_first_layer(w1, w2, d, x, target, np.array([[True], [False]]), 0.0, tol=1e-9, limit=100)[0]
'match'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import flint
import numpy as np

from .cells import unit_patterns
from .exact_system import MAX_EXACT
from .feasibility import CANDIDATE, UNCLEAR, decide
from .rational import LinearSystem, decide_exact, rational, rationals

__all__ = ["solve_first_layer"]


def _act(z: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(z > 0, z, alpha * z)


def solve_first_layer(
    w1: np.ndarray, w2: np.ndarray, d: np.ndarray, x: np.ndarray, target: np.ndarray, learn: np.ndarray,
    alpha: float, *, tol: float, limit: int, check: Callable[[np.ndarray], float] | None = None,
    teacher: tuple = (),
) -> tuple[str, np.ndarray | None, int, int]:
    """Decide one trial; returns (status, W1 of a match or None, combinations tried, unclear).

    ``status``: ``"match"``, ``"no"``, ``"unclear"`` or ``"over_limit"`` (more than ``limit``
    combinations; nothing decided). ``check(W1)`` is the real network's relative residual;
    ``teacher`` = (W1*, W2*, D*) lets open combinations be decided exactly on the exact target.
    """
    h1, m = w1.shape[0], x.shape[1]
    scale = float(np.linalg.norm(target)) or 1.0
    if check is None:
        def check(w):
            return float(np.linalg.norm(d @ _act(w2 @ _act(w @ x, alpha), alpha) - target) / scale)
    rows = [j for j in range(h1) if learn[j].any()]
    cols = [np.flatnonzero(learn[j]) for j in rows]
    offsets = np.cumsum([0] + [c.size for c in cols])
    k = int(offsets[-1])
    fixed = np.where(learn, 0.0, w1)
    a1 = fixed @ x  # (h1, m)
    first = []
    for j, c in zip(rows, cols):
        patterns, _ = unit_patterns(a1[j], x[c])
        first.append(patterns[np.argsort(-patterns.sum(axis=1), kind="stable")])
    base_h = _act(w1 @ x, alpha)  # fixed rows' features
    tried = 0
    pending: list = []  # (first-layer combination, second-layer patterns) left open
    plans = []
    for combo in itertools.product(*(range(len(p)) for p in first)):
        # H1 = c1 + sum_l u_l coef1[l]: (h1, m) affine in u (k unknowns)
        c1 = base_h.copy()
        coef1 = np.zeros((k, h1, m))
        g1, hh1 = [], []
        for r, (j, c) in enumerate(zip(rows, cols)):
            pattern = first[r][combo[r]]
            slope = np.where(pattern, 1.0, alpha)
            sign = np.where(pattern, 1.0, -1.0)
            c1[j] = slope * a1[j]
            coef1[offsets[r]:offsets[r + 1], j] = slope * x[c]
            block = np.zeros((m, k))
            block[:, offsets[r]:offsets[r + 1]] = (sign * x[c]).T
            g1.append(block)
            hh1.append(sign * a1[j])
        c2 = w2 @ c1  # Z2 = c2 + sum_l u_l coef2[l]
        coef2 = np.einsum("ij,ljs->lis", w2, coef1)
        second = []
        for i in range(w2.shape[0]):
            patterns, _ = unit_patterns(c2[i], coef2[:, i, :])
            second.append(patterns)
        plans.append((combo, c2, coef2, np.vstack(g1) if g1 else np.zeros((0, k)),
                      np.concatenate(hh1) if hh1 else np.zeros(0), second))
    total = sum(int(np.prod([len(p) for p in plan[5]], dtype=float)) for plan in plans)
    if total > limit:
        return "over_limit", None, 0, 0
    for combo, c2, coef2, g1, hh1, second in plans:
        grid = np.array(list(itertools.product(*(range(len(p)) for p in second))))
        s2 = np.stack([np.stack([second[i][grid[:, i]] for i in range(len(second))], axis=1)])[0]  # (n, h2, m)
        slope2 = np.where(s2, 1.0, alpha)
        sign2 = np.where(s2, 1.0, -1.0)
        # outputs: Y[o, s] = sum_i D[o, i] slope2[i, s] (c2[i, s] + u . coef2[:, i, s])
        mats = np.einsum("oi,nis,lis->nosl", d, slope2, coef2).reshape(len(grid), -1, k)
        t = target.ravel()[None, :] - np.einsum("oi,nis,is->nos", d, slope2, c2).reshape(len(grid), -1)
        g2 = np.einsum("nis,lis->nisl", sign2, coef2).reshape(len(grid), -1, k)
        h2 = (sign2 * c2[None]).reshape(len(grid), -1)
        g = np.concatenate([np.repeat(g1[None], len(grid), axis=0), g2], axis=1)
        h = np.concatenate([np.repeat(hh1[None], len(grid), axis=0), h2], axis=1)
        status, theta = decide(mats, t, g, h, tol=tol, scale=scale)
        tried += len(grid)
        pending.extend((combo, s2[row]) for row in np.flatnonzero(status == UNCLEAR))
        for row in np.flatnonzero(status == CANDIDATE):
            w = w1.copy()
            for r, (j, c) in enumerate(zip(rows, cols)):
                w[j, c] = theta[row, offsets[r]:offsets[r + 1]]
            if check(w) <= tol:
                return "match", w, tried, len(pending)
            pending.append((combo, s2[row]))
    unclear = len(pending)
    if pending and teacher:
        data = [rationals(v) for v in (w1, w2, d, x)]
        exact_y = _exact_forward(*[np.array(rationals(v), dtype=object) for v in teacher],
                                 np.array(data[3], dtype=object), rational(alpha))
        undecided = 0
        for combo, p2 in pending[:MAX_EXACT]:
            system = _exact_system(data, exact_y, learn, alpha, [first[r][c] for r, c in enumerate(combo)], p2)
            verdict = decide_exact(system)
            if verdict.status == "feasible":
                w = np.array(data[0], dtype=object)
                for (j, c), value in zip([(j, int(c)) for j, cs in zip(rows, cols) for c in cs], verdict.theta):
                    w[j, c] = value
                arrays = [np.array(v, dtype=object) for v in data[1:]]
                if np.all(_exact_forward(w, *arrays[:2], arrays[2], rational(alpha)) == exact_y):
                    w = w.astype(float)
                    return "match", w, tried, unclear
                undecided += 1
            elif verdict.status == "unclear":
                undecided += 1
        unclear = undecided + max(0, len(pending) - MAX_EXACT)
    return ("no" if unclear == 0 else "unclear"), None, tried, unclear


def _exact_forward(w1, w2, d, x, alpha):
    """D act(W2 act(W1 X)) on object arrays of rationals."""
    h1 = w1 @ x
    h1 = np.where(h1 > 0, h1, alpha * h1)
    z2 = w2 @ h1
    return d @ np.where(z2 > 0, z2, alpha * z2)


def _exact_system(data: list, target, learn: np.ndarray, alpha: float, p1: list, p2: np.ndarray) -> LinearSystem:
    """The combination (first-layer patterns ``p1`` of the learnable rows, second-layer ``p2``)
    as an exact :class:`~.rational.LinearSystem` in the learnable entries of W1."""
    w1, w2, d, x = (np.array(v, dtype=object) for v in data)
    aq, one, zero = rational(alpha), flint.fmpq(1), flint.fmpq(0)
    rows = [j for j in range(w1.shape[0]) if learn[j].any()]
    keys = [(j, int(c)) for j in rows for c in np.flatnonzero(learn[j])]
    k, m = len(keys), x.shape[1]
    fixed = np.where(learn, zero, w1)
    z1 = w1 @ x
    c1 = np.where(z1 > 0, z1, aq * z1)
    coef1 = np.full((k, w1.shape[0], m), zero, dtype=object)
    g, h = [], []
    for r, j in enumerate(rows):
        slope = np.array([one if v else aq for v in p1[r]], dtype=object)
        sign = [one if v else -one for v in p1[r]]
        a = fixed[j] @ x
        c1[j] = slope * a
        for i, (jj, c) in enumerate(keys):
            if jj == j:
                coef1[i, j] = slope * x[c]
        for s in range(m):
            g.append([sign[s] * x[c, s] if jj == j else zero for jj, c in keys])
            h.append(sign[s] * a[s])
    c2 = w2 @ c1
    coef2 = np.einsum("ij,ljs->lis", w2, coef1)
    slope2 = np.where(p2, one, aq).astype(object)
    mat = np.einsum("oi,is,lis->osl", d, slope2, coef2).reshape(-1, k)
    t = (target - np.einsum("oi,is,is->os", d, slope2, c2)).ravel()
    for i in range(w2.shape[0]):
        for s in range(m):
            sign = one if p2[i, s] else -one
            g.append([sign * coef2[l, i, s] for l in range(k)])
            h.append(sign * c2[i, s])
    return LinearSystem([list(r) for r in mat], list(t), g, h, (), k)
