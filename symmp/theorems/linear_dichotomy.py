"""The linear estimator's dichotomy (THEORY.md sections 3 and 4): every allocation of Y = W X
is maximal or minimal, maximal iff no row holds more than min(n, m) and rho_A = rho_full.

Instances: random allocations of linear estimators over a grid of sizes.
Near-miss: a non-affine allocation (0 < MP < 1 proved).

Examples
--------
>>> THEOREM.conclusion
'MP in {0, 1}'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LinearEstimator
from .base import Theorem, register_theorem
from .dichotomy import affine_hypotheses, affine_instance, dichotomy_check, diagonal_near_miss

__all__ = ["THEOREM"]


def _instances(grid: str):
    sizes = [(4, 2, 2), (3, 3, 2)] + ([(5, 3, 3), (4, 2, 4)] if grid == "full" else [])
    for n, d, m in sizes:
        model = LinearEstimator(n=n, d=d)
        for seed in range(3):
            r = d * min(n, m)
            yield affine_instance(f"n={n} d={d} m={m} r={r} seed={seed}", Allocation.random(model, r, m, seed=seed))
    yield diagonal_near_miss()


THEOREM = register_theorem(
    Theorem(
        id="linear-dichotomy",
        title="Linear estimator: every allocation is maximal or minimal",
        statement=r"For $Y = W X$, $\mathrm{MP} \in \{0, 1\}$ for every allocation, and "
        r"$\mathrm{MP} = 1$ iff $\rho_A = \rho_{\mathrm{full}} = d \min(n, m)$.",
        reference="THEORY.md sections 3 and 4",
        conclusion="MP in {0, 1}",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
    )
)
