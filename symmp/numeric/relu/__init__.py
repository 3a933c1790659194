"""Optimisers for the piecewise-linear (ReLU) networks: training loops and update rules.

:mod:`.training` (masked batched networks and their training loop),
:mod:`.adahessian` and :mod:`.first_order` (update rules) and
:mod:`.optimisers` (the ``adahessian``, ``adam`` and ``gd`` solvers they register).
"""
