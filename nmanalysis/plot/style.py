"""Conventions of the field for figures: stable solid, unstable dashed, labelled axes."""

from __future__ import annotations

__all__ = ["STABLE", "UNSTABLE", "NULLCLINE_COLORS", "KIND_MARKERS", "axis_label", "get_ax"]

STABLE = {"linestyle": "-", "linewidth": 2.0}
UNSTABLE = {"linestyle": "--", "linewidth": 1.5}
NULLCLINE_COLORS = ("tab:blue", "tab:red")
#: marker style per equilibrium kind: filled = stable, open = unstable
KIND_MARKERS = {
    "stable node": dict(marker="o", fillstyle="full"),
    "stable focus": dict(marker="o", fillstyle="full"),
    "unstable node": dict(marker="o", fillstyle="none"),
    "unstable focus": dict(marker="o", fillstyle="none"),
    "saddle": dict(marker="X", fillstyle="none"),
    "saddle-focus": dict(marker="X", fillstyle="none"),
    "center / non-hyperbolic": dict(marker="s", fillstyle="none"),
}


def axis_label(da_or_attrs, fallback: str) -> str:
    """``long_name [units]`` from a DataArray's (or a dict of) attrs."""
    attrs = getattr(da_or_attrs, "attrs", da_or_attrs) or {}
    name = attrs.get("long_name") or fallback
    units = attrs.get("units")
    return f"{name} [{units}]" if units and units != "1" else name


def get_ax(ax=None, figsize=(6.0, 4.0)):
    """The given axes, or new ones on a new figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
