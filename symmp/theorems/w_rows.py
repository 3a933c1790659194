"""Theorem W-rows (THEORY.md section 5): d rows of W holding T*b learnable entries each give MP = 1.

lrnn, paper convention, m >= T*b, n >= T*b, only W learnable. The check
carries out the proof's successive linear solves in exact rational
arithmetic (:func:`~symmp.theorems.constructions.w_rows_construction`);
the hypotheses are also registered as a prover that
:func:`symmp.classify` consults.

Near-misses: one entry moved from the last used row into the first (that
row exceeds its budget T*b: MP = 0), and one row short (d - 1 rows).

Examples
--------
>>> from symmp import LRNN, Allocation
>>> prove(Allocation.in_rows(LRNN(4, 1, 1, 2), "W", [0], k=2, m=2), None).name
'Theorem W-rows'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..analysis.provers import Certificate, register_prover
from ..errors import SymmpError
from ..models import LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .constructions import w_rows_construction
from .lines import lrnn_grid, lrnn_sizes, w_rows_theorem

__all__ = ["THEOREM", "hypotheses", "prove", "rows_instance", "moved_entry"]

hypotheses = w_rows_theorem


def prove(allocation: Allocation, context) -> Certificate | None:
    """The certificate when every hypothesis of Theorem W-rows holds, else None."""
    if not hypotheses(allocation)[0]:
        return None
    return Certificate(
        "maximal",
        "Theorem W-rows",
        ("every hypothesis of Theorem W-rows holds (THEORY.md section 5): MP = 1",),
    )


def rows_instance(n: int, b: int, d: int, T: int, m: int) -> Allocation:
    """The allocation of the theorem: rows 0..d-1 of W, T*b consecutive entries each."""
    return Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d)), k=T * b, m=m)


def moved_entry(allocation: Allocation, source: int, target: int) -> Allocation:
    """The allocation with the last entry of row ``source`` moved to a free column of row ``target``."""
    entries = sorted(e for e in allocation.entries if e[1] == source)
    removed = entries[-1]
    taken = {e[2] for e in allocation.entries if e[1] == target}
    column = next(j for j in range(allocation.model.n) if j not in taken)
    moved = (set(allocation.entries) - {removed}) | {("W", target, column)}
    return Allocation.from_entries(allocation.model, sorted(moved), m=allocation.m)


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if n >= T * b and d <= n:
            for m in (T * b, T * b + 1):
                yield Instance(f"n={n} b={b} d={d} T={T} m={m}", rows_instance(n, b, d, T, m))
            Tb = T * b
            if d >= 2 and n > Tb:  # near-miss: one entry moved into the first row (over its budget)
                yield Instance(
                    f"n={n} b={b} d={d} T={T} m={Tb}: row 0 holds T*b + 1",
                    moved_entry(rows_instance(n, b, d, T, Tb), d - 1, 0),
                    near_miss=True,
                )
            if d >= 2:  # near-miss: one row short
                yield Instance(
                    f"n={n} b={b} d={d} T={T} m={Tb}: {d - 1} rows",
                    Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d - 1)), k=Tb, m=Tb),
                    near_miss=True,
                )


def _sized(sizes: dict):
    n, b, d, T = lrnn_sizes(sizes)
    if n < T * b:
        raise SymmpError(f"Theorem W-rows needs n >= T*b = {T * b}, got n = {n}")
    if d > n:
        raise SymmpError(f"Theorem W-rows needs d <= n rows, got d = {d} > n = {n}")
    m = int(sizes.get("m", T * b))
    if m < T * b:
        raise SymmpError(f"Theorem W-rows needs m >= T*b = {T * b}, got m = {m}")
    yield Instance(f"n={n} b={b} d={d} T={T} m={m}", rows_instance(n, b, d, T, m))


def _check(instance: Instance, trials: int, seed: int):
    return verdict_check(
        instance, trials, seed, "MP = 1", construction=w_rows_construction, hypotheses=hypotheses
    )


THEOREM = register_theorem(
    Theorem(
        id="w-rows",
        title="Theorem W-rows (MP = 1)",
        statement=r"For an lrnn in the paper convention with $m \ge Tb$, $n \ge Tb$ and only $W$ "
        r"learnable, if the learnable entries lie in exactly $d$ rows of $W$ and each holds $Tb$ of "
        r"them ($r = dTb$), then $\mathrm{MP} = 1$.",
        reference="THEORY.md section 5",
        conclusion="MP = 1",
        hypotheses=hypotheses,
        instances=_instances,
        check=_check,
        sized=_sized,
    )
)
register_prover("theorem:w-rows", prove, stage="theorem", order=10)
