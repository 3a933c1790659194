"""Allocations: which weights of a model the student may learn.

An :class:`Allocation` is immutable: a model, a set of learnable
``(matrix, row, column)`` entries, the number of samples ``m`` and an optional
seed for random evaluation points. Build one from entry lists
(:meth:`Allocation.from_entries`), from 0/1 masks
(:meth:`Allocation.from_masks`), or with a strategy:

- :meth:`Allocation.in_rows` / :meth:`Allocation.in_columns`: k entries in
  each of chosen rows (columns);
- :meth:`Allocation.spread`: r entries as evenly as possible over K rows or
  columns;
- :meth:`Allocation.diagonal`, :meth:`Allocation.random`;
- ``a | b`` (:meth:`Allocation.union`) combines allocations of different
  matrices of the same model.

Examples
--------
>>> from symmp.models import LinearEstimator
>>> a = Allocation.spread(LinearEstimator(n=4, d=2), "W", r=4, K=2, m=2)
>>> a.per_row("W")
[2, 2]
>>> a.r
4
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import SpecError, shorten
from .models import Entry, Model, check_positive_int

__all__ = ["Allocation", "check_matrix_name"]

#: entries shown by ``repr`` before it says how many more there are
REPR_ENTRIES = 24
#: matrices with more cells than this are summarised per row in ``str`` and HTML
MASK_CELLS = 1600


def check_matrix_name(model: Model, name: object, where: str = "") -> str:
    """Return ``name`` if it names a matrix of ``model``, else raise :class:`SpecError`.

    Examples
    --------
    >>> from symmp.models import LRNN
    >>> check_matrix_name(LRNN(2, 1, 1, 2), "B")
    'B'
    """
    if name not in model.matrix_shapes:
        raise SpecError(
            f"unknown matrix {shorten(name)} {where}for model {model.kind!r}; "
            f"allowed: {', '.join(map(repr, model.matrix_shapes))}"
        )
    return str(name)


def _check_entry(model: Model, entry) -> Entry:
    try:
        name, row, col = entry
    except (TypeError, ValueError):
        raise SpecError(f"an entry must be (matrix, row, col), got {entry!r}") from None
    check_matrix_name(model, name)
    rows, cols = model.matrix_shapes[name]
    for value, size, what in ((row, rows, "row"), (col, cols, "column")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise SpecError(
                f"{what} index of {name} entry [{row!r}, {col!r}] must be an integer, got "
                f"{value!r} ({type(value).__name__}); {name} is {rows} x {cols}, so use "
                f"0-based integers below {size}"
            )
        if not 0 <= value < size:
            raise SpecError(
                f"{what} index {value} of {name} entry [{row}, {col}] is out of range: "
                f"{name} is {rows} x {cols}, so indices are 0-based and below {size}"
            )
    return (str(name), int(row), int(col))


@dataclass(frozen=True)
class Allocation:
    """A model with a set of learnable entries, m samples and an optional seed.

    Parameters
    ----------
    model : Model
    entries : frozenset of (matrix, row, col)
        The learnable weights (0-based).
    m : int
        Number of input samples.
    seed : int or None
        Seed for random evaluation points (analysis) and draws.
    """

    model: Model
    entries: frozenset[Entry]
    m: int
    seed: int | None = None
    _order: tuple[Entry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_positive_int(self.m, "m")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0
        ):
            raise SpecError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not self.entries:
            raise SpecError("the allocation has no learnable entry; give at least one")
        checked = frozenset(_check_entry(self.model, e) for e in self.entries)
        object.__setattr__(self, "entries", checked)
        names = list(self.model.matrix_shapes)
        order = tuple(sorted(checked, key=lambda e: (names.index(e[0]), e[1], e[2])))
        object.__setattr__(self, "_order", order)

    # ----------------------------------------------------------- constructors
    @classmethod
    def from_entries(
        cls, model: Model, entries: Iterable, m: int, seed: int | None = None
    ) -> Allocation:
        """From an iterable of ``(matrix, row, col)``; duplicates are an error."""
        listed = [_check_entry(model, e) for e in entries]
        seen: set[Entry] = set()
        for entry in listed:
            if entry in seen:
                raise SpecError(
                    f"duplicate learnable entry {entry[0]}[{entry[1]}, {entry[2]}]; list each entry once"
                )
            seen.add(entry)
        return cls(model, frozenset(listed), m, seed)

    @classmethod
    def from_masks(
        cls, model: Model, masks: Mapping[str, object], m: int, seed: int | None = None
    ) -> Allocation:
        """From 0/1 masks, one per matrix (matrices left out are fully fixed)."""
        entries = []
        for name, mask in masks.items():
            check_matrix_name(model, name, "in 'mask' ")
            shape = model.matrix_shapes[name]
            try:
                array = np.asarray(mask)
            except ValueError:
                array = None
            if array is None or array.dtype == object or array.shape != shape:
                got = "a ragged list" if array is None or array.dtype == object else f"shape {array.shape}"
                raise SpecError(
                    f"mask for {name} must be a {shape[0]} x {shape[1]} nested list of 0/1, got {got}"
                )
            if array.dtype == bool:
                array = array.astype(int)
            if not np.issubdtype(array.dtype, np.number) or not np.isin(array, (0, 1)).all():
                raise SpecError(f"mask for {name} may hold only 0 and 1 (1 = learnable)")
            entries += [(name, int(i), int(j)) for i, j in zip(*np.nonzero(array))]
        return cls.from_entries(model, entries, m, seed)

    @classmethod
    def in_rows(
        cls,
        model: Model,
        matrix: str,
        rows: Sequence[int],
        k: int,
        m: int,
        *,
        columns: Sequence[Sequence[int]] | None = None,
        seed: int | None = None,
    ) -> Allocation:
        """k learnable entries in each of ``rows`` of ``matrix``.

        Columns are ``columns[q]`` for the q-th row when given; otherwise the
        q-th row takes k consecutive columns starting at ``q * k`` (cyclically),
        which spreads the entries over the columns as evenly as possible.
        """
        return cls._along(model, matrix, rows, [k] * len(rows), m, "row", columns, seed)

    @classmethod
    def in_columns(
        cls,
        model: Model,
        matrix: str,
        columns: Sequence[int],
        k: int,
        m: int,
        *,
        rows: Sequence[Sequence[int]] | None = None,
        seed: int | None = None,
    ) -> Allocation:
        """k learnable entries in each of ``columns`` of ``matrix`` (see :meth:`in_rows`)."""
        return cls._along(model, matrix, columns, [k] * len(columns), m, "column", rows, seed)

    @classmethod
    def spread(
        cls,
        model: Model,
        matrix: str,
        r: int,
        K: int,
        m: int,
        *,
        axis: str = "row",
        lines: Sequence[int] | None = None,
        seed: int | None = None,
    ) -> Allocation:
        """r entries spread as evenly as possible over K rows (or columns).

        The first ``r mod K`` lines get one entry more. ``lines`` picks the K
        rows (columns); default the first K.
        """
        if axis not in ("row", "column"):
            raise SpecError(f"axis must be 'row' or 'column', got {axis!r}")
        size = model.matrix_shapes[check_matrix_name(model, matrix)][0 if axis == "row" else 1]
        if not 1 <= K <= size:
            raise SpecError(f"K must be between 1 and {size} {axis}s of {matrix}, got {K}")
        if r < 1:
            raise SpecError(f"r must be a positive integer, got {r}")
        lines = list(range(K)) if lines is None else list(lines)
        if len(lines) != K:
            raise SpecError(f"lines must list exactly K = {K} {axis}s, got {len(lines)}")
        counts = [r // K + (1 if q < r % K else 0) for q in range(K)]
        return cls._along(model, matrix, lines, counts, m, axis, None, seed)

    @classmethod
    def _along(cls, model, matrix, lines, counts, m, axis, others, seed) -> Allocation:
        name = check_matrix_name(model, matrix)
        rows, cols = model.matrix_shapes[name]
        width = cols if axis == "row" else rows
        if others is not None and len(others) != len(lines):
            other = "columns" if axis == "row" else "rows"
            raise SpecError(
                f"{other} must give one list of positions per {axis}: got {len(others)} "
                f"for {len(lines)} {axis}s"
            )
        entries = []
        offset = 0
        for q, (line, count) in enumerate(zip(lines, counts)):
            if count > width:
                raise SpecError(
                    f"cannot place {count} entries in one {axis} of {name}: it has only {width}"
                )
            if others is not None:
                positions = list(others[q])
                if len(positions) != count:
                    raise SpecError(f"{axis} {line} needs {count} positions, got {len(positions)}")
            else:
                positions = [(offset + c) % width for c in range(count)]
            offset += count
            for pos in positions:
                entries.append((name, line, pos) if axis == "row" else (name, pos, line))
        return cls.from_entries(model, entries, m, seed)

    @classmethod
    def diagonal(
        cls, model: Model, matrix: str, m: int, *, anti: bool = False, seed: int | None = None
    ) -> Allocation:
        """The (anti-)diagonal of ``matrix``."""
        name = check_matrix_name(model, matrix)
        rows, cols = model.matrix_shapes[name]
        size = min(rows, cols)
        return cls.from_entries(
            model, [(name, i, cols - 1 - i if anti else i) for i in range(size)], m, seed
        )

    @classmethod
    def random(
        cls,
        model: Model,
        r: int,
        m: int,
        *,
        matrices: Sequence[str] | None = None,
        seed: int = 0,
    ) -> Allocation:
        """r entries drawn uniformly without replacement from the named matrices."""
        pool = model.all_entries([check_matrix_name(model, n) for n in matrices] if matrices else None)
        if not 1 <= r <= len(pool):
            raise SpecError(f"r must be between 1 and {len(pool)} (the weights available), got {r}")
        picks = np.random.default_rng(seed).choice(len(pool), size=r, replace=False)
        return cls.from_entries(model, [pool[k] for k in sorted(picks)], m, seed)

    def union(self, other: Allocation) -> Allocation:
        """Entries of both (same model and m); e.g. a W allocation plus a D one."""
        if self.model != other.model or self.m != other.m:
            raise SpecError("can only combine allocations of the same model and m")
        return Allocation(self.model, self.entries | other.entries, self.m, self.seed)

    __or__ = union

    def with_m(self, m: int) -> Allocation:
        """The same allocation for another number of samples."""
        return Allocation(self.model, self.entries, m, self.seed)

    # ----------------------------------------------------------------- views
    @property
    def r(self) -> int:
        """Number of learnable weights."""
        return len(self.entries)

    @property
    def ordered_entries(self) -> tuple[Entry, ...]:
        """Entries sorted by matrix (model order), row, column: the unknowns' order."""
        return self._order

    @property
    def matrices(self) -> list[str]:
        """Names of the matrices holding learnable entries, in model order."""
        present = {e[0] for e in self.entries}
        return [name for name in self.model.matrix_shapes if name in present]

    def mask(self, name: str) -> np.ndarray:
        """0/1 int array of matrix ``name``'s shape (1 = learnable)."""
        out = np.zeros(self.model.matrix_shapes[check_matrix_name(self.model, name)], dtype=np.int64)
        for matrix, i, j in self.entries:
            if matrix == name:
                out[i, j] = 1
        return out

    def masks(self) -> dict[str, np.ndarray]:
        """Masks of every matrix."""
        return {name: self.mask(name) for name in self.model.matrix_shapes}

    def per_row(self, name: str) -> list[int]:
        """Learnable count in each row of ``name``."""
        return self.mask(name).sum(axis=1).tolist()

    def per_column(self, name: str) -> list[int]:
        """Learnable count in each column of ``name``."""
        return self.mask(name).sum(axis=0).tolist()

    def __repr__(self) -> str:
        """One line with the learnable entries (cut after 24 of them).

        Examples
        --------
        >>> from symmp.models import LinearEstimator
        >>> Allocation.diagonal(LinearEstimator(n=2, d=2), "W", m=1)
        Allocation(LinearEstimator(n=2, d=2), m=1, r=2, W: (0,0) (1,1))
        """
        shown, parts = 0, []
        for name in self.matrices:
            cells = [f"({i},{j})" for matrix, i, j in self._order if matrix == name]
            room = max(0, REPR_ENTRIES - shown)
            shown += min(room, len(cells))
            more = f" ... {len(cells) - room} more" if len(cells) > room else ""
            parts.append(f"{name}: {' '.join(cells[:room])}{more}".replace(":  ...", ": ..."))
        seed = "" if self.seed is None else f", seed={self.seed}"
        return f"Allocation({self.model!r}, m={self.m}, r={self.r}{seed}, {'; '.join(parts)})"

    def __str__(self) -> str:
        """Each matrix's mask as text: ``#`` learnable, ``.`` fixed.

        Examples
        --------
        >>> from symmp.models import LinearEstimator
        >>> print(Allocation.diagonal(LinearEstimator(n=2, d=2), "W", m=1))
        Allocation of LinearEstimator(n=2, d=2), m = 1, r = 2 learnable
        W (2 x 2), 2 learnable:
          # .
          . #
        """
        lines = [f"Allocation of {self.model!r}, m = {self.m}, r = {self.r} learnable"]
        for name, mask in self.masks().items():
            rows, cols = mask.shape
            count = int(mask.sum())
            if count == 0:
                lines.append(f"{name} ({rows} x {cols}): fixed")
                continue
            lines.append(f"{name} ({rows} x {cols}), {count} learnable:")
            if rows * cols > MASK_CELLS:
                lines.append(f"  per row: {mask.sum(axis=1).tolist()}")
                continue
            lines += ["  " + " ".join("#" if v else "." for v in row) for row in mask]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: one heat-map table per matrix (shaded cell = learnable)."""
        from html import escape

        parts = [
            f"<div class='symmp-allocation'><b>Allocation</b> of <code>{escape(repr(self.model))}</code>, "
            f"m = {self.m}, r = {self.r} learnable"
            + ("" if self.seed is None else f", seed {self.seed}")
            + "<div style='display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start'>"
        ]
        for name, mask in self.masks().items():
            rows, cols = mask.shape
            head = f"<div><div><code>{escape(name)}</code> ({rows} &times; {cols}), {int(mask.sum())} learnable</div>"
            if rows * cols > MASK_CELLS:
                parts.append(head + f"<div>learnable per row: {mask.sum(axis=1).tolist()}</div></div>")
                continue
            cells = "".join(
                "<tr>" + "".join(
                    f"<td title='{escape(name)}[{i}, {j}]' style='width:1em;height:1em;padding:0;"
                    f"border:1px solid #bbb;background:{'#3b6fb6' if v else '#f4f4f4'}'></td>"
                    for j, v in enumerate(row)
                ) + "</tr>"
                for i, row in enumerate(mask)
            )
            parts.append(head + f"<table style='border-collapse:collapse'>{cells}</table></div>")
        parts.append("</div><div style='font-size:smaller'>shaded: learnable; blank: fixed</div></div>")
        return "".join(parts)

    def to_dict(self) -> dict:
        """Plain dict (the JSON spec, as :meth:`to_spec`)."""
        return self.to_spec()

    def to_row(self) -> dict:
        """Flat dict of scalars for one row of a pandas DataFrame.

        Examples
        --------
        >>> from symmp.models import LinearEstimator
        >>> Allocation.diagonal(LinearEstimator(n=2, d=2), "W", m=1).to_row()["r_W"]
        2
        """
        row = {"model": repr(self.model), "kind": self.model.kind, "m": self.m, "r": self.r, "seed": self.seed}
        row.update({f"r_{name}": int(mask.sum()) for name, mask in self.masks().items()})
        return row

    # ------------------------------------------------------------------ spec
    def to_spec(self, *, as_mask: bool = False) -> dict:
        """The JSON spec (see :mod:`symmp.spec`): entry lists, or masks with ``as_mask``;
        :func:`symmp.spec.allocation_from_spec` reads it back.

        Examples
        --------
        >>> from symmp.models import LinearEstimator
        >>> Allocation.diagonal(LinearEstimator(n=2, d=2), "W", m=2).to_spec()["learnable"]
        {'W': [[0, 0], [1, 1]]}
        """
        model = self.model
        spec: dict = {"model": model.kind, "dims": model.dims(), "m": self.m}
        spec.update(model.spec_extra())
        if as_mask:
            spec["mask"] = {name: self.mask(name).tolist() for name in self.matrices}
        else:
            learnable: dict[str, list[list[int]]] = {}
            for name, row, col in self.ordered_entries:
                learnable.setdefault(name, []).append([row, col])
            spec["learnable"] = learnable
        if self.seed is not None:
            spec["seed"] = self.seed
        return spec
