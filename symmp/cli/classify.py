"""``symmp classify SPEC.json [--json]``: the verdict on one allocation."""

from __future__ import annotations

import argparse

from ..analysis import classify
from ..spec import load_spec
from . import positive_int
from ._output import print_json

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify an allocation as maximal, minimal or intermediate",
        description="Decide exactly whether an allocation is maximal (MP = 1), minimal "
        "(MP = 0) or intermediate, with the certificate and the reasons.",
    )
    parser.add_argument("spec", metavar="SPEC.json", help="allocation spec (JSON)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--points", type=positive_int, default=3, help="random points for the exact ranks (default 3)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    result = classify(allocation, points=args.points)
    if args.json:
        print_json(result.to_dict())
    else:
        print(result)
    return 0
