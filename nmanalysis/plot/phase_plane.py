"""Phase portraits from :func:`nmanalysis.phase_plane` Datasets."""

from __future__ import annotations

import numpy as np

from .style import KIND_MARKERS, NULLCLINE_COLORS, axis_label, get_ax

__all__ = ["phase_portrait"]


def _polylines(ds, s):
    x = ds[f"nullcline_{s}_x"].values
    y = ds[f"nullcline_{s}_y"].values
    seg = ds[f"nullcline_{s}_segment"].values
    return [(x[seg == k], y[seg == k]) for k in np.unique(seg)]


def phase_portrait(ds, ax=None, *, streamlines=True, density=1.0, legend=True):
    """Draw nullclines, vector field, equilibria and trajectories of a phase-plane Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`nmanalysis.phase_plane`.
    ax : matplotlib Axes, optional
    streamlines : bool
        Streamlines of the vector field (else arrows).
    density : float
        Streamline density.
    legend : bool

    Returns
    -------
    dict of matplotlib artists (``nullclines``, ``field``, ``equilibria``, ``trajectories``,
    and ``manifolds`` when the Dataset holds saddle manifolds)

    Examples
    --------
    >>> import nmanalysis as nma
    >>> pp = nma.phase_plane(nma.get_model("fitzhugh_nagumo"), "v", "w", params={"I": 0.5})
    >>> artists = nma.plot.phase_portrait(pp)
    """
    ax = get_ax(ax, figsize=(6.0, 5.0))
    x, y = ds.attrs["x"], ds.attrs["y"]
    xs, ys = ds[x].values, ds[y].values
    out = {"nullclines": [], "equilibria": [], "trajectories": []}
    U, V = ds["dx"].values, ds["dy"].values
    if streamlines:
        out["field"] = ax.streamplot(xs, ys, U, V, density=density, color="0.7",
                                     linewidth=0.6, arrowsize=0.8, zorder=1)
    else:
        out["field"] = ax.quiver(xs, ys, U, V, color="0.6", zorder=1)
    for s, color in zip((x, y), NULLCLINE_COLORS):
        for k, (px, py) in enumerate(_polylines(ds, s)):
            line, = ax.plot(px, py, color=color, lw=2, zorder=2,
                            label=f"{s}-nullcline (d{s}/dt = 0)" if k == 0 else None)
            out["nullclines"].append(line)
    if "manifold_x" in ds:
        mseg = ds["manifold_segment"].values
        for k in np.unique(mseg):
            sel = mseg == k
            stable = bool(ds["manifold_stable"].values[sel][0])
            label = ("stable manifold" if stable else "unstable manifold")
            ln, = ax.plot(ds["manifold_x"].values[sel], ds["manifold_y"].values[sel],
                          color="tab:green" if stable else "tab:purple", lw=1.4,
                          linestyle="--" if stable else "-", zorder=3,
                          label=label if label not in [a.get_label() for a in
                                                       out.setdefault("manifolds", [])]
                          else None)
            out["manifolds"].append(ln)
    if "traj_x" in ds:
        for k in range(ds.sizes["traj"]):
            line, = ax.plot(ds["traj_x"][k], ds["traj_y"][k], color="k", lw=1, zorder=3,
                            label="trajectory" if k == 0 else None)
            ax.plot(ds["traj_x"][k][0], ds["traj_y"][k][0], "k.", zorder=3)
            out["trajectories"].append(line)
    shown = set()
    for k in range(ds.sizes.get("fp", 0)):
        kind = str(ds["fp_kind"].values[k])
        style = KIND_MARKERS.get(kind, dict(marker="o", fillstyle="none"))
        art, = ax.plot(ds["fp_x"].values[k], ds["fp_y"].values[k], linestyle="none",
                       color="k", markersize=9, markeredgewidth=1.5, zorder=4,
                       label=kind if kind not in shown else None, **style)
        shown.add(kind)
        out["equilibria"].append(art)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(axis_label(ds[x], x))
    ax.set_ylabel(axis_label(ds[y], y))
    if legend:
        ax.legend(loc="best", fontsize="small", framealpha=0.9)
    return out
