"""``symmp sweep``: MP across a family of allocations (r weights spread over K lines).

The paper's experiment: an lrnn with r = d*T*b learnable W entries spread as
evenly as possible over K = 1..n rows, for n in {8, 12, 16}::

    symmp sweep --model lrnn --dims '{"n": 8, "b": 2, "d": 2, "T": 2}' --trials 1000 \\
        --out sweep.csv --plot sweep.png

The CSV starts with ``# key: value`` comment lines (model, dims, options,
matrix, axis, r, m, K, seed, solver, trials, starts, ..., symmp_version;
values as JSON), then the header row and one row per K: read it with
``pandas.read_csv("sweep.csv", comment="#")``, or with :mod:`csv` after
dropping the lines that start with ``#``. The JSON (``--out x.json`` and
``--json``) is one object whose ``metadata`` holds the same keys and whose
``rows`` hold the points. Every row, and the console table, carries
``lower_bound``: true where the point's MP is a lower bound (unproved
no-matches of a local or floating-point solver).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

from ..errors import SpecError, shorten
from ..models import MODEL_REGISTRY, make_model
from ..spec import parse_json
from ..numeric.sweep import SWEEP_COLUMNS as _COLUMNS
from ..numeric.sweep import sweep_family, sweep_metadata
from ..plotting import plot_mp_curves, require_matplotlib
from . import UsageError, positive_int
from ._output import format_table, print_json
from .mp import add_run_options, announce_new_store, run_options

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="MP of r learnable weights spread over K = 1..n rows (or columns)",
        description="Estimate MP for a family of allocations: r learnable entries of one "
        "matrix spread as evenly as possible over K rows (or columns), for each K.",
    )
    parser.add_argument("--model", default="lrnn", help=f"one of {', '.join(MODEL_REGISTRY)} (default lrnn)")
    parser.add_argument("--dims", required=True, metavar="JSON",
                        help='model dims as JSON, e.g. \'{"n": 8, "b": 2, "d": 2, "T": 2}\'')
    parser.add_argument("--convention", default=None, help="lrnn convention: paper (default) or standard")
    parser.add_argument("--matrix", default="W", help="the matrix holding the learnable entries (default W)")
    parser.add_argument("--axis", choices=("row", "column"), default="row", help="spread over rows or columns")
    parser.add_argument("--r", type=positive_int, default=None, help="learnable entries (lrnn default d*T*b)")
    parser.add_argument("--m", type=positive_int, default=None, help="samples (lrnn default T*b)")
    parser.add_argument("--K", default=None, metavar="LIST",
                        help="comma-separated K values (default 1..number of lines)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="write the table as .csv (metadata in leading '# key: value' lines: "
                        "pandas.read_csv(FILE, comment='#')) or .json (keys metadata and rows)")
    parser.add_argument("--plot", default=None, metavar="FILE.png", help="plot MP against K (needs the 'plot' extra)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_run_options(parser)
    parser.set_defaults(func=run)


def _family(args):
    dims = parse_json(args.dims, "--dims")
    if not isinstance(dims, dict):
        raise UsageError(f"--dims must be a JSON object such as '{{\"n\": 8, ...}}', got {shorten(args.dims)}")
    options = {"convention": args.convention} if args.convention else {}
    model = make_model(args.model, dims, **options)
    if args.matrix not in model.matrix_shapes:
        raise SpecError(f"--matrix {args.matrix!r} is not a matrix of {args.model}; allowed: "
                        f"{', '.join(model.matrix_shapes)}")
    defaults = model.sweep_defaults()
    r = args.r if args.r is not None else defaults.get("r")
    m = args.m if args.m is not None else defaults.get("m")
    if r is None or m is None:
        raise UsageError(f"--r and --m are required for model {args.model!r}")
    lines = model.matrix_shapes[args.matrix][0 if args.axis == "row" else 1]
    if args.K is None:
        Ks = list(range(1, lines + 1))
    else:
        try:
            Ks = [int(k) for k in args.K.split(",")]
        except ValueError:
            raise UsageError(f"--K must be comma-separated integers, got {args.K!r}") from None
    bad = [k for k in Ks if not 1 <= k <= lines]
    if bad:
        raise UsageError(f"--K values must lie in 1..{lines} ({args.axis}s of {args.matrix}), got {bad}")
    width = model.matrix_shapes[args.matrix][1 if args.axis == "row" else 0]
    return model, r, m, [k for k in Ks if k <= r and -(-r // k) <= width], Ks


#: the console table's columns: the CSV's first nine and the lower-bound flag
_TABLE = _COLUMNS[:10]


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _span(values: list[int]) -> str:
    """'[1, 2, 3]', or '1..1000 (1000 values)' when long."""
    return str(values) if len(values) <= 6 else f"{values[0]}..{values[-1]} ({len(values)} values)"


def _check_writable(option: str, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path!r}: folder {folder!r} does not exist or is not writable")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a directory; give a file name")


def run(args: argparse.Namespace) -> int:
    run = run_options(args)
    model, r, m, Ks, asked = _family(args)
    skipped = sorted(set(asked) - set(Ks))
    if not Ks:  # nothing to sweep: an empty table is not a result
        lines = model.matrix_shapes[args.matrix][0 if args.axis == "row" else 1]
        width = model.matrix_shapes[args.matrix][1 if args.axis == "row" else 0]
        raise UsageError(
            f"nothing to sweep: r = {r} learnable entries fit in no K of {_span(skipped)} (K {args.axis}s "
            f"of {args.matrix} hold at most K*{width} entries and need at least K of them; "
            f"{args.matrix} has {lines} {args.axis}s); choose --r between 1 and {lines * width}"
        )
    if args.plot:  # fail before the long computation when matplotlib is missing
        require_matplotlib()
    if args.out and not args.out.endswith((".csv", ".json")):
        raise UsageError(f"--out must end in .csv or .json, got {args.out!r}")
    for option, path in (("--out", args.out), ("--plot", args.plot)):
        if path:  # fail before the long computation when the file cannot be written
            _check_writable(option, path)
    with announce_new_store(args):
        rows = sweep_family(model, args.matrix, r, m, Ks, axis=args.axis, **run)
    metadata = sweep_metadata(model, args.matrix, r, m, Ks, axis=args.axis, **run)
    document = {"metadata": metadata, "model": repr(model), "matrix": args.matrix, "axis": args.axis,
                "skipped_K": skipped, "rows": rows}
    if args.out:
        with open(args.out, "w", newline="") as handle:
            if args.out.endswith(".json"):
                json.dump(document, handle, indent=1)
            else:
                handle.writelines(f"# {key}: {json.dumps(value)}\n" for key, value in metadata.items())
                writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
    if args.plot:
        budgets = model.equation_budgets(m)
        lines = budgets[args.matrix][0 if args.axis == "row" else 1] if budgets else []
        # where the transition sits: K = r / (one line's budget), when the lines share one budget
        marks = {f"r / {args.axis} budget = {r / lines[0]:g}": r / lines[0]} if lines and len(set(lines)) == 1 else {}
        plot_mp_curves(
            {repr(model): rows}, args.plot,
            title=f"{model!r}, {args.matrix}: r = {r} over K {args.axis}s, m = {m}",
            xlabel=f"K ({args.axis}s holding the learnable weights)", marks=marks,
        )
    if args.json:
        print_json(document)
    else:
        print(f"{model!r}, {args.matrix}: r = {r} over K {args.axis}s, m = {m}; seed {metadata['seed']}, "
              f"solver {metadata['solver']}, {metadata['trials']} trials; symmp {metadata['symmp_version']}")
        print(format_table(_TABLE, [[_cell(row[c]) for c in _TABLE] for row in rows]))
        if any(row["lower_bound"] for row in rows):
            print("lower_bound yes: that MP is a lower bound (no-matches of a local or floating-point "
                  "solver are unproved); symmp mp on the point's spec says more")
        if skipped:
            print(f"skipped K = {skipped}: r = {r} entries do not fill K lines or fit in so few", file=sys.stderr)
    return 0
