"""Numerical kernels shared by the solvers.

:mod:`.batched` (batched linear algebra), :mod:`.newton` (damped Newton
steps, iterations, real-model confirmation of matches) and :mod:`.starts`
(random starts drawn from each trial's own seed stream).
"""
