"""Shared output helpers for subcommands."""

from __future__ import annotations

import json
import sys

__all__ = ["print_json", "format_table"]


def print_json(obj: dict) -> None:
    """Exactly one JSON object on stdout."""
    json.dump(obj, sys.stdout, indent=1, sort_keys=False, default=_default)
    sys.stdout.write("\n")


def _default(value):
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def format_table(header: list[str], rows: list[list[object]]) -> str:
    """A plain aligned text table.

    Examples
    --------
    >>> print(format_table(["a", "bb"], [[1, 2]]))
    a  bb
    -  --
    1  2
    """
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)
