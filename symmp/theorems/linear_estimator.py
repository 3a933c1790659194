"""The linear estimator's worked example (THEORY.md section 4): d = 2, m = 2, r = 4.

Rows 2+2 give rank 4 and MP = 1; 3+1 give rank 3 and MP = 0; 4+0 give
rank 2 and MP = 0 (Facts 1 and 2).

Examples
--------
>>> [i.label for i in THEOREM.instances("small")]
['rows 2+2', 'rows 3+1', 'rows 4+0']
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LinearEstimator
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check

__all__ = ["THEOREM"]


def _instances(grid: str):
    model = LinearEstimator(n=4, d=2)
    for counts in ((2, 2), (3, 1), (4, 0)):
        entries = [("W", i, j) for i, count in enumerate(counts) for j in range(count)]
        yield Instance(f"rows {counts[0]}+{counts[1]}", Allocation.from_entries(model, entries, m=2))


def _check(instance: Instance, trials: int, seed: int):
    conclusion = "MP = 1" if instance.label == "rows 2+2" else "MP = 0"
    return verdict_check(instance, trials, seed, conclusion)


THEOREM = register_theorem(
    Theorem(
        id="linear-estimator",
        title="Linear estimator, d = 2, m = 2, r = 4 (worked example)",
        statement=r"For $Y = W X$ with $d = m = 2$ and $r = 4$: rows $2+2$ give $\rho_A = 4$ and "
        r"$\mathrm{MP} = 1$; $3+1$ give $\rho_A = 3$ and $4+0$ give $\rho_A = 2$, both $\mathrm{MP} = 0$.",
        reference="THEORY.md section 4 (Facts 1 and 2)",
        conclusion="MP = 1 (2+2); MP = 0 (3+1, 4+0)",
        hypotheses=None,
        instances=_instances,
        check=_check,
    )
)
