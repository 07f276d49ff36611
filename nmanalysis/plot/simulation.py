"""The figure of a :func:`nmanalysis.simulate` run: time series and/or sweep reductions."""

from __future__ import annotations

import numpy as np

from .figures import DPI, changed_params, model_title, new_figure
from .timeseries import sweep_envelope, timeseries

__all__ = ["save_simulation", "simulation_title", "quantity_label", "MAX_LINES"]

#: most trajectories drawn per axes (evenly chosen over a sweep)
MAX_LINES = 10


def _unit(units: str, fmt: str = " [{}]") -> str:
    return fmt.format(units) if units and units != "1" else ""


def quantity_label(model, ds, name: str, meaning: bool = False) -> str:
    """Axis label of a state, a swept name or ``time``: ``name (meaning) [units]``.

    The meaning (the variable's ``long_name``) is added only with ``meaning``.
    """
    if name == "time":
        units = model.time_units
    elif name in ds.variables:
        units = ds[name].attrs.get("units", "")
    else:
        units = model.units_of(name)
    long_name = ds[name].attrs.get("long_name", name) if meaning else name
    extra = f" ({long_name})" if long_name not in (name, "time") else ""
    return f"{name}{extra}{_unit(units)}"


def simulation_title(model, ds) -> str:
    """Model, method, step, changed parameters and the number of failed runs."""
    changed = changed_params(model, ds)
    title = f"{model_title(model)}: {ds.attrs.get('method')}"
    if ds.attrs.get("dt") is not None:
        title += f", dt={ds.attrs['dt']:g}{_unit(model.time_units, ' {}')}"
    if changed:
        title += "; " + ", ".join(changed)
    n_failed = ds.attrs.get("n_failed", 0)
    return title + (f"; {n_failed} failed trajectories (gaps)" if n_failed else "")


def save_simulation(model, ds, path, *, dim=None) -> None:
    """Save one row per state: the time series (full record) and/or the reductions.

    Parameters
    ----------
    model : nmanalysis.Model
    ds : xarray.Dataset
        Output of :func:`nmanalysis.simulate`: a single run, or a sweep over
        one name ``dim``.
    path : str or Path
        Image file; its suffix chooses the format.
    dim : str, optional
        The swept dimension. Its values colour the time series (with a colour
        bar), and the min/max, mean or final values are drawn against it in a
        second column.
    """
    states = list(model.state_names)
    reductions = [r for r in ("max", "min", "mean") if f"{states[0]}_{r}" in ds]
    if dim is not None and "time" not in ds.dims and not reductions:
        reductions = ["final"]
    columns = (["series"] if "time" in ds.dims else []) + \
              (["reductions"] if dim is not None and reductions else [])
    fig = new_figure((6.5 * len(columns) + (1.5 if dim else 0.5), 1.2 + 2.2 * len(states)))
    axes = fig.subplots(len(states), len(columns), squeeze=False, sharex="col")
    for col, kind in enumerate(columns):
        for row, state in enumerate(states):
            ax = axes[row, col]
            if kind == "series":
                _plot_series(ax, ds, state, dim, first=row == 0)
            else:
                _plot_reductions(ax, ds, state, dim, reductions, first=row == 0)
            ax.set_xlabel("")
            ax.set_ylabel(quantity_label(model, ds, state))
            ax.set_title(model.state_info[state].description, fontsize=9, loc="left")
            ax.grid(alpha=0.3)
        axes[-1, col].set_xlabel(quantity_label(model, ds, "time" if kind == "series" else dim,
                                                True))
    if "series" in columns and dim is not None:
        _colorbar(fig, axes[:, 0], model, ds, dim)
    fig.suptitle(simulation_title(model, ds), fontsize=10)
    fig.savefig(path, dpi=DPI)


def _plot_series(ax, ds, state, dim, *, first):
    timeseries(ds, [state], ax=ax, max_lines=MAX_LINES)
    ax.get_legend().remove()  # one state per axes: the y label names it
    n = ds.sizes[dim] if dim is not None else 1
    if first and n > MAX_LINES:
        ax.set_title(f"{MAX_LINES} of {n} values shown", fontsize=8, loc="right")


def _colorbar(fig, axes, model, ds, dim):
    """Colour scale of the sweep lines; ``timeseries`` colours them by sweep position."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    values = np.asarray(ds[dim], dtype=float)
    lo, hi = float(values.min()), float(values.max())
    cmap = colormaps["viridis" if values[-1] >= values[0] else "viridis_r"]
    fig.colorbar(ScalarMappable(Normalize(lo, hi if hi > lo else lo + 1), cmap),
                 ax=list(axes), label=quantity_label(model, ds, dim, True))


def _plot_reductions(ax, ds, state, dim, reductions, *, first):
    """min/max with ``sweep_envelope``; mean and final values as lines."""
    x = ds[dim]
    if "max" in reductions and "min" in reductions:
        ax.fill_between(x, ds[f"{state}_min"], ds[f"{state}_max"], color="0.88", lw=0,
                        label="min-max envelope", zorder=0)
        for artist, name in zip(sweep_envelope(ds, state, ax=ax, param=dim), ("max", "min")):
            artist.set_label(name)  # the legend is drawn once, for every row
        reductions = [r for r in reductions if r not in ("min", "max")]
    styles = {"max": ("C3", "^"), "min": ("C0", "v"), "mean": ("C2", "o"),
              "final": ("C1", "o")}
    for r in reductions:
        var = state if r == "final" else f"{state}_{r}"
        color, marker = styles[r]
        ax.plot(x, ds[var], color=color, marker=marker, ms=3, lw=1.0,
                label="final value" if r == "final" else r)
    if first:
        ax.legend(fontsize=8, loc="best")
    elif ax.get_legend() is not None:
        ax.get_legend().remove()
