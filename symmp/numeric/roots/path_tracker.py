"""Batched predictor-corrector path tracking of homotopies ``H(x, s) = 0`` from s = 0 to s = 1.

Every row of a batch is one path; all rows advance together in numpy
(complex128), each with its own adaptive step: a classical Runge-Kutta (RK4)
predictor on ``dx/ds = -H_x^{-1} H_s``, then :data:`CORRECTOR` Newton steps at
the new ``s``. A step is accepted when the first Newton correction is at most
:data:`PREDICTOR_TOL` times the path's size and the corrections contract; a
rejected step is halved, and the step doubles after :data:`GROW_AFTER`
accepted ones. A path **fails** (never silently: its ``status`` says why) when
it diverges (``|x|`` beyond :data:`DIVERGED` times the scale), when a
linear solve breaks down, or when its step collapses below :data:`H_MIN` before
the endgame zone. A path whose step collapses inside the zone
(``s > 1 -`` :data:`ENDGAME_ZONE`: it is heading for a singular endpoint) goes
to the **endgame**: Newton at ``s = 1`` with up to :data:`SINGULAR_NEWTON`
steps (linear convergence at a singular root), and its endpoint is flagged
``singular`` when the Jacobian there is numerically rank deficient. Regular
paths finish with :data:`ENDGAME_NEWTON` Newton steps at ``s = 1``.

The homotopy is any object with ``evaluate(x, s, rows, derivative)``
returning ``(H, H_x, H_s)`` for the paths ``rows`` (``H_s`` only when
``derivative``; shapes ``(k, q)``, ``(k, q, q)``, ``(k, q)``). Each row's
arithmetic involves only that row, so a path's result never depends on the
batch it shares.

Examples
--------
>>> import numpy as np
>>> class Square:  # x^2 - (1 + 3 s) = 0 from x = +-1
...     def evaluate(self, x, s, rows, derivative):
...         return x**2 - (1 + 3 * s)[:, None], (2 * x)[:, :, None], -3 * np.ones_like(x)
>>> out = track(Square(), np.array([[1.0 + 0j], [-1.0 + 0j]]))
>>> np.round(out.x.real, 6).ravel().tolist(), out.status.tolist()
([2.0, -2.0], [0, 0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.batched import solve_each

__all__ = ["track", "TrackResult", "STATUS", "OK", "DIVERGED_PATH", "BROKEN", "COLLAPSED", "UNFINISHED"]

H_START, H_MAX, H_MIN = 0.1, 0.5, 1e-6
GROW_AFTER = 2
CORRECTOR = 2
#: a step is accepted when the first correction is <= PREDICTOR_TOL * size and the
#: last <= max(FINAL_TOL * size, CONTRACTION * first)
PREDICTOR_TOL, CONTRACTION, FINAL_TOL = 1e-2, 0.1, 1e-11
#: |x| beyond DIVERGED * scale: the path goes to infinity
DIVERGED = 1e6
ENDGAME_ZONE = 1e-3
ENDGAME_NEWTON = 6
SINGULAR_NEWTON = 60
#: an endpoint is singular when its Jacobian's smallest / largest singular value is below this
SINGULAR_RATIO = 1e-9
MAX_STEPS = 3000

OK, DIVERGED_PATH, BROKEN, COLLAPSED, UNFINISHED = 0, 1, 2, 3, 4
#: status code -> meaning
STATUS = {OK: "ok", DIVERGED_PATH: "diverged", BROKEN: "singular linear solve",
          COLLAPSED: "step collapsed", UNFINISHED: "step budget exhausted"}


@dataclass(frozen=True)
class TrackResult:
    """Endpoints of a batch of paths.

    Attributes
    ----------
    x : ndarray (P, q) complex
        Endpoints at s = 1 (last point reached for failed paths).
    status : ndarray (P,) int
        :data:`OK` or the reason of the failure (:data:`STATUS`).
    singular : ndarray (P,) bool
        Endpoint with a numerically rank-deficient Jacobian (went through the endgame or not).
    steps : ndarray (P,) int
        Predictor-corrector steps tried.
    """

    x: np.ndarray
    status: np.ndarray
    singular: np.ndarray
    steps: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Paths that reached s = 1."""
        return self.status == OK


def _solve(A, b):
    return solve_each(A, b[..., None])[0][..., 0]


def _norm(v):
    return np.sqrt((v.real**2 + v.imag**2).sum(axis=-1))


def track(homotopy, x0: np.ndarray, *, scale: np.ndarray | float = 1.0, max_steps: int = MAX_STEPS) -> TrackResult:
    """Track every row of ``x0`` (solutions of ``H(., 0)``) to s = 1.

    Parameters
    ----------
    homotopy : object
        ``evaluate(x, s, rows, derivative) -> (H, H_x, H_s)`` (module docstring).
    x0 : ndarray (P, q) complex
        Start points.
    scale : float or ndarray (P,)
        Natural size of the unknowns per path (step tolerances and divergence).
    max_steps : int
        Step budget per path.

    Returns
    -------
    TrackResult
    """
    x = np.array(x0, dtype=complex)
    P = x.shape[0]
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (P,)).copy()
    s = np.zeros(P)
    h = np.full(P, H_START)
    wins = np.zeros(P, dtype=int)
    status = np.full(P, -1)
    steps = np.zeros(P, dtype=int)
    endgame = np.zeros(P, dtype=bool)

    def velocity(rows, v, t):
        _, jac, ds = homotopy.evaluate(v, t, rows, True)
        return -_solve(jac, ds)

    for _ in range(max_steps):
        idx = np.flatnonzero(status < 0)
        if idx.size == 0:
            break
        v, t = x[idx], s[idx]
        step = np.minimum(h[idx], 1.0 - t)
        with np.errstate(all="ignore"):
            k1 = velocity(idx, v, t)
            k2 = velocity(idx, v + 0.5 * step[:, None] * k1, t + 0.5 * step)
            k3 = velocity(idx, v + 0.5 * step[:, None] * k2, t + 0.5 * step)
            k4 = velocity(idx, v + step[:, None] * k3, t + step)
            pred = v + step[:, None] / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            t_new = np.where(step >= 1.0 - t, 1.0, t + step)
            size = scale[idx] + _norm(pred)
            first = last = None
            for _i in range(CORRECTOR):
                val, jac, _ = homotopy.evaluate(pred, t_new, idx, False)
                delta = _solve(jac, val)
                pred = pred - delta
                norm = _norm(delta)
                first = norm if first is None else first
                last = norm
            good = (np.isfinite(pred).all(axis=1) & (first <= PREDICTOR_TOL * size)
                    & (last <= np.maximum(FINAL_TOL * size, CONTRACTION * first)))
        steps[idx] += 1
        accept = idx[good]
        x[accept], s[accept] = pred[good], t_new[good]
        wins[accept] += 1
        grow = accept[wins[accept] >= GROW_AFTER]
        h[grow] = np.minimum(h[grow] * 2.0, H_MAX)
        wins[grow] = 0
        reject = idx[~good]
        h[reject] *= 0.5
        wins[reject] = 0
        status[accept[s[accept] >= 1.0]] = OK
        with np.errstate(invalid="ignore", over="ignore"):
            far = ~np.isfinite(x[idx]).all(axis=1) | (_norm(x[idx]) > DIVERGED * scale[idx])
        status[idx[far]] = DIVERGED_PATH
        small = reject[(h[reject] < H_MIN) & (status[reject] < 0)]
        near = s[small] > 1.0 - ENDGAME_ZONE
        endgame[small[near]] = True
        status[small[near]] = OK  # finished by the singular endgame below
        status[small[~near]] = COLLAPSED
    status[status < 0] = UNFINISHED
    singular = np.zeros(P, dtype=bool)
    live = np.flatnonzero(status == OK)
    if live.size:
        x[live], singular[live], broken = _finish(homotopy, x[live], live, endgame[live])
        status[live[broken]] = BROKEN
    return TrackResult(x, status, singular, steps)


def _finish(homotopy, v, rows, endgame):
    """Newton at s = 1 (longer for endgame paths); flags singular endpoints."""
    ones = np.ones(len(rows))
    todo = np.where(endgame, SINGULAR_NEWTON, ENDGAME_NEWTON)
    with np.errstate(all="ignore"):
        for k in range(SINGULAR_NEWTON):
            active = np.flatnonzero(todo > k)
            if active.size == 0:
                break
            val, jac, _ = homotopy.evaluate(v[active], ones[active], rows[active], False)
            delta = _solve(jac, val)
            finite = np.isfinite(delta).all(axis=1)
            v[active[finite]] -= delta[finite]
        _, jac, _ = homotopy.evaluate(v, ones, rows, False)
        finite = np.isfinite(jac).all(axis=(1, 2))
        sv = np.ones((len(rows), jac.shape[-1]))
        if finite.any():
            sv[finite] = np.linalg.svd(jac[finite], compute_uv=False)
        singular = sv[:, -1] <= SINGULAR_RATIO * np.maximum(sv[:, 0], 1e-300)
    broken = ~np.isfinite(v).all(axis=1) | ~finite
    return v, singular, broken
