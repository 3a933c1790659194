"""latex --values S shows the numbers of mp --seed S trial 0 (one sampler)."""

from __future__ import annotations

import numpy as np

from symmp import LRNN, Allocation
from symmp.sampling import draw_trial
from symmp.systems import build_system


def test_listing_values_are_trial_zero_of_the_run():
    allocation = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2, convention="standard"), "W", [0], k=2, m=1)  # m < T*b: the outputs form
    system = build_system(allocation, lifted=False, values=5)
    trial = draw_trial(allocation, 5, 0)
    for name in allocation.model.matrix_shapes:
        assert np.array_equal(system.instance.teacher[name], trial.teacher[name])
        assert np.array_equal(system.instance.fixed[name], trial.student[name])
    assert np.array_equal(system.instance.inputs, trial.inputs)
    # the printed targets are the teacher's outputs on those inputs
    y = [eq.rhs for eq in system.equations]
    assert np.allclose(np.array(y, dtype=float), trial.targets.ravel())
