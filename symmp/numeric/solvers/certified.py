"""``certified``: every verdict is a proof, or is reported as unproved.

Per trial (THEORY.md section 6; ``PRIOR-ART.md`` for the measured options):

1. **Newton starts.** Batched Levenberg-Marquardt (:func:`.newton.levenberg_marquardt`)
   from ``options.starts`` starts; every point with relative residual
   ``<= tol`` is a candidate.
2. **Krawczyk ("yes").** A candidate is proved by the interval Krawczyk test
   (python-flint balls) on the trial's exact equations, reduced exactly to
   the unit inputs when the model is linear in its inputs
   (:mod:`symmp.numeric.certify.system`): with ``E`` equations and ``r``
   unknowns, ``E == r`` proves the square system; ``E < r`` fixes the
   ``r - E`` surplus unknowns at the candidate's values (sound for "yes": a
   solution with some coordinates fixed is a solution) and proves the rest;
   ``E > r`` cannot be proved this way (the trial stays unproved).
3. **Positive-definite combination ("no")**, when every equation has degree
   <= 2 (e.g. an lrnn with T = 2): the linear equations solved exactly, a
   combination of the quadratics whose form is positive definite on their
   solution set, checked exactly over Q
   (:mod:`symmp.numeric.certify.quadratic`). Any numbers of equations and
   unknowns, no ``phc`` needed.
4. **Elimination** (``r <= 3``, ``E >= r``): resultants over Q and exact
   real-root isolation (:mod:`symmp.numeric.certify.elimination`) prove "no",
   and for ``r <= 2`` square systems also "yes"; otherwise the eliminant's
   real roots seed more Newton starts (first unknown set to each root),
   whose end points go to the Krawczyk test.
5. **Homotopy** (``phc -b``, optional): all complex solutions of a square
   (sub)system; each is certified by a complex Krawczyk box. "No" is proved
   only when the boxes are pairwise disjoint, their number reaches the
   **Bezout number** of the (sub)system and none holds a real match. Bezout
   is used because by the refined Bezout theorem (Fulton, *Intersection
   Theory*, Example 8.4.6) that many isolated solutions leave no room for
   any other solution, not even a positive-dimensional component; a count
   taken from one generic instance gives no such guarantee (e.g.
   ``x y + q = 0, y (y^2 + 1) = 0`` has two nonreal solutions for generic
   ``q`` and, at ``q = 0``, the same two plus the real line ``y = 0``).

A trial that is not proved counts as **no match**; its ``details`` say why
and whether Newton saw a numeric match, and the estimate is then a lower
bound.

Options (``SolverOptions.extra``): ``candidates`` (candidates to certify per
trial, default 3), ``combination`` (default True), ``elimination`` (default True), ``homotopy``
(``"auto"``: use ``phc`` when installed, ``"phc"``: require it, ``"none"``),
``phc_max_unknowns`` (default 8), ``phc_timeout`` (seconds, default 120),
``precision`` (ball precision in bits, default 128).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric import draw_trial
>>> from symmp.numeric.solvers import SolverOptions
>>> allocation = Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2)
>>> trials = [draw_trial(allocation, seed=0, index=i) for i in range(3)]
>>> outcomes = certified_solve(allocation, trials, SolverOptions(starts=5))
>>> all(o.proved for o in outcomes)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ...errors import SymmpError
from ..certify.elimination import MAX_UNKNOWNS, eliminate
from ..certify.phc import PhcUnavailable, phc_available
from ..certify.proofs import prove_by_homotopy, prove_real_zero, square_rows
from ..certify.quadratic import prove_no_real_solution
from ..certify.system import TrialSystem, linear_in_inputs, working_precision
from ..problems.match import MatchProblem
from ..sampling import Trial, trial_rng
from . import SolverOptions, TrialOutcome, check_options, register_solver
from ..kernels.starts import trial_starts
from ..kernels.newton import levenberg_marquardt

__all__ = ["certified_solve", "certified_applies", "MAX_CERTIFIED_UNKNOWNS", "AUTO_CERTIFIED_UNKNOWNS", "OPTIONS"]

#: ``certified`` applies up to this many unknowns
MAX_CERTIFIED_UNKNOWNS = 8
#: ``auto`` picks ``certified`` only up to this many unknowns (exact elimination's range,
#: where a trial is decided in milliseconds; :mod:`.auto` says why)
AUTO_CERTIFIED_UNKNOWNS = 3

_DEFAULTS = {
    "candidates": 3,
    "combination": True,
    "elimination": True,
    "homotopy": "auto",
    "phc_max_unknowns": MAX_CERTIFIED_UNKNOWNS,
    "phc_timeout": 120.0,
    "precision": 128,
}


#: ``SolverOptions.extra`` keys of ``certified``
OPTIONS = {
    "candidates": f"real roots of the eliminated system seeding more Newton starts (default {_DEFAULTS['candidates']})",
    "combination": "prove 'no' by positive-definite combinations of degree-2 equations (default True)",
    "elimination": "decide small systems by exact elimination (default True)",
    "homotopy": "'auto' (default: phc when installed), 'phc' or 'none'",
    "phc_max_unknowns": f"largest system handed to phc (default {MAX_CERTIFIED_UNKNOWNS})",
    "phc_timeout": f"seconds per phc call (default {_DEFAULTS['phc_timeout']})",
    "precision": f"bits of the interval arithmetic (default {_DEFAULTS['precision']})",
}


def _check_extra(extra: dict) -> dict:
    check_options("certified", extra)
    settings = {**_DEFAULTS, **extra}
    if settings["homotopy"] not in ("auto", "phc", "none"):
        raise SymmpError(f"homotopy must be 'auto', 'phc' or 'none', got {settings['homotopy']!r}")
    if settings["homotopy"] == "phc" and not phc_available():
        raise SymmpError(
            "homotopy='phc' needs `phc` on PATH: install PHCpack (apt-get install phcpack) "
            "or use homotopy='auto'"
        )
    return settings


def _equation_count(allocation: Allocation) -> int:
    """Equations after the exact input reduction, for generic inputs."""
    model = allocation.model
    k = int(np.prod(model.input_shape(1)))
    if k <= allocation.m and linear_in_inputs(model):
        return model.output_dim * k
    return model.output_dim * allocation.m


def certified_applies(allocation: Allocation) -> bool:
    """Polynomial model, at most :data:`MAX_CERTIFIED_UNKNOWNS` unknowns and as
    many independent-by-count equations as unknowns after exact reduction."""
    return (
        allocation.model.polynomial
        and allocation.r <= MAX_CERTIFIED_UNKNOWNS
        and _equation_count(allocation) == allocation.r
    )


# ------------------------------------------------------------------- solver
def _unknowns_scale(system: TrialSystem) -> float:
    """RMS of the student's matrices that hold unknowns (conditions the combination search)."""
    names = {name for name, _, _ in system.entries}
    values = np.concatenate([np.ravel(system.trial.student[name]) for name in sorted(names)])
    rms = float(np.sqrt(np.mean(values**2))) if values.size else 1.0
    return rms if np.isfinite(rms) and rms > 0 else 1.0


def _decide(
    system: TrialSystem, candidates: list[np.ndarray], settings, refine, generic: np.ndarray
) -> tuple[bool, bool, dict]:
    """(matched, proved, details) for one trial; ``refine(x0_values)`` runs
    Newton from starts whose first unknown is set to each value and returns
    the new candidates; ``generic`` is a random point of the trial's own
    stream, where an overdetermined system's square subsystem is chosen when
    there is no candidate."""
    E, r = system.n_equations, system.r
    details: dict = {"equations": E, "unknowns": r, "reduced": system.reduced}
    for theta in candidates[: int(settings["candidates"])]:
        if E > r:
            break
        proved, _, _ = prove_real_zero(system, theta)
        if proved:
            return True, True, {**details, "stage": "krawczyk"}
    context, polys = system.polynomials()
    if settings["combination"] and max(p.total_degree() for p in polys) <= 2:
        proof = prove_no_real_solution(polys, r, scale=_unknowns_scale(system))
        if proof.proved:
            return False, True, {**details, "stage": "combination", "how": proof.how}
        details["combination"] = proof.how
    if E < r:
        reason = "more unknowns than equations: 'no' cannot be proved pointwise"
        if candidates:
            reason = "numeric match not certified (" + reason + ")"
        return False, False, {**details, "stage": "open", "reason": reason}
    if E > r and candidates:
        details["reason"] = "numeric match of an overdetermined system cannot be certified"
    reference = candidates[0] if candidates else generic
    rows = list(range(E)) if E == r else square_rows(system, reference)
    if settings["elimination"] and r <= MAX_UNKNOWNS:
        result = eliminate([polys[k] for k in rows])
        details["eliminant_degree"] = result.degree
        if result.verdict == "no":
            return False, True, {**details, "stage": "elimination"}
        if result.verdict == "yes" and E == r:
            return True, True, {**details, "stage": "elimination"}
        details["reason"] = result.message
        if E == r and result.real_roots:  # seed Newton with the eliminant's real roots
            for theta in refine(result.real_roots)[: int(settings["candidates"])]:
                if prove_real_zero(system, theta)[0]:
                    return True, True, {**details, "stage": "elimination+krawczyk"}
    use_phc = settings["homotopy"] == "phc" or (settings["homotopy"] == "auto" and phc_available())
    if use_phc and r <= int(settings["phc_max_unknowns"]):
        bezout = int(np.prod([polys[k].total_degree() for k in rows]))
        try:
            verdict, info = prove_by_homotopy(system, polys, rows, bezout, settings)
        except PhcUnavailable:
            raise
        except SymmpError as err:
            verdict, info = None, {"reason": str(err)}
        details.update(info)
        if verdict == "yes":
            return True, True, {**details, "stage": "phc"}
        if verdict == "no":
            return False, True, {**details, "stage": "phc"}
    elif settings["homotopy"] == "auto" and not phc_available():
        details["phc"] = "not installed (apt-get install phcpack)"
    details.setdefault("reason", "no proof found")
    return False, False, {**details, "stage": "open"}


def certified_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``certified`` (see the module docstring for the strategy).

    Parameters
    ----------
    allocation : Allocation
        Its model must be polynomial.
    trials : sequence of Trial
    options : SolverOptions
        ``starts``, ``tol``, ``max_iter`` and ``seed`` drive the Newton
        stage; ``extra`` holds the options listed in the module docstring.

    Returns
    -------
    list of TrialOutcome
        ``matched`` only when proved; ``details["numeric_match"]`` says
        whether Newton reached ``tol``, ``details["stage"]`` which step
        decided (``krawczyk``, ``combination``, ``elimination``, ``phc``) or ``open``.

    Raises
    ------
    SymmpError
        For a non-polynomial model or unknown options.
    """
    if not allocation.model.polynomial:
        raise SymmpError(
            f"the certified solver needs polynomial outputs; {allocation.model.kind!r} is not "
            "polynomial (use solver 'newton' or 'auto')"
        )
    settings = _check_extra(dict(options.extra))
    if not trials:
        return []
    problem = MatchProblem(allocation, trials)
    size = problem.size
    starts = [trial_starts(problem, t, options.starts, options.seed) for t in range(size)]
    owner = np.repeat(np.arange(size), options.starts)
    theta, relative, _ = levenberg_marquardt(
        problem, np.concatenate(starts), owner, tol=options.tol, max_iter=options.max_iter
    )
    outcomes = []
    with working_precision(int(settings["precision"])):
        for t, trial in enumerate(trials):
            mine = np.flatnonzero(owner == t)
            order = mine[np.argsort(relative[mine])]
            candidates = [theta[k] for k in order if relative[k] <= options.tol]
            system = TrialSystem(allocation, trial)

            def refine(roots, t=t):
                seeds = np.repeat(starts[t][: min(4, options.starts)], len(roots), axis=0)
                seeds[:, 0] = np.tile(roots, len(seeds) // len(roots))
                # a proof search, not the Newton stage: at least 100 iterations
                budget = max(options.max_iter, 100)
                points, rel, _ = levenberg_marquardt(
                    problem, seeds, np.full(len(seeds), t), tol=options.tol, max_iter=budget
                )
                return [points[k] for k in np.argsort(rel) if rel[k] <= options.tol]

            generic = trial_rng(options.seed, trial.index, 3).standard_normal(problem.r)
            matched, proved, details = _decide(system, candidates, settings, refine, generic)
            details["numeric_match"] = bool(candidates)
            outcomes.append(
                TrialOutcome(
                    index=trial.index,
                    matched=bool(matched and proved),
                    proved=bool(proved),
                    residual=float(relative[order[0]]),
                    starts=int(options.starts),
                    method="certified",
                    details=details,
                )
            )
    return outcomes


register_solver(
    "certified",
    certified_solve,
    applies=certified_applies,
    needs=f"a polynomial model with at most {MAX_CERTIFIED_UNKNOWNS} unknowns and as many equations "
    "as unknowns after the exact input reduction",
    uses_starts=True,
    options=OPTIONS,
    # proved verdicts; auto takes it only where exact elimination decides a trial in milliseconds
    auto_rank=40,
    auto_applies=lambda allocation: allocation.r <= AUTO_CERTIFIED_UNKNOWNS,
    proves_misses=True,
    description="Newton + Krawczyk proofs, exact positive-definite combinations (degree 2), exact "
    "elimination (<= 3 unknowns) and phc homotopy (unproved trials count as no match)",
    environment=lambda: {"phc": phc_available()},  # "no" proofs beyond elimination need phc
    revision=1,  # 1: proofs of "no" by positive-definite combinations
)
