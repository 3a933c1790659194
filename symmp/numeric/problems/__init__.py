"""The systems the solvers run on: a batch of trials' match equations and their reductions.

:mod:`.match` (:class:`MatchProblem`: residuals and analytic Jacobians of
student-equals-teacher on a batch), :mod:`.quadratic` (its exact quadratic
model where the outputs have degree <= 2) and :mod:`.markov` (the lrnn
W-only Markov reduction: the linear block eliminated exactly).
"""
