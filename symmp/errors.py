"""Exceptions symmp raises for bad input (one clear line each)."""

from __future__ import annotations

__all__ = ["SymmpError", "SpecError"]


class SymmpError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class SpecError(SymmpError, ValueError):
    """A malformed specification, model size or allocation."""
