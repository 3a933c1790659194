"""The certificates that need numerics, registered with :mod:`symmp.analysis.provers`.

- ``parity`` (stage ``maximal``): an odd generic solution count of the
  square system or of a random square slice (:mod:`.parity`) proves MP = 1;
- ``witnesses`` (stage ``intermediate``): a yes and a no witness, each
  persisting in a neighbourhood (:mod:`.witnesses`), prove 0 < MP < 1.

Both run only for polynomial, non-affine allocations with rho_A = rho_full
that nothing cheaper proved (``classify`` reaches their stages only then).

Examples
--------
>>> from symmp.analysis.provers import registered_provers
>>> [p.name for p in registered_provers() if p.name in ("parity", "witnesses")]
['parity', 'witnesses']
"""

from __future__ import annotations

from ...allocation import Allocation
from ...analysis.provers import Certificate, ProverContext, register_prover
from .parity import generic_count
from .witnesses import find_witnesses

__all__ = ["parity_prover", "witness_prover"]


def parity_prover(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """MP = 1 from an odd generic count N (see :mod:`.parity`), else None."""
    count = generic_count(allocation, seed=context.seed)
    if count is None or not count.odd:
        return None
    system = "the square system" if not count.sliced else (
        f"the square slice with {count.sliced} surplus unknown{'s' if count.sliced != 1 else ''} "
        "fixed at random real values"
    )
    inputs = "on the unit inputs (exact input reduction)" if count.reduced else "on the m samples"
    return Certificate(
        "maximal",
        "parity: odd generic number of complex solutions",
        (
            f"{system} ({count.equations} equations {inputs}, {count.unknowns} unknowns) has "
            f"N = {count.count} complex solutions for a generic draw: a grevlex Groebner basis over "
            f"GF({count.prime}) at {count.members} independent random members is zero-dimensional (no "
            "positive-dimensional component) with the same number of standard monomials, and a random "
            "linear form's multiplication matrix has a squarefree characteristic polynomial (all "
            f"solutions simple); the Bezout bound {count.bezout} is not used",
            "N is odd and nonreal solutions come in conjugate pairs, so almost every draw has a real "
            "solution: MP = 1 (THEORY.md section 8)",
            f"wrong only if every member mod p was non-generic: each is with probability <= s * D^s / p = "
            f"{count.unknowns} * {count.joint_degree}^{count.unknowns} / p = {count.member_bound:.3g} "
            f"(D = {count.joint_degree}, the equations' degree in the unknowns and the draws together; "
            f"Bezout inequality and Schwartz-Zippel), so <= {count.error_bound:.3g} for {count.members} members",
        ),
        error_bound=count.error_bound,
        evidence={"parity": count.to_dict(), "seed": context.seed},
    )


def witness_prover(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """0 < MP < 1 from two persistent witnesses (see :mod:`.witnesses`), else None."""
    found = find_witnesses(allocation, seed=context.seed)
    if found is None or not found.proved:
        return None
    yes, no = found.yes, found.no
    return Certificate(
        "intermediate",
        "witnesses: a certified real solution and a certified no-real-solution draw",
        (
            f"yes witness: draw {yes['trial']} of seed {yes['seed']} has a regular real solution, "
            f"proved by the Krawczyk test in a box of radius {yes['radius']:.3g} around "
            f"{[round(v, 6) for v in yes['center']]}; a regular zero persists nearby: MP > 0",
            f"no witness: draw {no['trial']} of seed {no['seed']} has no real solution, proved by a "
            f"positive-definite combination (coefficients {', '.join(f'{v:.6g}' for v in no['lam_float'])}, "
            "exact rationals in the evidence) of the quadratics on the solutions of the linear "
            f"equations, with margin {no['margin_float']:.3g} checked exactly over Q; the strict "
            "inequality persists nearby: MP < 1",
            "both witnesses persist in a neighbourhood, so 0 < MP < 1 (THEORY.md section 8)",
        ),
        error_bound=0.0,
        evidence={"witnesses": {"yes": yes, "no": no, "draws_tried": found.tried}},
    )


register_prover("parity", parity_prover, stage="maximal", order=50)
register_prover("witnesses", witness_prover, stage="intermediate", order=50)
