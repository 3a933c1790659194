"""The JSON spec: every malformed case gets one line naming the field; round trips are lossless."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symmp import Allocation, SpecError
from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU
from symmp.spec import allocation_from_spec, allocation_to_spec, check_memory, dump_spec, load_spec

GOOD = {
    "model": "lrnn",
    "dims": {"n": 2, "b": 1, "d": 1, "T": 2},
    "m": 2,
    "convention": "paper",
    "learnable": {"W": [[0, 0], [1, 1]]},
}


def spec(**changes):
    out = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def test_good_spec():
    allocation = allocation_from_spec(GOOD)
    assert allocation.model == LRNN(2, 1, 1, 2)
    assert allocation.entries == {("W", 0, 0), ("W", 1, 1)}
    assert allocation.m == 2 and allocation.seed is None


MALFORMED = [
    ("not an object", [1, 2], "JSON object"),
    ("unknown model", spec(model="transformer"), "unknown model 'transformer'"),
    ("missing model", spec(model=None), "missing 'model'"),
    ("unknown convention", spec(convention="textbook"), "convention"),
    ("convention on linear", {"model": "linear", "dims": {"n": 1, "d": 1}, "m": 1,
                              "convention": "paper", "learnable": {"W": [[0, 0]]}}, "convention"),
    ("missing dims", spec(dims=None), "'dims'"),
    ("dims not an object", spec(dims=[2, 1, 1, 2]), "'dims'"),
    ("missing dim", spec(dims={"n": 2, "b": 1, "d": 1}), "'T'"),
    ("unknown dim", spec(dims={"n": 2, "b": 1, "d": 1, "T": 2, "h": 3}), "'h'"),
    ("zero dim", spec(dims={"n": 0, "b": 1, "d": 1, "T": 2}), "dims.n"),
    ("negative dim", spec(dims={"n": 2, "b": -1, "d": 1, "T": 2}), "dims.b"),
    ("T < 1", spec(dims={"n": 2, "b": 1, "d": 1, "T": 0}), "dims.T"),
    ("float dim", spec(dims={"n": 2.5, "b": 1, "d": 1, "T": 2}), "dims.n"),
    ("bool dim", spec(dims={"n": True, "b": 1, "d": 1, "T": 2}), "dims.n"),
    ("string dim", spec(dims={"n": "2", "b": 1, "d": 1, "T": 2}), "dims.n"),
    ("bad widths", {"model": "lffn", "dims": {"widths": [3]}, "m": 1, "learnable": {"W1": [[0, 0]]}},
     "dims.widths"),
    ("zero width", {"model": "lffn", "dims": {"widths": [3, 0]}, "m": 1, "learnable": {"W1": [[0, 0]]}},
     "dims.widths[1]"),
    ("missing m", spec(m=None), "'m'"),
    ("m < 1", spec(m=0), "m must be a positive integer"),
    ("m not an integer", spec(m="2"), "m must be a positive integer"),
    ("bad seed", spec(seed=-3), "seed"),
    ("bool seed", spec(seed=True), "seed"),
    ("unknown top-level key", spec(learnables={"W": [[0, 0]]}), "'learnables'"),
    ("unknown matrix", spec(learnable={"V": [[0, 0]]}), "unknown matrix 'V'"),
    ("row out of range", spec(learnable={"W": [[2, 0]]}), "row index 2"),
    ("column out of range", spec(learnable={"B": [[0, 1]]}), "column index 1"),
    ("negative index", spec(learnable={"W": [[-1, 0]]}), "out of range"),
    ("non-integer index", spec(learnable={"W": [[0, "1"]]}), "must be an integer"),
    ("duplicate entry", spec(learnable={"W": [[0, 1], [0, 1]]}), "duplicate learnable entry W[0, 1]"),
    ("entry not a pair", spec(learnable={"W": [[0, 1, 2]]}), "[row, col] pairs"),
    ("entries not a list", spec(learnable={"W": "all"}), "learnable.W"),
    ("learnable not an object", spec(learnable=[["W", 0, 0]]), "'learnable'"),
    ("no learnable entry", spec(learnable={"W": []}), "no learnable entry"),
    ("no learnable key", spec(learnable=None), "no learnable weights"),
    ("both learnable and mask", spec(mask={"W": [[1, 0], [0, 0]]}), "not both"),
    ("mask wrong shape", spec(learnable=None, mask={"W": [[1, 0, 0]]}), "mask for W must be a 2 x 2"),
    ("mask ragged", spec(learnable=None, mask={"W": [[1, 0], [1]]}), "mask for W"),
    ("mask values", spec(learnable=None, mask={"W": [[1, 2], [0, 0]]}), "only 0 and 1"),
    ("mask unknown matrix", spec(learnable=None, mask={"Z": [[1]]}), "unknown matrix 'Z'"),
    ("mask empty", spec(learnable=None, mask={}), "'mask'"),
    ("mask all zero", spec(learnable=None, mask={"W": [[0, 0], [0, 0]]}), "no learnable entry"),
    ("too large", spec(dims={"n": 100_000, "b": 1, "d": 1, "T": 2}), "GiB"),
    ("too many time steps", spec(dims={"n": 2, "b": 1, "d": 1, "T": 10**9}), "GiB"),
    ("float index", spec(learnable={"W": [[0.0, 1]]}), "got 0.0 (float)"),
    ("activation not a string", {"model": "relu", "dims": {"n0": 1, "h": 1, "d": 1}, "m": 1,
                                 "activation": {"name": "tanh"}, "learnable": {"D": [[0, 0]]}}, "activation"),
    ("convention not a string", spec(convention={"name": "paper"}), "convention"),
]


@pytest.mark.parametrize(("case", "data", "needle"), MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_spec_gives_one_line_naming_the_field(case, data, needle):
    with pytest.raises(SpecError) as info:
        allocation_from_spec(data)
    message = str(info.value)
    assert needle in message, message
    assert "\n" not in message


def test_memory_refusal_says_how_much():
    with pytest.raises(SpecError, match=r"would need about [0-9.]+ GiB"):
        check_memory(LRNN(1000, 10, 10, 2), m=1000, limit=2**30)
    check_memory(LRNN(10, 1, 1, 2), m=10, limit=2**30)


def test_load_spec_file_errors(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "missing.json")
    with pytest.raises(SpecError, match="is a directory"):
        load_spec(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": "linear",, }')
    with pytest.raises(SpecError, match="not valid JSON: .* line 1 column"):
        load_spec(bad)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SpecError, match="cannot read spec file"):
        load_spec(binary)


@st.composite
def allocations(draw):
    kind = draw(st.sampled_from(["linear", "lrnn", "lffn", "relu"]))
    size = st.integers(1, 4)
    if kind == "linear":
        model = LinearEstimator(draw(size), draw(size))
    elif kind == "lrnn":
        model = LRNN(draw(size), draw(size), draw(size), draw(size), draw(st.sampled_from(["paper", "standard"])))
    elif kind == "lffn":
        model = LFFN(draw(st.lists(size, min_size=2, max_size=4)))
    else:
        model = ShallowReLU(draw(size), draw(size), draw(size), draw(st.sampled_from(["relu", "tanh"])))
    pool = model.all_entries()
    entries = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    seed = draw(st.none() | st.integers(0, 2**31))
    return Allocation.from_entries(model, entries, draw(st.integers(1, 6)), seed)


@given(allocation=allocations(), as_mask=st.booleans())
def test_spec_round_trip_is_lossless(allocation, as_mask):
    data = allocation_to_spec(allocation, as_mask=as_mask)
    assert ("mask" in data) == as_mask and ("learnable" in data) != as_mask
    again = allocation_from_spec(json.loads(json.dumps(data)))
    assert again == allocation
    assert again.seed == allocation.seed
    assert again.model.spec_extra() == allocation.model.spec_extra()
    assert allocation_to_spec(again, as_mask=as_mask) == data


def test_dump_and_load(tmp_path):
    allocation = Allocation.in_rows(LRNN(5, 2, 2, 2), "W", [0, 1], k=4, m=4, seed=9)
    for as_mask in (False, True):
        path = tmp_path / f"spec_{as_mask}.json"
        dump_spec(allocation, path, as_mask=as_mask)
        assert load_spec(path) == allocation


def test_example_specs_load():
    from pathlib import Path

    specs = sorted((Path(__file__).parent.parent / "examples" / "specs").glob("*.json"))
    assert specs
    for path in specs:
        assert load_spec(path).r >= 1


def test_memory_limit_from_environment_is_validated(monkeypatch):
    from symmp.models import LinearEstimator
    from symmp.spec import check_memory

    monkeypatch.setenv("SYMMP_MEMORY_LIMIT_GB", "abc")
    with pytest.raises(SpecError, match="SYMMP_MEMORY_LIMIT_GB must be a positive number"):
        check_memory(LinearEstimator(n=2, d=2), m=2)
    monkeypatch.setenv("SYMMP_MEMORY_LIMIT_GB", "1e-9")
    with pytest.raises(SpecError, match="too large"):
        check_memory(LinearEstimator(n=200, d=200), m=200)
