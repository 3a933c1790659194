"""The answer to "what is MP?": :class:`MPResult`, and the Wilson interval.

Examples
--------
>>> lo, hi = wilson_interval(950, 1000)
>>> round(lo, 4), round(hi, 4)
(0.9347, 0.9619)
>>> wilson_interval(0, 0)
(0.0, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .solvers import SOLVER_INFO, TrialOutcome

__all__ = ["MPResult", "wilson_interval", "summarise", "Z95"]

#: per-trial numbers summarised in every result (``residual`` of each
#: outcome, and these keys of ``details`` when a solver reports them)
SUMMARISED_DETAILS = ("steps", "relative_loss", "iterations")


def summarise(values) -> dict:
    """Quantiles (min, 25%, median, 75%, max) and mean of the finite numbers of a list.

    Non-finite values (a diverged start's residual) are left out of the
    statistics, so the summary stays valid JSON, and counted in ``non_finite``.

    Examples
    --------
    >>> summarise([1, 2, 3, 4, 5])["median"]
    3.0
    >>> summarise([1.0, float("inf")])["non_finite"]
    1
    """
    import numpy as np

    array = np.asarray(list(values), dtype=float)
    finite = array[np.isfinite(array)]
    if array.size == 0:
        return {}
    out = {"count": int(array.size), "non_finite": int(array.size - finite.size)}
    if finite.size:
        q = np.quantile(finite, [0.0, 0.25, 0.5, 0.75, 1.0])
        out.update({
            "min": float(q[0]), "q25": float(q[1]), "median": float(q[2]), "q75": float(q[3]),
            "max": float(q[4]), "mean": float(finite.mean()),
        })
    return out

#: two-sided 95% normal quantile
Z95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default).

    Returns ``(0, 1)`` when there are no trials.
    """
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if successes == 0:
        low = 0.0
    if successes == trials:
        high = 1.0
    return (low, high)


@dataclass(frozen=True, repr=False)
class MPResult:
    """An estimate (or a proof) of the match probability of one allocation.

    Attributes
    ----------
    mp : float
        Matches / trials, or exactly 1 or 0 from a certificate.
    ci95 : (float, float)
        Wilson 95% interval of the trials' proportion; ``(mp, mp)`` for a certificate.
    matches, trials : int
        Counts behind ``mp`` (0 and 0 for a certificate).
    method : str
        The solver that decided the trials (``auto`` resolved), or ``"certificate"``.
    lower_bound : bool
        True when some no-match verdict is unproved (a local solver may have
        missed a solution), so MP may be larger than ``mp``.
    starts : int
        Random starts allowed per trial (0 for exact methods and certificates).
    proved : int
        Trials whose verdict is proved.
    seconds : float
        Wall-clock time of the call.
    solver : str
        The solver asked for.
    settings : dict
        Solver options and sampling settings (they key the ledger).
    seed : int
    certificate : str or None
        The theorem behind a maximal/minimal verdict, when one was found.
    verdict : str or None
        The analyzer's class, when it ran.
    error_bound : float or None
        Probability that the certificate's verdict is wrong (Schwartz-Zippel), 0 if exact.
    reused, computed : int
        Trials read from the ledger and trials solved in this call.
    stopped_early : bool
        True when the target interval half-width was reached before ``trials``.
    store : str or None
        Path of the ledger.
    outcomes : tuple of TrialOutcome
        Per-trial verdicts, in trial order (not in :meth:`to_dict` unless asked).
    """

    mp: float
    ci95: tuple[float, float]
    matches: int
    trials: int
    method: str
    lower_bound: bool
    starts: int
    proved: int
    seconds: float
    solver: str
    settings: dict
    seed: int
    certificate: str | None = None
    verdict: str | None = None
    error_bound: float | None = None
    reused: int = 0
    computed: int = 0
    stopped_early: bool = False
    store: str | None = None
    outcomes: tuple[TrialOutcome, ...] = field(default=(), repr=False)

    @property
    def interval_method(self) -> str:
        """How ``ci95`` was obtained."""
        return "certificate" if self.method == "certificate" else "wilson"

    @property
    def note(self) -> str:
        """One sentence saying what the number means (and, for a staged solver, what each stage settled)."""
        return self._base_note() + _stage_note(self.outcomes)

    def _base_note(self) -> str:
        if self.method == "certificate":
            return f"MP = {self.mp:g} exactly, by {self.certificate} (no trials run)"
        if self.lower_bound:
            unproved = self.trials - self.matches - self._proved_misses()
            fallen = [o.method for o in self.outcomes if o.details.get("fallback")]
            if fallen:
                return (
                    f"lower bound: {unproved} no-match verdicts are unproved; {len(fallen)} trials "
                    f"exceeded solver '{self.method}''s combination limit and fell back to "
                    f"{', '.join(repr(n) for n in sorted(set(fallen)))} (a local optimiser)"
                )
            unclear = sum(1 for o in self.outcomes if not o.proved and not o.matched and o.details.get("unclear"))
            if unclear:
                return (
                    f"lower bound: {unproved} no-match verdicts are unproved: solver '{self.method}' "
                    f"enumerated every pattern but {unclear} trials had a combination its "
                    "floating-point margins could not decide"
                )
            exhaustive = self._exhaustive()
            if exhaustive:
                return (
                    f"lower bound: {unproved} no-match verdicts are unproved (solver '{self.method}': "
                    f"{exhaustive}, no real one confirmed; floating point proves nothing)"
                )
            return (
                f"lower bound: {unproved} no-match "
                f"verdicts are unproved (local solver '{self.method}', up to {self.starts} "
                "starts per trial)"
            )
        numeric = self.trials - self.proved  # all matches: every miss is proved here
        if numeric:
            return (
                f"no unproved miss; {numeric} match verdicts are numeric (relative residual "
                f"<= tol after refinement by solver '{self.method}'), not proved"
            )
        return f"every verdict proved by solver '{self.method}'"

    @property
    def failed(self) -> int:
        """Trials that ended on numbers that are not finite (counted as unproved no-matches)."""
        return sum(1 for o in self.outcomes if o.details.get("failed"))

    @property
    def failures(self) -> dict[str, int]:
        """How many trials failed for each reason."""
        out: dict[str, int] = {}
        for o in self.outcomes:
            if o.details.get("failed"):
                out[o.details["failed"]] = out.get(o.details["failed"], 0) + 1
        return out

    @property
    def trial_summary(self) -> dict:
        """Distribution over trials of the final relative residual and, when
        the solver reports them, of steps used and final relative loss."""
        if not self.outcomes:
            return {}
        out = {"residual": summarise(o.residual for o in self.outcomes)}
        for key in SUMMARISED_DETAILS:
            values = [o.details[key] for o in self.outcomes if isinstance(o.details.get(key), (int, float))]
            if values:
                out[key] = summarise(values)
        return out

    def _exhaustive(self) -> str | None:
        """What a no-match means when the method computes every root (else None)."""
        info = SOLVER_INFO.get(self.method)
        return info.exhaustive if info is not None else None

    def _proved_misses(self) -> int:
        return sum(1 for o in self.outcomes if o.proved and not o.matched)

    def to_dict(self, include_trials: bool = False) -> dict:
        """JSON-able summary (per-trial outcomes with ``include_trials``)."""
        out = {
            "mp": self.mp,
            "ci95": [self.ci95[0], self.ci95[1]],
            "interval": self.interval_method,
            "matches": self.matches,
            "trials": self.trials,
            "method": self.method,
            "lower_bound": self.lower_bound,
            "starts": self.starts,
            "proved": self.proved,
            "seconds": self.seconds,
            "solver": self.solver,
            "settings": self.settings,
            "seed": self.seed,
            "certificate": self.certificate,
            "verdict": self.verdict,
            "error_bound": self.error_bound,
            "reused": self.reused,
            "computed": self.computed,
            "stopped_early": self.stopped_early,
            "store": self.store,
            "note": self.note,
            "trial_summary": self.trial_summary,
        }
        if self.failed:  # absent when none failed (outputs as before)
            out["failed"] = self.failed
            out["failures"] = self.failures
        if include_trials:
            out["outcomes"] = [o.to_dict() for o in self.outcomes]
        return out

    def __getitem__(self, key: str):
        """``result["mp"]``: the value of :meth:`to_dict` under ``key``
        (``"outcomes"`` gives the per-trial dicts)."""
        if key == "outcomes":
            return [o.to_dict() for o in self.outcomes]
        view = self.to_dict()
        if key not in view:
            raise KeyError(f"{key!r}; keys: {', '.join(view)}")
        return view[key]

    def keys(self) -> list[str]:
        """Keys of :meth:`to_dict` (so ``dict(result)`` works)."""
        return list(self.to_dict())

    def to_row(self) -> dict:
        """Flat dict of scalars for one row of a pandas DataFrame
        (settings are prefixed ``setting_``)."""
        row = {
            "mp": self.mp, "ci95_low": self.ci95[0], "ci95_high": self.ci95[1],
            "interval": self.interval_method, "matches": self.matches, "trials": self.trials,
            "method": self.method, "lower_bound": self.lower_bound, "proved": self.proved,
            "starts": self.starts, "solver": self.solver, "seed": self.seed,
            "certificate": self.certificate, "verdict": self.verdict,
            "error_bound": self.error_bound, "seconds": self.seconds, "note": self.note,
        }
        for key, value in self.settings.items():
            if isinstance(value, (int, float, str, bool)) or value is None:
                row[f"setting_{key}"] = value
        return row

    def __repr__(self) -> str:
        lo, hi = self.ci95
        return (
            f"MPResult(mp={self.mp:.6g}, ci95=({lo:.4g}, {hi:.4g}), matches={self.matches}, "
            f"trials={self.trials}, method={self.method!r}, lower_bound={self.lower_bound}"
            + (f", certificate={self.certificate!r}" if self.certificate else "")
            + ")"
        )

    def _repr_html_(self) -> str:
        """Notebook view: MP, its interval, the method and what the number means."""
        from html import escape

        lo, hi = self.ci95
        if self.method == "certificate":
            headline = f"MP = {self.mp:g} exactly"
            interval = "none needed: proved"
        else:
            headline = f"MP &asymp; {self.mp:.4f}" + (" (lower bound)" if self.lower_bound else "")
            interval = f"[{lo:.4f}, {hi:.4f}] (Wilson 95%, {self.matches}/{self.trials} matched)"
        rows = [
            ("interval", interval),
            ("method", self.method + (f" (asked: {self.solver})" if self.solver != self.method else "")),
            ("proved verdicts", f"{self.proved} of {self.trials}"),
            ("seed", str(self.seed)),
            ("time", f"{self.seconds:.3g} s ({self.computed} solved, {self.reused} from the ledger)"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{k}</th><td style='text-align:left'>{escape(v)}</td></tr>"
            for k, v in rows
        )
        colour = "#8d6e00" if self.lower_bound else "#2e7d32"
        return (
            f"<div class='symmp-mpresult'><b>{headline}</b><table>{body}</table>"
            f"<div style='color:{colour}'>{escape(self.note)}</div></div>"
        )

    def __str__(self) -> str:
        lo, hi = self.ci95
        if self.method == "certificate":
            return f"MP = {self.mp:g} ({self.certificate})"
        return (
            f"MP = {self.mp:.3f}  95% CI [{lo:.3f}, {hi:.3f}] (Wilson)  "
            f"{self.matches}/{self.trials} matched  method {self.method}"
            + (f", {self.starts} starts" if self.starts and not self._exhaustive() else "")
            + ("  [lower bound]" if self.lower_bound else "")
        )


def _stage_note(outcomes) -> str:
    """"; stages: ..." for outcomes tagged with ``details["escalation"]`` (solver ``staged``), else ""."""
    tagged = [o for o in outcomes if "escalation" in o.details]
    if not tagged:
        return ""
    parts = []
    for stage in ("newton", "complete", "certified"):
        mine = [o for o in tagged if o.details["escalation"] == stage]
        if mine:
            matched = sum(o.matched for o in mine)
            proved = sum(o.proved for o in mine)
            parts.append(f"{stage} settled {len(mine)} ({matched} matches{f', {proved} proved' if proved else ''})")
    failed = sum(o.details.get("failed_paths", 0) for o in tagged if o.details["escalation"] == "complete")
    sliced = any(o.details.get("pinned") for o in tagged if o.details["escalation"] == "complete")
    skipped = next((o.details["complete_skipped"] for o in tagged if "complete_skipped" in o.details), None)
    unproved = [o.index for o in tagged if not o.matched and not o.proved]
    text = "; stages: " + ", ".join(parts)
    if failed:
        text += f"; {failed} homotopy paths failed after re-tracking (those trials' roots are incomplete)"
    if sliced:
        text += "; the complete stage solved a square slice (surplus learnables pinned): a slice without a real root proves nothing"
    if skipped:
        text += f"; {skipped}"
    return text + f"; {len(unproved)} no-match verdicts remain unproved"
