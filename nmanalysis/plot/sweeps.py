"""Brute-force diagrams: min/max markers of a parameter sweep, one style per direction."""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError
from .style import axis_label, get_ax

__all__ = ["brute_force", "SWEEP_STYLES"]

#: marker style per sweep direction (``None``: a plain simulate sweep, no direction).
#: The arrow-like markers point the way the sweep went along the parameter axis.
SWEEP_STYLES = {
    "forward": dict(marker=">", color="tab:orange", markersize=4.5),
    "backward": dict(marker="<", color="tab:purple", markersize=7, fillstyle="none",
                     markeredgewidth=1.1),
    None: dict(marker=".", color="0.4", markersize=3),
}


def _free_parameter(ds, y, param):
    if param is not None:
        return param
    if "free_parameter" in ds.attrs:
        return ds.attrs["free_parameter"]
    dims = [d for d in ds[f"{y}_max"].dims if d not in ("direction", "start")]
    if len(dims) != 1:
        raise OptionsError(f"cannot tell the swept parameter among dims {dims}; pass `param`")
    return dims[0]


def _default_y(ds):
    for name in ds.data_vars:
        if name.endswith("_max") and f"{name[:-4]}_min" in ds:
            return name[:-4]
    raise OptionsError("the Dataset has no <name>_min / <name>_max pair: record it with "
                       "record='minmax' or use brute_force_diagram")


def brute_force(ds, y=None, ax=None, *, param=None, directions=None, reductions=("max", "min"),
                legend=True, zorder=3):
    """Draw a brute-force diagram: min and max of ``y`` against the swept parameter.

    Each sweep direction has its own marker (``>`` forward, open ``<``
    backward; :data:`SWEEP_STYLES`), so hysteresis shows as markers of the two
    kinds on different branches. Draw it over a continuation diagram by
    passing the axes of :func:`nmanalysis.plot.bifurcation`.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`nmanalysis.analysis.sweeps.brute_force_diagram`, or a
        one-parameter :func:`nmanalysis.simulate` sweep recorded with
        ``record="minmax"`` (drawn as grey dots, as the ``overlay`` of
        :func:`nmanalysis.plot.bifurcation`).
    y : str, optional
        State or observable (default: the first with ``_min``/``_max``).
    ax : matplotlib Axes, optional
        Axes to draw on (e.g. those of a bifurcation diagram); new ones otherwise.
    param : str, optional
        The swept parameter (default: the Dataset's ``free_parameter``
        attribute, or its only sweep dimension).
    directions : sequence of str, optional
        Directions to draw (default: all in the Dataset).
    reductions : sequence of {"max", "min", "mean"}
        Which reductions to mark.
    legend : bool
        Add or refresh the legend.
    zorder : float

    Returns
    -------
    dict
        direction (``None`` for a plain sweep) -> list of Line2D.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.sweeps import brute_force_diagram
    >>> from nmanalysis.plot.sweeps import brute_force
    >>> ds = brute_force_diagram(nma.get_model("montbrio_pazo_roxin"), "eta",
    ...                          np.arange(-7.0, -1.9, 1.0), t=(0, 60), dt=0.01)
    >>> artists = brute_force(ds, "r")
    >>> sorted(artists)
    ['backward', 'forward']
    """
    y = y or _default_y(ds)
    for r in reductions:
        if r not in ("max", "min", "mean"):
            raise OptionsError(f"`reductions` must hold 'max', 'min' or 'mean'; got {r!r}")
        if f"{y}_{r}" not in ds:
            have = sorted({v.rsplit("_", 1)[0] for v in ds.data_vars if v.endswith("_max")})
            raise OptionsError(f"no variable {y}_{r} in the Dataset; `y` must be one of {have}")
    param = _free_parameter(ds, y, param)
    has_dir = "direction" in ds.dims
    if directions is None:
        directions = [str(d) for d in ds["direction"].values] if has_dir else [None]
    elif not has_dir:
        raise OptionsError("`directions` needs a Dataset with a 'direction' dim "
                           "(from brute_force_diagram)")
    ax = get_ax(ax, figsize=(6.5, 4.0))
    p = ds[param].values
    out = {}
    for d in directions:
        sub = ds.sel(direction=d) if d is not None else ds
        style = dict(SWEEP_STYLES.get(d, SWEEP_STYLES[None]))
        lines = []
        for j, r in enumerate(reductions):
            da = sub[f"{y}_{r}"].transpose(param, ...)
            vals = da.values.reshape(p.size, -1)
            xs = np.repeat(p, vals.shape[1])
            label = None
            if j == 0:
                label = f"{d} sweep" if d is not None else "simulation min/max"
            mk = dict(style)
            if r == "mean":
                mk.update(marker="_", fillstyle="full")
            ln, = ax.plot(xs, vals.reshape(-1), linestyle="none", zorder=zorder, label=label,
                          **mk)
            lines.append(ln)
        out[d] = lines
    if not ax.get_xlabel():
        ax.set_xlabel(axis_label(ds[param], param))
    if not ax.get_ylabel():
        attrs = ds[f"{y}_{reductions[0]}"].attrs
        name = (attrs.get("long_name") or y).rsplit(" (", 1)[0]
        ax.set_ylabel(axis_label({"long_name": name, "units": attrs.get("units")}, y))
    if legend:
        ax.legend(loc="best", fontsize="small")
    return out
