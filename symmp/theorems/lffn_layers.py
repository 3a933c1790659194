"""Shared sizes of the lffn first- and last-layer statements.

Examples
--------
>>> lffn_grid("small")[0]
[3, 4, 2]
"""

from __future__ import annotations

__all__ = ["lffn_grid"]


def lffn_grid(grid: str) -> list[list[int]]:
    """Widths [n_0, ..., n_L] of ``grid`` (wide middle layers, so the budgets are min(m, n_0) and d)."""
    small = [[3, 4, 2], [3, 5, 4, 2]]
    return small if grid == "small" else small + [[4, 6, 3], [2, 5, 5, 3]]
