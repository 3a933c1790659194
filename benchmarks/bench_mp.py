"""Benchmark: the default solver (``auto``) against the paper-style loop, from one run.

Setup (issue 4): lrnn W-allocations, T = 2, b = d = 2, m = T*b = 4, r = 8
learnable entries spread over K = 2, 4, 8 rows, n = 8 and 16. For each case
the same trials (same seed, same ``--starts`` start points from
:mod:`symmp.numeric.solvers._starts`) are decided by

- ``paper``: serial scipy ``fsolve`` with a finite-difference Jacobian, trial
  after trial in one process, trying the starts in order and stopping at the
  first match (the paper's loop);
- ``default``: what ``estimate_mp`` uses by default (``auto``): ``sequential``
  where a block-triangular structure exists (K = 2, Theorem W-rows; matches
  proved), batched ``newton`` otherwise (K = 4, 8: a lower bound with the
  same number of starts; ``certified`` is used by ``auto`` only up to 3
  unknowns, see :mod:`symmp.numeric.solvers.auto`);
- ``homotopy``: the batched total-degree homotopy on the Markov-reduced
  square quadratic system (:mod:`symmp.numeric.solvers.homotopy`; applies to
  every case here, 16 paths per trial), not ``auto``'s choice (slower than
  ``newton`` here, see the module docstring of ``auto``);
- ``newton`` is also shown on its own for every K, and ``unreduced``: newton
  with ``extra={"reduce": False}`` (no Markov reduction, the solver before
  :mod:`symmp.numeric.solvers.markov_reduction`), for comparison.

Both timed runs are single-process. Truth per trial: K = 2 satisfies Theorem
W-rows, so every trial is solvable; otherwise the ``certified`` solver's
proved verdicts (computed untimed, on ``--truth-workers`` processes); an
unproved certified trial counts as solvable when any method matched it
(``cert+union``; no local solver reports a false match). Miss rate = truly
solvable trials a method did not match / truly solvable trials. ``speedup``
= paper seconds / default seconds on the same trials.

Run: ``.venv/bin/python benchmarks/bench_mp.py [--trials 200] [--starts 10]``
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from symmp import LRNN, Allocation
from symmp.numeric import SOLVERS, SolverOptions, draw_trials
from symmp.numeric.solvers.auto import resolve_solver
from symmp.numeric.solvers.homotopy import homotopy_applies


def allocation_for(n: int, K: int) -> Allocation:
    return Allocation.spread(LRNN(n, 2, 2, 2), "W", r=8, K=K, m=4)


def run(name, allocation, trials, options):
    started = time.perf_counter()
    outcomes = SOLVERS[name](allocation, trials, options)
    return outcomes, time.perf_counter() - started


def certified_part(job):
    n, K, seed, starts, indices = job
    allocation = allocation_for(n, K)
    trials = draw_trials(allocation, seed, indices)
    return [(o.matched, o.proved) for o in SOLVERS["certified"](allocation, trials, SolverOptions(starts=starts, seed=seed))]


def certified_truth(n, K, seed, starts, count, workers):
    chunks = [list(range(s, min(s + 25, count))) for s in range(0, count, 25)]
    jobs = [(n, K, seed, starts, c) for c in chunks]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(certified_part, jobs))
    else:
        parts = [certified_part(job) for job in jobs]
    return [v for part in parts for v in part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--K", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--truth-workers", type=int, default=2)
    parser.add_argument("--no-truth", action="store_true",
                        help="skip the certified truth (miss rates then against the union of matches: lower bounds)")
    args = parser.parse_args()
    paper = SolverOptions(starts=args.starts, seed=args.seed, extra={"jacobian": "finite-difference"})
    local = SolverOptions(starts=args.starts, seed=args.seed)
    unreduced = SolverOptions(starts=args.starts, seed=args.seed, extra={"reduce": False})
    print(f"{args.trials} trials, seed {args.seed}, {args.starts} starts for every local solver; "
          "t/s = trials per second (single process)")
    header = (f"{'n':>3} {'K':>2} {'truth':>10} {'solvable':>8} | {'paper t/s':>9} {'miss':>6} | "
              f"{'default':>10} {'t/s':>8} {'miss':>6} {'speedup':>8} | {'newton t/s':>10} {'miss':>6} {'x':>6} | "
              f"{'unreduced':>9} {'miss':>6} {'x':>6} | {'homotopy':>8} {'miss':>6} {'x':>6}")
    print(header)
    print("-" * len(header))
    for n in args.n:
        for K in args.K:
            allocation = allocation_for(n, K)
            trials = draw_trials(allocation, args.seed, range(args.trials))
            SOLVERS["newton"](allocation, trials[:2], local)  # warm caches (structure, imports)
            SOLVERS["auto"](allocation, trials[:2], local)
            base, t_paper = run("fsolve", allocation, trials, paper)
            auto_name = resolve_solver(allocation)
            auto, t_auto = run("auto", allocation, trials, local)
            fast, t_newton = run("newton", allocation, trials, local)
            SOLVERS["newton"](allocation, trials[:2], unreduced)
            plain, t_plain = run("newton", allocation, trials, unreduced)
            if homotopy_applies(allocation):
                SOLVERS["homotopy"](allocation, trials[:2], local)
                paths, t_paths = run("homotopy", allocation, trials, local)
            else:
                paths, t_paths = [], float("nan")
            union = [any(o.matched for o in group) for group in zip(base, fast, auto, plain, paths or plain)]
            if K == 2:
                truth_name, truth = "W-rows", [True] * len(trials)
            elif "certified" in SOLVERS and not args.no_truth:
                verdicts = certified_truth(n, K, args.seed, args.starts, args.trials, args.truth_workers)
                for (matched, proved), o in zip(verdicts, auto):  # a proved "no" must hold
                    assert not (proved and not matched and o.matched), "a local match contradicts a proved no"
                if all(p for _, p in verdicts):
                    truth_name, truth = "certified", [m for m, _ in verdicts]
                else:
                    truth_name = "cert+union"
                    truth = [m or (not p and u) for (m, p), u in zip(verdicts, union)]
            else:
                truth_name, truth = "union(lb)", union
            solvable = sum(truth)

            def miss(outcomes):
                missed = sum(1 for o, t in zip(outcomes, truth) if t and not o.matched)
                return missed / solvable if solvable else 0.0

            rate = lambda seconds: len(trials) / seconds
            print(f"{n:>3} {K:>2} {truth_name:>10} {solvable:>8} | {rate(t_paper):>9.1f} {miss(base):>6.3f} | "
                  f"{auto_name:>10} {rate(t_auto):>8.1f} {miss(auto):>6.3f} {t_paper / t_auto:>7.1f}x | "
                  f"{rate(t_newton):>10.1f} {miss(fast):>6.3f} {t_paper / t_newton:>5.1f}x | "
                  f"{rate(t_plain):>9.1f} {miss(plain):>6.3f} {t_paper / t_plain:>5.1f}x | "
                  + (f"{rate(t_paths):>8.1f} {miss(paths):>6.3f} {t_paper / t_paths:>5.1f}x" if paths else "       -"),
                  flush=True)
    print("default = auto: sequential (proved matches) or newton (a lower bound on MP, "
          f"{args.starts} starts); certified is auto's choice only up to 3 unknowns; homotopy: "
          "all 16 paths per trial, no-match not proved (lower bound), not auto's choice")


if __name__ == "__main__":
    main()
