"""lrnn B columns (THEORY.md sections 3 and 4): with only B learnable, MP = 1 when every column
of B holds T*d learnable entries (n >= T*d, m >= T*b); one entry moved to another column gives MP = 0.

B is affine (Fact 2); a column of B contributes at most its budget min(n, T*d, d*m).

Examples
--------
>>> THEOREM.id
'lrnn-b-columns'
"""

from __future__ import annotations

from ..errors import SymmpError
from ..models import LRNN
from .base import Theorem, register_theorem
from .dichotomy import affine_hypotheses, dichotomy_check
from .lines import lrnn_grid, lrnn_sizes
from .lines_affine import budget_pair

__all__ = ["THEOREM"]


def _one(n, b, d, T):
    if n < T * d:
        raise SymmpError(f"lrnn B columns needs n >= T*d = {T * d}, got n = {n}")
    yield from budget_pair(f"n={n} b={b} d={d} T={T}", LRNN(n, b, d, T), "B", "column", b, T * d, T * b)


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if n >= T * d:
            yield from _one(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="lrnn-b-columns",
        title="lrnn B columns: T*d learnable entries in every column of B (MP = 1)",
        statement=r"For an lrnn with $n \ge Td$, $m \ge Tb$ and only $B$ learnable, $\mathrm{MP} = 1$ iff "
        r"every column of $B$ holds at least $Td$ learnable entries; otherwise $\mathrm{MP} = 0$.",
        reference="THEORY.md sections 3 and 4",
        conclusion="MP = 1",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
        sized=lambda sizes: _one(*lrnn_sizes(sizes)),
    )
)
