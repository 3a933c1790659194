"""Concentrated versus distributed allocations of a shallow ReLU network.

For several sizes (n0, h, d, m) and r = d*m learnable weights split evenly
between W and D, compares a *distributed* allocation (one W entry per row,
D entries in different columns and rows) with a *concentrated* one (W
entries filling the first rows, D entries in row 0). For each, MP is
computed exactly by ``exact-relu`` where it applies (every trial decided by
its activation patterns; "n/a" where d >= 2 and one unit has both its W row
and a D entry learnable), beside masked AdaHessian, masked Adam and gradient
descent (a lower bound each: a match is a relative residual <= tol within
the step budget), with Wilson 95% intervals, next to the analyzer's verdict. Writes a CSV and,
with matplotlib (``pip install symmp[plot]``), a plot.

Default run: 40 trials, 2000 steps, three sizes (about a minute on two
cores). ``--full`` is the reference protocol: 1,000 trials, 5,000 steps.

    python examples/relu_allocations.py --out relu_allocations.csv --plot relu_allocations.png
"""

from __future__ import annotations

import argparse
import csv
import sys

from symmp import Allocation, ShallowReLU, classify
from symmp.numeric import estimate_mp
from symmp.numeric.solvers import solver_applies

SIZES = [(3, 4, 1, 3), (4, 6, 2, 3), (6, 8, 2, 4)]
SOLVERS = ["exact-relu", "adahessian", "adam", "gd"]


def allocations(n0: int, h: int, d: int, m: int) -> dict[str, Allocation]:
    """The two allocations of r = d*m weights (half in W, the rest in D)."""
    model = ShallowReLU(n0, h, d)
    r = d * m
    in_w, in_d = r // 2, r - r // 2
    distributed = [("W", i % h, i % n0) for i in range(in_w)]
    distributed += [("D", j % d, h - 1 - (j % h)) for j in range(in_d)]
    concentrated = [("W", i // n0, i % n0) for i in range(in_w)]
    concentrated += [("D", j // h, j % h) for j in range(in_d)]
    return {
        "distributed": Allocation.from_entries(model, distributed, m),
        "concentrated": Allocation.from_entries(model, concentrated, m),
    }


def run(trials: int, steps: int, tol: float, seed: int, sizes) -> list[dict]:
    rows = []
    for n0, h, d, m in sizes:
        for kind, allocation in allocations(n0, h, d, m).items():
            verdict = classify(allocation).verdict
            for solver in SOLVERS:
                if solver == "exact-relu":
                    if not solver_applies(solver, allocation):
                        print(f"{(n0, h, d, m)} {kind:12s} [{verdict:12s}] {solver:10s} n/a (bilinear unit)")
                        continue
                    result = estimate_mp(allocation, trials=trials, seed=seed, solver=solver, use_certificate=False)
                else:
                    result = estimate_mp(
                        allocation, trials=trials, seed=seed, solver=solver, starts=1, tol=tol,
                        max_iter=steps, use_certificate=False,
                    )
                low, high = result.ci95
                rows.append({
                    "n0": n0, "h": h, "d": d, "m": m, "r": allocation.r, "allocation": kind,
                    "analyzer": verdict, "solver": solver, "mp": result.mp, "ci_low": low,
                    "ci_high": high, "matches": result.matches, "trials": result.trials,
                    "lower_bound": result.lower_bound, "tol_relative_residual": tol, "max_steps": steps,
                })
                relation = ">=" if result.lower_bound else " ="
                print(f"{(n0, h, d, m)} {kind:12s} [{verdict:12s}] {solver:10s} MP {relation} {result.mp:.3f} "
                      f"[{low:.3f}, {high:.3f}] ({result.matches}/{result.trials})", flush=True)
    return rows


def plot(rows: list[dict], path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("error: --plot needs matplotlib: pip install 'symmp[plot]'") from None
    labels = sorted({(r["n0"], r["h"], r["d"], r["m"]) for r in rows})
    fig, axes = plt.subplots(1, len(SOLVERS), figsize=(4 * len(SOLVERS), 3.5), sharey=True)
    for ax, solver in zip(axes, SOLVERS):
        for offset, kind in ((-0.15, "concentrated"), (0.15, "distributed")):
            found = [(k, next((r for r in rows if (r["n0"], r["h"], r["d"], r["m"]) == size
                               and r["solver"] == solver and r["allocation"] == kind), None))
                     for k, size in enumerate(labels)]
            pts = [p for _, p in found if p is not None]
            xs = [k + offset for k, p in found if p is not None]
            ax.errorbar(xs, [p["mp"] for p in pts],
                        yerr=[[p["mp"] - p["ci_low"] for p in pts], [p["ci_high"] - p["mp"] for p in pts]],
                        fmt="o", capsize=3, label=kind)
        ax.set_xticks(range(len(labels)), [f"{s[0]},{s[1]},{s[2]},m={s[3]}" for s in labels], fontsize=7)
        ax.set_title(solver if solver == "exact-relu" else f"{solver} (lower bound)")
    axes[0].set_ylabel("MP, Wilson 95%")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--tol", type=float, default=1e-4, help="relative residual (relative loss tol**2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="1,000 trials and 5,000 steps")
    parser.add_argument("--out", default="relu_allocations.csv")
    parser.add_argument("--plot", default=None, help="PNG path (needs matplotlib)")
    args = parser.parse_args(argv)
    trials, steps = (1000, 5000) if args.full else (args.trials, args.steps)
    if args.plot:  # fail before the long run, not after it
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("error: --plot needs matplotlib: pip install 'symmp[plot]'", file=sys.stderr)
            return 2
    rows = run(trials, steps, args.tol, args.seed, SIZES)
    with open(args.out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out}")
    if args.plot:
        plot(rows, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
