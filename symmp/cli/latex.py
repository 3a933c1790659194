"""``symmp latex SPEC.json [--lifted] [--values SEED] [--standalone] [-o FILE]``.

Writes the LaTeX listing of an allocation's polynomial system; lifted
listings are grouped by the blocks of a sequential structure when one
exists.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analysis.cost import check_time, listing_seconds
from ..analysis.sequential import analyze_sequential
from ..spec import load_spec
from ..systems import build_system, default_form
from . import UsageError, add_yes_option, non_negative_int, positive_int

__all__ = ["register", "UNLIFTED_TERM_LIMIT"]

#: refuse unlifted listings whose expansion would exceed this many monomials (estimate)
UNLIFTED_TERM_LIMIT = 20_000


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "latex",
        help="write the equation system of an allocation as LaTeX",
        description="List the polynomial system whose real solutions are the student's matches, "
        "as an align* block (or a standalone document with --standalone). Equations are "
        "labelled linear or quadratic; lifted systems (--lifted) introduce the auxiliary "
        "matrices F of THEORY.md section 5 and are grouped by sequential blocks when they exist.",
    )
    parser.add_argument("spec", metavar="SPEC.json", help="allocation spec (JSON)")
    parser.add_argument("--lifted", action="store_true", help="auxiliary variables F: degree <= 2, scales")
    parser.add_argument(
        "--values",
        type=non_negative_int,
        metavar="SEED",
        help="substitute numbers drawn from SEED for fixed weights, inputs and targets",
    )
    parser.add_argument("--standalone", action="store_true", help="a complete document that pdflatex compiles")
    parser.add_argument("--terms-per-line", type=positive_int, default=5, help="terms per printed line (default 5)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_yes_option(parser)
    parser.set_defaults(func=run)


def _unlifted_estimate(allocation) -> int:
    """Number of monomials of the expanded unlifted system (the model's upper
    bound, :meth:`~symmp.models.Model.unlifted_monomials`): reduced
    right-hand sides expand one polynomial per entry of ``D W^j B`` (or of
    ``W_L ... W_1``); below the stacked input dimension the outputs
    themselves, m times as many."""
    return allocation.model.unlifted_monomials(allocation.m, default_form(allocation))


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    if not allocation.model.polynomial:
        raise UsageError(f"model {allocation.model.kind!r} is not polynomial: no equation system to list")
    structure = None
    if args.lifted:
        check_time(listing_seconds(allocation), "the lifted listing", "list a smaller model")
        structure = analyze_sequential(allocation).structure
        lifting = structure.lifting if structure is not None else "right"
        system = build_system(allocation, lifted=True, values=args.values, lifting=lifting)
    else:
        estimate = _unlifted_estimate(allocation)
        if estimate > UNLIFTED_TERM_LIMIT:
            raise UsageError(
                f"the unlifted system would have about {estimate:,} monomials (limit "
                f"{UNLIFTED_TERM_LIMIT:,}); use --lifted, which never expands W^T"
            )
        system = build_system(allocation, lifted=False, values=args.values)
    text = system.to_latex(structure=structure, standalone=args.standalone, terms_per_line=args.terms_per_line)
    if args.output:
        path = Path(args.output)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write {str(path)!r}: {err.strerror or err}") from None
        print(f"wrote {path} ({len(system.equations)} equations)")
    else:
        print(text, end="")
    return 0
