"""Time estimates before work: refuse up front what would run for far too long.

A coarse cost model (an order-of-magnitude guard, not a prediction), with its
constants measured on a 2-core machine (issue 18, December 2026):

- exact ranks (``classify``): per random point, the model's sequential work
  (:func:`_sequential_seconds`: lrnn ~4 ms per time step, scaled by the number
  of weights; lffn ~0.35 ms per pair of layers) plus ~1 us per entry of one
  Jacobian evaluation (:meth:`~symmp.models.Model.working_entries`); models
  without closed-form budgets (ReLU) measure one rank per row and column of
  every matrix, ~1 us per Jacobian entry each;
- lifted LaTeX listings: ~0.17 ms per (weight x sample x time step).

:func:`check_time` refuses an estimate above :func:`time_limit` seconds
(:data:`TIME_LIMIT_SECONDS`, ``SYMMP_TIME_LIMIT_SECONDS`` overrides; the CLI's
``--yes`` lifts it) with one line saying what to change.

Examples
--------
>>> from symmp import LRNN, Allocation
>>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 100000), [("W", 0, 0)], m=2)
>>> classify_seconds(allocation, points=3) > 60
True
"""

from __future__ import annotations

import math
import os

from ..allocation import Allocation
from ..errors import SymmpError

__all__ = ["TIME_LIMIT_SECONDS", "time_limit", "check_time", "classify_seconds",
           "listing_seconds", "readable_seconds"]

#: the longest run started without ``--yes`` (``SYMMP_TIME_LIMIT_SECONDS`` overrides)
TIME_LIMIT_SECONDS = 60.0
_SECONDS_PER_ENTRY = 1e-6
_LRNN_SECONDS_PER_STEP = 4e-3
_LFFN_SECONDS_PER_LAYER_PAIR = 3.5e-4
_LISTING_SECONDS_PER_TERM = 1.7e-4


def time_limit() -> float:
    """The limit in force, in seconds (``inf`` when lifted)."""
    text = os.environ.get("SYMMP_TIME_LIMIT_SECONDS")
    if text is None:
        return TIME_LIMIT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise SymmpError(f"SYMMP_TIME_LIMIT_SECONDS must be a positive number, got {text[:40]!r}")
    return value


def readable_seconds(seconds: float) -> str:
    """'45 s', '12 min', '3.5 h', '2.1e+06 h'.

    >>> readable_seconds(7200)
    '2.0 h'
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 1e4 else f"{hours:.1e} h"


def check_time(seconds: float, what: str, how: str) -> None:
    """Refuse ``what`` when its estimated ``seconds`` exceed :func:`time_limit`.

    ``how`` says what to make smaller (sizes, points, trials...).
    """
    limit = time_limit()
    if seconds > limit:
        raise SymmpError(
            f"{what} would take about {readable_seconds(seconds)} (estimate; limit "
            f"{readable_seconds(limit)}): {how}, or pass --yes (or set "
            "SYMMP_TIME_LIMIT_SECONDS) to run it anyway"
        )


def _sequential_seconds(model) -> float:
    name = type(model).__name__
    if name == "LRNN":
        return _LRNN_SECONDS_PER_STEP * model.T * (1 + model.n_weights / 60)
    if name == "LFFN":
        return _LFFN_SECONDS_PER_LAYER_PAIR * model.depth**2
    return 0.0


def classify_seconds(allocation: Allocation, points: int) -> float:
    """Estimated seconds of :func:`symmp.analysis.classify` at ``points`` random points."""
    model, m = allocation.model, allocation.m
    entries = float(model.working_entries(m))
    per_point = _sequential_seconds(model) + _SECONDS_PER_ENTRY * entries
    seconds = points / 3 * per_point
    if model.equation_budgets(m) is None:  # one measured rank per row and column
        lines = sum(rows + cols for rows, cols in model.matrix_shapes.values())
        seconds += lines * _SECONDS_PER_ENTRY * entries
    return seconds


def listing_seconds(allocation: Allocation) -> float:
    """Estimated seconds of the lifted LaTeX listing of ``allocation``."""
    model = allocation.model
    steps = getattr(model, "T", None) or getattr(model, "depth", 1)
    terms = float(model.n_weights) * allocation.m * steps
    return _LISTING_SECONDS_PER_TERM * terms * max(1.0, math.log10(max(terms, 1.0)) / 4)
