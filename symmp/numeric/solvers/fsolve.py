"""``fsolve``: scipy's root finders with restarts, one trial at a time (the paper's method).

Square systems (``d * m == r``) use :func:`scipy.optimize.fsolve` (MINPACK
hybrd/hybrj); non-square ones :func:`scipy.optimize.least_squares`
(``"lm"`` when over-determined, ``"trf"`` when under-determined). The
Jacobian is analytic by default; ``extra={"jacobian": "finite-difference"}``
lets scipy difference it instead, as the paper's loop did. Starts are those of
``newton`` (:mod:`~symmp.numeric.kernels.starts`), tried in order until one matches. Kept for
comparison: ``newton`` does the same work batched.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize

from ...allocation import Allocation
from ..problems.match import MatchProblem
from ..sampling import Trial
from . import SolverOptions, TrialOutcome, register_solver
from ..kernels.starts import trial_starts

__all__ = ["fsolve_solve", "JACOBIANS"]

JACOBIANS = ("analytic", "finite-difference")


def fsolve_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``fsolve``: serial scipy root finding from ``options.starts`` starts.

    Parameters
    ----------
    allocation : Allocation
    trials : sequence of Trial
    options : SolverOptions
        ``extra["jacobian"]``: ``"analytic"`` (default) or ``"finite-difference"``.

    Returns
    -------
    list of TrialOutcome

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric import draw_trial
    >>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
    >>> outcome = fsolve_solve(allocation, [draw_trial(allocation, 0, 5)], SolverOptions(starts=5))[0]
    >>> outcome.method
    'fsolve'
    """
    jacobian = options.extra.get("jacobian", "analytic")
    if jacobian not in JACOBIANS:
        raise ValueError(
            f"extra['jacobian'] must be one of {', '.join(map(repr, JACOBIANS))}, got {jacobian!r}"
        )
    outcomes = []
    for trial in trials:
        problem = MatchProblem(allocation, [trial])
        owner = np.zeros(1, dtype=np.intp)
        norm = problem.target_norms[0] if problem.target_norms[0] > 0 else 1.0

        def residual(theta):
            return problem.residual(theta[None, :], owner)[0]

        def jac(theta):
            return problem.jacobian(theta[None, :], owner)[0]

        fprime = jac if jacobian == "analytic" else None
        square = problem.equations == problem.r
        best, used, evaluations, learned = np.inf, 0, 0, {}
        for k, start in enumerate(trial_starts(problem, 0, options.starts, options.seed)):
            used = k + 1
            with np.errstate(all="ignore"):
                if square:
                    theta, info, _, _ = optimize.fsolve(
                        residual, start, fprime=fprime, full_output=True,
                        xtol=1e-13, maxfev=options.max_iter * (problem.r + 1),
                    )
                    evaluations += int(info["nfev"])
                else:
                    fit = optimize.least_squares(
                        residual, start, jac=fprime if fprime is not None else "2-point",
                        method="lm" if problem.equations > problem.r else "trf",
                        xtol=1e-15, ftol=1e-15, gtol=1e-15,
                        max_nfev=options.max_iter * (problem.r + 1),
                    )
                    theta = fit.x
                    evaluations += int(fit.nfev)
                relative = float(np.linalg.norm(residual(theta)) / norm)
            if not np.isfinite(relative):
                relative = np.inf
            best = min(best, relative)
            if relative <= options.tol:
                learned = {"theta": np.asarray(theta, dtype=float).tolist()}  # the matching values
                break
        outcomes.append(
            TrialOutcome(
                index=trial.index,
                matched=bool(best <= options.tol),
                proved=False,
                residual=float(best),
                starts=used,
                method="fsolve",
                details={"jacobian": jacobian, "evaluations": evaluations, **learned},
            )
        )
    return outcomes


register_solver(
    "fsolve",
    fsolve_solve,
    uses_starts=True,
    options={"jacobian": "'analytic' (default) or 'finite-difference'"},
    description="scipy fsolve / least_squares with restarts, serial (the paper's method; "
    "a miss is not proved: lower bound)",
)
