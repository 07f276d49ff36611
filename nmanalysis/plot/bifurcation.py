"""Bifurcation diagrams from :func:`nmanalysis.continuation` trees."""

from __future__ import annotations

import numpy as np

from ..results.trees import tree_cycles, tree_equilibria
from .style import STABLE, UNSTABLE, axis_label, get_ax

__all__ = ["bifurcation", "period", "orbit"]

_MARKERS = {"LP": dict(marker="o", color="tab:blue"), "HB": dict(marker="s", color="tab:red"),
            "BP": dict(marker="D", color="tab:green"),
            "LPC": dict(marker="o", color="tab:orange"), "PD": dict(marker="^", color="tab:purple"),
            "NS": dict(marker="v", color="tab:brown"), "SNIC": dict(marker="*", color="tab:olive"),
            "HOM": dict(marker="*", color="tab:gray")}
_CYCLE_TYPES = {"LPC", "PD", "NS", "UZ"}
CYCLE_COLOR = "tab:orange"


def _on_cycle_branch(ds, param, p, T, y):
    """y_max of the orbit of a cycle branch nearest to (p, T)."""
    d = np.abs(ds[param].values - p) / (np.ptp(ds[param].values) + 1e-300) + \
        np.abs(ds["period"].values - T) / (np.ptp(ds["period"].values) + 1e-300)
    return float(ds[f"{y}_max"].values[int(np.argmin(d))])


def _runs(stable):
    """(start, stop, stable) slices of consecutive points drawn in one style.

    A segment between two points counts as stable only when both ends are
    stable, so the style changes exactly at a located special point (which
    the branch carries as a point of its own).
    """
    stable = np.asarray(stable, bool)
    if stable.size < 2:
        return [(0, stable.size, bool(stable[0]))] if stable.size else []
    seg = stable[:-1] & stable[1:]
    out, a = [], 0
    for i in range(1, seg.size + 1):
        if i == seg.size or seg[i] != seg[a]:
            out.append((a, i + 1, bool(seg[a])))
            a = i
    return out


def _draw_by_stability(ax, x, y, stable, color, names, seen):
    """Lines of (x, y) in runs of equal stability: solid stable, dashed unstable.

    ``names`` = (stable label, unstable label); each label goes to the legend once
    (``seen`` collects those used). Returns the lines.
    """
    lines = []
    for a, b, st in _runs(stable):
        name = names[0] if st else names[1]
        ln, = ax.plot(x[a:b], y[a:b], color=color, **(STABLE if st else UNSTABLE),
                      label=name if name not in seen else None)
        seen.add(name)
        lines.append(ln)
    return lines


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
        Annotate special points (LP, HB with sub/super, BP, and on cycle
        branches LPC, PD, NS, SNIC, HOM).
    overlay : xarray.Dataset, optional
        A :func:`nmanalysis.simulate` sweep over the same parameter recorded
        with ``record="minmax"``, or a :func:`nmanalysis.brute_force_diagram`;
        their ``<y>_min``/``<y>_max`` are drawn as markers.

    Periodic-orbit branches (``periodic/`` in the tree) are drawn as the
    maximum and minimum of ``y`` over each orbit, in orange (stable solid,
    unstable dashed); they are left out for ``y="norm"``.

    Returns
    -------
    dict with ``branches`` (Line2D list), ``cycles`` (Line2D list),
    ``special`` (Line2D list), ``overlay``

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("wilson_cowan"), "IE", p_range=(-2, 2))
    >>> artists = nma.plot.bifurcation(tree, "rE")
    """
    ax = get_ax(ax, figsize=(6.5, 4.0))
    param = tree["special_points"].attrs["free_parameter"]
    branches = list(tree_equilibria(tree).values())
    y = y or next(v for v in branches[0].data_vars if v != param)
    out = {"branches": [], "cycles": [], "special": [], "overlay": []}
    seen = set()
    for ds in branches:
        vals, ylabel = _values(ds, y)
        p = ds[param].values
        out["branches"] += _draw_by_stability(ax, p, vals, ds["stable"].values, color,
                                              ("stable", "unstable"), seen)
    cycles = tree_cycles(tree) if y != "norm" else {}
    for ds in cycles.values():
        if f"{y}_max" not in ds:
            raise ValueError(f"the cycle branches have no {y}_max/{y}_min; pick a state or "
                             "an observable of the model")
        p = ds[param].values
        for suffix in ("_max", "_min"):
            vals = ds[f"{y}{suffix}"].values
            out["cycles"] += _draw_by_stability(
                ax, p, vals, ds["stable"].values, CYCLE_COLOR,
                ("stable cycle (max/min)", "unstable cycle (max/min)"), seen)
    sp = tree["special_points"].to_dataset()
    for k in range(sp.sizes["special"]):
        kind = str(sp["type"].values[k])
        if kind == "UZ" or (kind in _CYCLE_TYPES and not cycles):
            continue
        style = _MARKERS.get(kind, dict(marker="x", color="k"))
        if kind in _CYCLE_TYPES:
            yv = _on_cycle_branch(cycles[str(sp["branch"].values[k])], param,
                                  float(sp[param].values[k]), float(sp["period"].values[k]), y)
        else:
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
        from .sweeps import brute_force
        drawn = brute_force(overlay, y, ax=ax, param=param, legend=False, zorder=1)
        out["overlay"] = [ln for lines in drawn.values() for ln in lines]
    ax.set_xlabel(axis_label(branches[0][param], param))
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize="small")
    return out


def period(tree, ax=None, *, labels=True):
    """Period of every cycle branch against the free parameter (stable solid, unstable dashed).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("fitzhugh_nagumo"), "I", p_range=(0, 2),
    ...                         cycles=True)
    >>> artists = nma.plot.period(tree)
    """
    cycles = tree_cycles(tree)
    if not cycles:
        raise ValueError("the tree has no periodic branches; run nma.continuation(..., "
                         "cycles=True) or nma.cycle_continuation")
    ax = get_ax(ax, figsize=(6.0, 4.0))
    param = tree["special_points"].attrs["free_parameter"]
    out = {"cycles": [], "special": []}
    seen = set()
    for ds in cycles.values():
        out["cycles"] += _draw_by_stability(ax, ds[param].values, ds["period"].values,
                                            ds["stable"].values, CYCLE_COLOR,
                                            ("stable cycle", "unstable cycle"), seen)
    sp = tree["special_points"].to_dataset()
    for k in range(sp.sizes["special"]):
        kind = str(sp["type"].values[k])
        T = float(sp["period"].values[k])
        if kind not in ("LPC", "PD", "NS", "HB") or not np.isfinite(T):
            continue
        style = _MARKERS[kind]
        mk, = ax.plot(float(sp[param].values[k]), T, linestyle="none", markersize=7, zorder=5,
                      label=kind if kind not in seen else None, **style)
        seen.add(kind)
        out["special"].append(mk)
        if labels:
            ax.annotate(kind, (float(sp[param].values[k]), T), textcoords="offset points",
                        xytext=(5, 5), fontsize="small", color=style["color"])
    first = next(iter(cycles.values()))
    ax.set_xlabel(axis_label(first[param], param))
    ax.set_ylabel(axis_label(first["period"], "period"))
    ax.legend(loc="best", fontsize="small")
    return out


def orbit(branch, x, y, points=None, ax=None, *, cmap="viridis"):
    """Orbits of a cycle branch in the plane of two states (needs ``store_orbits=True``).

    Parameters
    ----------
    branch : xarray.Dataset
        One ``periodic/branch_<k>`` node, computed with ``store_orbits=True``.
    x, y : str
        States on the axes.
    points : sequence of int, optional
        Indices along the branch (default: 8 spread along it).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> tree = nma.continuation(m, "I", p_range=(0, 2), cycles=True,
    ...                         cycle_options={"store_orbits": True})
    >>> lines = nma.plot.orbit(tree["periodic/branch_0"].to_dataset(), "v", "w")
    """
    import matplotlib.pyplot as plt

    for s in (x, y):
        if f"{s}_orbit" not in branch:
            raise ValueError(f"no {s}_orbit in the branch: continue the cycles with "
                             "store_orbits=True (and pick states of the model)")
    ax = get_ax(ax, figsize=(5.0, 4.5))
    param = branch.attrs["free_parameter"]
    n = branch.sizes["point"]
    idx = np.unique(np.linspace(0, n - 1, 8).round().astype(int)) if points is None \
        else np.asarray(points, int)
    colors = plt.get_cmap(cmap)(np.linspace(0, 1, len(idx)))
    lines = []
    for c, i in zip(colors, idx):
        xs = np.append(branch[f"{x}_orbit"].values[i], branch[f"{x}_orbit"].values[i, 0])
        ys = np.append(branch[f"{y}_orbit"].values[i], branch[f"{y}_orbit"].values[i, 0])
        style = STABLE if bool(branch["stable"].values[i]) else UNSTABLE
        ln, = ax.plot(xs, ys, color=c, **{**style, "linewidth": 1.2},
                      label=f"{param} = {float(branch[param].values[i]):.4g}")
        lines.append(ln)
    ax.set_xlabel(axis_label(branch[f"{x}_orbit"], x))
    ax.set_ylabel(axis_label(branch[f"{y}_orbit"], y))
    ax.legend(loc="best", fontsize="x-small")
    return lines
