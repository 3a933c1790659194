"""Minimal side (THEORY.md section 5): a row beyond its budget with r = rho_full gives MP = 0.

Instances: r = d*T*b learnable W entries (m = T*b, so rho_full = d*T*b) with
T*b + 1 in the first row and T*b - 1 in the last (needs d >= 2): the first
row wastes one weight, so rho_A < rho_full (Fact 1). Near-miss: the same
entries with the budgets respected (d rows of T*b: Theorem W-rows).

Examples
--------
>>> [i.near_miss for i in THEOREM.instances("small")][:2]
[False, True]
"""

from __future__ import annotations

from ..allocation import Allocation
from ..errors import SymmpError
from ..models import LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .lines import lrnn_grid, lrnn_sizes

__all__ = ["THEOREM", "over_budget_instance"]


def over_budget_instance(n: int, b: int, d: int, T: int) -> Allocation:
    """T*b + 1 entries in row 0, T*b - 1 in row d-1, T*b in the others; m = T*b."""
    counts = [T * b + 1] + [T * b] * (d - 2) + [T * b - 1]
    entries = [("W", i, (i + j) % n) for i, count in enumerate(counts) for j in range(count)]
    return Allocation.from_entries(LRNN(n, b, d, T), entries, m=T * b)


def _pair(n, b, d, T):
    label = f"n={n} b={b} d={d} T={T}"
    yield Instance(f"{label} rows {[T * b + 1] + [T * b] * (d - 2) + [T * b - 1]}", over_budget_instance(n, b, d, T))
    entries = [("W", i, (i + j) % n) for i in range(d) for j in range(T * b)]
    yield Instance(
        f"{label} rows {[T * b] * d} (within budget)",
        Allocation.from_entries(LRNN(n, b, d, T), entries, m=T * b),
        near_miss=True,
    )


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if n >= T * b + 1 and 2 <= d <= n:
            yield from _pair(n, b, d, T)


def _sized(sizes: dict):
    n, b, d, T = lrnn_sizes(sizes)
    if d < 2:
        raise SymmpError("a row beyond its budget with r = d*T*b needs d >= 2 rows")
    if n < T * b + 1:
        raise SymmpError(f"a row beyond its budget T*b = {T * b} needs n >= T*b + 1 = {T * b + 1}, got n = {n}")
    yield from _pair(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="row-over-budget",
        title="A row beyond its budget with r = rho_full (MP = 0)",
        statement=r"If some row (or column) of a learnable matrix holds more learnable entries than its "
        r"budget and $r = \rho_{\mathrm{full}}$, then $\rho_A < \rho_{\mathrm{full}}$ and $\mathrm{MP} = 0$.",
        reference="THEORY.md sections 4 and 5 (minimal side)",
        conclusion="MP = 0",
        hypotheses=None,
        instances=_instances,
        check=lambda instance, trials, seed: verdict_check(instance, trials, seed, "MP = 0"),
        sized=_sized,
    )
)
