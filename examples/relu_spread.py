"""Shallow ReLU: concentrated against distributed allocations, on estimate_mp's defaults.

Y = D relu(W X). For each size (n0, h, d, m), r = d*m learnable weights
(the number of equations) are placed four ways:

- ``W concentrated``: filling the first rows of W;
- ``W distributed``: one entry per row of W, cycling over rows and columns;
- ``W+D concentrated``: half in the first rows of W, the rest in row 0 of D;
- ``W+D distributed``: half spread over the rows of W, the rest over different
  columns (and rows) of D.

MP is estimated by ``estimate_mp`` with its defaults (``solver="auto"``):
the exact piecewise-linear solver where it applies and is registered
(``exact-relu``: every verdict decided, THEORY.md section 7), masked
AdaHessian otherwise, whose MP is a loose lower bound. The CSV's
``lower_bound`` column is the result's own flag, and the plot draws lower
bounds as hollow triangles; ``method`` says which solver decided. MP = 0 or
MP = 1 is never read off trials here: only the analyzer's certificates claim
them.

    python examples/relu_spread.py                 # 40 trials per point
    python examples/relu_spread.py --trials 1000 --sizes 3,4,1,3/4,6,2,3/6,8,2,4
"""

from __future__ import annotations

import os

from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv

from symmp import Allocation, ShallowReLU
from symmp.numeric import estimate_mp
from symmp.plotting import plot_mp_points

NAME = "relu_spread"


def allocations(n0: int, h: int, d: int, m: int) -> dict[str, Allocation]:
    """The four allocations of r = d*m weights of ``ShallowReLU(n0, h, d)``."""
    model = ShallowReLU(n0, h, d)
    r = d * m
    in_w, in_d = r // 2, r - r // 2
    if r > n0 * h or in_d > d * h:
        raise ValueError(f"r = {r} does not fit in ShallowReLU({n0}, {h}, {d})")
    w_concentrated = [("W", i // n0, i % n0) for i in range(r)]
    w_distributed = [("W", i % h, (i % h + i // h) % n0) for i in range(r)]
    mixed_concentrated = [("W", i // n0, i % n0) for i in range(in_w)]
    mixed_concentrated += [("D", j // h, j % h) for j in range(in_d)]
    mixed_distributed = [("W", i % h, (i % h + i // h) % n0) for i in range(in_w)]
    mixed_distributed += [("D", j % d, h - 1 - (j % h)) for j in range(in_d)]
    return {
        "W concentrated": Allocation.from_entries(model, w_concentrated, m),
        "W distributed": Allocation.from_entries(model, w_distributed, m),
        "W+D concentrated": Allocation.from_entries(model, mixed_concentrated, m),
        "W+D distributed": Allocation.from_entries(model, mixed_distributed, m),
    }


def main() -> None:
    cli = parser(__doc__, trials=40)
    cli.add_argument("--sizes", default="3,4,1,3/4,6,2,3",
                     help="n0,h,d,m per size, separated by / (default 3,4,1,3/4,6,2,3)")
    cli.add_argument("--activation", default="relu", help="relu (default), leaky_relu, tanh, sigmoid")
    args = cli.parse_args()
    clock = Clock()
    rows = []
    for size in args.sizes.split("/"):
        n0, h, d, m = (int(x) for x in size.split(","))
        for label, allocation in allocations(n0, h, d, m).items():
            if args.activation != "relu":
                allocation = Allocation(ShallowReLU(n0, h, d, activation=args.activation),
                                        allocation.entries, m)
            result = estimate_mp(allocation, trials=args.trials, seed=args.seed, store=args.store)
            rows.append(result_row(NAME, allocation, result, label=label,
                                   size=f"n0={n0}, h={h}, d={d}, m={m}"))
            print(f"  n0={n0} h={h} d={d} m={m}  {label:<17} {result.verdict:<12} {result}")
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    methods = ", ".join(sorted({row["method"] for row in rows}))
    figure = plot_mp_points(rows, label="label", group="size", xlabel="allocation of r = d*m weights",
                            title=f"shallow {args.activation}: concentrated vs distributed "
                            f"({args.trials} trials, solver {methods})")
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
