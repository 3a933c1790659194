"""lffn first layer (THEORY.md sections 3 and 4): with only W1 learnable (m = n_0, middle layers
at least d wide), MP = 1 when every column of W1 holds d learnable entries; one entry moved
between columns gives MP = 0.

W1 is affine (Fact 2); a column of W1 contributes at most min(n_1, ..., n_L) = d.

Examples
--------
>>> THEOREM.id
'lffn-first-layer'
"""

from __future__ import annotations

from ..models import LFFN
from .base import Theorem, register_theorem
from .dichotomy import affine_hypotheses, dichotomy_check
from .lffn_layers import lffn_grid
from .lines_affine import budget_pair

__all__ = ["THEOREM"]


def _instances(grid: str):
    for widths in lffn_grid(grid):
        model = LFFN(widths)
        yield from budget_pair(f"widths={widths}", model, "W1", "column", widths[0], widths[-1], widths[0])


THEOREM = register_theorem(
    Theorem(
        id="lffn-first-layer",
        title="lffn first layer: d learnable entries in every column of W1 (MP = 1)",
        statement=r"For $Y = W_L \cdots W_1 X$ with $m = n_0$, $\min(n_1, \dots, n_L) = d$ and only $W_1$ "
        r"learnable, $\mathrm{MP} = 1$ iff every column of $W_1$ holds $d$ learnable entries that "
        r"reach full rank; a column beyond its budget gives $\mathrm{MP} = 0$ when $r = \rho_{\mathrm{full}}$.",
        reference="THEORY.md sections 3 and 4",
        conclusion="MP = 1",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
    )
)
