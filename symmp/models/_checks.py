"""Validation of model sizes (the boundary for constructor arguments)."""

from __future__ import annotations

import numbers

from ..errors import SpecError

__all__ = ["check_positive_int"]


def check_positive_int(value, field: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise.

    Examples
    --------
    >>> check_positive_int(3, "dims.n")
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecError(
            f"{field} must be a positive integer, got {value!r} ({type(value).__name__})"
        )
    if value < 1:
        raise SpecError(f"{field} must be a positive integer (>= 1), got {value}")
    return int(value)
