"""Checks shared by the masked-training tests (one- and two-hidden-layer nets)."""

from __future__ import annotations

import numpy as np


def mse(net, theta):
    """Per-trial mean squared error of ``net`` at ``theta`` (straight from the forward pass)."""
    _, _, y = net._forward(net.matrices(theta))
    residual = y - net.targets
    d, m = net.targets.shape[-2:]
    return np.einsum("tij,tij->t", residual, residual) / (d * m)


def assert_derivatives_match_finite_differences(net, theta, vector, grad, hvp, h):
    """``grad`` against central differences of :func:`mse`, ``hvp`` against those of the gradient."""
    eye = np.eye(theta.shape[1])
    numeric_grad = np.stack(
        [(mse(net, theta + h * eye[k]) - mse(net, theta - h * eye[k])) / (2 * h) for k in range(theta.shape[1])],
        axis=1,
    )
    np.testing.assert_allclose(grad, numeric_grad, rtol=1e-5, atol=1e-8)
    _, grad_plus = net.loss_grad(theta + h * vector)
    _, grad_minus = net.loss_grad(theta - h * vector)
    np.testing.assert_allclose(hvp, (grad_plus - grad_minus) / (2 * h), rtol=1e-5, atol=1e-8)
