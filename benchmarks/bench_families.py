"""Benchmark across allocation families (issue 14 item 4): default vs the paper loop vs the truth.

Families beyond the T = 2 W-only one of ``bench_mp.py``: lrnn W-only at T = 3
and T = 4, the standard convention with W + B, W + D, lffn with 3 and 4
layers, a permutation W at n = 8 and a column-spread W at n = 12
(:func:`families`). Per family, on the same ``--trials`` trials (seed
``--seed``):

- ``paper``: serial scipy ``fsolve`` with a finite-difference Jacobian on a
  hand-written numpy residual, up to 20 starts per trial in order (those of
  :mod:`symmp.numeric.solvers._starts`, drawn before the clock), stopping at
  the first match (relative residual <= 1e-9);
- ``default``: ``estimate_mp`` on defaults (sampling inside the clock, no
  ledger, no certificate), first call in the process ("cold": it includes
  the family's monodromy solve, once per allocation and process), and again
  ("warm": the family cached, as every later batch of a long run);
- truth: a trial is solvable when the ``complete`` solver (every root of the
  family's square system, run on every trial) or any method matched it
  (every match is confirmed on the real model); ``complete``'s paths that
  failed after re-tracking are reported.

Miss rate = solvable trials a method did not match / trials. Speed-up =
paper seconds / default seconds (one run, both sides in the same process).

Run: ``.venv/bin/python benchmarks/bench_families.py [--trials 300] [--seed 3]``
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from scipy import optimize

from symmp import LFFN, LRNN, Allocation
from symmp.numeric import SOLVERS, SolverOptions, draw_trials, estimate_mp
from symmp.numeric.problems.match import MatchProblem
from symmp.numeric.kernels.starts import batch_starts

PAPER_STARTS = 20


def families() -> dict[str, Allocation]:
    """The benchmark's allocation families (name -> allocation)."""
    perm = [3, 6, 1, 7, 0, 5, 2, 4]
    return {
        "lrnn T=3 W diag (n=6,b=d=1)": Allocation.from_entries(
            LRNN(6, 1, 1, 3), [("W", 0, 0), ("W", 1, 1), ("W", 2, 2)], m=3),
        "lrnn T=4 W 2 rows (n=6,b=d=1)": Allocation.spread(LRNN(6, 1, 1, 4), "W", r=4, K=2, m=4),
        "lrnn standard T=3 W+B (n=6,b=1,d=2)": Allocation.from_entries(
            LRNN(6, 1, 2, 3, convention="standard"),
            [("W", 0, 0), ("W", 0, 1), ("W", 1, 2), ("B", 0, 0), ("B", 1, 0), ("B", 2, 0)], m=3),
        "lrnn T=2 W+D (n=6,b=1,d=2)": Allocation.from_entries(
            LRNN(6, 1, 2, 2), [("W", 0, 0), ("W", 1, 1), ("D", 0, 2), ("D", 1, 3)], m=2),
        "lffn [4,3,3,2] 6 W3 + 2 W1": Allocation.from_entries(
            LFFN([4, 3, 3, 2]), [("W3", 0, 0), ("W3", 0, 1), ("W3", 0, 2), ("W3", 1, 0), ("W3", 1, 1),
                                 ("W3", 1, 2), ("W1", 0, 0), ("W1", 1, 1)], m=4),
        "lffn [2,3,3,3,2] 2 W4 + 2 W2": Allocation.from_entries(
            LFFN([2, 3, 3, 3, 2]), [("W4", 0, 0), ("W4", 1, 1), ("W2", 0, 0), ("W2", 1, 1)], m=2),
        "lrnn T=3 permutation W (n=8)": Allocation.from_entries(
            LRNN(8, 1, 1, 3), [("W", i, perm[i]) for i in (0, 1, 2)], m=3),
        "lrnn T=3 column-spread W (n=12)": Allocation.spread(LRNN(12, 1, 1, 3), "W", r=3, K=3, m=3, axis="column"),
    }


def residual_function(allocation: Allocation, trial):
    """A hand-written numpy residual of one trial (as the paper's authors would write it)."""
    model = allocation.model
    entries = allocation.ordered_entries
    fixed = {name: trial.student[name].copy() for name in model.matrix_shapes}
    X, Y = trial.inputs, trial.targets

    def weights(theta):
        out = {name: value.copy() for name, value in fixed.items()}
        for value, (name, i, j) in zip(theta, entries):
            out[name][i, j] = value
        return out

    if model.kind == "lrnn":
        def residual(theta):
            w = weights(theta)
            h = np.zeros((model.n, X.shape[-1]))
            for x in X:
                h = w["W"] @ (h + w["B"] @ x) if model.convention == "paper" else w["W"] @ h + w["B"] @ x
            return (w["D"] @ h - Y).ravel()
    else:
        def residual(theta):
            w = weights(theta)
            out = X
            for l in range(1, model.depth + 1):
                out = w[f"W{l}"] @ out
            return (out - Y).ravel()
    return residual


def paper_loop(allocation, trials, start_points, tol=1e-9, max_iter=100):
    """Serial fsolve (finite differences) from each trial's starts in order; matched per trial."""
    out = []
    for trial, points in zip(trials, start_points):
        residual = residual_function(allocation, trial)
        norm = np.linalg.norm(trial.targets)
        matched = False
        for start in points:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                theta = optimize.fsolve(residual, start, xtol=1e-13, maxfev=max_iter * (len(start) + 1))
                matched = np.linalg.norm(residual(theta)) / norm <= tol
            if matched:
                break
        out.append(bool(matched))
    return np.array(out)


def run_family(name, allocation, count, seed):
    trials = draw_trials(allocation, seed, range(count))
    points = batch_starts(MatchProblem(allocation, trials), PAPER_STARTS, seed)
    started = time.perf_counter()
    paper = paper_loop(allocation, trials, points)
    t_paper = time.perf_counter() - started
    started = time.perf_counter()
    result = estimate_mp(allocation, trials=count, seed=seed, use_certificate=False)
    t_cold = time.perf_counter() - started
    started = time.perf_counter()
    estimate_mp(allocation, trials=count, seed=seed, use_certificate=False)
    t_warm = time.perf_counter() - started
    default = np.array([o.matched for o in result.outcomes])
    complete = SOLVERS["complete"](allocation, trials, SolverOptions(seed=seed))
    truth = np.array([o.matched for o in complete]) | paper | default
    failed = sum(o.details["failed_paths"] for o in complete)
    return {
        "name": name, "r": allocation.r, "solver": result.method, "N": complete[0].details["roots"],
        "truth": truth.mean(), "paper_miss": (truth & ~paper).mean(), "default_miss": (truth & ~default).mean(),
        "t_paper": t_paper, "t_cold": t_cold, "t_warm": t_warm, "failed": failed,
        "complete_miss": (truth & ~np.array([o.matched for o in complete])).mean(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--only", default=None, help="run the families whose name contains this")
    args = parser.parse_args()
    print(f"{args.trials} trials per family, seed {args.seed}; paper = serial fsolve (FD Jacobian), "
          f"{PAPER_STARTS} starts; truth = complete on every trial U any match")
    print(f"{'family':38} {'r':>2} {'N':>3} {'truth':>6} {'paper miss':>10} {'default miss':>12} "
          f"{'paper s':>8} {'default s cold/warm':>19} {'speed-up cold/warm':>18} {'failed paths':>12}")
    for name, allocation in families().items():
        if args.only and args.only not in name:
            continue
        row = run_family(name, allocation, args.trials, args.seed)
        print(f"{row['name']:38} {row['r']:>2} {row['N']:>3} {row['truth']:>6.3f} {row['paper_miss']:>10.3%} "
              f"{row['default_miss']:>12.3%} {row['t_paper']:>8.2f} {row['t_cold']:>9.2f}/{row['t_warm']:<9.2f} "
              f"{row['t_paper'] / row['t_cold']:>8.1f}x/{row['t_paper'] / row['t_warm']:<8.1f}x {row['failed']:>12}",
              flush=True)


if __name__ == "__main__":
    main()
