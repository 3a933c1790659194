"""Classify an allocation: maximal (MP = 1), minimal (MP = 0), intermediate
(0 < MP < 1 proved) or undecided (MP > 0 only).

The rules, in order (THEORY.md sections 3 to 5 and 8):

1. **Fact 1**: rho_A < rho_full (exact ranks) -> ``minimal``.
2. **Fact 2**: outputs affine in the learnables (exact degree, by a max-plus
   forward pass) and rho_A = rho_full -> ``maximal``.
3. **Sequential linearity** of the lifted system -> ``maximal``; the
   theorems registered at stage ``theorem`` (W-rows, W-columns, in
   :mod:`symmp.theorems`) cross-check it, and prove MP = 1 when it fails.
4. **Registered certificates** of MP = 1 (:mod:`symmp.analysis.provers`:
   monotonicity in m, parity of the generic solution count, ...) ->
   ``maximal``; then **witnesses** of 0 < MP < 1 (a certified real solution
   and a certified no-real-solution draw, each persisting nearby) ->
   ``intermediate``.
5. Otherwise ``undecided``: rho_A = rho_full gives MP > 0, and full rank
   alone never proves MP = 1.

Networks with an activation: see :mod:`symmp.analysis.activation` (Fact 2
holds only in part there: ReLU D-only allocations are affine per trial, yet
MP < 1 strictly); ranks are taken at a slope pattern and only reported.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> model = LinearEstimator(n=4, d=2)
>>> classify(Allocation.from_entries(model, [("W", 0, j) for j in range(3)] + [("W", 1, 0)], m=2)).verdict
'minimal'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..allocation import Allocation
from ..systems.lifted import lifted_terms
from .activation import nonpolynomial_verdict
from .budgets import Budget, equation_budgets
from .flow import FlowReport, flow_bound
from .provers import ProverContext, registered_provers
from .ranks import DEFAULT_POINTS, RankReport, generic_ranks
from .sequential import analyze_sequential, lifted_counts

__all__ = ["Classification", "classify", "is_affine", "render_classification", "LIST_LIMIT", "VERDICTS"]

MAXIMAL, MINIMAL, INTERMEDIATE, UNDECIDED = "maximal", "minimal", "intermediate", "undecided"
#: the four verdicts (THEORY.md section 8)
VERDICTS = (MAXIMAL, MINIMAL, INTERMEDIATE, UNDECIDED)


@dataclass(frozen=True)
class Classification:
    """The verdict on one allocation, with its certificate and reasons.

    ``verdict`` is one of :data:`VERDICTS`: ``maximal`` (MP = 1 proved),
    ``minimal`` (MP = 0 proved), ``intermediate`` (0 < MP < 1 proved by two
    witnesses) or ``undecided`` (MP > 0 from equal ranks, nothing more
    proved; for a network with an activation, nothing proved at all).

    ``error_bound`` is the probability that the verdict is wrong: 0 when it
    rests on a proof with exact inputs, else a Schwartz-Zippel bound (for
    ranks, or the parity certificate's chance of non-generic members mod p);
    None for an ``undecided`` verdict of a network with an activation, which
    only says that no certificate applies.
    """

    verdict: str
    rank: int
    target_rank: int
    learnable: int
    affine: bool
    certificate: str
    error_bound: float | None
    budgets: dict[str, Budget]
    flow: FlowReport
    ranks: RankReport
    reasons: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def mp_bounds(self) -> tuple[float, float]:
        """What the verdict proves about MP: (1, 1), (0, 0), else the interval's ends
        (open (0, 1) for ``intermediate``, (0, 1] or nothing for ``undecided``)."""
        return {MAXIMAL: (1.0, 1.0), MINIMAL: (0.0, 0.0)}.get(self.verdict, (0.0, 1.0))

    def __repr__(self) -> str:
        return (
            f"Classification(verdict={self.verdict!r}, rank={self.rank}, "
            f"target_rank={self.target_rank}, learnable={self.learnable}, "
            f"certificate={self.certificate!r})"
        )

    def __str__(self) -> str:
        """The readable multi-line verdict (what ``symmp classify`` prints)."""
        return render_classification(self)

    def _repr_html_(self) -> str:
        """Notebook view: verdict, certificate, ranks and the reasons."""
        from html import escape

        colour = {MAXIMAL: "#2e7d32", MINIMAL: "#c62828"}.get(self.verdict, "#8d6e00")
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{escape(key)}</th>"
            f"<td style='text-align:left'>{escape(value)}</td></tr>"
            for key, value in _summary_lines(self)
        )
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in self.reasons)
        return (
            f"<div class='symmp-classification'><b>Classification</b>: "
            f"<span style='color:{colour};font-weight:bold'>{escape(self.verdict)}</span> "
            f"(MP in {_bounds_text(self.mp_bounds)})"
            f"<table>{rows}</table><div>reasons:</div><ul>{reasons}</ul></div>"
        )

    def to_row(self) -> dict:
        """Flat dict of scalars for one row of a pandas DataFrame."""
        low, high = self.mp_bounds
        row = {
            "verdict": self.verdict, "certificate": self.certificate, "rank": self.rank,
            "target_rank": self.target_rank, "learnable": self.learnable, "affine": self.affine,
            "error_bound": self.error_bound, "flow_bound": self.flow.bound,
            "mp_low": low, "mp_high": high,
        }
        for key, value in self.extra.items():
            if isinstance(value, dict):
                row.update({f"{key}_{k}": v for k, v in value.items()})
            else:
                row[key] = value
        return row

    def to_dict(self, *, full: bool = False) -> dict:
        """JSON-ready dict (the ``symmp classify --json`` object).

        Per-row and per-column lists longer than :data:`LIST_LIMIT` (budgets,
        wasted lines) are replaced by summaries unless ``full``.
        """
        budgets = {name: b.to_dict() for name, b in self.budgets.items()}
        waste = [w.to_dict() for w in self.flow.waste]
        if not full:
            budgets = {
                name: {key: _summary(value) for key, value in budget.items()} for name, budget in budgets.items()
            }
            if len(waste) > LIST_LIMIT:
                waste = _waste_summary(self.flow.waste)
        out = {
            "class": self.verdict,
            "verdict": self.verdict,  # the attribute's name; "class" kept for existing readers
            "rank": self.rank,
            "target_rank": self.target_rank,
            "learnable": self.learnable,
            "affine": self.affine,
            "certificate": self.certificate,
            "error_bound": self.error_bound,
            "budgets": budgets,
            "waste": waste,
            "flow_bound": self.flow.bound,
            "uncovered_equations": self.flow.uncovered,
            "reasons": list(self.reasons),
            "rank_method": {
                "method": "exact elimination modulo a prime at random integer points",
                "prime": self.ranks.prime,
                "points": self.ranks.points,
                "jacobian_entry_degree": self.ranks.degree,
                "target_rank_upper_bound": self.ranks.upper_bound,
                "target_rank_certified": self.ranks.target_certified,
            },
        }
        if self.ranks.projections:
            out["rank_method"].update(
                method="exact elimination modulo a prime of random projections of the Jacobians "
                "(forward-mode Jacobian-vector products along random directions) at random integer points",
                projections=self.ranks.projections,
                points_used={"rank": self.ranks.points_used[0], "target_rank": self.ranks.points_used[1]},
            )
        out.update(self.extra)
        return out


def _bounds_text(bounds: tuple[float, float]) -> str:
    low, high = bounds
    return f"{{{low:g}}}" if low == high else "(0, 1]"


def _extra_text(value: object) -> str:
    """A dict as ``a 4, b 0``; anything else as ``str``."""
    if isinstance(value, dict):
        return ", ".join(f"{key} {_extra_text(item)}" for key, item in value.items())
    return str(value)


def _summary_lines(result: Classification) -> list[tuple[str, str]]:
    if result.error_bound is None:
        error = ("not quantified" if result.verdict in (MAXIMAL, MINIMAL, INTERMEDIATE)
                 else "none: no certificate applies")
    else:
        error = f"{result.error_bound:.3g}" + (
            " (certified)" if result.error_bound == 0 else " (Schwartz-Zippel)"
        )
    lines = [
        ("class", result.verdict),
        ("certificate", result.certificate),
        ("rank", f"rho_A = {result.rank} of rho_full = {result.target_rank} "
         f"(r = {result.learnable} learnable, flow bound {result.flow.bound})"),
        ("affine", "yes" if result.affine else "no"),
        ("error bound", error),
    ]
    return lines + [
        (key.replace("_", " "), _extra_text(value)) for key, value in result.extra.items() if key != "evidence"
    ]


def render_classification(result: Classification) -> str:
    """Readable multi-line verdict (``str(result)``, what ``symmp classify`` prints)."""
    lines = [f"{key + ':':<13} {value}" for key, value in _summary_lines(result)]
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in result.reasons]
    return "\n".join(lines)


#: Lists longer than this are summarised in the JSON (``symmp classify --full``
#: keeps them) and wasted lines beyond it in the reasons.
LIST_LIMIT = 64


def _summary(value):
    """A long list of integers as its length, min, max and sum; anything else unchanged."""
    if not isinstance(value, list) or len(value) <= LIST_LIMIT:
        return value
    return {"summary_of": len(value), "min": min(value), "max": max(value), "sum": sum(value)}


def _waste_summary(waste: list) -> dict:
    """Wasted lines counted per matrix and axis, with their total excess."""
    groups: dict[str, dict] = {}
    for w in waste:
        group = groups.setdefault(f"{w.matrix} {w.axis}s", {"lines": 0, "excess": 0, "largest_excess": 0})
        group["lines"] += 1
        group["excess"] += w.excess
        group["largest_excess"] = max(group["largest_excess"], w.excess)
    return {"summary_of": len(waste), "by_line": groups}


def _waste_sentences(waste: list) -> list[str]:
    """One sentence per wasted line, or a count when there are many."""
    if len(waste) <= LIST_LIMIT:
        return [w.sentence() for w in waste]
    parts = [
        f"{group['lines']} {line} hold {group['excess']} learnable weights beyond their budgets"
        for line, group in _waste_summary(waste)["by_line"].items()
    ]
    return ["; ".join(parts) + " (symmp classify --json --full lists them)"]


def is_affine(allocation: Allocation) -> bool:
    """True when the outputs are affine in the learnable weights.

    Exact: polynomial models run a forward pass in the max-plus semiring
    with degree 1 on learnable entries and 0 elsewhere; ReLU networks are
    affine exactly when only D is learnable.
    """
    model = allocation.model
    if not model.polynomial:
        return set(allocation.matrices) <= {"D"}
    return model.output_degree(allocation.masks()) <= 1


def classify(
    allocation: Allocation, *, points: int = DEFAULT_POINTS, seed: int | None = None
) -> Classification:
    """Classify an allocation; see the module docstring for the rules.

    Parameters
    ----------
    allocation : Allocation
    points : int
        Random points for the exact ranks.
    seed : int, optional
        Seed of the random points (default ``allocation.seed`` or 0).

    Returns
    -------
    Classification
    """
    ranks = generic_ranks(allocation, points=points, seed=seed)
    budgets = equation_budgets(
        allocation.model, allocation.m, seed=(allocation.seed or 0) if seed is None else seed
    )
    flow = flow_bound(allocation, budgets, ranks.target_rank)
    affine = is_affine(allocation)
    reasons = [
        f"rho_A = {ranks.rank} (learnable weights, r = {allocation.r}), "
        f"rho_full = {ranks.target_rank} (all weights): exact ranks modulo p = {ranks.prime} "
        f"at {ranks.points} random points"
    ]
    reasons += _waste_sentences(flow.waste)
    # counts of the lifted system (THEORY.md section 5), for polynomial models;
    # the system is built once (lifted_terms) and shared with the sequential
    # search below, the sequential solver and the provers
    extra = lifted_counts(allocation) if allocation.model.polynomial else {}
    if flow.uncovered:
        reasons.append(
            f"the budgets let the learnable weights cover at most {flow.bound} of the "
            f"{ranks.target_rank} independent equations, so at least {flow.uncovered} stay uncovered"
        )

    def verdict(kind: str, certificate: str, error: float, *why: str) -> Classification:
        return Classification(
            verdict=kind,
            rank=ranks.rank,
            target_rank=ranks.target_rank,
            learnable=allocation.r,
            affine=affine,
            certificate=certificate,
            error_bound=error,
            budgets=budgets,
            flow=flow,
            ranks=ranks,
            reasons=reasons + list(why),
            extra=dict(extra),
        )

    if allocation.r == allocation.model.n_weights:
        return verdict(
            MAXIMAL,
            "every weight learnable",
            0.0,
            "every weight is learnable, so the student can take the teacher's weights: MP = 1",
        )
    if not allocation.model.polynomial:
        kind, certificate, why = nonpolynomial_verdict(
            allocation,
            target_rank=ranks.target_rank,
            target_certified=ranks.target_certified,
            seed=(allocation.seed or 0) if seed is None else seed,
        )
        # maximal / minimal verdicts here rest on proofs (interval certificates);
        # an undecided one only says that no certificate applies: witnesses of 0 < MP < 1
        # registered by the higher layers (exact activation patterns) may still prove it
        if kind == UNDECIDED:
            context = ProverContext(ranks=ranks, seed=(allocation.seed or 0) if seed is None else seed,
                                    points=points, classify=classify)
            for prover in registered_provers("intermediate"):
                found = prover.fn(allocation, context)
                if found is not None:
                    extra["evidence"] = found.evidence
                    return verdict(found.verdict, found.name, found.error_bound, *why, *found.reasons)
        return verdict(kind, certificate, None if kind == UNDECIDED else 0.0, *why)
    if ranks.rank < ranks.target_rank:
        return verdict(
            MINIMAL,
            "Fact 1 (dimension): rho_A < rho_full",
            ranks.rank_bound,
            f"rho_A = {ranks.rank} < rho_full = {ranks.target_rank}: the student's outputs form "
            "a thinner set than the teacher's, so MP = 0",
        )
    if affine:
        return verdict(
            MAXIMAL,
            "Fact 2 (affine): affine outputs and rho_A = rho_full",
            ranks.target_bound,
            "the outputs are affine in the learnable weights and rho_A = rho_full: MP = 1",
        )
    # Sequential linearity of the lifted system (THEORY.md section 5), found by
    # the general block mechanism; the theorem pattern checks are a cross-check.
    sequential = analyze_sequential(allocation, seed=seed)
    context = ProverContext(
        ranks=ranks,
        seed=(allocation.seed or 0) if seed is None else seed,
        points=points,
        sequential=sequential,
        classify=classify,
    )
    # theorems whose hypotheses prove MP = 1 (registered by symmp.theorems)
    theorems = [
        found
        for prover in registered_provers("theorem")
        if (found := prover.fn(allocation, context)) is not None
    ]
    structure = sequential.structure
    if structure is not None and structure.exact:
        order = "; ".join(structure.describe_order())
        return verdict(
            MAXIMAL,
            "sequentially linear",
            0.0,
            f"the lifted system ({structure.lifting} lifting, {structure.form} right-hand sides) is "
            f"sequentially linear: {len(structure.blocks)} square blocks, each linear in its own "
            "unknowns once the earlier ones are known and generically nonsingular (nonzero "
            f"determinant modulo p = {structure.prime} at a random instance), no equation left over: "
            "almost every instance has exactly one solution, real, so MP = 1",
            f"block order: {order}",
            *(f"cross-check: the hypotheses of {found.name} hold too" for found in theorems),
        )
    if theorems:
        names = ", ".join(found.name for found in theorems)
        extra["sequential_cross_check"] = (
            f"{names} holds but no sequential structure was found: {sequential.reason}"
        )
        return verdict(
            MAXIMAL,
            theorems[0].name,
            theorems[0].error_bound,
            *theorems[0].reasons,
            f"cross-check failed: the sequential mechanism found no structure ({sequential.reason})",
        )
    if structure is not None:
        reasons.append(
            f"the lifted system is sequentially linear up to {len(structure.leftover)} over-determined "
            "equations that hold at one random point only: not a proof of MP = 1 by itself"
        )
    else:
        reasons.append(f"no sequentially linear block order: {sequential.reason}")
    # certificates registered by the higher layers: MP = 1 (monotonicity, parity, ...),
    # then witnesses of 0 < MP < 1
    for stage in ("maximal", "intermediate"):
        for prover in registered_provers(stage):
            found = prover.fn(allocation, context)
            if found is not None:
                if found.evidence:
                    extra["evidence"] = found.evidence
                return verdict(found.verdict, found.name, found.error_bound, *found.reasons)
    return verdict(
        UNDECIDED,
        "Fact 1 (dimension): rho_A = rho_full, so MP > 0",
        ranks.target_bound,
        "rho_A = rho_full gives MP > 0, but the outputs are polynomial (not affine) in the "
        "learnable weights and no certificate of MP = 1 or of MP < 1 applies: undecided, "
        "estimate MP numerically (an estimate, not a verdict)",
    )
