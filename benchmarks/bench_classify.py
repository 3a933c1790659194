"""Classification time against mask size, and the exact rank kernel against SVD.

Run ``python benchmarks/bench_classify.py`` (``--quick`` for the small sizes
only). One run prints two tables:

1. ``symmp classify --json`` wall time from the command line (a fresh
   process: imports included) on random masks of the lrnn (n = 32 ... 256,
   learnable entries of W only) and the lffn (up to 784-256-10, entries of
   every layer), with the verdict and the ranks;
2. the exact rank kernel (``rank_mod_p``: the blocked elimination at this
   shape) against numpy's floating ``matrix_rank`` (an SVD) on the same
   random 2000 x 2000 residue matrix, both in this process, once with the
   BLAS threads as they come and once with one BLAS thread (the default of
   the rank evaluation in classify; the machine's other load shows in the
   difference).

The specs are drawn with ``Allocation.random(..., seed=0)``; timings vary with
the machine's load, the ranks never.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from symmp import Allocation
from symmp.arithmetic import DEFAULT_PRIME
from symmp.models import LFFN, LRNN
from symmp.modlinalg import rank_mod_p, rank_mod_p_flint
from symmp.spec import dump_spec

#: (label, model, r, m, matrices): the lrnn family of issue 15 and the lffn up to a real MLP mask
CASES = [
    ("lrnn n=32 b=d=4 T=4", LRNN(32, 4, 4, 4), 48, 16, ["W"]),
    ("lrnn n=64 b=d=8 T=4", LRNN(64, 8, 8, 4), 256, 32, ["W"]),
    ("lrnn n=128 b=d=8 T=4", LRNN(128, 8, 8, 4), 256, 32, ["W"]),
    ("lrnn n=256 b=d=16 T=4", LRNN(256, 16, 16, 4), 1024, 64, ["W"]),
    ("lffn 64-32-10", LFFN([64, 32, 10]), 200, 20, None),
    ("lffn 196-128-10", LFFN([196, 128, 10]), 800, 50, None),
    ("lffn 784-256-10", LFFN([784, 256, 10]), 2000, 100, None),
]
QUICK = 2  # cases of each family kept by --quick


def classify_from_cli(spec: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "symmp", "classify", "--json", str(spec)],
        capture_output=True, text=True, check=True,
    )
    return time.perf_counter() - start, json.loads(done.stdout)


def best_time(function, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    for k, line in enumerate([header] + rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest cases of each family")
    parser.add_argument("--repeat", type=int, default=2, help="runs per kernel timing (best kept)")
    parser.add_argument("--size", type=int, default=2000, help="side of the kernel comparison")
    args = parser.parse_args(argv)

    cases = CASES if not args.quick else [c for c in CASES if c[0].startswith("lrnn")][:QUICK] + [
        c for c in CASES if c[0].startswith("lffn")][:QUICK]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, model, r, m, matrices in cases:
            allocation = Allocation.random(model, r, m, matrices=matrices, seed=0)
            spec = Path(folder) / "spec.json"
            dump_spec(allocation, spec)
            seconds, result = classify_from_cli(spec)
            rows.append([label, str(m), str(r), f"{model.n_weights:,}", f"{model.output_dim * m:,}",
                         result["class"], f"{result['rank']}/{result['target_rank']}",
                         str(result["rank_method"].get("projections", 0)), f"{seconds:.2f}"])
    print("symmp classify --json from the command line (fresh process, imports included)\n")
    print_table(["mask", "m", "r", "weights", "outputs", "class", "rho_A/rho_full", "proj.", "CLI s"], rows)

    side = args.size
    dense = np.random.default_rng(1).integers(0, DEFAULT_PRIME, size=(side, side), dtype=np.int64)
    floating = dense.astype(np.float64)
    kernel_rows = []
    for threads in (None, 1):
        with threadpool_limits(limits=threads, user_api="blas"):
            exact_time, exact = best_time(lambda: rank_mod_p(dense), args.repeat)
            svd_time, svd_rank = best_time(lambda: np.linalg.matrix_rank(floating), args.repeat)
        kernel_rows.append([f"{side} x {side} random residues", "as set" if threads is None else "1",
                            str(exact), f"{exact_time:.3f}", str(svd_rank), f"{svd_time:.3f}",
                            f"{svd_time / exact_time:.1f}x"])
    assert rank_mod_p_flint(dense) == exact
    print("\nexact rank kernel against numpy's floating matrix_rank (same matrix, same process, "
          f"best of {args.repeat})\n")
    print_table(["matrix", "BLAS threads", "exact rank", "rank_mod_p s", "SVD rank", "matrix_rank s",
                 "speed-up"], kernel_rows)
    print("\nThe exact rank is modulo p = 2**31 - 1 (checked against python-flint); the SVD rank "
          "of a residue matrix is only a timing reference and decides nothing.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
