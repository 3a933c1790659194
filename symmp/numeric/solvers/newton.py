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
from ..problem import MatchProblem
from ..sampling import Trial
from . import SolverOptions, TrialOutcome, register_solver
from ._starts import trial_starts

__all__ = ["newton_solve", "levenberg_marquardt"]

_LAM_START, _LAM_MIN, _LAM_MAX = 1e-3, 1e-15, 1e12
_STAGNATION = 12  # iterations without a 1e-3 relative decrease of the best cost
_DIVERGED = 1e8  # |theta| beyond this many natural scales


def levenberg_marquardt(
    problem: MatchProblem,
    theta: np.ndarray,
    owner: np.ndarray,
    *,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the batched iteration from ``theta`` (rows owned by ``owner``).

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
    equations = problem.equations
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        J = problem.jacobian(theta[idx], owner[idx])
        r = res[idx]
        if equations >= problem.r:
            gram = np.einsum("kei,kej->kij", J, J)
            diag = np.einsum("kii->ki", gram)
            mu = diag.mean(axis=1, keepdims=True) + 1e-300
            damping = lam[idx, None] * (diag + 1e-9 * mu)
            system = gram.copy()
            system[:, np.arange(problem.r), np.arange(problem.r)] += damping
            gradient = np.einsum("kei,ke->ki", J, r)
            step = -_solve(system, gradient)
        else:
            gram = np.einsum("kei,kfi->kef", J, J)  # J J^T
            diag = np.einsum("kii->ki", gram)
            mu = diag.mean(axis=1, keepdims=True) + 1e-300
            system = gram.copy()
            system[:, np.arange(equations), np.arange(equations)] += lam[idx, None] * mu
            step = -np.einsum("kei,ke->ki", J, _solve(system, r))
        candidate = theta[idx] + step
        new_res = problem.residual(candidate, owner[idx])
        new_cost = np.einsum("ke,ke->k", new_res, new_res)
        accept = np.isfinite(new_cost) & (new_cost < cost[idx])
        taken = idx[accept]
        theta[taken] = candidate[accept]
        res[taken] = new_res[accept]
        cost[taken] = new_cost[accept]
        lam[idx] = np.where(accept, np.maximum(lam[idx] / 3.0, _LAM_MIN), lam[idx] * 4.0)
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


def _solve(system: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched solve; singular rows get a least-squares answer instead of an error."""
    try:
        return np.linalg.solve(system, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.empty_like(rhs)
        for k in range(system.shape[0]):
            out[k] = np.linalg.lstsq(system[k], rhs[k], rcond=None)[0]
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
    problem = MatchProblem(allocation, trials)
    size = problem.size
    starts = [trial_starts(problem, t, options.starts, options.seed) for t in range(size)]
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
        _, relative, its = levenberg_marquardt(
            problem, theta0, owner, tol=options.tol, max_iter=options.max_iter
        )
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
