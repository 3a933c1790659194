"""Lifted and unlifted systems: counts, forms, and agreement with the models."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy

from symmp import LFFN, LRNN, Allocation, LinearEstimator, ShallowReLU, SpecError
from symmp.systems import build_system, build_terms, draw_instance, teacher_targets
from symmp.systems.instance import atom_values

MODELS = [
    ("W-rows", Allocation.in_rows(LRNN(n=5, b=2, d=2, T=2), "W", [0, 1], k=4, m=4)),
    ("W-columns", Allocation.in_columns(LRNN(n=5, b=2, d=2, T=2), "W", [0, 1], k=4, m=4)),
    ("standard", Allocation.random(LRNN(n=3, b=1, d=2, T=3, convention="standard"), 5, m=2, seed=2)),
    ("lffn", Allocation.random(LFFN([3, 2, 3, 2]), 5, m=2, seed=1)),
    ("lffn-reduced", Allocation.random(LFFN([2, 3, 2]), 4, m=3, seed=4)),
    ("linear", Allocation.random(LinearEstimator(n=3, d=2), 3, m=2, seed=0)),
]


def _solve_auxiliaries(terms, values):
    """Fill the auxiliary atoms from learnables by the definition equations
    (linear in the auxiliaries once the weights are known)."""
    aux = terms.atom_ids("auxiliary")
    if aux.size == 0:
        return values
    unknown = np.zeros(len(terms.atoms), bool)
    unknown[aux] = True
    defs = [e for e in range(terms.n_equations) if terms.groups[terms.group_of[e]].startswith(("F_", "G_"))]
    A, c = terms.linearize(defs, aux, values)
    values = values.copy()
    values[aux] = np.linalg.solve(A, -c)
    return values


@pytest.mark.parametrize(("label", "allocation"), MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("lifting", ["right", "left"])
def test_lifted_system_vanishes_exactly_at_the_teacher(label, allocation, lifting):
    """The teacher's weights (as learnables, with the teacher's fixed part)
    extended by the recursion solve every lifted equation, in both forms."""
    for form in ("auto", "outputs"):
        terms = build_terms(allocation, lifting=lifting, form=form)
        trial = draw_instance(allocation, seed=5)
        targets = teacher_targets(allocation.model, terms.form, trial.teacher, trial.inputs)
        values = atom_values(terms, trial.teacher, trial.inputs, targets)
        for k, atom in enumerate(terms.atoms):
            if atom.kind == "learnable":
                values[k] = trial.teacher[atom.source][atom.row, atom.col]
        values = _solve_auxiliaries(terms, values)
        assert np.max(np.abs(terms.evaluate(values))) < 1e-10
        # a wrong learnable value breaks it
        learnable = terms.atom_ids("learnable")[0]
        values[learnable] += 0.5
        assert np.max(np.abs(terms.evaluate(_solve_auxiliaries(terms, values)))) > 1e-6


def test_every_lifted_equation_has_degree_at_most_two():
    for _, allocation in MODELS:
        for lifting in ("right", "left"):
            assert build_terms(allocation, lifting=lifting).degrees().max() <= 2


def test_lrnn_counts_match_the_construction():
    # paper convention, T = 3: F_1..F_3 (n x b each); Markov j = 1..3 (d x b each)
    n, b, d, T = 4, 2, 3, 3
    allocation = Allocation.in_rows(LRNN(n, b, d, T), "W", [0], k=2, m=T * b)
    terms = build_terms(allocation)
    assert terms.form == "markov"
    assert terms.unknown_counts() == {"learnable": 2, "auxiliary": T * n * b}
    assert terms.n_equations == T * n * b + T * d * b
    # one learnable row: F_2, F_3 rows 0 contain w * f products (F_1 = W B is linear)
    assert terms.counts() == {"linear": T * n * b + T * d * b - (T - 1) * b, "quadratic": (T - 1) * b}
    standard = build_terms(Allocation.in_rows(LRNN(n, b, d, T, "standard"), "W", [0], k=2, m=T * b))
    assert standard.unknown_counts()["auxiliary"] == (T - 1) * n * b  # powers up to T - 1
    assert standard.n_equations == (T - 1) * n * b + T * d * b  # Markov j = 0..T-1


def test_outputs_form_below_the_stacked_input_dimension():
    allocation = Allocation.in_rows(LRNN(n=4, b=2, d=1, T=2), "W", [0], k=4, m=3)
    assert build_terms(allocation).form == "outputs"
    with pytest.raises(SpecError, match="needs m >= 4"):
        build_terms(allocation, form="reduced")


def test_bad_arguments_are_one_line_errors():
    allocation = MODELS[0][1]
    with pytest.raises(SpecError, match="lifting must be one of"):
        build_terms(allocation, lifting="middle")
    with pytest.raises(SpecError, match="form must be one of"):
        build_system(allocation, form="weird")
    with pytest.raises(SpecError, match="not polynomial"):
        build_system(Allocation.random(ShallowReLU(2, 3, 1), 2, m=2))
    with pytest.raises(SpecError, match="non-negative integer"):
        build_system(allocation, values=-1)


def test_unlifted_and_lifted_agree_on_the_outputs():
    """Eliminating F from the lifted system gives the unlifted polynomials."""
    allocation = Allocation.random(LRNN(n=2, b=1, d=1, T=3), 3, m=3, seed=3)
    unlifted = build_system(allocation, lifted=False)
    lifted = build_system(allocation)
    substitutions = {}
    for eq in lifted.equations:  # F_j = W F_{j-1}, in order
        if eq.group.startswith("F_"):
            substitutions[eq.lhs] = sympy.expand(eq.rhs.xreplace(substitutions))
    markov_lifted = [eq for eq in lifted.equations if not eq.group.startswith("F_")]
    for mine, theirs in zip(markov_lifted, unlifted.equations):
        assert sympy.expand(mine.expr.xreplace(substitutions) - theirs.expr) == 0
    # the exact degree (max-plus forward pass) of the outputs in the learnables
    assert max(eq.degree for eq in unlifted.equations) == allocation.model.output_degree(allocation.masks())


def test_lifted_lrnn_n16_T8_builds_fast():
    allocation = Allocation.in_rows(LRNN(n=16, b=1, d=1, T=8), "W", [0], k=8, m=8)
    start = time.perf_counter()
    system = build_system(allocation)
    elapsed = time.perf_counter() - start
    assert len(system.equations) == 8 * 16 + 8
    assert elapsed < 2.0, f"lifted build took {elapsed:.2f} s"


def test_unlifted_degrees_and_unknowns_match_sympy_poly():
    """The unlifted equations' degrees (read off the expanded monomials) agree
    with ``sympy.Poly``, symbolic and with numbers substituted."""
    cases = [
        Allocation.random(LRNN(n=3, b=2, d=2, T=3), 5, m=2, seed=1),  # outputs form
        Allocation.random(LRNN(n=3, b=1, d=2, T=3, convention="standard"), 4, m=3, seed=2),
        Allocation.random(LFFN([2, 3, 2, 2]), 5, m=1, seed=0),
    ]
    for allocation in cases:
        for values in (None, 3):
            system = build_system(allocation, lifted=False, values=values)
            for eq in system.equations:
                present = tuple(s for s in system.learnables if eq.expr.has(s))
                assert eq.unknowns == present
                assert eq.degree == (sympy.Poly(eq.expr, *present).total_degree() if present else 0)

