"""The parity certificate (THEORY.md section 8): an odd generic solution count proves MP = 1.

For a square polynomial system whose coefficients are real polynomials in
the random draws, if a generic member has exactly N isolated complex
solutions, all simple, and no positive-dimensional component, then the same
holds on a Zariski-open dense set of draws, so for almost every real draw;
complex conjugation permutes those N solutions, so when N is odd at least
one is real and the student matches: MP = 1. An underdetermined system is
first cut to a square one by fixing surplus unknowns at random values (a
*slice*: the values are part of the draw); a real solution of the slice is a
real solution of the whole system.

How N is computed here, exactly, for the family (never the Bezout bound):

1. the equations of one member with every random quantity (teacher, the
   student's fixed weights, slice values; for ``m >= k`` the exact input
   reduction replaces the samples by the k unit inputs) drawn uniformly
   modulo ``p = 2^31 - 1``, as exact polynomials (python-flint);
2. a grevlex Groebner basis over GF(p) (sympy). **Zero-dimensional** (every
   unknown has a pure power among the leading monomials): no
   positive-dimensional component; N = the number of standard monomials
   (solutions in the affine space over the algebraic closure, with
   multiplicity: a solution at infinity is not counted);
3. **all simple**: the matrix of multiplication by a random linear form on
   the quotient ring has a squarefree characteristic polynomial mod p, so
   its N eigenvalues are distinct and the N solutions are distinct points;
4. repeated at independent random members; every count must agree.

**The chance that the members were not generic** is bounded (THEORY.md
section 8; proof in docs/THEORY.md). Let the square system have ``s``
equations ``f_i(q, x)`` of total degree ``D_i`` in the random quantities ``q``
and the unknowns ``x`` together (``D_i`` = the model's output degree in
weights and inputs, less one on unit inputs). At a member whose solutions
are finitely many and all simple, each solution lies on a branch of the
incidence variety ``{(q, x): f(q, x) = 0}`` that is a graph over the ``q``
near it, so the member's count differs from the family's generic count (or
the generic member is positive-dimensional) only if some branch escapes to
infinity there. That happens only on the zero set of the leading
coefficients ``a_j(q)`` of the polynomials relating each ``x_j`` to ``q`` on
the ``q``-dominant components (and on slices of the positive-dimensional
ones), of degree at most their degrees; by the Bezout inequality these sum
to at most ``prod D_i``. So a uniform member mod p is non-generic with
probability at most ``s * prod(D_i) / p`` (Schwartz-Zippel), and the verdict
is wrong only if *every* member was: ``error_bound = (s prod D_i / p) **
members``. As for the ranks, this reads the computation over GF(p) as the
reduction of the one over Q (p not one of the finitely many primes that
divide every coefficient of one of those polynomials).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> count = generic_count(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2), seed=0)
>>> count.count, count.simple, count.sliced
(2, True, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flint import fmpz_mpoly_ctx, nmod_mat, nmod_poly

from ...allocation import Allocation
from ...arithmetic import OBJECT
from ...modlinalg import rref_mod_p
from .system import linear_in_inputs

__all__ = ["GenericCount", "generic_count", "joint_degree", "PRIME", "MAX_PARITY_UNKNOWNS"]

PRIME = 2**31 - 1
#: largest number of unknowns (after slicing) given to the Groebner basis
MAX_PARITY_UNKNOWNS = 8
#: largest Bezout number of the (sliced) system tried
MAX_BEZOUT = 512


@dataclass(frozen=True)
class GenericCount:
    """The family's generic number of complex solutions, and how it was found.

    Attributes
    ----------
    count : int or None
        N, the number of distinct complex solutions of a generic member
        (None when not zero-dimensional or the counts disagreed).
    simple : bool
        Every solution simple (squarefree characteristic polynomial).
    equations, unknowns : int
        Of the square (sliced) system.
    sliced : int
        Unknowns fixed at random values to make the system square.
    reduced : bool
        The equations are those on the unit inputs (exact input reduction).
    bezout : int
        The Bezout bound, for comparison (not used).
    members : int
        Random members mod p that agreed.
    note : str
        Why no count, when there is none.
    """

    count: int | None
    simple: bool
    equations: int
    unknowns: int
    sliced: int
    reduced: bool
    bezout: int
    members: int
    prime: int = PRIME
    fixed_entries: tuple = ()
    note: str = ""
    counts: tuple = field(default=())
    joint_degree: int = 0

    @property
    def member_bound(self) -> float:
        """Probability that one random member mod p is non-generic: ``s * D**s / p``."""
        return min(1.0, self.unknowns * float(self.joint_degree) ** self.unknowns / self.prime)

    @property
    def error_bound(self) -> float:
        """Probability that the count is not the family's: every member non-generic."""
        return self.member_bound ** max(self.members, 1)

    @property
    def odd(self) -> bool:
        """True when the count proves MP = 1 (odd, simple, agreed)."""
        return self.count is not None and self.simple and self.count % 2 == 1

    def to_dict(self) -> dict:
        return {
            "generic_count": self.count,
            "simple": self.simple,
            "equations": self.equations,
            "unknowns": self.unknowns,
            "sliced_unknowns": [list(e) for e in self.fixed_entries],
            "reduced_to_unit_inputs": self.reduced,
            "bezout_bound": self.bezout,
            "members_mod_p": self.members,
            "prime": self.prime,
            "joint_degree": self.joint_degree,
            "member_nongeneric_bound": self.member_bound,
            "error_bound": self.error_bound,
            "note": self.note,
        }


def _inputs(allocation: Allocation, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    model = allocation.model
    k = int(np.prod(model.input_shape(1)))
    if allocation.m >= k:
        return np.eye(k, dtype=np.int64).astype(object).reshape(model.input_shape(k)), True
    return rng.integers(0, PRIME, size=model.input_shape(allocation.m)).astype(object), False


def _member(allocation: Allocation, rng: np.random.Generator, unknowns: list, values: dict):
    """Equations (fmpz_mpoly in the ``unknowns``) of one member drawn mod p; the other
    learnable entries take ``values`` (the slice)."""
    model = allocation.model
    context = fmpz_mpoly_ctx.get(("x", max(len(unknowns), 1)), "lex")
    gens = context.gens()
    inputs, reduced = _inputs(allocation, rng)
    student, teacher = {}, {}
    for name, shape in model.matrix_shapes.items():
        teacher[name] = rng.integers(0, PRIME, size=shape).astype(object)
        student[name] = rng.integers(0, PRIME, size=shape).astype(object)
    for entry, value in values.items():
        student[entry[0]][entry[1], entry[2]] = value
    for position, (name, i, j) in enumerate(unknowns):
        student[name][i, j] = gens[position]
    outputs = model.forward(student, inputs, OBJECT).reshape(-1)
    targets = model.forward(teacher, inputs, OBJECT).reshape(-1)
    zero = context.from_dict({})
    return [zero + out - int(t) for out, t in zip(outputs, targets)], reduced


def _to_sympy(polys, n: int):
    import sympy

    xs = sympy.symbols(f"x0:{n}")
    return xs, [sympy.Poly.from_dict({e: int(c) % PRIME for e, c in p.to_dict().items()}, *xs, modulus=PRIME) for p in polys]


def _count(polys, n: int, rng: np.random.Generator) -> tuple[int | None, bool, str]:
    """(N, simple, note) of one member from its grevlex Groebner basis over GF(p)."""
    import sympy
    from sympy.polys.orderings import grevlex

    xs, spolys = _to_sympy(polys, n)
    basis = sympy.groebner([p.as_expr() for p in spolys], *xs, order="grevlex", modulus=PRIME)
    if list(basis.exprs) == [1]:
        return 0, True, "no solution at all"
    leads = [sympy.Poly(g, *xs, modulus=PRIME).monoms(order=grevlex)[0] for g in basis.exprs]
    top = []
    for i in range(n):
        powers = [lead[i] for lead in leads if sum(lead) == lead[i] > 0]
        if not powers:
            return None, False, "positive-dimensional: some unknown has no pure power among the leading monomials"
        top.append(min(powers))
    standard = []
    for exponent in np.ndindex(*top):
        if not any(all(a >= b for a, b in zip(exponent, lead)) for lead in leads):
            standard.append(tuple(int(v) for v in exponent))
    position = {m: k for k, m in enumerate(standard)}
    form = sum(int(c) * x for c, x in zip(rng.integers(1, PRIME, size=n), xs))
    size = len(standard)
    entries = [0] * (size * size)
    for column, monomial in enumerate(standard):
        product = form * sympy.prod([x**e for x, e in zip(xs, monomial)])
        _, remainder = sympy.reduced(product, list(basis.exprs), *xs, order="grevlex", modulus=PRIME)
        for term, coefficient in sympy.Poly(remainder, *xs, modulus=PRIME).terms():
            entries[position[term] * size + column] = int(coefficient) % PRIME
    characteristic = nmod_mat(size, size, entries, PRIME).charpoly()
    squarefree = characteristic.gcd(characteristic.derivative()).degree() == 0
    return size, bool(squarefree), "" if squarefree else "a multiple solution (characteristic polynomial not squarefree)"


def _jacobian_pivots(polys, n: int, rng: np.random.Generator) -> list[int]:
    point = [int(v) for v in rng.integers(0, PRIME, size=n)]
    matrix = np.array([[int(p.derivative(i)(*point)) % PRIME for i in range(n)] for p in polys], dtype=np.int64)
    return list(rref_mod_p(matrix, PRIME)[1])


def generic_count(allocation: Allocation, *, seed: int = 0, members: int = 2) -> GenericCount | None:
    """The generic solution count of the allocation's (sliced) square system, or None.

    None when the method does not apply: a model that is not polynomial or
    not linear in its inputs, more equations than unknowns, dependent
    equations (Jacobian rank below the number of equations), or a system
    beyond :data:`MAX_PARITY_UNKNOWNS` unknowns or :data:`MAX_BEZOUT`.
    """
    model = allocation.model
    if not model.polynomial or not linear_in_inputs(model):
        return None
    rng = np.random.default_rng([seed, 7411])
    entries = list(allocation.ordered_entries)
    polys, reduced = _member(allocation, rng, entries, {})
    E, r = len(polys), len(entries)
    if E > r or E == 0:
        return None
    pivots = _jacobian_pivots(polys, r, rng)
    if len(pivots) < E:
        return None  # dependent equations: not a square system
    kept = [entries[i] for i in pivots]
    fixed = tuple(e for e in entries if e not in kept)
    if len(kept) > MAX_PARITY_UNKNOWNS:
        return None
    counts, simple, note = [], True, ""
    bezout = 0
    for _ in range(members):
        values = {e: int(v) for e, v in zip(fixed, rng.integers(0, PRIME, size=len(fixed)))}
        member, _ = _member(allocation, rng, kept, values)
        bezout = int(np.prod([max(p.total_degree(), 0) for p in member]))
        if bezout > MAX_BEZOUT or any(p.total_degree() < 1 for p in member):
            return None
        count, member_simple, note = _count(member, len(kept), rng)
        counts.append(count)
        simple = simple and member_simple
        if count is None or not member_simple:
            break
    agreed = len(set(counts)) == 1 and len(counts) == members and counts[0] is not None
    return GenericCount(
        count=counts[0] if agreed else None,
        simple=simple and agreed,
        equations=E,
        unknowns=len(kept),
        sliced=len(fixed),
        reduced=reduced,
        bezout=bezout,
        members=len(counts),
        fixed_entries=fixed,
        note=note if agreed or note else f"the members' counts disagree: {counts}",
        counts=tuple(counts),
        joint_degree=joint_degree(allocation, reduced),
    )


def joint_degree(allocation: Allocation, reduced: bool) -> int:
    """Total degree of a match equation in the unknowns and every random quantity.

    The output degree in all weights and the inputs (exact, max-plus), less
    one on the unit inputs (the outputs are linear in the inputs).

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> joint_degree(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2), reduced=True)
    4
    """
    return int(allocation.model.output_degree()) - (1 if reduced else 0)
