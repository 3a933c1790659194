"""lrnn n in {8, 12, 16}: MP against the number of rows (and of columns) of W over
which r = d*T*b learnable weights are spread.

T = 2, b = d = 2 by default, m = T*b, r = d*T*b = 8 entries of W spread as
evenly as possible over K = 1..r rows (left panel) or columns (right panel),
for each n. Where the transition sits: a row of W holds at most its budget
min(n, T*b, m*min(d, T)) = T*b useful entries (THEORY.md section 4), so
K < r/(T*b) rows waste weights (rho_A < rho_full: MP = 0, proved), and
K = r/(T*b) = d rows with T*b entries each is Theorem W-rows (MP = 1,
proved); likewise for columns at K = r/(T*d) = b (Theorem W-columns). Past
the transition the allocations are intermediate and MP is estimated: by
``algebraic`` (every complex root of the Markov-reduced system, so no
solution is missed for want of a start, but floating-point roots prove
nothing: a lower bound, marked as such) where it applies, else ``newton``
(a lower bound too).

    python examples/lrnn_spread.py                      # 50 trials per point, under a minute of CPU
    python examples/lrnn_spread.py --trials 1000        # the paper's protocol
    python examples/lrnn_spread.py --b 1 --d 3          # transition at K = 3 rows, 1 column
"""

from __future__ import annotations

import os

from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv

from symmp import LRNN, Allocation
from symmp.numeric import estimate_mp
from symmp.plotting import plot_mp_curves, require_matplotlib

NAME = "lrnn_spread"


def main() -> None:
    cli = parser(__doc__, trials=50)
    cli.add_argument("--sizes", default="8,12,16", help="comma-separated n (default 8,12,16)")
    cli.add_argument("--T", type=int, default=2)
    cli.add_argument("--b", type=int, default=2)
    cli.add_argument("--d", type=int, default=2)
    cli.add_argument("--solver", default="auto")
    cli.add_argument("--convention", default="paper", choices=("paper", "standard"))
    args = cli.parse_args()
    clock = Clock()
    T, b, d = args.T, args.b, args.d
    r, m = d * T * b, T * b
    rows = []
    curves = {"row": {}, "column": {}}
    for n in (int(x) for x in args.sizes.split(",")):
        model = LRNN(n=n, b=b, d=d, T=T, convention=args.convention)
        for axis in ("row", "column"):
            line_length = n  # a row of W has n entries, and so has a column
            Ks = [K for K in range(1, min(n, r) + 1) if -(-r // K) <= line_length]
            points = []
            for K in Ks:
                allocation = Allocation.spread(model, "W", r=r, K=K, m=m, axis=axis)
                result = estimate_mp(allocation, trials=args.trials, seed=args.seed,
                                     solver=args.solver, store=args.store)
                budget = model.equation_budgets(m)["W"][0 if axis == "row" else 1][0]
                row = result_row(NAME, allocation, result, n=n, axis=axis, K=K, line_budget=budget,
                                 transition=r / budget)
                points.append(row)
                print(f"n = {n:>2} {axis:<6} K = {K}: {result}")
            curves[axis][f"n = {n}"] = points
            rows += points
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    figure = require_matplotlib().figure.Figure(figsize=(11, 4.2))
    # the budget of one row (column) of W; T*b (T*d) in the paper convention, T-1 in the standard one
    # (the last n's budgets; at these sizes they do not depend on n)
    row_budgets, column_budgets = model.equation_budgets(m)["W"]
    for axes, axis, budget, name in zip(figure.subplots(1, 2), ("row", "column"),
                                        (row_budgets[0], column_budgets[0]), ("r / row budget", "r / column budget")):
        plot_mp_curves(curves[axis], ax=axes, xlabel=f"K ({axis}s of W holding the r = {r} learnable entries)",
                       title=f"lrnn T = {T}, b = {b}, d = {d}, m = {m}: spread over {axis}s",
                       marks={f"{name} = {r / budget:g}": r / budget})
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
