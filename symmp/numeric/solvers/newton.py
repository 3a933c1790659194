"""``newton``: damped Newton / Levenberg-Marquardt, batched across trials and starts.

Every (trial, start) pair of a wave is one row of a numpy batch; the whole
batch advances together with analytic Jacobians
(:meth:`MatchProblem.jacobian`). The step of a row solves

- ``(J^T J + lam (diag(J^T J) + mu I)) step = -J^T res`` when there are at least
  as many equations as unknowns (square or over-determined: Newton as
  ``lam -> 0``), or
- ``step = -J^T (J J^T + lam mu I)^{-1} res`` when there are fewer (the
  minimum-norm Gauss-Newton step as ``lam -> 0``),

with ``mu`` the mean diagonal of the Gram matrix. A step is accepted when it
lowers ``||res||``; then ``lam`` shrinks, else it grows (Marquardt's rule).
A row stops when its relative residual is below ``tol / 100`` (refinement
past the match threshold), when it stagnates, or when it diverges. Starts
come in waves of ``extra["wave"]`` (default 1) per still-unmatched trial, so
most trials cost one start. Each row's arithmetic is independent of the
others, so a trial's outcome does not depend on its batch.

A miss is not proved (a local solver can miss far-away solutions): estimates
from this solver are lower bounds on MP (THEORY.md section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ..problem import MatchProblem, QuadraticProblem
from ..sampling import Trial
from . import SolverOptions, TrialOutcome, register_solver
from ._starts import trial_starts

__all__ = ["newton_solve", "newton_iterate", "levenberg_marquardt", "ALPHAS"]

_LAM_START, _LAM_MIN, _LAM_MAX = 1e-3, 1e-15, 1e12
_REGULARISATION = 1e-12  # relative damping of the (Gauss-)Newton step itself
_POLISH = 5  # real-model Newton steps confirming a surrogate's match
_STAGNATION = 30  # iterations without a 1e-3 relative decrease of the best cost
_DIVERGED = 1e8  # |theta| beyond this many times its start scale
#: step lengths tried along the (Gauss-)Newton direction, longest first
ALPHAS = 2.0 ** -np.arange(0, 12)
# tried in rounds, each only for the rows the previous rounds left without a step;
# None is the Levenberg-Marquardt step
_GROUPS = (ALPHAS[:1], ALPHAS[1:5], ALPHAS[5:], None)


def _damped_steps(J: np.ndarray, res: np.ndarray, lams: np.ndarray) -> np.ndarray:
    """Steps ``-(J^T J + lam mu I)^{-1} J^T res`` for each row and each ``lams[:, q]``.

    Returns ``(k, q, r)``. With at least as many equations as unknowns the
    normal equations are solved in unknown space, otherwise the equivalent
    ``-J^T (J J^T + lam mu I)^{-1} res`` in equation space (the minimum-norm
    step as ``lam -> 0``); ``mu`` is the Gram matrix's mean diagonal.
    """
    k, equations, unknowns = J.shape
    over = equations >= unknowns
    gram = np.einsum("kei,kej->kij", J, J) if over else np.einsum("kei,kfi->kef", J, J)
    size = gram.shape[-1]
    mu = np.einsum("kii->k", gram) / size + 1e-300
    diagonal = np.arange(size)
    systems = np.repeat(gram[:, None], lams.shape[1], axis=1)
    systems[:, :, diagonal, diagonal] += (lams * mu[:, None])[..., None]
    if over:
        rhs = np.einsum("kei,ke->ki", J, res)
        return -_solve(systems, np.repeat(rhs[:, None], lams.shape[1], axis=1))
    dual = _solve(systems, np.repeat(res[:, None], lams.shape[1], axis=1))
    return -np.einsum("kei,kqe->kqi", J, dual)


def newton_iterate(
    problem: MatchProblem,
    theta: np.ndarray,
    owner: np.ndarray,
    *,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the batched damped Newton / Levenberg-Marquardt iteration from ``theta``.

    Each iteration, per row: the (Gauss-)Newton step is tried at the lengths
    :data:`ALPHAS` and the first that lowers ``||res||`` (Armijo) is taken;
    if none does, a Levenberg-Marquardt step with the row's own ``lam`` is
    tried (``lam`` shrinks on success and grows on failure). All candidates
    of all rows are evaluated in one batched residual call.

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
    rows = len(owner)
    norms = problem.target_norms[owner]
    safe_norms = np.where(norms > 0, norms, 1.0)
    res = problem.residual(theta, owner)
    cost = np.einsum("ke,ke->k", res, res)
    best = cost.copy()
    since_best = np.zeros(rows, dtype=int)
    lam = np.full(rows, _LAM_START)
    iterations = np.zeros(rows, dtype=int)
    target = (tol * 1e-2 * safe_norms) ** 2
    scale = np.maximum(np.abs(theta).max(axis=1), 1.0)
    active = np.isfinite(cost) & (cost > target)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        J = problem.jacobian(theta[idx], owner[idx])
        lams = np.stack([np.full(idx.size, _REGULARISATION), lam[idx]], axis=1)
        steps = _damped_steps(J, res[idx], lams)
        open_rows = np.arange(idx.size)  # positions in idx still looking for a step
        by_lm = np.zeros(idx.size, dtype=bool)
        for group in _GROUPS:
            if open_rows.size == 0:
                break
            rows_here = idx[open_rows]
            if group is None:  # Levenberg-Marquardt step with the row's lam
                factors, sufficient = np.ones(1), np.ones(1)
                direction = steps[open_rows, 1]
            else:
                factors, sufficient = group, 1 - 1e-4 * group
                direction = steps[open_rows, 0]
            tries = len(factors)
            candidates = theta[rows_here][:, None, :] + factors[None, :, None] * direction[:, None, :]
            new_res = problem.residual(
                candidates.reshape(-1, problem.r), np.repeat(owner[rows_here], tries)
            ).reshape(rows_here.size, tries, -1)
            new_cost = np.einsum("kqe,kqe->kq", new_res, new_res)
            new_cost = np.where(np.isfinite(new_cost), new_cost, np.inf)
            decrease = new_cost < cost[rows_here][:, None] * sufficient[None, :]
            found = decrease.any(axis=1)
            pick = decrease.argmax(axis=1)[found]
            taken = rows_here[found]
            theta[taken] = candidates[found, pick]
            res[taken] = new_res[found, pick]
            cost[taken] = new_cost[found, pick]
            if group is None:
                by_lm[open_rows[found]] = True
            open_rows = open_rows[~found]
        failed = np.zeros(idx.size, dtype=bool)
        failed[open_rows] = True
        lam[idx] = np.where(
            by_lm, np.maximum(lam[idx] / 3.0, _LAM_MIN), np.where(failed, lam[idx] * 4.0, lam[idx])
        )
        iterations[idx] += 1
        improved = cost[idx] < best[idx] * (1 - 1e-3)
        best[idx] = np.minimum(best[idx], cost[idx])
        since_best[idx] = np.where(improved, 0, since_best[idx] + 1)
        with np.errstate(invalid="ignore"):
            diverged = ~np.isfinite(theta[idx]).all(axis=1) | (
                np.abs(theta[idx]).max(axis=1) > _DIVERGED * scale[idx]
            )
        active[idx] = (
            (cost[idx] > target[idx])
            & (lam[idx] < _LAM_MAX)
            & (since_best[idx] < _STAGNATION)
            & ~diverged
        )
    relative = np.sqrt(cost) / safe_norms
    relative = np.where(np.isfinite(relative), relative, np.inf)
    return theta, relative, iterations


#: former name of :func:`newton_iterate` (same signature and returns)
levenberg_marquardt = newton_iterate


def _solve(system: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched solve; singular rows get a least-squares answer instead of an error."""
    try:
        return np.linalg.solve(system, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        flat_systems = system.reshape((-1,) + system.shape[-2:])
        flat_rhs = rhs.reshape(-1, rhs.shape[-1])
        out = np.stack(
            [np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(flat_systems, flat_rhs)]
        )
        return out.reshape(rhs.shape)


def _confirm(exact, theta, owner, relative, tol) -> np.ndarray:
    """Recompute near-matches on the real model, polishing them with a few steps there."""
    close = np.flatnonzero(relative <= np.sqrt(tol))
    out = np.maximum(relative, np.sqrt(tol) * 2)  # surrogate residuals are never trusted
    out[relative > np.sqrt(tol)] = relative[relative > np.sqrt(tol)]
    if close.size:
        _, real, _ = newton_iterate(exact, theta[close], owner[close], tol=tol, max_iter=_POLISH)
        out[close] = real
    return out


def newton_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``newton``: Levenberg-Marquardt from ``options.starts`` starts per trial.

    Parameters
    ----------
    allocation : Allocation
    trials : sequence of Trial
    options : SolverOptions
        ``starts``, ``tol``, ``max_iter`` (per start), ``seed``;
        ``extra["wave"]``: starts tried per unmatched trial at once (default 1).

    Returns
    -------
    list of TrialOutcome

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric import draw_trial
    >>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    >>> trials = [draw_trial(allocation, seed=0, index=i) for i in range(4)]
    >>> [o.index for o in newton_solve(allocation, trials, SolverOptions(starts=3))]
    [0, 1, 2, 3]
    """
    wave = int(options.extra.get("wave", 1))
    if wave < 1:
        raise ValueError(f"extra['wave'] must be a positive integer, got {wave}")
    exact = MatchProblem(allocation, trials)
    problem = QuadraticProblem(exact) if QuadraticProblem.applies(allocation) else exact
    size = exact.size
    starts = [trial_starts(exact, t, options.starts, options.seed) for t in range(size)]
    best = np.full(size, np.inf)
    used = np.zeros(size, dtype=int)
    iterations = np.zeros(size, dtype=int)
    winning = np.full(size, -1)
    matched = np.zeros(size, dtype=bool)
    for first in range(0, options.starts, wave):
        open_trials = np.flatnonzero(~matched)
        if open_trials.size == 0:
            break
        count = min(wave, options.starts - first)
        owner = np.repeat(open_trials, count)
        which = np.tile(np.arange(first, first + count), open_trials.size)
        theta0 = np.stack([starts[t][k] for t, k in zip(owner, which)])
        theta, relative, its = newton_iterate(
            problem, theta0, owner, tol=options.tol, max_iter=options.max_iter
        )
        if problem is not exact:  # a match counts only on the real model
            relative = _confirm(exact, theta, owner, relative, options.tol)
        for row, (t, k) in enumerate(zip(owner, which)):
            iterations[t] += its[row]
            if not matched[t]:
                used[t] = k + 1
            if relative[row] < best[t]:
                best[t] = relative[row]
            if relative[row] <= options.tol and not matched[t]:
                matched[t] = True
                winning[t] = k
                used[t] = k + 1
    return [
        TrialOutcome(
            index=trials[t].index,
            matched=bool(matched[t]),
            proved=False,
            residual=float(best[t]),
            starts=int(used[t]),
            method="newton",
            details={"iterations": int(iterations[t]), "winning_start": int(winning[t])},
        )
        for t in range(size)
    ]


register_solver(
    "newton",
    newton_solve,
    description="batched Levenberg-Marquardt with analytic Jacobians and random restarts "
    "(a miss is not proved: lower bound)",
)
