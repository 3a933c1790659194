"""Solvers for networks with an elementwise activation (THEORY.md section 7).

:mod:`.cells` lists the sign patterns a hyperplane arrangement realises;
:mod:`.exact` decides a trial of a piecewise-linear network exactly by
enumerating activation patterns (the ``exact-relu`` solver).
"""
