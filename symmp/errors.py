"""Exceptions symmp raises for bad input (one clear line each)."""

from __future__ import annotations

__all__ = ["SymmpError", "SpecError", "ParameterError", "SymmpWarning", "Terminated", "shorten"]


class SymmpError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class SpecError(SymmpError, ValueError):
    """A malformed specification, model size or allocation."""


class ParameterError(SymmpError, ValueError):
    """A function argument outside its allowed range (``trials=0``, ``tol=2``, ...)."""


class SymmpWarning(UserWarning):
    """Something the user should know that did not stop the work (the CLI prints
    it as one ``warning: ...`` line on stderr), e.g. corrupt ledger rows skipped."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where SIGINT would be, so a terminated run stops as cleanly as Ctrl-C."""


def shorten(text: object, limit: int = 60) -> str:
    """``repr``-like text of a user-given value, cut in the middle beyond ``limit`` characters.

    Error messages echo names the user gave; a name of a megabyte must not
    make a megabyte error line.

    Examples
    --------
    >>> shorten("W")
    "'W'"
    >>> shorten("x" * 1000, limit=20)
    "'xxxxxx...xxxxxx' (1000 characters)"
    """
    shown = repr(text)
    if len(shown) <= limit:
        return shown
    length = len(text) if isinstance(text, str) else len(shown)
    half = max(1, (limit - 5) // 2)
    return f"{shown[:half]}...{shown[-half:]} ({length} characters)"
