"""Exact modular rank against floating SVD and sympy, on real model Jacobians.

Run ``python benchmarks/bench_rank.py`` (``--help`` for sizes). One run prints
two tables of wall times and the ratios issues 2 and 15 ask for:

- ``rank_mod_p`` on a ~2000 x 2000 lrnn Jacobian (built by
  ``model.jacobian`` under ``ModularArithmetic``) against numpy's floating
  ``matrix_rank`` (an SVD) of the same matrix, and on a random full-rank
  2000 x 2000 matrix (the worst case: every panel finds a full pivot block),
  each at every BLAS thread count of ``--threads`` (the same count on both
  sides; :mod:`rank_kernel`, shared with ``bench_classify.py``);
- ``rank_mod_p`` against sympy's ``Matrix.rank`` at 150 x 150 (150 columns
  of an lrnn Jacobian at a small-integer point, rank 150, so sympy works with
  small exact integers), with sympy's ``DomainMatrix`` over QQ and
  python-flint's ``nmod_mat.rank`` for reference. ``Matrix.rank`` runs in a
  child process under ``--sympy-timeout`` seconds; if it does not finish, the
  table shows the timeout and the speed-up as a lower bound (">").

Each timing is the best of ``--repeat`` runs (sympy: one run), with the CPU
seconds of that run beside it (on a shared machine the wall time also counts
other processes' load). The ranks are checked against flint every time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

import numpy as np

from rank_kernel import HEADER, NOTE, blas_libraries, kernel_comparison, print_table, random_residues
from symmp.arithmetic import DEFAULT_PRIME, FLOAT, ModularArithmetic
from symmp.analysis.ranks import random_point
from symmp.models import LRNN
from symmp.modlinalg import rank_mod_p, rank_mod_p_flint


def best_time(function, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def modular_jacobian(model, m: int, seed: int) -> np.ndarray:
    ar = ModularArithmetic(DEFAULT_PRIME)
    weights, inputs = random_point(model, m, ar, np.random.default_rng(seed))
    return model.jacobian(weights, inputs, model.all_entries(), ar)


def small_integer_jacobian(model, m: int, seed: int) -> np.ndarray:
    """Jacobian at a point with weights and inputs in {-2, ..., 2}: an exact integer matrix."""
    rng = np.random.default_rng(seed)
    weights = {
        name: rng.integers(-2, 3, size=shape).astype(float) for name, shape in model.matrix_shapes.items()
    }
    inputs = rng.integers(-2, 3, size=model.input_shape(m)).astype(float)
    jacobian = model.jacobian(weights, inputs, model.all_entries(), FLOAT)
    assert np.abs(jacobian).max() < 2**50
    return jacobian.astype(np.int64)


def _sympy_rank_child(rows: list, queue) -> None:
    import sympy

    matrix = sympy.Matrix(rows)
    start = time.perf_counter()
    rank = matrix.rank()
    queue.put((time.perf_counter() - start, rank))


def sympy_matrix_rank(matrix: np.ndarray, timeout: float) -> tuple[float, object, bool]:
    """(seconds, rank, finished) of sympy's ``Matrix.rank`` in a child process."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sympy_rank_child, args=(matrix.tolist(), queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return timeout, "-", False
    seconds, rank = queue.get()
    return seconds, rank, True


def domain_matrix_rank(matrix: np.ndarray) -> int:
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    return DomainMatrix([[QQ(int(x)) for x in row] for row in matrix.tolist()], matrix.shape, QQ).rank()


def row(name, shape, exact_rank, exact_time, other_name, other_rank, other_time, finished=True):
    ratio = other_time / exact_time
    return [
        name,
        f"{shape[0]} x {shape[1]}",
        str(exact_rank),
        f"{exact_time:.3f}",
        other_name,
        str(other_rank),
        f"{other_time:.3f}" if finished else f"> {other_time:.0f} (killed)",
        f"{ratio:.1f}x" if finished else f"> {ratio:.0f}x",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts of the kernel table")
    parser.add_argument("--sympy-size", type=int, default=150, help="side of the sympy comparison")
    parser.add_argument("--skip-sympy", action="store_true", help="leave sympy's Matrix.rank out")
    parser.add_argument(
        "--sympy-timeout", type=float, default=120.0, help="seconds before Matrix.rank is killed"
    )
    args = parser.parse_args(argv)
    threads = [int(t) for t in args.threads.split(",")]

    # 1. lrnn Jacobian, 2000 x 2125 (d*m = 40*50 outputs, 25^2 + 25*20 + 40*25 weights)
    model, m = LRNN(n=25, b=20, d=40, T=3), 50
    jacobian = modular_jacobian(model, m, seed=0)
    assert rank_mod_p(jacobian) == model.rank_upper_bound(m)
    kernel = kernel_comparison(f"lrnn {model.dims()} m={m} Jacobian {jacobian.shape[0]} x {jacobian.shape[1]}",
                               jacobian, threads, args.repeat)
    # 2. random full-rank 2000 x 2000 residues (worst case for elimination)
    kernel += kernel_comparison("random residues 2000 x 2000", random_residues(2000), threads, args.repeat)
    print(f"exact rank kernel against numpy's floating matrix_rank (BLAS: {blas_libraries()})\n")
    print_table(HEADER, kernel)
    print(NOTE + "\n")

    rows = []
    # 3. sympy and flint at 150 x 150: 150 columns of an lrnn Jacobian at a small-integer point
    small_model, small_m = LRNN(n=10, b=5, d=15, T=2), 10  # 150 x 300 Jacobian
    full = small_integer_jacobian(small_model, small_m, seed=2)
    columns = np.sort(np.random.default_rng(0).choice(full.shape[1], args.sympy_size, replace=False))
    small = full[: args.sympy_size, columns]
    name = f"lrnn {small_model.dims()} m={small_m}, 150 cols"
    exact_time, exact = best_time(lambda: rank_mod_p(small), args.repeat)
    flint_time, flint_rank = best_time(lambda: rank_mod_p_flint(small), args.repeat)
    assert exact == flint_rank
    rows.append(row(name, small.shape, exact, exact_time, "flint nmod_mat", flint_rank, flint_time))
    domain_time, domain_rank = best_time(lambda: domain_matrix_rank(small), 1)
    rows.append(row(name, small.shape, exact, exact_time, "sympy DomainMatrix(QQ)", domain_rank, domain_time))
    if not args.skip_sympy:
        sympy_time, sympy_rank, finished = sympy_matrix_rank(small, args.sympy_timeout)
        rows.append(row(name, small.shape, exact, exact_time, "sympy Matrix.rank", sympy_rank,
                        sympy_time, finished))
    print_table(["matrix", "shape", "exact rank", "rank_mod_p s", "vs", "its rank", "its s", "speed-up"], rows)
    print("\nspeed-up = other time / rank_mod_p time (> 1 means rank_mod_p is faster); "
          f"best of {args.repeat} runs, sympy one run. Exact ranks are modulo p = {DEFAULT_PRIME}, "
          "sympy's over Q.")
    print("The exact rank mod p is a certified lower bound on the rank over Q; numpy's SVD rank of "
          "a residue matrix is only a timing reference (it decides nothing).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
