"""Witnesses of 0 < MP < 1 (THEORY.md section 8): one draw that matches, one that cannot.

- **Yes witness**: a draw whose (exactly reduced) system has a *regular* real
  solution, proved by the interval Krawczyk test on a square system (all
  equations when there are as many as unknowns; with fewer equations the
  surplus unknowns are fixed at the candidate's values, which keeps a
  solution a solution). A regular zero of a square system persists under
  small changes of its coefficients (implicit function theorem), so a
  neighbourhood of the draw matches: MP > 0.
- **No witness**: a draw whose equations (degree <= 2) have a
  positive-definite combination on the solution set of the linear ones,
  checked exactly over Q (:func:`.quadratic.prove_no_real_solution`), with
  a strict margin and the conditions under which it persists
  (:func:`.quadratic.combination_margin`: linear equations of full row
  rank, no direction dropped, ``M(lam) - eps I`` positive definite). A
  neighbourhood of the draw has no real solution: MP < 1.

Both draws are trials of the run with the classification's seed
(:func:`~symmp.numeric.sampling.draw_trial`), so anyone can redraw them and
re-check the box and the combination.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> found = find_witnesses(Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2), seed=0)
>>> found.yes is not None, found.no is not None
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import qr

from ...allocation import Allocation
from ..sampling import Trial, draw_trial, trial_rng
from .krawczyk import krawczyk
from .quadratic import combination_margin, prove_no_real_solution
from .system import TrialSystem, to_ball, working_precision

__all__ = ["Witnesses", "find_witnesses", "MAX_WITNESS_UNKNOWNS", "WITNESS_DRAWS"]

#: largest number of unknowns searched for witnesses
MAX_WITNESS_UNKNOWNS = 8
#: draws tried before giving up
WITNESS_DRAWS = 40
_STARTS = 6
_TOL = 1e-11


@dataclass(frozen=True)
class Witnesses:
    """The witnesses found (None when not found) and how many draws were tried."""

    yes: dict | None
    no: dict | None
    tried: int
    seed: int

    @property
    def proved(self) -> bool:
        """Both witnesses found: 0 < MP < 1."""
        return self.yes is not None and self.no is not None


def _outputs(system: TrialSystem, theta: np.ndarray) -> np.ndarray:
    weights = {name: np.asarray(m, dtype=float).copy() for name, m in system.trial.student.items()}
    for value, (name, i, j) in zip(theta, system.entries):
        weights[name][i, j] = value
    return system.model.forward(weights, system.inputs).reshape(-1)


def _newton_candidates(system: TrialSystem, trial: Trial, seed: int) -> list[np.ndarray]:
    """Real points with a tiny relative residual, from damped Gauss-Newton starts."""
    target = system.model.forward(trial.teacher, system.inputs).reshape(-1)
    scale = float(np.linalg.norm(target)) or 1.0
    rng = trial_rng(seed, trial.index, 9)
    initial = np.array([trial.student[name][i, j] for name, i, j in system.entries], dtype=float)
    found = []
    for start in range(_STARTS):
        theta = initial if start == 0 else initial + rng.standard_normal(system.r) * (2.0**start / 4)
        for _ in range(80):
            residual = _outputs(system, theta) - target
            if not np.all(np.isfinite(residual)):
                break
            if np.linalg.norm(residual) <= _TOL * scale:
                found.append(theta)
                break
            jac = system.float_jacobian(theta)
            step = np.linalg.lstsq(jac, -residual, rcond=None)[0]
            theta = theta + step
    return found


def _prove_yes(system: TrialSystem, theta: np.ndarray) -> dict | None:
    E, r = system.n_equations, system.r
    if E > r:
        return None
    free = list(range(r))
    if E < r:
        _, _, pivots = qr(system.float_jacobian(theta), mode="economic", pivoting=True)
        free = sorted(int(p) for p in pivots[:E])
    fixed = [to_ball(v) for v in theta]

    def full(values):
        point = list(fixed)
        for position, value in zip(free, values):
            point[position] = value
        return point

    result = krawczyk(
        lambda values: system.ball_residual(full(values)),
        lambda values: system.ball_jacobian(full(values))[:, free],
        theta[free],
    )
    if not result.proved:
        return None
    return {
        "center": [float(v) for v in theta],
        "free_unknowns": [list(system.entries[k]) for k in free],
        "radius": float(result.radius),
        "equations": E,
    }


def _prove_no(system: TrialSystem) -> dict | None:
    degrees = system.degrees()
    if max(degrees) > 2:
        return None
    _, polys = system.polynomials()
    proof = prove_no_real_solution(polys, system.r)
    if not proof.proved or proof.how != "combination":
        return None
    # an equation linear at this draw must be linear for every draw (structurally)
    for poly, degree in zip(polys, degrees):
        if poly.total_degree() <= 1 and degree > 1:
            return None
    margin = combination_margin(polys, system.r, proof.lam)
    if not margin.persistent:
        return None
    return {
        "lam": [str(v) for v in proof.lam],
        "lam_float": [float(v) for v in proof.lam],
        "margin": str(margin.margin),
        "margin_float": float(margin.margin),
        "free": proof.free,
    }


def find_witnesses(
    allocation: Allocation, *, seed: int = 0, draws: int = WITNESS_DRAWS
) -> Witnesses | None:
    """Search draws ``0 .. draws-1`` of ``seed`` for a yes and a no witness.

    Returns None when the search does not apply (a model that is not
    polynomial or more than :data:`MAX_WITNESS_UNKNOWNS` unknowns).
    """
    if not allocation.model.polynomial or allocation.r > MAX_WITNESS_UNKNOWNS:
        return None
    yes = no = None
    tried = 0
    with working_precision(128):
        for index in range(draws):
            tried += 1
            trial = draw_trial(allocation, seed, index)
            system = TrialSystem(allocation, trial)
            candidates = _newton_candidates(system, trial, seed) if yes is None or no is None else []
            if yes is None:
                for theta in candidates[:2]:
                    proof = _prove_yes(system, theta)
                    if proof is not None:
                        yes = {"seed": seed, "trial": index, "reduced": system.reduced, **proof}
                        break
            if no is None and not candidates:
                proof = _prove_no(system)
                if proof is not None:
                    no = {"seed": seed, "trial": index, "reduced": system.reduced, **proof}
            if yes is not None and no is not None:
                break
    return Witnesses(yes, no, tried, seed)
