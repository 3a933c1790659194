"""Theorems as executable statements, and the result of checking one.

A :class:`Theorem` pairs a statement (hypotheses and conclusion, with the
THEORY.md section it comes from) with instances over a grid of sizes and a
check per instance. :func:`verify` runs every instance and returns one
:class:`TheoremCheck`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["Theorem", "InstanceCheck", "TheoremCheck", "verify"]


@dataclass(frozen=True)
class InstanceCheck:
    """The outcome on one instance: which sizes, whether the conclusion held, and why."""

    label: str
    holds: bool
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"instance": self.label, "holds": self.holds, **self.details}


@dataclass(frozen=True)
class Theorem:
    """An executable theorem.

    Attributes
    ----------
    key : str
        Short name (``"w-rows"``).
    title, statement, reference : str
        Human-readable statement and its source (THEORY.md section).
    instances : callable
        ``instances()`` yields ``(label, payload)`` pairs over a grid of sizes.
    check : callable
        ``check(payload, trials, seed) -> InstanceCheck``.
    """

    key: str
    title: str
    statement: str
    reference: str
    instances: Callable[[], Iterable[tuple[str, object]]]
    check: Callable[[object, int, int], InstanceCheck]


@dataclass(frozen=True)
class TheoremCheck:
    """Result of verifying one theorem on all its instances."""

    key: str
    title: str
    reference: str
    holds: bool
    instances: list[InstanceCheck]
    trials_per_instance: int
    seed: int
    seconds: float

    def to_dict(self) -> dict:
        return {
            "theorem": self.key,
            "title": self.title,
            "reference": self.reference,
            "holds": self.holds,
            "instances_checked": len(self.instances),
            "instances_failed": sum(not c.holds for c in self.instances),
            "trials_per_instance": self.trials_per_instance,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "instances": [c.to_dict() for c in self.instances],
        }


def verify(theorem: Theorem, *, trials: int = 20, seed: int = 0) -> TheoremCheck:
    """Check ``theorem`` on every instance of its grid.

    Parameters
    ----------
    theorem : Theorem
    trials : int
        Random instances (teacher, student, inputs) per size, for theorems
        whose conclusion is about every draw.
    seed : int
        Seed of those draws.
    """
    start = time.perf_counter()
    checks = [theorem.check(payload, trials, seed) for _, payload in theorem.instances()]
    return TheoremCheck(
        key=theorem.key,
        title=theorem.title,
        reference=theorem.reference,
        holds=all(c.holds for c in checks),
        instances=checks,
        trials_per_instance=trials,
        seed=seed,
        seconds=time.perf_counter() - start,
    )
