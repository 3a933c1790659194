"""Reductions that stay linear (THEORY.md section 8): a rank-deficient target gives MP = 1.

Two certificates of :mod:`symmp.analysis`, one statement:

- *redundant equations* (:mod:`symmp.analysis.reductions`): the lifted
  system is solved by square linear blocks with equations left over, and
  rho_A = rho_full makes those equations consequences of the others;
- *projection on null vectors* (:mod:`symmp.analysis.null_projection`): the
  equations of the rows (columns) of the target outside an independent set
  are replaced by linear equations on the top (bottom) factor, and the
  projected system is sequentially linear.

Instances: two-layer lffn ``[n_0, k, d]`` with a narrow middle layer
``k < min(n_0, d)`` (the product has rank k), W1 learnable and the first
``d - k`` rows of W2 (redundant equations), the same with one W2 entry moved
into a fixed row (projection on the left null vector), and W2 learnable with
one entry of W1 per row where it spans the right null vector (projection on
the right null vector). Near-miss: the first allocation with one W1 entry
dropped (rho_A < rho_full: MP = 0).

Examples
--------
>>> [i.label for i in _instances("small")][0]
'lffn [3, 2, 3]: W1 and W2 rows 0..0 (redundant equations)'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LFFN
from .base import Instance, InstanceCheck, Theorem, register_theorem
from .checks import verdict_check

__all__ = ["THEOREM", "narrow_instance"]


def _sizes(grid: str) -> list[tuple[int, int, int]]:
    small = [(3, 2, 3), (2, 1, 3)]
    return small if grid == "small" else small + [(4, 2, 3), (3, 1, 3), (4, 3, 4), (3, 1, 2)]


def narrow_instance(n0: int, k: int, d: int) -> Allocation:
    """lffn [n0, k, d], m = n0: W1 learnable and W2's first d - k rows (r = rho_full)."""
    entries = [("W1", i, j) for i in range(k) for j in range(n0)]
    entries += [("W2", i, j) for i in range(d - k) for j in range(k)]
    return Allocation.from_entries(LFFN([n0, k, d]), entries, m=n0)


def _instances(grid: str):
    for n0, k, d in _sizes(grid):
        base = narrow_instance(n0, k, d)
        label = f"lffn [{n0}, {k}, {d}]"
        yield Instance(f"{label}: W1 and W2 rows 0..{d - k - 1} (redundant equations)", base)
        if k >= 2:
            moved = sorted(base.entries - {("W2", 0, 0)} | {("W2", d - 1, 0)})
            yield Instance(f"{label}: W2 entry (0, 0) moved to fixed row {d - 1} (left null vector)",
                           Allocation.from_entries(base.model, moved, m=n0))
        if k == n0 - 1:
            spread = [("W2", i, j) for i in range(d) for j in range(k)] + [("W1", i, n0 - 1 - i) for i in range(k)]
            yield Instance(f"{label}: W2 and one W1 entry per row (right null vector)",
                           Allocation.from_entries(base.model, spread, m=n0))
        dropped = sorted(base.entries - {("W1", 0, 0)})
        yield Instance(f"{label}: W1 entry (0, 0) dropped (rho_A < rho_full)",
                       Allocation.from_entries(base.model, dropped, m=n0), near_miss=True)


def _check(instance: Instance, trials: int, seed: int) -> InstanceCheck:
    return verdict_check(instance, trials, seed, "MP = 1")


THEOREM = register_theorem(
    Theorem(
        id="reductions",
        title="Reductions that stay linear: a rank-deficient target (MP = 1)",
        statement=r"If the target $T = S G$ has rank $k$ below its number of rows and either the lifted system "
        r"is solved by square generically nonsingular linear blocks with equations left over and "
        r"$\rho_A = \rho_{full}$, or the system with the rows outside $k$ independent ones replaced by "
        r"$S_{i,:} = c_i S_{R,:}$ ($T_{i,:} = c_i T_{R,:}$) is sequentially linear, then $\mathrm{MP} = 1$.",
        reference="THEORY.md section 8",
        conclusion="MP = 1",
        hypotheses=None,
        instances=_instances,
        check=_check,
    )
)
