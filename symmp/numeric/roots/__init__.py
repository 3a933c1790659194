"""Every complex root of a family's systems: path tracking, parameter homotopies, counts.

Examples
--------
>>> from symmp.numeric.roots import path_tracker
>>> path_tracker.__name__
'symmp.numeric.roots.path_tracker'
"""

__all__: list[str] = []
