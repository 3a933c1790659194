"""All complex roots of square quadratic systems by the action-matrix method."""

import itertools

import numpy as np
import pytest

from symmp import Allocation, LRNN
from symmp.numeric.roots.action_matrix import quadratic_roots
from symmp.numeric.roots.template import NotZeroDimensional, build_template, dense_template
from symmp.numeric.roots.family import reduced_quadratic_mod_p

P = 2**31 - 1


def _product_systems(rng, k, q):
    """Systems with known roots: equation e is (a_e . x - s_e)(b_e . x - t_e) mixed by a random matrix.

    Returns the coefficients ``(c, J, H)`` and, per system, the 2^q roots:
    x with, for every e, a_e . x = s_e or b_e . x = t_e.
    """
    A, Bm = rng.standard_normal((k, q, q)), rng.standard_normal((k, q, q))
    s, t = rng.standard_normal((k, q)), rng.standard_normal((k, q))
    mix = rng.standard_normal((k, q, q))
    # (a.x - s)(b.x - t) = s t - (t a + s b) . x + x^T (a b^T + b a^T) x / 2
    c0 = s * t
    J0 = -(t[:, :, None] * A + s[:, :, None] * Bm)
    H0 = np.einsum("kei,kej->keij", A, Bm) + np.einsum("kei,kej->keij", Bm, A)
    c = np.einsum("kfe,ke->kf", mix, c0)
    J = np.einsum("kfe,kei->kfi", mix, J0)
    H = np.einsum("kfe,keij->kfij", mix, H0)
    roots = []
    for n in range(k):
        known = []
        for choice in itertools.product((0, 1), repeat=q):
            rows = np.array([A[n, e] if pick == 0 else Bm[n, e] for e, pick in enumerate(choice)])
            rhs = np.array([s[n, e] if pick == 0 else t[n, e] for e, pick in enumerate(choice)])
            known.append(np.linalg.solve(rows, rhs))
        roots.append(np.array(known))
    return c, J, H, roots


@pytest.mark.parametrize("method", ["sparse", "dense"])
@pytest.mark.parametrize("q", [1, 2, 3, 4])
def test_finds_every_known_root(q, method):
    rng = np.random.default_rng(q)
    c, J, H, known = _product_systems(rng, 12, q)
    roots, complete = quadratic_roots(c, J, H, method=method)
    assert roots.shape == (12, 2**q, q) and complete.all()
    for found, truth in zip(roots, known):
        # every true root is found, to 1e-5 relative (near-double roots limit the accuracy;
        # solvers polish real candidates on the real model anyway)
        distance = np.abs(found[:, None, :] - truth[None, :, :]).max(axis=2)
        assert (distance.min(axis=0) < 1e-5 * (1 + np.abs(truth).max())).all()
        assert np.abs(found.imag).max() < 1e-6  # these roots are all real


def test_complex_roots_and_structured_systems():
    # x^2 + 1 = 0, y^2 - 4 = 0: roots (+-i, +-2); diagonal structure is handled
    c = np.array([[1.0, -4.0]])
    J = np.zeros((1, 2, 2))
    H = np.zeros((1, 2, 2, 2))
    H[0, 0, 0, 0] = H[0, 1, 1, 1] = 2.0
    roots, complete = quadratic_roots(c, J, H)
    assert complete[0]
    got = sorted((round(z[0].real, 9), round(z[0].imag, 9), round(z[1].real, 9)) for z in roots[0])
    assert got == [(0.0, -1.0, -2.0), (0.0, -1.0, 2.0), (0.0, 1.0, -2.0), (0.0, 1.0, 2.0)]


def test_template_shape_and_validation():
    t = dense_template(3)
    assert t.roots == 8 and len(t.basis) == 8 and t.degree == 4
    with pytest.raises(ValueError, match="q must be"):
        dense_template(9)
    c = np.zeros((2, 3))
    with pytest.raises(ValueError, match="template is for 2 unknowns, the systems have 3"):
        quadratic_roots(c, np.zeros((2, 3, 3)), np.zeros((2, 3, 3, 3)), template=dense_template(2))


def _terms2(c, x, y, xx, xy, yy):
    # term order of _terms(2): 1, x, y, x^2, x y, y^2
    return [c, x, y, xx, xy, yy]


def test_non_generic_families_are_recognised():
    # x y = 0, 2 x y = 0: a line of roots
    with pytest.raises(NotZeroDimensional):
        build_template(np.array([_terms2(0, 0, 0, 0, 1, 0), _terms2(0, 0, 0, 0, 2, 0)], dtype=object))
    # x y = 1, x y = 2: no root at all
    with pytest.raises(ArithmeticError, match="no root"):
        build_template(np.array([_terms2(P - 1, 0, 0, 0, 1, 0), _terms2(P - 2, 0, 0, 0, 1, 0)], dtype=object))
    # x^2 + y = 3, x y = 1 (in generic coordinates below): Bezout 4, but the top
    # forms x^2 and x y share the zero x = 0, so one root is at infinity: 3 finite
    turn = np.array([[2, 1], [1, 1]])  # unimodular: roots of order one in (u, v) too
    x = lambda u, v: turn[0, 0] * u + turn[0, 1] * v  # noqa: E731
    y = lambda u, v: turn[1, 0] * u + turn[1, 1] * v  # noqa: E731
    # expand in (u, v): x^2 + y - 3 and x y - 1
    a, b = turn[0]
    e, f = turn[1]
    first = _terms2(-3 % P, e, f, a * a, 2 * a * b, b * b)
    second = _terms2(-1 % P, 0, 0, a * e, a * f + b * e, b * f)
    template = build_template(np.array([first, second], dtype=object))
    assert template.roots == 3
    # the floating-point instance of the same family: its 3 roots
    fl = lambda row: (row[0] if row[0] < P // 2 else row[0] - P)  # noqa: E731
    c = np.array([[float(fl(first)), float(fl(second))]])
    J = np.array([[[first[1], first[2]], [0.0, 0.0]]], dtype=float)
    H = np.array([[[[2 * first[3], first[4]], [first[4], 2 * first[5]]],
                   [[2 * second[3], second[4]], [second[4], 2 * second[5]]]]], dtype=float)
    roots, complete = quadratic_roots(c, J, H, template=template)
    assert complete[0] and roots.shape == (1, 3, 2)
    xs = roots[0] @ turn.T.astype(float)  # back to (x, y)
    assert np.allclose(xs[:, 0] ** 3 - 3 * xs[:, 0] + 1, 0, atol=1e-7)  # x^2 + 1/x = 3
    assert np.allclose(xs[:, 0] * xs[:, 1], 1, atol=1e-7)


@pytest.mark.parametrize("K, count", [(4, 12), (8, 16)])
def test_lrnn_reduced_families_have_the_exact_root_count(K, count):
    allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=K, m=4)
    for seed in (0, 1):  # the generic count does not depend on the instance
        assert build_template(reduced_quadratic_mod_p(allocation, seed)).roots == count


def test_coordinates_that_are_not_standard_are_read_through_their_normal_forms():
    from symmp.numeric.roots.family import family_template, float_samples as _float_samples

    # b = 1: the reduced family has a single finite root, so x_1, x_2 are not standard monomials
    allocation = Allocation.spread(LRNN(4, 1, 2, 2), "W", r=4, K=2, m=2)
    template = family_template(allocation)
    assert template.roots == 1 and (template.linear < 0).all()
    constant, linear, hessian = _float_samples(allocation, 12)
    roots, complete = quadratic_roots(constant, linear, hessian, template=template)
    assert complete.all() and np.abs(roots.imag).max() < 1e-9  # one root of a real system is real
    z = roots[:, 0].real
    residual = constant + np.einsum("kei,ki->ke", linear + 0.5 * np.einsum("keij,kj->kei", hessian, z), z)
    assert np.abs(residual).max() < 1e-8 * np.abs(constant).max()


@pytest.mark.parametrize("method", ["sparse", "dense"])
def test_a_quick_pass_finished_by_resume_finds_what_the_full_pass_finds(method):
    rng = np.random.default_rng(7)
    c, J, H, known = _product_systems(rng, 10, 4)
    full, complete = quadratic_roots(c, J, H, method=method)
    quick, _ = quadratic_roots(c, J, H, method=method, quick=True)
    finished, done = quadratic_roots(c, J, H, method=method, resume=quick)
    assert complete.all() and done.all()
    for a, b in zip(full, finished):  # the same roots, in the same order (no second elimination)
        assert np.abs(a - b).max() < 1e-8 * (1 + np.abs(a).max())
    with pytest.raises(ValueError, match="resume must have shape"):
        quadratic_roots(c, J, H, resume=quick[:, :3])


def test_a_systems_roots_do_not_depend_on_the_rest_of_the_batch():
    """Bit for bit: a run's chunks fix which systems share a call, but a system's roots must
    not depend on them (a k x q matrix product would round each row by k's blocking)."""
    from symmp.numeric import draw_trials
    from symmp.numeric.problems.match import MatchProblem
    from symmp.numeric.problems.quadratic import QuadraticProblem
    from symmp.numeric.roots.family import family_template, scaled_members as _scaled
    from symmp.numeric.problems.markov import ReducedMarkovProblem, natural_scale

    allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
    exact = MatchProblem(allocation, draw_trials(allocation, 4, range(150)))
    reduced = ReducedMarkovProblem(exact, metric="markov")
    rows = np.flatnonzero(reduced.eligible)
    systems = _scaled(QuadraticProblem(reduced, reduced.quadratic_coefficients()), rows, natural_scale(exact, rows))
    template = family_template(allocation)
    together, _ = quadratic_roots(*systems, template=template, quick=True)
    for t in (0, 7, len(rows) - 1):
        alone, _ = quadratic_roots(*(part[t : t + 1] for part in systems), template=template, quick=True)
        assert np.array_equal(alone[0], together[t], equal_nan=True)
