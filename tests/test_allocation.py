"""Allocations: constructors, strategies, views, immutability."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symmp import Allocation, SpecError
from symmp.models import LFFN, LRNN, LinearEstimator

LRNN_MODEL = LRNN(n=4, b=2, d=2, T=2)


def test_from_entries_and_views():
    a = Allocation.from_entries(LRNN_MODEL, [("W", 1, 2), ("D", 0, 3), ("W", 0, 0)], m=3, seed=5)
    assert a.r == 3 and a.m == 3 and a.seed == 5
    assert a.ordered_entries == (("W", 0, 0), ("W", 1, 2), ("D", 0, 3))
    assert a.matrices == ["W", "D"]
    assert a.per_row("W") == [1, 1, 0, 0] and a.per_column("W") == [1, 0, 1, 0]
    np.testing.assert_array_equal(a.mask("D"), [[0, 0, 0, 1], [0, 0, 0, 0]])
    assert set(a.masks()) == {"W", "B", "D"} and not a.masks()["B"].any()
    assert "r=3" in repr(a)


def test_allocation_is_immutable_and_hashable():
    a = Allocation.diagonal(LRNN_MODEL, "W", m=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.m = 3
    assert a == Allocation.from_entries(LRNN_MODEL, [("W", i, i) for i in range(4)], m=2)
    assert len({a, Allocation.diagonal(LRNN_MODEL, "W", m=2)}) == 1
    assert a.with_m(5).m == 5 and a.m == 2


def test_from_masks_equals_from_entries():
    mask = np.zeros((4, 4), dtype=int)
    mask[0, 1] = mask[3, 3] = 1
    a = Allocation.from_masks(LRNN_MODEL, {"W": mask, "B": [[1, 0], [0, 0], [0, 0], [0, 1]]}, m=2)
    assert a.entries == {("W", 0, 1), ("W", 3, 3), ("B", 0, 0), ("B", 3, 1)}
    assert Allocation.from_masks(LRNN_MODEL, {"W": mask.astype(bool)}, m=2).r == 2


def test_in_rows_and_in_columns():
    a = Allocation.in_rows(LRNN_MODEL, "W", [0, 2], k=3, m=2)
    assert a.per_row("W") == [3, 0, 3, 0]
    assert a.per_column("W") == [2, 2, 1, 1]  # consecutive columns 0-2, then 3, 0, 1
    b = Allocation.in_columns(LRNN_MODEL, "W", [1], k=2, m=2, rows=[[0, 3]])
    assert b.entries == {("W", 0, 1), ("W", 3, 1)}
    with pytest.raises(SpecError, match="only 4"):
        Allocation.in_rows(LRNN_MODEL, "W", [0], k=5, m=2)
    with pytest.raises(SpecError, match="needs 2 positions"):
        Allocation.in_columns(LRNN_MODEL, "W", [1], k=2, m=2, rows=[[0]])
    with pytest.raises(SpecError, match="one list of positions per row: got 1 for 2 rows"):
        Allocation.in_rows(LRNN_MODEL, "W", [0, 1], k=1, m=2, columns=[[0]])


@given(r=st.integers(1, 16), K=st.integers(1, 4), axis=st.sampled_from(["row", "column"]))
def test_spread_is_as_even_as_possible(r, K, axis):
    if r > 4 * K:
        with pytest.raises(SpecError):
            Allocation.spread(LRNN_MODEL, "W", r=r, K=K, m=2, axis=axis)
        return
    a = Allocation.spread(LRNN_MODEL, "W", r=r, K=K, m=2, axis=axis)
    counts = (a.per_row if axis == "row" else a.per_column)("W")[:K]
    assert a.r == r and sum(counts) == r
    assert max(counts) - min(counts) <= 1


def test_spread_errors():
    with pytest.raises(SpecError, match="K must be between 1 and 4"):
        Allocation.spread(LRNN_MODEL, "W", r=2, K=5, m=2)
    with pytest.raises(SpecError, match="r must be a positive"):
        Allocation.spread(LRNN_MODEL, "W", r=0, K=1, m=2)
    with pytest.raises(SpecError, match="exactly K = 2"):
        Allocation.spread(LRNN_MODEL, "W", r=2, K=2, m=2, lines=[0])
    with pytest.raises(SpecError, match="axis must be 'row' or 'column', got 'col'"):
        Allocation.spread(LRNN_MODEL, "W", r=2, K=2, m=2, axis="col")


def test_diagonal_and_anti_diagonal():
    model = LinearEstimator(n=3, d=2)
    assert Allocation.diagonal(model, "W", m=1).entries == {("W", 0, 0), ("W", 1, 1)}
    assert Allocation.diagonal(model, "W", m=1, anti=True).entries == {("W", 0, 2), ("W", 1, 1)}


def test_random_is_seeded_and_restricted():
    a = Allocation.random(LRNN_MODEL, r=5, m=2, matrices=["B", "D"], seed=3)
    assert a == Allocation.random(LRNN_MODEL, r=5, m=2, matrices=["B", "D"], seed=3)
    assert a.r == 5 and set(a.matrices) <= {"B", "D"}
    assert Allocation.random(LRNN_MODEL, r=32, m=2).r == 32
    with pytest.raises(SpecError, match="between 1 and 16"):
        Allocation.random(LRNN_MODEL, r=17, m=2, matrices=["W"])


def test_union_of_matrices():
    w = Allocation.in_rows(LRNN_MODEL, "W", [0], k=2, m=2)
    d = Allocation.diagonal(LRNN_MODEL, "D", m=2)
    both = w | d
    assert both.r == 4 and both.matrices == ["W", "D"]
    with pytest.raises(SpecError, match="same model and m"):
        w | Allocation.diagonal(LRNN_MODEL, "D", m=3)
    with pytest.raises(SpecError, match="same model and m"):
        w | Allocation.diagonal(LFFN([2, 2]), "W1", m=2)


@pytest.mark.parametrize(
    ("entries", "m", "seed", "message"),
    [
        ([], 2, None, "no learnable entry"),
        ([("W", 0, 0), ("W", 0, 0)], 2, None, "duplicate learnable entry W\\[0, 0\\]"),
        ([("V", 0, 0)], 2, None, "unknown matrix 'V'"),
        ([("W", 4, 0)], 2, None, "row index 4 .* out of range"),
        ([("B", 0, 2)], 2, None, "column index 2 .* out of range"),
        ([("W", -1, 0)], 2, None, "out of range"),
        ([("W", 0.5, 0)], 2, None, "must be an integer"),
        ([("W", 0)], 2, None, "must be \\(matrix, row, col\\)"),
        ([("W", 0, 0)], 0, None, "m must be a positive integer"),
        ([("W", 0, 0)], 2, -1, "seed must be a non-negative integer"),
    ],
)
def test_bad_allocations_raise_one_line_spec_errors(entries, m, seed, message):
    with pytest.raises(SpecError, match=message) as info:
        Allocation.from_entries(LRNN_MODEL, entries, m, seed)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("masks", "message"),
    [
        ({"W": [[1, 0], [0, 1]]}, "must be a 4 x 4"),
        ({"W": [[1, 0, 0, 0]] * 3 + [[1, 0]]}, "ragged"),
        ({"W": [[2, 0, 0, 0]] + [[0] * 4] * 3}, "only 0 and 1"),
        ({"W": [[0.5, 0, 0, 0]] + [[0] * 4] * 3}, "only 0 and 1"),
        ({"Q": [[1]]}, "unknown matrix 'Q'"),
        ({"W": [[0] * 4] * 4}, "no learnable entry"),
    ],
)
def test_bad_masks(masks, message):
    with pytest.raises(SpecError, match=message):
        Allocation.from_masks(LRNN_MODEL, masks, m=2)
