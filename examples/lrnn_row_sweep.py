"""The paper's LRNN experiment: MP against the number of rows K that share
r = d*T*b learnable recurrent weights (Schlisselberg & Darshan, ICLR 2025).

For n in {8, 12, 16}, T = 2, b = d = 2, m = T*b, the r = 8 learnable entries
of W are spread as evenly as possible over K = 1..n rows. THEORY.md predicts:
K = 1 is minimal (one row beyond its budget, MP = 0 by Fact 1), K = d = 2 is
maximal (Theorem W-rows, found by the sequential-linearity certificate), and
K > 2 is intermediate (estimated numerically: a lower bound from local
solvers, or exact from certified verdicts).

    python examples/lrnn_row_sweep.py                 # 100 trials per point, a minute or so
    python examples/lrnn_row_sweep.py --trials 1000   # the paper's protocol
    python examples/lrnn_row_sweep.py --out sweep.csv --plot sweep.png

Every finished trial is kept in an SQLite ledger (``--store``), so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import csv
import time

from symmp import LRNN
from symmp.numeric.sweep import SWEEP_COLUMNS, sweep_family
from symmp.plotting import plot_mp_curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8,12,16", help="comma-separated n (default 8,12,16)")
    parser.add_argument("--trials", type=int, default=100, help="trials per allocation (paper: 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--store", default="symmp-runs.sqlite", help="ledger of finished trials")
    parser.add_argument("--out", default=None, help="write all rows as CSV")
    parser.add_argument("--plot", default=None, help="write MP against K as a PNG (needs symmp[plot])")
    args = parser.parse_args()

    T, b, d = 2, 2, 2
    r, m = d * T * b, T * b
    curves = {}
    start = time.perf_counter()
    for n in (int(x) for x in args.sizes.split(",")):
        model = LRNN(n=n, b=b, d=d, T=T)
        rows = sweep_family(
            model, "W", r=r, m=m, Ks=range(1, min(n, r) + 1),
            trials=args.trials, seed=args.seed, solver=args.solver, store=args.store,
        )
        curves[f"n = {n}"] = rows
        print(f"\nn = {n}: r = {r} learnable W entries over K rows, m = {m}")
        print(f"{'K':>3}  {'MP':>6}  {'95% CI':>15}  {'method':<12}  verdict / note")
        for row in rows:
            note = row["verdict"] or ""
            if row["lower_bound"]:
                note += f" (lower bound, {row['starts']} starts)"
            print(f"{row['K']:>3}  {row['mp']:>6.3f}  [{row['ci_low']:.3f}, {row['ci_high']:.3f}]  "
                  f"{row['method']:<12}  {note}")
    print(f"\n{time.perf_counter() - start:.1f} s in all; trials kept in {args.store}")
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["n"] + SWEEP_COLUMNS)
            writer.writeheader()
            for label, rows in curves.items():
                for row in rows:
                    writer.writerow({"n": label.split("= ")[1], **row})
    if args.plot:
        plot_mp_curves(curves, args.plot, title=f"lrnn T={T}, b=d={b}: r = {r} W entries over K rows")


if __name__ == "__main__":
    main()
