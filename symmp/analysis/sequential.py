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
2. a maximum matching (Hopcroft-Karp, scipy.sparse) and its alternating paths from
   unmatched unknowns separate the structurally under-determined unknowns;
   the rest are determined by their matched equations (Dulmage-Mendelsohn);
3. the dependency graph of the determined unknowns (``u -> v`` when v's
   matched equation contains u) is condensed into strongly connected
   components, which, in topological order (ties: smallest unknown id), are the blocks;
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

import heapq
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from ..modlinalg import rank_mod_p, rref_mod_p, solve_mod_p
from ..systems.instance import atom_values, teacher_targets
from ..systems.lifted import LIFTINGS, TermSystem, choose_form, lifted_terms
from ..systems.structure import Block, SequentialStructure

__all__ = [
    "Block",
    "SequentialStructure",
    "SequentialReport",
    "find_sequential_structure",
    "analyze_sequential",
    "solve_blocks",
    "random_values",
    "lifted_counts",
    "lifted_size",
]

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
    terms: dict[str, TermSystem] | None = None,
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
    terms : dict, optional
        Lifted systems already built (lifting name to the
        :class:`TermSystem` of this allocation and ``form``), used instead of
        building them; the ones built here are added to it. Without it the
        systems come from :func:`symmp.systems.lifted_terms` and the report
        itself is computed once per ``(allocation, liftings, form, prime,
        seed)`` and shared by every caller (classify, the sequential solver,
        provers).

    Returns
    -------
    SequentialReport
    """
    seed = (allocation.seed or 0) if seed is None else seed
    if terms is None:  # one search per allocation and options, shared by every caller
        return _shared_analysis(allocation, tuple(liftings), form, prime, seed)
    return _analyze(allocation, tuple(liftings), form, prime, seed, terms)


@lru_cache(maxsize=8)
def _shared_analysis(allocation, liftings, form, prime, seed) -> SequentialReport:
    return _analyze(allocation, liftings, form, prime, seed, None)


def _analyze(allocation, liftings, form, prime, seed, terms) -> SequentialReport:
    attempts: dict[str, str] = {}
    fallback = None
    built = {} if terms is None else terms
    for lifting in liftings:
        equations, unknowns = lifted_size(allocation, lifting, form)
        if lifting not in built and equations < unknowns:
            # decided by the counts alone, without expanding the system's terms
            attempts[lifting] = _too_few(equations, unknowns)
            continue
        if lifting not in built:
            built[lifting] = lifted_terms(allocation, lifting, form)
        structure, why = _detect(allocation, built[lifting], prime, seed)
        if structure is not None and structure.exact:
            return SequentialReport(structure, attempts)
        if structure is not None and fallback is None:
            fallback = structure
        attempts[lifting] = why
    return SequentialReport(fallback, attempts)


def lifted_counts(allocation: Allocation, terms: TermSystem | None = None) -> dict:
    """Equation and unknown counts of the (right-)lifted system, for verdicts.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> lifted_counts(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2))["equations"]
    {'linear': 4, 'quadratic': 2}
    """
    terms = lifted_terms(allocation) if terms is None else terms
    return {
        "equations": terms.counts(),
        "unknowns": terms.unknown_counts(),
        "lifted_system": f"right lifting, {terms.form} right-hand sides",
    }


def random_values(allocation: Allocation, terms: TermSystem, prime: int, seed: int) -> np.ndarray:
    """Known atoms of ``terms`` at the search's random instance mod ``prime`` (seeded):
    teacher, student fixed weights and inputs uniform mod p, targets from the teacher."""
    model = allocation.model
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5E9]))
    teacher = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    fixed = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    inputs = ar.random(model.input_shape(allocation.m), rng)
    targets = teacher_targets(model, terms.form, teacher, inputs, ar)
    return atom_values(terms, fixed, inputs, targets, dtype=np.int64)


def lifted_size(allocation: Allocation, lifting: str = "right", form: str = "auto") -> tuple[int, int]:
    """(equations, unknowns) of the lifted system, counted without building it.

    Mirrors :func:`symmp.systems.lifted.build_terms` (the tests check the two
    agree): auxiliary matrices and their defining equations, plus the output
    (or reduced) equations.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> lifted_size(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2))
    (6, 6)
    """
    model, m, r = allocation.model, allocation.m, allocation.r
    chosen = choose_form(allocation, form)
    if model.kind == "lrnn":
        lags = model.max_power - model.power_offset + 1
        auxiliary = model.max_power * (model.n * model.b if lifting == "right" else model.d * model.n)
        outputs = lags * model.d * model.b if chosen == "markov" else model.d * m
        return auxiliary + outputs, r + auxiliary
    widths = [model.input_shape(1)[0]] + [shape[0] for shape in model.matrix_shapes.values()]
    layers = len(widths) - 1
    cols = m if chosen == "outputs" else widths[0]
    if lifting == "right":
        first = 1 if chosen == "outputs" else 2
        auxiliary = sum(widths[l] * cols for l in range(first, layers))
    else:
        auxiliary = sum(model.output_dim * widths[l] for l in range(1, layers - 1))
    return auxiliary + model.output_dim * cols, r + auxiliary


def _too_few(equations: int, unknowns: int) -> str:
    return (
        f"{equations} equations for {unknowns} unknowns: fewer equations than unknowns, so no "
        "order of square blocks solves every unknown"
    )


def _detect(allocation: Allocation, terms: TermSystem, prime: int, seed: int):
    unknown = terms.unknown_mask()
    if terms.n_equations < int(unknown.sum()):
        # square blocks use distinct equations: they cannot solve every unknown
        return None, _too_few(terms.n_equations, int(unknown.sum()))
    return solve_blocks(terms, random_values(allocation, terms, prime, seed), prime, seed)


def solve_blocks(terms: TermSystem, values: np.ndarray, prime: int, seed: int):
    """The block search of :func:`analyze_sequential` on a system whose known atoms
    have ``values`` (residues mod ``prime``, one instance): ``(structure or None, why)``.

    For systems built or changed by other provers (a projected system); the
    instance is theirs to draw. ``values`` is filled in with the solution.
    """
    unknown = terms.unknown_mask()
    if terms.n_equations < int(unknown.sum()):
        return None, _too_few(terms.n_equations, int(unknown.sum()))
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
    """One Dulmage-Mendelsohn stage; updates values, solved and used in place.

    Sparse throughout (scipy.sparse on integer ids): the incidence matrix of
    the currently linear equations and their unsolved unknowns, its maximum
    matching (Hopcroft-Karp), the alternating-path search, the dependency
    graph and its strongly connected components; the components are solved
    in a topological order that breaks ties by the smallest unknown id, so the
    block order is reproducible.
    """
    mask = candidates[terms.equation] & (per_term == 1)
    if not mask.any():
        return []
    factors = terms.factors[mask]
    eq_ids, eq_index = np.unique(terms.equation[mask], return_inverse=True)
    var_ids, var_index = np.unique(factors[live[factors]], return_inverse=True)
    incidence = csr_matrix(
        (np.ones(eq_index.size, dtype=np.int8), (eq_index, var_index)), shape=(eq_ids.size, var_ids.size)
    )
    incidence.sum_duplicates()
    by_var = incidence.tocsc()
    eq_match = maximum_bipartite_matching(incidence, perm_type="column")  # eq -> var or -1
    var_match = np.full(var_ids.size, -1, dtype=np.intp)
    matched = np.flatnonzero(eq_match >= 0)
    var_match[eq_match[matched]] = matched
    # alternating paths from unmatched unknowns reach the under-determined part
    reached = var_match < 0
    frontier = np.flatnonzero(reached)
    while frontier.size:
        hit = np.unique(by_var[:, frontier].indices)
        step = eq_match[hit]
        step = np.unique(step[step >= 0])
        step = step[~reached[step]]
        reached[step] = True
        frontier = step
    determined = np.flatnonzero(~reached)
    if determined.size == 0:
        return []
    # u -> v when v's matched equation contains u (every such u is determined)
    edges = incidence[var_match[determined]].tocoo()
    position = np.full(var_ids.size, -1, dtype=np.intp)
    position[determined] = np.arange(determined.size)
    tail, head = position[edges.col], edges.row
    keep = tail != head
    tail, head = tail[keep], head[keep]
    dependency = csr_matrix(
        (np.ones(tail.size, dtype=np.int8), (tail, head)), shape=(determined.size, determined.size)
    )
    count, labels = connected_components(dependency, directed=True, connection="strong")
    members = [[] for _ in range(count)]
    for node in np.argsort(labels, kind="stable"):
        members[labels[node]].append(int(var_ids[determined[node]]))
    cross = labels[tail] != labels[head]
    links = np.unique(np.stack([labels[tail][cross], labels[head][cross]], axis=1), axis=0)
    predecessors: list[list[int]] = [[] for _ in range(count)]
    successors: list[list[int]] = [[] for _ in range(count)]
    for a, b in links.tolist():
        predecessors[b].append(a)
        successors[a].append(b)
    blocks = []
    failed = np.zeros(count, dtype=bool)
    for component in _topological_order(members, predecessors, successors):
        if any(failed[c] for c in predecessors[component]):
            failed[component] = True
            continue
        block_vars = members[component]
        local = np.searchsorted(var_ids, block_vars)
        block_eqs = [int(eq_ids[var_match[v]]) for v in local]
        A, c = terms.linearize(block_eqs, block_vars, values, prime)
        if rank_mod_p(A, prime) < len(block_vars):
            block_eqs = _independent_equations(terms, incidence, by_var, eq_ids, var_ids, local, used, solved, values, prime)
            if block_eqs is None:
                failed[component] = True
                continue
            A, c = terms.linearize(block_eqs, block_vars, values, prime)
        x = solve_mod_p(A, (-c) % prime, prime)
        values[block_vars] = np.asarray(x).reshape(-1) % prime
        solved[block_vars] = True
        used[block_eqs] = True
        blocks.append(Block(tuple(block_vars), tuple(block_eqs), stage))
    return blocks


def _topological_order(members, predecessors, successors) -> list[int]:
    """Components in dependency order, ties broken by their smallest unknown id."""
    waiting = [len(p) for p in predecessors]
    ready = [(members[c][0], c) for c in range(len(members)) if not waiting[c]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, component = heapq.heappop(ready)
        order.append(component)
        for nxt in successors[component]:
            waiting[nxt] -= 1
            if not waiting[nxt]:
                heapq.heappush(ready, (members[nxt][0], nxt))
    return order


def _independent_equations(terms, incidence, by_var, eq_ids, var_ids, local, used, solved, values, prime):
    """Unused currently-linear equations in the block's unknowns (and solved
    atoms) with full column rank; returns |block| independent ones, or None."""
    inside = np.zeros(var_ids.size, dtype=bool)
    inside[local] = True
    options = []
    for e in np.unique(by_var[:, local].indices):
        if used[eq_ids[e]]:
            continue
        others = incidence.indices[incidence.indptr[e] : incidence.indptr[e + 1]]
        if np.all(inside[others] | solved[var_ids[others]]):
            options.append(int(eq_ids[e]))
    block_vars = [int(v) for v in var_ids[local]]
    if len(options) < len(block_vars):
        return None
    A, _ = terms.linearize(options, block_vars, values, prime)
    if rank_mod_p(A, prime) < len(block_vars):
        return None
    _, pivots = rref_mod_p(A.T, prime)
    return [options[j] for j in pivots]
