"""Regime maps: a categorical image over two parameters, with a legend of the regimes."""

from __future__ import annotations

import numpy as np

from .style import axis_label, get_ax

__all__ = ["regime_map", "save_regime_map", "REGIME_COLORS"]

#: colour per regime meaning (flag_meanings word)
REGIME_COLORS = {
    "integration_failed": "#000000",
    "undecided": "#d9d9d9",
    "single_stable_equilibrium": "#9ecae1",
    "multiple_stable_equilibria": "#3182bd",
    "limit_cycle": "#fdae6b",
    "coexisting_cycle_and_equilibrium": "#a1d99b",
    "multiple_cycles": "#e6550d",
    "irregular": "#756bb1",
    "equilibrium": "#9ecae1",
    "cycle": "#fdae6b",
}


def _edges(values):
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def regime_map(ds, ax=None, *, x=None, y=None, variable="regime", overlay=None, legend=True,
               colors=None):
    """Draw a regime map (``nmanalysis.regime_map`` or ``find_cycles`` output).

    Parameters
    ----------
    ds : xarray.Dataset
        A Dataset whose ``variable`` carries CF ``flag_values`` / ``flag_meanings``
        and has two dims (other dims must be selected first).
    ax : matplotlib Axes, optional
    x, y : str, optional
        Dims on the horizontal and vertical axes (default: first and second).
    variable : str
        The categorical variable (default ``"regime"``).
    overlay : dict, optional
        Label -> ``(x_values, y_values)`` curves or points drawn on top, e.g.
        fold or Hopf points from continuation at each value of the second
        parameter. Fewer than 10 points are drawn as markers, longer ones as
        lines (NaN breaks a line).
    legend : bool
        Add a legend of the regimes present (and of the overlays).
    colors : dict, optional
        Flag meaning -> colour, overriding :data:`REGIME_COLORS`.

    Returns
    -------
    dict
        ``{"image": QuadMesh, "overlay": [Line2D, ...], "legend": Legend or None}``

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.plot.regimes import regime_map
    >>> ds = xr.Dataset({"regime": (("a", "b"), np.array([[0, 2], [2, 3]], "int8"),
    ...                  {"flag_values": [0, 2, 3], "flag_meanings":
    ...                   "single_stable_equilibrium limit_cycle "
    ...                   "coexisting_cycle_and_equilibrium"})},
    ...                 coords={"a": [0.0, 1.0], "b": [0.0, 1.0]})
    >>> artists = regime_map(ds, overlay={"Hopf": ([0.5, 0.6], [0.2, 0.8])})
    >>> len(artists["legend"].get_texts())
    4
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    da = ds[variable]
    if da.ndim != 2:
        raise ValueError(f"`{variable}` must have two dims to draw a map; it has {da.dims} "
                         "(select the others first, e.g. ds.isel(init=0))")
    x = x or da.dims[0]
    y = y or [d for d in da.dims if d != x][0]
    da = da.transpose(y, x)
    codes = [int(v) for v in np.atleast_1d(da.attrs.get("flag_values", np.unique(da)))]
    words = da.attrs.get("flag_meanings", " ".join(str(c) for c in codes)).split()
    meaning = dict(zip(codes, words))
    palette = {**REGIME_COLORS, **(colors or {})}
    fallback = iter(["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"])
    color_of = {c: palette.get(meaning[c]) or next(fallback, "#ffffff") for c in codes}
    bounds = np.concatenate([np.array(codes, float) - 0.5, [codes[-1] + 0.5]])
    cmap = ListedColormap([color_of[c] for c in codes])
    norm = BoundaryNorm(bounds, cmap.N)
    ax = get_ax(ax, figsize=(6.5, 4.5))
    values = np.asarray(da.values, dtype=float)
    image = ax.pcolormesh(_edges(ds[x].values), _edges(ds[y].values), values, cmap=cmap,
                          norm=norm, shading="flat")
    ax.set_xlabel(axis_label(ds[x], x))
    ax.set_ylabel(axis_label(ds[y], y))
    present = [c for c in codes if np.any(values == c)]
    handles = [Patch(facecolor=color_of[c], edgecolor="0.4",
                     label=meaning[c].replace("_", " ")) for c in present]
    lines = []
    markers = iter("ovs^Dp*")
    for label, (xs, ys) in (overlay or {}).items():
        xs, ys = np.atleast_1d(np.asarray(xs, float)), np.atleast_1d(np.asarray(ys, float))
        if xs.size < 10:
            (line,) = ax.plot(xs, ys, linestyle="none", marker=next(markers, "o"), color="k",
                              markersize=4, label=label)
        else:
            (line,) = ax.plot(xs, ys, color="k", linewidth=1.5, label=label,
                              marker=next(markers, "o"), markersize=3)
        lines.append(line)
    leg = None
    if legend:
        leg = ax.legend(handles=handles + lines, loc="center left", bbox_to_anchor=(1.01, 0.5),
                        fontsize=8, frameon=False)
    return {"image": image, "overlay": lines, "legend": leg}


def save_regime_map(ds, path, *, title=None, figsize=(7.5, 4.5), dpi=120, **kwargs):
    """Draw :func:`regime_map` on a new figure (no pyplot state) and save it to ``path``.

    ``kwargs`` go to :func:`regime_map`. Returns the path.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    regime_map(ds, ax=ax, **kwargs)
    if title:
        ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=dpi)
    return path
