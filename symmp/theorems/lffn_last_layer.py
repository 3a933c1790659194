"""lffn last layer (THEORY.md sections 3 and 4): with only W_L learnable (m = n_0 <= the middle
widths), MP = 1 when every row of W_L holds n_0 learnable entries; one entry moved between
rows gives MP = 0.

W_L is affine (Fact 2); a row of W_L contributes at most min(m, n_0, ..., n_{L-1}) = n_0.

Examples
--------
>>> THEOREM.id
'lffn-last-layer'
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
        last = f"W{len(widths) - 1}"
        yield from budget_pair(f"widths={widths}", model, last, "row", widths[-1], widths[0], widths[0])


THEOREM = register_theorem(
    Theorem(
        id="lffn-last-layer",
        title="lffn last layer: n_0 learnable entries in every row of W_L (MP = 1)",
        statement=r"For $Y = W_L \cdots W_1 X$ with $m = n_0 \le \min(n_1, \dots, n_{L-1})$ and only $W_L$ "
        r"learnable, $\mathrm{MP} = 1$ iff every row of $W_L$ holds $n_0$ learnable entries that reach "
        r"full rank; a row beyond its budget gives $\mathrm{MP} = 0$ when $r = \rho_{\mathrm{full}}$.",
        reference="THEORY.md sections 3 and 4",
        conclusion="MP = 1",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
    )
)
