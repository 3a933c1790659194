"""lffn: spreading learnable weights across layers, rows and columns.

Y = W3 W2 W1 X with widths [4, 4, 4, 4] and m = 2 samples by default, so
rho_full = d*m = 8, and r = 8 learnable entries. They are split as evenly as
possible over a set of layers (each of the seven non-empty subsets of
{W1, W2, W3}) and placed inside each layer in one of three ways:

- ``rows``: filling as few rows as possible (whole rows first);
- ``columns``: filling as few columns as possible;
- ``spread``: a different row and a different column for each entry
  (cyclic diagonals).

Row budgets are min(m, n0, ..., n_{l-1}) = 2, column budgets
min(n_l, ..., n_L) = 4 (THEORY.md section 4), so whole rows waste weights
(MP = 0, proved by Fact 1). One layer alone is affine (Fact 2: MP = 0 or 1,
proved); several layers are polynomial: maximal when the analyzer finds a
sequentially linear structure, otherwise estimated by ``newton`` (a lower
bound, with its starts).

    python examples/lffn_spread.py                          # 100 trials per point, seconds
    python examples/lffn_spread.py --widths 5,4,4,3 --m 3 --trials 1000
"""

from __future__ import annotations

import itertools
import os

from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv

from symmp import LFFN, Allocation, classify
from symmp.numeric import estimate_mp
from symmp.plotting import plot_mp_points

NAME = "lffn_spread"
PLACEMENTS = ("rows", "columns", "spread")


def place(name: str, shape: tuple[int, int], k: int, how: str) -> list[tuple[str, int, int]]:
    """k entries of matrix ``name`` placed ``how`` (see the module docstring)."""
    rows, cols = shape
    if k > rows * cols:
        raise ValueError(f"{k} entries do not fit in {name} ({rows} x {cols})")
    if how == "rows":
        cells = [(i // cols, i % cols) for i in range(k)]
    elif how == "columns":
        cells = [(i % rows, i // rows) for i in range(k)]
    else:
        side = min(rows, cols)
        cells = [(i % side + (i // (side * cols)) * side, (i % side + i // side) % cols) for i in range(k)]
    return [(name, i, j) for i, j in cells]


def main() -> None:
    cli = parser(__doc__, trials=100)
    cli.add_argument("--widths", default="4,4,4,4", help="n0,...,nL (default 4,4,4,4)")
    cli.add_argument("--m", type=int, default=2, help="samples (default 2)")
    cli.add_argument("--r", type=int, default=None, help="learnable entries (default rho_full)")
    cli.add_argument("--solver", default="auto")
    args = cli.parse_args()
    clock = Clock()
    model, m = LFFN([int(w) for w in args.widths.split(",")]), args.m
    names = list(model.matrix_shapes)
    r = args.r or classify(Allocation.from_entries(model, [(names[0], 0, 0)], m)).target_rank
    print(f"{model!r}, m = {m}, r = {r}")
    rows = []
    for size in range(1, len(names) + 1):
        for layers in itertools.combinations(names, size):
            counts = [r // size + (1 if q < r % size else 0) for q in range(size)]
            for how in PLACEMENTS:
                try:
                    entries = [e for name, k in zip(layers, counts)
                               for e in place(name, model.matrix_shapes[name], k, how)]
                except ValueError as err:
                    print(f"  skipped {'+'.join(layers)} {how}: {err}")
                    continue
                allocation = Allocation.from_entries(model, entries, m)
                result = estimate_mp(allocation, trials=args.trials, seed=args.seed,
                                     solver=args.solver, store=args.store)
                label = " + ".join(f"{k} {name}" for name, k in zip(layers, counts))
                rows.append(result_row(NAME, allocation, result, layers=label, placement=how))
                print(f"  {label:<20} {how:<8} {result.verdict:<12} {result}")
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    figure = plot_mp_points(rows, label="layers", group="placement", rotation=25,
                            xlabel="learnable entries per layer (placed in rows, columns or spread)",
                            title=f"lffn widths {args.widths}, m = {m}, r = {r}")
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
