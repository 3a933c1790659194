"""Ranks by random projection (forward-mode Jacobian-vector products) against
the explicit Jacobian, the blocked elimination against flint, and the
structural shortcuts of the sequential search (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symmp import Allocation
from symmp.analysis import classify, generic_ranks
from symmp.analysis.classify import LIST_LIMIT
from symmp.analysis.projection import NEAR_UNIFORM, random_balanced
from symmp.analysis.ranks import schwartz_zippel_bound
from symmp.analysis.sequential import lifted_size
from symmp.arithmetic import DEFAULT_PRIME
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU
from symmp.modlinalg import rank_mod_p, rank_mod_p_blocked, rank_mod_p_flint
from symmp.spec import load_spec
from symmp.systems.lifted import build_terms

SPECS = sorted((Path(__file__).resolve().parents[2] / "examples" / "specs").glob("*.json"))


def agree(allocation: Allocation) -> None:
    full = generic_ranks(allocation, method="full")
    projected = generic_ranks(allocation, method="projected")
    assert (projected.rank, projected.target_rank) == (full.rank, full.target_rank), allocation
    assert full.projections == 0 and projected.projections >= 1


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_projection_agrees_on_the_example_specs(spec):
    agree(load_spec(spec))


def random_models(rng):
    kind = rng.choice(["linear", "lrnn", "lffn", "relu"], p=[0.15, 0.45, 0.3, 0.1])
    size = lambda hi: int(rng.integers(1, hi + 1))  # noqa: E731
    if kind == "linear":
        return LinearEstimator(size(5), size(4))
    if kind == "lrnn":
        return LRNN(size(6), size(3), size(3), size(3), str(rng.choice(["paper", "standard"])))
    if kind == "lffn":
        return LFFN([size(5) for _ in range(size(3) + 1)])
    return ShallowReLU(size(4), size(4), size(2))


def test_projection_agrees_on_three_hundred_random_allocations():
    rng = np.random.default_rng(15)
    deficient = 0
    for trial in range(300):
        model = random_models(rng)
        r = int(rng.integers(1, model.n_weights + 1))
        allocation = Allocation.random(model, r, int(rng.integers(1, 7)), seed=trial)
        agree(allocation)
        report = generic_ranks(allocation)
        deficient += report.rank < min(r, report.target_rank)
    assert deficient >= 10  # the sample holds rank-deficient allocations, not only easy ones


def test_large_masks_are_projected_and_agree_with_the_explicit_jacobian():
    # 96 x 2,560 Jacobian: auto reduces it to 48 columns, the explicit method eliminates it whole
    model = LRNN(n=48, b=4, d=4, T=3)
    allocation = Allocation.random(model, 300, 24, matrices=["W"], seed=1)
    auto, full = generic_ranks(allocation), generic_ranks(allocation, method="full")
    assert auto.projections == 1 and full.projections == 0
    assert (auto.rank, auto.target_rank) == (full.rank, full.target_rank) == (48, 48) == (auto.upper_bound,) * 2
    assert auto.points_used == (1, 1)  # both ranks reached their a-priori bound at the first point


def test_bound_includes_the_projection():
    plain = schwartz_zippel_bound(10, 3, DEFAULT_PRIME, 1)
    projected = schwartz_zippel_bound(10, 3, DEFAULT_PRIME, 1, projections=1)
    assert plain == pytest.approx(11 * 3 / DEFAULT_PRIME)
    assert projected == pytest.approx(11 * (3 + 1 + NEAR_UNIFORM) / DEFAULT_PRIME)
    # a deficient projected rank states the larger bound
    model = LRNN(n=48, b=4, d=4, T=3)
    wasteful = Allocation.from_entries(model, [("W", 0, j) for j in range(48)] * 1, 24)
    report = generic_ranks(wasteful, method="projected")
    assert report.rank < report.target_rank
    assert report.rank_bound == schwartz_zippel_bound(report.rank, report.degree, report.prime, 3, report.projections)


def test_random_balanced_covers_every_residue_and_stays_balanced():
    draws = random_balanced((20_000,), 11, np.random.default_rng(0))
    assert set(draws.tolist()) == set(range(-5, 6))
    big = random_balanced((10_000,), DEFAULT_PRIME, np.random.default_rng(1))
    assert np.abs(big).max() <= DEFAULT_PRIME // 2 and np.all(big == np.rint(big))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 300),
    cols=st.integers(1, 300),
    rank=st.integers(0, 300),
    density=st.sampled_from([0.02, 0.3, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_blocked_elimination_matches_flint_at_every_shape(rows, cols, rank, density, seed):
    rng = np.random.default_rng(seed)
    rank = min(rank, rows, cols)
    left = rng.integers(0, DEFAULT_PRIME, size=(rows, rank)) * (rng.random((rows, rank)) < density)
    right = rng.integers(0, DEFAULT_PRIME, size=(rank, cols))
    matrix = np.mod(left.astype(object) @ right.astype(object), DEFAULT_PRIME).astype(np.int64)
    expected = rank_mod_p_flint(matrix)
    assert rank_mod_p_blocked(matrix) == rank_mod_p(matrix) == expected
    assert rank_mod_p_blocked(matrix, limit=max(expected // 2, 1)) == min(expected, max(expected // 2, 1))


def test_lifted_size_counts_what_build_terms_builds():
    rng = np.random.default_rng(3)
    models = [LRNN(3, 1, 2, 2), LRNN(4, 2, 1, 3, "standard"), LRNN(3, 2, 2, 1), LFFN([3, 2, 2]),
              LFFN([2, 3, 2, 1]), LFFN([4, 1]), LinearEstimator(3, 2)]
    for model in models:
        for m in (1, 2, 3, 7):
            allocation = Allocation.random(model, min(5, model.n_weights), m, seed=int(rng.integers(100)))
            for lifting in ("right", "left"):
                for form in ("auto", "outputs"):
                    terms = build_terms(allocation, lifting=lifting, form=form)
                    assert lifted_size(allocation, lifting, form) == (
                        terms.n_equations, int(terms.unknown_mask().sum()))


def test_large_mask_json_is_summarised_unless_full():
    model = LFFN([100, 80, 3])
    allocation = Allocation.in_rows(model, "W1", list(range(80)), k=100, m=5)  # every row wastes
    result = classify(allocation)
    short, full = result.to_dict(), result.to_dict(full=True)
    assert short["class"] == full["class"]
    assert short["budgets"]["W1"]["columns"] == {"summary_of": 100, "min": 3, "max": 3, "sum": 300}
    assert len(full["budgets"]["W1"]["columns"]) == 100 and len(full["waste"]) == 80 + 100
    assert short["waste"]["summary_of"] == 180 and len(json.dumps(short)) < 4000
    assert len(result.reasons) < 10 and len(full["waste"]) > LIST_LIMIT
