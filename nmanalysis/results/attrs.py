"""Provenance attributes recorded on every result (netCDF-safe scalars and strings)."""

from __future__ import annotations

import json
import math

from .._version import __version__

__all__ = ["fixed_params", "label_sweep_dims", "provenance", "json_attr"]


def json_attr(value) -> str:
    """Serialise a dict/list for an attribute (netCDF attrs hold no dicts)."""
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return repr(v)
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if hasattr(v, "item"):
            return clean(v.item())
        return v
    return json.dumps(clean(value), sort_keys=True)


def provenance(model, *, analysis: str, fixed_params: dict, method: str = "",
               options: dict | None = None) -> dict:
    """Attributes naming the model, its fixed parameters, the method and the package version."""
    attrs = {
        "model": model.name,
        "model_hash": model.hash,
        "model_structure_hash": model.structure_hash,
        "analysis": analysis,
        "fixed_params": json_attr(fixed_params),
        "nmanalysis_version": __version__,
    }
    if model.variant:
        attrs["model_variant"] = model.variant
    if method:
        attrs["method"] = method
    for key, value in (options or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            attrs[key] = int(value)
        elif isinstance(value, (int, float, str)):
            attrs[key] = value
        else:
            attrs[key] = json_attr(value)
    return attrs


def fixed_params(model, params) -> dict:
    """The parameters held fixed by a run: model defaults, overridden by scalar ``params``.

    Swept parameters (arrays) are left out; they are coordinates of the result.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> sorted(fixed_params(m, {"I": [0.0, 1.0], "a": 0.5}).items())
    [('a', 0.5), ('b', 0.8), ('tau', 12.5)]
    """
    import numpy as np

    params = params or {}
    out = {k: float(v) for k, v in model.params.items()
           if k not in params or np.ndim(params[k]) == 0}
    out.update({k: float(v) for k, v in params.items() if np.ndim(v) == 0})
    return out


def label_sweep_dims(ds, model, dims):
    """Give each sweep coordinate of ``ds`` its long name and units (in place; returns ds).

    A parameter's come from the model; other dims (initial states ``x_0``,
    input fields, user dims) keep what they have, else get their own name and
    no units.
    """
    for d in dims:
        info = model.param_info.get(d)
        if info is not None:
            ds[d].attrs.update(long_name=info.description or d, units=info.units)
        else:
            ds[d].attrs.setdefault("long_name", d)
            ds[d].attrs.setdefault("units", "")
    return ds
