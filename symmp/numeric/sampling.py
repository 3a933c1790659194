"""Compatibility: the one sampler lives in :mod:`symmp.sampling`."""

from __future__ import annotations

from ..sampling import (
    DISTRIBUTIONS,
    SIGMA_RANGE,
    Trial,
    check_sampling,
    draw_matrix,
    draw_trial,
    draw_trials,
    trial_rng,
)

__all__ = [
    "Trial",
    "draw_trial",
    "draw_trials",
    "trial_rng",
    "draw_matrix",
    "check_sampling",
    "DISTRIBUTIONS",
    "SIGMA_RANGE",
]
