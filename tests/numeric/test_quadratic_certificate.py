"""Certificates of no real root: a positive-definite combination of the equations' forms."""

import numpy as np
import pytest

from symmp.numeric.roots.certificate import (
    MARGIN,
    certificate_margin,
    find_certificates,
    homogenized_forms,
)


def _random_systems(rng, k, q):
    c = rng.standard_normal((k, q))
    J = rng.standard_normal((k, q, q))
    H = rng.standard_normal((k, q, q, q))
    return c, J, 0.5 * (H + H.transpose(0, 1, 3, 2))


def _values(c, J, H, z):
    """f_e(z) = c_e + J_e z + z^T H_e z / 2 at real points z (k, q)."""
    return c + np.einsum("kei,ki->ke", J, z) + 0.5 * np.einsum("ki,keij,kj->ke", z, H, z)


def test_forms_reproduce_the_equations_up_to_their_norms():
    rng = np.random.default_rng(0)
    c, J, H = _random_systems(rng, 5, 3)
    forms = homogenized_forms(c, J, H)
    z = rng.standard_normal((5, 3))
    lifted = np.concatenate([np.ones((5, 1)), z], axis=1)
    quadratic = np.einsum("ki,keij,kj->ke", lifted, forms, lifted)
    ratio = _values(c, J, H, z) / quadratic  # each form is the equation over one positive number
    assert (ratio > 0).all()
    assert np.allclose(np.linalg.norm(forms, axis=(2, 3)), 1.0)
    w = rng.standard_normal((5, 3))
    lifted_w = np.concatenate([np.ones((5, 1)), w], axis=1)
    again = _values(c, J, H, w) / np.einsum("ki,keij,kj->ke", lifted_w, forms, lifted_w)
    assert np.allclose(ratio, again)


@pytest.mark.parametrize("q", [2, 3, 4])
def test_a_system_with_a_real_root_is_never_certified(q):
    rng = np.random.default_rng(q)
    c, J, H = _random_systems(rng, 60, q)
    root = rng.standard_normal((60, q)) * rng.uniform(0.1, 10, (60, 1))
    c = c - _values(c, J, H, root)  # plant a real root
    assert np.abs(_values(c, J, H, root)).max() < 1e-9
    found = find_certificates(homogenized_forms(c, J, H))
    assert not found.certified.any()
    assert found.impossible.mean() > 0.9  # the search settles them (t* <= 0), not just runs out


@pytest.mark.parametrize("q", [2, 3, 4])
def test_a_system_built_around_a_positive_definite_combination_is_certified(q):
    rng = np.random.default_rng(10 + q)
    k = 60
    forms = homogenized_forms(*_random_systems(rng, k, q))
    weights = rng.standard_normal((k, q))
    root = rng.standard_normal((k, q + 1, q + 1))
    positive = root @ root.transpose(0, 2, 1) + 0.1 * np.eye(q + 1)
    rest = np.einsum("ke,keij->kij", weights[:, 1:], forms[:, 1:])
    forms[:, 0] = (positive - rest) / weights[:, :1, None]  # now sum_e weights_e M_e = positive
    found = find_certificates(forms)
    assert found.certified.all()
    assert (found.margin > MARGIN).all()
    assert np.allclose(found.margin, certificate_margin(forms, found.lam))
    # the certificate's combination is positive at every real point: no real root
    z = rng.standard_normal((k, 50, q)) * 10.0
    lifted = np.concatenate([np.ones((k, 50, 1)), z], axis=2)
    combined = np.einsum("ke,keij->kij", found.lam, forms)
    assert (np.einsum("kpi,kij,kpj->kp", lifted, combined, lifted) > 0).all()
    assert (found.iterations <= 15).all()


def test_certificates_are_verified_and_degenerate_forms_are_left_open():
    # all traces zero: no combination has trace 1, so the search cannot start
    traceless = np.zeros((1, 2, 3, 3))
    traceless[0, 0, 0, 1] = traceless[0, 0, 1, 0] = 1.0
    traceless[0, 1, 1, 2] = traceless[0, 1, 2, 1] = 1.0
    found = find_certificates(traceless)
    assert not found.certified[0] and not found.impossible[0]
    # non-finite forms are left open too
    bad = np.full((1, 2, 3, 3), np.nan)
    found = find_certificates(bad)
    assert not found.certified[0] and not found.impossible[0]
    # certificate_margin rejects a combination that is not positive definite
    forms = np.zeros((1, 1, 2, 2))
    forms[0, 0] = np.diag([1.0, -1.0])
    assert certificate_margin(forms, np.array([[1.0]]))[0] < 0


def test_a_singular_member_does_not_spoil_its_batch():
    good = np.zeros((1, 2, 3, 3))
    good[0, 0] = np.eye(3)
    good[0, 1] = np.diag([0.0, 1.0, -1.0])
    bad = good.copy()
    bad[0, 1] = 0.0  # a zero form: its search cannot proceed
    alone = find_certificates(good)
    together = find_certificates(np.concatenate([bad, good, bad]))
    assert alone.certified[0] and together.certified.tolist() == [False, True, False]
    assert np.allclose(together.lam[1], alone.lam[0])
    # only the symmetric part counts: [[1, 100], [0, 1]] is indefinite as a quadratic form
    skew = np.array([[[[1.0, 100.0], [0.0, 1.0]]]])
    assert not find_certificates(skew).certified[0]
