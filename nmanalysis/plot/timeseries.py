"""Time series and min/max sweeps from :func:`nmanalysis.simulate` Datasets."""

from __future__ import annotations

import numpy as np

from .style import axis_label, get_ax

__all__ = ["timeseries", "sweep_envelope"]


def timeseries(ds, variables=None, ax=None, *, max_lines=10):
    """Plot recorded trajectories against time.

    With sweep dimensions, at most ``max_lines`` trajectories per variable are
    drawn (evenly chosen), coloured by their position in the sweep.

    Returns
    -------
    list of matplotlib Line2D
    """
    if "time" not in ds.dims:
        raise ValueError("`ds` has no time dimension; simulate with record='full'")
    variables = variables or [v for v in ds.data_vars if ds[v].dims[:1] == ("time",)]
    ax = get_ax(ax, figsize=(7.0, 3.5))
    lines = []
    import matplotlib as mpl
    cmap = mpl.colormaps["viridis"]
    for vi, name in enumerate(variables):
        da = ds[name]
        flat = da.values.reshape(da.sizes["time"], -1)
        k = flat.shape[1]
        pick = np.unique(np.linspace(0, k - 1, min(k, max_lines)).astype(int))
        for j, col in enumerate(pick):
            color = f"C{vi}" if len(pick) == 1 else cmap(j / max(1, len(pick) - 1))
            ln, = ax.plot(ds["time"].values, flat[:, col], color=color, lw=1.2,
                          label=name if j == 0 else None,
                          linestyle="-" if vi == 0 else "--")
            lines.append(ln)
    ax.set_xlabel(axis_label(ds["time"], "time"))
    ax.set_ylabel(", ".join(axis_label(ds[v], v) for v in variables))
    ax.legend(loc="best", fontsize="small")
    return lines


def sweep_envelope(ds, variable, ax=None, *, param=None, color="k"):
    """Min/max of ``variable`` against a swept parameter (a brute-force bifurcation picture).

    Needs ``<variable>_min`` and ``<variable>_max`` (``record="minmax"``).
    """
    lo, hi = ds[f"{variable}_min"], ds[f"{variable}_max"]
    if param is None:
        if lo.ndim != 1:
            raise ValueError(f"need one sweep dimension, got {lo.dims}; pass `param`")
        param = lo.dims[0]
    ax = get_ax(ax)
    p = ds[param].values
    a, = ax.plot(p, hi.values, ".", color=color, ms=3, label=f"max {variable}")
    b, = ax.plot(p, lo.values, ".", color="0.5", ms=3, label=f"min {variable}")
    ax.set_xlabel(axis_label(ds[param], param))
    ax.set_ylabel(axis_label(ds[f"{variable}_max"].attrs, variable).replace(" (maximum)", ""))
    ax.legend(loc="best", fontsize="small")
    return [a, b]
