"""Classification time against mask size, and the exact rank kernel against SVD.

Run ``python benchmarks/bench_classify.py`` (``--quick`` for the small sizes
only). One run prints two tables:

1. ``symmp classify --json`` wall time from the command line (a fresh
   process: imports included) on random masks of the lrnn (n = 32 ... 256,
   learnable entries of W only) and the lffn (up to 784-256-10, entries of
   every layer), with the verdict and the ranks;
2. the exact rank kernel (``rank_mod_p``: the blocked elimination at this
   shape) against numpy's floating ``matrix_rank`` (an SVD) on the same
   random 2000 x 2000 residue matrix, both in this process, at one BLAS
   thread (the default of the rank evaluation in classify) and at two, the
   same count on both sides (:mod:`rank_kernel`, shared with
   ``bench_rank.py``).

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

from rank_kernel import HEADER, NOTE, blas_libraries, kernel_comparison, print_table, random_residues
from symmp import Allocation
from symmp.models import LFFN, LRNN
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest cases of each family")
    parser.add_argument("--repeat", type=int, default=2, help="runs per kernel timing (best kept)")
    parser.add_argument("--size", type=int, default=2000, help="side of the kernel comparison")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts of the kernel table")
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
    kernel = kernel_comparison(f"{side} x {side} random residues", random_residues(side),
                               [int(t) for t in args.threads.split(",")], args.repeat)
    print(f"\nexact rank kernel against numpy's floating matrix_rank (best of {args.repeat}; BLAS: "
          f"{blas_libraries()})\n")
    print_table(HEADER, kernel)
    print("\n" + NOTE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
