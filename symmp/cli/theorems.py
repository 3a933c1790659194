"""``symmp theorems [--only KEY] [--trials N] [--seed S] [--json]``: verify the paper's theorems.

Exit status 0 when every theorem checked holds, 1 when one fails.
"""

from __future__ import annotations

import argparse

from ..errors import SymmpError
from ..theorems import THEOREMS, verify
from . import non_negative_int, positive_int
from ._output import format_table, print_json

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "theorems",
        help="verify the paper's theorems on a grid of sizes",
        description="Check each theorem of THEORY.md on a grid of sizes: hypotheses, symmp's "
        "exact analysis, and (for MP = 1 theorems) the constructive proof carried out in exact "
        "rational arithmetic on random draws.",
    )
    parser.add_argument("--only", metavar="KEY", action="append", help="check only this theorem (repeatable)")
    parser.add_argument("--trials", type=positive_int, default=10, help="random draws per size (default 10)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the draws (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    keys = args.only or list(THEOREMS)
    unknown = [key for key in keys if key not in THEOREMS]
    if unknown:
        raise SymmpError(
            f"unknown theorem {unknown[0]!r}; allowed: {', '.join(THEOREMS)}"
        )
    results = [verify(THEOREMS[key], trials=args.trials, seed=args.seed) for key in keys]
    if args.json:
        print_json({"holds": all(r.holds for r in results), "theorems": [r.to_dict() for r in results]})
    else:
        rows = [
            [
                r.key,
                "holds" if r.holds else "FAILS",
                f"{sum(c.holds for c in r.instances)}/{len(r.instances)}",
                r.reference,
                f"{r.seconds:.2f}",
            ]
            for r in results
        ]
        print(format_table(["theorem", "verdict", "instances", "source", "seconds"], rows))
        for r in results:
            for c in r.instances:
                if not c.holds:
                    print(f"FAILED {r.key}: {c.label}: {c.details}")
    return 0 if all(r.holds for r in results) else 1
