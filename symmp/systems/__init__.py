"""Polynomial systems of allocations, lifted with auxiliary variables F.

Call :func:`build_system` for the readable (sympy) system of an allocation;
:func:`build_terms` gives the same lifted system as flat arrays for fast
structure analysis and numerics; :func:`sequential_solve` solves it block by
block when :func:`symmp.analysis.find_sequential_structure` found an order.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> build_system(a)
PolynomialSystem(lifted (right), form='markov', 8 equations {'linear': 7, 'quadratic': 1}, unknowns {'learnable': 2, 'auxiliary': 6})
"""

from __future__ import annotations

from .instance import Instance, atom_values, draw_instance, targets_from_outputs, teacher_targets
from .lifted import FORMS, LIFTINGS, SystemBuilder, TermSystem, build_terms, choose_form, default_form, lifted_terms
from .sequential_solver import fill_learnables, sequential_solve
from .structure import Block, BlockGroup, SequentialStructure
from .system import Equation, PolynomialSystem, build_system

__all__ = [
    "build_system",
    "PolynomialSystem",
    "Equation",
    "build_terms",
    "lifted_terms",
    "TermSystem",
    "SystemBuilder",
    "choose_form",
    "default_form",
    "LIFTINGS",
    "FORMS",
    "Instance",
    "draw_instance",
    "teacher_targets",
    "targets_from_outputs",
    "atom_values",
    "sequential_solve",
    "SequentialStructure",
    "Block",
    "BlockGroup",
    "fill_learnables",
]
