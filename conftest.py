"""Collection rules for the whole repository (tests and doctests).

The kernel templates (in ``nmanalysis/compile``, and ``kernels_template.py``
beside the analysis that uses one) are not importable modules: they are text
that the generator joins with a model's code, so they are not collected for
doctests.
"""

collect_ignore = [*(f"nmanalysis/compile/{name}.py" for name in
                    ("collocation", "drivers", "rk", "solvers", "tangent")),
                  "nmanalysis/analysis/basins/kernels_template.py"]
