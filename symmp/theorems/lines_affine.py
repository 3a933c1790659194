"""Shared instance builders of the one-matrix statements (lrnn D rows, B columns, lffn layers).

Examples
--------
>>> from symmp import LRNN
>>> len(line_allocation(LRNN(4, 1, 2, 2), "D", "row", [2, 2], m=2).entries)
4
"""

from __future__ import annotations

from ..allocation import Allocation
from ..errors import SymmpError
from .base import Instance
from .dichotomy import affine_instance

__all__ = ["line_allocation", "budget_pair"]


def line_allocation(model, matrix: str, axis: str, counts: list[int], m: int) -> Allocation:
    """``counts[k]`` consecutive learnable entries in row (or column) k of ``matrix``."""
    rows, cols = model.matrix_shapes[matrix]
    other = cols if axis == "row" else rows
    if max(counts) > other:
        raise SymmpError(f"a {axis} of {matrix} has only {other} entries, {max(counts)} asked")
    entries = []
    for k, count in enumerate(counts):
        for j in range(count):
            entries.append((matrix, k, j) if axis == "row" else (matrix, j, k))
    return Allocation.from_entries(model, entries, m=m)


def budget_pair(label: str, model, matrix: str, axis: str, lines: int, budget: int, m: int):
    """The allocation meeting the budget in ``lines`` lines, and the near-miss moving one entry
    from the last line into the first (over its budget: MP = 0)."""
    yield affine_instance(f"{label}: {lines} {axis}s of {budget}", line_allocation(model, matrix, axis, [budget] * lines, m))
    size = model.matrix_shapes[matrix][1 if axis == "row" else 0]
    if lines >= 2 and budget + 1 <= size:
        counts = [budget + 1] + [budget] * (lines - 2) + [budget - 1]
        allocation = line_allocation(model, matrix, axis, counts, m)
        yield Instance(f"{label}: {axis}s {counts} (one over budget)", (allocation, "MP = 1"), near_miss=True)
