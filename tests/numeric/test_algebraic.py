"""The ``algebraic`` solver: Newton from the student's draw, then every complex root."""

import numpy as np
import pytest

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, LRNN
from symmp.numeric import SOLVERS, SolverOptions, draw_trials, estimate_mp
from symmp.numeric.problems.match import MatchProblem
from symmp.numeric.solvers import solver_applies
from symmp.numeric.solvers.algebraic import (
    FIRST_SCALES,
    algebraic_applies,
    algebraic_solve,
    family_template,
)
from symmp.numeric.solvers.auto import resolve_solver

from .helpers import assert_batch_independent

SPREAD_4 = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)  # 12 roots
SPREAD_8 = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=8, m=4)  # 16 roots
SMALL = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=2, m=2)  # 1 reduced unknown


def test_applies_only_to_square_quadratic_reductions_and_is_autos_choice():
    assert solver_applies("algebraic", SPREAD_4) and algebraic_applies(SMALL)
    assert not algebraic_applies(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=6, K=3, m=4))  # not square
    assert not algebraic_applies(Allocation.spread(LRNN(8, 2, 2, 3), "W", r=8, K=4, m=6))  # cubic
    assert not algebraic_applies(Allocation.spread(LRNN(8, 2, 2, 2, convention="standard"), "W", r=8, K=4, m=4))
    assert resolve_solver(SPREAD_4) == resolve_solver(SPREAD_8) == "algebraic"
    assert family_template(SPREAD_4).roots == 12 and family_template(SPREAD_8).roots == 16
    with pytest.raises(ValueError, match="square quadratic"):
        algebraic_solve(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=6, K=3, m=4), [], SolverOptions())


@pytest.mark.parametrize("allocation", [SPREAD_4, SPREAD_8])
def test_every_match_is_confirmed_on_the_real_model(allocation):
    trials = draw_trials(allocation, 3, range(40))
    outcomes = SOLVERS["algebraic"](allocation, trials, SolverOptions(seed=3))
    exact = MatchProblem(allocation, trials)
    matched = [k for k, o in enumerate(outcomes) if o.matched]
    assert matched
    for k in matched:
        theta = np.array(outcomes[k].details["theta"])[None, :]
        assert exact.relative_residual(theta, [k])[0] <= 1e-9
    for o in outcomes:
        assert not o.proved and o.method == "algebraic"
        if o.details["stage"] == "roots":  # all roots computed: their count is the family's
            assert o.details["roots"] == family_template(allocation).roots or not o.details["complete"]


@pytest.mark.parametrize("allocation", [SPREAD_4, SPREAD_8])
def test_finds_every_match_that_newton_and_homotopy_find(allocation):
    trials = draw_trials(allocation, 0, range(60))
    found = SOLVERS["algebraic"](allocation, trials, SolverOptions())
    local = SOLVERS["newton"](allocation, trials, SolverOptions(starts=10))
    paths = SOLVERS["homotopy"](allocation, trials, SolverOptions())
    assert all(a.matched for a, n, h in zip(found, local, paths) if n.matched or h.matched)
    # measured (200 trials, benchmarks/bench_mp.py): newton misses several of algebraic's matches at K = 8
    if allocation is SPREAD_8:
        assert sum(a.matched for a in found) >= sum(n.matched for n in local)


def test_outcome_does_not_depend_on_the_batch():
    trials = draw_trials(SPREAD_8, 1, range(12))
    assert_batch_independent(algebraic_solve, SPREAD_8, trials, SolverOptions(seed=1), alone=5, detail="stage")


@pytest.mark.parametrize("allocation, count", [(SMALL, 60), (SPREAD_8, 12)])
def test_agrees_with_certified_proofs(allocation, count):
    trials = draw_trials(allocation, 0, range(count))
    certified = SOLVERS["certified"](allocation, trials, SolverOptions())
    found = SOLVERS["algebraic"](allocation, trials, SolverOptions())
    proved = [(c.matched, a.matched) for c, a in zip(certified, found) if c.proved]
    assert proved, "certified proved nothing: is phc installed? (.ci/run installs it)"
    assert all(truth == got for truth, got in proved)
    assert all(c.matched for c, a in zip(certified, found) if a.matched)  # never a false match


def test_estimate_uses_it_by_default_and_labels_a_lower_bound():
    result = estimate_mp(SPREAD_8, trials=40, seed=2)
    assert result.method == "algebraic" and result.lower_bound == (result.mp < 1.0)
    assert 0.0 < result.mp < 1.0  # intermediate (MP about 0.4)


def test_incomplete_roots_fall_back_to_every_start(monkeypatch):
    import symmp.numeric.roots.action_matrix as action_matrix

    monkeypatch.setattr(action_matrix, "STEP_TOL", -1.0)  # no root ever counts as converged
    trials = draw_trials(SPREAD_8, 4, range(16))
    options = SolverOptions(starts=4, extra={"certificates": False})  # every no-match through the roots
    outcomes = SOLVERS["algebraic"](SPREAD_8, trials, options)
    lost = [o for o in outcomes if o.details["stage"] != "newton"]
    assert lost and all(not o.details["complete"] for o in lost)
    for o in lost:  # incomplete roots: a match from them stands, otherwise every start is tried
        assert o.matched if o.details["stage"] == "roots" else (o.details["stage"], o.starts) == ("fallback", 4)
    assert any(o.details["stage"] == "fallback" for o in lost)  # MP is about 0.4 here
    exact = MatchProblem(SPREAD_8, trials)
    for k, o in enumerate(outcomes):
        if o.matched:
            assert exact.relative_residual(np.array(o.details["theta"])[None], [k])[0] <= 1e-9


def test_square_newton_converges_near_a_root_and_never_raises_the_residual():
    from symmp.numeric.problems.quadratic import QuadraticProblem
    from symmp.numeric.solvers.algebraic import square_newton
    from symmp.numeric.problems.markov import ReducedMarkovProblem

    trials = draw_trials(SPREAD_8, 0, range(30))
    outcomes = SOLVERS["algebraic"](SPREAD_8, trials, SolverOptions())
    exact = MatchProblem(SPREAD_8, trials)
    reduced = ReducedMarkovProblem(exact, metric="markov")
    quad = QuadraticProblem(reduced)
    owner = np.array([k for k, o in enumerate(outcomes) if o.matched])
    roots = reduced.reduce(np.array([outcomes[k].details["theta"] for k in owner]), owner)
    rng = np.random.default_rng(0)
    start = roots * (1 + 1e-3 * rng.standard_normal(roots.shape))
    before = np.linalg.norm(quad.residual(start, owner), axis=1)
    end = square_newton(quad, start, owner, tol=1e-9, max_iter=20)
    after = np.linalg.norm(quad.residual(end, owner), axis=1)
    assert (after <= before).all()
    assert np.median(after / np.where(quad.target_norms[owner] > 0, quad.target_norms[owner], 1)) < 1e-10


def test_certificate_stage_agrees_with_the_roots():
    from symmp.numeric.roots.certificate import MARGIN
    from symmp.numeric.solvers.algebraic import certificates_pay

    assert certificates_pay(SPREAD_8) and not certificates_pay(SPREAD_4)  # MP about 0.4 vs about 1
    trials = draw_trials(SPREAD_8, 5, range(40))
    with_certificates = SOLVERS["algebraic"](SPREAD_8, trials, SolverOptions(extra={"certificates": True}))
    by_roots = SOLVERS["algebraic"](SPREAD_8, trials, SolverOptions(extra={"certificates": False}))
    assert [o.matched for o in with_certificates] == [o.matched for o in by_roots]
    settled = [k for k, o in enumerate(with_certificates) if o.details["stage"] == "certificate"]
    assert len(settled) >= 10  # about half the trials have a certificate of no real root
    for k in settled:
        assert not with_certificates[k].matched and with_certificates[k].details["margin"] > MARGIN
        assert by_roots[k].details["complete"] and by_roots[k].details["real_roots"] == 0
    for bad in ("yes", 1):
        with pytest.raises(ValueError, match="certificates"):
            SOLVERS["algebraic"](SPREAD_8, trials[:2], SolverOptions(extra={"certificates": bad}))
    loose = SOLVERS["algebraic"](SPREAD_8, trials[:8], SolverOptions(tol=1e-5, extra={"certificates": True}))
    assert all(o.details["stage"] != "certificate" for o in loose)  # exact-solution certificates only


def test_first_phase_starts_only_save_time():
    trials = draw_trials(SPREAD_4, 6, range(30))
    default = SOLVERS["algebraic"](SPREAD_4, trials, SolverOptions())
    no_newton = SOLVERS["algebraic"](SPREAD_4, trials, SolverOptions(extra={"first_starts": 0}))
    assert [o.matched for o in default] == [o.matched for o in no_newton]  # the roots find the same
    assert all(o.details["stage"] != "newton" for o in no_newton)
    assert any(o.details["stage"] == "newton" for o in default)
    assert all(o.starts <= len(FIRST_SCALES) for o in default if o.details["stage"] != "fallback")
    for bad in (len(FIRST_SCALES) + 1, -1, 1.5, True):
        with pytest.raises(ValueError, match="first_starts"):
            SOLVERS["algebraic"](SPREAD_4, trials[:2], SolverOptions(extra={"first_starts": bad}))


def test_solution_scale_measures_the_particular_solution():
    from symmp.numeric.problems.markov import ReducedMarkovProblem, natural_scale, solution_scale

    trials = draw_trials(SPREAD_8, 0, range(6))
    reduced = ReducedMarkovProblem(MatchProblem(SPREAD_8, trials), metric="markov")
    owner = np.arange(6)
    scale = solution_scale(reduced, owner)
    assert np.allclose(scale, np.sqrt(np.mean(reduced.particular**2, axis=1)))
    assert (scale > natural_scale(reduced.exact, owner)).all()  # solutions are larger than the draws
    reduced.particular[2] = 0.0  # degenerate: the natural scale stands in
    assert solution_scale(reduced, owner)[2] == natural_scale(reduced.exact, owner)[2]


def test_lost_trials_also_start_from_every_computed_root():
    """Trial 505 of seed 0 (n = 16, r = 8 over K = 4 rows): the elimination is ill-conditioned
    (roots incomplete) and its real root comes out as a complex pair (imaginary part 4% of
    its size); the fallback's Newton from that pair's real part matches on the real model."""
    allocation = Allocation.spread(LRNN(16, 2, 2, 2), "W", r=8, K=4, m=4)
    [trial] = draw_trials(allocation, 0, [505])
    [outcome] = SOLVERS["algebraic"](allocation, [trial], SolverOptions())
    assert outcome.details["stage"] == "fallback" and outcome.details["complete"] is False
    assert outcome.details["real_roots"] == 0 and outcome.matched and outcome.residual <= 1e-9
    exact = MatchProblem(allocation, [trial])
    assert exact.relative_residual(np.array([outcome.details["theta"]]))[0] <= 1e-9
