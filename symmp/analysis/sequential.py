"""Sequential linearity of the lifted system: a proof of MP = 1 (THEORY.md section 5).

Call :func:`find_sequential_structure` for the structure (or None);
:func:`analyze_sequential` also says why none was found.

The lifted system (learnable weights and auxiliary F as unknowns, every
equation of degree <= 2) is *sequentially linear* when its unknowns split
into blocks ``V_1, V_2, ...`` with square equation sets ``E_1, E_2, ...`` such
that ``E_k`` is linear in ``V_k`` once ``V_1 .. V_{k-1}`` are known, and the
coefficient matrix of every block is generically nonsingular.

Detection, stage by stage (nothing is specific to any theorem):

1. the equations that are *currently linear* (no product of two unsolved
   unknowns) form a bipartite equation-unknown incidence graph;
2. a maximum matching (Hopcroft-Karp) and its alternating paths from
   unmatched unknowns separate the structurally under-determined unknowns;
   the rest are determined by their matched equations (Dulmage-Mendelsohn);
3. the dependency graph of the determined unknowns (``u -> v`` when v's
   matched equation contains u) is condensed into strongly connected
   components, which, in topological order, are the blocks;
4. each block's coefficient matrix is evaluated *exactly* modulo a prime at a
   random instance (random teacher, student fixed weights and inputs, the
   targets computed from the teacher, earlier blocks solved modulo p). A
   nonzero determinant there proves the determinant, a rational function of
   the instance, is not identically zero, hence nonzero for almost every real
   instance. When the matched block is singular, other currently linear
   equations in the same unknowns are tried (full column rank, independent
   rows chosen exactly);
5. solved blocks may turn quadratic equations linear (``U F`` becomes linear
   in U once F is known); repeat until every unknown is solved.

What the certificate proves: when every unknown is solved and no equation is
left over, almost every instance has exactly one complex solution of the
lifted system, it is real (every step is a real linear solve) and it matches
the teacher, so MP = 1, with no probability of error. Equations left over
after all unknowns are solved are only checked at the random point; then
:attr:`SequentialStructure.exact` is False and the structure proves nothing
by itself.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> model = LRNN(n=4, b=1, d=1, T=2)
>>> structure = find_sequential_structure(Allocation.in_rows(model, "W", [0], k=2, m=2))
>>> structure.exact, structure.blocks[-1].size
(True, 2)
>>> find_sequential_structure(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2)) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from ..modlinalg import rank_mod_p, solve_mod_p
from ..systems.instance import atom_values, teacher_targets
from ..systems.lifted import LIFTINGS, TermSystem, build_terms
from ..systems.structure import Block, SequentialStructure

__all__ = [
    "Block",
    "SequentialStructure",
    "SequentialReport",
    "find_sequential_structure",
    "analyze_sequential",
    "lifted_counts",
]

_EQ, _VAR = 0, 1  # node tags of the equation/unknown matching graph


@dataclass(frozen=True)
class SequentialReport:
    """Outcome of :func:`analyze_sequential`: the structure found (or None)
    and, per lifting tried, why it failed."""

    structure: SequentialStructure | None
    attempts: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.structure is not None

    @property
    def reason(self) -> str:
        if self.structure is not None:
            return f"{self.structure.lifting} lifting is sequentially linear"
        return "; ".join(f"{lifting} lifting: {why}" for lifting, why in self.attempts.items())


def find_sequential_structure(allocation: Allocation, **options) -> SequentialStructure | None:
    """The sequential block structure of the lifted system, or None.

    Tries the right lifting (``F_j = W^j B``) and then the left one
    (``G_j = D W^j``); see :func:`analyze_sequential` for the options. A
    structure with equations left over (``structure.exact`` False) is
    returned when no lifting gives an exact one: it still solves the system
    block by block, but proves nothing (check ``exact`` before reading it as
    a proof of MP = 1).
    """
    return analyze_sequential(allocation, **options).structure


def analyze_sequential(
    allocation: Allocation,
    *,
    liftings: tuple[str, ...] = LIFTINGS,
    form: str = "auto",
    prime: int = DEFAULT_PRIME,
    seed: int | None = None,
) -> SequentialReport:
    """Search for a sequentially linear block order (module docstring).

    Parameters
    ----------
    allocation : Allocation
        A polynomial model (lrnn, lffn, linear estimator).
    liftings : tuple of {"right", "left"}
        Liftings to try, in order; the first exact structure wins.
    form : {"auto", "outputs", "reduced"}
        Right-hand sides of the lifted system.
    prime : int
        Prime for the exact evaluation (below 2**31).
    seed : int, optional
        Seed of the random instance; default ``allocation.seed`` or 0.

    Returns
    -------
    SequentialReport
    """
    seed = (allocation.seed or 0) if seed is None else seed
    attempts: dict[str, str] = {}
    fallback = None
    for lifting in liftings:
        terms = build_terms(allocation, lifting=lifting, form=form)
        structure, why = _detect(allocation, terms, prime, seed)
        if structure is not None and structure.exact:
            return SequentialReport(structure, attempts)
        if structure is not None and fallback is None:
            fallback = structure
        attempts[lifting] = why
    return SequentialReport(fallback, attempts)


def lifted_counts(allocation: Allocation) -> dict:
    """Equation and unknown counts of the (right-)lifted system, for verdicts.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> lifted_counts(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2))["equations"]
    {'linear': 4, 'quadratic': 2}
    """
    terms = build_terms(allocation)
    return {
        "equations": terms.counts(),
        "unknowns": terms.unknown_counts(),
        "lifted_system": f"right lifting, {terms.form} right-hand sides",
    }


def _random_values(allocation: Allocation, terms: TermSystem, prime: int, seed: int) -> np.ndarray:
    model = allocation.model
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5E9]))
    teacher = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    fixed = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    inputs = ar.random(model.input_shape(allocation.m), rng)
    targets = teacher_targets(model, terms.form, teacher, inputs, ar)
    return atom_values(terms, fixed, inputs, targets, dtype=np.int64)


def _detect(allocation: Allocation, terms: TermSystem, prime: int, seed: int):
    values = _random_values(allocation, terms, prime, seed)
    unknown = terms.unknown_mask()
    solved = ~unknown
    used = np.zeros(terms.n_equations, dtype=bool)
    blocks: list[Block] = []
    stage = 0
    while not solved.all():
        live = ~solved
        per_term = live[terms.factors].sum(axis=1)
        most = np.zeros(terms.n_equations, dtype=np.int64)
        np.maximum.at(most, terms.equation, per_term)
        candidates = ~used & (most == 1)
        new_blocks = _stage(terms, values, solved, used, candidates, per_term, live, prime, stage)
        if not new_blocks:
            remaining = int(live.sum())
            quadratic = int(np.sum(~used & (most == 2)))
            return None, (
                f"after {len(blocks)} blocks, {remaining} unknowns remain and no square block of "
                f"linear equations determines any of them ({quadratic} equations still quadratic)"
            )
        blocks += new_blocks
        stage += 1
    residual = terms.evaluate(values, prime)
    unused = np.flatnonzero(~used)
    broken = unused[residual[unused] != 0]
    if broken.size:
        return None, (
            f"the block solution leaves {broken.size} equations unsatisfied at the random point "
            "(the system is over-determined and inconsistent there)"
        )
    structure = SequentialStructure(terms, tuple(blocks), tuple(int(e) for e in unused), prime, seed)
    why = "" if structure.exact else f"{unused.size} over-determined equations are only checked at one random point"
    return structure, why


def _stage(terms, values, solved, used, candidates, per_term, live, prime, stage) -> list[Block]:
    """One Dulmage-Mendelsohn stage; updates values, solved and used in place."""
    mask = candidates[terms.equation] & (per_term == 1)
    if not mask.any():
        return []
    factors = terms.factors[mask]
    pair_atoms = factors[live[factors]]
    pair_equations = terms.equation[mask]
    graph = nx.Graph()
    # nodes (_EQ, equation) and (_VAR, atom), integer tags and sorted insertion: the matching
    # and the block order must not depend on Python's per-process string hashing (networkx
    # iterates sets of nodes), so that block solves are reproducible
    eq_nodes = sorted({(_EQ, int(e)) for e in pair_equations})
    graph.add_nodes_from(eq_nodes, bipartite=0)
    graph.add_edges_from(sorted({((_EQ, int(e)), (_VAR, int(a))) for e, a in zip(pair_equations, pair_atoms)}))
    matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=eq_nodes)
    var_nodes = [node for node in graph if node[0] == _VAR]
    # alternating paths from unmatched unknowns reach the under-determined part
    reached = {v for v in var_nodes if v not in matching}
    stack = list(reached)
    while stack:
        v = stack.pop()
        for eq in graph[v]:
            u = matching.get(eq)
            if u is not None and u not in reached:
                reached.add(u)
                stack.append(u)
    determined = [v for v in var_nodes if v in matching and v not in reached]
    dependency = nx.DiGraph()
    dependency.add_nodes_from(determined)
    for v in determined:
        for u in graph[matching[v]]:
            if u != v:
                dependency.add_edge(u, v)
    condensed = nx.condensation(dependency)
    blocks = []
    failed: set = set()
    for component in nx.topological_sort(condensed):
        members = sorted(condensed.nodes[component]["members"], key=lambda node: node[1])
        if any(u in failed for v in members for u in dependency.predecessors(v) if u not in members):
            failed.update(members)
            continue
        block_vars = [v[1] for v in members]
        block_eqs = [matching[v][1] for v in members]
        A, c = terms.linearize(block_eqs, block_vars, values, prime)
        if rank_mod_p(A, prime) < len(block_vars):
            block_eqs = _independent_equations(terms, graph, used, block_vars, solved, values, prime)
            if block_eqs is None:
                failed.update(members)
                continue
            A, c = terms.linearize(block_eqs, block_vars, values, prime)
        x = solve_mod_p(A, (-c) % prime, prime)
        values[block_vars] = np.asarray(x).reshape(-1) % prime
        solved[block_vars] = True
        used[block_eqs] = True
        blocks.append(Block(tuple(block_vars), tuple(block_eqs), stage))
    return blocks


def _independent_equations(terms, graph, used, block_vars, solved, values, prime) -> list[int] | None:
    """Unused currently-linear equations in ``block_vars`` (and solved atoms)
    with full column rank; returns |block| independent ones, or None."""
    import flint

    inside = set(block_vars)
    options = set()
    for a in block_vars:
        for eq in graph[(_VAR, a)]:
            e = eq[1]
            if used[e]:
                continue
            if all(u[1] in inside or solved[u[1]] for u in graph[eq]):
                options.add(e)
    options = sorted(options)
    if len(options) < len(block_vars):
        return None
    A, _ = terms.linearize(options, block_vars, values, prime)
    if rank_mod_p(A, prime) < len(block_vars):
        return None
    reduced, rank = flint.nmod_mat(A.T.tolist(), prime).rref()
    pivots = []
    for i in range(rank):
        row = [int(reduced[i, j]) for j in range(len(options))]
        pivots.append(next(j for j, value in enumerate(row) if value))
    return [options[j] for j in pivots]
