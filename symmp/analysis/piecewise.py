"""MP = 1 for shallow piecewise-linear networks from units whose activations are free.

THEORY.md section 7, exact route, read structurally: a unit j of
``Y = D act(W X)`` whose W row holds k >= m learnable weights has
pre-activations ``a + u X[L, :]`` with ``X[L, :]`` (k x m) of rank m almost
surely (i.i.d. Gaussian inputs), so ``act(z)`` ranges over **all** of R^m_{>=0}
(ReLU) or R^m (leaky ReLU, a bijection). Call such a unit *free*. Then, for
every draw, whatever the other units contribute:

- leaky ReLU, d = 1, a free unit whose D entry is learnable too: its output
  ``D_j p`` is any vector: MP = 1;
- leaky ReLU, at least d free units with fixed D columns: ``D_R Q`` with D_R
  (d x |R|) of rank d almost surely is any d x m matrix: MP = 1;
- ReLU, d = 1, at least two free units, one of them with a learnable D entry:
  ``sigma q_1 + D_j q_2`` with ``sigma = -sign(D_j)`` (or both signs free)
  and ``q >= 0`` is any vector: MP = 1.

Only the shallow model: for ``relu2`` the last layer's inputs act(W1 X) lose
rank with positive probability.

Examples
--------
>>> from symmp import Allocation, ShallowReLU
>>> model = ShallowReLU(n0=3, h=2, d=1, activation="leaky_relu")
>>> allocation = Allocation.from_entries(model, [("W", 0, 0), ("W", 0, 1), ("D", 0, 0)], m=2)
>>> free_units_certificate(allocation)[0]
'maximal'
"""

from __future__ import annotations

from ..allocation import Allocation

__all__ = ["free_units_certificate"]


def free_units_certificate(allocation: Allocation) -> tuple[str, str, list[str]] | None:
    """(``"maximal"``, certificate, reasons) when free units prove MP = 1 (see module doc), else None."""
    model = allocation.model
    if model.kind != "relu" or model.activation not in ("relu", "leaky_relu"):
        return None
    d, m = model.output_dim, allocation.m
    w, dm = allocation.mask("W"), allocation.mask("D")
    free = [j for j in range(model.h) if w[j].sum() >= m]
    split = [j for j in free if dm[:, j].any()]
    plain = [j for j in free if not dm[:, j].any()]
    leaky = model.activation == "leaky_relu"
    why = (
        f"units {free} hold >= m = {m} learnable W weights each, so with Gaussian inputs their "
        "pre-activations reach every vector in R^m almost surely"
    )
    if leaky and d == 1 and split:
        reason = f"{why}; unit {split[0]}'s D entry is learnable too, so its output D_j leaky(z) is any vector"
    elif leaky and len(plain) >= d:
        reason = (f"{why}; {len(plain)} >= d = {d} of them have fixed generic D columns (rank d almost "
                  "surely), so D_R leaky(Z_R) is any d x m matrix")
    elif not leaky and d == 1 and split and len(free) >= 2:
        reason = (f"{why}, so relu(z) is any vector >= 0; unit {split[0]}'s D entry is learnable, so "
                  "its sign can oppose another free unit's: their sum is any vector")
    else:
        return None
    return ("maximal", "free units (exact route): every target reachable",
            [reason + ", whatever the other units contribute: MP = 1"])
