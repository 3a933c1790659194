"""Fact 1 (dimension, THEORY.md section 3): rho_A < rho_full implies MP = 0.

Instances: random allocations of lrnn and lffn models whose exact ranks
are deficient. Near-misses: random allocations of the same sizes with
rho_A = rho_full (MP > 0: the conclusion fails).

Examples
--------
>>> THEOREM.conclusion
'MP = 0'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..analysis import generic_ranks
from ..models import LFFN, LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check

__all__ = ["THEOREM", "hypotheses"]


def hypotheses(allocation: Allocation) -> tuple[bool, list[str]]:
    """rho_A < rho_full (exact ranks)."""
    ranks = generic_ranks(allocation, points=2)
    if ranks.rank < ranks.target_rank:
        return True, []
    return False, [f"rho_A = {ranks.rank} = rho_full"]


def _instances(grid: str):
    models = [(LRNN(4, 1, 2, 2), 2, 4), (LFFN([3, 3, 2]), 3, 6)]
    if grid == "full":
        models += [(LRNN(5, 2, 2, 2), 4, 8), (LFFN([4, 3, 3, 2]), 4, 8)]
    for model, m, r in models:
        for seed in range(3 if grid == "small" else 8):
            allocation = Allocation.random(model, r, m, seed=seed)
            holds = hypotheses(allocation)[0]
            yield Instance(f"{model!r} random r={r} seed={seed}", allocation, near_miss=not holds)


THEOREM = register_theorem(
    Theorem(
        id="fact-1",
        title="Fact 1 (dimension): rho_A < rho_full gives MP = 0",
        statement=r"If $\rho_A < \rho_{\mathrm{full}}$ then $\mathrm{MP} = 0$; if "
        r"$\rho_A = \rho_{\mathrm{full}}$ then $\mathrm{MP} > 0$.",
        reference="THEORY.md section 3",
        conclusion="MP = 0",
        hypotheses=hypotheses,
        instances=_instances,
        check=lambda instance, trials, seed: verdict_check(instance, trials, seed, "MP = 0"),
    )
)
