"""One lifted build per system and one sequential search per allocation (issue 15 item 3)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from symmp import LRNN, Allocation
from symmp.analysis import analyze_sequential, classify
from symmp.analysis import sequential as sequential_module
from symmp.numeric import estimate_mp
from symmp.systems import lifted as lifted_module
from symmp.systems import build_terms, lifted_terms


def _fresh():
    lifted_module._shared_terms.cache_clear()
    sequential_module._shared_analysis.cache_clear()


def test_lifted_terms_is_build_terms_shared_and_read_only():
    _fresh()
    allocation = Allocation.in_rows(LRNN(n=4, b=2, d=2, T=2), "W", [0, 1], k=2, m=3)
    shared = lifted_terms(allocation)
    assert shared is lifted_terms(allocation, "right", "auto")
    built = build_terms(allocation)
    for name in ("equation", "factors", "coef", "side", "group_of"):
        np.testing.assert_array_equal(getattr(shared, name), getattr(built, name))
        with pytest.raises(ValueError):
            getattr(shared, name)[...] = 0
    # equal allocations (by value) share; another m is another system
    again = Allocation.in_rows(LRNN(n=4, b=2, d=2, T=2), "W", [0, 1], k=2, m=3)
    assert lifted_terms(again) is shared
    assert lifted_terms(Allocation.in_rows(LRNN(n=4, b=2, d=2, T=2), "W", [0, 1], k=2, m=4)) is not shared


def test_an_mp_call_builds_each_lifted_system_once(monkeypatch):
    _fresh()
    calls = collections.Counter()
    original = lifted_module.build_terms

    def counting(allocation, *, lifting="right", form="auto"):
        calls[(allocation, lifting, form)] += 1
        return original(allocation, lifting=lifting, form=form)

    monkeypatch.setattr(lifted_module, "build_terms", counting)
    model = LRNN(n=5, b=2, d=2, T=2)
    allocation = Allocation.in_rows(model, "W", [0, 1], k=4, m=4)
    estimate_mp(allocation, trials=20, seed=0, store=None, progress=False)
    assert calls and max(calls.values()) == 1, calls
    before = sum(calls.values())
    report = analyze_sequential(allocation)
    assert report is analyze_sequential(allocation, seed=allocation.seed or 0)
    classify(allocation)
    assert sum(calls.values()) == before  # nothing rebuilt
