"""Checks shared by several numeric tests: the masked-training ones (one- and two-hidden-layer
nets) and the batched solvers' independence of their batch."""

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


def assert_batch_independent(solve, allocation, trials, options, alone: int, detail: str):
    """Each trial's outcome from ``solve`` is the same in the whole batch, alone, and in the
    reversed batch of its last 7 trials (index, verdict, and ``details[detail]`` alone)."""
    together = solve(allocation, trials, options)
    single = [solve(allocation, [t], options)[0] for t in trials[:alone]]
    shuffled = solve(allocation, trials[::-1][:7], options)[::-1]
    for a, b in zip(together, single):
        assert (a.index, a.matched, a.details[detail]) == (b.index, b.matched, b.details[detail])
    for a, b in zip(together[-7:], shuffled):
        assert (a.index, a.matched) == (b.index, b.matched)
