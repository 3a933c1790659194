"""The ``symmp`` command line: a thin shell over the Python API.

Each subcommand is one module in this package exposing ``register(subparsers)``
(adds its parser and sets ``func``); list it in :data:`COMMAND_MODULES`.
Bad input of any kind ends with one ``error: ...`` line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import warnings
from collections.abc import Sequence

from .. import __version__
from ..errors import SymmpError, SymmpWarning, Terminated, shorten

__all__ = ["main", "build_parser", "COMMAND_MODULES", "UsageError", "add_yes_option", "apply_yes"]

#: subcommand modules, in the order ``symmp --help`` lists them
COMMAND_MODULES = ["classify", "theorems", "mp", "sweep", "latex"]

EXIT_USAGE = 2
#: the longest error line printed; longer messages are cut in the middle
MAX_ERROR_CHARS = 400


class UsageError(SymmpError):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors reported as one ``error:`` line, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _bounded_int(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {shorten(text)}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {what} (>= {minimum}), got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    return _bounded_int(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    return _bounded_int(text, 0, "a non-negative integer")


def add_yes_option(parser: argparse.ArgumentParser) -> None:
    """``--yes``: run even when the time estimate is above the limit."""
    parser.add_argument("--yes", action="store_true",
                        help="run even when the time estimate exceeds the limit "
                        "(SYMMP_TIME_LIMIT_SECONDS, default 60 s)")


def apply_yes(args: argparse.Namespace) -> None:
    """Lift the time limit for this process when ``--yes`` was given."""
    if getattr(args, "yes", False):
        import os

        os.environ["SYMMP_TIME_LIMIT_SECONDS"] = "inf"


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered subcommand."""
    parser = _Parser(
        prog="symmp",
        description="Expressive power of subset learning: classify allocations, "
        "list their equation systems, estimate match probabilities.",
    )
    parser.add_argument("--version", action="version", version=f"symmp {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    previous = _on_sigterm()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            args = build_parser().parse_args(argv)
            apply_yes(args)
            return int(args.func(args) or 0)
    except SymmpError as err:
        return _fail(str(err))
    except Terminated:
        print("error: terminated (SIGTERM); every finished trial is kept in the ledger", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a closed reader (e.g. head)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        return _fail("out of memory: the sizes or counts asked for do not fit in this machine's memory; "
                     "reduce them (dims, m, --trials, --starts, --batch)")
    except RecursionError:
        return _fail("the input is nested too deeply to process")
    except OSError as err:  # e.g. writing output to a full disk
        where = f" {shorten(err.filename, 200)}" if err.filename else ""
        return _fail(f"cannot read or write{where}: {err.strerror or err}")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """symmp's own warnings as one ``warning: ...`` line on stderr; others as Python prints them."""
    if issubclass(category, SymmpWarning):
        print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def _on_sigterm():
    """Answer SIGTERM like SIGINT (raise :class:`Terminated`); returns the handler it replaced."""
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _fail(message: str) -> int:
    """Print one ``error:`` line of at most :data:`MAX_ERROR_CHARS` characters; exit status 2."""
    message = " ".join(message.split())
    if len(message) > MAX_ERROR_CHARS:
        half = (MAX_ERROR_CHARS - 5) // 2
        message = f"{message[:half]} ... {message[-half:]}"
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
