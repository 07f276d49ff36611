"""Basin maps from :func:`nmanalysis.basin_map` results."""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError
from .style import KIND_MARKERS, NULLCLINE_COLORS, axis_label, get_ax

__all__ = ["basins", "BASIN_COLORS", "UNDECIDED_COLOR"]

#: categorical colours of the attractors (cycled), and of undecided points
BASIN_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
                "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")
UNDECIDED_COLOR = "#b0b0b0"


def _split(ds, catalogue):
    """(map Dataset, catalogue Dataset or None) from a DataTree or Datasets."""
    if hasattr(ds, "children") and hasattr(ds, "to_dataset"):
        if catalogue is None and "attractors" in ds.children:
            catalogue = ds["attractors"].to_dataset(inherit=False)
        ds = ds.to_dataset()
    elif catalogue is not None and hasattr(catalogue, "to_dataset") and \
            hasattr(catalogue, "children"):
        catalogue = catalogue.to_dataset(inherit=False)
    if "attractor" not in ds.variables:
        raise OptionsError("`ds` must be a basin_map result (a variable 'attractor'); got "
                           f"variables {list(ds.data_vars)}")
    return ds, catalogue


def _colors(n):
    return [BASIN_COLORS[k % len(BASIN_COLORS)] for k in range(n)]


def basins(ds, catalogue=None, ax=None, *, nullclines=None, manifolds=True, legend=True,
           markers=True, alpha=1.0):
    """Draw a basin map: attractor labels as categorical colours, undecided in grey.

    Parameters
    ----------
    ds : xarray.DataTree or xarray.Dataset
        Output of :func:`nmanalysis.basin_map` (the tree, or its map Dataset).
        Two varied states are drawn as an image (the last dim horizontal),
        one as a strip, a sampled map as a scatter of the first two states.
    catalogue : xarray.Dataset, optional
        The attractor catalogue (default ``ds["attractors"]`` of a tree). Its
        equilibria are marked with circles, cycles drawn as their orbits.
    ax : matplotlib Axes, optional
    nullclines : xarray.Dataset, optional
        A :func:`nmanalysis.phase_plane` Dataset of the same two states: its
        nullclines (and, with ``manifolds``, saddle manifolds) are overlaid.
    manifolds : bool
        Draw the saddles' stable manifolds of ``nullclines`` (the basin
        boundaries) if it holds them.
    legend : bool or "outside"
        Legend of the attractors (and overlays); ``"outside"`` puts it to the
        right of the axes.
    markers : bool
        Mark the attractors.
    alpha : float
        Opacity of the label image.

    Returns
    -------
    dict of matplotlib artists: ``image``, ``attractors``, ``nullclines``, ``manifolds``.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.basins import basin_map
    >>> from nmanalysis.plot.basins import basins
    >>> m = nma.Model(name="bistable2", states={"x": 0.0, "y": 0.0}, params={},
    ...               equations={"x": "x - x**3", "y": "-y"})
    >>> bm = basin_map(m, {"x": np.linspace(-2, 2, 21), "y": np.linspace(-1, 1, 11)},
    ...                progress=False)
    >>> artists = basins(bm)
    >>> sorted(artists)
    ['attractors', 'image', 'manifolds', 'nullclines']
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    ds, cat = _split(ds, catalogue)
    lab = ds["attractor"]
    n_att = int(cat.sizes["attractor"]) if cat is not None else int(max(lab.max(), -1)) + 1
    names = ([str(v) for v in cat["label"].values] if cat is not None and "label" in cat
             else [f"attractor {k}" for k in range(n_att)])
    colors = _colors(n_att)
    cmap = ListedColormap([UNDECIDED_COLOR, *colors] if n_att else [UNDECIDED_COLOR])
    norm = BoundaryNorm(np.arange(-1.5, n_att + 0.5), cmap.N)
    ax = get_ax(ax, figsize=(6.0, 5.0))
    out = {"attractors": [], "nullclines": [], "manifolds": []}
    dims = lab.dims
    if dims == ("sample",):
        states = [c for c in ds.coords if c != "sample" and ds[c].dims == ("sample",)]
        if len(states) < 2:
            raise OptionsError("a sampled basin map needs two sampled states to draw; got "
                               f"{states}")
        x, y = states[0], states[1]
        out["image"] = ax.scatter(ds[x].values, ds[y].values, c=lab.values, cmap=cmap,
                                  norm=norm, s=6, linewidths=0, alpha=alpha)
    elif len(dims) == 2:
        y, x = dims
        xs, ys = ds[x].values, ds[y].values
        out["image"] = ax.pcolormesh(xs, ys, lab.transpose(y, x).values, cmap=cmap, norm=norm,
                                     shading="nearest", alpha=alpha, rasterized=True)
    elif len(dims) == 1:
        x, y = dims[0], None
        xs = ds[x].values
        out["image"] = ax.pcolormesh(xs, [0.0, 1.0], np.vstack([lab.values] * 2), cmap=cmap,
                                     norm=norm, shading="nearest", alpha=alpha)
        ax.set_yticks([])
    else:
        raise OptionsError(f"basins draws one or two varied states; this map has dims {dims}: "
                           f"select a slice first, e.g. ds.isel({dims[0]}=0)")
    limits = _limits(ds, x, y)
    if nullclines is not None and y is not None:
        _overlay(ax, nullclines, x, y, manifolds, out)
    if markers and cat is not None and n_att:
        _mark(ax, cat, x, y, colors, out)
    ax.set_xlim(*limits[0])
    if limits[1] is not None:
        ax.set_ylim(*limits[1])
    ax.set_xlabel(axis_label(ds[x], x))
    if y is not None:
        ax.set_ylabel(axis_label(ds[y], y))
    if legend:
        handles = [Patch(facecolor=c, label=nm) for c, nm in zip(colors, names)]
        if np.any(lab.values < 0):
            frac = float(np.mean(lab.values < 0))
            handles.append(Patch(facecolor=UNDECIDED_COLOR, label=f"undecided ({frac:.1%})"))
        extra = [a for a in out["nullclines"] + out["manifolds"] if not
                 a.get_label().startswith("_")]
        if legend == "outside":
            ax.legend(handles=handles + extra, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                      fontsize="small", borderaxespad=0.0)
        else:
            ax.legend(handles=handles + extra, loc="best", fontsize="small", framealpha=0.9)
    return out


def _extent(values):
    v = np.asarray(values, dtype=float)
    lo, hi = float(v.min()), float(v.max())
    if v.size > 1 and v.ndim == 1 and np.all(np.diff(v) > 0):
        h = 0.5 * (hi - lo) / (v.size - 1)
    else:
        h = 0.02 * (hi - lo) if hi > lo else 0.5
    return lo - h, hi + h


def _limits(ds, x, y):
    return _extent(ds[x].values), (None if y is None else _extent(ds[y].values))


def _mark(ax, cat, x, y, colors, out):
    kinds = cat["kind"].values.astype(str)
    for k, kind in enumerate(kinds):
        px = float(cat[f"{x}_point"].values[k])
        py = float(cat[f"{y}_point"].values[k]) if y is not None else 0.5
        if kind == "cycle" and y is not None and f"orbit_{x}" in cat:
            line, = ax.plot(cat[f"orbit_{x}"].values[k], cat[f"orbit_{y}"].values[k],
                            color="k", lw=1.8, zorder=4)
            out["attractors"].append(line)
        art, = ax.plot(px, py, linestyle="none", marker="o" if kind == "equilibrium" else "D",
                       markersize=9, markerfacecolor=colors[k], markeredgecolor="k",
                       markeredgewidth=1.5, zorder=6)
        out["attractors"].append(art)


def _overlay(ax, pp, x, y, manifolds, out):
    """Nullclines (and stable manifolds) of a phase-plane Dataset spanning the same states."""
    px, py = pp.attrs.get("x"), pp.attrs.get("y")
    if {px, py} != {x, y}:
        raise OptionsError(f"`nullclines` must be a phase_plane of ({x}, {y}); got "
                           f"({px}, {py})")
    swap = px != x
    for s, color in zip((px, py), NULLCLINE_COLORS):
        if f"nullcline_{s}_x" not in pp:
            continue
        vx, vy = pp[f"nullcline_{s}_x"].values, pp[f"nullcline_{s}_y"].values
        seg = pp[f"nullcline_{s}_segment"].values
        for j, k in enumerate(np.unique(seg)):
            a, b = vx[seg == k], vy[seg == k]
            line, = ax.plot(*((b, a) if swap else (a, b)), color=color, lw=1.3, zorder=3,
                            label=f"{s}-nullcline" if j == 0 else None)
            out["nullclines"].append(line)
    seen = set()
    for k in range(pp.sizes.get("fp", 0)):
        if bool(pp["fp_stable"].values[k]):
            continue                    # attractors are marked from the catalogue
        kind = str(pp["fp_kind"].values[k])
        a, b = float(pp["fp_x"].values[k]), float(pp["fp_y"].values[k])
        art, = ax.plot(*((b, a) if swap else (a, b)), linestyle="none",
                       **KIND_MARKERS.get(kind, dict(marker="o", fillstyle="none")),
                       color="k", markersize=9, markeredgewidth=1.5, zorder=6,
                       label=None if kind in seen else kind)
        seen.add(kind)
        out["nullclines"].append(art)
    if manifolds and "manifold_x" in pp:
        mseg = pp["manifold_segment"].values
        stable = pp["manifold_stable"].values.astype(bool)
        first = True
        for k in np.unique(mseg[stable]):
            sel = mseg == k
            a, b = pp["manifold_x"].values[sel], pp["manifold_y"].values[sel]
            line, = ax.plot(*((b, a) if swap else (a, b)), color="k", lw=1.5, ls="--",
                            zorder=4, label="saddle's stable manifold" if first else None)
            first = False
            out["manifolds"].append(line)
