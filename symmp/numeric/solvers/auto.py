"""``auto``: the strongest solver that applies to an allocation.

In order: ``linear`` for affine allocations (exact); ``adahessian`` for ReLU
networks once registered; ``sequential`` when a block-triangular structure is
found (matches proved); ``certified`` for systems it accepts, when
registered (every verdict proved); ``newton`` otherwise (lower bound).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...allocation import Allocation
from ..sampling import Trial
from . import SOLVERS, SolverOptions, TrialOutcome, register_solver, solver_applies

__all__ = ["resolve_solver", "auto_solve"]


def resolve_solver(allocation: Allocation, name: str = "auto") -> str:
    """The concrete solver ``name`` stands for (``name`` itself unless ``"auto"``).

    Examples
    --------
    >>> import symmp.numeric
    >>> from symmp import Allocation, LinearEstimator
    >>> resolve_solver(Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2))
    'linear'
    """
    if name != "auto":
        return name
    if solver_applies("linear", allocation):
        return "linear"
    if not allocation.model.polynomial:
        return "adahessian" if "adahessian" in SOLVERS else "newton"
    if solver_applies("sequential", allocation):
        return "sequential"
    if solver_applies("certified", allocation):
        return "certified"
    return "newton"


def auto_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``auto``: delegate to :func:`resolve_solver`'s choice."""
    return SOLVERS[resolve_solver(allocation)](allocation, trials, options)


register_solver(
    "auto",
    auto_solve,
    description="the strongest applicable: linear, adahessian (relu), sequential, certified, newton",
)
