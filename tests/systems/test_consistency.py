"""THEORY.md consistency: the system's lambdified Jacobian equals the analyzer's,
and solutions of the lifted and the original systems correspond."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from symmp import LFFN, LRNN, Allocation
from symmp.systems import build_system, draw_instance, fill_learnables

CASES = [
    Allocation.random(LRNN(n=3, b=2, d=2, T=2), 6, m=3, seed=1),  # outputs form (m < T b)
    Allocation.random(LRNN(n=3, b=1, d=2, T=3, convention="standard"), 5, m=2, seed=7),
    Allocation.random(LFFN([3, 2, 2]), 4, m=2, seed=3),
]


def _student(allocation, trial, learned):
    return fill_learnables(allocation, trial.fixed, learned)


@pytest.mark.parametrize("allocation", CASES, ids=["lrnn", "lrnn-standard", "lffn"])
def test_unlifted_jacobian_equals_the_model_jacobian(allocation):
    trial = draw_instance(allocation, seed=11)
    system = build_system(allocation, lifted=False, values=trial, form="outputs")
    jacobian = system.jacobian_function()
    rng = np.random.default_rng(0)
    for _ in range(3):
        point = rng.standard_normal(allocation.r)
        mine = jacobian(point)
        theirs = allocation.model.jacobian(_student(allocation, trial, point), trial.inputs, allocation.ordered_entries)
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("allocation", CASES, ids=["lrnn", "lrnn-standard", "lffn"])
@pytest.mark.parametrize("lifting", ["right", "left"])
def test_lifted_jacobian_reduces_to_the_model_jacobian(allocation, lifting):
    """Eliminating the auxiliaries (implicit function theorem: Schur complement
    of the definition block) turns the lifted Jacobian into d(outputs)/d(learnables)."""
    trial = draw_instance(allocation, seed=12)
    system = build_system(allocation, values=trial, lifting=lifting, form="outputs")
    r, n_aux = len(system.learnables), len(system.auxiliaries)
    residual, jacobian = system.residual_function(), system.jacobian_function()
    definitions = [k for k, eq in enumerate(system.equations) if eq.group[0] in "FG"]
    outputs = [k for k in range(len(system.equations)) if k not in definitions]
    rng = np.random.default_rng(1)
    point = rng.standard_normal(r)
    # auxiliaries from the definitions (linear in them once the weights are set)
    zero = np.concatenate([point, np.zeros(n_aux)])
    J = jacobian(zero)
    aux = np.linalg.solve(J[np.ix_(definitions, range(r, r + n_aux))], -residual(zero)[definitions])
    full = np.concatenate([point, aux])
    np.testing.assert_allclose(residual(full)[definitions], 0, atol=1e-10)
    J = jacobian(full)
    J_def_learn, J_def_aux = J[np.ix_(definitions, range(r))], J[np.ix_(definitions, range(r, r + n_aux))]
    J_out_learn, J_out_aux = J[np.ix_(outputs, range(r))], J[np.ix_(outputs, range(r, r + n_aux))]
    reduced = J_out_learn - J_out_aux @ np.linalg.solve(J_def_aux, J_def_learn)
    theirs = allocation.model.jacobian(_student(allocation, trial, point), trial.inputs, allocation.ordered_entries)
    np.testing.assert_allclose(reduced, theirs, rtol=1e-8, atol=1e-10)


def test_solutions_correspond_between_lifted_and_original():
    """A numerical solution of the lifted system projects to one of the outputs,
    and a solution of the outputs extends to the lifted system."""
    allocation = Allocation.random(LRNN(n=3, b=1, d=1, T=2), 2, m=2, seed=0, matrices=["W"])
    model = allocation.model
    found = 0
    for seed in range(6):
        trial = draw_instance(allocation, seed=seed)
        targets = model.forward(trial.teacher, trial.inputs)
        lifted = build_system(allocation, values=trial)
        residual, jacobian = lifted.residual_function(), lifted.jacobian_function()
        n = len(lifted.unknowns)
        rng = np.random.default_rng(seed)
        for _ in range(10):
            fit = least_squares(residual, rng.standard_normal(n), jac=jacobian, xtol=1e-15, ftol=1e-15, gtol=1e-15)
            if np.max(np.abs(fit.fun)) < 1e-10:
                break
        else:
            continue
        found += 1
        learned = fit.x[: allocation.r]
        outputs = model.forward(fill_learnables(allocation, trial.fixed, learned), trial.inputs)
        np.testing.assert_allclose(outputs, targets, rtol=1e-7, atol=1e-9)  # projection
        # extension: solve the outputs directly, then the recursion gives F
        direct = least_squares(
            lambda x: (model.forward(fill_learnables(allocation, trial.fixed, x), trial.inputs) - targets).ravel(),
            learned + 1e-3, xtol=1e-15, ftol=1e-15, gtol=1e-15,
        )
        weights = fill_learnables(allocation, trial.fixed, direct.x)
        F1 = weights["W"] @ weights["B"]
        F2 = weights["W"] @ F1
        aux = np.concatenate([F1.ravel(), F2.ravel()])
        assert np.max(np.abs(residual(np.concatenate([direct.x, aux])))) < 1e-8
    assert found >= 3, f"the local solver matched only {found} of 6 instances"
