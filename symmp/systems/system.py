"""The readable polynomial system of an allocation (sympy equations).

Call :func:`build_system`. The lifted form (default) introduces the
auxiliary matrices F of THEORY.md section 5, so every equation has degree at
most 2 in the unknowns and W^T is never expanded; the unlifted form writes
the outputs directly as polynomials in the learnable weights (small models
only).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> system = build_system(a)
>>> system.counts(), system.unknown_counts()
({'linear': 7, 'quadratic': 1}, {'learnable': 2, 'auxiliary': 6})
>>> system.learnables
(w_0_0, w_0_1)
>>> system.equations[0]
Equation(f1_0_0 = bbar_0_0*w_0_0 + bbar_1_0*w_0_1 + bbar_2_0*wbar_0_2, linear)
>>> unlifted = build_system(a, lifted=False)
>>> [eq.degree for eq in unlifted.equations]
[1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ..allocation import Allocation
from ..errors import SpecError
from .instance import Instance, atom_value, draw_instance, teacher_targets
from .lifted import TermSystem, build_terms, choose_form
from .readout import build_readout, is_readout_allocation
from .terms import Atom
from .unlifted import build_unlifted

__all__ = ["Equation", "PolynomialSystem", "build_system"]


@dataclass(frozen=True)
class Equation:
    """``lhs = rhs``, with its degree in the unknowns and the unknowns it ties."""

    lhs: sympy.Expr
    rhs: sympy.Expr
    degree: int
    unknowns: tuple[sympy.Symbol, ...]
    group: str

    @property
    def expr(self) -> sympy.Expr:
        """``lhs - rhs`` (the equation is ``expr = 0``)."""
        return self.lhs - self.rhs

    @property
    def kind(self) -> str:
        """``"linear"`` (degree <= 1 in the unknowns), ``"quadratic"``, or ``"degree k"``."""
        if self.degree <= 1:
            return "linear"
        return "quadratic" if self.degree == 2 else f"degree {self.degree}"

    @property
    def linear(self) -> bool:
        return self.degree <= 1

    def __repr__(self) -> str:
        return f"Equation({self.lhs} = {self.rhs}, {self.kind})"


class PolynomialSystem:
    """Equations of an allocation's matching problem (built by :func:`build_system`).

    Attributes
    ----------
    allocation : Allocation
    lifted : bool
    form : str
        ``"outputs"``, ``"markov"`` or ``"product"`` (right-hand sides).
    lifting : str or None
        ``"right"`` or ``"left"`` for lifted systems.
    instance : Instance or None
        The numbers substituted for fixed weights, inputs and targets, or
        None when they stay symbolic parameters.
    atoms : tuple of Atom
        Every named scalar; ``symbols[atom.name]`` is its sympy symbol.
    equations : tuple of Equation
    learnables, auxiliaries, parameters : tuple of sympy.Symbol
        Unknowns (learnables in ``allocation.ordered_entries`` order), and
        the symbolic parameters (empty when ``instance`` is given).
    terms : TermSystem or None
        The fast array form (lifted systems only).
    """

    def __init__(self, allocation, lifted, form, lifting, instance, atoms, equations, terms) -> None:
        self.allocation: Allocation = allocation
        self.lifted: bool = lifted
        self.form: str = form
        self.lifting: str | None = lifting
        self.instance: Instance | None = instance
        self.atoms: tuple[Atom, ...] = atoms
        self.equations: tuple[Equation, ...] = tuple(equations)
        self.terms: TermSystem | None = terms
        self.symbols = {a.name: sympy.Symbol(a.name) for a in atoms if a.kind != "one"}
        by_entry = {(a.source, a.row, a.col): self.symbols[a.name] for a in atoms if a.kind == "learnable"}
        self.learnables = tuple(by_entry[e] for e in allocation.ordered_entries)
        self.auxiliaries = tuple(self.symbols[a.name] for a in atoms if a.kind == "auxiliary")
        self.parameters = (
            ()
            if instance is not None
            else tuple(self.symbols[a.name] for a in atoms if a.kind in ("fixed", "input", "target"))
        )

    @property
    def unknowns(self) -> tuple[sympy.Symbol, ...]:
        """Learnables then auxiliaries: the columns of :meth:`jacobian_function`."""
        return self.learnables + self.auxiliaries

    def latex_names(self) -> dict[sympy.Symbol, str]:
        """LaTeX name of every symbol."""
        return {self.symbols[a.name]: a.latex for a in self.atoms if a.kind != "one"}

    def counts(self) -> dict[str, int]:
        """Number of equations of each kind (``linear``, ``quadratic``, ...)."""
        out = {"linear": 0, "quadratic": 0}
        for eq in self.equations:
            out[eq.kind] = out.get(eq.kind, 0) + 1
        return out

    def unknown_counts(self) -> dict[str, int]:
        return {"learnable": len(self.learnables), "auxiliary": len(self.auxiliaries)}

    def jacobian_function(self):
        """Lambdified Jacobian ``f(unknown_values, parameter_values) -> (equations, unknowns)``.

        ``unknown_values`` follow :attr:`unknowns`, ``parameter_values``
        follow :attr:`parameters` (pass an empty sequence with an instance).
        """
        exprs = sympy.Matrix([eq.expr for eq in self.equations])
        jac = exprs.jacobian(list(self.unknowns))
        function = sympy.lambdify([list(self.unknowns), list(self.parameters)], jac, "numpy")
        shape = jac.shape
        return lambda u, p=(): np.asarray(function(list(u), list(p)), dtype=float).reshape(shape)

    def residual_function(self):
        """Lambdified residuals ``f(unknown_values, parameter_values) -> (equations,)``."""
        exprs = [eq.expr for eq in self.equations]
        function = sympy.lambdify([list(self.unknowns), list(self.parameters)], exprs, "numpy")
        return lambda u, p=(): np.asarray(function(list(u), list(p)), dtype=float).reshape(len(exprs))

    def to_latex(self, **options) -> str:
        """LaTeX listing; see :func:`symmp.systems.latex.system_to_latex`."""
        from .latex import system_to_latex

        return system_to_latex(self, **options)

    def _repr_latex_(self) -> str:
        from .latex import system_to_latex

        return system_to_latex(self, jupyter=True)

    def __repr__(self) -> str:
        kind = f"lifted ({self.lifting})" if self.lifted else "unlifted"
        return (
            f"PolynomialSystem({kind}, form={self.form!r}, {len(self.equations)} equations "
            f"{self.counts()}, unknowns {self.unknown_counts()})"
        )


def build_system(
    allocation: Allocation,
    lifted: bool = True,
    values: int | Instance | None = None,
    *,
    lifting: str = "right",
    form: str = "auto",
) -> PolynomialSystem:
    """The polynomial system whose real solutions are the student's matches.

    Parameters
    ----------
    allocation : Allocation
        lrnn, lffn or linear estimator; or a ReLU network (relu, relu2)
        with learnables in D only, whose system ``D Phi = Y`` is linear in
        them (:mod:`symmp.systems.readout`; ``lifted`` is then moot).
    lifted : bool
        Introduce the auxiliary matrices F (degree <= 2, scales): the
        default here and in ``symmp latex`` (whose ``--unlifted`` is
        ``lifted=False``); False writes the outputs as polynomials in the
        learnables (small models).
    values : int, Instance or None
        None keeps fixed weights, inputs and targets as symbols; a seed
        draws them (:func:`symmp.systems.draw_instance`), the targets being
        the teacher's; an :class:`Instance` gives them.
    lifting : {"right", "left"}
        ``F_j = W^j B`` (right) or ``G_j = D W^j`` (left) auxiliaries.
    form : {"auto", "outputs", "reduced"}
        Right-hand sides; see :mod:`symmp.systems.lifted`.

    Returns
    -------
    PolynomialSystem

    Raises
    ------
    SpecError
        Non-polynomial model, bad ``values``, ``lifting`` or ``form``.
    """
    if values is not None and not isinstance(values, Instance):
        values = draw_instance(allocation, values) if allocation.model.polynomial or is_readout_allocation(
            allocation) else values
    if is_readout_allocation(allocation):  # ReLU networks with D alone learnable: D Phi = Y
        atoms, triples = build_readout(allocation, values)
        return PolynomialSystem(allocation, False, "outputs", None, values, atoms,
                                _equations(atoms, triples), None)
    if not allocation.model.polynomial:
        raise SpecError(
            f"model {allocation.model.kind!r} is not polynomial in its weights; symbolic systems "
            "exist for lrnn, lffn and linear models, and for networks whose learnables all lie in "
            "the read-out D (Y = D Phi, linear in them)"
        )
    concrete = choose_form(allocation, form)
    targets = (
        None if values is None else teacher_targets(allocation.model, concrete, values.teacher, values.inputs)
    )

    def expr_of(atom: Atom):
        if atom.kind == "one":
            return sympy.Integer(1)
        if values is not None and not atom.unknown:
            return sympy.Float(float(atom_value(atom, values.fixed, values.inputs, targets)))
        return sympy.Symbol(atom.name)

    if lifted:
        terms = build_terms(allocation, lifting=lifting, form=form)
        exprs = [expr_of(atom) for atom in terms.atoms]
        equations = _equations_from_terms(terms, exprs)
        return PolynomialSystem(allocation, True, terms.form, lifting, values, terms.atoms, equations, terms)
    atoms, triples = build_unlifted(allocation, concrete, expr_of)
    return PolynomialSystem(allocation, False, concrete, None, values, atoms, _equations(atoms, triples), None)


def _equations(atoms: tuple[Atom, ...], triples: list[tuple]) -> list[Equation]:
    """Equations of expanded ``(lhs, rhs, group)`` triples, with their degrees and unknowns."""
    unknown_symbols = [sympy.Symbol(a.name) for a in atoms if a.unknown]
    equations = []
    for lhs, rhs, group in triples:
        free = lhs.free_symbols | rhs.free_symbols
        present = tuple(s for s in unknown_symbols if s in free)
        degree = max(_degree(lhs, present), _degree(rhs, present))
        equations.append(Equation(lhs, rhs, degree, present, group))
    return equations


def _degree(expr: sympy.Expr, unknowns: tuple[sympy.Symbol, ...]) -> int:
    """Total degree in ``unknowns`` of an expanded sum of monomials (the
    unlifted sides are expanded; converting them to ``sympy.Poly`` with
    symbolic coefficients took most of the build time)."""
    if not unknowns:
        return 0
    wanted = set(unknowns)
    return max(
        sum(int(power) for base, power in term.as_powers_dict().items() if base in wanted)
        for term in sympy.Add.make_args(expr)
    )


def _equations_from_terms(terms: TermSystem, exprs: list) -> list[Equation]:
    unknown = terms.unknown_mask()
    degrees = terms.degrees(unknown)
    out = []
    for e in range(terms.n_equations):
        sides: list[list] = [[], []]
        tied: dict[int, None] = {}
        for k in terms.terms_of([e]):
            factors = terms.factors[k]
            coef = int(terms.coef[k]) * (-1 if terms.side[k] else 1)
            sides[terms.side[k]].append(sympy.Mul(coef, *(exprs[a] for a in factors if a)))
            tied.update({int(a): None for a in factors if unknown[a]})
        names = tuple(exprs[a] for a in tied)
        out.append(
            Equation(sympy.Add(*sides[0]), sympy.Add(*sides[1]), int(degrees[e]), names, terms.groups[terms.group_of[e]])
        )
    return out

