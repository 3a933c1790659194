"""The hypotheses of Theorems W-rows and W-columns (THEORY.md section 5), shared.

Each check returns whether every hypothesis holds and, in plain words, which
one fails. They certify MP = 1 for exactly the allocations the theorems name;
the sequential-linearity analysis proves the same more generally. The
theorems themselves are :mod:`.w_rows` and :mod:`.w_columns`.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> model = LRNN(n=4, b=1, d=1, T=2)
>>> holds, _ = w_rows_theorem(Allocation.in_rows(model, "W", [0], k=2, m=2))
>>> holds
True
"""

from __future__ import annotations

from ..allocation import Allocation
from ..errors import SymmpError
from ..models import LRNN

__all__ = ["w_rows_theorem", "w_columns_theorem", "LRNN_SIZES", "LRNN_SMALL", "lrnn_grid", "lrnn_sizes"]


def _common(allocation: Allocation, need_n: int, what: str) -> list[str]:
    model = allocation.model
    failures = []
    if model.convention != "paper":
        failures.append(f"Theorem {what} needs the paper convention, not {model.convention!r}")
    if allocation.matrices != ["W"]:
        failures.append(f"Theorem {what} needs only W learnable, got {', '.join(allocation.matrices)}")
    Tb = model.T * model.b
    if allocation.m < Tb:
        failures.append(f"Theorem {what} needs m >= T*b = {Tb}, got m = {allocation.m}")
    if model.n < need_n:
        failures.append(f"Theorem {what} needs n >= {need_n}, got n = {model.n}")
    return failures


def _lines_hypothesis(counts: list[int], lines_needed: int, per_line: int, axis: str) -> list[str]:
    used = [c for c in counts if c]
    failures = []
    if len(used) != lines_needed:
        failures.append(f"learnable entries must lie in exactly {lines_needed} {axis}s of W, found {len(used)}")
    bad = [k for k, c in enumerate(counts) if c and c != per_line]
    if bad:
        failures.append(
            f"each used {axis} must hold exactly {per_line} learnable entries; "
            + ", ".join(f"{axis} {k} holds {counts[k]}" for k in bad)
        )
    return failures


def _w_lines_theorem(allocation: Allocation, axis: str) -> tuple[bool, list[str]]:
    """Shared hypothesis check: ``axis`` "row" (W-rows) or "column" (W-columns)."""
    what = "W-rows" if axis == "row" else "W-columns"
    model = allocation.model
    if not isinstance(model, LRNN):
        return False, [f"Theorem {what} is about lrnn models, not {model.kind}"]
    # W-rows: d rows with T*b entries, n >= T*b; W-columns: b columns with T*d, n >= T*d
    lines, per_line = (model.d, model.T * model.b) if axis == "row" else (model.b, model.T * model.d)
    failures = _common(allocation, per_line, what)
    if "W" in allocation.matrices:
        counts = allocation.per_row("W") if axis == "row" else allocation.per_column("W")
        failures += _lines_hypothesis(counts, lines, per_line, axis)
    return not failures, failures


def w_rows_theorem(allocation: Allocation) -> tuple[bool, list[str]]:
    """Theorem W-rows: d rows of W with T*b learnable entries each, m >= T*b, n >= T*b.

    Returns whether every hypothesis holds and, in plain words, those that fail.
    """
    return _w_lines_theorem(allocation, "row")


def w_columns_theorem(allocation: Allocation) -> tuple[bool, list[str]]:
    """Theorem W-columns: b columns of W with T*d learnable entries each, m >= T*b, n >= T*d.

    Returns whether every hypothesis holds and, in plain words, those that fail.
    """
    return _w_lines_theorem(allocation, "column")


#: (n, b, d, T) sizes of the lrnn statements' full grid: b, d >= 2 included, T up to 3
LRNN_SIZES = [(4, 1, 1, 2), (5, 2, 2, 2), (6, 2, 3, 2), (6, 1, 2, 3), (7, 2, 2, 3), (6, 3, 2, 2)]
#: the small grid (CI): one size per shape of interest
LRNN_SMALL = [(4, 1, 1, 2), (5, 2, 2, 2), (6, 1, 2, 3)]


def lrnn_grid(grid: str) -> list[tuple[int, int, int, int]]:
    """The (n, b, d, T) sizes of ``grid`` ("small" or "full")."""
    return LRNN_SMALL if grid == "small" else LRNN_SIZES


def lrnn_sizes(sizes: dict, *, need: tuple[str, ...] = ("n", "b", "d", "T")) -> tuple[int, int, int, int]:
    """``(n, b, d, T)`` from a user's ``--size`` dict (one-line SymmpError when one is missing)."""
    missing = [k for k in need if k not in sizes]
    if missing:
        raise SymmpError(f"--size needs {', '.join(need)} for this statement; missing {', '.join(missing)}")
    return int(sizes["n"]), int(sizes["b"]), int(sizes["d"]), int(sizes["T"])
