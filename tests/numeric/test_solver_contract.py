"""The solver contract, run over every registered solver (as scikit-learn's parametrize_with_checks).

The cases are collected from the registry at collection time
(:func:`symmp.numeric.solvers.checks.solver_checks`), so a solver
registered by any module imported before collection is checked too; each
runs on the first small candidate allocation it applies to.
"""

from __future__ import annotations

import pytest

import symmp.numeric  # noqa: F401  (every built-in solver registers on import)
from symmp.numeric.solvers.checks import example_allocation, solver_checks

CASES = solver_checks()


@pytest.mark.parametrize("name, check", CASES, ids=[f"{name}-{check.__name__[6:]}" for name, check in CASES])
def test_solver_contract(name, check):
    check(name, example_allocation(name))


def test_every_registered_solver_is_checked():
    from symmp.numeric.solvers import SOLVER_INFO
    from symmp.numeric.solvers.checks import CHECKS

    assert {name for name, _ in CASES} == set(SOLVER_INFO) - {"auto"}
    assert len(CASES) == len(CHECKS) * (len(SOLVER_INFO) - 1)
