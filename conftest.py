"""Collection rules for the whole repository (tests and doctests).

The kernel templates in ``nmanalysis/compile`` are not importable modules:
they are text that the generator joins with a model's code, so they are not
collected for doctests.
"""

collect_ignore = [f"nmanalysis/compile/{name}.py" for name in
                  ("basins", "collocation", "drivers", "rk", "solvers", "tangent")]
