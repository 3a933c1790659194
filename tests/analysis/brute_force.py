"""A brute-force reference for the verdicts: does one draw's system have a real solution?

Decided by exact elimination over Q, independently of every solver and
certificate of symmp: the equations ``student(X) = teacher(X)`` on the draw's
m samples (exact rationals), a grevlex Groebner basis over QQ (sympy), the
multiplication matrix of a random integer linear form on the quotient ring,
and Sturm's count of the real roots of its characteristic polynomial. When
that polynomial is squarefree the form separates the solutions, so its real
roots are exactly the values at the real solutions (a non-real solution and
its conjugate would share a real value). Returns None when it cannot decide
(positive-dimensional, or no separating form found).

The draws: integers uniform in [-2^20, 2^20] (:func:`integer_trial`). A set of
draws of Lebesgue measure zero (where a maximal allocation fails, or a
minimal one matches) is semi-algebraic of lower dimension, so it lies in a
proper algebraic subset, which such integers hit with probability at most
its degree / 2^21: brute force and verdict must agree on every draw.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy
from flint import fmpq_mat, fmpq_mpoly_ctx

from symmp.arithmetic import OBJECT

SPAN = 2**20


def integer_trial(allocation, rng: np.random.Generator) -> tuple[dict, dict, np.ndarray]:
    """(teacher, student, inputs) with integer entries in [-SPAN, SPAN]."""
    model = allocation.model
    draw = lambda shape: rng.integers(-SPAN, SPAN + 1, size=shape).astype(object)
    teacher = {name: draw(shape) for name, shape in model.matrix_shapes.items()}
    student = {name: draw(shape) for name, shape in model.matrix_shapes.items()}
    return teacher, student, draw(model.input_shape(allocation.m))


def float_trial(trial) -> tuple[dict, dict, np.ndarray]:
    """A symmp Trial's floats as exact rationals."""
    exact = lambda a: np.vectorize(lambda v: _q(Fraction(float(v))), otypes=[object])(np.asarray(a, dtype=float))
    return (
        {k: exact(v) for k, v in trial.teacher.items()},
        {k: exact(v) for k, v in trial.student.items()},
        exact(trial.inputs),
    )


def equations(allocation, teacher, student, inputs):
    """The match equations as sympy expressions in x0..x(r-1) (learnables in allocation order)."""
    model = allocation.model
    entries = list(allocation.ordered_entries)
    context = fmpq_mpoly_ctx.get(("x", max(len(entries), 1)), "lex")
    gens = context.gens()
    zero = context.from_dict({})
    symbolic = {}
    for name, values in student.items():
        symbolic[name] = np.empty(values.shape, dtype=object)
        for index, value in np.ndenumerate(values):
            symbolic[name][index] = zero + _q(value)
    for position, (name, i, j) in enumerate(entries):
        symbolic[name][i, j] = gens[position]
    outputs = model.forward(symbolic, inputs, OBJECT).reshape(-1)
    targets = model.forward(teacher, inputs, OBJECT).reshape(-1)
    xs = sympy.symbols(f"x0:{max(len(entries), 1)}")
    out = []
    for o, t in zip(outputs, targets):
        poly = zero + o - _q(t)
        expr = sum((sympy.Rational(int(c.p), int(c.q)) * sympy.prod([x**e for x, e in zip(xs, m)])
                    for m, c in poly.to_dict().items()), sympy.Integer(0))
        if expr != 0:
            out.append(expr)
    return xs, out


def _q(value):
    from flint import fmpq

    if isinstance(value, fmpq):
        return value
    value = Fraction(int(value)) if isinstance(value, (int, np.integer)) else Fraction(value)
    return fmpq(value.numerator, value.denominator)


def has_real_solution(allocation, teacher, student, inputs, rng: np.random.Generator, forms: int = 4):
    """True / False when decided exactly (module docstring), None when not.

    A positive-dimensional system is cut to a square one: the unknowns off a
    maximal independent set of Jacobian columns (exact rank over Q at a random
    integer point) are fixed at random integers. A real solution of the cut
    is a real solution (True); a cut without one proves nothing (None).
    """
    xs, eqs = equations(allocation, teacher, student, inputs)
    if not eqs:
        return True
    found = _decide(xs, eqs, rng, forms)
    if found is not None:
        return found
    point = {x: int(rng.integers(-SPAN, SPAN + 1)) for x in xs}
    jacobian = sympy.Matrix([[sympy.diff(e, x).subs(point) for x in xs] for e in eqs])
    _, pivots = jacobian.rref()
    keep = [xs[k] for k in pivots]
    values = {x: int(rng.integers(-SPAN, SPAN + 1)) for x in xs if x not in keep}
    if not values:
        return None
    cut = [e for e in (sympy.expand(e.subs(values)) for e in eqs) if e != 0]
    if not cut:
        return True
    return True if _decide(tuple(keep), cut, rng, forms) else None


def _decide(xs, eqs, rng, forms):
    basis = sympy.groebner(eqs, *xs, order="grevlex", domain="QQ")
    exprs = list(basis.exprs)
    if exprs == [1]:
        return False
    from sympy.polys.orderings import grevlex

    leads = [sympy.Poly(g, *xs).monoms(order=grevlex)[0] for g in exprs]
    top = []
    for i in range(len(xs)):
        powers = [lead[i] for lead in leads if sum(lead) == lead[i] > 0]
        if not powers:
            return None  # positive-dimensional
        top.append(min(powers))
    standard = [e for e in np.ndindex(*top) if not any(all(a >= b for a, b in zip(e, lead)) for lead in leads)]
    position = {tuple(int(v) for v in m): k for k, m in enumerate(standard)}
    size = len(standard)
    for _ in range(forms):
        form = sum(int(c) * x for c, x in zip(rng.integers(1, 50, size=len(xs)), xs))
        matrix = fmpq_mat(size, size)
        for column, monomial in enumerate(standard):
            product = sympy.expand(form * sympy.prod([x**int(e) for x, e in zip(xs, monomial)]))
            _, remainder = sympy.reduced(product, exprs, *xs, order="grevlex", domain="QQ")
            for term, coefficient in sympy.Poly(remainder, *xs).terms():
                c = sympy.Rational(coefficient)
                matrix[position[term], column] = _q(Fraction(int(c.p), int(c.q)))
        coefficients = [Fraction(int(c.p), int(c.q)) for c in reversed(matrix.charpoly().coeffs())]
        s = sympy.Symbol("s")
        characteristic = sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in coefficients], s)
        if sympy.degree(sympy.gcd(characteristic, characteristic.diff(s)), s) == 0:
            return characteristic.count_roots() > 0
    return None
