"""Random starting points shared by the local solvers (``newton``, ``fsolve``, ``certified``).

Start 0 of a trial is the student's own draw of its learnable entries (the
trial's ``student`` matrices). Start ``k >= 1`` is a fresh Gaussian draw from
``trial_rng(options.seed, trial.index, 1)`` scaled, entry by entry, by the
root-mean-square of that matrix in the student, times ``SCALE_SPREAD[k - 1]``
(cycled): a spread of scales, because a solution far from the origin is only
reachable from a start of its size. :func:`trial_starts` gives one trial's
starts, :func:`batch_starts` the same values for a whole batch at once.
"""

from __future__ import annotations

import numpy as np

from ..problems.match import MatchProblem
from ..sampling import trial_rng

__all__ = ["SCALE_SPREAD", "trial_starts", "batch_starts", "start_scale"]

#: multipliers of the natural weight scale for starts 1, 2, ... (cycled)
SCALE_SPREAD = (1.0, 0.5, 2.0, 1.0, 4.0, 0.25, 1.0, 8.0)


def start_scale(k: int) -> float:
    """Scale multiplier of start ``k`` (start 0 is the student's draw: 1)."""
    return 1.0 if k == 0 else SCALE_SPREAD[(k - 1) % len(SCALE_SPREAD)]


def trial_starts(problem: MatchProblem, position: int, starts: int, seed: int) -> np.ndarray:
    """All ``starts`` starting points of batch member ``position``, shape ``(starts, r)``.

    Depends only on the trial (its index and draws) and ``seed``, never on
    the rest of the batch.
    """
    trial = problem.trials[position]
    theta = np.empty((starts, problem.r))
    theta[0] = [trial.student[name][i, j] for name, i, j in problem.entries]
    if starts > 1:
        rms_of = {name: np.sqrt(np.mean(trial.student[name] ** 2)) for name in trial.student}
        rms = np.array([rms_of[name] for name, _, _ in problem.entries])
        rng = trial_rng(seed, trial.index, 1)
        noise = rng.standard_normal((starts - 1, problem.r))
        multipliers = np.array([start_scale(k) for k in range(1, starts)])
        theta[1:] = noise * rms[None, :] * multipliers[:, None]
    return theta


def batch_starts(problem: MatchProblem, starts: int, seed: int, positions=None) -> np.ndarray:
    """:func:`trial_starts` of the batch members ``positions`` (default all), shape
    ``(len(positions), starts, r)``: the same values, vectorised except for the
    per-trial generator."""
    positions = np.arange(problem.size) if positions is None else np.asarray(positions, dtype=np.intp)
    theta = np.empty((positions.size, starts, problem.r))
    if positions.size == 0:
        return theta
    theta[:, 0] = problem.start_points()[positions]
    if starts > 1:
        names = [name for name, _, _ in problem.entries]
        rms = np.empty((positions.size, problem.r))
        for name in set(names):
            value = np.sqrt(np.mean(problem.fixed[name][positions] ** 2, axis=(1, 2)))
            rms[:, [k for k, other in enumerate(names) if other == name]] = value[:, None]
        noise = np.stack([
            trial_rng(seed, problem.trials[t].index, 1).standard_normal((starts - 1, problem.r)) for t in positions
        ])
        multipliers = np.array([start_scale(k) for k in range(1, starts)])
        theta[:, 1:] = noise * rms[:, None, :] * multipliers[None, :, None]
    return theta
