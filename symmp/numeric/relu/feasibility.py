"""Batched linear feasibility: equalities ``M theta = t`` plus sign constraints.

For each of many problems (one per activation-pattern combination) decide
whether some ``theta`` satisfies ``M theta = t`` and ``G theta + h >= 0``
(THEORY.md section 7, exact route):

1. the equalities by least squares: square, well-conditioned systems by a
   batched inverse (1-norm condition number below :data:`COND`), the rest by
   SVD with the rank read off the singular values (:data:`~.cells.SINGULAR`
   and :data:`~.cells.RANK_GAP`; a singular value between them makes the
   problem *unclear*); the residual ``||t - M theta0||`` decides:
   consistent at ``<= tol * scale``, inconsistent at ``>= EQUALITY_MARGIN *
   scale``, unclear in between;
2. the sign constraints on ``theta0 + N lambda`` (N the null space), each
   row scaled to unit norm, by the largest common slack ``s*``: directly when
   N is empty, exactly by the breakpoints of a concave piecewise-linear
   function when it has one column, by a HiGHS LP otherwise (``s*`` capped
   at 1). ``s* <= -SIGN_MARGIN`` (``-LP_MARGIN`` for an LP, whose own
   tolerances are about 1e-7) rejects; otherwise the point reached is a
   *candidate*, which the caller re-checks on the real network.

Status per problem: :data:`REJECT` (proved infeasible, to these margins),
:data:`CANDIDATE` (with its ``theta``) or :data:`UNCLEAR` (neither).

Examples
--------
>>> import numpy as np
>>> M = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]])
>>> t = np.array([[1.0, -1.0], [1.0, 2.0]])
>>> G = np.array([[[1.0, 0.0], [0.0, 1.0]]] * 2)   # theta >= 0
>>> status, theta = decide(M, t, G, np.zeros((2, 2)), tol=1e-9, scale=1.0)
>>> status.tolist()          # theta = (1, -1) breaks theta >= 0; the second is inconsistent
[0, 0]
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from .cells import RANK_GAP, SINGULAR

__all__ = ["decide", "positive_c", "REJECT", "CANDIDATE", "UNCLEAR", "COND", "EQUALITY_MARGIN", "SIGN_MARGIN", "LP_MARGIN"]

REJECT, CANDIDATE, UNCLEAR = 0, 1, 2
#: square systems with a larger 1-norm condition number go through the SVD
COND = 1e7
#: an equality residual this large (relative) rejects
EQUALITY_MARGIN = 1e-6
#: a common sign slack this negative rejects (unit-norm constraint rows)
SIGN_MARGIN = 1e-9
#: ... and this negative when an LP computed it
LP_MARGIN = 1e-6
#: candidates are sought within this distance along the null space (farther points lose the
#: equalities to rounding); a problem feasible only farther away is UNCLEAR, never rejected
BOX = 1e3
#: null-space slopes of unit-norm constraints below this are rounding, set to 0
NOISE = 1e-11


def _max_min_1d(a: np.ndarray, b: np.ndarray, box: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """max over lambda of min(1, min_j a_j lambda + b_j), per row: (value, argmax);
    with ``box``, also ``min(1 - lambda / box, 1 + lambda / box)`` (keeps lambda near 0).

    The function is concave and piecewise linear, bounded by the cap 1, so
    its maximum is reached at lambda = 0 (if it is constant) or at a
    crossing of two of its lines (the cap included).
    """
    count, q = a.shape
    if box is not None:
        a = np.concatenate([a, np.full((count, 1), -1.0 / box), np.full((count, 1), 1.0 / box)], axis=1)
        b = np.concatenate([b, np.ones((count, 2))], axis=1)
        q += 2
    lines_a = np.concatenate([a, np.zeros((count, 1))], axis=1)
    lines_b = np.concatenate([b, np.ones((count, 1))], axis=1)
    i, j = np.triu_indices(q + 1, 1)
    da = lines_a[:, i] - lines_a[:, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(da != 0, (lines_b[:, j] - lines_b[:, i]) / np.where(da != 0, da, 1.0), 0.0)
    lam = np.concatenate([np.zeros((count, 1)), lam], axis=1)  # (count, K)
    values = np.min(lines_a[:, None, :] * lam[:, :, None] + lines_b[:, None, :], axis=2)
    best = np.argmax(values, axis=1)
    rows = np.arange(count)
    return values[rows, best], lam[rows, best]


def _lp_max_slack(a: np.ndarray, b: np.ndarray, box: float | None) -> tuple[float | None, np.ndarray | None]:
    """HiGHS: max s subject to a lambda + b >= s, s <= 1 (and |lambda_i| <= box); None when it fails."""
    q, f = a.shape
    result = linprog(
        np.r_[np.zeros(f), -1.0],
        A_ub=np.hstack([-a, np.ones((q, 1))]),
        b_ub=b,
        bounds=[(None, None) if box is None else (-box, box)] * f + [(None, 1.0)],
        method="highs",
    )
    if result.status != 0:
        return None, None
    return float(-result.fun), result.x[:f]


def _solve_equalities(m: np.ndarray, t: np.ndarray):
    """(theta0, null-space list, clear rank) per problem."""
    count, e, p = m.shape
    theta = np.zeros((count, p))
    nulls: list[np.ndarray] = [np.zeros((p, 0))] * count
    clear = np.ones(count, dtype=bool)
    rest = np.arange(count)
    if e == p and p:
        sign, _ = np.linalg.slogdet(m)
        ok = np.flatnonzero(sign != 0)
        if ok.size:
            inv = np.linalg.inv(m[ok])
            cond = np.abs(m[ok]).sum(axis=1).max(axis=1) * np.abs(inv).sum(axis=1).max(axis=1)
            good = cond < COND
            sel, inv_good = ok[good], inv[good]
            theta[sel] = np.einsum("cij,cj->ci", inv_good, t[sel])
            # one step of iterative refinement: the residual drops to rounding of M theta
            theta[sel] += np.einsum("cij,cj->ci", inv_good, t[sel] - np.einsum("cij,cj->ci", m[sel], theta[sel]))
            rest = np.setdiff1d(rest, ok[good])
    if rest.size and p:
        u, s, vt = np.linalg.svd(m[rest], full_matrices=True)
        top = s[:, :1]
        rel = np.divide(s, top, out=np.zeros_like(s), where=top > 0)
        ranks = np.sum(rel > SINGULAR, axis=1)
        clear[rest] = ~np.any((rel > SINGULAR) & (rel < RANK_GAP), axis=1)
        coef = np.einsum("cei,ce->ci", u[:, :, : s.shape[1]], t[rest])
        inv_s = np.divide(1.0, s, out=np.zeros_like(s), where=rel > SINGULAR)
        theta[rest] = np.einsum("ci,cij->cj", coef * inv_s, vt[:, : s.shape[1], :])
        fix = np.einsum("cei,ce->ci", u[:, :, : s.shape[1]], t[rest] - np.einsum("cep,cp->ce", m[rest], theta[rest]))
        theta[rest] += np.einsum("ci,cij->cj", fix * inv_s, vt[:, : s.shape[1], :])
        for k, c in enumerate(rest):
            nulls[c] = vt[k, ranks[k]:, :].T
    return theta, nulls, clear


def decide(
    m: np.ndarray, t: np.ndarray, g: np.ndarray, h: np.ndarray, *, tol: float, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Status and candidate theta of each problem ``(M, t, G, h)``; see module doc.

    Parameters
    ----------
    m : ndarray (count, E, P)
    t : ndarray (count, E)
    g : ndarray (count, Q, P)
    h : ndarray (count, Q)
    tol : float
        Relative equality residual accepted as consistent.
    scale : float
        What residuals are relative to (the target's norm).

    Returns
    -------
    status : ndarray of int (count,)
    theta : ndarray (count, P)
    """
    count, _, p = m.shape
    status = np.full(count, REJECT, dtype=np.int64)
    theta, nulls, clear = _solve_equalities(m, t)
    residual = np.linalg.norm(t - np.einsum("cep,cp->ce", m, theta), axis=1) / scale
    consistent = residual <= tol
    status[~consistent & (residual < EQUALITY_MARGIN)] = UNCLEAR
    status[~consistent & ~clear] = UNCLEAR
    norms = np.linalg.norm(g, axis=2)
    norms = np.where(norms > 0, norms, 1.0)
    base = (np.einsum("cqp,cp->cq", g, theta) + h) / norms
    dims = np.array([n.shape[1] for n in nulls])
    for f in np.unique(dims[consistent]):
        rows = np.flatnonzero(consistent & (dims == f))
        if f == 0 or g.shape[1] == 0:  # no free direction, or no sign constraint: theta0 itself
            slack = base[rows].min(axis=1, initial=1.0)
            margin = np.full(rows.size, SIGN_MARGIN)
        else:
            basis = np.stack([nulls[c] for c in rows])  # (k, P, f)
            a = np.einsum("cqp,cpf->cqf", g[rows], basis) / norms[rows][:, :, None]
            # unit-norm rows times an orthonormal basis: entries this small are rounding (a
            # constraint the null direction does not move), kept they would send lambda to 1e14
            a[np.abs(a) < NOISE] = 0.0
            if f == 1:
                slack, _ = _max_min_1d(a[:, :, 0], base[rows])
                near, lam = _max_min_1d(a[:, :, 0], base[rows], BOX)
                far = (slack > -SIGN_MARGIN) & (near <= -SIGN_MARGIN)
                status[rows[far]] = UNCLEAR
                slack = np.where(far, -np.inf, slack)
                lam = lam[:, None]
                margin = np.full(rows.size, SIGN_MARGIN)
            else:
                slack = np.empty(rows.size)
                lam = np.zeros((rows.size, f))
                margin = np.full(rows.size, LP_MARGIN)
                for k in range(rows.size):
                    value, _ = _lp_max_slack(a[k], base[rows[k]], None)
                    if value is not None and value > -margin[k]:
                        value, point = _lp_max_slack(a[k], base[rows[k]], BOX)
                        if value is None or value <= -margin[k]:
                            value = None  # feasible only far out, or failed: unclear
                    if value is None:
                        slack[k] = np.nan
                    elif value <= -margin[k]:
                        slack[k] = value
                    else:
                        # the slack actually reached at HiGHS's point (its own value may be off by its tolerances)
                        reached = float(np.min(a[k] @ point + base[rows[k]], initial=1.0))
                        slack[k] = max(reached, value) if reached > -margin[k] else value
                        lam[k] = point
            theta[rows] = theta[rows] + np.einsum("cpf,cf->cp", basis, lam)
        good = slack > -margin
        status[rows[good]] = CANDIDATE
        unclear = ~good & (~clear[rows] | np.isnan(slack) | (status[rows] == UNCLEAR))
        status[rows[unclear]] = UNCLEAR
    return status, theta


def positive_c(m, t, g, h, c_index: list[int]) -> np.ndarray | None:
    """A point of ``M theta = t, G theta + h >= 0`` with every ``theta[c] > 0`` (HiGHS: maximise
    the smallest, capped at 1), or None when the largest is <= SIGN_MARGIN: then no such point
    exists beyond that margin (the homogeneous sign split always admits c = 0, the unit silent,
    which the option "D_j = 0" covers)."""
    p = m.shape[1]
    rows = len(c_index)
    a_ub = np.vstack([np.hstack([-g, np.zeros((g.shape[0], 1))]), np.zeros((rows, p + 1))])
    for r, c in enumerate(c_index):
        a_ub[g.shape[0] + r, c] = -1.0
        a_ub[g.shape[0] + r, p] = 1.0
    result = linprog(
        np.r_[np.zeros(p), -1.0], A_ub=a_ub, b_ub=np.r_[h, np.zeros(rows)],
        A_eq=np.hstack([m, np.zeros((m.shape[0], 1))]), b_eq=t,
        bounds=[(None, None)] * p + [(None, 1.0)], method="highs",
    )
    if result.status != 0 or -result.fun <= SIGN_MARGIN:
        return None
    return result.x[:p]
