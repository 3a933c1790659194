"""Behaviour frozen: every example spec's CLI outputs and ledger keys equal the recorded ones."""

from __future__ import annotations

import json
import re

import pytest

from .record import golden, path_of, specs


@pytest.mark.parametrize("spec", specs(), ids=lambda p: p.stem)
def test_outputs_equal_the_recorded_ones(spec):
    recorded = json.loads(path_of(spec).read_text())
    assert _checkout_free(golden(spec)) == _checkout_free(recorded)


def _checkout_free(value):
    """The outputs with the checkout's directory removed from paths in error messages
    (recorded in one checkout, checked in another worktree)."""
    return json.loads(re.sub(r'/[^" ]*/(examples/specs/)', r"\1", json.dumps(value)))
