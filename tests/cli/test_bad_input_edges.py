"""Bad input at the edges (issue 17): one ``error:`` line, exit 2, no traceback, within seconds."""

from __future__ import annotations

import json
import os
import time

import pytest

from symmp.cli import MAX_ERROR_CHARS, main

SPECS = "examples/specs"
LRNN = {"model": "lrnn", "dims": {"n": 2, "b": 1, "d": 1, "T": 2}, "m": 2, "learnable": {"W": [[0, 0]]}}


def _run(capsys, *argv):
    started = time.perf_counter()
    status = main(list(argv))
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    return status, out, err, seconds


def _assert_one_line_error(status, err, seconds, *fragments):
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err[:500]
    assert len(lines[0]) <= MAX_ERROR_CHARS + len("error: ")
    assert "Traceback" not in err
    assert seconds < 10
    for fragment in fragments:
        assert fragment in lines[0]


def _spec_file(tmp_path, text: str) -> str:
    path = tmp_path / "spec.json"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[" * 100_000, "nested too deeply"),
        (json.dumps(LRNN).replace('"n": 2', '"n": ' + "9" * 5000), "cannot be read"),
        (json.dumps(LRNN).replace('"n": 2', '"n": ' + "9" * 4000), "beyond any size"),
        (json.dumps(LRNN).replace('"m": 2', '"m": 2, "m": 3'), "the key 'm' twice"),
        (json.dumps(LRNN).replace('"W": [[0, 0]]', '"W": [[0, 0]], "W": [[1, 1]]'), "the key 'W' twice"),
        (json.dumps({**LRNN, "model": "x" * 1_000_000}), "1000000 characters"),
        (json.dumps({**LRNN, "learnable": {"Q" * 1_000_000: [[0, 0]]}}), "characters"),
    ],
    ids=["deep", "5000-digit", "4000-digit", "duplicate-m", "duplicate-W", "long-model", "long-matrix"],
)
def test_malformed_specs_give_one_short_line(capsys, tmp_path, text, fragment):
    status, _, err, seconds = _run(capsys, "classify", _spec_file(tmp_path, text))
    _assert_one_line_error(status, err, seconds, fragment)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_file_is_refused_at_once(capsys):
    status, _, err, seconds = _run(capsys, "classify", "/dev/zero")
    _assert_one_line_error(status, err, seconds, "larger than")


@pytest.mark.parametrize(
    "dims, fragment",
    [("{\"n\": " + "9" * 5000 + "}", "cannot be read"), ("[" * 100_000, "nested too deeply"),
     ('{"n": 8, "n": 9}', "the key 'n' twice")],
    ids=["5000-digit", "deep", "duplicate"],
)
def test_malformed_dims_give_one_short_line(capsys, dims, fragment):
    status, _, err, seconds = _run(capsys, "sweep", "--dims", dims)
    _assert_one_line_error(status, err, seconds, fragment)


def test_a_huge_count_is_echoed_short(capsys):
    status, _, err, seconds = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--trials", "9" * 5000)
    _assert_one_line_error(status, err, seconds, "5000 characters")


def test_sigma_whose_square_overflows_is_refused(capsys):
    status, _, err, seconds = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--sigma", "1e308",
                                   "--no-store")
    _assert_one_line_error(status, err, seconds, "sigma")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_writing_to_a_full_disk_is_one_line(capsys):
    status, _, err, seconds = _run(capsys, "latex", f"{SPECS}/lrnn_diagonal.json", "-o", "/dev/full")
    _assert_one_line_error(status, err, seconds, "No space left")
