"""lrnn D rows (THEORY.md sections 3 and 4): with only D learnable, MP = 1 when every row of D
holds T*b learnable entries (n >= T*b, m >= T*b); one entry moved to another row gives MP = 0.

D is affine (Fact 2); a row of D contributes at most its budget min(n, T*b, m).

Examples
--------
>>> THEOREM.id
'lrnn-d-rows'
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
    if n < T * b:
        raise SymmpError(f"lrnn D rows needs n >= T*b = {T * b}, got n = {n}")
    yield from budget_pair(f"n={n} b={b} d={d} T={T}", LRNN(n, b, d, T), "D", "row", d, T * b, T * b)


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if n >= T * b:
            yield from _one(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="lrnn-d-rows",
        title="lrnn D rows: T*b learnable entries in every row of D (MP = 1)",
        statement=r"For an lrnn with $n \ge Tb$, $m \ge Tb$ and only $D$ learnable, $\mathrm{MP} = 1$ iff "
        r"every row of $D$ holds at least $Tb$ learnable entries; otherwise $\mathrm{MP} = 0$.",
        reference="THEORY.md sections 3 and 4",
        conclusion="MP = 1",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
        sized=lambda sizes: _one(*lrnn_sizes(sizes)),
    )
)
