"""Proof machinery behind the ``certified`` solver (private helpers).

- :mod:`.system`: one trial's equations, exactly (python-flint rationals and
  polynomials) and in balls (arb/acb), with the exact reduction of the
  samples for models that are linear in their inputs;
- :mod:`.krawczyk`: the interval Newton (Krawczyk) test that proves a unique
  zero of a square system inside a box, real or complex;
- :mod:`.elimination`: exact elimination (resultants over Q) for up to three
  unknowns with exact real-root isolation;
- :mod:`.phc`: the PHCpack ``phc -b`` runner and output parser.

Call :func:`symmp.numeric.solvers.certified.certified_solve` (solver name
``"certified"``) rather than these modules directly.
"""
