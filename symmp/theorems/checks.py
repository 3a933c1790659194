"""Checks shared by the theorem modules: the exact verdict, the constructive
proof carried out, and an empirical MP with the engine.

A statement concludes ``MP = 1``, ``MP = 0``, ``MP > 0`` or ``0 < MP < 1``.
On an instance of the theorem the check passes when :func:`symmp.classify`
proves that conclusion (and, for the constructive theorems, when the
proof's successive solves match the teacher exactly on every draw); on a
near-miss it passes when the classification proves the conclusion *fails*
(``MP < 1`` for an ``MP = 1`` statement: a minimal or intermediate verdict;
``MP > 0`` for an ``MP = 0`` statement: equal ranks).

The empirical check (``trials > 0``) estimates MP with the engine's default
solver and requires the estimate to be consistent with the exact verdict:
a claimed MP = 0 has no matched trial (a match is never false), a claimed
MP = 1 has every trial matched unless the estimate is only a lower bound
(then it cannot contradict MP = 1); claims of MP > 0 or 0 < MP < 1 are
consistent with any finite sample (the interval meets (0, 1)): their
estimates are reported, not tested.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> from symmp.theorems.base import Instance
>>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
>>> verdict_check(Instance("2+2", allocation), 0, 0, "MP = 1").holds
True
"""

from __future__ import annotations

from collections.abc import Callable

from ..allocation import Allocation
from ..analysis import classify
from ..numeric import estimate_mp
from ..numeric.sampling import draw_trial
from .base import Instance, InstanceCheck
from .constructions import exact_match

__all__ = ["verdict_check", "proves", "refutes", "empirical_mp", "EXACT_OF_VERDICT"]

#: what each verdict proves about MP, as a conclusion string
EXACT_OF_VERDICT = {
    "maximal": "MP = 1",
    "minimal": "MP = 0",
    "intermediate": "0 < MP < 1",
    "undecided": "MP > 0",
}


def proves(verdict: str, conclusion: str) -> bool:
    """True when a classification ``verdict`` proves ``conclusion``."""
    return {
        "MP = 1": verdict == "maximal",
        "MP = 0": verdict == "minimal",
        "MP > 0": verdict in ("maximal", "intermediate", "undecided"),
        "0 < MP < 1": verdict == "intermediate",
    }[conclusion]


def refutes(verdict: str, conclusion: str) -> bool:
    """True when a classification ``verdict`` proves ``conclusion`` false."""
    return {
        "MP = 1": verdict in ("minimal", "intermediate"),
        "MP = 0": verdict in ("maximal", "intermediate", "undecided"),
        "MP > 0": verdict == "minimal",
        "0 < MP < 1": verdict in ("maximal", "minimal"),
    }[conclusion]


def empirical_mp(allocation: Allocation, trials: int, seed: int, conclusion: str) -> tuple[bool, str, dict]:
    """(consistent, short text, details) of an engine estimate against ``conclusion``."""
    result = estimate_mp(allocation, trials=trials, seed=seed, use_certificate=False)
    low, high = result.ci95
    text = f"{result.mp:.3f} [{low:.3f}, {high:.3f}]" + (" (lower bound)" if result.lower_bound else "")
    if conclusion == "MP = 0":
        consistent = result.matches == 0
    elif conclusion == "MP = 1":
        consistent = high >= 1.0 - 1e-12 or (result.lower_bound and low <= 1.0)
    else:  # MP > 0 and 0 < MP < 1: the interval meets (0, 1) for any finite sample
        consistent = low < 1.0 and high > 0.0
    return bool(consistent), text, {"empirical_method": result.method, "empirical_solver": result.solver}


def verdict_check(
    instance: Instance,
    trials: int,
    seed: int,
    conclusion: str,
    *,
    construction: Callable | None = None,
    hypotheses: Callable | None = None,
    empirical: bool = True,
) -> InstanceCheck:
    """Check one instance whose payload is an :class:`Allocation` (see the module docstring).

    ``construction(allocation, trial, exact=True)`` carries out a constructive
    proof on ``trials`` draws; ``hypotheses(allocation)`` is reported.
    """
    allocation = instance.payload
    result = classify(allocation, seed=seed)
    details: dict = {
        "allocation": repr(allocation),
        "analysis": f"{result.verdict} ({result.certificate})",
        "rank": [result.rank, result.target_rank],
    }
    if hypotheses is not None:
        holds_hyp, failures = hypotheses(allocation)
        details["hypotheses"] = "all hold" if holds_hyp else failures
    else:
        holds_hyp = True
    if instance.near_miss:
        passed = refutes(result.verdict, conclusion) and not (hypotheses is not None and holds_hyp)
    else:
        passed = proves(result.verdict, conclusion) and holds_hyp
    if construction is not None and not instance.near_miss and trials:
        draws = [draw_trial(allocation, seed, i) for i in range(trials)]
        matched = sum(exact_match(allocation, t, construction(allocation, t, exact=True)) for t in draws)
        details["exact_matches"] = f"{matched}/{trials}"
        passed = passed and matched == trials
    empirical_text = "-"
    if empirical and trials and allocation.model.polynomial:
        consistent, empirical_text, info = empirical_mp(
            allocation, trials, seed, EXACT_OF_VERDICT[result.verdict]
        )
        details.update(info)
        details["empirical_consistent"] = consistent
        passed = passed and consistent
    return InstanceCheck(
        label=instance.label,
        holds=bool(passed),
        near_miss=instance.near_miss,
        exact=EXACT_OF_VERDICT[result.verdict],
        empirical=empirical_text,
        details=details,
    )
