"""Check a result Dataset against the shared conventions (used by tests and io)."""

from __future__ import annotations

__all__ = ["validate_dataset", "REQUIRED_ATTRS"]

#: provenance attributes every result carries
REQUIRED_ATTRS = ("model", "model_hash", "analysis", "fixed_params", "nmanalysis_version")


def validate_dataset(ds) -> list[str]:
    """Return a list of problems (empty when ``ds`` follows the conventions).

    Checks: provenance attrs present; every data variable and coordinate has
    ``long_name`` and ``units``; every dimension has a coordinate; attribute
    values are netCDF-safe (str, number, or a 1-D list/array of numbers).
    """
    import numpy as np

    problems = [f"missing dataset attr {key!r}" for key in REQUIRED_ATTRS if key not in ds.attrs]
    for name, var in {**ds.data_vars, **ds.coords}.items():
        for key in ("long_name", "units"):
            if key not in var.attrs:
                problems.append(f"variable {name!r} lacks attr {key!r}")
    for dim in ds.dims:
        if dim not in ds.coords:
            problems.append(f"dimension {dim!r} has no coordinate")
    for owner, attrs in [("dataset", ds.attrs), *((n, v.attrs) for n, v in ds.variables.items())]:
        for key, value in attrs.items():
            ok = isinstance(value, (str, int, float, np.integer, np.floating))
            if not ok and isinstance(value, (list, tuple, np.ndarray)):
                arr = np.asarray(value)
                ok = arr.ndim == 1 and arr.dtype.kind in "iuf"
            if not ok:
                problems.append(f"{owner} attr {key!r} is not netCDF-safe: {type(value).__name__}")
    return problems
