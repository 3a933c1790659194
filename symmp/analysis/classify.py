"""Classify an allocation as maximal (MP = 1), minimal (MP = 0) or intermediate.

The rules, in order (THEORY.md sections 3 to 5):

1. **Fact 1**: rho_A < rho_full (exact ranks) -> ``minimal``.
2. **Fact 2**: outputs affine in the learnables (exact degree, by a max-plus
   forward pass) and rho_A = rho_full -> ``maximal``.
3. **Theorem W-rows / W-columns**: every hypothesis checked -> ``maximal``.
4. Otherwise ``intermediate``: rho_A = rho_full gives MP > 0, and full rank
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
from .activation import nonpolynomial_verdict
from .budgets import Budget, equation_budgets
from .flow import FlowReport, flow_bound
from .patterns import w_columns_theorem, w_rows_theorem
from .ranks import DEFAULT_POINTS, RankReport, generic_ranks
from .sequential import analyze_sequential, lifted_counts

__all__ = ["Classification", "classify", "is_affine", "render_classification"]

MAXIMAL, MINIMAL, INTERMEDIATE = "maximal", "minimal", "intermediate"


@dataclass(frozen=True)
class Classification:
    """The verdict on one allocation, with its certificate and reasons.

    ``error_bound`` is the probability that the verdict is wrong: 0 when it
    rests on a proof with exact inputs, else a Schwartz-Zippel bound; None
    for an ``intermediate`` verdict of a network with an activation, which
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
        """What the verdict proves about MP: (1, 1), (0, 0) or the open (0, 1]."""
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

    def to_dict(self) -> dict:
        """JSON-ready dict (the ``symmp classify --json`` object)."""
        out = {
            "class": self.verdict,
            "rank": self.rank,
            "target_rank": self.target_rank,
            "learnable": self.learnable,
            "affine": self.affine,
            "certificate": self.certificate,
            "error_bound": self.error_bound,
            "budgets": {name: b.to_dict() for name, b in self.budgets.items()},
            "waste": [w.to_dict() for w in self.flow.waste],
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
        error = "none: no certificate applies"
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
    return lines + [(key.replace("_", " "), _extra_text(value)) for key, value in result.extra.items()]


def render_classification(result: Classification) -> str:
    """Readable multi-line verdict (``str(result)``, what ``symmp classify`` prints)."""
    lines = [f"{key + ':':<13} {value}" for key, value in _summary_lines(result)]
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in result.reasons]
    return "\n".join(lines)


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
    reasons += [w.sentence() for w in flow.waste]
    # counts of the lifted system (THEORY.md section 5), for polynomial models
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
        # an intermediate one only says that no certificate applies
        return verdict(kind, certificate, None if kind == INTERMEDIATE else 0.0, *why)
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
    theorems = [name for name, check in (("Theorem W-rows", w_rows_theorem), ("Theorem W-columns", w_columns_theorem)) if check(allocation)[0]]
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
            *(f"cross-check: the hypotheses of {name} hold too" for name in theorems),
        )
    if theorems:
        extra["sequential_cross_check"] = (
            f"{', '.join(theorems)} holds but no sequential structure was found: {sequential.reason}"
        )
        return verdict(
            MAXIMAL,
            theorems[0],
            0.0,
            f"every hypothesis of {theorems[0]} holds (THEORY.md section 5): MP = 1",
            f"cross-check failed: the sequential mechanism found no structure ({sequential.reason})",
        )
    if structure is not None:
        reasons.append(
            f"the lifted system is sequentially linear up to {len(structure.leftover)} over-determined "
            "equations that hold at one random point only: not a proof of MP = 1"
        )
    else:
        reasons.append(f"no sequentially linear block order: {sequential.reason}")
    return verdict(
        INTERMEDIATE,
        "Fact 1 (dimension): rho_A = rho_full, so MP > 0",
        ranks.target_bound,
        "rho_A = rho_full gives MP > 0, but the outputs are polynomial (not affine) in the "
        "learnable weights and no certificate of MP = 1 applies: estimate MP numerically",
    )
