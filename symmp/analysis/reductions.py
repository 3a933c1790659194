"""Reductions that keep the lifted system linear (THEORY.md section 8): redundant equations.

The sequential search (:mod:`symmp.analysis.sequential`) may solve every
unknown of the lifted system by square, generically nonsingular linear
blocks and still leave equations over: the system is over-determined. This
happens when the target is *rank deficient*: an lffn whose narrow layer
caps the rank of the end-to-end map ``P = W_L ... W_1`` below the number of
its rows, so the projections of ``P`` on the left null vectors of the
teacher's target obey relations that the block equations already imply.
The search checks the left-over equations at its one random point only,
which by itself proves nothing. Equal exact ranks turn it into a proof:

**Redundant-equation certificate.** Let the blocks ``E_1, ..., E_k`` solve
every unknown of the lifted system (learnables and auxiliaries), each block
square and its coefficient matrix nonsingular at a random instance mod p
(hence for almost every instance), and let ``rho_A = rho_full``. Then MP = 1.

*Proof.* Write the system as ``G(u; phi, X) = t`` (``u`` the unknowns, ``phi``
the student's fixed weights, ``X`` the inputs, ``t`` the targets) and let
``psi(phi, X, t)`` be the block solution: a rational map, real for real data,
and the *only* solution of the block equations wherever the block
determinants do not vanish. The set ``R`` of data ``(phi, X, G(u; phi, X))``
the student reaches and the set ``V`` of data ``(phi, X, t(theta, X))`` the
teacher produces are irreducible (images of affine spaces), ``R`` lies in
``V``, and their dimensions differ by ``rho_full - rho_A = 0``, so ``R`` is
dense in ``V``. At a reached point in the open set where the block
determinants do not vanish, the lifted student weights ``u`` solve the block
equations, so ``psi = u`` there and every left-over equation holds. A left-over
residual ``r(phi, X, t) = G_e(psi) - t_e`` is a rational function on the
irreducible ``V`` vanishing on a dense set: it vanishes identically. For
almost every teacher, student and input, ``psi`` is therefore a real solution
of the whole system: MP = 1.

What may be wrong: only the exact ranks. rho_A found is a certified lower
bound and rho_A <= rho_full always, so the verdict errs only if rho_full is
above the rank found, with the Schwartz-Zippel probability
``RankReport.target_bound`` (0 when rho_full reached the model's a-priori
bound). The block determinants are nonzero modulo p at the search's point,
hence nonzero over Q: no probability there.

Registered as the prover ``reduction:redundant-equations`` of stage
``maximal`` (order 5: before monotonicity, which would classify the
allocation again at a larger m).

Examples
--------
>>> from symmp import LFFN, Allocation, classify
>>> entries = [("W2", 0, 0), ("W1", 0, 0), ("W1", 0, 1)]
>>> result = classify(Allocation.from_entries(LFFN([2, 1, 2]), entries, m=2))
>>> result.verdict, result.certificate
('maximal', 'reduction: sequentially linear up to redundant equations')
"""

from __future__ import annotations

import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from ..modlinalg import rank_mod_p
from ..systems.instance import teacher_targets
from .provers import Certificate, ProverContext, register_prover

__all__ = ["redundant_equations", "target_rank_mod_p", "NAME"]

#: the certificate's name, as ``classify`` reports it
NAME = "reduction: sequentially linear up to redundant equations"


def target_rank_mod_p(allocation: Allocation, form: str, seed: int, prime: int = DEFAULT_PRIME) -> tuple[int, tuple[int, int]]:
    """Rank mod p of the teacher's target matrix at a random teacher, and its shape.

    The target blocks of ``form`` (outputs ``Y``, Markov blocks ``M_j`` side by
    side, the end-to-end product ``P``) form a ``d x c`` matrix; a rank below
    ``min(d, c)`` means left null vectors (what the redundant equations
    project on). Explanatory only: the certificate does not rest on it.

    Examples
    --------
    >>> from symmp import LFFN, Allocation
    >>> target_rank_mod_p(Allocation.from_entries(LFFN([3, 1, 3]), [("W1", 0, 0)], m=3), "product", 0)
    (1, (3, 3))
    """
    model = allocation.model
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7A6]))
    teacher = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    inputs = ar.random(model.input_shape(allocation.m), rng)
    blocks = teacher_targets(model, form, teacher, inputs, ar)
    matrix = np.concatenate([np.asarray(block, dtype=np.int64) % prime for block in blocks.values()], axis=1)
    return int(rank_mod_p(matrix, prime)), (int(matrix.shape[0]), int(matrix.shape[1]))


def redundant_equations(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """MP = 1 from a sequential structure with left-over equations and rho_A = rho_full, else None."""
    report = context.sequential
    structure = getattr(report, "structure", None)
    ranks = context.ranks
    if structure is None or structure.exact or ranks.rank != ranks.target_rank:
        return None
    terms = structure.terms
    leftover = list(structure.leftover)
    groups = sorted({terms.groups[int(terms.group_of[e])] for e in leftover})
    target_rank, shape = target_rank_mod_p(allocation, structure.form, context.seed, structure.prime)
    deficient = target_rank < min(shape)
    if deficient:
        why = (
            f"the target ({shape[0]} x {shape[1]}, {structure.form} form) has rank {target_rank} at a random "
            f"teacher (mod p), so it has {shape[0] - target_rank} independent left null "
            f"vector{'s' if shape[0] - target_rank != 1 else ''}: the equations projected on them "
            "repeat what the others say"
        )
    else:
        why = "the over-determined equations are consequences of the block equations on the teacher's outputs"
    error = ranks.target_bound
    reasons = (
        f"the lifted system ({structure.lifting} lifting, {structure.form} right-hand sides) is solved by "
        f"{len(structure.blocks)} square linear blocks, each generically nonsingular (nonzero determinant "
        f"mod p = {structure.prime}), leaving {len(leftover)} equation{'s' if len(leftover) != 1 else ''} "
        f"over (in {', '.join(groups)}); {why}",
        "redundant equations: rho_A = rho_full makes the student's outputs dense in the teacher's and the "
        "block solution is the only solution of the block equations, so every left-over equation holds "
        "identically; almost every instance has a real solution: MP = 1 (THEORY.md section 8, reductions "
        "that stay linear; wrong only if rho_full exceeds the rank found"
        + (", which reached the model's bound: never)" if error == 0 else f": probability <= {error:.3g})"),
    )
    return Certificate(
        "maximal",
        NAME,
        reasons,
        error_bound=error,
        evidence={
            "redundant_equations": {
                "structure": structure.to_dict(),
                "leftover_groups": groups,
                "target_rank_mod_p": target_rank,
                "target_shape": list(shape),
                "rho_A": ranks.rank,
                "rho_full": ranks.target_rank,
                "rho_full_certified": ranks.target_certified,
            }
        },
    )


register_prover("reduction:redundant-equations", redundant_equations, stage="maximal", order=5)
