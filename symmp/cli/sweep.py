"""``symmp sweep``: MP across a family of allocations (r weights spread over K lines).

The paper's experiment: an lrnn with r = d*T*b learnable W entries spread as
evenly as possible over K = 1..n rows, for n in {8, 12, 16}::

    symmp sweep --model lrnn --dims '{"n": 8, "b": 2, "d": 2, "T": 2}' --trials 1000 \\
        --out sweep.csv --plot sweep.png
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ..allocation import Allocation
from ..errors import SpecError
from ..models import MODEL_REGISTRY, make_model
from ..numeric import estimate_mp
from . import UsageError, positive_int
from ._output import format_table, print_json
from .mp import add_run_options, run_options

__all__ = ["register", "sweep_family"]

_COLUMNS = ["K", "r", "m", "mp", "ci_low", "ci_high", "matches", "trials", "method",
            "lower_bound", "starts", "proved", "seconds", "verdict"]


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
    parser.add_argument("--out", default=None, metavar="FILE", help="write the table as .csv or .json")
    parser.add_argument("--plot", default=None, metavar="FILE.png", help="plot MP against K (needs the 'plot' extra)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_run_options(parser)
    parser.set_defaults(func=run)


def _family(args):
    try:
        dims = json.loads(args.dims)
    except json.JSONDecodeError as err:
        raise UsageError(f"--dims must be a JSON object, got {args.dims!r} ({err.msg})") from None
    if not isinstance(dims, dict):
        raise UsageError(f"--dims must be a JSON object, got {args.dims!r}")
    options = {"convention": args.convention} if args.convention else {}
    model = make_model(args.model, dims, **options)
    if args.matrix not in model.matrix_shapes:
        raise SpecError(f"--matrix {args.matrix!r} is not a matrix of {args.model}; allowed: "
                        f"{', '.join(model.matrix_shapes)}")
    is_lrnn = args.model == "lrnn"
    r = args.r if args.r is not None else (dims["d"] * dims["T"] * dims["b"] if is_lrnn else None)
    m = args.m if args.m is not None else (dims["T"] * dims["b"] if is_lrnn else None)
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


def sweep_family(model, matrix: str, r: int, m: int, Ks, axis: str = "row", **run) -> list[dict]:
    """One table row per K: the MP of r entries spread over K lines."""
    rows = []
    for K in Ks:
        allocation = Allocation.spread(model, matrix, r=r, K=K, m=m, axis=axis)
        result = estimate_mp(allocation, **run)
        rows.append({
            "K": K, "r": r, "m": m, "mp": result.mp, "ci_low": result.ci95[0],
            "ci_high": result.ci95[1], "matches": result.matches, "trials": result.trials,
            "method": result.method, "lower_bound": result.lower_bound, "starts": result.starts,
            "proved": result.proved, "seconds": round(result.seconds, 3), "verdict": result.verdict,
        })
    return rows


def _plot(rows, path, title):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'symmp[plot]'") from None
    Ks = [row["K"] for row in rows]
    mps = [row["mp"] for row in rows]
    low = [row["mp"] - row["ci_low"] for row in rows]
    high = [row["ci_high"] - row["mp"] for row in rows]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(Ks, mps, yerr=[low, high], marker="o", capsize=3)
    ax.set_xlabel("K (lines holding the learnable weights)")
    ax.set_ylabel("MP (95% Wilson interval)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    run = run_options(args)
    model, r, m, Ks, asked = _family(args)
    skipped = sorted(set(asked) - set(Ks))
    if args.plot:  # fail before the long computation when matplotlib is missing
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install 'symmp[plot]'") from None
    if args.out and not args.out.endswith((".csv", ".json")):
        raise UsageError(f"--out must end in .csv or .json, got {args.out!r}")
    rows = sweep_family(model, args.matrix, r, m, Ks, axis=args.axis, **run)
    if args.out:
        with open(args.out, "w", newline="") as handle:
            if args.out.endswith(".json"):
                json.dump(rows, handle, indent=1)
            else:
                writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
    if args.plot:
        _plot(rows, args.plot, f"{model!r}, {args.matrix}: r = {r} over K {args.axis}s, m = {m}")
    if args.json:
        print_json({"model": repr(model), "matrix": args.matrix, "axis": args.axis,
                    "skipped_K": skipped, "rows": rows})
    else:
        print(format_table(_COLUMNS[:9], [[row[c] if not isinstance(row[c], float) else f"{row[c]:.3f}"
                                           for c in _COLUMNS[:9]] for row in rows]))
        if skipped:
            print(f"skipped K = {skipped}: r = {r} entries do not fill K lines or fit in so few", file=sys.stderr)
    return 0
