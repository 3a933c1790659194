"""Validation of model sizes (the boundary for constructor arguments)."""

from __future__ import annotations

import numbers

from ..errors import SpecError, shorten

__all__ = ["check_positive_int", "MAX_SIZE"]

#: the largest size or count accepted anywhere (numpy indexes with 64-bit
#: integers; far smaller sizes are refused later by the memory estimate)
MAX_SIZE = 2**62


def check_positive_int(value, field: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise.

    Examples
    --------
    >>> check_positive_int(3, "dims.n")
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecError(
            f"{field} must be a positive integer, got {shorten(value)} ({type(value).__name__})"
        )
    if value < 1:
        raise SpecError(f"{field} must be a positive integer (>= 1), got {shorten(value)}")
    if value > MAX_SIZE:
        raise SpecError(f"{field} = {shorten(value)} is beyond any size that can be computed (at most 2**62)")
    return int(value)
