"""Solvers for the piecewise-linear (ReLU) networks: optimisers and the exact route.

Optimisers: :mod:`.network` (masked batched networks: loss, gradient, Hessian-vector
products), :mod:`.training` (the training loop and per-trial random keys),
:mod:`.adahessian` and :mod:`.first_order` (update rules) and
:mod:`.optimisers` (the ``adahessian``, ``adam`` and ``gd`` solvers they register).

Exact route (THEORY.md section 7): :mod:`.cells` (the sign patterns a hyperplane
arrangement realises), :mod:`.feasibility` (batched least squares plus sign
constraints) and :mod:`.exact` (one trial decided by its activation patterns; the
``exact-relu`` solver of :mod:`symmp.numeric.solvers.exact_relu`).
"""
