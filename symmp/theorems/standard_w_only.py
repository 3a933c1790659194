"""Standard convention, W only (THEORY.md section 1): MP = 0 when m >= T*b.

In h_t = W h_{t-1} + B x_t the lag-0 term D B X_T does not involve W, so no
W-only student reproduces a generic teacher's D* B*. Near-miss: the same
pattern in the paper convention (Theorem W-rows: MP = 1).

Examples
--------
>>> THEOREM.conclusion
'MP = 0'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LRNN
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .lines import lrnn_grid, lrnn_sizes

__all__ = ["THEOREM", "hypotheses"]


def hypotheses(allocation: Allocation) -> tuple[bool, list[str]]:
    """lrnn in the standard convention, only W learnable, m >= T*b."""
    model = allocation.model
    if model.kind != "lrnn":
        return False, [f"the statement is about lrnn models, not {model.kind}"]
    failures = []
    if model.convention != "standard":
        failures.append(f"needs the standard convention, not {model.convention!r}")
    if allocation.matrices != ["W"]:
        failures.append("only W may be learnable")
    if allocation.m < model.T * model.b:
        failures.append(f"needs m >= T*b = {model.T * model.b}")
    return not failures, failures


def _one(n, b, d, T):
    model = LRNN(n, b, d, T, convention="standard")
    label = f"n={n} b={b} d={d} T={T}"
    yield Instance(f"{label} all of W", Allocation.spread(model, "W", r=n * n, K=n, m=T * b))
    if n >= T * b and d <= n:
        yield Instance(f"{label} W-rows pattern", Allocation.in_rows(model, "W", list(range(d)), k=T * b, m=T * b))
        yield Instance(
            f"{label} W-rows pattern, paper convention",
            Allocation.in_rows(LRNN(n, b, d, T), "W", list(range(d)), k=T * b, m=T * b),
            near_miss=True,
        )


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        yield from _one(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="standard-w-only",
        title="Standard convention, W only (MP = 0)",
        statement=r"For an lrnn in the standard convention ($h_t = W h_{t-1} + B x_t$) with only $W$ "
        r"learnable and $m \ge Tb$, $D B$ is out of reach: $\mathrm{MP} = 0$.",
        reference="THEORY.md section 1",
        conclusion="MP = 0",
        hypotheses=hypotheses,
        instances=_instances,
        check=lambda instance, trials, seed: verdict_check(
            instance, trials, seed, "MP = 0", hypotheses=None if instance.near_miss else hypotheses
        ),
        sized=lambda sizes: _one(*lrnn_sizes(sizes)),
    )
)
