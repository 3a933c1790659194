"""The JSON spec: the contract between the CLI, the tests and the Python API.

::

    {"model": "lrnn", "dims": {"n": 2, "b": 1, "d": 1, "T": 2}, "m": 2,
     "convention": "paper", "learnable": {"W": [[0, 0], [1, 1]]}}

- ``model``: ``linear`` (dims ``n``, ``d``), ``lrnn`` (dims ``n``, ``b``,
  ``d``, ``T``; optional ``convention``: ``paper`` (default) or
  ``standard``), ``lffn`` (dims ``widths``: [n0, ..., nL]), ``relu`` (dims
  ``n0``, ``h``, ``d``; optional ``activation``).
- ``m``: number of input samples (>= 1).
- ``learnable``: matrix name to a list of [row, col], 0-based; or instead
  ``mask``: matrix name to a 0/1 nested list of that matrix's shape.
- optional ``seed``: non-negative integer for the random evaluation points.

Every check lives here, at the boundary, and raises :class:`SpecError`
with a one-line message naming the field, what was received and what is
allowed.

Examples
--------
>>> spec = {"model": "linear", "dims": {"n": 2, "d": 2}, "m": 2,
...         "learnable": {"W": [[0, 0], [0, 1], [1, 0], [1, 1]]}}
>>> allocation = allocation_from_spec(spec)
>>> allocation.r
4
>>> allocation_from_spec(allocation_to_spec(allocation)) == allocation
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .allocation import Allocation, check_matrix_name
from .errors import SpecError, shorten
from .models import MODEL_REGISTRY, Model, check_positive_int, make_model, model_options

__all__ = [
    "load_spec",
    "parse_json",
    "MAX_SPEC_BYTES",
    "allocation_from_spec",
    "allocation_to_spec",
    "dump_spec",
    "check_memory",
    "MEMORY_LIMIT_BYTES",
]

#: keys of every spec; each model's own options (``convention``, ``activation``, ...) come from
#: the model registry
_BASE_KEYS = {"model", "dims", "m", "learnable", "mask", "seed"}

#: Largest working memory the analyzer may plan for (``SYMMP_MEMORY_LIMIT_GB``
#: overrides; default 8 GiB, a third of a 24 GiB machine).
MEMORY_LIMIT_BYTES = 8 * 2**30


def _readable_bytes(count: float) -> str:
    """'17.9 GiB', '3.2 MiB', '512 B'."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"


def memory_limit_bytes() -> int:
    """The limit in force: ``SYMMP_MEMORY_LIMIT_GB`` (a positive number) or 8 GiB."""
    text = os.environ.get("SYMMP_MEMORY_LIMIT_GB")
    if text is None:
        return MEMORY_LIMIT_BYTES
    try:
        gib = float(text)
    except ValueError:
        gib = float("nan")
    if not gib > 0 or gib == float("inf"):
        raise SpecError(f"SYMMP_MEMORY_LIMIT_GB must be a positive number of GiB, got {text!r}")
    return int(gib * 2**30)
_BYTES_PER_JACOBIAN_ENTRY = 24  # int64 Jacobian + float64 work copy + slack


def check_memory(model: Model, m: int, limit: int | None = None) -> None:
    """Refuse sizes whose working arrays would not fit in memory, before allocating.

    Counts the full Jacobian, the inputs and the model's intermediates
    (:meth:`~symmp.models.Model.working_entries`), so a huge ``T`` is refused
    as well as huge widths.

    Examples
    --------
    >>> from symmp.models import LinearEstimator
    >>> check_memory(LinearEstimator(n=3, d=2), m=4)
    """
    limit = memory_limit_bytes() if limit is None else limit
    entries = model.working_entries(m)
    needed = entries * _BYTES_PER_JACOBIAN_ENTRY
    if needed > limit:
        raise SpecError(
            f"these sizes are too large: the full Jacobian ({model.output_dim * m:,} x "
            f"{model.n_weights:,}), the inputs and the intermediates hold {entries:,} numbers "
            f"and would need about {_readable_bytes(needed)} "
            f"(limit {_readable_bytes(limit)}, set SYMMP_MEMORY_LIMIT_GB to change it); "
            "reduce the dims or m"
        )


#: the largest spec file read (a spec is a small JSON object; a mask of a
#: 784-256-10 network written as 0/1 lists is about 2 MB)
MAX_SPEC_BYTES = 64 * 2**20


def parse_json(text: str, what: str) -> object:
    """Parse JSON given by a user, with one-line errors for every way it can be bad.

    Rejects an object holding the same key twice (the last one would win
    silently), nesting too deep for the parser and numbers too long to
    convert, besides malformed JSON.

    Parameters
    ----------
    text : str
    what : str
        What the text is, for messages (``"spec file 'a.json'"``, ``"--dims"``).

    Raises
    ------
    SpecError

    Examples
    --------
    >>> parse_json('{"n": 2}', "--dims")
    {'n': 2}
    >>> parse_json('{"m": 2, "m": 3}', "--dims")
    Traceback (most recent call last):
    ...
    symmp.errors.SpecError: --dims gives the key 'm' twice; give each key once
    """

    def unique_keys(pairs: list[tuple[str, object]]) -> dict:
        out: dict = {}
        for key, value in pairs:
            if key in out:
                raise SpecError(f"{what} gives the key {shorten(key)} twice; give each key once")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except SpecError:
        raise
    except json.JSONDecodeError as err:
        raise SpecError(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise SpecError(f"{what} is nested too deeply to be a spec; a spec nests at most a few levels") from None
    except ValueError as err:  # e.g. an integer beyond the interpreter's digit limit
        raise SpecError(f"{what} holds a number that cannot be read: {str(err).split(';')[0]}") from None


def load_spec(path: str | os.PathLike) -> Allocation:
    """Read a spec file and return its :class:`Allocation`.

    Raises
    ------
    SpecError
        Missing, unreadable or oversized file (over :data:`MAX_SPEC_BYTES`),
        invalid JSON (duplicate keys included), or any malformed field.
    """
    path = Path(path)
    name = shorten(str(path), 200)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(f"spec file {name} does not exist") from None
    except IsADirectoryError:
        raise SpecError(f"spec path {name} is a directory, not a JSON file") from None
    except OSError as err:
        raise SpecError(f"cannot read spec file {name}: {err.strerror or err}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(
            f"spec file {name} is larger than {_readable_bytes(MAX_SPEC_BYTES)}; "
            "a spec is a small JSON object (see the README's spec format)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(f"cannot read spec file {name}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    return allocation_from_spec(parse_json(text, f"spec file {name}"))


def allocation_from_spec(data: object) -> Allocation:
    """Validate a spec object (parsed JSON) and build its :class:`Allocation`."""
    if not isinstance(data, dict):
        raise SpecError(f"the spec must be a JSON object, got {type(data).__name__}")
    allowed = _BASE_KEYS | model_options()
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SpecError(
            f"unknown spec key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}"
        )
    if "model" not in data:
        raise SpecError(f"spec is missing 'model'; allowed: {', '.join(map(repr, MODEL_REGISTRY))}")
    kind = data["model"]
    if not isinstance(kind, str) or kind not in MODEL_REGISTRY:
        raise SpecError(f"unknown model {shorten(kind)}; allowed: {', '.join(map(repr, MODEL_REGISTRY))}")
    dims = data.get("dims")
    if not isinstance(dims, dict):
        raise SpecError(
            f"spec field 'dims' must be an object such as "
            f"{{{', '.join(repr(k) + ': ...' for k in MODEL_REGISTRY[kind][1])}}}, got {dims!r}"
        )
    options = {key: data[key] for key in sorted(model_options()) if key in data}
    model = make_model(kind, dims, **options)
    if "m" not in data:
        raise SpecError("spec is missing 'm' (the number of input samples, an integer >= 1)")
    m = check_positive_int(data["m"], "m")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise SpecError(f"seed must be a non-negative integer, got {seed!r}")
    check_memory(model, m)
    if "learnable" in data and "mask" in data:
        raise SpecError("give either 'learnable' (entry lists) or 'mask' (0/1 matrices), not both")
    if "mask" in data:
        masks = data["mask"]
        if not isinstance(masks, dict) or not masks:
            raise SpecError("spec field 'mask' must map matrix names to 0/1 nested lists")
        return Allocation.from_masks(model, masks, m, seed)
    if "learnable" not in data:
        raise SpecError(
            "spec has no learnable weights: add 'learnable' (matrix -> [[row, col], ...]) or 'mask'"
        )
    learnable = data["learnable"]
    if not isinstance(learnable, dict):
        raise SpecError("spec field 'learnable' must map matrix names to lists of [row, col]")
    entries = []
    for name, pairs in learnable.items():
        check_matrix_name(model, name, "in 'learnable' ")
        if not isinstance(pairs, list):
            raise SpecError(f"learnable.{name} must be a list of [row, col] pairs, got {pairs!r}")
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise SpecError(f"learnable.{name} entries must be [row, col] pairs, got {pair!r}")
            entries.append((name, *pair))
    return Allocation.from_entries(model, entries, m, seed)


def allocation_to_spec(allocation: Allocation, *, as_mask: bool = False) -> dict:
    """The spec object of an allocation (entry lists, or masks with ``as_mask``);
    the same as :meth:`Allocation.to_spec <symmp.allocation.Allocation.to_spec>`."""
    return allocation.to_spec(as_mask=as_mask)


def dump_spec(allocation: Allocation, path: str | os.PathLike, *, as_mask: bool = False) -> None:
    """Write an allocation's spec as JSON."""
    Path(path).write_text(json.dumps(allocation_to_spec(allocation, as_mask=as_mask), indent=1) + "\n")
