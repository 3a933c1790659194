"""What every experiment script in examples/ shares: options, CSV rows, figures.

Each script writes ``<out-dir>/<name>.csv`` (one row per point: model, sizes,
seed, solver asked for and used, trials, MP, Wilson interval, whether the
point is a lower bound and whether it is proved) and ``<out-dir>/<name>.png``.
Run a script from the repository root or from anywhere: it imports this file
from its own folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

from symmp import Allocation
from symmp.errors import SymmpError
from symmp.numeric import MPResult

__all__ = ["parser", "result_row", "write_csv", "save_figure", "Clock", "run_main"]

HERE = os.path.dirname(os.path.abspath(__file__))
#: leading CSV columns, in this order; the rest follow in first-seen order
LEADING = ["experiment", "model", "sizes", "m", "r", "allocation", "seed", "solver", "method",
           "trials", "matches", "mp", "ci_low", "ci_high", "lower_bound", "proved_point",
           "proved_trials", "starts", "verdict", "certificate"]


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text[:40]!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (argparse prints a one-line error and exits 2)."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    return _int_at_least(text, 0)


def parser(doc: str, *, trials: int) -> argparse.ArgumentParser:
    """The options every experiment takes (``--trials`` defaults to ``trials``)."""
    out = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  epilog=doc.split("\n\n", 1)[1] if "\n\n" in doc else None)
    out.add_argument("--trials", type=positive_int, default=trials, help=f"trials per point (default {trials}; "
                     "the paper's protocol is 1000)")
    out.add_argument("--seed", type=non_negative_int, default=0, help="seed of every draw (default 0)")
    out.add_argument("--out-dir", default=os.path.join(HERE, "output"),
                     help="folder for the CSV and PNG (default examples/output)")
    out.add_argument("--store", default=None,
                     help="SQLite ledger of finished trials, so a long run resumes (default: none)")
    return out


def result_row(experiment: str, allocation: Allocation, result: MPResult, **fields) -> dict:
    """One CSV row for ``result`` (an :class:`~symmp.numeric.MPResult`) of ``allocation``."""
    model = allocation.model
    sizes = {**model.dims(), **model.spec_extra()}
    return {
        "experiment": experiment,
        "model": model.kind,
        "sizes": json.dumps(sizes, sort_keys=True),
        "m": allocation.m,
        "r": allocation.r,
        "allocation": json.dumps(allocation.to_spec()["learnable"], sort_keys=True),
        "seed": result.seed,
        "solver": result.solver,
        "method": result.method,
        "trials": result.trials,
        "matches": result.matches,
        "mp": result.mp,
        "ci_low": result.ci95[0],
        "ci_high": result.ci95[1],
        "lower_bound": result.lower_bound,
        "proved_point": result.method == "certificate",
        "proved_trials": result.proved,
        "starts": result.starts,
        "verdict": result.verdict,
        "certificate": result.certificate,
        "seconds": round(result.seconds, 3),
        **fields,
    }


def write_csv(rows: list[dict], path: str) -> None:
    """All rows to ``path``; columns :data:`LEADING` first, the others after."""
    keys = [k for k in LEADING if any(k in row for row in rows)]
    for row in rows:
        keys += [k for k in row if k not in keys]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)


def save_figure(figure, path: str) -> None:
    """Lay out and save a figure returned by :mod:`symmp.plotting`."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=130)


class Clock:
    """Wall-clock seconds since creation."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def run_main(main) -> None:
    """Run ``main()``; a :class:`SymmpError` becomes one ``error:`` line and exit status 2."""
    try:
        main()
    except SymmpError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
