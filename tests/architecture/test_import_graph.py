"""The package's import graph: one-way layers, no cycles, no borrowed private names.

Layers, lowest first (docs/ARCHITECTURE.md says why)::

    errors, arithmetic, modlinalg < models < allocation < spec < sampling
        < systems < analysis < numeric < theorems < plotting < cli

A module may import its own layer or a lower one, never a higher one; the
module-level import graph has no cycle; no module imports another module's
``_private`` name; imports of symmp inside functions are kept for printers
and optional extras, and listed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2] / "symmp"

LAYERS = [
    ("errors", "arithmetic", "modlinalg"),
    ("models",),
    ("allocation",),
    ("spec",),
    ("sampling",),
    ("systems",),
    ("analysis",),
    ("numeric",),
    ("theorems",),
    ("plotting",),
    ("cli",),
]
#: package-level modules that sit above everything they re-export
TOP = {"symmp", "symmp.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


MODULES = {_module_name(p) for p in ROOT.rglob("*.py")}


def _imports():
    """Yield (importer, imported module, imported names, inside a function).

    ``from symmp.pkg import submodule`` counts as an import of the submodule.
    """
    for path in sorted(ROOT.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), str(path))
        parents = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                parents[child] = parent

        def in_function(node):
            while node in parents:
                node = parents[node]
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return True
            return False

        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, path.name == "__init__.py", node)
                if target.split(".")[0] != "symmp":
                    continue
                names = [a.name for a in node.names]
                inside = in_function(node)
                for name in [n for n in names if f"{target}.{n}" in MODULES]:
                    yield module, f"{target}.{name}", [], inside
                rest = [n for n in names if f"{target}.{n}" not in MODULES]
                if rest:
                    yield module, target, rest, inside
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "symmp":
                        yield module, alias.name, [], in_function(node)


def layer_of(module: str) -> int | None:
    """Index of ``module``'s layer in :data:`LAYERS` (None for the package top)."""
    if module in TOP:
        return None
    if module == "symmp.__version__":
        return 0
    first = module.split(".")[1]
    for index, names in enumerate(LAYERS):
        if first in names:
            return index
    raise AssertionError(f"module {module} is in no layer: add it to LAYERS and ARCHITECTURE.md")


IMPORTS = list(_imports())
#: violations that exist before the redesign; the redesign empties these sets
KNOWN_UPWARD: set[tuple[str, str]] = set()
KNOWN_PRIVATE: set[tuple[str, str]] = set()
KNOWN_CYCLES: set[frozenset] = set()
#: at most three after the redesign (printers and optional extras)
KNOWN_FUNCTION_IMPORTS: set[tuple[str, str]] = {
    ("symmp.systems.system", "symmp.systems.latex"),
}


def test_every_module_has_a_layer():
    for importer, target, _, _ in IMPORTS:
        layer_of(importer)
        layer_of(target) if target != "symmp" else None


def test_no_import_runs_up_a_layer():
    upward = set()
    for importer, target, names, _ in IMPORTS:
        if target == "symmp" and names == ["__version__"]:
            continue  # the version string is metadata, not a layer
        low, high = layer_of(importer), (layer_of(target) if target != "symmp" else None)
        if low is not None and (high is None or high > low):
            upward.add((importer, target))
    assert upward <= KNOWN_UPWARD, sorted(upward - KNOWN_UPWARD)


def test_no_private_name_crosses_modules():
    borrowed = set()
    for importer, target, names, _ in IMPORTS:
        for name in names:
            if name.startswith("_") and not name.startswith("__"):
                borrowed.add((importer, f"{target}.{name}"))
    assert borrowed <= KNOWN_PRIVATE, sorted(borrowed - KNOWN_PRIVATE)


def _module_graph():
    graph = nx.DiGraph()
    modules = MODULES
    for importer, target, names, inside in IMPORTS:
        if inside:
            continue
        for name in names or [""]:
            full = f"{target}.{name}" if name else target
            dest = full if full in modules else target
            if dest in modules and dest != importer and not importer.startswith(dest + "."):
                graph.add_edge(importer, dest)
    return graph


def test_module_graph_has_no_cycle():
    cycles = {frozenset(c) for c in nx.strongly_connected_components(_module_graph()) if len(c) > 1}
    assert cycles <= KNOWN_CYCLES, [sorted(c) for c in cycles - KNOWN_CYCLES]


def test_imports_inside_functions_are_the_listed_ones():
    inside = {(importer, target) for importer, target, _, flag in IMPORTS if flag}
    assert inside <= KNOWN_FUNCTION_IMPORTS, sorted(inside - KNOWN_FUNCTION_IMPORTS)
