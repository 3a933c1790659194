"""The parity certificate (THEORY.md section 8): an odd generic number of complex solutions gives MP = 1.

Instances: lrnn W-rows allocations with one entry moved to a new row (the
Markov-reduced square system has N = 1) and a scattered four-entry W
allocation with N = 3. Near-miss: the n = 2, T = 2 diagonal (N = 2, even,
and 0 < MP < 1 proved by witnesses).

Examples
--------
>>> THEOREM.conclusion
'MP = 1'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LRNN
from ..numeric.certify.parity import generic_count
from .base import Instance, InstanceCheck, Theorem, register_theorem
from .checks import verdict_check
from .lines import lrnn_grid
from .w_rows import moved_entry, rows_instance

__all__ = ["THEOREM", "hypotheses"]


def hypotheses(allocation: Allocation) -> tuple[bool, list[str]]:
    """The (sliced) square system's generic count is odd, simple and zero-dimensional."""
    count = generic_count(allocation)
    if count is None:
        return False, ["no square system (or a square slice) to count"]
    if not count.odd:
        return False, [f"generic count {count.count} ({count.note or 'even'})"]
    return True, []


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if T == 2 and d >= 2 and n >= T * b + 1:
            yield Instance(f"n={n} b={b} d={d} T={T}: W-rows, one entry moved to row {d}",
                           moved_entry(rows_instance(n, b, d, T, T * b), d - 1, d))
    yield Instance(
        "lrnn n=4 b=1 d=2 T=2 W {(0,1),(1,3),(2,3),(3,1)} (N = 3)",
        Allocation.from_entries(LRNN(4, 1, 2, 2), [("W", 0, 1), ("W", 1, 3), ("W", 2, 3), ("W", 3, 1)], m=2),
    )
    yield Instance("lrnn n=2 T=2 diagonal (N = 2)", Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2), near_miss=True)


def _check(instance: Instance, trials: int, seed: int) -> InstanceCheck:
    return verdict_check(instance, trials, seed, "MP = 1", hypotheses=hypotheses)


THEOREM = register_theorem(
    Theorem(
        id="parity",
        title="Parity: an odd generic solution count gives MP = 1",
        statement=r"If the square polynomial system (or a random square slice) has, for a generic draw, "
        r"an odd number $N$ of complex solutions, all simple, none at infinity and no positive-dimensional "
        r"component, then $\mathrm{MP} = 1$.",
        reference="THEORY.md section 8",
        conclusion="MP = 1",
        hypotheses=hypotheses,
        instances=_instances,
        check=_check,
    )
)
