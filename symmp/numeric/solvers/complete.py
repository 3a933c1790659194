"""``complete``: every complex root of each trial's square system, by a parameter homotopy.

Per allocation, once (cached per process): the learnable entries kept free
(all of them when ``r`` equals the generic rank ``rho_A``; otherwise a
**square slice**: surplus entries are pinned, greedily, as long as the exact
modular rank of the rest stays ``rho_A``), the family's square system
(:class:`~symmp.numeric.roots.parameter_homotopy.FamilySystem`) and every
root of one generic complex instance, by monodromy; the count ``N`` is
checked against the exact normal-form template mod p where one exists (the
T = 2 lrnn families of ``algebraic``).

Per trial: the ``N`` roots are carried from the generic instance to the
trial's real parameters by a parameter homotopy (all paths of all trials in
one numpy batch, gamma from the trial's own stream ``trial_rng(seed, index,
3)``). Paths that fail (diverge, break down, collapse) or land on an
endpoint another path of the same trial already reached are **re-tracked**
with a new gamma, up to :data:`RETRACKS` times; what still fails is counted
in the outcome's ``failed_paths`` (never dropped silently). A trial matches
when a nearly real endpoint, mapped to learnable values (pinned entries at
the student's draw), matches on the **real model** (relative residual <=
``tol`` after a few real-model Newton steps). A no-match is never proved
(floating point); with ``failed_paths == 0`` every one of the family's ``N``
roots was found and none is real. On a slice, "no real root" proves nothing
about the allocation (another slice may have one); ``details["pinned"]``
says how many entries were pinned.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric.sampling import draw_trials
>>> allocation = Allocation.from_entries(LRNN(1, 1, 1, 3), [("W", 0, 0)], m=1)
>>> out = complete_solve(allocation, draw_trials(allocation, 0, range(4)), SolverOptions())
>>> [o.details["roots"] for o in out], sum(o.details["failed_paths"] for o in out)
([3, 3, 3, 3], 0)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...allocation import Allocation
from ...errors import SymmpError
from ...analysis.ranks import exact_rank, generic_ranks
from ..problems.match import MatchProblem
from ..roots.parameter_homotopy import FamilySystem, TooManyRoots, generic_roots, move_roots
from ..sampling import Trial, trial_rng
from . import VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver
from ..kernels.newton import confirm_matches, newton_iterate
from ..roots.family import family_template
from .algebraic import algebraic_applies
from .newton import NEWTON_OPTIONS

__all__ = ["complete_solve", "complete_applies", "family_of", "Family", "MAX_ROOTS", "MAX_UNKNOWNS"]

#: the solver applies up to this many free unknowns
MAX_UNKNOWNS = 16
#: families with more generic roots than this are not attempted
MAX_ROOTS = 400
#: re-tracking rounds (each with a new gamma) for failed or colliding paths
RETRACKS = 3
#: an endpoint is tried as real when |Im x| <= NEAR_REAL * (scale + |x|)
NEAR_REAL = 1e-4
POLISH = 8
#: gamma = exp(i theta), theta uniform in (-GAMMA_ARC, GAMMA_ARC): the arc tau(s) from 0 to 1 stays
#: bounded (near theta = pi it passes through infinity: long, slow paths)
GAMMA_ARC = 1.0
#: endpoints of one trial closer than this (relative) are a collision
COLLISION = 1e-7
_FAMILY_SEED = 20261203
_FAMILIES: dict[str, "Family | str"] = {}


@dataclass(frozen=True)
class Family:
    """The generic instance of an allocation's family and all its roots."""

    system: FamilySystem
    p0: np.ndarray
    roots: np.ndarray
    loops: int
    pinned: tuple
    check: str

    @property
    def count(self) -> int:
        """N, the family's generic number of complex roots."""
        return len(self.roots)


def _free_entries(allocation: Allocation) -> tuple[tuple, tuple] | str:
    ranks = generic_ranks(allocation)
    if ranks.rank < ranks.target_rank:
        return f"rho_A = {ranks.rank} < rho_full = {ranks.target_rank}: no generic solution"
    free = list(allocation.ordered_entries)
    pinned = []
    for entry in reversed(allocation.ordered_entries):
        if len(free) == ranks.rank:
            break
        trial = [e for e in free if e != entry]
        if exact_rank(allocation.model, trial, allocation.m) == ranks.rank:
            free, pinned = trial, pinned + [entry]
    if len(free) != ranks.rank:
        return "no square slice found"
    return tuple(free), tuple(pinned)


def _template_check(allocation: Allocation, count: int) -> str:
    template = family_template(allocation) if algebraic_applies(allocation) else None
    from_template = None if template is None else template.roots
    if from_template is None:
        return f"monodromy (stable over the last loops), N = {count}"
    if from_template != count:
        raise ArithmeticError(f"monodromy found {count} roots, the exact template {from_template}")
    return f"monodromy, N = {count} equal to the exact normal-form template mod p"


def family_of(allocation: Allocation, max_roots: int = MAX_ROOTS) -> Family | str:
    """The allocation's :class:`Family` (cached), or a sentence saying why there is none."""
    key = json.dumps([allocation.to_spec(), max_roots], sort_keys=True)
    if key in _FAMILIES:
        return _FAMILIES[key]
    result: Family | str
    if not allocation.model.polynomial:
        result = "not a polynomial model"
    else:
        chosen = _free_entries(allocation)
        if isinstance(chosen, str):
            result = chosen
        elif len(chosen[0]) > MAX_UNKNOWNS:
            result = f"{len(chosen[0])} unknowns > {MAX_UNKNOWNS}"
        else:
            free, pinned = chosen
            system = FamilySystem(allocation, free, seed=_FAMILY_SEED)
            try:
                p0, roots, loops = generic_roots(system, np.random.default_rng(_FAMILY_SEED), max_roots)
                result = Family(system, p0, roots, loops, pinned, _template_check(allocation, len(roots)))
            except TooManyRoots:
                result = f"more than {max_roots} generic roots"
            except ArithmeticError as error:
                result = str(error)
    _FAMILIES[key] = result
    return result


def complete_applies(allocation: Allocation) -> bool:
    """Polynomial model, not affine, at most :data:`MAX_UNKNOWNS` learnables (the family's
    roots are computed at first use; a family without one raises there)."""
    model = allocation.model
    return bool(model.polynomial and 2 <= model.output_degree(allocation.masks()) and allocation.r <= MAX_UNKNOWNS)


def _collisions(x: np.ndarray, ok: np.ndarray, scale: float) -> np.ndarray:
    """(size, N) paths whose endpoint another path of the same trial (earlier one) also reached."""
    size, N, _ = x.shape
    gap = np.linalg.norm(x[:, :, None, :] - x[:, None, :, :], axis=3)
    close = gap <= COLLISION * (scale + np.linalg.norm(x, axis=2))[:, :, None]
    close &= ok[:, None, :] & ok[:, :, None]
    earlier = np.tril(np.ones((N, N), dtype=bool), -1)
    return (close & earlier).any(axis=2)


def complete_solve(allocation: Allocation, trials: Sequence[Trial], options: SolverOptions) -> list[TrialOutcome]:
    """Solver ``complete``: all ``N`` roots of every trial by parameter homotopy (module docstring).

    Returns
    -------
    list of TrialOutcome
        ``proved=False``; ``details`` hold ``roots`` (N), ``failed_paths``,
        ``retracked`` (paths tracked again), ``near_real`` endpoints,
        ``pinned`` (entries pinned by the slice) and for a match ``theta``.
    """
    family = family_of(allocation, int(options.extra.get("max_roots", MAX_ROOTS)))
    if isinstance(family, str):
        raise SymmpError(f"solver complete does not apply to this allocation: {family}")
    system, N, size = family.system, family.count, len(trials)
    scale = system.scale()
    end = system.params_of(trials)
    rngs = [trial_rng(options.seed, t.index, 3) for t in trials]
    x = np.tile(family.roots, (size, 1)).reshape(size, N, -1)
    ok = np.zeros((size, N), dtype=bool)
    singular = np.zeros((size, N), dtype=bool)
    todo = np.ones((size, N), dtype=bool)
    retracked = np.zeros(size, dtype=int)
    for round_ in range(RETRACKS + 1):
        rows, paths = np.nonzero(todo)
        if rows.size == 0:
            break
        if round_:
            np.add.at(retracked, rows, 1)
        gamma_of = np.array([np.exp(1j * GAMMA_ARC * rng.uniform(-1.0, 1.0)) for rng in rngs])
        out = move_roots(system, family.roots[paths], family.p0[None], end[rows], gamma_of[rows])
        x[rows, paths], ok[rows, paths], singular[rows, paths] = out.x, out.ok, out.singular
        todo[:] = False
        todo[rows, paths] = ~out.ok
        todo |= _collisions(x, ok, scale)
        ok &= ~todo
    exact = MatchProblem(allocation, trials)
    positions = [allocation.ordered_entries.index(e) for e in system.free]
    base = exact.start_points()
    with np.errstate(all="ignore"):
        size_of = scale + np.linalg.norm(x, axis=2)
        near = ok & (np.abs(x.imag).max(axis=2) <= NEAR_REAL * size_of)
    trial_of, path_of = np.nonzero(near)
    relative = np.full((size, N), np.inf)
    thetas = np.full((size, N, exact.r), np.nan)
    if trial_of.size:
        theta = base[trial_of].copy()
        theta[:, positions] = x[trial_of, path_of].real
        theta, real = confirm_matches(exact, theta, trial_of, options.tol, POLISH)
        loose = np.flatnonzero(real > options.tol)
        if loose.size:  # ill-conditioned real roots: a longer real-model Newton run
            theta[loose], real[loose], _ = newton_iterate(exact, theta[loose], trial_of[loose],
                                                          tol=options.tol, max_iter=4 * POLISH)
        relative[trial_of, path_of], thetas[trial_of, path_of] = real, theta
    best, winner = relative.min(axis=1), relative.argmin(axis=1)
    failed = (~ok).sum(axis=1)
    return [
        TrialOutcome(
            index=trials[k].index, matched=bool(best[k] <= options.tol), proved=False,
            residual=float(best[k]), starts=N, method="complete",
            details={
                "roots": N, "failed_paths": int(failed[k]), "retracked": int(retracked[k]),
                "near_real": int(near[k].sum()), "singular_endpoints": int((singular[k] & ok[k]).sum()),
                "pinned": len(family.pinned),
                **({"theta": thetas[k, winner[k]].tolist()} if best[k] <= options.tol else {}),
            },
        )
        for k in range(size)
    ]


def complete_environment() -> dict:
    """Nothing external: the roots come from numpy alone."""
    return {}


register_solver(
    "complete",
    complete_solve,
    applies=complete_applies,
    needs="a polynomial allocation whose square system (or square slice) has at most "
    f"{MAX_UNKNOWNS} unknowns and {MAX_ROOTS} generic roots",
    options={**NEWTON_OPTIONS, "max_roots": "families with more generic roots are refused (default 400)"},
    defaults={"batch": VECTORISED_BATCH},
    description="every complex root of the square system (or a square slice) by a parameter "
    "homotopy from a generic instance solved by monodromy (no-match not proved: lower bound)",
    exhaustive="all N roots of the family tracked by a parameter homotopy",
)
