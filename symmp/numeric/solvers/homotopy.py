"""``homotopy``: batched total-degree homotopy on the Markov-reduced square quadratic system.

Applies to lrnn allocations with only W learnable where the Markov
reduction (:mod:`~symmp.numeric.problems.markov`) leaves a **square quadratic** system:
``convention="paper"``, T = 2 (highest W power 2), m >= T*b and
``r = 2*d*b`` (so ``r - d*b = d*b`` unknowns z for the ``d*b`` equations of
the block ``D W^2 B = D* W*^2 B*``), with at most :data:`MAX_PATHS`
``= 2^(d*b)`` paths per trial.

Per trial, the reduced system ``F(z) = c + J0 z + z^T H z / 2`` (exact
coefficients, :class:`~symmp.numeric.problems.quadratic.QuadraticProblem`) is scaled
(unknowns by the natural weight scale, each equation to unit coefficient
norm) and joined to the start system ``G_i(x) = x_i^2 - 1`` by

    h(x, t) = (1 - t) gamma G(x) + t F(x),

with a random complex ``gamma`` drawn from the trial's own stream
``trial_rng(seed, index, 2)`` (the gamma trick). The ``2^q`` start solutions
``x in {-1, 1}^q`` of every trial are tracked **together, in one numpy
batch** (complex128): RK4 predictor on ``dx/dt = -h_x^{-1} h_t``, Newton
corrector at the new ``t``, an adaptive step per path (halved on a rejected
step, doubled after :data:`GROW_AFTER` accepted ones), then a few Newton
steps at ``t = 1``. The paths run in projective coordinates on a random
complex chart (also from the trial's stream), so paths to solutions at
infinity stay bounded; a path is abandoned once ``|x|`` exceeds ``1 /``
:data:`DIVERGING` natural weight scales, or when its step collapses before
``t = 1``. Every path's
arithmetic involves only its own row, and gamma comes from the trial's seed
stream, so a trial's outcome never depends on the batch.

A trial is a **match** when some endpoint is nearly real and its real part,
after a few real Newton steps on the reduced system, maps back to learnable
weights at which the **real model's** outputs match (relative residual <=
``tol`` after refinement on the real model). Every other verdict is a
no-match **not proved** (``proved=False``): no count of distinct finite
solutions is certified here, so estimates stay lower bounds, as with
``newton``. Trials where the reduction does not apply (rank-deficient inputs
or linear block) are passed to ``newton``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ..kernels.batched import solve_each
from ..problems.match import MatchProblem
from ..problems.quadratic import QuadraticProblem
from ..roots.real import NEAR_REAL_ENDPOINTS, nearly_real
from ..sampling import Trial, trial_rng
from . import SOLVERS, SolverOptions, TrialOutcome, register_solver
from ..problems.markov import ReducedMarkovProblem, natural_scale, square_quadratic_unknowns
from ..kernels.newton import confirm_matches, newton_iterate
from .newton import NEWTON_OPTIONS

__all__ = ["homotopy_solve", "homotopy_applies", "track_paths", "MAX_PATHS"]

#: total-degree paths per trial beyond which the solver does not apply
MAX_PATHS = 64
#: the default trials per task: 2^q paths per trial are tracked together, and past a few
#: hundred trials the batch's arrays outgrow the caches (r = 8 over K = 4 rows, 16 paths a
#: trial: about 100 trials/s in 50-trial calls, 86 in 200-trial ones, 74 in 1,000-trial ones)
PATH_BATCH = 200
#: |y| (projective coordinates on the chart) beyond which a path has failed
INFINITE = 1e8
#: an endpoint with |y_0| <= this * |y| is a solution at infinity
AT_INFINITY = 1e-8
#: a path with |y_0| < this * |y| (|x| beyond 1/this in natural weight scales)
#: is abandoned as going to infinity
DIVERGING = 1e-6
H_START, H_MAX, H_MIN = 0.05, 0.2, 1e-9
GROW_AFTER = 3
CORRECTOR = 3  # Newton corrector iterations per step
#: a step is accepted when the first correction is <= PREDICTOR_TOL * (1 + |y|)
#: and the last <= CONTRACTION times the first
PREDICTOR_TOL, CONTRACTION = 1e-2, 1e-2
ENDGAME = 8  # Newton steps on F at t = 1
MAX_STEPS = 2000
#: an endpoint is tried as a real solution when |Im x| <= this * (1 + |x|): 1e-3, looser than
#: ``algebraic``'s eigenvalue roots (:mod:`~symmp.numeric.roots.real`); each keeps its own
NEAR_REAL = NEAR_REAL_ENDPOINTS
REAL_NEWTON = 10  # real Newton steps on the reduced system before confirmation
POLISH = 5  # real-model Newton steps confirming a match


def homotopy_applies(allocation: Allocation) -> bool:
    """True when the Markov reduction leaves a square quadratic system with <= MAX_PATHS paths."""
    q = square_quadratic_unknowns(allocation)
    return q is not None and 2**q <= MAX_PATHS


def _solve(A, b):
    """Batched complex solve; singular rows give NaN (the path then fails)."""
    return solve_each(A, b[..., None])[0][..., 0]


def track_paths(QF, gamma, patch, y0):
    """Track every row, in projective coordinates, from a start solution to t = 1.

    Each path's target is the homogeneous quadratic system ``y^T QF_e y = 0``
    (``QF (P, q, q + 1, q + 1)`` symmetric, ``y = (y_0, y_1..y_q)``, the
    affine unknowns being ``y_i / y_0``), its start system
    ``y_i^2 - y_0^2 = 0``, joined by ``(1 - t) gamma G + t F``, on the random
    affine chart ``patch . y = 1`` (so that solutions at infinity end at
    finite ``y`` with ``y_0 = 0`` instead of diverging).

    Returns
    -------
    y : ndarray (P, q + 1) complex
        Endpoints (after the endgame Newton steps at t = 1).
    ok : ndarray (P,) bool
        The path reached t = 1 with a finite ``y``.
    """
    P, q1 = y0.shape
    q = q1 - 1
    QG = np.zeros((q, q1, q1))
    QG[np.arange(q), np.arange(1, q1), np.arange(1, q1)] = 1.0
    QG[:, 0, 0] = -1.0
    y = y0.astype(complex)
    t = np.zeros(P)
    h = np.full(P, H_START)
    wins = np.zeros(P, dtype=int)
    failed = np.zeros(P, dtype=bool)
    steps = np.zeros(P, dtype=int)

    eqs = np.arange(q)

    def parts(idx, v, s):
        """h(v, s) with the chart row, its Jacobian, and dh/dt."""
        k = len(idx)
        g = gamma[idx][:, None, None]
        flat = QF[idx].reshape(k, q * q1, q1)
        Fv = (np.matmul(flat, v.real[:, :, None]) + 1j * np.matmul(flat, v.imag[:, :, None])).reshape(k, q, q1)
        Gv = np.zeros((k, q, q1), dtype=complex)
        Gv[:, :, 0] = -v[:, :1]
        Gv[:, eqs, eqs + 1] = v[:, 1:]
        Qv = (1 - s)[:, None, None] * g * Gv + s[:, None, None] * Fv
        Fvv = np.matmul(Fv, v[:, :, None])[..., 0]
        Gvv = (v[:, 1:] ** 2 - v[:, :1] ** 2)
        val = (1 - s)[:, None] * g[:, :, 0] * Gvv + s[:, None] * Fvv
        dt = Fvv - g[:, :, 0] * Gvv
        a = patch[idx]
        val = np.concatenate([val, (np.einsum("pi,pi->p", a, v) - 1.0)[:, None]], axis=1)
        jac = np.concatenate([2 * Qv, a[:, None, :]], axis=1)
        dt = np.concatenate([dt, np.zeros((k, 1))], axis=1)
        return val, jac, dt

    def velocity(idx, v, s):
        _, jac, dt = parts(idx, v, s)
        return -_solve(jac, dt)

    for _ in range(MAX_STEPS):
        idx = np.flatnonzero((t < 1.0) & ~failed)
        if idx.size == 0:
            break
        v, s = y[idx], t[idx]
        step = np.minimum(h[idx], 1.0 - s)
        with np.errstate(all="ignore"):
            k1 = velocity(idx, v, s)
            k2 = velocity(idx, v + 0.5 * step[:, None] * k1, s + 0.5 * step)
            k3 = velocity(idx, v + 0.5 * step[:, None] * k2, s + 0.5 * step)
            k4 = velocity(idx, v + step[:, None] * k3, s + step)
            pred = v + step[:, None] / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            s_new = np.where(step >= 1.0 - s, 1.0, s + step)
            size = 1.0 + np.linalg.norm(pred, axis=1)
            first = last = None
            for _i in range(CORRECTOR):
                val, jac, _ = parts(idx, pred, s_new)
                delta = _solve(jac, val)
                pred = pred - delta
                norm = np.linalg.norm(delta, axis=1)
                first = norm if first is None else first
                last = norm
            good = (
                np.isfinite(pred).all(axis=1)
                & (first <= PREDICTOR_TOL * size)
                & (last <= np.maximum(1e-9 * size, CONTRACTION * first))
            )
        steps[idx] += 1
        accept = idx[good]
        y[accept], t[accept] = pred[good], s_new[good]
        wins[accept] += 1
        grow = accept[wins[accept] >= GROW_AFTER]
        h[grow] = np.minimum(h[grow] * 2.0, H_MAX)
        wins[grow] = 0
        reject = idx[~good]
        h[reject] *= 0.5
        wins[reject] = 0
        with np.errstate(invalid="ignore"):
            magnitude = np.abs(y[idx]).max(axis=1)
            big = (~np.isfinite(y[idx]).all(axis=1) | (magnitude > INFINITE)
                   | (np.abs(y[idx, 0]) < DIVERGING * magnitude))
        failed[idx[big]] = True
        # a collapsing step: give up, unless nearly at t = 1 (the endgame may still land)
        small = reject[h[reject] < H_MIN]
        near = t[small] > 1 - 1e-6
        t[small[near]] = 1.0
        failed[small[~near]] = True
    failed |= t < 1.0
    live = np.flatnonzero(~failed)
    if live.size:
        v = y[live]
        ones = np.ones(live.size)
        with np.errstate(all="ignore"):
            for _ in range(ENDGAME):
                val, jac, _ = parts(live, v, ones)
                delta = _solve(jac, val)
                v = np.where(np.isfinite(delta).all(axis=1)[:, None], v - delta, v)
        y[live] = v
        failed[live] |= ~np.isfinite(v).all(axis=1)
    return y, ~failed


def homotopy_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``homotopy``: all complex solutions of the reduced system by total-degree homotopy.

    ``options.starts`` is not used (the paths are the ``2^q`` start
    solutions); ``options.tol`` is the real model's match threshold and
    ``options.seed`` seeds gamma. Trials outside the reduction go to ``newton``.

    Returns
    -------
    list of TrialOutcome
        ``proved=False`` for every trial (a lower bound on MP); ``details``
        hold the paths tracked, the finite endpoints, the nearly real ones
        and, for a match, ``theta`` (learnable values where the real model's
        relative residual is ``residual <= tol``).

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric.sampling import draw_trials
    >>> allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
    >>> homotopy_applies(allocation)
    True
    >>> outcomes = homotopy_solve(allocation, draw_trials(allocation, 0, range(3)), SolverOptions())
    >>> [o.index for o in outcomes]
    [0, 1, 2]
    """
    if not homotopy_applies(allocation):
        raise ValueError("homotopy needs an lrnn W-only allocation (paper convention, T = 2, m >= T*b) "
                         f"with r = 2*d*b and at most {MAX_PATHS} paths")
    size = len(trials)
    outcomes: list[TrialOutcome | None] = [None] * size
    exact = MatchProblem(allocation, trials)
    reduced = ReducedMarkovProblem(exact, metric="markov")
    eligible = reduced.eligible
    rest = np.flatnonzero(~eligible)
    if rest.size:
        for t, o in zip(rest, SOLVERS["newton"](allocation, [trials[i] for i in rest], options)):
            outcomes[t] = o
    chosen = np.flatnonzero(eligible)
    if chosen.size:
        for t, o in zip(chosen, _homotopy_part(allocation, [trials[i] for i in chosen], options)):
            outcomes[t] = o
    return outcomes  # type: ignore[return-value]


def _homotopy_part(allocation, trials, options):
    size = len(trials)
    exact = MatchProblem(allocation, trials)
    reduced = ReducedMarkovProblem(exact, metric="markov")
    quad = QuadraticProblem(reduced, reduced.quadratic_coefficients())  # closed form
    q = reduced.r
    # scale: z = s x with s the RMS of the student's W (the natural weight scale)
    scale = natural_scale(exact, np.arange(size))
    c = quad.constant
    L = quad.linear * scale[:, None, None]
    H = quad.hessian * (scale**2)[:, None, None, None]
    norms = np.sqrt(c**2 + (L**2).sum(axis=2) + (H**2).sum(axis=(2, 3)))
    norms = np.where(norms > 0, norms, 1.0)
    c, L, H = c / norms, L / norms[:, :, None], H / norms[:, :, None, None]
    # homogeneous quadrics: y^T Q_e y with y = (y0, x), Q[0,0] = c, Q[0,i] = L_i / 2, Q[i,j] = H_ij / 2
    QF = np.empty((size, q, q + 1, q + 1))
    QF[:, :, 0, 0] = c
    QF[:, :, 0, 1:] = QF[:, :, 1:, 0] = 0.5 * L
    QF[:, :, 1:, 1:] = 0.5 * H
    gamma = np.empty(size, dtype=complex)
    patch = np.empty((size, q + 1), dtype=complex)
    for k, trial in enumerate(trials):
        rng = trial_rng(options.seed, trial.index, 2)
        gamma[k] = np.exp(1j * rng.uniform(0, 2 * np.pi))
        patch[k] = rng.standard_normal(q + 1) + 1j * rng.standard_normal(q + 1)
    starts = np.array(list(itertools.product((-1.0, 1.0), repeat=q)))
    paths = len(starts)
    owner = np.repeat(np.arange(size), paths)
    y0 = np.concatenate([np.ones((size * paths, 1)), np.tile(starts, (size, 1))], axis=1).astype(complex)
    y0 /= np.einsum("pi,pi->p", patch[owner], y0)[:, None]
    y, ok = track_paths(QF[owner], gamma[owner], patch[owner], y0)
    with np.errstate(all="ignore"):
        ok &= np.abs(y[:, 0]) > AT_INFINITY * np.abs(y).max(axis=1)
        x = y[:, 1:] / y[:, :1]
        ok &= np.isfinite(x).all(axis=1)
        near = ok & nearly_real(x, NEAR_REAL)
    relative = np.full(size * paths, np.inf)
    thetas = np.full((size * paths, exact.r), np.nan)
    cand = np.flatnonzero(near)
    if cand.size:
        z = x[cand].real * scale[owner[cand], None]
        z, _, _ = newton_iterate(quad, z, owner[cand], tol=options.tol, max_iter=REAL_NEWTON)
        # confirmation on the real model: a few real-model Newton steps from the near misses
        theta, real = confirm_matches(exact, reduced.full_theta(z, owner[cand]), owner[cand], options.tol, POLISH)
        relative[cand] = real
        thetas[cand] = theta
    relative = relative.reshape(size, paths)
    ok, near = ok.reshape(size, paths), near.reshape(size, paths)
    best = relative.min(axis=1)
    winner = relative.argmin(axis=1)
    thetas = thetas.reshape(size, paths, -1)
    return [
        TrialOutcome(
            index=trials[k].index,
            matched=bool(best[k] <= options.tol),
            proved=False,
            residual=float(best[k]),
            starts=paths,
            method="homotopy",
            details={
                "paths": paths,
                "finite_endpoints": int(ok[k].sum()),
                "near_real_endpoints": int(near[k].sum()),
                # the matching learnable values (after the real-model polish)
                **({"theta": thetas[k, winner[k]].tolist()} if best[k] <= options.tol else {}),
            },
        )
        for k in range(size)
    ]


register_solver(
    "homotopy",
    homotopy_solve,
    defaults={"batch": PATH_BATCH},
    applies=homotopy_applies,
    needs=f"an lrnn allocation with only W learnable whose Markov reduction is a square quadratic "
    f"system with at most {MAX_PATHS} total-degree paths",
    uses_starts=True,  # its fallback trials go to newton with the run's starts
    options=NEWTON_OPTIONS,  # passed on to its newton fallback
    description="batched total-degree homotopy on the Markov-reduced square quadratic lrnn system "
    "(no-match not proved: lower bound)",
    exhaustive="every path of a total-degree homotopy tracked",
)
