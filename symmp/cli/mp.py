"""``symmp mp SPEC.json``: the match probability of one allocation.

Examples
--------
>>> from symmp.cli import main
>>> main(["mp", "examples/specs/linear_3_1.json", "--trials", "5", "--no-store"])
MP = 0 (Fact 1 (dimension): rho_A < rho_full)
0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from ..errors import SymmpError, shorten
from ..numeric import SOLVER_INFO, estimate_mp
from ..numeric.solvers import solver_help
from ..numeric.runs.ledger import DEFAULT_STORE
from ..spec import load_spec, parse_json
from . import UsageError, add_yes_option, non_negative_int, positive_int
from ._output import print_json

__all__ = ["register", "add_run_options", "run_options", "announce_new_store"]


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``mp`` and ``sweep``."""
    parser.add_argument("--trials", type=positive_int, default=1000, help="random trials (default 1000)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of every draw (default 0)")
    parser.add_argument(
        "--solver", default="auto", metavar="NAME",
        help=solver_help(),  # from the registry: auto's order, then the others
    )
    parser.add_argument(
        "--starts", type=positive_int, default=None,
        help="random starts per trial (default: the solver's; 10, or 1 for adahessian/adam/gd)",
    )
    parser.add_argument(
        "--tol", type=positive_float, default=None,
        help="match threshold on the relative residual (default: the solver's; 1e-9, "
        "or 1e-5 for adahessian/adam/gd)",
    )
    parser.add_argument(
        "--max-iter", type=positive_int, default=None,
        help="iterations (optimiser steps) per start (default: the solver's; 100, or 3000 "
        "for adahessian/adam/gd)",
    )
    parser.add_argument(
        "--solver-options", default=None, metavar="JSON",
        help="solver-specific options as a JSON object, e.g. '{\"prove\": true}' for staged or "
        "'{\"max_combinations\": 100000}' for exact-relu (unknown keys are refused)",
    )
    parser.add_argument("--workers", type=positive_int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--batch", type=positive_int, default=None,
        help="trials per task, part of a run's identity (default: the solver's; 1000 for the "
        "vectorised solvers, fewer for large models, 25 otherwise); smaller tasks let "
        "--target-halfwidth stop sooner and --workers share a small run",
    )
    parser.add_argument(
        "--executor", default="local", metavar="local|dask[:ADDRESS]",
        help="where trials run (default local processes; dask needs the 'distributed' extra)",
    )
    parser.add_argument(
        "--store", default=DEFAULT_STORE, metavar="PATH",
        help=f"SQLite ledger of finished trials, resumed on rerun (default {DEFAULT_STORE} in the "
        "working directory, announced on stderr when a run creates it)",
    )
    parser.add_argument("--no-store", action="store_true",
                        help="keep no ledger (no file is written; a rerun computes every trial again)")
    parser.add_argument("--target-halfwidth", type=positive_float, default=None,
                        help="stop once the 95%% interval's half-width is at most this")
    parser.add_argument("--no-certificate", action="store_true",
                        help="ignore the analyzer's maximal/minimal verdict")
    parser.add_argument("--cross-check", action="store_true",
                        help="run the trials even when a certificate decides MP")
    parser.add_argument("--distribution", default="gaussian",
                        help="weight distribution: gaussian (default), uniform, rademacher")
    parser.add_argument("--sigma", type=positive_float, default=1.0, help="weight scale (default 1)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (shown by default on a terminal: trials, rate, ETA)")
    add_yes_option(parser)


def run_options(args: argparse.Namespace) -> dict:
    """Keyword arguments of :func:`estimate_mp` from parsed options."""
    if args.solver not in SOLVER_INFO:
        raise UsageError(
            f"unknown solver {args.solver!r}; available: {', '.join(sorted(SOLVER_INFO))}"
        )
    return dict(
        trials=args.trials, seed=args.seed, solver=args.solver, starts=args.starts, tol=args.tol,
        max_iter=args.max_iter, workers=args.workers, batch=args.batch, executor=args.executor,
        store=None if args.no_store else args.store, target_halfwidth=args.target_halfwidth,
        use_certificate=not args.no_certificate, cross_check=args.cross_check,
        distribution=args.distribution, sigma=args.sigma, progress=False if args.quiet else None,
        solver_options=_solver_options(args.solver_options),
    )


@contextlib.contextmanager
def announce_new_store(args: argparse.Namespace):
    """Around a run: when it created the default ledger file, say so in one
    line on stderr (where, why, and ``--no-store``), also after Ctrl-C."""
    path = None if args.no_store else args.store
    new = path == DEFAULT_STORE and not os.path.exists(path)
    try:
        yield
    finally:
        if new and os.path.exists(path):
            print(f"note: finished trials are stored in {os.path.abspath(path)} (created by this run; "
                  "a rerun resumes from it); --no-store keeps none, --store PATH chooses the file",
                  file=sys.stderr)


def _solver_options(text: str | None) -> dict | None:
    """``--solver-options``: a JSON object, or None."""
    if text is None:
        return None
    options = parse_json(text, "--solver-options")
    if not isinstance(options, dict):
        raise UsageError(f"--solver-options must be a JSON object such as '{{\"prove\": true}}', got {shorten(text)}")
    return options


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mp",
        help="estimate (or prove) the match probability of an allocation",
        description="Match probability of an allocation: exactly 1 or 0 when the analyzer "
        "proves it, else the fraction of random trials the student matches, with a Wilson "
        "95% interval. Local solvers give a lower bound.",
    )
    parser.add_argument("spec", metavar="SPEC.json", help="allocation spec (JSON)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--trials-json", action="store_true", help="with --json, list every trial")
    add_run_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    allocation = load_spec(args.spec)
    options = run_options(args)
    with announce_new_store(args):
        result = estimate_mp(allocation, **options)
    if result.trials and result.failed == result.trials:
        reason = next(iter(result.failures))
        raise SymmpError(f"all {result.trials} trials failed, no MP to report: {reason}")
    if args.json:
        print_json(result.to_dict(include_trials=args.trials_json))
    else:
        print(result)
        if result.method != "certificate":
            print(f"{result.note}; {result.seconds:.2f} s"
                  + (f", {result.reused} trials reused from {result.store}" if result.reused else ""))
            for reason, count in result.failures.items():
                print(f"{count} of {result.trials} trials failed (counted as unproved no-matches): "
                      f"{reason}")
            summary = result.trial_summary
            for key, label in (("steps", "steps used"), ("relative_loss", "final relative loss")):
                if "median" in summary.get(key, {}):  # absent when no value was finite
                    q = summary[key]
                    print(f"{label}: min {q['min']:.4g}, median {q['median']:.4g}, "
                          f"max {q['max']:.4g} over {q['count']} trials")
    return 0
