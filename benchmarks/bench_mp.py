"""Benchmark: batched ``newton`` (and ``auto``) against the paper-style loop.

Setup (issue 4): lrnn W-allocations, T = 2, b = d = 2, m = T*b = 4, r = 8
learnable entries spread over K = 2, 4, 8 rows, n = 8 and 16. For each case
the same trials (same seed) are decided by

- ``paper``: serial scipy ``fsolve`` with a finite-difference Jacobian and
  the same restarts (``--starts``), trial after trial in one process;
- ``newton``: the batched damped Newton / Levenberg-Marquardt solver;
- ``auto``: what ``estimate_mp`` uses by default (sequential / certified / newton).

Truth per trial: K = 2 satisfies Theorem W-rows, so every trial is solvable
(checked with the ``sequential`` solver when present); otherwise the
``certified`` solver's proved verdicts when it is registered; failing both,
the union of all matches found (a lower bound on truth, said so in the
output). Miss rate = truly solvable trials a method did not match / truly
solvable trials.

Run: ``.venv/bin/python benchmarks/bench_mp.py [--trials 100] [--starts 10]``
"""

from __future__ import annotations

import argparse
import time

from symmp import LRNN, Allocation
from symmp.numeric import SOLVERS, SolverOptions, draw_trials
from symmp.numeric.solvers.auto import resolve_solver


def run(name, allocation, trials, options):
    started = time.perf_counter()
    outcomes = SOLVERS[name](allocation, trials, options)
    return outcomes, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--K", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--no-truth", action="store_true", help="skip the certified truth")
    args = parser.parse_args()
    paper = SolverOptions(starts=args.starts, seed=args.seed, extra={"jacobian": "finite-difference"})
    local = SolverOptions(starts=args.starts, seed=args.seed)
    header = (f"{'n':>3} {'K':>2} {'truth':>10} {'solvable':>8} | {'paper t/s':>9} {'miss':>6} | "
              f"{'newton t/s':>10} {'miss':>6} {'speedup':>7} | {'auto':>10} {'t/s':>8} {'miss':>6}")
    print(header)
    print("-" * len(header))
    for n in args.n:
        model = LRNN(n, 2, 2, 2)
        for K in args.K:
            allocation = Allocation.spread(model, "W", r=8, K=K, m=4)
            trials = draw_trials(allocation, args.seed, range(args.trials))
            base, t_paper = run("fsolve", allocation, trials, paper)
            fast, t_newton = run("newton", allocation, trials, local)
            auto_name = resolve_solver(allocation)
            auto, t_auto = run("auto", allocation, trials, local)
            if K == 2:
                truth_name, truth = "W-rows", [True] * len(trials)
            elif "certified" in SOLVERS and not args.no_truth:
                certified, _ = run("certified", allocation, trials, local)
                if all(o.proved for o in certified):
                    truth_name, truth = "certified", [o.matched for o in certified]
                else:
                    truth_name = "cert+union"
                    truth = [c.matched or a.matched or b.matched
                             for c, a, b in zip(certified, base, fast)]
            else:
                truth_name = "union(lb)"
                truth = [a.matched or b.matched or c.matched for a, b, c in zip(base, fast, auto)]
            solvable = sum(truth)

            def miss(outcomes):
                missed = sum(1 for o, t in zip(outcomes, truth) if t and not o.matched)
                return missed / solvable if solvable else 0.0

            for outcomes in (base, fast, auto):  # no method may claim a match truth denies
                assert not any(o.matched and not t for o, t in zip(outcomes, truth)) or truth_name != "certified"
            rate = lambda seconds: len(trials) / seconds
            print(f"{n:>3} {K:>2} {truth_name:>10} {solvable:>8} | {rate(t_paper):>9.1f} {miss(base):>6.3f} | "
                  f"{rate(t_newton):>10.1f} {miss(fast):>6.3f} {t_paper / t_newton:>6.1f}x | "
                  f"{auto_name:>10} {rate(t_auto):>8.1f} {miss(auto):>6.3f}", flush=True)


if __name__ == "__main__":
    main()
