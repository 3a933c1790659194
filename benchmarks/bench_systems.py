"""Lifted system + LaTeX (lrnn n = 16, T = 8) against the unlifted sympy expression.

Run: ``.venv/bin/python benchmarks/bench_systems.py [--budget SECONDS]``.

The lifted system is built with symbolic parameters and printed as LaTeX;
the unlifted outputs (``D W^j B`` expanded as polynomials, symbolic fixed
weights) are built for growing sizes n = T = 2, 3, ... (b = d = 1, one
learnable row of W), each in a subprocess with a time limit, until one does
not finish within the budget. Prints both timings and their ratio from one run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def lifted_n16_T8() -> tuple[float, int, int]:
    from symmp import LRNN, Allocation
    from symmp.systems import build_system

    allocation = Allocation.in_rows(LRNN(n=16, b=1, d=1, T=8), "W", [0], k=8, m=8)
    start = time.perf_counter()
    system = build_system(allocation)
    text = system.to_latex(standalone=True)
    return time.perf_counter() - start, len(system.equations), len(text)


def _unlifted(size: int, queue) -> None:
    from symmp import LRNN, Allocation
    from symmp.systems import build_system

    allocation = Allocation.in_rows(LRNN(n=size, b=1, d=1, T=size), "W", [0], k=size, m=size)
    start = time.perf_counter()
    system = build_system(allocation, lifted=False)
    terms = sum(len(eq.lhs.args) for eq in system.equations)
    queue.put((time.perf_counter() - start, terms))


def unlifted(size: int, budget: float):
    queue = mp.Queue()
    process = mp.Process(target=_unlifted, args=(size, queue))
    process.start()
    process.join(budget)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per unlifted size (default 60)")
    args = parser.parse_args()
    seconds, equations, chars = lifted_n16_T8()
    print(f"lifted lrnn n=16 T=8 (b=d=1): build + LaTeX {seconds:.2f} s, {equations} equations, {chars:,} characters")
    largest = None
    size = 2
    while True:
        result = unlifted(size, args.budget)
        if result is None:
            print(f"unlifted n=T={size}: did not finish within {args.budget:.0f} s")
            break
        largest = (size, *result)
        print(f"unlifted n=T={size}: {result[0]:.2f} s, {result[1]:,} monomials")
        size += 1
    if largest is not None:
        size, unlifted_seconds, _ = largest
        print(
            f"largest unlifted size within {args.budget:.0f} s: n=T={size} ({unlifted_seconds:.2f} s); "
            f"ratio unlifted(n=T={size}) / lifted(n=16, T=8) = {unlifted_seconds / seconds:.1f}"
        )


if __name__ == "__main__":
    main()
