"""lrnn n = 2, T = 2, b = d = 1, m = 2: MP of all six two-entry allocations of W.

The paper's smallest nonlinear case. Two learnable entries of the 2 x 2
recurrent matrix W, six ways: a row or a column (Theorem W-rows / W-columns
with T*b = 2 entries in d = 1 row, or T*d = 2 entries in b = 1 column:
MP = 1, proved by the analyzer's sequential-linearity certificate), the
diagonal or the anti-diagonal (equal ranks, so MP > 0, but no certificate of
MP = 1). For the last two, ``--solver certified`` (default) decides every
trial with a proof (exact elimination and real-root isolation), so the
interval is an honest 95% interval of MP itself, not of a lower bound;
its verdict says whether it lies strictly inside (0, 1). The rows and
columns are also run through the trials (``cross_check``, solver ``auto``:
block-triangular solves, each match proved) as a check of the proofs.

    python examples/lrnn_two_entry.py                   # 1000 trials per allocation, seconds
    python examples/lrnn_two_entry.py --solver newton   # the local solver, a lower bound
"""

from __future__ import annotations

import os

from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv

from symmp import LRNN, Allocation, classify
from symmp.numeric import estimate_mp
from symmp.plotting import plot_mp_points

NAME = "lrnn_two_entry"
ALLOCATIONS = {
    "row 1": [(0, 0), (0, 1)],
    "row 2": [(1, 0), (1, 1)],
    "column 1": [(0, 0), (1, 0)],
    "column 2": [(0, 1), (1, 1)],
    "diagonal": [(0, 0), (1, 1)],
    "anti-diagonal": [(0, 1), (1, 0)],
}


def interval_verdict(row: dict) -> str:
    """What the point says about MP: proved, or where its interval lies."""
    if row["proved_point"]:
        return f"MP = {row['mp']:g} proved ({row['certificate']})"
    low, high = row["ci_low"], row["ci_high"]
    bound = " (lower bound: unproved misses)" if row["lower_bound"] else ""
    if low > 0 and high < 1:
        return f"strictly between 0 and 1 at 95%{bound}"
    if high >= 1 and not row["lower_bound"]:
        return "consistent with MP = 1"
    return f"interval touches 0 or 1{bound}"


def main() -> None:
    cli = parser(__doc__, trials=1000)
    cli.add_argument("--solver", default="certified", help="solver of the trials (default certified)")
    cli.add_argument("--convention", default="paper", choices=("paper", "standard"))
    args = cli.parse_args()
    clock = Clock()
    model, m = LRNN(n=2, b=1, d=1, T=2, convention=args.convention), 2
    rows = []
    print(f"{model!r}, m = {m}: every two-entry allocation of W")
    for label, cells in ALLOCATIONS.items():
        allocation = Allocation.from_entries(model, [("W", i, j) for i, j in cells], m)
        verdict = classify(allocation)
        solver = args.solver
        if verdict.verdict in ("maximal", "minimal"):
            proved = estimate_mp(allocation, seed=args.seed)
            rows.append(result_row(NAME, allocation, proved, label=label, kind="analyzer (proof)"))
            solver = "auto"  # the check of a proof: auto's sequential solves prove each match
        trials = estimate_mp(allocation, trials=args.trials, seed=args.seed, solver=solver,
                             cross_check=True, store=args.store)
        rows.append(result_row(NAME, allocation, trials, label=label,
                               kind=f"{args.trials} trials, every verdict proved"
                               if trials.proved == trials.trials else f"{args.trials} trials, {trials.method}"))
    for row in rows:
        row["interval_verdict"] = interval_verdict(row)
        print(f"  {row['label']:<14} {row['kind']:<30} MP = {row['mp']:.3f} "
              f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]  {row['interval_verdict']}")
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    figure = plot_mp_points(rows, label="label", group="kind", xlabel="learnable entries of W (2 x 2)",
                            title=f"lrnn n = 2, T = 2, b = d = 1, m = 2 ({args.convention} convention)")
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
