"""Invariants of the exact analysis, as hypothesis property tests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from symmp import Allocation
from symmp.analysis import classify, equation_budgets, exact_rank, flow_bound, generic_ranks
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU


@st.composite
def small_models(draw):
    kind = draw(st.sampled_from(["linear", "lrnn", "lffn", "relu"]))
    size = st.integers(1, 3)
    if kind == "linear":
        return LinearEstimator(draw(size), draw(size))
    if kind == "lrnn":
        convention = draw(st.sampled_from(["paper", "standard"]))
        return LRNN(draw(size), draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(size), convention)
    if kind == "lffn":
        return LFFN(draw(st.lists(size, min_size=2, max_size=4)))
    return ShallowReLU(draw(size), draw(size), draw(st.integers(1, 2)))


@st.composite
def nested_allocations(draw):
    """(smaller, larger) allocations of one model, smaller a subset of larger."""
    model = draw(small_models())
    pool = model.all_entries()
    larger = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    smaller = larger[: draw(st.integers(1, len(larger)))]
    m = draw(st.integers(1, 4))
    return Allocation.from_entries(model, smaller, m), Allocation.from_entries(model, larger, m)


@given(pair=nested_allocations())
def test_rank_is_at_most_r_and_target(pair):
    _, allocation = pair
    report = generic_ranks(allocation, points=2)
    assert 0 <= report.rank <= min(allocation.r, report.target_rank)
    assert report.target_rank <= allocation.model.rank_upper_bound(allocation.m) or not allocation.model.polynomial


@given(pair=nested_allocations())
def test_adding_entries_never_lowers_the_rank(pair):
    smaller, larger = pair
    model, m = larger.model, larger.m
    small_rank = exact_rank(model, smaller.ordered_entries, m, points=2, seed=7)
    large_rank = exact_rank(model, larger.ordered_entries, m, points=2, seed=7)
    assert small_rank <= large_rank <= small_rank + (larger.r - smaller.r)


@given(pair=nested_allocations())
def test_flow_bound_is_an_upper_bound(pair):
    _, allocation = pair
    if not allocation.model.polynomial:
        return  # budgets of ReLU nets are measured at one activation pattern
    report = generic_ranks(allocation, points=2)
    flow = flow_bound(allocation, equation_budgets(allocation.model, allocation.m), report.target_rank)
    assert flow.bound >= report.rank
    assert flow.uncovered == report.target_rank - flow.bound
    # each line's rank contribution is capped by its budget: waste is counted exactly
    budgets = equation_budgets(allocation.model, allocation.m)
    for waste in flow.waste:
        limits = budgets[waste.matrix].rows if waste.axis == "row" else budgets[waste.matrix].columns
        assert waste.budget == limits[waste.index] < waste.learnable


@given(pair=nested_allocations())
def test_verdict_is_consistent_with_ranks(pair):
    _, allocation = pair
    result = classify(allocation, points=2)
    assert result.verdict in ("maximal", "minimal", "intermediate", "undecided")
    if allocation.model.polynomial:
        if result.rank < result.target_rank:
            assert result.verdict == "minimal"
        else:
            assert result.verdict in ("maximal", "intermediate", "undecided")
    elif result.verdict != "undecided":
        # networks with an activation: certificates exist for D-only allocations, the trivial one
        # when every weight is learnable, free units (exact route) and the exact route's witnesses
        assert (result.affine and allocation.model.activation in ("tanh", "sigmoid")) or (
            allocation.r == allocation.model.n_weights and result.verdict == "maximal"
        ) or result.certificate.startswith("free units") or (
            result.verdict == "intermediate" and "relu_witnesses" in result.to_dict()["evidence"]
        )
    everything = allocation.r == allocation.model.n_weights
    if result.verdict == "maximal" and allocation.model.polynomial:
        assert everything or result.affine or result.certificate in (
            "sequentially linear", "Theorem W-rows", "Theorem W-columns"
        ) or result.certificate.startswith(("monotonicity in m", "parity", "reduction: "))
    if result.verdict == "intermediate":  # proved by its two witnesses
        evidence = result.to_dict()["evidence"]
        assert set(evidence.get("witnesses") or evidence["relu_witnesses"]) >= {"yes", "no"}
    if result.error_bound is None:  # "no certificate applies" for activation networks (parity is bounded)
        assert result.verdict == "undecided" and not allocation.model.polynomial
    else:
        assert 0.0 <= result.error_bound <= 1.0
