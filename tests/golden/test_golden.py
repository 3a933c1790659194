"""Behaviour frozen: every example spec's CLI outputs and ledger keys equal the recorded ones."""

from __future__ import annotations

import json

import pytest

from .record import golden, path_of, specs


@pytest.mark.parametrize("spec", specs(), ids=lambda p: p.stem)
def test_outputs_equal_the_recorded_ones(spec):
    recorded = json.loads(path_of(spec).read_text())
    assert golden(spec) == recorded
