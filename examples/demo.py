"""Classify the paper's small examples and print a table (``make demo``),
then estimate the match probability of the two intermediate ones.

Four verdicts (THEORY.md section 8): ``maximal`` (MP = 1 proved: Fact 2,
sequential linearity, Theorems W-rows / W-columns, monotonicity in m,
parity of the generic solution count, reductions of a rank-deficient
target: redundant equations, projection on null vectors), ``minimal`` (MP = 0 proved: Fact 1
with exact ranks modulo a large prime), ``intermediate`` (0 < MP < 1 proved
by two witnesses: a draw with a Krawczyk-certified real solution and a draw
with an exact positive-definite certificate of no real solution, each
persisting nearby) and ``undecided`` (MP > 0 from equal ranks only: an
estimate of MP is then an estimate, never a verdict). The intermediate
allocations get an MP estimate with its Wilson interval, each trial's
verdict proved by the certified solver.

Run ``python examples/demo.py``.
"""

from __future__ import annotations

import time

from symmp import LFFN, LRNN, Allocation, LinearEstimator, classify
from symmp.numeric import estimate_mp


def paper_examples() -> list[tuple[str, Allocation]]:
    """The worked examples of THEORY.md sections 4 and 5."""
    linear = LinearEstimator(n=4, d=2)
    rnn = LRNN(n=5, b=2, d=2, T=2)
    rnn_standard = LRNN(n=5, b=2, d=2, T=2, convention="standard")
    tiny = LRNN(n=2, b=1, d=1, T=2)
    deep = LFFN([4, 4, 4, 2])
    narrow = LFFN([3, 2, 3])  # the narrow layer makes the target P = W2 W1 rank 2

    def rows(model, counts, m):
        entries = [("W", i, j) for i, count in enumerate(counts) for j in range(count)]
        return Allocation.from_entries(model, entries, m=m)

    return [
        ("linear estimator, rows 2+2", rows(linear, [2, 2], 2)),
        ("linear estimator, rows 3+1", rows(linear, [3, 1], 2)),
        ("linear estimator, rows 4+0", rows(linear, [4, 0], 2)),
        ("lrnn W-rows (d rows x T*b)", Allocation.in_rows(rnn, "W", [0, 1], k=4, m=4)),
        ("lrnn W-columns (b cols x T*d)", Allocation.in_columns(rnn, "W", [0, 1], k=4, m=4)),
        ("lrnn W-rows at m = 3 < T*b", Allocation.in_rows(rnn, "W", [0, 1], k=4, m=3)),
        ("lrnn W-rows, one entry moved", rows(rnn, [4, 3, 1], 4)),
        ("lrnn W concentrated (rows 5+3)", rows(rnn, [5, 3], 4)),
        ("lrnn W-rows, standard convention", Allocation.in_rows(rnn_standard, "W", [0, 1], k=4, m=4)),
        ("lrnn decoder D only", Allocation.spread(rnn, "D", r=8, K=2, m=4)),
        ("lrnn n=2 T=2, diagonal W", Allocation.diagonal(tiny, "W", m=2)),
        ("lrnn n=2 T=2, anti-diagonal W", Allocation.diagonal(tiny, "W", m=2, anti=True)),
        ("lffn flow counterexample", Allocation.from_entries(
            deep, [("W2", 0, 1), ("W2", 0, 2), ("W2", 1, 0), ("W2", 2, 0)], m=2)),
        ("lffn [3,2,3], W1 + W2 row 0", Allocation.from_entries(
            narrow, [("W1", i, j) for i in range(2) for j in range(3)] + [("W2", 0, 0), ("W2", 0, 1)], m=3)),
        ("lffn [3,2,3], W1 + W2 (0,1), (2,0)", Allocation.from_entries(
            narrow, [("W1", i, j) for i in range(2) for j in range(3)] + [("W2", 0, 1), ("W2", 2, 0)], m=3)),
    ]


def main() -> None:
    header = ["allocation", "r", "rho_A", "rho_full", "flow", "class", "certificate"]
    rows = []
    worst_error = 0.0
    start = time.perf_counter()
    for name, allocation in paper_examples():
        verdict = classify(allocation)
        if verdict.error_bound is not None:
            worst_error = max(worst_error, verdict.error_bound)
        rows.append([name, allocation.r, verdict.rank, verdict.target_rank,
                     verdict.flow.bound, verdict.verdict, verdict.certificate])
    widths = [max(len(str(row[k])) for row in [header] + rows) for k in range(len(header))]
    line = "  ".join
    for cells in [header, ["-" * w for w in widths]] + rows:
        print(line(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())
    print(
        f"\n{len(rows)} allocations classified in {time.perf_counter() - start:.2f} s from exact "
        f"ranks modulo p = 2^31 - 1 at 3 random points; the largest probability that a verdict "
        f"is wrong (Schwartz-Zippel, for ranks and for parity's random members) is {worst_error:.1e}. "
        "Details: symmp classify SPEC.json --json"
    )
    # the intermediate ones need trials: MP of the diagonal allocation, every trial proved
    tiny = LRNN(n=2, b=1, d=1, T=2)
    for anti in (False, True):
        result = estimate_mp(Allocation.diagonal(tiny, "W", m=2, anti=anti), trials=300, seed=0)
        print(f"\nMP of the {'anti-' if anti else ''}diagonal W allocation (n=2, T=2): {result}")
        print(f"  {result.note}; {result.seconds:.1f} s")
    # the paper's experiment at one point: r = 8 learnable W entries over K = 8 rows, n = 8
    spread = Allocation.spread(LRNN(n=8, b=2, d=2, T=2), "W", r=8, K=8, m=4)
    result = estimate_mp(spread, trials=500, seed=0)
    print(f"\nMP of r = 8 W entries spread over K = 8 rows (n = 8, b = d = 2, T = 2): {result}")
    print(f"  {result.note}; {result.seconds:.1f} s")


if __name__ == "__main__":
    main()
