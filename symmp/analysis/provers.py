"""A registry of provers that :func:`~symmp.analysis.classify` consults.

``classify`` decides what the analysis layer can decide by itself (exact
ranks, Facts 1 and 2, sequential linearity of the lifted system). Every
other argument is a *prover* registered here by a higher layer when symmp is
imported: a theorem module of :mod:`symmp.theorems` registers the check of
its hypotheses, :mod:`symmp.numeric` the certificates that need numerics
(parity, witnesses of intermediate MP). ``classify`` never imports them.

A prover is ``fn(allocation, context) -> Certificate | None``; it runs only
when ``classify`` reaches its *stage*:

- ``"theorem"``: a theorem whose hypotheses prove MP = 1; run after the
  sequential analysis (as a cross-check when that succeeded, as the proof
  when it did not);
- ``"maximal"``: other certificates of MP = 1 (monotonicity in m, parity,
  reductions), tried when nothing above proved a verdict;
- ``"intermediate"``: witnesses of 0 < MP < 1, tried last.

Within a stage provers run in increasing ``order`` (then name); the first
certificate wins.

Examples
--------
>>> def never(allocation, context):
...     return None
>>> register_prover("never", never, stage="maximal", order=999)
>>> "never" in [p.name for p in registered_provers("maximal")]
True
>>> unregister_prover("never")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..allocation import Allocation
from ..errors import SymmpError

__all__ = [
    "Certificate",
    "ProverContext",
    "Prover",
    "STAGES",
    "register_prover",
    "unregister_prover",
    "registered_provers",
]

#: the stages at which ``classify`` consults provers, in the order it reaches them
STAGES = ("theorem", "maximal", "intermediate")


@dataclass(frozen=True)
class Certificate:
    """A proved verdict with the argument that proves it.

    Attributes
    ----------
    verdict : str
        ``"maximal"``, ``"minimal"`` or ``"intermediate"``.
    name : str
        The argument, as ``classify`` reports it in ``certificate``.
    reasons : tuple of str
        Sentences appended to the classification's reasons.
    error_bound : float or None
        Probability that the verdict is wrong (0 for a proof with exact
        inputs; None when not quantified).
    evidence : dict
        Re-checkable data (JSON-ready): seeds, counts, witnesses.
    """

    verdict: str
    name: str
    reasons: tuple[str, ...] = ()
    error_bound: float | None = 0.0
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProverContext:
    """What ``classify`` already knows when it consults a prover.

    Attributes
    ----------
    ranks : RankReport
        The exact ranks.
    seed : int
        The classification's seed (every random draw of a prover derives from it).
    points : int
        Random points used for the ranks.
    sequential : object
        The sequential analysis (:class:`~symmp.analysis.sequential.SequentialReport`), if run.
    classify : callable
        ``classify(allocation, points=..., seed=...)``, for provers that
        classify a related allocation (monotonicity in m).
    """

    ranks: Any
    seed: int
    points: int
    sequential: Any = None
    classify: Callable | None = None


@dataclass(frozen=True)
class Prover:
    """One registered prover."""

    name: str
    fn: Callable[[Allocation, ProverContext], Certificate | None]
    stage: str
    order: int


_PROVERS: dict[str, Prover] = {}


def register_prover(
    name: str,
    fn: Callable[[Allocation, ProverContext], Certificate | None],
    *,
    stage: str = "maximal",
    order: int = 100,
) -> None:
    """Register (or replace) the prover ``name``; see the module docstring."""
    if stage not in STAGES:
        raise SymmpError(f"unknown prover stage {stage!r}; allowed: {', '.join(STAGES)}")
    _PROVERS[name] = Prover(name, fn, stage, int(order))


def unregister_prover(name: str) -> None:
    """Remove the prover ``name`` (no error when absent)."""
    _PROVERS.pop(name, None)


def registered_provers(stage: str | None = None) -> list[Prover]:
    """The provers of ``stage`` (all when None), in the order ``classify`` runs them."""
    chosen = [p for p in _PROVERS.values() if stage is None or p.stage == stage]
    return sorted(chosen, key=lambda p: (STAGES.index(p.stage), p.order, p.name))
