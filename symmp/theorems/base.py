"""Theorems as executable statements, and the result of checking one.

A :class:`Theorem` is one statement of THEORY.md: an id, a title, its LaTeX
statement, its hypotheses as a predicate over an allocation, its conclusion,
a generator of instances over a grid of sizes (those satisfying the
hypotheses, and *near-misses* that do not, where the conclusion is expected
to fail) and a check per instance. :func:`verify` runs every instance of a
grid and returns one :class:`TheoremCheck`. A module of this package holds
one statement and calls :func:`register_theorem` for it.

Examples
--------
>>> from symmp.theorems import THEOREMS
>>> result = verify(THEOREMS["linear-estimator"], trials=2)
>>> result.holds, len(result.instances)
(True, 3)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import SymmpError

__all__ = [
    "Instance",
    "InstanceCheck",
    "Theorem",
    "TheoremCheck",
    "verify",
    "register_theorem",
    "THEOREMS",
    "GRIDS",
]

#: the grids of sizes a theorem's instances come from
GRIDS = ("small", "full")


@dataclass(frozen=True)
class Instance:
    """One instance of a theorem: a label, what the check needs, and whether
    it is a near-miss (hypotheses violated on purpose: the conclusion is
    expected to fail, and the check says whether it does)."""

    label: str
    payload: object
    near_miss: bool = False


@dataclass(frozen=True)
class InstanceCheck:
    """The outcome on one instance.

    ``exact`` and ``empirical`` are short verdict strings (``"MP = 1"``,
    ``"0.93 [0.85, 0.97]"``, ``"-"``); ``holds`` is True when the check passed:
    the conclusion held on an instance of the theorem, or failed on a
    near-miss as expected.
    """

    label: str
    holds: bool
    near_miss: bool = False
    exact: str = "-"
    empirical: str = "-"
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "instance": self.label,
            "near_miss": self.near_miss,
            "holds": self.holds,
            "exact": self.exact,
            "empirical": self.empirical,
            **self.details,
        }


@dataclass(frozen=True)
class Theorem:
    """An executable theorem.

    Attributes
    ----------
    id : str
        Short name (``"w-rows"``), matched in any case.
    title : str
    statement : str
        The statement in LaTeX.
    reference : str
        Where it comes from (THEORY.md section).
    conclusion : str
        ``"MP = 1"``, ``"MP = 0"``, ``"MP > 0"``, ``"0 < MP < 1"`` or a rank relation.
    hypotheses : callable or None
        ``hypotheses(allocation) -> (holds, failures)``: every hypothesis
        checked, the failing ones in plain words.
    instances : callable
        ``instances(grid) -> iterable of Instance`` for a grid of :data:`GRIDS`.
    check : callable
        ``check(instance, trials, seed) -> InstanceCheck``.
    sized : callable or None
        ``sized(sizes) -> iterable of Instance`` for user sizes (a dict such
        as ``{"n": 7, "b": 2, "d": 3, "T": 3}``); raises :class:`SymmpError`
        with a one-line explanation when the sizes violate the hypotheses.
    """

    id: str
    title: str
    statement: str
    reference: str
    conclusion: str
    hypotheses: Callable | None
    instances: Callable[[str], Iterable[Instance]]
    check: Callable[[Instance, int, int], InstanceCheck]
    sized: Callable[[dict], Iterable[Instance]] | None = None

    @property
    def key(self) -> str:
        """The id (the name earlier versions used)."""
        return self.id


@dataclass(frozen=True)
class TheoremCheck:
    """Result of verifying one theorem on all its instances."""

    id: str
    title: str
    reference: str
    conclusion: str
    holds: bool
    instances: list[InstanceCheck]
    trials_per_instance: int
    seed: int
    seconds: float

    @property
    def key(self) -> str:
        return self.id

    def to_dict(self) -> dict:
        return {
            "theorem": self.id,
            "title": self.title,
            "reference": self.reference,
            "conclusion": self.conclusion,
            "holds": self.holds,
            "instances_checked": len(self.instances),
            "near_misses": sum(c.near_miss for c in self.instances),
            "instances_failed": sum(not c.holds for c in self.instances),
            "trials_per_instance": self.trials_per_instance,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "instances": [c.to_dict() for c in self.instances],
        }


THEOREMS: dict[str, Theorem] = {}


def register_theorem(theorem: Theorem) -> Theorem:
    """Add ``theorem`` to :data:`THEOREMS` (ids are lower case and unique)."""
    if theorem.id != theorem.id.lower():
        raise SymmpError(f"theorem ids are lower case, got {theorem.id!r}")
    THEOREMS[theorem.id] = theorem
    return theorem


def verify(
    theorem: Theorem,
    *,
    trials: int = 20,
    seed: int = 0,
    grid: str = "small",
    instances: Iterable[Instance] | None = None,
) -> TheoremCheck:
    """Check ``theorem`` on every instance of ``grid`` (or on ``instances``).

    Parameters
    ----------
    theorem : Theorem
    trials : int
        Random draws (teacher, student, inputs) per instance, for the
        constructive and empirical checks.
    seed : int
        Seed of those draws.
    grid : {"small", "full"}
    instances : iterable of Instance, optional
        Instances to check instead of the grid's (e.g. from ``theorem.sized``).
    """
    if grid not in GRIDS:
        raise SymmpError(f"unknown grid {grid!r}; allowed: {', '.join(GRIDS)}")
    start = time.perf_counter()
    chosen = list(theorem.instances(grid) if instances is None else instances)
    checks = [theorem.check(instance, trials, seed) for instance in chosen]
    return TheoremCheck(
        id=theorem.id,
        title=theorem.title,
        reference=theorem.reference,
        conclusion=theorem.conclusion,
        holds=all(c.holds for c in checks),
        instances=checks,
        trials_per_instance=trials,
        seed=seed,
        seconds=time.perf_counter() - start,
    )
