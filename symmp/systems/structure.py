"""Sequential block structures of a lifted system: the data, not the search.

A :class:`SequentialStructure` is an order of square blocks of a lifted
:class:`~symmp.systems.lifted.TermSystem` (THEORY.md section 5): the unknowns
of block ``k`` are determined by as many equations, linear once the earlier
blocks are known. :func:`symmp.analysis.find_sequential_structure` searches
for one; the block solver (:mod:`symmp.systems.sequential_solver`) and the
LaTeX printer (:mod:`symmp.systems.latex`) read it. :meth:`SequentialStructure.groups`
is the readable grouping both the printed order and the LaTeX listing use.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.systems import build_terms
>>> terms = build_terms(Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2))
>>> w = terms.atom_ids("learnable").tolist()
>>> s = SequentialStructure(terms, (Block((w[0],), (0,), 0), Block((w[1],), (1,), 0)), (), 7, 0)
>>> [group.title for group in s.groups()]
['blocks 1-2: w_0_0, w_0_1 (1 x 1 each)']
"""

from __future__ import annotations

from dataclasses import dataclass

from .lifted import TermSystem

__all__ = ["Block", "BlockGroup", "SequentialStructure"]


@dataclass(frozen=True)
class Block:
    """Unknowns (atom ids) solved together from as many equations, at ``stage``."""

    unknowns: tuple[int, ...]
    equations: tuple[int, ...]
    stage: int

    @property
    def size(self) -> int:
        return len(self.unknowns)


@dataclass(frozen=True)
class BlockGroup:
    """Consecutive blocks shown together: ``first`` and ``last`` are 1-based
    block numbers, ``title`` the readable line, ``blocks`` the blocks."""

    first: int
    last: int
    title: str
    blocks: tuple[Block, ...]

    @property
    def equations(self) -> list[int]:
        """The equations of every block of the group, in block order."""
        return [e for block in self.blocks for e in block.equations]


@dataclass(frozen=True)
class SequentialStructure:
    """A block order that solves the lifted system by square linear solves.

    Attributes
    ----------
    terms : TermSystem
        The lifted system (its ``lifting`` and ``form``).
    blocks : tuple of Block
        In solving order.
    leftover : tuple of int
        Equations not used by any block; they held at the random point.
    prime, seed : int
        The exact evaluation point of the search.
    """

    terms: TermSystem
    blocks: tuple[Block, ...]
    leftover: tuple[int, ...]
    prime: int
    seed: int

    @property
    def exact(self) -> bool:
        """True when no equation is left over: the structure proves MP = 1."""
        return not self.leftover

    @property
    def lifting(self) -> str:
        return self.terms.lifting

    @property
    def form(self) -> str:
        return self.terms.form

    def block_names(self, block: Block) -> list[str]:
        return [self.terms.atoms[a].name for a in block.unknowns]

    def groups(self, max_names: int = 4) -> list[BlockGroup]:
        """The blocks in order, consecutive 1 x 1 blocks of one stage and
        matrix merged into one group, each with its readable title."""
        out: list[BlockGroup] = []
        k = 0
        blocks = self.blocks
        while k < len(blocks):
            block = blocks[k]
            source = self.terms.atoms[block.unknowns[0]].source
            run = k
            if block.size == 1:
                while (
                    run + 1 < len(blocks)
                    and blocks[run + 1].size == 1
                    and blocks[run + 1].stage == block.stage
                    and self.terms.atoms[blocks[run + 1].unknowns[0]].source == source
                ):
                    run += 1
            if run > k:
                names = [self.terms.atoms[b.unknowns[0]].name for b in blocks[k : run + 1]]
                shown = ", ".join(names[:max_names]) + (", ..." if len(names) > max_names else "")
                title = f"blocks {k + 1}-{run + 1}: {shown} (1 x 1 each)"
            else:
                title = f"block {k + 1} ({block.size} x {block.size}): {self._summary(block, max_names)}"
            out.append(BlockGroup(k + 1, run + 1, title, tuple(blocks[k : run + 1])))
            k = run + 1
        return out

    def describe_order(self, max_names: int = 4) -> list[str]:
        """Readable block order: the titles of :meth:`groups`."""
        return [group.title for group in self.groups(max_names)]

    def _summary(self, block: Block, max_names: int) -> str:
        names = self.block_names(block)
        if len(names) <= max_names:
            return ", ".join(names)
        counts: dict[str, int] = {}
        for a in block.unknowns:
            source = self.terms.atoms[a].source
            counts[source] = counts.get(source, 0) + 1
        return ", ".join(f"{count} of {source}" for source, count in counts.items())

    def to_dict(self) -> dict:
        return {
            "lifting": self.lifting,
            "form": self.form,
            "exact": self.exact,
            "blocks": [
                {"stage": b.stage, "unknowns": self.block_names(b), "equations": list(b.equations)}
                for b in self.blocks
            ],
            "leftover_equations": list(self.leftover),
            "prime": self.prime,
            "seed": self.seed,
        }
