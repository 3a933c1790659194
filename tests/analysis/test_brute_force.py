"""No verdict contradicts brute force (issue 14, "Must show").

Random small allocations (lrnn in both conventions with W, D and B entries,
lffn with a narrow layer, the linear estimator) are classified, and each
verdict is held against exact elimination over Q on fresh draws
(:mod:`tests.analysis.brute_force`): ``maximal`` needs every draw solvable,
``minimal`` none, ``intermediate`` its two witnesses confirmed (the yes
draw solvable, the no draw not). ``undecided`` claims nothing beyond MP > 0.
The default run covers a fixed sample in well under a minute; the sample
marked slow is four times larger.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

from symmp import LFFN, LRNN, Allocation, LinearEstimator, classify
from symmp.numeric import draw_trial

from .brute_force import float_trial, has_real_solution, integer_trial

DRAWS = 3
NARROW = ([2, 1, 2], [3, 1, 3], [2, 2, 2], [3, 2, 3], [2, 1, 2, 2], [3, 2, 2], [3, 1, 2])


def random_allocation(seed: int) -> Allocation:
    """A small allocation of one of five families, entries drawn at random."""
    rng = np.random.default_rng([seed, 99])
    kind = ("lrnn", "lrnn", "lffn", "lffn", "linear")[seed % 5]
    if kind == "lrnn":
        n, d = int(rng.integers(2, 4)), int(rng.integers(1, 3))
        model = LRNN(n, 1, d, 2, convention=("paper", "standard")[int(rng.integers(0, 2))])
        names = ["W"] * 4 + ["D", "B"]
        m = int(rng.integers(1, 3))
    elif kind == "lffn":
        widths = NARROW[int(rng.integers(0, len(NARROW)))]
        model = LFFN(widths)
        names = list(model.matrix_shapes)
        m = int(rng.integers(1, widths[0] + 1))
    else:
        model, names, m = LinearEstimator(n=3, d=2), ["W"], int(rng.integers(1, 3))
    pool = [
        (name, i, j)
        for name in dict.fromkeys(names)
        for i in range(model.matrix_shapes[name][0])
        for j in range(model.matrix_shapes[name][1])
    ]
    weights = np.array([names.count(entry[0]) for entry in pool], dtype=float)
    r = int(rng.integers(1, min(6, len(pool)) + 1))
    chosen = rng.choice(len(pool), size=r, replace=False, p=weights / weights.sum())
    return Allocation.from_entries(model, [pool[k] for k in sorted(chosen)], m=m)


#: cases the issue names, or that only the new certificates prove
NAMED = {
    "lffn [2,1,2] redundant": Allocation.from_entries(LFFN([2, 1, 2]), [("W2", 0, 0), ("W1", 0, 0), ("W1", 0, 1)], m=2),
    "lffn [3,2,3] redundant": Allocation.from_entries(
        LFFN([3, 2, 3]), [("W2", 0, 0), ("W2", 0, 1)] + [("W1", i, j) for i in range(2) for j in range(3)], m=3
    ),
    "lffn [3,2,3] left null projection": Allocation.from_entries(
        LFFN([3, 2, 3]), [("W1", i, j) for i in range(2) for j in range(3)] + [("W2", 0, 1), ("W2", 2, 0)], m=3
    ),
    "lffn [3,2,3] right null projection": Allocation.from_entries(
        LFFN([3, 2, 3]), [("W2", i, j) for i in range(3) for j in range(2)] + [("W1", 0, 2), ("W1", 1, 1)], m=3
    ),
    "lrnn diagonal n=2 T=2": Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2),
    "lrnn N = 5": Allocation.from_entries(LRNN(4, 1, 1, 3), [("W", 0, 1), ("W", 2, 0), ("W", 3, 2)], m=3),
    "lrnn N = 3": Allocation.from_entries(LRNN(4, 1, 2, 2), [("W", 0, 1), ("W", 1, 3), ("W", 2, 3), ("W", 3, 1)], m=2),
}


def check(allocation: Allocation, seed: int) -> tuple[str, list]:
    """(verdict, brute-force outcomes); asserts that they agree."""
    result = classify(allocation)
    rng = np.random.default_rng([seed, 5])
    if result.verdict == "intermediate":
        witnesses = result.to_dict()["evidence"]["witnesses"]
        outcomes = [
            has_real_solution(allocation, *float_trial(draw_trial(allocation, witnesses[k]["seed"], witnesses[k]["trial"])), rng)
            for k in ("yes", "no")
        ]
        assert outcomes == [True, False], (allocation, result.certificate, outcomes)
        return result.verdict, outcomes
    outcomes = [has_real_solution(allocation, *integer_trial(allocation, rng), rng) for _ in range(DRAWS)]
    if result.verdict == "maximal":
        assert False not in outcomes, (allocation, result.certificate, outcomes)
    elif result.verdict == "minimal":
        assert True not in outcomes, (allocation, result.certificate, outcomes)
    return result.verdict, outcomes


@pytest.mark.parametrize("name", list(NAMED))
def test_named_cases_agree_with_brute_force(name):
    verdict, outcomes = check(NAMED[name], 0)
    assert verdict in ("maximal", "intermediate")
    assert None not in outcomes  # brute force decided every draw


def _sample(seeds) -> collections.Counter:
    tally: collections.Counter = collections.Counter()
    for seed in seeds:
        verdict, outcomes = check(random_allocation(seed), seed)
        tally[verdict] += 1
        tally["undecided draws"] += outcomes.count(None)
        tally["draws"] += len(outcomes)
    return tally


def test_random_allocations_agree_with_brute_force():
    tally = _sample(range(30))
    # the sample is not made of easy cases only, and brute force decides nearly every draw
    assert tally["maximal"] >= 8 and tally["minimal"] >= 8, tally
    assert tally["undecided draws"] <= tally["draws"] // 10, tally


@pytest.mark.slow
def test_random_allocations_agree_with_brute_force_large():
    tally = _sample(range(30, 150))
    assert tally["maximal"] >= 30 and tally["minimal"] >= 30, tally
