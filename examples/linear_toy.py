"""Linear estimator toy (THEORY.md section 4): d = 2, m = 2, r = 4, every row split.

Y = W X with W of shape d x n (n = 4) and r = 4 learnable entries split
between the two rows as k + (4 - k), the entries of each row in its first
columns. The analyzer decides each split exactly (Fact 1 or Fact 2; the
outputs are affine in W, so MP is 0 or 1): 2 + 2 gives rank 4 and MP = 1;
3 + 1 gives rank 3 and 4 + 0 rank 2, so MP = 0. The trials are run anyway
(``cross_check``, exact least squares) and drawn next to the proved values.

    python examples/linear_toy.py                 # 200 trials per split, seconds
    python examples/linear_toy.py --trials 1000
"""

from __future__ import annotations

import os

from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv

from symmp import Allocation, LinearEstimator, classify
from symmp.numeric import estimate_mp
from symmp.plotting import plot_mp_points

NAME = "linear_toy"


def splits(n: int, d: int, r: int):
    """(label, allocation-entries) for every split of r entries over the d = 2 rows."""
    for k in range(r, -1, -1):
        counts = (k, r - k)
        if max(counts) > n:
            continue
        entries = [("W", row, col) for row, count in enumerate(counts) for col in range(count)]
        yield f"{counts[0]} + {counts[1]}", entries


def main() -> None:
    args = parser(__doc__, trials=200).parse_args()
    clock = Clock()
    model, m, r = LinearEstimator(n=4, d=2), 2, 4
    rows = []
    print(f"{model!r}, m = {m}, r = {r}")
    print(f"{'split':<8} {'rho_A':>5} {'verdict':<9} {'proved MP':>9}  trials (linear least squares)")
    for label, entries in splits(4, 2, r):
        allocation = Allocation.from_entries(model, entries, m)
        proved = estimate_mp(allocation, seed=args.seed)
        checked = estimate_mp(allocation, trials=args.trials, seed=args.seed, cross_check=True,
                              store=args.store)
        rows.append(result_row(NAME, allocation, proved, split=label, kind="analyzer (proof, no trials)"))
        rows.append(result_row(NAME, allocation, checked, split=label, kind=f"{args.trials} trials, exact least squares"))
        verdict = classify(allocation)
        print(f"{label:<8} {verdict.rank:>5} {verdict.verdict:<9} {proved.mp:>9g}  {checked}")
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    figure = plot_mp_points(
        rows, label="split", group="kind", xlabel="learnable entries per row of W (row 1 + row 2)",
        title=f"linear estimator d = 2, n = 4, m = {m}, r = {r}: proved MP and {args.trials} trials",
    )
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
