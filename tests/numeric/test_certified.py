"""The certified solver: proofs agree with many-start Newton, "no" is proved
where no real solution exists, and nothing unproved is reported as a match."""

from __future__ import annotations

import numpy as np
import pytest
from flint import fmpq_mpoly_ctx

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, LRNN
from symmp.errors import SymmpError
from symmp.numeric import draw_trial
from symmp.numeric.certify.elimination import eliminate
from symmp.numeric.certify.krawczyk import krawczyk
from symmp.numeric.certify.phc import parse_solutions, phc_available
from symmp.numeric.certify.system import TrialSystem, working_precision
from symmp.numeric.sampling import Trial
from symmp.numeric.solvers import SOLVERS, SolverOptions, solver_applies
from symmp.numeric.solvers.certified import certified_solve

needs_phc = pytest.mark.skipif(
    not phc_available(), reason="PHCpack `phc` not on PATH (apt-get install phcpack); CI has it"
)


def _lrnn(n, T, b=1, d=1):
    return LRNN(n=n, b=b, d=d, T=T)


DIAGONAL = Allocation.diagonal(_lrnn(2, 2), "W", m=2)
ANTI_DIAGONAL = Allocation.diagonal(_lrnn(2, 2), "W", m=2, anti=True)
DIAGONAL_3 = Allocation.diagonal(_lrnn(3, 3), "W", m=3)  # 3 unknowns, degrees 3, 2, 1
SPREAD_8 = Allocation.spread(LRNN(n=8, b=2, d=2, T=2), "W", r=8, K=8, m=4)


def _trials(allocation, count, seed=0):
    return [draw_trial(allocation, seed=seed, index=i) for i in range(count)]


# ---------------------------------------------------------------- Krawczyk
def test_krawczyk_accepts_a_true_solution_and_rejects_a_far_point():
    trials = _trials(DIAGONAL, 6)
    outcomes = certified_solve(DIAGONAL, trials, SolverOptions(starts=10))
    position = next(k for k, o in enumerate(outcomes) if o.matched)
    system = TrialSystem(DIAGONAL, trials[position])
    newton = SOLVERS["newton"](DIAGONAL, [trials[position]], SolverOptions(starts=10))
    assert newton[0].matched
    from symmp.numeric.problems.match import MatchProblem
    from symmp.numeric.kernels.newton import levenberg_marquardt
    from symmp.numeric.kernels.starts import trial_starts

    problem = MatchProblem(DIAGONAL, [trials[position]])
    starts = trial_starts(problem, 0, 10, 0)
    theta, relative, _ = levenberg_marquardt(problem, starts, np.zeros(10, int), tol=1e-9, max_iter=100)
    solution = theta[int(np.argmin(relative))]
    with working_precision(128):
        good = krawczyk(system.ball_residual, system.ball_jacobian, solution)
        far = krawczyk(system.ball_residual, system.ball_jacobian, solution + 5.0)
    assert good.proved and all(b.contains(float(v)) for b, v in zip(good.box, solution))
    assert not far.proved


def test_krawczyk_proves_a_complex_zero_in_a_box_without_real_points():
    residual = lambda x: np.array([x[0] * x[0] + 1], dtype=object)  # noqa: E731
    jacobian = lambda x: np.array([[2 * x[0]]], dtype=object)  # noqa: E731
    result = krawczyk(residual, jacobian, np.array([1e-9 + 1.0000001j]), complex_box=True)
    assert result.proved and not result.box[0].imag.contains(0)
    assert not krawczyk(residual, jacobian, np.array([0.5]), complex_box=False).proved


# -------------------------------------------------------------- elimination
def test_elimination_three_unknowns_proves_no_real_solution():
    context = fmpq_mpoly_ctx.get(("x", 3), "lex")
    x, y, z = context.gens()
    assert eliminate([x * x + y * y + z * z + 1, x - y, y - z]).verdict == "no"
    open_case = eliminate([x * x + y * y + z * z - 3, x - y, y - z])
    assert open_case.verdict is None and sorted(round(v) for v in open_case.real_roots) == [-1, 1]


def test_unit_input_reduction_matches_the_sample_equations():
    allocation = DIAGONAL.with_m(5)  # m = 5 > T * b = 2: reduce to the 2 Markov parameters
    trial = draw_trial(allocation, seed=3, index=0)
    reduced, full = TrialSystem(allocation, trial), TrialSystem(allocation, trial, reduce=False)
    assert reduced.reduced and reduced.n_equations == 2 and full.n_equations == 5
    assert reduced.degrees() == [2, 1]


# ------------------------------------------------- agreement with Newton
@pytest.mark.parametrize(
    "allocation", [DIAGONAL, ANTI_DIAGONAL, DIAGONAL_3], ids=["diagonal", "anti-diagonal", "diag-3"]
)
def test_certified_verdicts_agree_with_many_start_newton(allocation):
    trials = _trials(allocation, 20, seed=11)
    certified = certified_solve(allocation, trials, SolverOptions(starts=10))
    newton = SOLVERS["newton"](allocation, trials, SolverOptions(starts=40))
    assert all(o.proved for o in certified)
    assert [o.matched for o in certified] == [o.matched for o in newton]
    stages = {o.details["stage"] for o in certified}
    # both verdicts occur in 20 trials; "no" by a positive-definite combination where the
    # equations have degree <= 2 (T = 2), by elimination otherwise
    assert {"krawczyk", "combination" if allocation.model.T == 2 else "elimination"} <= stages


def _no_real_solution_trial() -> Trial:
    """Student W = diag(w1, w2), D = (1, 1), B = (1, 1)^T; teacher D W^2 B = -1,
    D W B = 0: w1^2 + w2^2 = -1 has no real solution (two complex ones)."""
    teacher = {
        "W": np.array([[0.0, 1.0], [-1.0, 0.0]]),
        "B": np.array([[1.0], [0.0]]),
        "D": np.array([[1.0, 0.0]]),
    }
    student = {"W": np.array([[0.3, 0.0], [0.0, -0.2]]), "B": np.ones((2, 1)), "D": np.ones((1, 2))}
    inputs = np.array([[[1.0, 0.5]], [[0.0, 1.0]]])  # (T, b, m)
    targets = DIAGONAL.model.forward(teacher, inputs)
    return Trial(0, teacher, student, inputs, targets)


def test_constructed_instance_without_real_solution_is_proved_no():
    outcome = certified_solve(DIAGONAL, [_no_real_solution_trial()], SolverOptions(starts=20))[0]
    assert outcome.proved and not outcome.matched
    assert outcome.details["stage"] == "combination"  # w1^2 + w2^2 + 1 > 0 is itself the certificate
    options = SolverOptions(starts=20, extra={"combination": False})
    outcome = certified_solve(DIAGONAL, [_no_real_solution_trial()], options)[0]
    assert outcome.proved and not outcome.matched
    assert outcome.details["stage"] == "elimination"


@needs_phc
def test_constructed_instance_is_proved_no_by_homotopy_too():
    options = SolverOptions(starts=5, extra={"elimination": False, "combination": False})
    outcome = certified_solve(DIAGONAL, [_no_real_solution_trial()], options)[0]
    assert outcome.proved and not outcome.matched and outcome.details["stage"] == "phc"
    assert outcome.details["certified"] == outcome.details["bezout"] == 2


@needs_phc
def test_eight_unknowns_homotopy_proves_both_verdicts_and_never_contradicts_newton():
    trials = _trials(SPREAD_8, 6)
    certified = certified_solve(SPREAD_8, trials, SolverOptions(starts=10, extra={"combination": False}))
    newton = SOLVERS["newton"](SPREAD_8, trials, SolverOptions(starts=30))
    assert all(o.proved for o in certified)
    assert any(o.matched for o in certified) and any(not o.matched for o in certified)
    for cert, local in zip(certified, newton):
        assert cert.matched or not local.matched  # a Newton match is never proved "no"
    assert any(o.details["stage"] == "phc" and not o.matched for o in certified)


def test_without_phc_open_trials_stay_unproved_and_count_as_no_match():
    options = SolverOptions(starts=3, extra={"homotopy": "none"})
    outcomes = certified_solve(SPREAD_8, _trials(SPREAD_8, 4), options)
    for outcome in outcomes:
        assert outcome.matched == (outcome.proved and outcome.details["stage"] == "krawczyk")
        if not outcome.proved:
            assert not outcome.matched and outcome.details["stage"] == "open"


# ------------------------------------------------- non-square systems
def test_more_unknowns_than_equations_proves_yes_pointwise_and_no_by_a_combination():
    allocation = Allocation.from_entries(_lrnn(2, 2), [("W", 0, 0), ("W", 0, 1), ("W", 1, 1)], m=2)
    assert not solver_applies("certified", allocation)
    outcomes = certified_solve(allocation, _trials(allocation, 8), SolverOptions(starts=10))
    assert any(o.matched for o in outcomes)
    for outcome in outcomes:  # "no" only from a positive-definite combination (no point to test)
        assert outcome.matched == outcome.proved or outcome.details["stage"] == "combination"
    # underdetermined T = 2 systems with "no" trials: every verdict proved
    wide = Allocation.spread(LRNN(n=4, b=1, d=1, T=2), "W", r=3, K=3, m=2)  # 2 equations, 3 unknowns
    trials = _trials(wide, 60)
    outcomes = certified_solve(wide, trials, SolverOptions(starts=10))
    assert all(o.proved for o in outcomes)
    no = [k for k, o in enumerate(outcomes) if not o.matched]
    assert no and all(outcomes[k].details["stage"] == "combination" for k in no)
    newton = SOLVERS["newton"](wide, [trials[k] for k in no], SolverOptions(starts=40))
    assert not any(o.matched for o in newton)  # a proved "no" is never contradicted
    blind = certified_solve(wide, trials, SolverOptions(starts=10, extra={"combination": False}))
    assert all(blind[k].matched == blind[k].proved for k in range(len(trials)))  # without it: open


def test_more_equations_than_unknowns_never_claims_a_match():
    allocation = Allocation.from_entries(_lrnn(2, 2), [("W", 0, 0)], m=2)
    outcomes = certified_solve(allocation, _trials(allocation, 5), SolverOptions(starts=5))
    assert not any(o.matched for o in outcomes)
    # "no" by elimination of a square subsystem, or by phc with every real
    # zero of the subsystem excluded by an interval evaluation of the rest
    assert all(o.details["stage"] in ("combination", "elimination", "phc") for o in outcomes if o.proved)


def test_elimination_does_not_claim_yes_when_one_equation_lacks_y():
    context = fmpq_mpoly_ctx.get(("x", 2), "lex")
    x, y = context.gens()
    # h = x has the simple real root 0, but y^2 + 1 = 0 has no real root there
    assert eliminate([y * y + 1, x]).verdict is None
    assert eliminate([y * y - 1, x]).verdict is None  # open, never a wrong verdict


# ------------------------------------------------------------- interface
def test_outcome_does_not_depend_on_the_batch():
    trials = _trials(DIAGONAL_3, 4)
    together = certified_solve(DIAGONAL_3, trials, SolverOptions(starts=6))
    alone = certified_solve(DIAGONAL_3, trials[2:3], SolverOptions(starts=6))
    assert together[2] == alone[0]


def test_bad_options_and_models_give_one_line_errors():
    with pytest.raises(SymmpError, match="unknown certified option") as err:
        certified_solve(DIAGONAL, _trials(DIAGONAL, 1), SolverOptions(extra={"bogus": 1}))
    assert "\n" not in str(err.value)
    with pytest.raises(SymmpError, match="homotopy must be"):
        certified_solve(DIAGONAL, _trials(DIAGONAL, 1), SolverOptions(extra={"homotopy": "x"}))
    from symmp.models import ShallowReLU

    relu = Allocation.from_entries(ShallowReLU(2, 2, 1), [("D", 0, 0)], m=2)
    assert not solver_applies("certified", relu)
    with pytest.raises(SymmpError, match="polynomial"):
        certified_solve(relu, [], SolverOptions())


def test_phc_parser_drops_failed_paths():
    text = """THE SOLUTIONS :
2 2
solution 1 :    start residual :  1.0E-16   #iterations : 1   success
the solution for t :
 x0 :  1.00000000000000E+00   0.00000000000000E+00
 x1 : -2.00000000000000E+00   5.00000000000000E-01
== err :  1.0E-16 = rco :  1.0E-01 = res :  1.0E-16 = complex regular ==
solution 2 :    start residual :  1.0E+02   #iterations : 9   failure
the solution for t :
 x0 :  1.00000000000000E+09   0.00000000000000E+00
 x1 :  1.00000000000000E+09   0.00000000000000E+00
== err :  1.0E+02 = rco :  1.0E-20 = res :  1.0E+02 = failure ==
"""
    points = parse_solutions(text, 2)
    assert len(points) == 1 and points[0][1] == complex(-2.0, 0.5)


@pytest.mark.parametrize("allocation", [DIAGONAL, DIAGONAL_3], ids=["2 unknowns", "3 unknowns"])
def test_elimination_alone_reaches_the_same_verdicts(allocation):
    trials = _trials(allocation, 15, seed=5)
    no_phc = {"homotopy": "none", "combination": False}  # elimination's own verdicts
    full = certified_solve(allocation, trials, SolverOptions(starts=10, extra=no_phc))
    # one iteration of one start: Newton cannot match, elimination must decide
    blind = certified_solve(allocation, trials, SolverOptions(starts=1, max_iter=1, extra=no_phc))
    assert all(o.proved for o in full)
    assert all(o.details["stage"].startswith("elimination") for o in blind if o.proved)
    for seen, alone in zip(full, blind):
        assert not alone.proved or alone.matched == seen.matched
    if allocation is DIAGONAL:  # two unknowns: resultants prove "yes" as well as "no"
        assert all(o.proved for o in blind)
    else:  # three: "no" by resultants, "yes" by Newton seeded at the eliminant's real roots
        assert sum(o.proved for o in blind) >= 0.8 * len(blind)
        assert any(o.details["stage"] == "elimination+krawczyk" for o in blind)


# ------------------------------------------- positive-definite combination
def test_combination_proofs_on_small_exact_systems():
    from flint import fmpq

    from symmp.numeric.certify.quadratic import prove_no_real_solution

    context = fmpq_mpoly_ctx.get(("x", 2), "lex")
    x, y = context.gens()
    one = context.from_dict({(0, 0): 1})
    assert prove_no_real_solution([x + y - one, x + y - 2 * one], 2).how == "inconsistent"
    proof = prove_no_real_solution([x - one, y - 2 * one, x * x + y * y - one], 2)  # 5 != 1
    assert proof.proved and proof.how == "combination" and proof.free == 0
    assert not prove_no_real_solution([x - one, y, x * x + y * y - one], 2).proved  # (1, 0) solves it
    proof = prove_no_real_solution([x * x + y * y + one, x * y - 3 * one], 2)
    assert proof.proved and len(proof.lam) == 2 and all(isinstance(v, type(fmpq(1))) for v in proof.lam)
    with pytest.raises(ValueError, match="degree 3"):
        prove_no_real_solution([x * x * y - one], 2)
    with pytest.raises(ValueError, match="variables"):
        prove_no_real_solution([x * x + one], 3)
    # the unknowns fixed by the linear equations, several quadratics: one is a nonzero constant
    assert prove_no_real_solution([x - one, y - 2 * one, x * x + y * y - 4 * one, x * y - 3 * one], 2).proved
    assert not prove_no_real_solution([x - one, y - 2 * one, x * x + y * y - 5 * one, x * y - 2 * one], 2).proved
    # repeated, proportional and zero equations, and an unknown no quadratic sees
    assert prove_no_real_solution([x * x + one, 2 * x * x + 2 * one, 0 * one], 2).proved
    assert prove_no_real_solution([x, x * y, y * y + one], 2).proved  # x y vanishes once x = 0
    assert not prove_no_real_solution([x * x - one, 3 * x * x - 3 * one], 2).proved


def test_combination_is_never_claimed_for_a_system_with_a_real_solution():
    from flint import fmpq

    from symmp.numeric.certify.quadratic import prove_no_real_solution

    rng = np.random.default_rng(3)
    context = fmpq_mpoly_ctx.get(("x", 4), "lex")
    gens = context.gens()
    one = context.from_dict({(0,) * 4: 1})
    for _ in range(25):  # 1 linear and 3 quadratic equations vanishing at a rational point
        point = [fmpq(int(v), 7) for v in rng.integers(-9, 10, 4)]
        shifted = [g - p * one for g, p in zip(gens, point)]
        polys = [sum((int(a) * s for a, s in zip(rng.integers(-3, 4, 4), shifted)), 0 * one)]
        for _ in range(3):
            linear = sum((int(a) * s for a, s in zip(rng.integers(-3, 4, 4), shifted)), 0 * one)
            square = sum(
                (int(rng.integers(-3, 4)) * shifted[i] * shifted[j] for i in range(4) for j in range(i, 4)), 0 * one
            )
            polys.append(linear + square)
        assert not prove_no_real_solution(polys, 4).proved


@needs_phc
def test_combination_and_homotopy_agree_on_the_eight_unknown_family():
    trials = _trials(SPREAD_8, 10, seed=2)
    fast = certified_solve(SPREAD_8, trials, SolverOptions(starts=10))
    slow = certified_solve(SPREAD_8, trials, SolverOptions(starts=10, extra={"combination": False}))
    assert any(o.details["stage"] == "combination" for o in fast)
    for a, b in zip(fast, slow):
        assert not (a.proved and b.proved) or a.matched == b.matched
