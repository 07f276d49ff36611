"""Two-parameter bifurcation diagrams from :func:`nmanalysis.codim2_continuation` trees."""

from __future__ import annotations

import numpy as np

from ..results.trees import tree_curves, tree_free_parameters
from .style import axis_label, get_ax

__all__ = ["two_parameter", "CURVE_STYLES", "CODIM2_MARKERS"]

#: line style per kind of curve (fold curves blue, Hopf curves red, as in MatCont and AUTO
#: plots; curves of cycles dashed: folds of cycles green, period doublings orange, tori
#: magenta)
CURVE_STYLES = {
    "fold": dict(color="navy", linestyle="-", linewidth=1.8),
    "hopf": dict(color="tab:red", linestyle="-", linewidth=1.8),
    "neutral_saddle": dict(color="tab:red", linestyle=":", linewidth=1.2),
    "lpc": dict(color="tab:green", linestyle="--", linewidth=1.6),
    "pd": dict(color="tab:orange", linestyle="-.", linewidth=1.6),
    "ns": dict(color="tab:pink", linestyle="--", linewidth=1.6),
    "neutral_saddle_cycle": dict(color="tab:pink", linestyle=":", linewidth=1.0),
}
#: marker per codim-2 point
CODIM2_MARKERS = {"CP": dict(marker="^", color="navy"), "BT": dict(marker="s", color="k"),
                  "GH": dict(marker="D", color="tab:purple"),
                  "ZH": dict(marker="o", color="tab:green"),
                  "HH": dict(marker="v", color="tab:brown")}
_CURVE_LABELS = {"fold": "fold (LP) curve", "hopf": "Hopf (HB) curve",
                 "neutral_saddle": "neutral saddle", "lpc": "fold of cycles (LPC)",
                 "pd": "period doubling (PD)", "ns": "torus (NS)",
                 "neutral_saddle_cycle": "neutral saddle cycle"}


def _segments(values, mask):
    """(start, stop) of the runs where ``mask`` holds, for lines broken where it does not."""
    out, start = [], None
    for i, m in enumerate(np.asarray(mask, bool)):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(values)))
    return out


def two_parameter(tree, ax=None, *, x=None, y=None, regimes=None, labels=True, legend=True,
                  neutral_saddles=True):
    """Draw a two-parameter diagram: fold and Hopf curves with their codim-2 points, and
    the curves of folds of cycles (LPC), period doublings (PD) and tori (NS) if present.

    Parameters
    ----------
    tree : xarray.DataTree
        Output of :func:`nmanalysis.codim2_continuation`: children ``fold/*`` and
        ``hopf/*`` (curves on dim ``point``), optionally ``lpc/*``, ``pd/*`` and
        ``ns/*`` (dashed green, dash-dotted orange and dashed pink), and
        ``special_points``.
    ax : matplotlib Axes, optional
    x, y : str, optional
        Parameters on the horizontal and vertical axes (default: the two free
        parameters in the order they were given).
    regimes : xarray.Dataset, optional
        A :func:`nmanalysis.regime_map` over the same two parameters, drawn
        underneath, so that the borders of its regions can be compared with
        the curves from continuation.
    labels : bool
        Write the type (CP, BT, GH, ZH, HH) beside each codim-2 point.
    legend : bool
        Add a legend (outside the axes when a regime map is drawn).
    neutral_saddles : bool
        Draw the parts of Hopf curves that are neutral saddles (two real
        eigenvalues ``±k``, not a Hopf bifurcation) and of NS curves that are
        neutral saddle cycles (real multipliers ``mu``, ``1/mu``) dotted;
        ``False`` leaves them out.

    Returns
    -------
    dict
        ``{"curves": [Line2D, ...], "points": [Line2D, ...], "texts": [Text, ...],
        "regimes": dict or None, "legend": Legend or None}``

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.plot import two_parameter
    >>> s = np.linspace(-1, 1, 41)
    >>> fold = xr.Dataset({"a": ("point", s ** 3), "b": ("point", s ** 2)})
    >>> sp = xr.Dataset({"type": ("special", ["CP"]), "a": ("special", [0.0]),
    ...                  "b": ("special", [0.0])})
    >>> tree = xr.DataTree.from_dict({"/": xr.Dataset(attrs={"free_parameters": "a b"}),
    ...                               "fold/branch_0": fold, "special_points": sp})
    >>> artists = two_parameter(tree)
    >>> len(artists["curves"]), [t.get_text() for t in artists["texts"]]
    (1, ['CP'])
    """
    p1, p2 = tree_free_parameters(tree)
    x = x or p1
    y = y or (p2 if x == p1 else p1)
    if {x, y} != {p1, p2}:
        raise ValueError(f"`x` and `y` must be the two free parameters {p1!r} and {p2!r}; "
                         f"got x={x!r}, y={y!r}")
    ax = get_ax(ax, figsize=(7.0, 4.8))
    shown = None
    if regimes is not None:
        from .regimes import regime_map
        shown = regime_map(regimes, ax=ax, x=x, y=y, legend=False)
        shown["image"].set_alpha(0.75)
    curves, seen = [], set()
    labels_of = {}
    for path, ds in tree_curves(tree).items():
        kind = path.split("/")[0]
        xs, ys = ds[x].values, ds[y].values
        if kind in ("hopf", "ns") and "neutral_saddle" in ds:
            ns = np.asarray(ds["neutral_saddle"].values, bool)
        else:
            ns = np.zeros(xs.size, bool)
        parts = [(kind, a, b) for a, b in _segments(xs, ~ns)]
        if neutral_saddles:
            other = "neutral_saddle" if kind == "hopf" else "neutral_saddle_cycle"
            parts += [(other, max(a - 1, 0), b) for a, b in _segments(xs, ns)]
        for style, a, b in parts:
            name = _CURVE_LABELS[style]
            (line,) = ax.plot(xs[a:b], ys[a:b], **CURVE_STYLES[style],
                              label=None if name in seen else name, zorder=3)
            seen.add(name)
            curves.append(line)
        labels_of.setdefault(x, ds[x])
        labels_of.setdefault(y, ds[y])
    points, texts = [], []
    if "special_points" in tree:
        sp = tree["special_points"].to_dataset()
        kinds = [str(k) for k in np.atleast_1d(sp["type"].values)] if "type" in sp else []
        for kind in sorted(set(kinds), key=list(CODIM2_MARKERS).index
                           if set(kinds) <= set(CODIM2_MARKERS) else str):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            style = CODIM2_MARKERS.get(kind, dict(marker="*", color="0.3"))
            px, py = sp[x].values[idx], sp[y].values[idx]
            (pts,) = ax.plot(px, py, linestyle="none", markersize=7, markeredgecolor="k",
                             label=kind, zorder=5, **style)
            points.append(pts)
            if labels:
                for u, v in zip(px, py):
                    texts.append(ax.annotate(kind, (u, v), xytext=(4, 4),
                                             textcoords="offset points", fontsize=8,
                                             zorder=6))
    ax.set_xlabel(axis_label(labels_of.get(x, {}), x))
    ax.set_ylabel(axis_label(labels_of.get(y, {}), y))
    leg = None
    if legend and (curves or points):
        if shown is not None:
            leg = ax.legend(handles=[*curves_for_legend(curves), *points,
                                     *_regime_handles(regimes)],
                            loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8,
                            frameon=False)
        else:
            leg = ax.legend(fontsize=8)
    return {"curves": curves, "points": points, "texts": texts, "regimes": shown,
            "legend": leg}


def curves_for_legend(lines):
    """The first line of each label (the legend shows each kind of curve once)."""
    out, seen = [], set()
    for ln in lines:
        lab = ln.get_label()
        if lab and not lab.startswith("_") and lab not in seen:
            seen.add(lab)
            out.append(ln)
    return out


def _regime_handles(regimes):
    """Legend patches for the regimes present in a regime map."""
    from matplotlib.patches import Patch

    from .regimes import REGIME_COLORS
    da = regimes["regime"]
    codes = [int(v) for v in np.atleast_1d(da.attrs.get("flag_values", np.unique(da)))]
    words = da.attrs.get("flag_meanings", " ".join(str(c) for c in codes)).split()
    present = set(np.unique(np.asarray(da.values)).tolist())
    return [Patch(facecolor=REGIME_COLORS.get(w, "#ffffff"), edgecolor="0.4", alpha=0.75,
                  label=w.replace("_", " ")) for c, w in zip(codes, words) if c in present]
