"""Newton kernels shared by the polynomial solvers: damped steps, iterations, confirmation.

Every function works on a batch of rows (row ``k`` belongs to trial
``owner[k]`` of a :class:`~symmp.numeric.problems.match.MatchProblem`, a
:class:`~symmp.numeric.problems.quadratic.QuadraticProblem` or a
:class:`~symmp.numeric.problems.markov.ReducedMarkovProblem`), and each
row's arithmetic is independent of the others'.

- :func:`damped_step`: one (Gauss-)Newton step tried at the lengths
  :data:`ALPHAS` (Armijo), else a Levenberg-Marquardt step with the row's
  own ``lam`` (exact along the step for a quadratic model);
- :func:`newton_iterate`: that step repeated until each row converges,
  stagnates, diverges or runs out of iterations;
- :func:`newton_landing`: one full Newton step of the real problem (the
  Markov-reduced solvers' landing point);
- :func:`confirm_matches`: a candidate counts only on the real model;
- :func:`square_newton`: lean Newton on square quadratic systems (``algebraic``);
- :func:`solve_or_lstsq`: batched solve, least squares for singular members.

The ``newton`` solver (:mod:`symmp.numeric.solvers.newton`) adds fsolve-style
restarts; ``certified``, ``sequential``, ``algebraic`` and ``homotopy`` use
these kernels directly.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric.problems.match import MatchProblem
>>> from symmp.numeric.sampling import draw_trials
>>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
>>> problem = MatchProblem(allocation, draw_trials(allocation, 0, range(2)))
>>> theta, relative, iterations = newton_iterate(problem, problem.start_points(), [0, 1], tol=1e-9, max_iter=5)
>>> theta.shape, relative.shape
((2, 2), (2,))
"""

from __future__ import annotations

import numpy as np

from ..problems.match import MatchProblem
from ..problems.quadratic import QuadraticProblem
from .batched import solve_each

__all__ = [
    "damped_step",
    "newton_iterate",
    "levenberg_marquardt",
    "newton_landing",
    "confirm_matches",
    "solve_or_lstsq",
    "square_newton",
    "quadratic_rows",
    "diverged",
    "ALPHAS",
    "DIVERGED",
    "LAM_START",
    "LAM_MAX",
]

#: Levenberg-Marquardt damping: a row's starting ``lam``, its floor and the ceiling past
#: which the row is abandoned
LAM_START, _LAM_MIN, LAM_MAX = 1e-3, 1e-15, 1e12
_REGULARISATION = 1e-12  # relative damping of the (Gauss-)Newton step itself
#: ``newton_iterate``'s default patience (a lenient rule for callers that run every start)
_STAGNATION = 30
DIVERGED = 1e4  # |theta| beyond this many times its start scale
#: step lengths tried along the (Gauss-)Newton direction, longest first
ALPHAS = 2.0 ** -np.arange(0, 12)
_SUFFICIENT = 1 - 1e-4 * ALPHAS  # Armijo factors
#: step lengths of :func:`square_newton`'s exact line search
LINE = np.array([1.0, 0.5, 0.25, 0.125, 1.0 / 16])


def _damped_steps(J: np.ndarray, res: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Gauss-)Newton and Levenberg-Marquardt steps of every row, each ``(k, r)``.

    With at least as many equations as unknowns the normal equations are
    solved in unknown space, otherwise the equivalent
    ``-J^T (J J^T + lam mu I)^{-1} res`` in equation space; ``mu`` is the
    Gram matrix's mean diagonal. Both steps come from one batched solve.
    """
    k, equations, unknowns = J.shape
    over = equations >= unknowns
    Jt = J.transpose(0, 2, 1)
    gram = np.matmul(Jt, J) if over else np.matmul(J, Jt)
    size = gram.shape[-1]
    diagonal = np.arange(size)
    mu = gram[:, diagonal, diagonal].sum(axis=1) / size + 1e-300
    systems = np.empty((k, 2, size, size))
    systems[:] = gram[:, None]
    systems[:, 0, diagonal, diagonal] += (_REGULARISATION * mu)[:, None]
    systems[:, 1, diagonal, diagonal] += (lam * mu)[:, None]
    rhs = np.matmul(Jt, res[:, :, None]) if over else res[:, :, None]
    solved = solve_or_lstsq(systems, np.broadcast_to(rhs[:, None], (k, 2, size, 1)))
    if over:
        return -solved[:, 0, :, 0], -solved[:, 1, :, 0]
    steps = -np.matmul(Jt[:, None], solved)[..., 0]
    return steps[:, 0], steps[:, 1]


def solve_or_lstsq(system: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched solve; singular systems get a least-squares answer instead of an error.

    Only the singular members are solved by least squares: every other member
    gets exactly the answer of its own LAPACK solve, as in a batch without the
    singular one (a singular member used to switch the whole stack to least
    squares, changing the others' last bits).
    """
    try:
        return np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:  # rare: per member, least squares for the singular ones
        flat_systems = system.reshape((-1,) + system.shape[-2:])
        flat_rhs = rhs.reshape((-1,) + rhs.shape[-2:])
        out, ok = solve_each(flat_systems, flat_rhs)
        for k in np.flatnonzero(~ok):
            out[k] = np.linalg.lstsq(flat_systems[k], flat_rhs[k], rcond=None)[0]
        return out.reshape(rhs.shape)


def quadratic_rows(problem, owner):
    """Per-row quadratic coefficients ``(c, J0, H)`` of a :class:`QuadraticProblem`, else None."""
    if not isinstance(problem, QuadraticProblem):
        return None
    hessian = problem.hessian[owner]
    return problem.constant[owner], problem.linear[owner], hessian.reshape(len(owner), -1, problem.r)


def damped_step(problem, theta, owner, res, cost, lam, coefficients=None):
    """One damped iteration of every row; returns new ``theta, res, cost, lam``.

    ``coefficients`` (from :func:`quadratic_rows`) selects the quadratic fast
    path: Jacobian, residual and the residual along both steps are exact
    polynomial evaluations with the rows' own ``(c, J0, H)``.
    """
    k, r = theta.shape
    if coefficients is not None:
        constant, linear, stacked = coefficients
        bent = np.matmul(stacked, theta[:, :, None]).reshape(k, -1, r)  # H . theta
        J = linear + bent
        res = constant + np.matmul(linear + 0.5 * bent, theta[:, :, None])[..., 0]
        with np.errstate(invalid="ignore", over="ignore"):
            cost = np.einsum("ke,ke->k", res, res)
        cost = np.where(np.isfinite(cost), cost, np.inf)
    else:
        J = problem.jacobian(theta, owner)
    newton, marquardt = _damped_steps(J, res, lam)
    if coefficients is not None:  # res(theta + a s) = res + a J s + a^2 s^T H s / 2, exactly
        both = np.stack([newton, marquardt], axis=2)  # (k, r, 2)
        slopes = np.matmul(J, both)  # (k, E, 2)
        curved = np.matmul(stacked, both).reshape(k, -1, r, 2)  # H . s
        bends = 0.5 * np.einsum("keiq,kiq->keq", curved, both)
        slope, bend = slopes[..., 0], bends[..., 0]
        along = (
            res[:, None]
            + ALPHAS[None, :, None] * slope[:, None]
            + (ALPHAS**2)[None, :, None] * bend[:, None]
        )
        lm_res = res + slopes[..., 1] + bends[..., 1]
    else:
        points = theta[:, None, :] + ALPHAS[None, :, None] * newton[:, None, :]
        evaluated = problem.residual(
            np.concatenate([points.reshape(-1, r), theta + marquardt]),
            np.concatenate([np.repeat(owner, len(ALPHAS)), owner]),
        )
        along = evaluated[: k * len(ALPHAS)].reshape(k, len(ALPHAS), -1)
        lm_res = evaluated[k * len(ALPHAS):]
    with np.errstate(invalid="ignore", over="ignore"):
        along_cost = np.einsum("kqe,kqe->kq", along, along)
        lm_cost = np.einsum("ke,ke->k", lm_res, lm_res)
    along_cost = np.where(np.isfinite(along_cost), along_cost, np.inf)
    lm_cost = np.where(np.isfinite(lm_cost), lm_cost, np.inf)
    decrease = along_cost < cost[:, None] * _SUFFICIENT[None, :]
    by_newton = decrease.any(axis=1)
    pick = decrease.argmax(axis=1)
    by_lm = ~by_newton & (lm_cost < cost)
    rows = np.arange(k)
    alpha = ALPHAS[pick]
    theta = np.where(
        by_newton[:, None], theta + alpha[:, None] * newton,
        np.where(by_lm[:, None], theta + marquardt, theta),
    )
    res = np.where(
        by_newton[:, None], along[rows, pick], np.where(by_lm[:, None], lm_res, res)
    )
    cost = np.where(by_newton, along_cost[rows, pick], np.where(by_lm, lm_cost, cost))
    lam = np.where(
        by_lm, np.maximum(lam / 3.0, _LAM_MIN), np.where(by_newton, lam, lam * 4.0)
    )
    return theta, res, cost, lam


def diverged(theta, scale):
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(theta).all(axis=1) | (np.abs(theta).max(axis=1) > DIVERGED * scale)


def newton_iterate(
    problem: MatchProblem,
    theta: np.ndarray,
    owner: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    patience: int = _STAGNATION,
    progress: float = 1 - 1e-3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the batched damped Newton / Levenberg-Marquardt iteration from every row of ``theta``.

    Every row runs until its relative residual is below ``tol / 100``, it
    stagnates (no drop of its best cost below ``progress`` times itself in
    ``patience`` iterations), diverges, or ``max_iter`` iterations pass. Used
    by ``certified`` and ``sequential`` (which run given points to the end);
    :func:`newton_solve` adds fsolve-style restarts.

    Returns
    -------
    theta : ndarray, shape (k, r)
        Final points.
    relative : ndarray, shape (k,)
        Relative residuals at the final points.
    iterations : ndarray, shape (k,)
        Iterations each row ran.
    """
    theta = np.array(theta, dtype=float)
    owner = np.asarray(owner, dtype=np.intp)
    norms = problem.target_norms[owner]
    safe_norms = np.where(norms > 0, norms, 1.0)
    res = problem.residual(theta, owner)
    cost = np.einsum("ke,ke->k", res, res)
    cost = np.where(np.isfinite(cost), cost, np.inf)
    best = cost.copy()
    since_best = np.zeros(len(owner), dtype=int)
    lam = np.full(len(owner), LAM_START)
    iterations = np.zeros(len(owner), dtype=int)
    target = (tol * 1e-2 * safe_norms) ** 2
    scale = np.maximum(np.abs(theta).max(axis=1, initial=0.0), 1.0)
    active = np.isfinite(cost) & (cost > target)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        theta[idx], res[idx], cost[idx], lam[idx] = damped_step(
            problem, theta[idx], owner[idx], res[idx], cost[idx], lam[idx],
            quadratic_rows(problem, owner[idx]),
        )
        iterations[idx] += 1
        improved = cost[idx] < best[idx] * progress
        best[idx] = np.minimum(best[idx], cost[idx])
        since_best[idx] = np.where(improved, 0, since_best[idx] + 1)
        active[idx] = (
            (cost[idx] > target[idx])
            & (lam[idx] < LAM_MAX)
            & (since_best[idx] < patience)
            & ~diverged(theta[idx], scale[idx])
        )
    relative = np.sqrt(cost) / safe_norms
    relative = np.where(np.isfinite(relative), relative, np.inf)
    return theta, relative, iterations


#: former name of :func:`newton_iterate` (same signature and returns)
levenberg_marquardt = newton_iterate


def newton_landing(exact, theta, owner):
    """One full (Gauss-)Newton step of the real problem from each start.

    Its landing point satisfies the linear j = 1 Markov block exactly, i.e. it
    lies on the reduced solver's affine subspace; the reduced start is its
    projection there. (Projecting the raw start instead was measured to lose
    matches: the unreduced solver's first step also linearises the higher
    blocks at the start.) Rows whose step is not finite keep their start.
    """
    J = exact.jacobian(theta, owner)
    res = exact.residual(theta, owner)
    jt = J.transpose(0, 2, 1)
    gram = np.matmul(jt, J)
    diagonal = np.arange(gram.shape[-1])
    mu = gram[:, diagonal, diagonal].sum(axis=1) / gram.shape[-1] + 1e-300
    gram[:, diagonal, diagonal] += (_REGULARISATION * mu)[:, None]
    landed = theta - solve_or_lstsq(gram, np.matmul(jt, res[:, :, None]))[..., 0]
    return np.where(np.isfinite(landed).all(axis=1)[:, None], landed, theta)


def confirm_matches(
    exact: MatchProblem,
    theta: np.ndarray,
    owner: np.ndarray,
    tol: float,
    polish: int,
    *,
    surrogate: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Real-model relative residuals of candidate points, polished where close; ``(theta, residual)``.

    A candidate found on another system (a quadratic model, a Markov
    reduction, a root finder) matches only if it matches the real model.
    Which candidates get ``polish`` real-model Newton steps depends on the
    caller (the two thresholds of the copies this function merged, kept so
    that no verdict changes):

    - without ``surrogate`` (``algebraic``, ``homotopy``: candidates that are
      refined roots): the real-model residual of every candidate is computed
      and only the near misses, ``tol < residual <= sqrt(tol)``, are polished;
    - with ``surrogate`` (``newton``'s restarts: the residuals the candidates
      reached on the surrogate system): every candidate with
      ``surrogate <= sqrt(tol)``, matches included, is recomputed on the real
      model by the polish; the others keep their ``surrogate`` value.

    Polished rows of ``theta`` are updated in place. Non-finite residuals
    come back as inf.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric.sampling import draw_trials
    >>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    >>> exact = MatchProblem(allocation, draw_trials(allocation, 0, range(2)))
    >>> theta, residual = confirm_matches(exact, exact.start_points(), np.arange(2), 1e-9, 5)
    >>> bool(np.array_equal(residual, exact.relative_residual(exact.start_points())))  # far: no polish
    True
    """
    owner = np.asarray(owner, dtype=np.intp)
    if surrogate is None:
        real = exact.relative_residual(theta, owner)
        real = np.where(np.isfinite(real), real, np.inf)
        close = np.flatnonzero((real > tol) & (real <= np.sqrt(tol)))
    else:
        real = np.array(surrogate, dtype=float)
        close = np.flatnonzero(real <= np.sqrt(tol))
    if close.size:
        polished, real[close], _ = newton_iterate(exact, theta[close], owner[close], tol=tol, max_iter=polish)
        theta[close] = polished
    return theta, real


def square_newton(
    quad: QuadraticProblem, z: np.ndarray, owner: np.ndarray, *, tol: float, max_iter: int, patience: int = 3
) -> np.ndarray:
    """Batched Newton on square quadratic systems ``c + J0 z + z^T H z / 2 = 0`` with an exact line search.

    Lean on purpose (a dozen numpy calls per iteration): along the Newton
    step ``s`` the residual is exactly ``(1 - a) res + a^2 q(s)``,
    ``q(s) = s^T H s / 2``, so the lengths :data:`LINE` are judged without
    evaluating the system again. A row stops when its residual is below
    ``tol / 100`` of the target norm, when no length lowers it, when its
    residual has not halved within ``patience`` iterations, or after ``max_iter``.

    Returns the final points (rows that failed keep their last iterate).
    """
    z = np.array(z, dtype=float)
    owner = np.asarray(owner, dtype=np.intp)
    k, r = z.shape
    if k == 0:
        return z
    norms = quad.target_norms[owner]
    # the running rows' data, compacted only when rows leave (no gathers from the full arrays)
    active, za = np.arange(k), z.copy()
    const, lin = quad.constant[owner], quad.linear[owner]
    hs = quad.hessian[owner].reshape(k, -1, r)
    target = (tol * 1e-2 * np.where(norms > 0, norms, 1.0)) ** 2
    best = np.full(k, np.inf)
    since = np.zeros(k, dtype=int)
    for _ in range(max_iter):
        bent = np.matmul(hs, za[:, :, None]).reshape(active.size, -1, r)  # H . z
        res = const + np.matmul(lin + 0.5 * bent, za[:, :, None])[..., 0]
        cost = np.einsum("ke,ke->k", res, res)
        improved = cost < 0.25 * best
        best = np.minimum(best, cost)
        since = np.where(improved, 0, since + 1)
        keep = np.isfinite(cost) & (cost > target) & (since < patience)
        if not keep.all():
            active, za, const, lin, hs, bent, res, cost, best, since, target = (
                a[keep] for a in (active, za, const, lin, hs, bent, res, cost, best, since, target)
            )
            if active.size == 0:
                break
        step = solve_or_lstsq(lin + bent, -res[:, :, None])[..., 0]  # least squares where singular
        curve = 0.5 * np.matmul(np.matmul(hs, step[:, :, None]).reshape(active.size, -1, r), step[:, :, None])[..., 0]
        along = (1 - LINE)[None, :, None] * res[:, None, :] + (LINE**2)[None, :, None] * curve[:, None, :]
        with np.errstate(invalid="ignore", over="ignore"):
            costs = np.einsum("kae,kae->ka", along, along)
        costs = np.where(np.isfinite(costs), costs, np.inf)
        pick = costs.argmin(axis=1)
        moved = costs[np.arange(active.size), pick] < cost
        za = za + np.where(moved, LINE[pick], 0.0)[:, None] * step
        z[active[moved]] = za[moved]
        if not moved.all():
            active, za, const, lin, hs, best, since, target = (
                a[moved] for a in (active, za, const, lin, hs, best, since, target)
            )
            if active.size == 0:
                break
    return z
