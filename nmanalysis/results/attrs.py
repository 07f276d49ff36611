"""Provenance attributes recorded on every result (netCDF-safe scalars and strings)."""

from __future__ import annotations

import json
import math

from .._version import __version__

__all__ = ["provenance", "json_attr"]


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
