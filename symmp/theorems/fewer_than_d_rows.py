"""Minimal side (THEORY.md section 5): fewer than d rows (or b columns) of W covered, m >= T*b: MP = 0.

The lag-1 block D W B alone cannot reach a generic d x b target when W
changes in fewer than d rows or fewer than b columns. Near-miss: exactly d
rows of T*b entries (Theorem W-rows: MP = 1).

Examples
--------
>>> sum(i.near_miss for i in THEOREM.instances("small")) >= 1
True
"""

from __future__ import annotations

from ..allocation import Allocation
from ..errors import SymmpError
from ..models import LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .lines import lrnn_grid, lrnn_sizes

__all__ = ["THEOREM", "hypotheses"]


def hypotheses(allocation: Allocation) -> tuple[bool, list[str]]:
    """lrnn, only W learnable, m >= T*b, fewer than d rows or fewer than b columns of W used."""
    model = allocation.model
    if model.kind != "lrnn":
        return False, [f"the statement is about lrnn models, not {model.kind}"]
    failures = []
    if allocation.matrices != ["W"]:
        failures.append("only W may be learnable")
    if allocation.m < model.T * model.b:
        failures.append(f"needs m >= T*b = {model.T * model.b}")
    rows = sum(1 for c in allocation.per_row("W") if c) if "W" in allocation.matrices else 0
    columns = sum(1 for c in allocation.per_column("W") if c) if "W" in allocation.matrices else 0
    if rows >= model.d and columns >= model.b:
        failures.append(f"{rows} rows (d = {model.d}) and {columns} columns (b = {model.b}) are covered")
    return not failures, failures


def _one(n, b, d, T):
    k = min(n, T * b)
    label = f"n={n} b={b} d={d} T={T}"
    if d >= 2:
        yield Instance(f"{label}: {d - 1} rows", Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d - 1)), k=k, m=T * b))
    if b >= 2:
        yield Instance(
            f"{label}: {b - 1} columns",
            Allocation.in_columns(LRNN(n, b, d, T), "W", list(range(b - 1)), k=min(n, T * d), m=T * b),
        )
    if n >= T * b and d <= n:
        yield Instance(
            f"{label}: {d} rows of T*b",
            Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d)), k=T * b, m=T * b),
            near_miss=True,
        )


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        yield from _one(n, b, d, T)


def _sized(sizes: dict):
    n, b, d, T = lrnn_sizes(sizes)
    if d < 2 and b < 2:
        raise SymmpError("fewer than d rows or b columns needs d >= 2 or b >= 2")
    yield from _one(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="fewer-than-d-rows",
        title="Fewer than d rows or b columns of W (MP = 0)",
        statement=r"For an lrnn with only $W$ learnable and $m \ge Tb$, if the learnable entries cover "
        r"fewer than $d$ rows or fewer than $b$ columns of $W$, then $\mathrm{MP} = 0$.",
        reference="THEORY.md section 5 (minimal side)",
        conclusion="MP = 0",
        hypotheses=hypotheses,
        instances=_instances,
        check=lambda instance, trials, seed: verdict_check(instance, trials, seed, "MP = 0", hypotheses=hypotheses),
        sized=_sized,
    )
)
