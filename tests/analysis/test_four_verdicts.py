"""The four verdicts (THEORY.md section 8) against brute force, and the new certificates."""

from __future__ import annotations

import numpy as np
import pytest

from symmp import LRNN, Allocation, classify
from symmp.analysis.provers import registered_provers
from symmp.numeric import SolverOptions, draw_trial
from symmp.numeric.certify.parity import generic_count
from symmp.numeric.certify.witnesses import find_witnesses
from symmp.numeric.solvers.certified import certified_solve
from symmp.theorems.w_rows import moved_entry, rows_instance


def _certified_outcomes(allocation, trials, seed=5):
    draws = [draw_trial(allocation, seed, i) for i in range(trials)]
    return certified_solve(allocation, draws, SolverOptions(starts=8, seed=seed))


def test_diagonal_lrnn_is_intermediate_with_two_rechecked_witnesses():
    allocation = Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2)
    result = classify(allocation)
    assert result.verdict == "intermediate"
    witnesses = result.to_dict()["evidence"]["witnesses"]
    # re-check both witnesses on the redrawn trials with the certified solver's own proofs
    for key, matched in (("yes", True), ("no", False)):
        trial = draw_trial(allocation, witnesses[key]["seed"], witnesses[key]["trial"])
        (outcome,) = certified_solve(allocation, [trial], SolverOptions(starts=8))
        assert outcome.proved and outcome.matched is matched


def test_moved_entry_w_rows_is_maximal_by_parity_and_mp_answers_one():
    from symmp.numeric import estimate_mp

    allocation = moved_entry(rows_instance(5, 2, 2, 2, 4), 1, 2)  # rows hold 4, 3 and 1 entries
    result = classify(allocation)
    assert result.verdict == "maximal" and result.certificate.startswith("parity")
    assert result.to_dict()["evidence"]["parity"]["generic_count"] % 2 == 1
    mp = estimate_mp(allocation, trials=50)
    assert mp.mp == 1.0 and mp.method == "certificate"
    # every certified trial matches (a counterexample would refute the parity argument)
    outcomes = _certified_outcomes(allocation, 15)
    assert not any(o.proved and not o.matched for o in outcomes)


def test_monotonicity_from_w_rows_at_t_b():
    allocation = rows_instance(5, 2, 2, 2, 3)  # m = 3 < T*b = 4
    result = classify(allocation)
    assert result.verdict == "maximal" and result.certificate == "monotonicity in m: maximal at m' = 4"


def test_even_count_gives_no_parity_certificate():
    count = generic_count(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2), seed=1)
    assert count.count == 2 and not count.odd


def test_parity_count_agrees_with_the_algebraic_template():
    from symmp.numeric.roots.template import build_template
    from symmp.numeric.roots.family import reduced_quadratic_mod_p

    allocation = Allocation.from_entries(
        LRNN(8, 2, 2, 2), [("W", 0, 0), ("W", 0, 1), ("W", 1, 2), ("W", 1, 3), ("W", 2, 4), ("W", 2, 5), ("W", 3, 6), ("W", 3, 7)], m=4
    )
    template = build_template(reduced_quadratic_mod_p(allocation, seed=0))
    assert generic_count(allocation, seed=0).count == template.roots


def test_witness_search_does_not_apply_beyond_its_size():
    allocation = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=9, K=3, m=2)
    assert find_witnesses(allocation) is None


def test_numeric_and_theorem_provers_are_registered():
    names = [p.name for p in registered_provers()]
    for name in ("theorem:w-rows", "theorem:w-columns", "monotonicity", "parity", "witnesses"):
        assert name in names


@pytest.mark.parametrize("seed", range(6))
def test_no_verdict_contradicts_brute_force(seed):
    """Random small lrnn allocations: each verdict is checked against the certified solver's
    exact per-trial proofs (Krawczyk yes, exact no) on 12 draws."""
    rng = np.random.default_rng(seed)
    n, T = 2 + seed % 2, 2
    model = LRNN(n, 1, 1, T)
    pool = [("W", i, j) for i in range(n) for j in range(n)]
    r = int(rng.integers(1, 4))
    entries = [pool[k] for k in sorted(rng.choice(len(pool), size=r, replace=False))]
    allocation = Allocation.from_entries(model, entries, m=2)
    result = classify(allocation)
    if allocation.r > 3:
        pytest.skip("brute force limited to 3 unknowns")
    outcomes = _certified_outcomes(allocation, 12, seed=seed)
    proved_yes = [o for o in outcomes if o.proved and o.matched]
    proved_no = [o for o in outcomes if o.proved and not o.matched]
    if result.verdict == "maximal":
        assert not proved_no
    elif result.verdict == "minimal":
        assert not proved_yes
    elif result.verdict == "intermediate":
        assert result.to_dict()["evidence"]["witnesses"]["no"]


def test_odd_count_three_is_maximal_and_every_certified_trial_matches():
    allocation = Allocation.from_entries(
        LRNN(4, 1, 2, 2), [("W", 0, 1), ("W", 1, 3), ("W", 2, 3), ("W", 3, 1)], m=2
    )
    result = classify(allocation)
    assert result.verdict == "maximal" and result.certificate.startswith("parity")
    assert result.to_dict()["evidence"]["parity"]["generic_count"] == 3
    outcomes = _certified_outcomes(allocation, 20)
    assert all(o.proved and o.matched for o in outcomes)
