"""Exact elimination for square systems of up to three unknowns.

The unknowns are eliminated one by one with resultants over Q (python-flint
``fmpq_mpoly.resultant``), leaving one polynomial ``h(x0)`` whose real roots
are isolated exactly (``fmpz_poly.complex_roots``: disjoint certified balls,
real roots with an exactly zero imaginary part).

What it proves:

- **no real solution** when ``h`` is not identically zero and has no real
  root: every real solution ``(x0, ...)`` makes every resultant vanish, so
  ``x0`` would be a real root of ``h`` (any number of unknowns);
- **a real solution** (two unknowns, both involving ``y``, ``h = Res_y(p, q)``)
  when ``h`` has a simple real root ``a`` at which the leading coefficient of ``p`` in ``y``
  does not vanish: then ``ord_a h`` is the sum of the intersection
  multiplicities of the common zeros over ``x0 = a``, so there is exactly one,
  of multiplicity one; its complex conjugate is also a common zero over the
  real ``a``, hence it is real. With one unknown, any real root is a solution.

Otherwise the real roots of ``h`` are returned as candidates (e.g. to seed
Newton), and the verdict stays open.

Examples
--------
>>> from flint import fmpq_mpoly_ctx
>>> context = fmpq_mpoly_ctx.get(("x", 2), "lex")
>>> x0, x1 = context.gens()
>>> eliminate([x0 * x0 + x1 * x1 + 1, x0 - x1]).verdict   # circle of radius i
'no'
>>> eliminate([x0 * x0 + x1 * x1 - 1, x0 - x1]).verdict
'yes'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flint import fmpq, fmpq_mpoly, fmpz, fmpz_poly

__all__ = ["EliminationResult", "eliminate", "MAX_UNKNOWNS"]

#: elimination is attempted up to this many unknowns
MAX_UNKNOWNS = 3


@dataclass(frozen=True)
class EliminationResult:
    """Outcome of :func:`eliminate`.

    Attributes
    ----------
    verdict : {"yes", "no", None}
        Proved existence or absence of a real solution; None when open.
    degree : int
        Degree of the eliminant ``h(x0)`` (-1 if identically zero).
    real_roots : tuple of float
        Midpoints of the real roots of ``h`` (candidates for ``x0``).
    message : str
    """

    verdict: str | None
    degree: int
    real_roots: tuple[float, ...] = field(default_factory=tuple)
    message: str = ""


def _degree_in(poly: fmpq_mpoly, var: int) -> int:
    return int(poly.degrees()[var]) if not poly.is_zero() else -1


def _leading_coefficient_in(poly: fmpq_mpoly, var: int) -> fmpq_mpoly:
    top = _degree_in(poly, var)
    context = poly.context()
    terms = {}
    for exps, coeff in poly.to_dict().items():
        if exps[var] == top:
            reduced = list(exps)
            reduced[var] = 0
            terms[tuple(reduced)] = coeff
    return context.from_dict(terms)


def _univariate(poly: fmpq_mpoly) -> fmpz_poly:
    """``poly`` (in x0 only) as an integer polynomial with the same roots."""
    coefficients = {}
    for exps, coeff in poly.to_dict().items():
        if any(exps[1:]):
            raise ValueError("eliminant still depends on other unknowns")
        coefficients[exps[0]] = coeff
    if not coefficients:
        return fmpz_poly([])
    denominator = fmpz(1)
    for coeff in coefficients.values():
        denominator = denominator.lcm(coeff.q)  # type: ignore[attr-defined]
    size = max(coefficients) + 1
    scaled = [fmpq(coefficients.get(k, 0)) * denominator for k in range(size)]
    return fmpz_poly([value.p for value in scaled])


def _eliminate_last(polys: list[fmpq_mpoly], var: int):
    """Resultants of the pivot (lowest positive degree in ``var``) with the others."""
    involved = [p for p in polys if _degree_in(p, var) > 0]
    if not involved:
        return None, None
    pivot = min(involved, key=lambda p: _degree_in(p, var))
    rest = []
    pivot_seen = False
    for poly in polys:
        if poly is pivot and not pivot_seen:
            pivot_seen = True
            continue
        rest.append(pivot.resultant(poly, var) if _degree_in(poly, var) > 0 else poly)
    return pivot, rest


def eliminate(polys: list[fmpq_mpoly]) -> EliminationResult:
    """Decide, when it can, whether a square system has a real solution.

    Parameters
    ----------
    polys : list of fmpq_mpoly
        ``r <= 3`` polynomials in the ``r`` generators of one context.

    Returns
    -------
    EliminationResult
    """
    r = len(polys)
    if not 1 <= r <= MAX_UNKNOWNS or polys[0].context().nvars() != r:
        return EliminationResult(None, -1, (), f"elimination needs a square system of 1..{MAX_UNKNOWNS} unknowns")
    current = list(polys)
    pivot = None
    for var in range(r - 1, 0, -1):
        pivot, current = _eliminate_last(current, var)
        if current is None:
            return EliminationResult(None, -1, (), f"no equation involves unknown x{var}")
        if any(p.is_zero() for p in current):
            return EliminationResult(None, -1, (), "a resultant vanished identically (common factor)")
    # ``current`` now holds one polynomial in x0 (plus, for r = 1, nothing eliminated)
    h = _univariate(current[0])
    if h.is_zero():
        return EliminationResult(None, -1, (), "the eliminant vanishes identically")
    if h.degree() == 0:
        return EliminationResult("no", 0, (), "the eliminant is a nonzero constant")
    roots = h.complex_roots()
    real = [(root, mult) for root, mult in roots if root.imag.is_zero()]
    midpoints = tuple(float(root.real.mid()) for root, _ in real)
    if not real:
        return EliminationResult("no", h.degree(), (), "the eliminant has no real root")
    if r == 1:
        return EliminationResult("yes", h.degree(), midpoints, "a real root of the equation")
    if r == 2 and pivot is not None and all(_degree_in(p, 1) > 0 for p in polys):
        # (both equations involve y, so h is a true resultant: see the module docstring)
        lead = _univariate(_leading_coefficient_in(pivot, 1))
        common = h.gcd(lead) if not lead.is_zero() else h
        for root, mult in real:
            if mult == 1 and (common.degree() <= 0 or not common(root).contains(0)):
                return EliminationResult(
                    "yes", h.degree(), midpoints, "a simple real root of the resultant"
                )
        return EliminationResult(None, h.degree(), midpoints, "only multiple real roots or vanishing leading coefficients")
    return EliminationResult(None, h.degree(), midpoints, "real roots of the eliminant: candidates only")
