"""``sequential``: block-triangular linear solves for sequentially linear allocations.

Wraps the symbolic issue's machinery (THEORY.md section 5):
:func:`symmp.analysis.sequential.find_sequential_structure` finds an order of
blocks, each fixed by a square linear system once the earlier ones are known,
and :func:`symmp.systems.sequential_solver.sequential_solve` carries out the
solves for one trial. The returned point is checked (and polished by a few
Levenberg-Marquardt steps) on the real equations; a match is proved by
construction, a failed solve (a singular block: probability zero) stays
unproved. Both modules are imported lazily, with a clear error when they are
absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ...allocation import Allocation
from ...errors import SymmpError
from ..problem import MatchProblem
from ..sampling import Trial
from . import SolverOptions, TrialOutcome, register_solver

__all__ = ["sequential_solve_trials", "sequential_structure", "sequential_available"]

_POLISH_STEPS = 8


def _machinery():
    try:
        from ...analysis.sequential import find_sequential_structure
        from ...systems.sequential_solver import sequential_solve
    except ImportError as err:
        raise SymmpError(
            "solver 'sequential' needs symmp.analysis.sequential and "
            f"symmp.systems.sequential_solver, which are not available ({err}); "
            "use --solver newton or auto"
        ) from None
    return find_sequential_structure, sequential_solve


def sequential_available() -> bool:
    """True when the sequential machinery can be imported."""
    try:
        _machinery()
    except SymmpError:
        return False
    return True


@lru_cache(maxsize=64)
def sequential_structure(allocation: Allocation):
    """The block structure of ``allocation``, or None when it is not sequentially linear."""
    find, _ = _machinery()
    return find(allocation)


def _applies(allocation: Allocation) -> bool:
    if not allocation.model.polynomial or not sequential_available():
        return False
    return sequential_structure(allocation) is not None


def sequential_solve_trials(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``sequential``: one pass of linear block solves per trial.

    Raises
    ------
    SymmpError
        When the machinery is missing or the allocation has no sequential structure.
    """
    from .newton import newton_iterate

    _, solve = _machinery()
    structure = sequential_structure(allocation)
    if structure is None:
        raise SymmpError(
            "solver 'sequential' needs a sequentially linear allocation and none was found "
            "for this one; use --solver newton or auto"
        )
    problem = MatchProblem(allocation, trials)
    outcomes = []
    for position, trial in enumerate(trials):
        theta = solve(allocation, structure, trial.student, trial.inputs, trial.targets)
        owner = np.array([position], dtype=np.intp)
        if theta is None or not np.all(np.isfinite(theta)):
            outcomes.append(
                TrialOutcome(trial.index, False, False, float("inf"), 0, "sequential",
                             {"solved": False})
            )
            continue
        theta = np.asarray(theta, dtype=float).reshape(1, problem.r)
        raw = float(problem.relative_residual(theta, owner)[0])
        relative = raw
        if raw > options.tol * 1e-2:
            theta, polished, _ = newton_iterate(
                problem, theta, owner, tol=options.tol, max_iter=_POLISH_STEPS
            )
            relative = float(min(raw, polished[0]))
        matched = relative <= options.tol
        outcomes.append(
            TrialOutcome(
                trial.index, bool(matched), bool(matched), relative, 0, "sequential",
                {"solved": True, "raw_residual": raw},
            )
        )
    return outcomes


register_solver(
    "sequential",
    sequential_solve_trials,
    applies=_applies,
    description="block-triangular linear solves for sequentially linear allocations "
    "(matches proved by construction)",
)
