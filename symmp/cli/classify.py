"""``symmp classify SPEC.json [--json]``: the verdict on one allocation."""

from __future__ import annotations

import argparse

from ..analysis import Classification, classify
from ..spec import load_spec
from . import positive_int
from ._output import print_json

__all__ = ["register", "render_classification"]


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
            ("not quantified" if result.verdict in ("maximal", "minimal", "intermediate")
             else "none: no certificate applies")
            if result.error_bound is None
            else f"{result.error_bound:.3g}"
            + (" (certified)" if result.error_bound == 0 else " (Schwartz-Zippel)")
        ),
    ]
    for key, value in result.extra.items():
        if key != "evidence":
            lines.append(f"{key + ':':<13} {value}")
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in result.reasons]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    result = classify(allocation, points=args.points)
    if args.json:
        print_json(result.to_dict(full=args.full))
    else:
        print(render_classification(result))
    return 0
