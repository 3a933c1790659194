"""``linear``: affine allocations decided by exact least squares (THEORY.md Fact 2).

When the outputs are affine in the learnable weights, ``res(theta) = res(0) +
J theta`` with a constant ``J``, so the best the student can do is the least
squares solution. Per trial: J and ``res(0)`` in one batched call, an SVD,
the numerical rank ``#{s_i > s_max * max(E, r) * eps}`` and the minimal
residual ``||U_perp^T res(0)||`` (``U_perp`` spans the complement of J's
range). The verdict is *proved* when the minimal relative residual is clear
of the threshold by more than rounding can move it: below ``tol / 100`` for a
match, or above ``max(100 tol, 1e3 kappa eps)`` for a no-match (``kappa`` the
condition number of J's kept part). Otherwise it stands unproved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ...analysis import is_affine
from ...errors import SymmpError
from ..problems.match import MatchProblem
from ..sampling import Trial
from . import VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver

__all__ = ["linear_solve", "is_affine_allocation"]

_EPS = np.finfo(float).eps


def is_affine_allocation(allocation: Allocation) -> bool:
    """True when the outputs are affine in the learnable weights (exact, by degree)."""
    return is_affine(allocation)


def linear_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``linear``: exact least squares for affine allocations.

    Raises
    ------
    SymmpError
        When the allocation is not affine (use ``newton`` or ``auto``).

    Examples
    --------
    >>> from symmp import Allocation, LinearEstimator
    >>> from symmp.numeric import draw_trial
    >>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
    >>> outcome = linear_solve(allocation, [draw_trial(allocation, 0, 0)], SolverOptions())[0]
    >>> outcome.matched, outcome.proved
    (True, True)
    """
    if not is_affine_allocation(allocation):
        raise SymmpError(
            "solver 'linear' needs outputs affine in the learnable weights (learnables in one "
            "factor only); this allocation is polynomial: use --solver newton or auto"
        )
    problem = MatchProblem(allocation, trials)
    zero = np.zeros((problem.size, problem.r))
    offset = problem.residual(zero)  # res(0), (k, E)
    J = problem.jacobian(zero)  # (k, E, r), constant in theta
    U, s, Vt = np.linalg.svd(J, full_matrices=True)
    equations, unknowns = J.shape[1:]
    cutoff = s[:, :1] * max(equations, unknowns) * _EPS
    kept = s > cutoff
    rank = kept.sum(axis=1)
    projected = np.einsum("kei,ke->ki", U, offset)  # U^T res(0)
    in_range = np.zeros_like(projected, dtype=bool)
    in_range[:, : s.shape[1]] = kept
    leftover = np.where(in_range, 0.0, projected)
    norms = np.where(problem.target_norms > 0, problem.target_norms, 1.0)
    relative = np.linalg.norm(leftover, axis=1) / norms
    smallest = np.where(rank > 0, np.take_along_axis(s, np.maximum(rank - 1, 0)[:, None], 1)[:, 0], 1.0)
    kappa = np.where(rank > 0, s[:, 0] / np.where(smallest > 0, smallest, 1.0), 1.0)
    outcomes = []
    for t, trial in enumerate(trials):
        matched = bool(relative[t] <= options.tol)
        if matched:
            proved = bool(relative[t] <= options.tol * 1e-2)
        else:
            proved = bool(relative[t] >= max(options.tol * 1e2, 1e3 * kappa[t] * _EPS))
        outcomes.append(
            TrialOutcome(
                index=trial.index,
                matched=matched,
                proved=proved,
                residual=float(relative[t]),
                starts=0,
                method="linear",
                details={"rank": int(rank[t]), "condition": float(kappa[t])},
            )
        )
    return outcomes


register_solver(
    "linear",
    linear_solve,
    defaults={"batch": VECTORISED_BATCH},
    applies=is_affine_allocation,
    needs="outputs affine in the learnable weights",
    description="affine allocations: exact least squares with a rank and residual test",
    auto_rank=10,  # exact, every verdict proved
    proves_misses=True,
)
