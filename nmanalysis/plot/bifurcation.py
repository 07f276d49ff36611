"""Bifurcation diagrams from :func:`nmanalysis.continuation` trees."""

from __future__ import annotations

import numpy as np

from .style import STABLE, UNSTABLE, axis_label, get_ax

__all__ = ["bifurcation"]

_MARKERS = {"LP": dict(marker="o", color="tab:blue"), "HB": dict(marker="s", color="tab:red"),
            "BP": dict(marker="D", color="tab:green")}


def _runs(stable):
    """(start, stop, stable) for consecutive runs, overlapping by one point."""
    out, a = [], 0
    for i in range(1, len(stable) + 1):
        if i == len(stable) or stable[i] != stable[a]:
            out.append((a, min(i + 1, len(stable)), bool(stable[a])))
            a = i
    return out


def _values(ds, y):
    if y in ds:
        return ds[y].values, axis_label(ds[y], y)
    if y == "norm":
        states = [v for v in ds.data_vars if ds[v].dims == ("point",)
                  and v not in ("stable", "n_unstable", "arclength", ds.attrs["free_parameter"])]
        return np.sqrt(sum(ds[s].values ** 2 for s in states)), "norm of the state"
    raise ValueError(f"`y` must be a state of the diagram or 'norm'; got {y!r}")


def bifurcation(tree, y=None, ax=None, *, labels=True, color="k", overlay=None):
    """Draw a continuation diagram: stable solid, unstable dashed, special points labelled.

    Parameters
    ----------
    tree : xarray.DataTree
        Output of :func:`nmanalysis.continuation`.
    y : str, optional
        State to plot against the free parameter, or ``"norm"`` (default: the
        first state). An expression of states can be added to each branch
        Dataset beforehand and named here.
    ax : matplotlib Axes, optional
    labels : bool
        Annotate special points (LP, HB with sub/super, BP).
    overlay : xarray.Dataset, optional
        A :func:`nmanalysis.simulate` sweep over the same parameter recorded
        with ``record="minmax"``; its ``<y>_min``/``<y>_max`` are drawn as dots.

    Returns
    -------
    dict with ``branches`` (Line2D list), ``special`` (Line2D list), ``overlay``

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("wilson_cowan"), "IE", p_range=(-2, 2))
    >>> artists = nma.plot.bifurcation(tree, "rE")
    """
    ax = get_ax(ax, figsize=(6.5, 4.0))
    param = tree["special_points"].attrs["free_parameter"]
    branches = [tree["equilibria"][name].to_dataset() for name in tree["equilibria"].children]
    y = y or next(v for v in branches[0].data_vars if v != param)
    out = {"branches": [], "special": [], "overlay": []}
    seen = set()
    for ds in branches:
        vals, ylabel = _values(ds, y)
        p = ds[param].values
        for a, b, stable in _runs(ds["stable"].values):
            name = "stable" if stable else "unstable"
            ln, = ax.plot(p[a:b], vals[a:b], color=color, **(STABLE if stable else UNSTABLE),
                          label=name if name not in seen else None)
            seen.add(name)
            out["branches"].append(ln)
    sp = tree["special_points"].to_dataset()
    for k in range(sp.sizes["special"]):
        kind = str(sp["type"].values[k])
        style = _MARKERS.get(kind, dict(marker="x", color="k"))
        yv = float(sp[y].values[k]) if y in sp else float(np.sqrt(sum(
            float(sp[s].values[k]) ** 2 for s in sp.data_vars
            if s in branches[0] and s not in (param,) and branches[0][s].dims == ("point",)
            and s not in ("stable", "n_unstable", "arclength"))))
        mk, = ax.plot(float(sp[param].values[k]), yv, linestyle="none", markersize=7,
                      zorder=5, label=kind if kind not in seen else None, **style)
        seen.add(kind)
        out["special"].append(mk)
        if labels:
            text = kind
            crit = str(sp["criticality"].values[k]) if "criticality" in sp else ""
            if kind == "HB" and crit:
                text += " (super)" if crit == "supercritical" else " (sub)"
            ax.annotate(text, (float(sp[param].values[k]), yv), textcoords="offset points",
                        xytext=(5, 5), fontsize="small", color=style["color"])
    if overlay is not None:
        for suffix, c in (("_max", "0.4"), ("_min", "0.6")):
            if f"{y}{suffix}" in overlay:
                pts, = ax.plot(overlay[param].values, overlay[f"{y}{suffix}"].values, ".",
                               color=c, ms=3, zorder=1,
                               label="simulation min/max" if suffix == "_max" else None)
                out["overlay"].append(pts)
    ax.set_xlabel(axis_label(branches[0][param], param))
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize="small")
    return out
