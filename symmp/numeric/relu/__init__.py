"""Optimisers for the piecewise-linear (ReLU) networks: training loops and update rules.

:mod:`.network` (masked batched networks: loss, gradient, Hessian-vector
products), :mod:`.training` (the training loop and per-trial random keys),
:mod:`.adahessian` and :mod:`.first_order` (update rules) and
:mod:`.optimisers` (the ``adahessian``, ``adam`` and ``gd`` solvers they register).
"""
