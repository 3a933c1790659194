"""Projection on the left null vectors of a rank-deficient target (THEORY.md section 8).

The outputs of every polynomial model factor as ``S G``: each output
equation of row i reads ``S[i, :] G[:, c] = T[i, c]`` with ``S`` the top
matrix (lffn ``W_L``, lrnn ``D``, or the left lifting's ``G_1``). When the
teacher's target ``T`` (d x c) has rank ``k < d``, pick ``k`` independent
rows ``R``; every other row is ``T[i] = c_i T[R]`` (``u_i = e_i - c_i`` is a
left null vector of ``T``), with ``c_i = T[i, C] T[R, C]^{-1}`` rational in the
teacher. The *projected system* keeps the equations of the rows ``R`` and
replaces those of each other row i by the linear equations

    S[i, :] = c_i S[R, :]

which imply them: ``S[i] G = c_i S[R] G = c_i T[R] = T[i]``. Its solutions are
solutions of the original system, so when the projected system is
sequentially linear (square generically nonsingular blocks, nothing left over:
:func:`symmp.analysis.sequential.solve_blocks` at a random instance mod p)
almost every instance has a real solution: MP = 1. The projected system is
smaller where ``S`` has fewer columns than ``T`` and, unlike the original, it
is linear in the top matrix's unknowns: an lffn whose narrow layer caps the
rank of ``P = W_L ... W_1`` becomes solvable block by block.

The prover runs only when the target's rank (mod p at a random teacher,
computed without building a system) is below both of its sides, and tries
the row projection, the column projection and both, on each lifting.

What may be wrong: ``T[i] = c_i T[R]`` needs the generic rank of ``T`` to be
``k``. It is when ``k`` reaches the structural cap (the columns of ``S``, the
lffn's narrowest width, the sides of ``T``); otherwise the rank found at the
random teacher could be below the generic one with probability at most
``(k + 1) deg / p`` (Schwartz-Zippel; ``deg`` bounds a target entry's degree
in the draws), the reported error bound. The block determinants and the
denominator ``det T[R, C]`` are nonzero mod p at the instance, hence
generically nonzero: no probability there.

Examples
--------
>>> from symmp import LFFN, Allocation, classify
>>> entries = [("W1", i, j) for i in range(2) for j in range(3)] + [("W2", 0, 1), ("W2", 2, 0)]
>>> classify(Allocation.from_entries(LFFN([3, 2, 3]), entries, m=3)).certificate
'reduction: projection on the null vectors of the target'
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME
from ..modlinalg import rref_mod_p, solve_mod_p
from ..systems.lifted import LIFTINGS, TermSystem, build_terms, choose_form
from ..systems.terms import ONE, Atom
from .provers import Certificate, ProverContext, register_prover
from .reductions import target_rank_mod_p
from .sequential import random_values, solve_blocks

__all__ = ["project_on_null_vectors", "null_projection_prover", "NAME", "PLANS"]

NAME = "reduction: projection on the null vectors of the target"
#: sources of the projection coefficients c_i (known atoms, not targets of an output equation)
COEFFICIENTS = ("Ur", "Uc")


def _target(terms: TermSystem, values: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The target matrix (output rows; target blocks side by side) and where each atom sits,
    over the target atoms of the equations still ``live``."""
    ids = [a for a in terms.atom_ids("target") if live[a] and terms.atoms[a].source not in COEFFICIENTS]
    sources = list(dict.fromkeys(terms.atoms[a].source for a in ids))
    widths = {s: 1 + max(terms.atoms[a].col for a in ids if terms.atoms[a].source == s) for s in sources}
    offset = dict(zip(sources, np.cumsum([0] + [widths[s] for s in sources])[:-1].tolist()))
    rows = 1 + max(terms.atoms[a].row for a in ids)
    matrix = np.zeros((rows, sum(widths.values())), dtype=np.int64)
    where = {}
    for a in ids:
        atom = terms.atoms[a]
        matrix[atom.row, offset[atom.source] + atom.col] = values[a]
        where[int(a)] = (atom.row, offset[atom.source] + atom.col)
    return matrix, where


def _line_factor(terms: TermSystem, where: dict, axis: int) -> tuple[str | None, dict[int, int]]:
    """The source S such that every other term of the equation of a target in line i
    (row i for ``axis`` 0, column i for 1) holds an atom of S in line i; each output
    equation's line."""
    is_target = np.zeros(len(terms.atoms), dtype=bool)
    is_target[list(where)] = True
    line_of: dict[int, int] = {}
    for k in np.flatnonzero(is_target[terms.factors].any(axis=1)):
        atom = int(terms.factors[k][is_target[terms.factors[k]]][0])
        line_of[int(terms.equation[k])] = where[atom][0]  # ``where`` is given in (line, other) order
    common: set | None = None
    for e, i in line_of.items():
        for k in terms.terms_of([e]):
            factors = terms.factors[k]
            if is_target[factors].any():
                continue
            here = {terms.atoms[a].source for a in factors if (terms.atoms[a].row, terms.atoms[a].col)[axis] == i
                    and terms.atoms[a].kind in ("learnable", "fixed", "auxiliary")}
            common = here if common is None else common & here
    if not common:
        return None, line_of
    return sorted(common)[0], line_of


def _project(terms: TermSystem, values: np.ndarray, axis: int, prime: int):
    """One projection (rows: left null vectors; columns: right ones): (terms, values, info)."""
    live = np.zeros(len(terms.atoms), dtype=bool)
    live[terms.factors.reshape(-1)] = True
    target, where = _target(terms, values, live)
    target = target if axis == 0 else target.T
    where = {a: (pos if axis == 0 else pos[::-1]) for a, pos in where.items()}
    kept = list(rref_mod_p(target.T % prime, prime)[1])
    k, d = len(kept), target.shape[0]
    side = ("row", "column")[axis]
    if k >= d:
        return None, None, {"why": f"the target's {d} {side}s are independent"}
    source, line_of = _line_factor(terms, where, axis)
    if source is None:
        return None, None, {"why": f"no factor multiplies every output equation's {side}"}
    factor = {((a.row, a.col)[axis], (a.row, a.col)[1 - axis]): idx
              for idx, a in enumerate(terms.atoms) if a.source == source}
    if 1 + max(i for i, _ in factor) != d:
        return None, None, {"why": f"{source} does not have the target's {d} {side}s"}
    others = 1 + max(j for _, j in factor)
    pivots = rref_mod_p(target[kept] % prime, prime)[1]
    block = target[np.ix_(kept, pivots)] % prime
    atoms, values = list(terms.atoms), list(values)
    equation, factors, coef, groups = [], [], [], []
    width = max(terms.factors.shape[1], 2)
    keep_eq = np.array([line_of.get(e, kept[0]) in kept for e in range(terms.n_equations)])
    new_index = np.cumsum(keep_eq) - 1
    next_eq = int(keep_eq.sum())
    for i in (i for i in range(d) if i not in kept):
        c = np.asarray(solve_mod_p(block.T, target[i, pivots] % prime, prime)).reshape(-1) % prime
        ids = []
        for r, value in zip(kept, c.tolist()):
            ids.append(len(atoms))
            name = f"c{'rc'[axis]}_{i}_{r}"
            atoms.append(Atom("target", f"U{'rc'[axis]}", i, r, name, name))
            values.append(int(value))
        for j in range(others):
            equation.append(next_eq)
            factors.append([factor[(i, j)]] + [ONE] * (width - 1))
            coef.append(1)
            for r, a in zip(kept, ids):
                equation.append(next_eq)
                factors.append([a, factor[(r, j)]] + [ONE] * (width - 2))
                coef.append(-1)
            groups.append(len(terms.groups))
            next_eq += 1
    old = keep_eq[terms.equation]
    pad = np.full((int(old.sum()), width - terms.factors.shape[1]), ONE, dtype=np.int64)
    label = f"{source}[i, :] = c_i {source}[R, :]" if axis == 0 else f"{source}[:, i] = {source}[:, R] c_i"
    projected = replace(
        terms,
        atoms=tuple(atoms),
        equation=np.concatenate([new_index[terms.equation[old]], np.array(equation, dtype=np.int64)]),
        factors=np.concatenate([np.concatenate([terms.factors[old], pad], axis=1),
                                np.array(factors, dtype=np.int64).reshape(-1, width)]),
        coef=np.concatenate([terms.coef[old], np.array(coef, dtype=terms.coef.dtype)]),
        side=np.concatenate([terms.side[old], np.zeros(len(coef), dtype=terms.side.dtype)]),
        group_of=np.concatenate([terms.group_of[keep_eq], np.array(groups, dtype=terms.group_of.dtype)]),
        groups=terms.groups + (label,),
    )
    return projected, np.array(values, dtype=np.int64), {
        "side": side, "rank": k, "lines": d, "kept": [int(r) for r in kept], "factor": source,
        "factor_lines": others, "target_shape": list(target.shape if axis == 0 else target.T.shape),
    }


#: projections tried, in order: left null vectors (rows), right ones (columns), both
PLANS = ((0,), (1,), (0, 1))


def project_on_null_vectors(
    allocation: Allocation, lifting: str = "right", plan: tuple[int, ...] = (0,), *,
    prime: int = DEFAULT_PRIME, seed: int = 0,
):
    """The projected system's block structure at a random instance: ``(structure or None, steps)``.

    ``plan`` lists the projections (0: rows, on left null vectors; 1: columns,
    on right null vectors); ``steps`` says what each did (see the module docstring).
    """
    terms = build_terms(allocation, lifting=lifting)
    values = random_values(allocation, terms, prime, seed)
    steps = []
    for axis in plan:
        terms, values, info = _project(terms, values, axis, prime)
        steps.append(info)
        if terms is None:
            return None, steps
    structure, why = solve_blocks(terms, values, prime, seed)
    steps.append({"why": why, "lifting": lifting})
    return structure, steps


def null_projection_prover(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """MP = 1 when a projected system is sequentially linear, else None."""
    model = allocation.model
    if not model.polynomial:
        return None
    prime, degree = DEFAULT_PRIME, int(model.output_degree())
    widths = list(getattr(model, "widths", []))
    # cheap first: only a target of rank below both its sides has null vectors on both (no system built)
    rank, shape = target_rank_mod_p(allocation, choose_form(allocation, "auto"), context.seed, prime)
    if rank >= min(shape):
        return None
    for plan in PLANS:
        for lifting in LIFTINGS:
            structure, steps = project_on_null_vectors(allocation, lifting, plan, prime=prime, seed=context.seed)
            if structure is None or not structure.exact:
                continue
            projections = steps[:-1]
            reasons, error = [], 0.0
            for step in projections:
                k, d, source = step["rank"], step["lines"], step["factor"]
                cap = min([step["factor_lines"], *step["target_shape"], *widths])
                if k < cap:
                    error += min(1.0, (k + 1) * degree / prime)
                vectors = "left" if step["side"] == "row" else "right"
                reasons.append(
                    f"the target ({step['target_shape'][0]} x {step['target_shape'][1]}) has rank {k} at a random "
                    f"teacher mod p{' (its cap)' if k >= cap else ''}: its {step['side']}s {step['kept']} span "
                    f"it and every other {step['side']} i is a combination c_i of them ({vectors} null vectors, "
                    f"rational in the teacher); the equations of {step['side']} i are replaced by "
                    + (f"{source}[i, :] = c_i {source}[R, :]" if step["side"] == "row" else f"{source}[:, i] = {source}[:, R] c_i")
                    + f", linear in {source}, which imply them"
                )
            reasons.append(
                f"the projected system is sequentially linear ({steps[-1]['lifting']} lifting, "
                f"{len(structure.blocks)} square blocks, each nonsingular mod p = {prime} at a random instance, "
                "nothing left over): almost every instance has a real solution of it, hence of the original "
                "system: MP = 1 (THEORY.md section 8, reductions that stay linear"
                + (")" if error == 0 else f"; wrong only if a target's generic rank exceeds the rank found: "
                   f"probability <= {error:.3g}, Schwartz-Zippel)")
            )
            return Certificate(
                "maximal", NAME, tuple(reasons), error_bound=error,
                evidence={"null_projection": {"steps": steps, "structure": structure.to_dict(), "seed": context.seed}},
            )
    return None


register_prover("reduction:null-projection", null_projection_prover, stage="maximal", order=6)
