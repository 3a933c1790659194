"""Theorem W-columns (THEORY.md section 5): b columns of W holding T*d learnable entries each give MP = 1.

lrnn, paper convention, m >= T*b, n >= T*d, only W learnable. The check
carries out the transposed construction exactly
(:func:`~symmp.theorems.constructions.w_columns_construction`); the
hypotheses are registered as a prover for :func:`symmp.classify`.

Near-miss: one column short (b - 1 columns).

Examples
--------
>>> from symmp import LRNN, Allocation
>>> prove(Allocation.in_columns(LRNN(4, 1, 1, 2), "W", [0], k=2, m=2), None).name
'Theorem W-columns'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..analysis.provers import Certificate, register_prover
from ..errors import SymmpError
from ..models import LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .constructions import w_columns_construction
from .lines import lrnn_grid, lrnn_sizes, w_columns_theorem

__all__ = ["THEOREM", "hypotheses", "prove", "columns_instance"]

hypotheses = w_columns_theorem


def prove(allocation: Allocation, context) -> Certificate | None:
    """The certificate when every hypothesis of Theorem W-columns holds, else None."""
    if not hypotheses(allocation)[0]:
        return None
    return Certificate(
        "maximal",
        "Theorem W-columns",
        ("every hypothesis of Theorem W-columns holds (THEORY.md section 5): MP = 1",),
    )


def columns_instance(n: int, b: int, d: int, T: int, m: int) -> Allocation:
    """The allocation of the theorem: columns 0..b-1 of W, T*d consecutive entries each."""
    return Allocation.in_columns(LRNN(n, b, d, T), "W", list(range(b)), k=T * d, m=m)


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if n >= T * d and b <= n and n >= T * b:
            for m in (T * b, T * b + 1):
                yield Instance(f"n={n} b={b} d={d} T={T} m={m}", columns_instance(n, b, d, T, m))
            if b >= 2:
                yield Instance(
                    f"n={n} b={b} d={d} T={T} m={T * b}: {b - 1} columns",
                    Allocation.in_columns(LRNN(n, b, d, T), "W", list(range(b - 1)), k=T * d, m=T * b),
                    near_miss=True,
                )


def _sized(sizes: dict):
    n, b, d, T = lrnn_sizes(sizes)
    if n < T * d:
        raise SymmpError(f"Theorem W-columns needs n >= T*d = {T * d}, got n = {n}")
    if b > n:
        raise SymmpError(f"Theorem W-columns needs b <= n columns, got b = {b} > n = {n}")
    m = int(sizes.get("m", T * b))
    if m < T * b:
        raise SymmpError(f"Theorem W-columns needs m >= T*b = {T * b}, got m = {m}")
    yield Instance(f"n={n} b={b} d={d} T={T} m={m}", columns_instance(n, b, d, T, m))


def _check(instance: Instance, trials: int, seed: int):
    return verdict_check(
        instance, trials, seed, "MP = 1", construction=w_columns_construction, hypotheses=hypotheses
    )


THEOREM = register_theorem(
    Theorem(
        id="w-columns",
        title="Theorem W-columns (MP = 1)",
        statement=r"For an lrnn in the paper convention with $m \ge Tb$, $n \ge Td$ and only $W$ "
        r"learnable, if the learnable entries lie in exactly $b$ columns of $W$ and each holds $Td$ "
        r"of them ($r = bTd$), then $\mathrm{MP} = 1$.",
        reference="THEORY.md section 5",
        conclusion="MP = 1",
        hypotheses=hypotheses,
        instances=_instances,
        check=_check,
        sized=_sized,
    )
)
register_prover("theorem:w-columns", prove, stage="theorem", order=20)
