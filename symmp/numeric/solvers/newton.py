"""``newton``: damped Newton / Levenberg-Marquardt, batched across all trials of a call.

Every trial of the call owns one row of a numpy batch, and all rows advance
together with analytic Jacobians (:meth:`MatchProblem.jacobian`; for outputs
of degree <= 2, the exact quadratic model
:class:`~symmp.numeric.problem.QuadraticProblem`). Per iteration and row, the
direction solves

- ``(J^T J + lam (mu I)) step = -J^T res`` when there are at least as many
  equations as unknowns (square or over-determined: Newton as ``lam -> 0``), or
- ``step = -J^T (J J^T + lam mu I)^{-1} res`` when there are fewer (the
  minimum-norm Gauss-Newton step as ``lam -> 0``),

with ``mu`` the mean diagonal of the Gram matrix. The (Gauss-)Newton step is
tried at the lengths :data:`ALPHAS` (longest first, Armijo) and, when none
lowers ``||res||``, a Levenberg-Marquardt step with the row's own ``lam``
(Marquardt's rule: ``lam`` shrinks on success, grows on failure). Every
candidate of every row is judged from one batched residual call; for a
quadratic model the residual along the direction is exact from one point,
``res(theta + a s) = res + a J s + a^2 q``.

**Restarts as in fsolve, pipelined.** Start ``k + 1`` of a trial runs only
when start ``k`` ended without a match; a start ends when its relative
residual is below ``tol / 100`` (refinement past the match threshold), when
its cost has not dropped by :data:`PROGRESS` within :data:`PATIENCE`
iterations, when it diverges (``|theta|`` beyond :data:`DIVERGED` times its
start's scale), or after ``max_iter`` iterations. A finished row is refilled
at once with the trial's next start, so the batch stays full and a call
costs about as many numpy iterations as its slowest trial, not as the sum
over start waves. Each row's arithmetic is independent of the other rows and
its starts come from the trial's own seed stream (:mod:`._starts`), so a
trial's outcome does not depend on the batch or the number of workers.

**Markov reduction (lrnn, only W learnable, m >= T*b).** For these
allocations a match is equivalent (inputs of full row rank, checked per
trial) to equal Markov blocks D W^j B, whose j = 1 block is linear in the
unknowns; :mod:`.markov_reduction` eliminates it exactly (particular solution
plus null-space basis, per trial) and the same iteration runs on the smaller
system in the null-space coordinates: the real outputs' residual restricted
to the solutions of the linear block (``extra["metric"] = "markov"`` uses the
higher Markov blocks instead), from each start's full Newton landing point
(one undamped Newton step of the real system, which satisfies the linear
block). Every match is still confirmed on the real model's
outputs (relative residual <= ``tol`` after a few real-model Newton steps).
Trials where the reduction does not apply (rank-deficient inputs or linear
block) take the unreduced path; ``extra={"reduce": False}`` turns it off.

A miss is not proved (a local solver can miss far-away solutions): estimates
from this solver are lower bounds on MP (THEORY.md section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ..batched import solve_each
from ..problem import MatchProblem, QuadraticProblem
from ..sampling import Trial
from . import VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver
from ._starts import batch_starts
from .markov_reduction import ReducedMarkovProblem, reduction_applies

__all__ = ["newton_solve", "newton_iterate", "levenberg_marquardt", "confirm_matches", "ALPHAS", "PATIENCE", "PROGRESS"]

_LAM_START, _LAM_MIN, _LAM_MAX = 1e-3, 1e-15, 1e12
_REGULARISATION = 1e-12  # relative damping of the (Gauss-)Newton step itself
_POLISH = 5  # real-model Newton steps confirming a surrogate's match
#: a start of ``newton_solve`` is abandoned when its best cost has not dropped
#: below ``PROGRESS`` times its previous best within ``PATIENCE`` iterations
PATIENCE, PROGRESS = 30, 0.9
#: ``newton_solve`` keeps about this many rows running: once fewer trials are
#: open, their later starts run side by side (verdicts do not change)
WIDTH = 256
#: ``newton_iterate``'s default patience (a lenient rule for callers that run every start)
_STAGNATION = 30
#: full real-model Newton steps from each start before projecting it onto the
#: reduced subspace (``extra["landing"]``; 0 projects the raw start)
LANDING = 1
DIVERGED = 1e4  # |theta| beyond this many times its start scale
#: step lengths tried along the (Gauss-)Newton direction, longest first
ALPHAS = 2.0 ** -np.arange(0, 12)
_SUFFICIENT = 1 - 1e-4 * ALPHAS  # Armijo factors


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
    solved = _solve(systems, np.broadcast_to(rhs[:, None], (k, 2, size, 1)))
    if over:
        return -solved[:, 0, :, 0], -solved[:, 1, :, 0]
    steps = -np.matmul(Jt[:, None], solved)[..., 0]
    return steps[:, 0], steps[:, 1]


def _solve(system: np.ndarray, rhs: np.ndarray) -> np.ndarray:
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


def _coefficients(problem, owner):
    """Per-row quadratic coefficients ``(c, J0, H)`` of a :class:`QuadraticProblem`, else None."""
    if not isinstance(problem, QuadraticProblem):
        return None
    hessian = problem.hessian[owner]
    return problem.constant[owner], problem.linear[owner], hessian.reshape(len(owner), -1, problem.r)


def _step(problem, theta, owner, res, cost, lam, coefficients=None):
    """One damped iteration of every row; returns new ``theta, res, cost, lam``.

    ``coefficients`` (from :func:`_coefficients`) selects the quadratic fast
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


def _diverged(theta, scale):
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
    lam = np.full(len(owner), _LAM_START)
    iterations = np.zeros(len(owner), dtype=int)
    target = (tol * 1e-2 * safe_norms) ** 2
    scale = np.maximum(np.abs(theta).max(axis=1, initial=0.0), 1.0)
    active = np.isfinite(cost) & (cost > target)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        theta[idx], res[idx], cost[idx], lam[idx] = _step(
            problem, theta[idx], owner[idx], res[idx], cost[idx], lam[idx],
            _coefficients(problem, owner[idx]),
        )
        iterations[idx] += 1
        improved = cost[idx] < best[idx] * progress
        best[idx] = np.minimum(best[idx], cost[idx])
        since_best[idx] = np.where(improved, 0, since_best[idx] + 1)
        active[idx] = (
            (cost[idx] > target[idx])
            & (lam[idx] < _LAM_MAX)
            & (since_best[idx] < patience)
            & ~_diverged(theta[idx], scale[idx])
        )
    relative = np.sqrt(cost) / safe_norms
    relative = np.where(np.isfinite(relative), relative, np.inf)
    return theta, relative, iterations


#: former name of :func:`newton_iterate` (same signature and returns)
levenberg_marquardt = newton_iterate


def _confirm(exact, theta, owner, relative, tol) -> np.ndarray:
    """Recompute near-matches on the real model, polishing them with a few steps there."""
    out = relative.copy()
    close = np.flatnonzero(relative <= np.sqrt(tol))
    if close.size:
        _, real, _ = newton_iterate(exact, theta[close], owner[close], tol=tol, max_iter=_POLISH)
        out[close] = real
    return out


class _Rows:
    """The running starts: row ``i`` is start ``start[i]`` of trial ``trial[i]``."""

    _FIELDS = ("trial", "start", "theta", "res", "cost", "best", "lam", "since", "its", "scale")

    def __init__(self, problem, starts):
        self.problem, self.starts = problem, starts
        self.trial = np.zeros(0, dtype=np.intp)
        self.start = np.zeros(0, dtype=np.intp)
        self.theta = np.zeros((0, problem.r))
        self.res = np.zeros((0, problem.equations))
        for name in ("cost", "best", "lam", "scale"):
            setattr(self, name, np.zeros(0))
        self.since, self.its = np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        self.coefficients = None  # per-row (c, J0, H) of a quadratic problem

    def add(self, trial, start):
        """Launch start ``start[i]`` of trial ``trial[i]`` in new rows."""
        theta = self.starts[trial, start]
        res = self.problem.residual(theta, trial)
        with np.errstate(invalid="ignore", over="ignore"):
            cost = np.einsum("ke,ke->k", res, res)
        cost = np.where(np.isfinite(cost), cost, np.inf)
        new = {
            "trial": trial, "start": start, "theta": theta, "res": res, "cost": cost,
            "best": cost.copy(), "lam": np.full(len(trial), _LAM_START),
            "since": np.zeros(len(trial), dtype=int), "its": np.zeros(len(trial), dtype=int),
            "scale": np.maximum(np.abs(theta).max(axis=1, initial=0.0), 1.0),
        }
        for name in self._FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))
        added = _coefficients(self.problem, trial)
        if added is not None:
            self.coefficients = tuple(
                np.concatenate([old, part]) for old, part in zip(self.coefficients, added)
            ) if self.coefficients is not None else added

    def keep(self, mask):
        for name in self._FIELDS:
            setattr(self, name, getattr(self, name)[mask])
        if self.coefficients is not None:
            self.coefficients = tuple(part[mask] for part in self.coefficients)


def newton_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``newton``: damped Newton from up to ``options.starts`` starts per trial.

    Start ``k + 1`` of a trial runs only if start ``k`` found no match (as
    the paper's fsolve loop); see the module docstring for the stopping rules.

    Parameters
    ----------
    allocation : Allocation
    trials : sequence of Trial
    options : SolverOptions
        ``starts``, ``tol``, ``max_iter`` (per start), ``seed``;
        ``extra["patience"]`` / ``extra["progress"]`` override
        :data:`PATIENCE` / :data:`PROGRESS`; ``extra["reduce"]`` (default
        True) enables the Markov reduction where it applies,
        ``extra["metric"]`` (``"outputs"`` or ``"markov"``) and
        ``extra["landing"]`` (default :data:`LANDING`) tune it.

    Returns
    -------
    list of TrialOutcome
        ``starts`` is the number of starts used; ``details`` hold the total
        iterations, the winning start (-1 without a match) and
        ``markov_reduced`` (whether the trial ran on the reduced system).

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric import draw_trial
    >>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    >>> trials = [draw_trial(allocation, seed=0, index=i) for i in range(4)]
    >>> [o.index for o in newton_solve(allocation, trials, SolverOptions(starts=3))]
    [0, 1, 2, 3]
    """
    patience = int(options.extra.get("patience", PATIENCE))
    progress = float(options.extra.get("progress", PROGRESS))
    if patience < 1 or not 0 < progress <= 1:
        raise ValueError(
            f"extra['patience'] must be >= 1 and extra['progress'] in (0, 1], got {patience}, {progress}"
        )
    width = max(int(options.extra.get("width", WIDTH)), 1)
    settings = (options, patience, progress, width)
    size, total = len(trials), options.starts
    finished = np.zeros((size, total), dtype=bool)
    relative_of = np.full((size, total), np.inf)
    iterations_of = np.zeros((size, total), dtype=int)
    reduced = np.zeros(size, dtype=bool)
    if options.extra.get("reduce", True) and reduction_applies(allocation):
        reduced = ReducedMarkovProblem(MatchProblem(allocation, trials)).eligible
    for mask, run in ((reduced, _run_reduced), (~reduced, _run_full)):
        chosen = np.flatnonzero(mask)
        if chosen.size:
            part = run(allocation, [trials[t] for t in chosen], settings)
            finished[chosen], relative_of[chosen], iterations_of[chosen] = part
    hit = relative_of <= options.tol
    winning = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    used = np.where(winning >= 0, winning + 1, total)
    considered = np.arange(total)[None, :] < used[:, None]
    best = np.where(considered, relative_of, np.inf).min(axis=1)
    iterations = np.where(considered, iterations_of, 0).sum(axis=1)
    return [
        TrialOutcome(
            index=trials[t].index,
            matched=bool(winning[t] >= 0),
            proved=False,
            residual=float(best[t]),
            starts=int(used[t]),
            method="newton",
            details={
                "iterations": int(iterations[t]),
                "winning_start": int(winning[t]),
                "markov_reduced": bool(reduced[t]),
            },
        )
        for t in range(size)
    ]


def _run_full(allocation, trials, settings):
    """The unreduced path: the real model (or its exact quadratic model) in theta."""
    options = settings[0]
    exact = MatchProblem(allocation, trials)
    problem = QuadraticProblem(exact) if QuadraticProblem.applies(allocation) else exact

    def judge(theta, t, relative):
        if problem is exact:
            return relative
        return _confirm(exact, theta, t, relative, options.tol)  # a match counts only on the real model

    starts = batch_starts(exact, options.starts, options.seed)
    return _restarts(problem, starts, judge, settings)


def _run_reduced(allocation, trials, settings):
    """The Markov-reduced path (:mod:`.markov_reduction`): z-space Newton, real-model confirmation."""
    options = settings[0]
    exact = MatchProblem(allocation, trials)
    reduced = ReducedMarkovProblem(exact, metric=str(options.extra.get("metric", "outputs")))
    problem = reduced
    if allocation.model.max_power == 2:  # closed form in the Markov metric
        problem = QuadraticProblem(reduced, reduced.quadratic_coefficients() if reduced.metric == "markov" else None)

    def judge(z, t, relative):
        theta = reduced.full_theta(z, t)
        real = exact.relative_residual(theta, t)
        real = np.where(np.isfinite(real), real, np.inf)
        return _confirm(exact, theta, t, real, options.tol)

    theta_starts = batch_starts(exact, options.starts, options.seed)  # (size, starts, r_full)
    size, total, _ = theta_starts.shape
    owner = np.repeat(np.arange(size), total)
    flat = theta_starts.reshape(size * total, -1)
    for _ in range(int(options.extra.get("landing", LANDING))):
        flat = _newton_landing(exact, flat, owner)
    starts = reduced.reduce(flat, owner).reshape(size, total, -1)
    return _restarts(problem, starts, judge, settings)


def _newton_landing(exact, theta, owner):
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
    landed = theta - _solve(gram, np.matmul(jt, res[:, :, None]))[..., 0]
    return np.where(np.isfinite(landed).all(axis=1)[:, None], landed, theta)


def confirm_matches(exact, theta, owner, tol, polish):
    """Real-model relative residuals of candidate points, with ``polish`` real-model Newton
    steps for the near misses (``tol < residual <= sqrt(tol)``); returns ``(theta, residual)``
    (non-finite residuals as inf). Used by the reduced solvers, whose candidates come from
    another system and must match on the real model."""
    real = exact.relative_residual(theta, owner)
    real = np.where(np.isfinite(real), real, np.inf)
    close = np.flatnonzero((real > tol) & (real <= np.sqrt(tol)))
    if close.size:
        polished, real[close], _ = newton_iterate(exact, theta[close], owner[close], tol=tol, max_iter=polish)
        theta[close] = polished
    return theta, real


def _restarts(problem, starts, judge, settings):
    """fsolve-style restarts of every trial of ``problem``, pipelined (module docstring).

    ``judge(theta, trial, relative)`` turns the problem's relative residuals of
    ended rows into real-model relative residuals (confirming matches).
    Returns per (trial, start): finished, relative residual, iterations.
    """
    options, patience, progress, width = settings
    size, total = problem.size, options.starts
    norms = np.where(problem.target_norms > 0, problem.target_norms, 1.0)
    target = (options.tol * 1e-2 * norms) ** 2
    finished = np.zeros((size, total), dtype=bool)
    relative_of = np.full((size, total), np.inf)
    iterations_of = np.zeros((size, total), dtype=int)
    launched = np.zeros(size, dtype=int)  # starts launched so far, in order
    open_trial = np.ones(size, dtype=bool)
    rows = _Rows(problem, starts)
    while True:
        # launch further starts (in order) so that about `width` rows run
        candidates = np.flatnonzero(open_trial & (launched < total))
        if candidates.size:
            share = max(1, -(-max(width - rows.trial.size, 0) // candidates.size))
            running = np.bincount(rows.trial, minlength=size)[candidates]
            extra = np.minimum(np.maximum(share - running, 0), total - launched[candidates])
            extra[running == 0] = np.maximum(extra[running == 0], 1)
            if extra.sum():
                trial = np.repeat(candidates, extra)
                offsets = np.arange(trial.size) - np.repeat(np.cumsum(extra) - extra, extra)
                rows.add(trial, launched[trial] + offsets)
                launched[candidates] += extra
        if rows.trial.size == 0:
            break
        rows.theta, rows.res, rows.cost, rows.lam = _step(
            problem, rows.theta, rows.trial, rows.res, rows.cost, rows.lam, rows.coefficients
        )
        rows.its += 1
        improved = rows.cost < rows.best * progress
        rows.best = np.minimum(rows.best, rows.cost)
        rows.since = np.where(improved, 0, rows.since + 1)
        done = (
            (rows.cost <= target[rows.trial])
            | ~np.isfinite(rows.cost)
            | (rows.its >= options.max_iter)
            | (rows.since >= patience)
            | (rows.lam >= _LAM_MAX)
            | _diverged(rows.theta, rows.scale)
        )
        ended = np.flatnonzero(done)
        if ended.size:
            t, k = rows.trial[ended], rows.start[ended]
            relative = np.sqrt(rows.cost[ended]) / norms[t]
            relative = np.where(np.isfinite(relative), relative, np.inf)
            relative = judge(rows.theta[ended], t, relative)
            finished[t, k] = True
            relative_of[t, k] = relative
            iterations_of[t, k] = rows.its[ended]
            # a trial is decided once a match has no unfinished start before it,
            # or every start has finished: exactly the outcome of trying starts in order
            touched = np.unique(t)
            hits = relative_of[touched] <= options.tol
            prefix = np.cumprod(finished[touched], axis=1).astype(bool)
            decided = (hits & prefix).any(axis=1) | finished[touched].all(axis=1)
            open_trial[touched[decided]] = False
            rows.keep(~done & open_trial[rows.trial])
    return finished, relative_of, iterations_of


register_solver(
    "newton",
    newton_solve,
    defaults={"batch": VECTORISED_BATCH},
    description="batched damped Newton with analytic Jacobians and fsolve-style restarts "
    "(a miss is not proved: lower bound)",
)
