"""The reductions that stay linear, the parity bound, and the issue's must-show cases end to end."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from symmp import LFFN, LRNN, Allocation, classify
from symmp.analysis.null_projection import NAME as PROJECTION, null_projection_prover, project_on_null_vectors
from symmp.analysis.provers import ProverContext
from symmp.analysis.ranks import generic_ranks
from symmp.analysis.reductions import NAME as REDUNDANT, redundant_equations
from symmp.analysis.sequential import analyze_sequential
from symmp.cli import main
from symmp.numeric import estimate_mp
from symmp.numeric.certify.parity import PRIME, generic_count
from symmp.theorems import THEOREMS, verify
from symmp.theorems.reductions import narrow_instance
from symmp.theorems.w_rows import moved_entry, rows_instance

MOVED = Allocation.from_entries(
    LFFN([3, 2, 3]), [("W1", i, j) for i in range(2) for j in range(3)] + [("W2", 0, 1), ("W2", 2, 0)], m=3
)
COUNT_3 = Allocation.from_entries(LRNN(4, 1, 2, 2), [("W", 0, 1), ("W", 1, 3), ("W", 2, 3), ("W", 3, 1)], m=2)
COUNT_5 = Allocation.from_entries(LRNN(4, 1, 1, 3), [("W", 0, 1), ("W", 2, 0), ("W", 3, 2)], m=3)


def _context(allocation, **changes):
    ranks = generic_ranks(allocation)
    return ProverContext(ranks=replace(ranks, **changes), seed=0, points=3, sequential=analyze_sequential(allocation))


@pytest.mark.parametrize("sizes", [(3, 2, 3), (2, 1, 3), (4, 3, 4), (3, 1, 2)])
def test_narrow_lffn_is_maximal_by_redundant_equations(sizes):
    allocation = narrow_instance(*sizes)
    result = classify(allocation)
    assert result.verdict == "maximal" and result.certificate == REDUNDANT
    assert result.error_bound == 0.0  # rho_full reached the lffn's a-priori bound
    evidence = result.to_dict()["evidence"]["redundant_equations"]
    assert evidence["structure"]["leftover_equations"]  # over-determined: not plain sequential linearity
    assert evidence["target_rank_mod_p"] == sizes[1] < min(evidence["target_shape"])
    assert any("redundant equations" in reason for reason in result.reasons)


def test_redundant_equations_need_equal_ranks():
    allocation = narrow_instance(3, 2, 3)
    assert redundant_equations(allocation, _context(allocation)) is not None
    assert redundant_equations(allocation, _context(allocation, rank=7)) is None


def test_left_null_projection_proves_the_moved_entry_and_replays():
    result = classify(MOVED)
    assert result.verdict == "maximal" and result.certificate == PROJECTION
    steps = result.to_dict()["evidence"]["null_projection"]["steps"]
    assert steps[0]["side"] == "row" and steps[0]["rank"] == 2 and steps[0]["factor"] == "W2"
    # the evidence replays: the same projection at the same seed is sequentially linear
    structure, _ = project_on_null_vectors(MOVED, steps[-1]["lifting"], (0,), seed=0)
    assert structure is not None and structure.exact
    # without the projection the system is not sequentially linear (the certificate is needed)
    assert not analyze_sequential(MOVED).found or not analyze_sequential(MOVED).structure.exact


def test_right_null_projection():
    entries = [("W2", i, j) for i in range(3) for j in range(2)] + [("W1", 0, 2), ("W1", 1, 1)]
    result = classify(Allocation.from_entries(LFFN([3, 2, 3]), entries, m=3))
    assert result.certificate == PROJECTION
    assert result.to_dict()["evidence"]["null_projection"]["steps"][0]["side"] == "column"


def test_projection_does_not_apply_to_full_rank_targets():
    allocation = Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2)
    assert null_projection_prover(allocation, _context(allocation)) is None
    assert classify(allocation).verdict == "intermediate"


def test_parity_bound_is_stated_and_reported():
    count = generic_count(COUNT_3, seed=0)
    s, degree = count.unknowns, count.joint_degree
    assert degree == 4  # D W^2 B on unit inputs
    assert count.member_bound == pytest.approx(s * degree**s / PRIME)
    assert count.error_bound == pytest.approx(count.member_bound ** count.members)
    result = classify(COUNT_3)
    assert result.certificate.startswith("parity") and result.error_bound == pytest.approx(count.error_bound)
    assert 0 < result.error_bound < 1e-9
    assert any("non-generic" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    "allocation, count",
    [(COUNT_3, 3), (COUNT_5, 5), (moved_entry(rows_instance(5, 2, 2, 2, 4), 1, 2), 1)],
    ids=["N=3", "N=5", "W-rows moved entry"],
)
def test_must_show_odd_counts_and_symmp_mp_answers_one(allocation, count, capsys, tmp_path):
    result = classify(allocation)
    assert result.verdict == "maximal" and result.certificate.startswith("parity")
    assert result.to_dict()["evidence"]["parity"]["generic_count"] == count
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(allocation.to_spec()))
    assert main(["mp", str(spec), "--json", "--no-store", "--quiet"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["mp"] == 1.0 and answer["method"] == "certificate" and answer["ci95"] == [1.0, 1.0]


def test_must_show_diagonal_is_intermediate_with_two_witnesses():
    evidence = classify(Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2)).to_dict()["evidence"]["witnesses"]
    assert evidence["yes"]["center"] and evidence["no"]["lam_float"]


def test_reductions_theorem_holds_on_its_grid():
    result = verify(THEOREMS["reductions"], trials=0, grid="full")
    assert result.holds and sum(c.near_miss for c in result.instances) >= 2


def test_certificate_makes_estimate_exact_where_auto_is_a_lower_bound():
    mp = estimate_mp(MOVED, trials=20)
    assert mp.mp == 1.0 and mp.method == "certificate"
