"""The exact rank kernel against numpy's floating ``matrix_rank``: shared by
``bench_rank.py`` and ``bench_classify.py``.

:func:`kernel_comparison` times ``rank_mod_p`` and ``np.linalg.matrix_rank``
(an SVD) on the *same* matrix, in the same process, alternating the two,
under the *same* BLAS thread count (threadpoolctl limits every loaded BLAS:
numpy's OpenBLAS, used by ``matrix_rank`` and the kernel's numpy products,
and scipy's, used by the kernel's in-place ``dgemm``). It reports wall and
CPU seconds (best of ``repeat``) and the ratio of each; the exact rank is
checked against python-flint.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from symmp.arithmetic import DEFAULT_PRIME
from symmp.modlinalg import rank_mod_p, rank_mod_p_flint

HEADER = ["matrix", "BLAS threads", "exact rank", "rank_mod_p s (cpu)", "SVD rank", "matrix_rank s (cpu)",
          "speed-up wall (cpu)"]


def best_time(function, repeat: int) -> tuple[float, float, object]:
    """(best wall seconds, CPU seconds of that run, value) over ``repeat`` runs."""
    best, cpu, value = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = function()
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return best, cpu, value


def blas_libraries() -> str:
    """The BLAS libraries loaded, e.g. 'openblas 0.3.31 (SkylakeX)'."""
    seen = [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return ", ".join(sorted(set(seen)))


def kernel_comparison(label: str, matrix: np.ndarray, threads: list[int | None], repeat: int) -> list[list[str]]:
    """One table row per BLAS thread count: rank_mod_p against matrix_rank on ``matrix``."""
    floating = matrix.astype(np.float64)
    rank_mod_p(matrix[:200, :200])  # load scipy's BLAS before the limits are set
    rows = []
    for count in threads:
        with threadpool_limits(limits=count, user_api="blas"):
            exact_time = svd_time = float("inf")
            for _ in range(repeat):  # alternate the two, so both see the same load
                wall, cpu, exact = best_time(lambda: rank_mod_p(matrix), 1)
                if wall < exact_time:
                    exact_time, exact_cpu = wall, cpu
                wall, cpu, svd_rank = best_time(lambda: np.linalg.matrix_rank(floating), 1)
                if wall < svd_time:
                    svd_time, svd_cpu = wall, cpu
        rows.append([label, "as set" if count is None else str(count), str(exact),
                     f"{exact_time:.3f} ({exact_cpu:.3f})", str(svd_rank), f"{svd_time:.3f} ({svd_cpu:.3f})",
                     f"{svd_time / exact_time:.1f}x ({svd_cpu / exact_cpu:.1f}x)"])
    assert exact == rank_mod_p_flint(matrix), "rank_mod_p disagrees with flint"
    return rows


def random_residues(side: int, seed: int = 1) -> np.ndarray:
    """A random ``side x side`` residue matrix modulo 2**31 - 1 (full rank: the worst case)."""
    return np.random.default_rng(seed).integers(0, DEFAULT_PRIME, size=(side, side), dtype=np.int64)


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    for k, line in enumerate([header] + rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


NOTE = ("Both sides run on the same matrix in the same process, alternately, under the same BLAS "
        "thread count (threadpoolctl; 'as set' = the machine's default). CPU seconds are this "
        "process's. The exact rank is modulo p = 2**31 - 1 (checked against python-flint); the SVD "
        "rank of a residue matrix is only a timing reference and decides nothing.")
