"""Sequential linearity (THEORY.md section 5): found by the general block
mechanism for W-rows, W-columns and mixed allocations, never claimed for a
quadratic block, and checked against numerical solving of random instances."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symmp import LFFN, LRNN, Allocation, classify
from symmp.analysis import analyze_sequential, find_sequential_structure
from symmp.theorems import w_columns_theorem, w_rows_theorem
from symmp.systems import build_system, draw_instance, fill_learnables, sequential_solve

# (n, b, d, T) with n >= T*b (rows) or n >= T*d (columns); m = T*b
ROWS = [(4, 1, 1, 2), (5, 2, 2, 2), (7, 2, 3, 3), (6, 3, 2, 2), (9, 1, 2, 4)]
COLUMNS = [(4, 1, 1, 2), (5, 2, 2, 2), (7, 3, 2, 3), (6, 2, 3, 2), (9, 2, 1, 4)]


def rows_allocation(n, b, d, T, m=None, first=0):
    rows = list(range(first, first + d))
    return Allocation.in_rows(LRNN(n, b, d, T), "W", rows, k=T * b, m=m or T * b)


def columns_allocation(n, b, d, T, m=None):
    return Allocation.in_columns(LRNN(n, b, d, T), "W", list(range(n - b, n)), k=T * d, m=m or T * b)


def solved_fraction(allocation, structure, trials=40, tol=1e-8):
    model = allocation.model
    matched = 0
    for seed in range(trials):
        trial = draw_instance(allocation, seed=seed)
        targets = model.forward(trial.teacher, trial.inputs)
        learned = sequential_solve(allocation, structure, trial.fixed, trial.inputs, targets, tol=tol)
        if learned is None:
            continue
        outputs = model.forward(fill_learnables(allocation, trial.fixed, learned), trial.inputs)
        matched += np.linalg.norm(outputs - targets) <= tol * np.linalg.norm(targets)
    return matched / trials


@pytest.mark.parametrize(("n", "b", "d", "T"), ROWS)
def test_w_rows_found_by_the_general_mechanism(n, b, d, T):
    allocation = rows_allocation(n, b, d, T)
    assert w_rows_theorem(allocation)[0]
    structure = find_sequential_structure(allocation)
    assert structure is not None and structure.exact
    # the last blocks solve the d learnable rows, one T*b x T*b system each
    learnable_blocks = [blk for blk in structure.blocks if structure.terms.atoms[blk.unknowns[0]].kind == "learnable"]
    assert sorted(blk.size for blk in learnable_blocks) == [T * b] * d
    result = classify(allocation)
    assert (result.verdict, result.certificate) == ("maximal", "sequentially linear")
    assert any(reason.startswith("block order:") for reason in result.reasons)
    assert "sequential_cross_check" not in result.to_dict()


@pytest.mark.parametrize(("n", "b", "d", "T"), COLUMNS)
def test_w_columns_found_by_the_general_mechanism(n, b, d, T):
    allocation = columns_allocation(n, b, d, T)
    assert w_columns_theorem(allocation)[0]
    structure = find_sequential_structure(allocation)
    assert structure is not None and structure.exact
    result = classify(allocation)
    # a learnable column missing its diagonal entry can leave the outputs affine (Fact 2 wins)
    expected = "Fact 2 (affine): affine outputs and rho_A = rho_full" if result.affine else "sequentially linear"
    assert (result.verdict, result.certificate) == ("maximal", expected)


@pytest.mark.parametrize(
    "allocation",
    [rows_allocation(5, 2, 2, 2), columns_allocation(5, 2, 2, 2), rows_allocation(5, 2, 2, 2, m=7)],
    ids=["rows", "columns", "rows-m7"],
)
def test_certificate_agrees_with_numerical_solving(allocation):
    """MP = 1 proved -> the block solver matches (almost) every random instance;
    an occasional miss is floating-point conditioning, not a missing solution."""
    structure = find_sequential_structure(allocation)
    assert solved_fraction(allocation, structure, trials=60) >= 0.95


MIXED = [
    (LRNN(3, 1, 1, 2, "standard"), [("B", 1, 0), ("W", 1, 1)], 2),
    (LRNN(3, 1, 2, 2), [("D", 1, 1), ("D", 1, 2), ("W", 2, 0), ("W", 2, 2)], 2),
    (LFFN([2, 2, 2]), [("W1", 0, 0), ("W1", 0, 1), ("W1", 1, 0), ("W2", 0, 0)], 2),
    (LRNN(4, 1, 1, 3, "standard"), [("B", 2, 0), ("W", 3, 0), ("W", 3, 2)], 3),
]


@pytest.mark.parametrize(("model", "entries", "m"), MIXED, ids=["lrnn-std-BW", "lrnn-DW", "lffn-W1W2", "lrnn-std-T3"])
def test_mixed_allocations_where_it_genuinely_holds(model, entries, m):
    allocation = Allocation.from_entries(model, entries, m=m)
    result = classify(allocation)
    assert not result.affine
    assert (result.verdict, result.certificate) == ("maximal", "sequentially linear")
    structure = find_sequential_structure(allocation)
    assert solved_fraction(allocation, structure) >= 0.95


@pytest.mark.parametrize("anti", [False, True], ids=["diagonal", "anti-diagonal"])
def test_diagonal_n2_T2_has_a_quadratic_block_and_stays_intermediate(anti):
    allocation = Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2, anti=anti)
    report = analyze_sequential(allocation)
    assert report.structure is None
    assert "quadratic" in report.reason
    result = classify(allocation)
    assert result.verdict == "intermediate"  # proved by its two witnesses
    assert result.to_dict()["evidence"]["witnesses"]["yes"] and result.to_dict()["evidence"]["witnesses"]["no"]
    assert result.to_dict()["equations"] == {"linear": 4, "quadratic": 2}
    assert result.to_dict()["unknowns"] == {"learnable": 2, "auxiliary": 4}
    # and it would be wrong to claim MP = 1: some instances have no real solution
    system = build_system(allocation, lifted=False)
    w = system.learnables
    real_counts = []
    for seed in range(20):
        linear, quadratic = (eq.expr for eq in build_system(allocation, lifted=False, values=seed).equations)
        # eliminate w[1] with the linear equation: a quadratic in w[0] is left
        slope = linear.coeff(w[1])
        other = -(sympy.expand(linear - slope * w[1])) / slope
        a, b, c = sympy.Poly(sympy.expand(quadratic.subs(w[1], other)), w[0]).all_coeffs()
        discriminant = float(b * b - 4 * a * c)
        real_counts.append(0 if discriminant < 0 else 2)
    assert min(real_counts) == 0 < max(real_counts)


def test_two_scattered_entries_are_not_claimed():
    # entries in different rows and columns (a "diagonal" pattern in n = 5): W w products stay quadratic
    model = LRNN(5, 1, 1, 2)
    spread = Allocation.from_entries(model, [("W", 0, 0), ("W", 1, 1)], m=2)
    assert find_sequential_structure(spread) is None
    result = classify(spread)
    assert result.verdict == "intermediate" and result.certificate.startswith("witnesses")


def test_standard_convention_w_only_is_minimal():
    # THEORY.md section 1: W-only allocations never match the lag-0 term D B
    allocation = Allocation.in_rows(LRNN(5, 1, 1, 3, "standard"), "W", [0], k=2, m=3)
    assert classify(allocation).verdict == "minimal"


def test_cross_check_every_theorem_instance_is_found():
    """If a theorem's hypotheses hold, the mechanism must find the structure."""
    cases = [rows_allocation(n, b, d, T, first=1) for n, b, d, T in ROWS[:3]]
    cases += [columns_allocation(n, b, d, T) for n, b, d, T in COLUMNS[:3]]
    for allocation in cases:
        assert w_rows_theorem(allocation)[0] or w_columns_theorem(allocation)[0]
        assert find_sequential_structure(allocation) is not None, allocation


def test_structure_to_dict_and_order():
    structure = find_sequential_structure(rows_allocation(4, 1, 1, 2))
    out = structure.to_dict()
    assert out["exact"] and out["lifting"] == "right" and out["form"] == "markov"
    assert sum(len(b["unknowns"]) for b in out["blocks"]) == 2 + 2 * 4
    assert structure.describe_order()[-1].startswith("block ")


def test_block_structure_does_not_depend_on_the_process_hash_seed():
    """The matching graph once used string-tagged nodes, whose set order varies per process."""
    import subprocess
    import sys

    code = (
        "from symmp import LRNN, Allocation\n"
        "from symmp.analysis.sequential import find_sequential_structure\n"
        "s = find_sequential_structure(Allocation.spread(LRNN(6, 2, 2, 2), 'W', r=8, K=2, m=4))\n"
        "print([(b.unknowns, b.equations) for b in s.blocks])\n"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": str(h)}).stdout
        for h in (0, 1, 2)
    }
    assert len(outputs) == 1
