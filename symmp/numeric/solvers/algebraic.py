"""``algebraic``: every complex root of the reduced square quadratic system, by eigenvalues.

Applies to lrnn allocations with only W learnable, ``convention="paper"``,
T = 2, ``m >= T*b`` and ``r = 2*d*b``, whose reduced family has finitely
many roots: the Markov reduction (:mod:`~symmp.numeric.problems.markov`) eliminates the
linear block ``D W B = D* W* B*`` exactly and leaves the ``d*b`` quadratics
``D W^2 B = D* W*^2 B*`` in ``q = d*b <=``
:data:`~symmp.numeric.roots.template.MAX_UNKNOWNS` unknowns.

Once per allocation (cached, exact): a random member of the reduced family
mod p (:func:`~symmp.numeric.roots.family.reduced_quadratic_mod_p`) gives the
family's number of finite roots and its elimination template
(:func:`~symmp.numeric.roots.template.build_template`; e.g. 12 roots, not
the Bezout 16, for r = 8 spread over K = 4 rows, where the other 4 lie at
infinity). Per batch:

1. **Newton from a few starts** (:func:`square_newton`, lean and batched):
   the student's own draw ``theta_s`` of the learnable entries, then
   ``-8 theta_s``, ``64 theta_s`` and ``-512 theta_s`` (:data:`FIRST_SCALES`;
   the first ``extra["first_starts"]`` of them, default all), each landed
   by one Newton step of the real system and tried only where the earlier
   ones found no match, as fsolve restarts. The solutions are typically
   20-60 times the size of the student's draw, and starts spread over
   scales and signs reach more of them: the first three catch about 80% of
   the solvable trials at K = 4, the fourth a third of the rest, about 86%
   in all (random starts of the student's scale, or
   ``theta_s, -theta_s, 2 theta_s``: about 70%; measured on 1,000 trials
   of the benchmark's families with a seed it does not use; the fourth
   start makes K = 4 about 8% faster and K = 8, where most trials it
   reaches have no real root, neither faster nor slower). Deterministic starts
   need no random draw per trial. Most solvable trials end here, at a
   fraction of a root computation's cost.
2. **A certificate of no real root** for the rest
   (:mod:`~symmp.numeric.roots.certificate`): a combination of the
   reduced equations whose quadratic form is positive definite, found by a
   batched interior-point search in 3-7 iterations. It settles most
   unsolvable trials at a fraction of a root computation's cost. It runs
   where it pays (``extra["certificates"]``: ``"auto"``, the default, when
   at least :data:`CERTIFICATE_SHARE` of the family's sample members have
   one, e.g. r = 8 over K = 8 rows but not K = 4; or True / False), and
   only for match thresholds ``tol <=`` :data:`CERTIFICATE_TOL`.
3. **Every complex root of the rest**
   (:func:`~symmp.numeric.roots.action_matrix.quadratic_roots`: one batched
   elimination and one batched eigenproblem, unknowns scaled by the natural
   weight scale). Every nearly real root is tried. A quick pass first (one
   elimination, one Newton step per root); only the trials it leaves
   without a match and with roots not all converged are finished (further
   Newton steps, then the dense elimination where still needed).
4. A trial whose roots were not all found (``complete = False``: roots so
   far out that they are ill-conditioned) and that has no match gets Newton
   from all ``options.starts`` starts and from the real part of every root
   computed (an ill-conditioned real root can come out as a complex pair).

Every match is confirmed on the **real model's outputs** (relative residual
<= ``tol``, after a few Newton steps there when it is close), never on the
reduced system. A no-match is **not proved** (floating-point roots and
certificates of floating-point systems prove nothing about the exact ones;
the ``certified`` solver proves), so estimates are lower bounds as with
``newton``; but a no-match here means a positive-definite combination of the
equations (with a margin far above rounding) or that none of the family's
roots was real, not that a few local starts failed (``benchmarks/bench_mp.py``
measures the miss rates against ``certified``). Trials outside the
reduction (rank-deficient inputs or linear block) go to ``newton``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ..kernels.newton import confirm_matches, newton_landing, square_newton
from ..kernels.starts import trial_starts
from ..problems.markov import ReducedMarkovProblem, natural_scale, solution_scale
from ..problems.match import MatchProblem
from ..problems.quadratic import QuadraticProblem
from ..roots.action_matrix import quadratic_roots
from ..roots.certificate import find_certificates, homogenized_forms
from ..roots.family import CERTIFICATE_SHARE, certificates_pay, family_template, reduced_square, scaled_members
from ..roots.real import NEAR_REAL, nearly_real
from ..roots.template import MAX_UNKNOWNS
from ..sampling import Trial
from . import SOLVERS, VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver
from .newton import NEWTON_OPTIONS

__all__ = [
    "algebraic_solve",
    "algebraic_applies",
    "family_template",
    "certificates_pay",
    "CERTIFICATE_SHARE",
    "square_newton",
    "FIRST_ITERATIONS",
    "FIRST_SCALES",
    "NEAR_REAL",
]

#: Newton iterations per first-phase start
FIRST_ITERATIONS = 20
#: the first-phase starts, multiples of the student's draw of the learnable entries spread
#: geometrically over scales with alternating signs, tried before the certificate and the
#: eigenvalue solve; each catches a third to a half of the solvable trials still open, at
#: about a tenth of the cost of computing a trial's roots
FIRST_SCALES = (1.0, -8.0, 64.0, -512.0)
#: a start is abandoned when its cost has not quartered within this many iterations (Newton
#: converges quadratically near a root: a start that stalls here rarely converges later)
FIRST_PATIENCE = 5
# a root is tried as real when ``|Im x| <= NEAR_REAL (1 + |x|)`` (scaled unknowns): NEAR_REAL =
# 1e-4 (:mod:`~symmp.numeric.roots.real`), tighter than ``homotopy``'s endpoints; each keeps its own
REAL_NEWTON = 6  # real Newton steps on the quadratic system from a nearly real root
#: the certificate stage runs only for match thresholds ``tol`` at most this (default 1e-9):
#: it rules out exact solutions, and its margin (1e-7 of the unit-norm forms) is far above
#: such a tol, but a looser tol may accept approximate matches that no exact solution backs
CERTIFICATE_TOL = 1e-7
POLISH = 5  # real-model Newton steps confirming a match


def algebraic_applies(allocation: Allocation) -> bool:
    """True for lrnn W-only allocations whose Markov reduction is a square quadratic system
    (paper convention, T = 2, m >= T*b, r = 2*d*b, d*b <= 5) with finitely many roots.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> algebraic_applies(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4))
    True
    >>> algebraic_applies(Allocation.spread(LRNN(8, 2, 2, 3), "W", r=8, K=4, m=6))
    False
    """
    return reduced_square(allocation) and family_template(allocation) is not None


def algebraic_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``algebraic``: Newton from a few starts, then all complex roots of what is left.

    ``options.tol`` is the real model's match threshold; ``options.starts``
    serves only the trials whose roots were not all found (or that lie
    outside the Markov reduction).

    Returns
    -------
    list of TrialOutcome
        ``proved=False`` for every trial (a lower bound on MP); ``details``
        hold ``stage`` (``"newton"``: matched by a first-phase start,
        ``"certificate"``: no real root by a positive-definite combination,
        with its ``margin``, ``"roots"``: decided from all roots,
        ``"fallback"``: roots incomplete, every start tried), and when the
        roots were computed ``complete``, ``roots`` (finite ones found) and
        ``real_roots`` (nearly real ones; for a trial matched from the quick
        pass these describe that pass, whose roots need not all have
        converged); ``theta`` for a match. ``starts`` counts the
        first-phase starts tried, or ``options.starts`` for a fallback.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric.sampling import draw_trials
    >>> allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
    >>> outcomes = algebraic_solve(allocation, draw_trials(allocation, 0, range(3)), SolverOptions())
    >>> [o.index for o in outcomes]
    [0, 1, 2]
    """
    if not algebraic_applies(allocation):
        raise ValueError(
            "algebraic needs an lrnn W-only allocation whose Markov reduction is a square quadratic "
            f"system of at most {MAX_UNKNOWNS} unknowns with finitely many roots (paper convention, "
            "T = 2, m >= T*b, r = 2*d*b); use --solver auto"
        )
    outcomes: list[TrialOutcome | None] = [None] * len(trials)
    exact = MatchProblem(allocation, trials)
    reduced = ReducedMarkovProblem(exact, metric="markov")
    chosen = np.flatnonzero(reduced.eligible)
    fallback = list(np.flatnonzero(~reduced.eligible))
    if chosen.size:
        for t, outcome in zip(chosen, _solve_part(allocation, exact, reduced, chosen, options)):
            outcomes[t] = outcome
    if fallback:  # the reduction does not apply to these trials (rank-deficient inputs or block)
        for t, o in zip(fallback, SOLVERS["newton"](allocation, [trials[i] for i in fallback], options)):
            details = {**o.details, "stage": "fallback", "method": o.method}
            outcomes[t] = TrialOutcome(o.index, o.matched, o.proved, o.residual, o.starts, "algebraic", details)
    return outcomes  # type: ignore[return-value]


def _solve_part(allocation, exact, reduced, chosen, options):
    """Outcomes of the batch members ``chosen`` (those eligible for the reduction)."""
    trials = [exact.trials[t] for t in chosen]
    size = len(chosen)
    quad = QuadraticProblem(reduced, reduced.quadratic_coefficients())  # closed form
    first = options.extra.get("first_starts", len(FIRST_SCALES))
    if isinstance(first, bool) or not isinstance(first, (int, np.integer)) or not 0 <= first <= len(FIRST_SCALES):
        raise ValueError(f"extra['first_starts'] must be an integer from 0 to {len(FIRST_SCALES)}, got {first!r}")
    best = np.full(size, np.inf)
    used = np.zeros(size, dtype=int)  # starts tried
    winner = np.full((size, exact.r), np.nan)
    stage = np.full(size, "roots", dtype=object)

    def record(z, rows):
        """Confirm candidates ``z`` of members ``rows`` (positions in ``chosen``) on the real model."""
        owner = chosen[rows]
        theta, real = confirm_matches(exact, reduced.full_theta(z, owner), owner, options.tol, POLISH)
        for k in np.flatnonzero(real < best[rows]):
            t = rows[k]
            if real[k] < best[t]:
                best[t], winner[t] = real[k], theta[k]

    def landed(raw, owner):
        """Each start's landing point (one full Newton step of the real system), reduced."""
        return reduced.reduce(newton_landing(exact, raw, owner), owner)

    # 1. Newton from multiples of the student's own draw, start k only where starts
    # 0 .. k-1 found no match (as fsolve restarts)
    drawn = exact.start_points()[chosen]
    for k in range(first):
        rows = np.flatnonzero(best > options.tol)
        if rows.size == 0:
            break
        owner = chosen[rows]
        start = landed(FIRST_SCALES[k] * drawn[rows], owner)
        z = square_newton(quad, start, owner, tol=options.tol, max_iter=FIRST_ITERATIONS, patience=FIRST_PATIENCE)
        record(z, rows)
        used[rows] = k + 1
    stage[best <= options.tol] = "newton"
    rest = np.flatnonzero(best > options.tol)
    margin = np.full(size, np.nan)
    # 2. a positive-definite combination of the rest's equations: no real root
    certify = options.extra.get("certificates", "auto")
    if not (certify == "auto" or isinstance(certify, bool)):
        raise ValueError(f"extra['certificates'] must be 'auto', True or False, got {certify!r}")
    # a certificate rules out exact solutions; with a loose match threshold an approximate
    # match may exist where no exact one does, so the stage then stays off
    exact_enough = options.tol <= CERTIFICATE_TOL
    if rest.size and exact_enough and (certificates_pay(allocation) if certify == "auto" else certify):
        owner = chosen[rest]
        # unknowns in the solutions' own unit: the positive-definite cone is wider there
        # (about 2.5 interior-point iterations instead of 4 on the benchmark's families)
        scale = solution_scale(reduced, owner)
        found = find_certificates(homogenized_forms(*scaled_members(quad, owner, scale)))
        stage[rest[found.certified]] = "certificate"
        margin[rest] = found.margin
        rest = rest[~found.certified]
    # 3. every complex root of the rest
    roots_found = np.zeros(size, dtype=int)
    real_roots = np.zeros(size, dtype=int)
    complete = np.ones(size, dtype=bool)
    template = family_template(allocation)
    # real parts of every finite root computed, in the unknowns' own unit (for stage 4)
    root_points = np.full((size, template.roots, reduced.r), np.nan)

    def roots_pass(rows, resume=None):
        """Every complex root of members ``rows`` (quick, or finishing ``resume``); each
        nearly real one is confirmed. Returns the roots."""
        owner = chosen[rows]
        scale = natural_scale(exact, owner)
        roots, done = quadratic_roots(
            *scaled_members(quad, owner, scale), template=template, quick=resume is None, resume=resume
        )
        complete[rows] = done
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(roots).all(axis=2)
            near = finite & nearly_real(roots, NEAR_REAL)
        roots_found[rows] = finite.sum(axis=1)
        real_roots[rows] = near.sum(axis=1)
        root_points[rows] = np.where(finite[:, :, None], roots.real * scale[:, None, None], np.nan)
        k, j = np.nonzero(near)
        if k.size:  # real parts, polished by a few real Newton steps on the quadratic system
            z = square_newton(quad, roots[k, j].real * scale[k, None], owner[k], tol=options.tol, max_iter=REAL_NEWTON)
            record(z, rows[k])
        return roots

    if rest.size:  # a quick pass, finished only where it left a trial unmatched and incomplete
        roots = roots_pass(rest)
        redo = np.flatnonzero((best[rest] > options.tol) & ~complete[rest])
        if redo.size:
            roots_pass(rest[redo], resume=roots[redo])
    # 4. trials whose roots were not all found and that have no match: Newton from every
    # start and from the real part of every root computed, nearly real or not (where the
    # elimination is ill-conditioned, a real root can come out as a complex pair)
    lost = np.flatnonzero((best > options.tol) & ~complete)
    if lost.size:
        count = options.starts
        raw = np.concatenate([trial_starts(exact, int(t), count, options.seed) for t in chosen[lost]])
        runner = np.repeat(chosen[lost], count)
        start = reduced.reduce(newton_landing(exact, raw, runner), runner)
        k, j = np.nonzero(np.isfinite(root_points[lost]).all(axis=2))
        z = square_newton(
            quad,
            np.concatenate([start, root_points[lost[k], j]]),
            np.concatenate([runner, chosen[lost[k]]]),
            tol=options.tol,
            max_iter=options.max_iter,
            patience=FIRST_PATIENCE,
        )
        record(z, np.concatenate([np.repeat(lost, count), lost[k]]))
        stage[lost], used[lost] = "fallback", count
    matched = best <= options.tol
    out = []
    for t in range(size):
        details = {"stage": str(stage[t])}
        if stage[t] == "certificate":
            details["margin"] = float(margin[t])
        elif stage[t] != "newton":  # the roots were computed
            details.update(complete=bool(complete[t]), roots=int(roots_found[t]), real_roots=int(real_roots[t]))
        if matched[t]:
            details["theta"] = winner[t].tolist()
        out.append(
            TrialOutcome(
                index=trials[t].index,
                matched=bool(matched[t]),
                proved=False,
                residual=float(best[t]),
                starts=int(used[t]),
                method="algebraic",
                details=details,
            )
        )
    return out


register_solver(
    "algebraic",
    algebraic_solve,
    defaults={"batch": VECTORISED_BATCH},
    applies=algebraic_applies,
    needs=f"an lrnn allocation with only W learnable, paper convention, T = 2, m >= T*b, r = 2*d*b "
    f"and d*b <= {MAX_UNKNOWNS}, whose reduced square quadratic system has finitely many roots",
    uses_starts=True,
    options={
        "first_starts": f"first-phase Newton starts, 0 to {len(FIRST_SCALES)} (default all)",
        "certificates": "'auto' (default), True or False: the certificate stage",
        **NEWTON_OPTIONS,  # passed on to its newton fallback
    },
    auto_rank=50,  # every root: misses far fewer matches than newton, and faster
    description="Newton from a few starts, then a certificate of no real root or every complex root "
    "of the square quadratic system (Markov-reduced lrnn, <= 5 unknowns) by an eigenvalue method; "
    "no-match not proved (lower bound)",
    revision=3,  # 2: certificate stage, deterministic first-phase starts; 3: a fourth start,
    # and lost trials also start from every computed root
    exhaustive="a positive-definite combination of the equations, or every complex root computed by "
    "an eigenvalue method (Newton from every start where the roots were not all found)",
)
