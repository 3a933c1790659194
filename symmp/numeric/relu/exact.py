"""Exact matching for a piecewise-linear layer: Y = D act(W X), act(z) = z or alpha z.

THEORY.md section 7, exact route. Fix an activation pattern of every unit
whose W row holds learnable weights; inside it the outputs are linear in the
learnables (W's, with D fixed in that column; D's, where the unit's W row
is fixed), and the pattern's sign constraints ``z >= 0`` (active) or
``z <= 0`` (inactive) are linear too. Closed constraints are the right ones:
at ``z = 0`` both branches give ``act(z) = 0``, so the union of the closed
regions is all of weight space and a trial matches iff some pattern's
linear problem is feasible.

What each unit (hidden unit j; k learnable W entries, W row j's fixed part
giving pre-activations ``a``, inputs ``B`` of its learnable entries) offers,
as a :class:`Block` of options:

- W row j fixed: its features are fixed; learnable D entries of column j
  are extra linear unknowns with those features (one option);
- W row learnable, D column fixed: one option per cell of the unit's
  arrangement (:func:`~.cells.unit_patterns`), unknowns u; when ``B`` has
  rank m (k >= m) the unit's activation ranges over **all** of R^m_{>=0}
  (ReLU) or R^m (leaky), so one option with unknowns ``q = act(z)``,
  ``q >= 0`` for ReLU, replaces the 2^m patterns;
- W row and D entry both learnable (d = 1 only): the sign split
  ``D_j act(z) = sigma act(c z)``, ``c = |D_j| > 0``, ``sigma = +-1``:
  unknowns ``(c, v = c u)`` enter linearly, options ``sigma`` x cells, the
  strict ``c > 0`` kept as a constraint whose candidate a re-check must
  confirm, plus the option "``D_j = 0``" (the unit drops out); when
  ``a = 0`` (a fully learnable row) ``c`` is absorbed into ``v`` and when
  ``B`` has rank m the unit's output is ``sigma q``, ``q >= 0``, or any
  ``p`` (leaky).

d >= 2 with a unit whose W row and D entries are both learnable is bilinear
per pattern and not handled here (:func:`bilinear_units`).

Combinations (one option per block) are enumerated in order of the sum of
their options' ranks (each block's options most-active first) and decided in
batches by :func:`~.feasibility.decide`; the first candidate whose weights
pass the caller's forward re-check ends the trial. Combinations the float
route leaves open (between its margins, or a candidate failing the re-check)
are decided exactly over Q by :func:`~.exact_system.decide_open`. A "no" is
claimed only when every combination was rejected and every unit's cells
were exact or a superset.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0.0, 0.5], [1.0, -1.0]]); D = np.array([[1.0, -1.0]])
>>> X = np.array([[1.0, -1.0, 2.0], [0.5, 1.0, -1.0]])
>>> teacher = np.array([[0.75, 0.0, -1.5]])    # W[0, 0] = 1 reproduces it
>>> layer = Layer(W, D, X, teacher, np.array([[True, False], [False, False]]), np.zeros((1, 2), bool), 0.0)
>>> outcome = solve_layer(layer, tol=1e-9, limit=1000)
>>> outcome.status, outcome.combinations <= outcome.total
('match', True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .cells import RANK_GAP, unit_patterns
from .feasibility import CANDIDATE, SIGN_MARGIN, UNCLEAR, decide, positive_c
from .exact_system import decide_open

__all__ = ["Layer", "Block", "LayerOutcome", "build_blocks", "solve_layer", "bilinear_units", "CHUNK"]

#: combinations decided per batched call
CHUNK = 2048


@dataclass(frozen=True)
class Layer:
    """One trial's data: ``Y* = D act(W X)`` with masks of the learnable entries."""

    W: np.ndarray
    D: np.ndarray
    X: np.ndarray
    target: np.ndarray
    learn_w: np.ndarray
    learn_d: np.ndarray
    alpha: float
    #: for :mod:`.exact_system`: the network's inputs (None: ``X``), the fixed matrices before this
    #: layer (relu2: ``(W1,)``) and the teacher's matrices, to recompute ``X`` and the target exactly
    raw_inputs: np.ndarray | None = None
    leading: tuple = ()
    teacher: tuple = ()

    def act(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.alpha * z)

    def residual(self, w: np.ndarray, d: np.ndarray) -> float:
        """Relative residual of the layer itself (the caller re-checks on its own network)."""
        return float(np.linalg.norm(d @ self.act(w @ self.X) - self.target) / _scale(self.target))


@dataclass
class Block:
    """One unit's options: arrays stacked over options."""

    unit: int
    kind: str
    M: np.ndarray  # (n, E, p) output coefficients of the unknowns
    c0: np.ndarray  # (n, E) constant output
    G: np.ndarray  # (n, Q, p) constraints G theta + h >= 0
    h: np.ndarray  # (n, Q)
    recover: Callable  # (option, theta) -> (W row updates {col: value}, D updates {(o, j): value}) or None
    can_die: bool = False
    exact_cells: bool = True
    patterns: np.ndarray | None = None  # (n, m) bool: each option's activation pattern (cells kinds)
    sigmas: np.ndarray | None = None  # (n,): each option's sign of D_j (split kinds)


@dataclass
class LayerOutcome:
    """What :func:`solve_layer` found."""

    status: str  # "match", "no", "unclear", "over_limit"
    W: np.ndarray | None = None
    D: np.ndarray | None = None
    residual: float = float("inf")
    combinations: int = 0
    total: int = 0
    unclear: int = 0
    exact_cells: bool = True
    details: dict = field(default_factory=dict)


def _scale(target: np.ndarray) -> float:
    return float(np.linalg.norm(target)) or 1.0


def bilinear_units(learn_w: np.ndarray, learn_d: np.ndarray) -> list[int]:
    """Units whose W row and some D entry are both learnable while d >= 2."""
    if learn_d.shape[0] < 2:
        return []
    return [j for j in range(learn_w.shape[0]) if learn_w[j].any() and learn_d[:, j].any()]


def _full_rank(b: np.ndarray, m: int) -> bool:
    if b.shape[0] < m:
        return False
    s = np.linalg.svd(b, compute_uv=False)
    return s[0] > 0 and s[m - 1] > RANK_GAP * s[0]


def _order(patterns: np.ndarray) -> np.ndarray:
    return patterns[np.argsort(-patterns.sum(axis=1), kind="stable")]


def _z_for(q: np.ndarray, alpha: float) -> np.ndarray:
    """A pre-activation with act(z) = q (ReLU: q's negative or zero entries become -1)."""
    if alpha == 0:
        return np.where(q > 0, q, -1.0)
    return np.where(q >= 0, q, q / alpha)


def _solve_row(b: np.ndarray, a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """u with a + u B = z (B of rank m), by least squares."""
    return np.linalg.lstsq(b.T, z - a, rcond=None)[0]


def _unit_block(layer: Layer, j: int, d_index: list[int], e: int) -> Block:
    """The block of unit j (W row j holds learnables; ``d_index``: its learnable D rows)."""
    x, m, alpha = layer.X, layer.X.shape[1], layer.alpha
    cols = np.flatnonzero(layer.learn_w[j])
    fixed = layer.W[j].copy()
    fixed[cols] = 0.0
    a = fixed @ x
    b = x[cols]
    k = cols.size
    d_col = layer.D[:, j]
    rows_out = layer.D.shape[0]
    full = _full_rank(b, m)
    eye = np.eye(m)
    if not d_index:
        if full:  # q = act(z) ranges over R^m_{>=0} (ReLU) or R^m (leaky)
            mat = np.kron(d_col[:, None], eye)[None]  # (1, E, m)
            g = eye[None] if alpha == 0 else np.zeros((1, 0, m))

            def recover(_o, theta):
                return {"W": dict(zip(cols, _solve_row(b, a, _z_for(theta, alpha)))), "D": {}}

            return Block(j, "free", mat, np.zeros((1, e)), g, np.zeros((1, g.shape[1])), recover)
        patterns, exact = unit_patterns(a, b)
        patterns = _order(patterns)
        slope = np.where(patterns, 1.0, alpha)  # (n, m)
        sign = np.where(patterns, 1.0, -1.0)
        # M[(o, s), l] = D[o, j] slope_s B[l, s]
        mat = np.einsum("o,ns,ls->nosl", d_col, slope, b).reshape(len(patterns), e, k)
        c0 = np.einsum("o,ns,s->nos", d_col, slope, a).reshape(len(patterns), e)
        g = np.einsum("ns,ls->nsl", sign, b)
        h = sign * a

        def recover(_o, theta):
            return {"W": dict(zip(cols, theta)), "D": {}}

        return Block(j, "cells", mat, c0, g, h, recover, exact_cells=exact, patterns=patterns)
    # d = 1 here: the sign split on D[0, j]
    if full:
        if alpha == 0:
            mat = np.stack([np.eye(m), -np.eye(m)])  # sigma q, q >= 0
            g = np.stack([np.eye(m)] * 2)

            def recover(option, theta):
                sigma = 1.0 if option == 0 else -1.0
                return {"W": dict(zip(cols, _solve_row(b, a, _z_for(theta, 0.0)))), "D": {(0, j): sigma}}

            return Block(j, "split-free", mat, np.zeros((2, e)), g, np.zeros((2, m)), recover,
                         sigmas=np.array([1.0, -1.0]))

        def recover(_o, theta):
            return {"W": dict(zip(cols, _solve_row(b, a, _z_for(theta, alpha)))), "D": {(0, j): 1.0}}

        return Block(j, "split-free", np.eye(m)[None], np.zeros((1, e)), np.zeros((1, 0, m)), np.zeros((1, 0)),
                     recover, sigmas=np.array([1.0]))
    patterns, exact = unit_patterns(a, b)
    patterns = _order(patterns)
    n = len(patterns)
    slope = np.where(patterns, 1.0, alpha)
    sign = np.where(patterns, 1.0, -1.0)
    sigmas = np.repeat([1.0, -1.0], n)
    slope2, sign2 = np.concatenate([slope, slope]), np.concatenate([sign, sign])
    if not np.any(a):  # fully learnable row: D_j act(u B) = sigma act(v B), v = |D_j| u
        mat = (sigmas[:, None, None] * np.einsum("ns,ls->nsl", slope2, b))
        g = np.einsum("ns,ls->nsl", sign2, b)

        def recover(option, theta):
            return {"W": dict(zip(cols, theta)), "D": {(0, j): float(sigmas[option])}}

        return Block(j, "split-cells", mat, np.zeros((2 * n, e)), g, np.zeros((2 * n, m)), recover,
                     exact_cells=exact, patterns=np.concatenate([patterns, patterns]), sigmas=sigmas)
    ab = np.vstack([a[None, :], b])  # (1 + k, m): unknowns (c, v)
    mat = sigmas[:, None, None] * np.einsum("ns,ls->nsl", slope2, ab)
    g = np.concatenate([np.einsum("ns,ls->nsl", sign2, ab), np.zeros((2 * n, 1, 1 + k))], axis=1)
    g[:, m, 0] = 1.0  # c >= 0 (c > 0 is confirmed by the re-check)

    def recover(option, theta):
        c = float(theta[0])
        if not c > 0:
            return None
        return {"W": dict(zip(cols, theta[1:] / c)), "D": {(0, j): float(sigmas[option]) * c}}

    return Block(
        j, "split-cells", mat, np.zeros((2 * n, e)), g, np.zeros((2 * n, m + 1)), recover,
        can_die=True, exact_cells=exact, patterns=np.concatenate([patterns, patterns]), sigmas=sigmas,
    )


def build_blocks(layer: Layer) -> tuple[list[Block], np.ndarray]:
    """(blocks, fixed output) of one trial; the fixed output is flattened (E,)."""
    d, h = layer.D.shape
    m = layer.X.shape[1]
    e = d * m
    if bilinear_units(layer.learn_w, layer.learn_d):
        raise ValueError("a unit with learnable W row and D entries at d >= 2 is bilinear per pattern")
    fixed = np.zeros((d, m))
    blocks: list[Block] = []
    extra_cols: list[np.ndarray] = []
    extra_keys: list[tuple[int, int]] = []
    for j in range(h):
        d_rows = [int(o) for o in np.flatnonzero(layer.learn_d[:, j])]
        if layer.learn_w[j].any():
            blocks.append(_unit_block(layer, j, d_rows, e))
            continue
        feature = layer.act(layer.W[j] @ layer.X)
        for o in range(d):
            if o in d_rows:
                column = np.zeros((d, m))
                column[o] = feature
                extra_cols.append(column.ravel())
                extra_keys.append((o, j))
            else:
                fixed[o] += layer.D[o, j] * feature
    if extra_cols:
        mat = np.stack(extra_cols, axis=1)[None]

        def recover(_o, theta):
            return {"W": {}, "D": dict(zip(extra_keys, theta))}

        blocks.insert(0, Block(-1, "D", mat, np.zeros((1, e)), np.zeros((1, 0, len(extra_keys))), np.zeros((1, 0)), recover))
    return blocks, fixed.ravel()


def _combinations(sizes: list[int]) -> np.ndarray:
    """Every choice of one option per block, most likely first (smallest rank sum)."""
    if not sizes:
        return np.zeros((1, 0), dtype=np.int64)
    grid = np.indices(sizes).reshape(len(sizes), -1).T
    return grid[np.argsort(grid.sum(axis=1), kind="stable")]


def _stack(blocks: list[Block], choice: np.ndarray, target: np.ndarray):
    count = choice.shape[0]
    mats = [b.M[choice[:, i]] for i, b in enumerate(blocks)]
    e = target.shape[0]
    m = np.concatenate(mats, axis=2) if mats else np.zeros((count, e, 0))
    t = target[None, :] - sum((b.c0[choice[:, i]] for i, b in enumerate(blocks)), np.zeros((count, e)))
    widths = [b.M.shape[2] for b in blocks]
    heights = [b.G.shape[1] for b in blocks]
    g = np.zeros((count, sum(heights), sum(widths)))
    hh = np.zeros((count, sum(heights)))
    r = c = 0
    for i, b in enumerate(blocks):
        g[:, r : r + heights[i], c : c + widths[i]] = b.G[choice[:, i]]
        hh[:, r : r + heights[i]] = b.h[choice[:, i]]
        r, c = r + heights[i], c + widths[i]
    return m, t, g, hh, np.cumsum([0] + widths)


def solve_layer(
    layer: Layer,
    *,
    tol: float,
    limit: int,
    check: Callable[[np.ndarray, np.ndarray], float] | None = None,
) -> LayerOutcome:
    """Decide one trial: is there a choice of the learnables with ``D act(W X) = Y*``?

    Parameters
    ----------
    layer : Layer
    tol : float
        Relative residual of a match (equalities and the re-check).
    limit : int
        Most combinations to enumerate; above it none is tried (``"over_limit"``).
    check : callable, optional
        ``check(W, D) -> relative residual`` of the real network (default: the layer's).

    Returns
    -------
    LayerOutcome
    """
    check = check or layer.residual
    blocks, fixed = build_blocks(layer)
    target = layer.target.ravel() - fixed
    scale = _scale(layer.target)
    dying = [i for i, b in enumerate(blocks) if b.can_die]
    groups = []
    for mask in range(2 ** len(dying)):
        dead = {dying[i] for i in range(len(dying)) if mask >> i & 1}
        alive = [b for i, b in enumerate(blocks) if i not in dead]
        groups.append((len(dead), mask, alive, [blocks[i] for i in dead]))
    groups.sort(key=lambda item: (item[0], item[1]))
    total = sum(int(np.prod([b.M.shape[0] for b in alive], dtype=float)) for _, _, alive, _ in groups)
    exact_cells = all(b.exact_cells for b in blocks)
    info = {"blocks": [b.kind for b in blocks]}
    if total > limit:
        return LayerOutcome("over_limit", total=total, exact_cells=exact_cells, details=info)
    tried = 0
    best = float("inf")
    pending: list = []  # (alive, dead, option row) the float route could not decide
    for _, _, alive, dead in groups:
        choices = _combinations([b.M.shape[0] for b in alive])
        for start in range(0, len(choices), CHUNK):
            choice = choices[start : start + CHUNK]
            m, t, g, hh, offsets = _stack(alive, choice, target)
            status, theta = decide(m, t, g, hh, tol=tol, scale=scale)
            tried += len(choice)
            pending.extend((alive, dead, choice[row]) for row in np.flatnonzero(status == UNCLEAR))
            c_index = [int(offsets[i]) for i, blk in enumerate(alive) if blk.can_die]
            for row in np.flatnonzero(status == CANDIDATE):
                point = theta[row]
                if c_index and min(point[c_index]) <= SIGN_MARGIN:
                    # the slack optimum sits at c ~ 0: look for a point with every c > 0
                    point = positive_c(m[row], t[row], g[row], hh[row], c_index)
                    if point is None:  # no c > 0 beyond the margin: the exact route decides it
                        pending.append((alive, dead, choice[row]))
                        continue
                w, d = layer.W.copy(), layer.D.copy()
                for blk in dead:
                    d[0, blk.unit] = 0.0
                ok = True
                for i, blk in enumerate(alive):
                    update = blk.recover(int(choice[row, i]), point[offsets[i] : offsets[i + 1]])
                    if update is None:
                        ok = False
                        break
                    for col, value in update["W"].items():
                        w[blk.unit, col] = value
                    for (o, col), value in update["D"].items():
                        d[o, col] = value
                residual = check(w, d) if ok else float("inf")
                best = min(best, residual)
                if residual <= tol:
                    info["dead_units"] = [blk.unit for blk in dead]
                    info["choice"] = [(blk.unit, int(choice[row, i])) for i, blk in enumerate(alive)]
                    return LayerOutcome("match", w, d, residual, tried, total, len(pending), exact_cells, info)
                pending.append((alive, dead, choice[row]))
    unclear = len(pending)
    if pending:
        found = decide_open(layer, pending, check, info)
        if found is not None:
            w, d, residual = found
            return LayerOutcome("match", w, d, residual, tried, total, unclear, exact_cells, info)
        unclear = info["exact"]["unclear"]
    status = "no" if unclear == 0 else "unclear"
    return LayerOutcome(status, None, None, best, tried, total, unclear, exact_cells, info)
