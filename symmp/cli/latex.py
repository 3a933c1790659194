"""``symmp latex SPEC.json [--unlifted] [--values SEED [--digits N]] [--standalone] [-o FILE]``.

Writes the LaTeX listing of an allocation's polynomial system with a legend
of its symbols. Lifted (auxiliary matrices F, degree <= 2) by default, as
:func:`symmp.systems.build_system` is; ``--unlifted`` expands the outputs
as polynomials in the learnables (small models). Lifted listings are
grouped by the blocks of a sequential structure when one exists. ReLU
networks with only D learnable are listed as ``D Phi = Y`` (linear in D).
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from ..analysis.cost import check_time, listing_seconds
from ..analysis.sequential import analyze_sequential
from ..spec import load_spec
from ..systems import build_system, default_form
from ..systems.latex import DEFAULT_DIGITS
from ..systems.readout import is_readout_allocation
from . import UsageError, add_yes_option, non_negative_int, positive_int

__all__ = ["register", "UNLIFTED_TERM_LIMIT", "EXAMPLE"]

#: refuse unlifted listings whose expansion would exceed this many monomials (estimate)
UNLIFTED_TERM_LIMIT = 20_000

#: most significant digits --digits allows (a double's 17)
MAX_DIGITS = 17

#: the complete example ``symmp latex --help`` ends with
EXAMPLE = r"""example (a T = 3 lrnn whose learnable weights fill row 0 of W: Theorem W-rows, MP = 1):

  echo '{"model": "lrnn", "dims": {"n": 4, "b": 1, "d": 1, "T": 3}, "m": 3,
         "learnable": {"W": [[0, 0], [0, 1], [0, 2]]}}' > wrows.json
  symmp latex wrows.json -o wrows.tex

  then, in the paper (the listing needs amsmath only):

  \documentclass{article}
  \usepackage{amsmath}
  \allowdisplaybreaks
  \begin{document}
  \input{wrows.tex}
  \end{document}

  --values 3 --digits 3 puts in the numbers of trial 0 of 'symmp mp --seed 3';
  --standalone writes a whole document instead (pdflatex wrows.tex)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "latex",
        help="write the equation system of an allocation as LaTeX",
        description=textwrap.fill(
        "List the polynomial system whose real solutions are the student's matches, "
        "as an align* block after a header and a legend of the symbols (a bar marks a fixed "
        "weight; targets are the teacher's values), or a standalone document with --standalone. "
        "Equations are labelled linear or quadratic. The system is lifted by default: auxiliary "
        "matrices F of docs/THEORY.md section 5 keep every equation of degree <= 2, and the "
        "equations are grouped by sequential blocks when they exist, each block's header naming "
        "the unknowns it determines; --unlifted expands the outputs instead. A ReLU network with "
        "only D learnable is listed as D Phi = Y, linear in D.", 79),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", metavar="SPEC.json", help="allocation spec (JSON)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--unlifted", action="store_true",
                      help="the outputs as expanded polynomials in the learnables (small models only)")
    form.add_argument("--lifted", action="store_true",
                      help="auxiliary variables F, degree <= 2 (the default; kept for old scripts)")
    parser.add_argument(
        "--values",
        type=non_negative_int,
        metavar="SEED",
        help="substitute the numbers of trial 0 of 'symmp mp --seed SEED' for fixed weights, "
        "inputs and targets",
    )
    parser.add_argument("--digits", type=positive_int, default=None, metavar="N",
                        help=f"significant digits of the numbers --values puts in (default {DEFAULT_DIGITS})")
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


def _system(allocation, args: argparse.Namespace):
    """The system to list, and its sequential structure (lifted listings) or None."""
    if is_readout_allocation(allocation):  # D Phi = Y: linear, nothing to lift
        return build_system(allocation, values=args.values), None
    if not allocation.model.polynomial:
        raise UsageError(
            f"model {allocation.model.kind!r} is not polynomial in {', '.join(allocation.matrices)}: "
            "no equation system to list (an allocation with learnables in D alone is listed as "
            "D Phi = Y)"
        )
    if args.unlifted:
        estimate = _unlifted_estimate(allocation)
        if estimate > UNLIFTED_TERM_LIMIT:
            raise UsageError(
                f"the unlifted system would have about {estimate:,} monomials (limit "
                f"{UNLIFTED_TERM_LIMIT:,}); drop --unlifted: the lifted listing never expands W^T"
            )
        return build_system(allocation, lifted=False, values=args.values), None
    check_time(listing_seconds(allocation), "the lifted listing", "list a smaller model")
    structure = analyze_sequential(allocation).structure
    lifting = structure.lifting if structure is not None else "right"
    return build_system(allocation, lifted=True, values=args.values, lifting=lifting), structure


def run(args: argparse.Namespace) -> int:
    if args.digits is not None and args.values is None:
        raise UsageError("--digits sets the digits of the numbers --values substitutes; give --values SEED too")
    if args.digits is not None and args.digits > MAX_DIGITS:
        raise UsageError(f"--digits must be at most {MAX_DIGITS} (a double holds 17 significant digits), got {args.digits}")
    allocation = load_spec(args.spec)
    system, structure = _system(allocation, args)
    text = system.to_latex(structure=structure, standalone=args.standalone, terms_per_line=args.terms_per_line,
                           digits=DEFAULT_DIGITS if args.digits is None else args.digits)
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
