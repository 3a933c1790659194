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
'reduction: projection on the left null vectors of the target'
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME
from ..modlinalg import rref_mod_p, solve_mod_p
from ..systems.lifted import LIFTINGS, TermSystem, build_terms
from ..systems.terms import ONE, Atom
from .provers import Certificate, ProverContext, register_prover
from .sequential import random_values, solve_blocks

__all__ = ["project_on_null_vectors", "null_projection_prover", "NAME"]

NAME = "reduction: projection on the left null vectors of the target"


def _target(terms: TermSystem, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The target matrix (rows: output rows; target blocks side by side) and its atom ids."""
    ids = terms.atom_ids("target")
    sources = list(dict.fromkeys(terms.atoms[a].source for a in ids))
    widths = {s: 1 + max(terms.atoms[a].col for a in ids if terms.atoms[a].source == s) for s in sources}
    offset = dict(zip(sources, np.cumsum([0] + [widths[s] for s in sources])[:-1].tolist()))
    rows = 1 + max(terms.atoms[a].row for a in ids)
    matrix = np.zeros((rows, sum(widths.values())), dtype=np.int64)
    where = np.full(matrix.shape, -1, dtype=np.int64)
    for a in ids:
        atom = terms.atoms[a]
        matrix[atom.row, offset[atom.source] + atom.col] = values[a]
        where[atom.row, offset[atom.source] + atom.col] = a
    return matrix, where


def _row_factor(terms: TermSystem, target_ids: np.ndarray) -> tuple[str | None, dict[int, int]]:
    """The source S such that every non-target term of the equation of a row-i target
    holds an atom S[i, j]; and each output equation's row."""
    is_target = np.zeros(len(terms.atoms), dtype=bool)
    is_target[target_ids] = True
    row_of: dict[int, int] = {}
    for k in np.flatnonzero(is_target[terms.factors].any(axis=1)):
        atom = terms.atoms[int(terms.factors[k][is_target[terms.factors[k]]][0])]
        row_of[int(terms.equation[k])] = atom.row
    common: set | None = None
    for e, i in row_of.items():
        for k in terms.terms_of([e]):
            factors = terms.factors[k]
            if is_target[factors].any():
                continue
            here = {terms.atoms[a].source for a in factors if terms.atoms[a].row == i
                    and terms.atoms[a].kind in ("learnable", "fixed", "auxiliary")}
            common = here if common is None else common & here
    if not common:
        return None, row_of
    return sorted(common)[0], row_of


def project_on_null_vectors(
    allocation: Allocation, lifting: str = "right", *, prime: int = DEFAULT_PRIME, seed: int = 0
):
    """The projected system's block structure at a random instance, or (None, why).

    Returns ``(structure, info)`` with ``info`` the rank, rows kept and top
    matrix (see the module docstring).
    """
    terms = build_terms(allocation, lifting=lifting)
    values = random_values(allocation, terms, prime, seed)
    target, _ = _target(terms, values)
    rank_rows = rref_mod_p(target.T % prime, prime)[1]
    k, d = len(rank_rows), target.shape[0]
    if k >= d:
        return None, {"why": f"the target has full row rank {d}"}
    source, row_of = _row_factor(terms, terms.atom_ids("target"))
    if source is None:
        return None, {"why": "no top matrix multiplies every output equation's row"}
    top = {(a.row, a.col): idx for idx, a in enumerate(terms.atoms) if a.source == source}
    if 1 + max(r for r, _ in top) != d:
        return None, {"why": f"{source} does not have the target's {d} rows"}
    columns = 1 + max(c for _, c in top)
    kept = list(rank_rows)
    pivots = rref_mod_p(target[kept] % prime, prime)[1]  # k independent columns C
    block = target[np.ix_(kept, pivots)] % prime
    atoms = list(terms.atoms)
    values = list(values)
    equation, factors, coef, groups = [], [], [], []
    width = max(terms.factors.shape[1], 2)
    keep_eq = np.array([row_of.get(e, -1) in kept or e not in row_of for e in range(terms.n_equations)])
    new_index = np.cumsum(keep_eq) - 1
    next_eq = int(keep_eq.sum())
    for i in (i for i in range(d) if i not in kept):
        c = np.asarray(solve_mod_p(block.T, target[i, pivots] % prime, prime)).reshape(-1) % prime
        ids = []
        for r, value in zip(kept, c.tolist()):
            ids.append(len(atoms))
            atoms.append(Atom("target", "U", i, r, f"c_{i}_{r}", f"c_{{{i},{r}}}"))
            values.append(int(value))
        for j in range(columns):
            equation.append(next_eq)
            factors.append([top[(i, j)]] + [ONE] * (width - 1))
            coef.append(1)
            for r, a in zip(kept, ids):
                equation.append(next_eq)
                factors.append([a, top[(r, j)]] + [ONE] * (width - 2))
                coef.append(-1)
            groups.append(len(terms.groups))
            next_eq += 1
    old = keep_eq[terms.equation]
    pad = np.full((int(old.sum()), width - terms.factors.shape[1]), ONE, dtype=np.int64)
    projected = replace(
        terms,
        atoms=tuple(atoms),
        equation=np.concatenate([new_index[terms.equation[old]], np.array(equation, dtype=np.int64)]),
        factors=np.concatenate([np.concatenate([terms.factors[old], pad], axis=1), np.array(factors, dtype=np.int64).reshape(-1, width)]),
        coef=np.concatenate([terms.coef[old], np.array(coef, dtype=terms.coef.dtype)]),
        side=np.concatenate([terms.side[old], np.zeros(len(coef), dtype=terms.side.dtype)]),
        group_of=np.concatenate([terms.group_of[keep_eq], np.array(groups, dtype=terms.group_of.dtype)]),
        groups=terms.groups + (f"{source}[i, :] = c_i {source}[R, :]",),
    )
    full = np.zeros(len(atoms), dtype=np.int64)
    full[:] = values
    structure, why = solve_blocks(projected, full, prime, seed)
    cap = min([columns, d, target.shape[1]] + list(getattr(allocation.model, "widths", [])))
    return structure, {
        "why": why, "rank": k, "rows": d, "kept_rows": [int(r) for r in kept], "top": source,
        "top_columns": columns, "cap": cap, "lifting": lifting, "target_shape": list(target.shape),
    }


def null_projection_prover(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """MP = 1 when the projected system is sequentially linear, else None."""
    if not allocation.model.polynomial or allocation.model.output_dim < 2:
        return None
    prime = DEFAULT_PRIME
    for lifting in LIFTINGS:
        structure, info = project_on_null_vectors(allocation, lifting, prime=prime, seed=context.seed)
        if "rank" not in info:
            return None  # full-rank target, or no top factor: nothing to project
        if structure is None or not structure.exact:
            continue
        k, d, source = info["rank"], info["rows"], info["top"]
        exact = k >= info["cap"]
        degree = int(allocation.model.output_degree())
        error = 0.0 if exact else min(1.0, (k + 1) * degree / prime)
        return Certificate(
            "maximal",
            NAME,
            (
                f"the target ({d} x {info['target_shape'][1]}) has rank {k} < {d} at a random teacher mod p"
                + (f" (the cap: {source} has {info['top_columns']} columns)" if exact else "")
                + f": rows {info['kept_rows']} span it and each other row i is c_i times them (a left null "
                f"vector e_i - c_i, rational in the teacher)",
                f"projected system: the equations of the other rows are replaced by {source}[i, :] = "
                f"c_i {source}[R, :], linear in {source}, which imply them; it is sequentially linear "
                f"({info['lifting']} lifting, {len(structure.blocks)} square blocks, each nonsingular mod "
                f"p = {prime} at a random instance, nothing left over), so almost every instance has a real "
                "solution of it, hence of the original system: MP = 1 (THEORY.md section 8, reductions that "
                "stay linear" + ("" if exact else f"; wrong only if the target's generic rank exceeds {k}: "
                f"probability <= {error:.3g}, Schwartz-Zippel") + ")",
            ),
            error_bound=error,
            evidence={"null_projection": {**info, "structure": structure.to_dict(), "seed": context.seed}},
        )
    return None


register_prover("reduction:null-projection", null_projection_prover, stage="maximal", order=6)
