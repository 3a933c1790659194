"""Exact ReLU MP (``exact-relu``) against masked AdaHessian and Adam on the same trials.

Shallow ReLU W-only allocations, r = d*m learnable weights, concentrated (rows
filled in order) and distributed (one per row, round robin). For each: the
exact MP, each optimiser's MP (a lower bound) and recall (optimiser matches /
exact matches, on the same trials), trials/s of each, and whether each method
orders concentrated vs distributed as the exact MP does. One run.

    PYTHONPATH=. python benchmarks/bench_relu.py --trials 100
"""

from __future__ import annotations

import argparse
import time

from symmp import Allocation, ShallowReLU
from symmp.numeric import estimate_mp

SIZES = [(2, 3, 1, 2), (3, 4, 1, 3), (4, 4, 1, 4), (3, 6, 1, 3), (4, 6, 2, 2), (4, 6, 2, 3)]


def allocations(n0: int, h: int, d: int, m: int) -> dict[str, Allocation]:
    model, r = ShallowReLU(n0, h, d), d * m
    return {
        "conc": Allocation.from_entries(model, [("W", i // n0, i % n0) for i in range(r)], m),
        "dist": Allocation.from_entries(model, [("W", i % h, (i // h) % n0) for i in range(r)], m),
    }


def run(trials: int, steps: int) -> None:
    print(f"{'case':16s} {'kind':4s} {'exact':>6s} {'tr/s':>7s} {'adah':>6s} {'recall':>6s} {'tr/s':>6s} "
          f"{'adam':>6s} {'recall':>6s} {'tr/s':>6s}")
    order = {}
    for size in SIZES:
        for kind, allocation in allocations(*size).items():
            row, hits = {}, {}
            for solver in ("exact-relu", "adahessian", "adam"):
                extra = {} if solver == "exact-relu" else {"max_iter": steps}
                start = time.perf_counter()
                result = estimate_mp(allocation, trials=trials, solver=solver, use_certificate=False, **extra)
                row[solver] = (result.mp, trials / (time.perf_counter() - start), result.lower_bound)
                hits[solver] = {o.index for o in result.outcomes if o.matched}
            exact = hits["exact-relu"]
            recall = {s: (len(hits[s] & exact) / len(exact) if exact else float("nan")) for s in ("adahessian", "adam")}
            for s in row:
                order.setdefault((size, s), {})[kind] = row[s][0]
            e, a, b = row["exact-relu"], row["adahessian"], row["adam"]
            print(f"{str(size):16s} {kind:4s} {e[0]:6.3f}{'*' if e[2] else ' '}{e[1]:7.0f} {a[0]:6.3f} "
                  f"{recall['adahessian']:6.2f} {a[1]:6.1f} {b[0]:6.3f} {recall['adam']:6.2f} {b[1]:6.1f}", flush=True)
    agree = {s: 0 for s in ("adahessian", "adam")}
    for size in SIZES:
        truth = order[(size, "exact-relu")]
        for s in agree:
            got = order[(size, s)]
            agree[s] += (got["conc"] > got["dist"]) == (truth["conc"] > truth["dist"])
    print("concentrated-vs-distributed ordering agreeing with exact: "
          + ", ".join(f"{s} {n}/{len(SIZES)}" for s, n in agree.items()))
    print("(* = exact MP is a lower bound: some trials unclear or over the combination limit)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    run(args.trials, args.steps)
