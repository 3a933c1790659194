"""``symmp classify SPEC.json [--json]``: the verdict on one allocation."""

from __future__ import annotations

import argparse

from ..analysis import classify
from ..analysis.cost import check_time, classify_seconds
from ..spec import load_spec
from . import add_yes_option, positive_int
from ._output import print_json

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify an allocation: maximal, minimal, intermediate or undecided",
        description="Decide what can be proved about an allocation's MP, with the certificate and "
        "the reasons: maximal (MP = 1 proved), minimal (MP = 0 proved), intermediate (0 < MP < 1 "
        "proved by two witnesses: a draw with a certified real solution and a draw with a certified "
        "no-real-solution, each persisting nearby) or undecided (MP > 0 from equal ranks only; "
        "estimate MP with 'symmp mp', an estimate, not a verdict).",
    )
    parser.add_argument("spec", metavar="SPEC.json", help="allocation spec (JSON)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--full",
        action="store_true",
        help="with --json: keep the per-row and per-column lists of a large mask (budgets, wasted "
        "lines) instead of their summaries",
    )
    parser.add_argument(
        "--points", type=positive_int, default=3, help="random points for the exact ranks (default 3)"
    )
    add_yes_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    check_time(classify_seconds(allocation, args.points), "classify",
               "use fewer --points or smaller sizes (T, widths, layers)")
    result = classify(allocation, points=args.points)
    if args.json:
        print_json(result.to_dict(full=args.full))
    else:
        print(result)
    return 0
