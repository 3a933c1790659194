"""The ``homotopy`` solver: total-degree homotopy on the Markov-reduced square quadratic lrnn system."""

import numpy as np
import pytest

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, LRNN
from symmp.numeric import SOLVERS, SolverOptions, draw_trials
from symmp.numeric.problems.match import MatchProblem
from symmp.numeric.solvers import solver_applies
from symmp.numeric.solvers.homotopy import homotopy_applies, homotopy_solve

from .helpers import assert_batch_independent

SPREAD_4 = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
SPREAD_8 = Allocation.spread(LRNN(16, 2, 2, 2), "W", r=8, K=8, m=4)
SMALL = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=2, m=2)  # 1 reduced unknown, 2 paths


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_registered_and_applies_only_to_square_quadratic_reductions():
    assert "homotopy" in SOLVERS and solver_applies("homotopy", SPREAD_4)
    assert homotopy_applies(SMALL)
    assert not homotopy_applies(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=6, K=3, m=4))  # not square
    assert not homotopy_applies(Allocation.spread(LRNN(8, 2, 2, 3), "W", r=8, K=4, m=6))  # cubic
    with pytest.raises(ValueError):
        homotopy_solve(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=6, K=3, m=4), [], SolverOptions())


@pytest.mark.parametrize("allocation", [SPREAD_4, SPREAD_8])
def test_every_match_is_confirmed_on_the_real_model(allocation):
    trials = draw_trials(allocation, 3, range(30))
    outcomes = SOLVERS["homotopy"](allocation, trials, SolverOptions(seed=3))
    exact = MatchProblem(allocation, trials)
    matched = [k for k, o in enumerate(outcomes) if o.matched]
    assert matched  # both allocations are intermediate with many solvable trials
    for k in matched:
        o = outcomes[k]
        assert not o.proved and o.method == "homotopy" and o.residual <= 1e-9
        theta = np.array(o.details["theta"])[None, :]
        assert exact.relative_residual(theta, [k])[0] <= 1e-9
    assert all(not o.proved for o in outcomes)


def test_never_misses_a_newton_match():
    trials = draw_trials(SPREAD_8, 0, range(40))
    found = SOLVERS["homotopy"](SPREAD_8, trials, SolverOptions())
    local = SOLVERS["newton"](SPREAD_8, trials, SolverOptions(starts=10))
    assert all(h.matched for h, n in zip(found, local) if n.matched)


def test_outcome_does_not_depend_on_the_batch():
    trials = draw_trials(SPREAD_4, 1, range(12))
    options = SolverOptions(seed=1)
    assert_batch_independent(homotopy_solve, SPREAD_4, trials, options, alone=6, detail="finite_endpoints")


def test_agrees_with_certified_on_a_small_case():
    trials = draw_trials(SMALL, 0, range(60))
    certified = SOLVERS["certified"](SMALL, trials, SolverOptions())
    found = SOLVERS["homotopy"](SMALL, trials, SolverOptions())
    assert all(c.proved for c in certified)
    truth = sum(c.matched for c in certified)
    assert 0 < truth < len(trials)  # intermediate
    assert all(c.matched for h, c in zip(found, certified) if h.matched)  # never a false match
    assert [h.matched for h in found] == [c.matched for c in certified]  # measured: 200/200 agree
    lo, hi = _wilson(sum(h.matched for h in found), len(trials))
    assert lo <= truth / len(trials) <= hi
