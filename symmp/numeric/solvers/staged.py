"""``staged``: ``auto``'s escalation for polynomial allocations without a faster exact route.

1. ``newton`` (batched damped Newton, :data:`NEWTON_STARTS` starts when a
   complete stage follows, ``options.starts`` otherwise): cheap matches;
2. ``complete`` on the trials still unmatched, when the family has at most
   :data:`AUTO_UNKNOWNS` free unknowns and at most :data:`AUTO_ROOTS` generic
   roots (every root of each trial's square system or square slice, by a
   parameter homotopy; :mod:`.complete`);
3. ``certified`` on every trial not yet proved, only when the user asks for
   proofs (``solver_options={"prove": True}``) and it applies.

Each outcome's ``details["escalation"]`` names the stage that settled it
(``newton``, ``complete``, ``certified``); the result's note counts them and
says which verdicts remain unproved. A no-match of the complete stage is a
floating-point verdict (all ``N`` roots found, none real), not a proof.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric.sampling import draw_trials
>>> allocation = Allocation.from_entries(LRNN(1, 1, 1, 3), [("W", 0, 0)], m=1)
>>> out = staged_solve(allocation, draw_trials(allocation, 0, range(6)), SolverOptions())
>>> sorted({o.details["escalation"] for o in out}) <= ["complete", "newton"]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ...allocation import Allocation
from ..sampling import Trial
from . import VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver
from .certified import certified_applies, certified_solve
from .complete import Family, complete_applies, complete_solve, family_of
from .newton import NEWTON_OPTIONS, newton_solve

__all__ = ["staged_solve", "staged_applies", "complete_stage_family", "AUTO_ROOTS", "AUTO_UNKNOWNS", "NEWTON_STARTS"]

#: the complete stage runs only on families with at most this many generic roots
AUTO_ROOTS = 64
#: ... and at most this many learnable entries
AUTO_UNKNOWNS = 8
#: Newton starts before a complete stage (the complete stage finds what they miss)
NEWTON_STARTS = 3
_OWN = ("prove",)


def staged_applies(allocation: Allocation) -> bool:
    """Polynomial, not affine outputs (the complete stage may still be skipped: see the details)."""
    model = allocation.model
    return bool(model.polynomial and model.output_degree(allocation.masks()) >= 2)


def complete_stage_family(allocation: Allocation) -> Family | str:
    """The family the complete stage uses, or why it is skipped."""
    if allocation.r > AUTO_UNKNOWNS or not complete_applies(allocation):
        return f"complete stage skipped: more than {AUTO_UNKNOWNS} learnable entries"
    family = family_of(allocation, AUTO_ROOTS)
    return family if isinstance(family, Family) else f"complete stage skipped: {family}"


def _tag(outcome: TrialOutcome, stage: str, **extra) -> TrialOutcome:
    return replace(outcome, details={**outcome.details, "escalation": stage, **extra})


def staged_solve(allocation: Allocation, trials: Sequence[Trial], options: SolverOptions) -> list[TrialOutcome]:
    """Solver ``staged``: newton, then complete, then (on request) certified (module docstring)."""
    prove = bool(options.extra.get("prove", False))
    inner = replace(options, extra={k: v for k, v in options.extra.items() if k not in _OWN})
    family = complete_stage_family(allocation)
    complete = isinstance(family, Family)
    first = replace(inner, starts=min(inner.starts, NEWTON_STARTS)) if complete else inner
    outcomes = [_tag(o, "newton") for o in newton_solve(allocation, trials, first)]
    open_ = [k for k, o in enumerate(outcomes) if not o.matched]
    if open_ and complete:
        settled = complete_solve(allocation, [trials[k] for k in open_],
                                 replace(inner, extra={**inner.extra, "max_roots": AUTO_ROOTS}))
        for k, o in zip(open_, settled):
            outcomes[k] = _tag(o, "complete", newton_starts=outcomes[k].starts)
    elif open_:
        for k in open_:
            outcomes[k] = _tag(outcomes[k], "newton", complete_skipped=family)
    if prove and certified_applies(allocation):
        todo = [k for k, o in enumerate(outcomes) if not o.proved]
        if todo:
            proofs = certified_solve(allocation, [trials[k] for k in todo], inner)
            for k, o in zip(todo, proofs):
                if o.proved:
                    outcomes[k] = _tag(o, "certified")
    return outcomes


register_solver(
    "staged",
    staged_solve,
    applies=staged_applies,
    needs="a polynomial allocation that newton applies to",
    uses_starts=True,
    options={**NEWTON_OPTIONS, "max_roots": "the complete stage's root limit",
             "prove": "run certified's proofs on the trials left unproved (slow)"},
    auto_rank=60,  # after algebraic, before plain newton: newton's matches plus every root of small families
    defaults={"batch": VECTORISED_BATCH},
    description="newton, then every complex root (complete) on the unmatched trials of small "
    "families, then certified's proofs when asked (prove=true)",
    exhaustive="newton, then all N roots of the family by parameter homotopy where the complete "
    "stage ran (see the note's stage counts)",
)
