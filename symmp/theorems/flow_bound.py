"""The flow bound (THEORY.md section 4): the max-flow of the row/column budgets bounds rho_A above.

Exact check: rho_A (exact ranks) <= the flow bound on random allocations
of several models, and the smallest counterexample to equality (an lffn
middle layer, entries {(1,2),(1,3),(2,1),(3,1)}: rank 3, flow 4) is strict.
A rank relation: no empirical MP.

Examples
--------
>>> THEOREM.conclusion
'rho_A <= flow bound'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..analysis import equation_budgets, flow_bound, generic_ranks
from ..models import LFFN, LRNN, LinearEstimator
from .base import Instance, InstanceCheck, Theorem, register_theorem

__all__ = ["THEOREM"]


def _instances(grid: str):
    deep = LFFN([4, 4, 4, 2])
    yield Instance(
        "lffn [4,4,4,2] W2 {(0,1),(0,2),(1,0),(2,0)} (strict)",
        Allocation.from_entries(deep, [("W2", 0, 1), ("W2", 0, 2), ("W2", 1, 0), ("W2", 2, 0)], m=2),
    )
    models = [(LRNN(5, 2, 2, 2), 4, 8), (LinearEstimator(4, 3), 3, 6), (deep, 2, 6)]
    for model, m, r in models:
        for seed in range(3 if grid == "small" else 10):
            yield Instance(f"{model!r} random r={r} seed={seed}", Allocation.random(model, r, m, seed=seed))


def _check(instance: Instance, trials: int, seed: int) -> InstanceCheck:
    allocation = instance.payload
    ranks = generic_ranks(allocation, seed=seed)
    flow = flow_bound(allocation, equation_budgets(allocation.model, allocation.m, seed=seed), ranks.target_rank)
    holds = ranks.rank <= flow.bound
    if "(strict)" in instance.label:
        holds = holds and ranks.rank < flow.bound
    return InstanceCheck(
        label=instance.label,
        holds=bool(holds),
        exact=f"rho_A = {ranks.rank} <= flow {flow.bound}" if holds else f"rho_A = {ranks.rank} > flow {flow.bound}",
        details={"rank": ranks.rank, "flow_bound": flow.bound},
    )


THEOREM = register_theorem(
    Theorem(
        id="flow-bound",
        title="The budgets' max-flow is an upper bound on rho_A",
        statement=r"$\rho_A \le$ the maximum flow with row capacities the row budgets and column "
        r"capacities the column budgets; equality can fail (rank 3, flow 4).",
        reference="THEORY.md section 4",
        conclusion="rho_A <= flow bound",
        hypotheses=None,
        instances=_instances,
        check=_check,
    )
)
