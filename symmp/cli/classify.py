"""``symmp classify SPEC.json [--json]``: the verdict on one allocation."""

from __future__ import annotations

import argparse

from ..analysis import Classification, classify
from ..analysis.cost import check_time, classify_seconds
from ..spec import load_spec
from . import add_yes_option, positive_int
from ._output import print_json

__all__ = ["register", "render_classification"]


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
    add_yes_option(parser)
    parser.set_defaults(func=run)


def render_classification(result: Classification) -> str:
    """Readable multi-line verdict."""
    lines = [
        f"class:        {result.verdict}",
        f"certificate:  {result.certificate}",
        f"rank:         rho_A = {result.rank} of rho_full = {result.target_rank} "
        f"(r = {result.learnable} learnable, flow bound {result.flow.bound})",
        f"affine:       {'yes' if result.affine else 'no'}",
        "error bound:  "
        + (
            "none: no certificate applies"
            if result.error_bound is None
            else f"{result.error_bound:.3g}"
            + (" (certified)" if result.error_bound == 0 else " (Schwartz-Zippel)")
        ),
    ]
    for key, value in result.extra.items():
        lines.append(f"{key + ':':<13} {value}")
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in result.reasons]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    check_time(classify_seconds(allocation, args.points), "classify",
               "use fewer --points or smaller sizes (T, widths, layers)")
    result = classify(allocation, points=args.points)
    if args.json:
        print_json(result.to_dict())
    else:
        print(render_classification(result))
    return 0
