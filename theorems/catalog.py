"""The paper's theorems (THEORY.md sections 3 to 5) as executable statements.

Each theorem is checked on a grid of sizes. Maximal statements are checked
three ways: every hypothesis holds, symmp's general analysis
(:func:`symmp.analysis.classify`) says ``maximal``, and the constructive proof
is carried out in exact rational arithmetic on random draws, where the
student's outputs must equal the teacher's exactly. Minimal statements are
checked by exact generic ranks (rho_A < rho_full, Fact 1).

Examples
--------
>>> from theorems.base import verify
>>> verify(THEOREMS["linear-estimator"], trials=2).holds
True
"""

from __future__ import annotations

from symmp import LRNN, Allocation, LinearEstimator, classify
from symmp.analysis import w_columns_theorem, w_rows_theorem
from symmp.numeric.sampling import draw_trial

from .base import InstanceCheck, Theorem
from .lrnn_constructions import exact_match, w_columns_construction, w_rows_construction

__all__ = ["THEOREMS"]

# (n, b, d, T) sizes for the lrnn theorems: b, d >= 2 included, T up to 3
_LRNN_SIZES = [(4, 1, 1, 2), (5, 2, 2, 2), (6, 2, 3, 2), (6, 1, 2, 3), (7, 2, 2, 3), (6, 3, 2, 2)]


def _rows_instances():
    for n, b, d, T in _LRNN_SIZES:
        if n >= T * b and d <= n:
            for m in (T * b, T * b + 1):
                yield (
                    f"n={n} b={b} d={d} T={T} m={m}",
                    Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d)), k=T * b, m=m),
                )


def _columns_instances():
    for n, b, d, T in _LRNN_SIZES:
        if n >= T * d and b <= n and n >= T * b:
            for m in (T * b, T * b + 1):
                yield (
                    f"n={n} b={b} d={d} T={T} m={m}",
                    Allocation.in_columns(LRNN(n, b, d, T), "W", list(range(b)), k=T * d, m=m),
                )


def _maximal_check(hypotheses, construction):
    def check(allocation: Allocation, trials: int, seed: int) -> InstanceCheck:
        holds_hyp, failures = hypotheses(allocation)
        verdict = classify(allocation, seed=seed)
        matched = sum(
            exact_match(allocation, trial, construction(allocation, trial, exact=True))
            for trial in (draw_trial(allocation, seed, i) for i in range(trials))
        )
        return InstanceCheck(
            label=repr(allocation),
            holds=holds_hyp and verdict.verdict == "maximal" and matched == trials,
            details={
                "hypotheses": "all hold" if holds_hyp else failures,
                "analysis": f"{verdict.verdict} ({verdict.certificate})",
                "rank": [verdict.rank, verdict.target_rank],
                "exact_matches": f"{matched}/{trials}",
            },
        )

    return check


def _minimal_check(allocation: Allocation, trials: int, seed: int) -> InstanceCheck:
    verdict = classify(allocation, seed=seed)
    return InstanceCheck(
        label=repr(allocation),
        holds=verdict.verdict == "minimal" and verdict.rank < verdict.target_rank,
        details={
            "analysis": f"{verdict.verdict} ({verdict.certificate})",
            "rank": [verdict.rank, verdict.target_rank],
            "error_bound": verdict.error_bound,
        },
    )


def _concentrated_instances():
    """r = rho_full = d*T*b learnable W entries with one row over its budget
    (T*b + 1 in the first row, T*b - 1 in the last; needs d >= 2)."""
    for n, b, d, T in _LRNN_SIZES:
        if n >= T * b + 1 and 2 <= d <= n:
            counts = [T * b + 1] + [T * b] * (d - 2) + [T * b - 1]
            entries = [("W", i, (i + j) % n) for i, count in enumerate(counts) for j in range(count)]
            model = LRNN(n, b, d, T)
            yield f"n={n} b={b} d={d} T={T} rows {counts}", Allocation.from_entries(model, entries, m=T * b)


def _few_rows_instances():
    """Fewer than d rows of W covered (m >= T*b): the lag-1 block D W B is out of reach."""
    for n, b, d, T in _LRNN_SIZES:
        if d >= 2:
            model = LRNN(n, b, d, T)
            k = min(n, T * b)
            yield f"n={n} b={b} d={d} T={T}", Allocation.in_rows(model, "W", list(range(d - 1)), k=k, m=T * b)


def _standard_instances():
    """Standard convention, W-only, m >= T*b: D B X_T cannot be matched by W."""
    for n, b, d, T in _LRNN_SIZES:
        model = LRNN(n, b, d, T, convention="standard")
        yield f"n={n} b={b} d={d} T={T} all of W", Allocation.spread(model, "W", r=n * n, K=n, m=T * b)
        if n >= T * b:
            yield (
                f"n={n} b={b} d={d} T={T} W-rows pattern",
                Allocation.in_rows(model, "W", list(range(min(d, n))), k=T * b, m=T * b),
            )


def _linear_instances():
    model = LinearEstimator(n=4, d=2)
    for counts, expected in (((2, 2), "maximal"), ((3, 1), "minimal"), ((4, 0), "minimal")):
        entries = [("W", i, j) for i, count in enumerate(counts) for j in range(count)]
        yield f"rows {counts[0]}+{counts[1]}", (Allocation.from_entries(model, entries, m=2), expected)


def _linear_check(payload, trials: int, seed: int) -> InstanceCheck:
    allocation, expected = payload
    verdict = classify(allocation, seed=seed)
    return InstanceCheck(
        label=repr(allocation),
        holds=verdict.verdict == expected,
        details={"expected": expected, "analysis": verdict.verdict, "rank": [verdict.rank, verdict.target_rank]},
    )


THEOREMS: dict[str, Theorem] = {
    theorem.key: theorem
    for theorem in [
        Theorem(
            "linear-estimator",
            "Linear estimator, d = 2, m = 2, r = 4 (worked example)",
            "Rows 2+2 give rank 4 and MP = 1; 3+1 give rank 3 and MP = 0; 4+0 give rank 2 and MP = 0.",
            "THEORY.md section 4 (Facts 1 and 2)",
            _linear_instances,
            _linear_check,
        ),
        Theorem(
            "w-rows",
            "Theorem W-rows (MP = 1)",
            "lrnn, paper convention, m >= T*b, n >= T*b, only W learnable, exactly d rows holding "
            "T*b learnable entries each: MP = 1.",
            "THEORY.md section 5",
            _rows_instances,
            _maximal_check(w_rows_theorem, w_rows_construction),
        ),
        Theorem(
            "w-columns",
            "Theorem W-columns (MP = 1)",
            "lrnn, paper convention, m >= T*b, n >= T*d, only W learnable, exactly b columns holding "
            "T*d learnable entries each: MP = 1.",
            "THEORY.md section 5",
            _columns_instances,
            _maximal_check(w_columns_theorem, w_columns_construction),
        ),
        Theorem(
            "row-over-budget",
            "A row beyond its budget with r = rho_full (MP = 0)",
            "Any row beyond its budget wastes weights; with r = rho_full that forces rho_A < rho_full.",
            "THEORY.md section 5 (minimal side)",
            _concentrated_instances,
            _minimal_check,
        ),
        Theorem(
            "fewer-than-d-rows",
            "Fewer than d rows of W (MP = 0)",
            "With m >= T*b, covering fewer than d rows of W gives MP = 0.",
            "THEORY.md section 5 (minimal side)",
            _few_rows_instances,
            _minimal_check,
        ),
        Theorem(
            "standard-w-only",
            "Standard convention, W only (MP = 0)",
            "In the standard convention W-only allocations cannot match D B, so they are minimal "
            "when m >= T*b.",
            "THEORY.md section 1",
            _standard_instances,
            _minimal_check,
        ),
    ]
}
