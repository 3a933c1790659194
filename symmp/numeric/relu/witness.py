"""Witness trials of 0 < MP < 1 for piecewise-linear layers (THEORY.md section 8).

A trial's data (teacher, student's fixed weights, inputs) have a positive
density everywhere (Gaussian draws), so a property of one draw that also
holds on a neighbourhood of it has positive probability.

- **Yes witness** (:func:`yes_witness`): a combination whose exact problem
  (:mod:`.rational`) has a rational solution at which every sign constraint
  holds strictly, with the nonzero rows of the equality matrix M of full row
  rank (a zero row, a sample where every unit is silent, stays zero nearby
  and its target, the silent teacher's, stays 0). For nearby data they keep
  full row rank, so the solution set of the equalities moves
  continuously and a nearby point keeps every strict sign: the student still
  matches. MP > 0.
- **No witness** (:func:`no_witness`): every combination of a trial is
  infeasible with an exact certificate that persists: ``y, w >= 0`` with
  ``M^T y + G_S^T w = 0``, ``w > 0`` on its support S, ``y . t - w . h_S >
  0`` and ``K = [M^T | G_S^T]`` of rank P (the number of unknowns), so the
  kernel of a nearby K moves continuously and a nearby certificate exists.
  The combinations are closed (``c = |D_j| >= 0``, so a sign-split unit's
  ``D_j = 0`` is included) and cover every activation pattern of every unit,
  not only the cells realised at this draw: a pattern outside the cells must
  itself be certified unrealisable, persistently, or it is enumerated.
  Nearby data therefore have no match either. MP < 1.

Both are decided in exact rationals; the evidence (:func:`yes_witness`
returns the rational point) is re-checked by :func:`check_yes`.

Examples
--------
>>> import numpy as np
>>> from symmp.numeric.relu.exact import Layer
>>> x = np.array([[1.0, 2.0], [1.0, -1.0]]); w = np.array([[0.5, 0.5]]); d = np.array([[1.0]])
>>> learn = np.ones((1, 2), bool), np.zeros((1, 1), bool)
>>> yes_witness(Layer(w, d, x, np.array([[1.5, 3.0]]), *learn, 0.0))["theta"]   # relu(z) = (1.5, 3) > 0
['3/2', '3']
>>> no_witness(Layer(w, d, x, np.array([[1.5, -3.0]]), *learn, 0.0))            # relu(z) >= 0 cannot give -3
{'combinations': 1, 'patterns_certified_unrealisable': 0}
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import flint
import numpy as np

from .cells import all_patterns
from .exact import Layer, build_blocks, solve_layer
from .exact_system import combination_system, layer_data, silent_samples
from .rational import LinearSystem, decide_exact

__all__ = ["yes_witness", "no_witness", "check_yes", "NO_LIMIT"]

#: most combinations a no witness may enumerate
NO_LIMIT = 4096


def _options(block) -> int:
    if block.patterns is not None:
        return len(block.patterns)
    return len(block.sigmas) if block.sigmas is not None else 1


def _alive(blocks: list) -> list:
    return [b for b in blocks if b.kind != "D"]


def yes_witness(layer: Layer, *, tol: float = 1e-9, limit: int = 20_000, outcome=None) -> dict | None:
    """The persistent match of ``layer`` (see module doc), or None; ``outcome``: the layer's
    :func:`~.exact.solve_layer` result when already computed."""
    outcome = outcome or solve_layer(layer, tol=tol, limit=limit)
    if outcome.status != "match" or "choice" not in outcome.details:
        return None
    blocks, _ = build_blocks(layer)
    alive = _alive(blocks)
    dead = set(outcome.details["dead_units"])
    options = dict(outcome.details["choice"])
    choice = [(b, options[b.unit]) for b in alive if b.unit not in dead]
    system, _ = combination_system(layer, choice, [b for b in alive if b.unit in dead])
    verdict = decide_exact(system, robust=True)
    if verdict.status != "feasible" or not verdict.robust or not _zero_rows_silent(layer, system):
        return None
    return {
        "combination": [[b.unit, int(o)] for b, o in choice],
        "dead_units": sorted(dead),
        "theta": [str(v) for v in verdict.theta],
    }


def _zero_rows_silent(layer: Layer, system: LinearSystem) -> bool:
    """Every zero row of M sits at a silent sample (its 0 = 0 persists nearby)."""
    m = layer.X.shape[1]
    zero = {r % m for r, row in enumerate(system.M) if all(v == 0 for v in row)}
    return zero <= silent_samples(layer) if zero else True


def check_yes(layer: Layer, evidence: dict) -> bool:
    """Re-check a yes witness exactly: M's nonzero rows of full row rank, equalities exact, every
    sign strict."""
    blocks, _ = build_blocks(layer)
    by_unit = {b.unit: b for b in _alive(blocks)}
    choice = [(by_unit[j], o) for j, o in evidence["combination"]]
    system, _ = combination_system(layer, choice, [by_unit[j] for j in evidence["dead_units"]])
    theta = [flint.fmpq(*map(int, s.split("/"))) if "/" in s else flint.fmpq(int(s)) for s in evidence["theta"]]
    if len(theta) != system.P:
        return False
    eq = all(sum((a * b for a, b in zip(row, theta)), flint.fmpq(0)) == t for row, t in zip(system.M, system.t))
    signs = all(sum((a * b for a, b in zip(row, theta)), flint.fmpq(0)) + h > 0 for row, h in zip(system.G, system.h))
    rows = [r for r in system.M if any(v != 0 for v in r)]  # zero rows stay zero nearby (t = 0 there)
    full = not rows or flint.fmpq_mat(len(rows), system.P, [v for r in rows for v in r]).rank() == len(rows)
    return bool(eq and signs and full and _zero_rows_silent(layer, system))


def _unrealisable(layer: Layer, block, pattern: np.ndarray, data) -> bool:
    """Pattern ``pattern`` of a ``cells`` unit is persistently unrealisable in the closed sense
    (an exact certificate on the unit's own sign rows)."""
    cols = [int(c) for c in np.flatnonzero(layer.learn_w[block.unit])]
    rest = [l for l in range(len(data.X)) if l not in cols]
    g, h = [], []
    for s in range(data.m):
        sign = 1 if pattern[s] else -1
        g.append([sign * data.X[l][s] for l in cols])
        h.append(sign * sum((data.W[block.unit][l] * data.X[l][s] for l in rest), flint.fmpq(0)))
    verdict = decide_exact(LinearSystem([], [], g, h, (), len(cols)), robust=True)
    return verdict.status == "infeasible" and bool(verdict.robust)


def no_witness(layer: Layer, *, limit: int = NO_LIMIT) -> dict | None:
    """The persistent "no" of ``layer`` (see module doc), or None (a match, a combination not
    certified persistently, or more than ``limit`` combinations)."""
    blocks, _ = build_blocks(layer)
    data = layer_data(layer)
    every = all_patterns(data.m)
    widened, pruned = [], 0
    for b in _alive(blocks):
        if b.kind == "cells":
            keep = np.array([not _unrealisable(layer, b, p, data) for p in every])
            pruned += int((~keep).sum())
            b = replace(b, patterns=every[keep])
        elif b.kind == "split-cells":
            b = replace(b, patterns=np.concatenate([every, every]), sigmas=np.repeat([1.0, -1.0], len(every)))
        widened.append(b)
    sizes = [_options(b) for b in widened]
    total = int(np.prod(sizes, dtype=float))
    if total > limit:
        return None
    for options in itertools.product(*(range(n) for n in sizes)):
        system, _ = combination_system(layer, list(zip(widened, options)), [], data=data)
        closed = LinearSystem(system.M, system.t, system.G, system.h, (), system.P)
        verdict = decide_exact(closed, robust=True)
        if verdict.status != "infeasible" or not verdict.robust:
            return None
    return {"combinations": total, "patterns_certified_unrealisable": pruned}
