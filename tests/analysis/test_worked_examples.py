"""THEORY.md's worked examples (sections 4 and 5) as named tests."""

from __future__ import annotations

import pytest

from symmp import Allocation
from symmp.analysis import classify
from symmp.theorems import w_columns_theorem, w_rows_theorem
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU


# --- section 4: linear estimator, d = 2, m = 2, r = 4 -----------------------
@pytest.mark.parametrize(
    ("per_row", "rank", "verdict"),
    [((2, 2), 4, "maximal"), ((3, 1), 3, "minimal"), ((4, 0), 2, "minimal")],
)
def test_linear_estimator_d2_m2_r4(per_row, rank, verdict):
    model = LinearEstimator(n=4, d=2)
    entries = [("W", row, col) for row, count in enumerate(per_row) for col in range(count)]
    result = classify(Allocation.from_entries(model, entries, m=2))
    assert (result.rank, result.target_rank, result.learnable) == (rank, 4, 4)
    assert result.verdict == verdict
    assert result.affine
    if verdict == "maximal":
        assert result.certificate.startswith("Fact 2")
        assert result.mp_bounds == (1.0, 1.0)
    else:
        assert result.certificate.startswith("Fact 1")
        assert any("row 0 of W holds" in reason for reason in result.reasons)
    # the flow bound is exact for the linear estimator
    assert result.flow.bound == rank


# --- section 4: the flow bound overestimates ---------------------------------
def test_flow_counterexample_rank_3_flow_4():
    # lffn middle layer, d = m = 2, wide layers: row and column budgets 2;
    # entries {(1,2),(1,3),(2,1),(3,1)} 1-based
    model = LFFN([3, 3, 3, 2])
    allocation = Allocation.from_entries(
        model, [("W2", 0, 1), ("W2", 0, 2), ("W2", 1, 0), ("W2", 2, 0)], m=2
    )
    result = classify(allocation)
    assert result.budgets["W2"].rows == [2, 2, 2]
    assert result.budgets["W2"].columns == [2, 2, 2]
    assert result.flow.bound == 4
    assert result.rank == 3
    assert result.target_rank == 4
    assert result.verdict == "minimal"


def test_flow_two_disjoint_2x2_blocks_rank_7_flow_8():
    model = LFFN([4, 4, 4, 3])  # m = 3, d = 3: budgets 3 / 3
    block = [(i, j) for i in range(2) for j in range(2)]
    entries = [("W2", i, j) for i, j in block] + [("W2", i + 2, j + 2) for i, j in block]
    result = classify(Allocation.from_entries(model, entries, m=3))
    assert set(result.budgets["W2"].rows) == {3} and set(result.budgets["W2"].columns) == {3}
    assert result.flow.bound == 8
    assert result.rank == 7
    assert result.target_rank == 9


# --- section 5: Theorems W-rows and W-columns --------------------------------
# (n, b, d, T, m) with m >= T b and n >= T b (rows) / n >= T d (columns)
W_ROWS_SIZES = [(2, 1, 1, 2, 2), (3, 1, 2, 3, 3), (5, 2, 2, 2, 4), (4, 2, 1, 2, 5), (6, 2, 3, 3, 6)]
W_COLUMNS_SIZES = [(2, 1, 1, 2, 2), (4, 1, 2, 2, 2), (5, 2, 2, 2, 4), (6, 2, 3, 2, 4), (6, 3, 2, 3, 9)]


def line_entries(counts, width, axis):
    """counts[q] entries in line q, at consecutive positions continuing cyclically."""
    entries, offset = [], 0
    for line, count in enumerate(counts):
        for position in range(offset, offset + count):
            pair = (line, position % width) if axis == "row" else (position % width, line)
            entries.append(("W", *pair))
        offset += count
    return entries


def rows_allocation(n, b, d, T, m, counts, convention="paper"):
    """counts[q] learnable entries in row q of W, spread cyclically over columns."""
    return Allocation.from_entries(LRNN(n, b, d, T, convention), line_entries(counts, n, "row"), m)


def columns_allocation(n, b, d, T, m, counts):
    return Allocation.from_entries(LRNN(n, b, d, T), line_entries(counts, n, "column"), m)


@pytest.mark.parametrize(("n", "b", "d", "T", "m"), W_ROWS_SIZES)
def test_w_rows_pattern_is_maximal(n, b, d, T, m):
    allocation = rows_allocation(n, b, d, T, m, [T * b] * d)
    assert w_rows_theorem(allocation) == (True, [])
    result = classify(allocation)
    assert result.rank == result.target_rank == d * T * b
    assert not result.affine or T == 1
    assert result.verdict == "maximal"
    assert result.certificate == "sequentially linear"  # the general mechanism
    assert any("Theorem W-rows" in reason for reason in result.reasons)  # cross-check
    assert result.error_bound == 0.0


def filled(total, width):
    """Counts of ``total`` entries crowded into lines filled to ``width``."""
    return [width] * (total // width) + ([total % width] if total % width else [])


# concentrated versions: the same r entries crowded into full rows (n > T b,
# so the first row exceeds its budget T b); d >= 2 so that fewer rows suffice
@pytest.mark.parametrize(
    ("n", "b", "d", "T", "m"), [(5, 2, 2, 2, 4), (4, 1, 2, 3, 3), (7, 2, 3, 3, 6), (3, 1, 2, 2, 2)]
)
def test_w_rows_concentrated_is_minimal(n, b, d, T, m):
    allocation = rows_allocation(n, b, d, T, m, filled(d * T * b, n))
    assert allocation.r == d * T * b
    assert not w_rows_theorem(allocation)[0]
    result = classify(allocation)
    assert result.rank < result.target_rank == d * T * b
    assert result.verdict == "minimal"
    assert any(f"row 0 of W holds {n} learnable weights but can supply only {T * b}" in reason
               for reason in result.reasons)


@pytest.mark.parametrize(("n", "b", "d", "T", "m"), W_COLUMNS_SIZES)
def test_w_columns_pattern_is_maximal(n, b, d, T, m):
    allocation = columns_allocation(n, b, d, T, m, [T * d] * b)
    assert w_columns_theorem(allocation) == (True, [])
    result = classify(allocation)
    assert result.rank == result.target_rank == b * T * d
    assert result.verdict == "maximal"
    assert result.certificate == "sequentially linear"  # the general mechanism
    assert any("Theorem W-columns" in reason for reason in result.reasons)  # cross-check


@pytest.mark.parametrize(
    ("n", "b", "d", "T", "m"), [(5, 2, 2, 2, 4), (4, 2, 1, 3, 6), (7, 3, 2, 3, 9), (3, 2, 1, 2, 4)]
)
def test_w_columns_concentrated_is_minimal(n, b, d, T, m):
    allocation = columns_allocation(n, b, d, T, m, filled(b * T * d, n))
    assert allocation.r == b * T * d
    assert not w_columns_theorem(allocation)[0]
    result = classify(allocation)
    assert result.rank < result.target_rank == b * T * d
    assert result.verdict == "minimal"
    assert any(f"column 0 of W holds {n} learnable weights but can supply only {T * d}" in reason
               for reason in result.reasons)


def test_w_rows_example_spec_numbers():
    # examples/specs/lrnn_w_rows.json: n = 5, b = d = T = 2, m = 4, rows 0 and 1
    allocation = rows_allocation(5, 2, 2, 2, 4, [4, 4])
    result = classify(allocation)
    assert (result.rank, result.target_rank, result.learnable) == (8, 8, 8)
    assert result.verdict == "maximal"


def test_w_rows_hypotheses_are_each_checked():
    # m < T b: the theorem must not apply even with the right pattern
    holds, why = w_rows_theorem(rows_allocation(4, 1, 1, 3, 2, [3]))
    assert not holds and any("m >= T*b" in w for w in why)
    # standard convention
    model = LRNN(4, 1, 1, 2, convention="standard")
    holds, why = w_rows_theorem(Allocation.in_rows(model, "W", [0], k=2, m=2))
    assert not holds and any("paper convention" in w for w in why)
    # extra D entry
    model = LRNN(4, 1, 1, 2)
    allocation = Allocation.in_rows(model, "W", [0], k=2, m=2) | Allocation.from_entries(
        model, [("D", 0, 0)], m=2
    )
    assert not w_rows_theorem(allocation)[0]
    # n < T b
    assert not w_rows_theorem(rows_allocation(2, 1, 1, 3, 3, [2]))[0]
    # not an lrnn
    assert not w_rows_theorem(Allocation.diagonal(LinearEstimator(2, 2), "W", m=2))[0]
    assert not w_columns_theorem(Allocation.diagonal(LinearEstimator(2, 2), "W", m=2))[0]


# --- section 1 / 5: the standard convention ----------------------------------
@pytest.mark.parametrize(("n", "b", "d", "T"), [(4, 1, 1, 2), (5, 2, 2, 2), (3, 1, 2, 3), (6, 2, 1, 3)])
def test_standard_convention_w_only_is_minimal(n, b, d, T):
    model = LRNN(n, b, d, T, convention="standard")
    m = T * b
    allocations = [
        Allocation.from_entries(model, model.all_entries(["W"]), m),  # all of W
        rows_allocation(n, b, d, T, m, [min(n, T * b)] * d, convention="standard"),
        Allocation.diagonal(model, "W", m),
    ]
    for allocation in allocations:
        result = classify(allocation)
        assert result.rank < result.target_rank, allocation
        assert result.verdict == "minimal"


def test_paper_convention_w_rows_pattern_differs_from_standard():
    # the very pattern that is maximal in the paper convention is minimal in the standard one
    paper = rows_allocation(4, 1, 1, 2, 2, [2])
    standard = Allocation.from_entries(LRNN(4, 1, 1, 2, convention="standard"), paper.entries, 2)
    assert classify(paper).verdict == "maximal"
    assert classify(standard).verdict == "minimal"


@pytest.mark.parametrize(
    "model",
    [LinearEstimator(n=3, d=2), LRNN(n=3, b=1, d=2, T=3), LRNN(n=2, b=2, d=1, T=2, convention="standard"),
     LFFN([2, 3, 2]), ShallowReLU(n0=2, h=3, d=1)],
    ids=repr,
)
def test_every_weight_learnable_is_maximal(model):
    """The student can copy the teacher: MP = 1 whatever the ranks or the activation."""
    allocation = Allocation.from_entries(model, model.all_entries(), m=4)
    result = classify(allocation)
    assert (result.verdict, result.certificate, result.error_bound) == ("maximal", "every weight learnable", 0.0)
