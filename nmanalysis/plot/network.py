"""Figures of network simulations: FC and SC matrices, stacked node time series, FC vs SC.

The inputs are results (DataArrays / Datasets from ``functional_connectivity``,
``simulate`` and ``Connectome.to_dataset``) or plain arrays for the structural
weights; nothing here computes more than what it draws.
"""

from __future__ import annotations

import numpy as np

from .style import axis_label, get_ax

__all__ = ["fc_matrix", "connectivity_matrices", "node_timeseries", "fc_vs_sc"]


def _matrix_values(m, what):
    """A 2-D array from a DataArray, a Dataset with ``weights`` or anything with ``.weights``."""
    if hasattr(m, "data_vars") and "weights" in m.data_vars:
        m = m["weights"]
    m = getattr(m, "weights", m) if not hasattr(m, "dims") else m
    arr = np.asarray(getattr(m, "values", m), dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"`{what}` must be one square matrix (select sweep points first); "
                         f"got shape {arr.shape}")
    return arr


def _labels(m):
    if hasattr(m, "coords") and "label" in m.coords:
        return [str(x) for x in np.asarray(m["label"].values).ravel()]
    return None


def fc_matrix(fc, ax=None, *, cmap="RdBu_r", vlim=(-1.0, 1.0), colorbar=True, title=None,
              show_labels=None):
    """Draw a functional connectivity matrix (one sweep point) as an image.

    Parameters
    ----------
    fc : xarray.DataArray
        Dims ``node``, ``node_other`` (from ``nma.functional_connectivity``;
        select sweep points and windows first).
    ax : matplotlib Axes, optional
    cmap : str
        A diverging colour map centred on 0.
    vlim : (float, float) or None
        Colour limits; ``None``: symmetric about 0 at the largest off-diagonal
        magnitude (weak correlations stay visible next to the unit diagonal).
    colorbar : bool
    title : str, optional
        Default: the DataArray's ``long_name``.
    show_labels : bool, optional
        Region labels on the axes (default: when there are at most 40 nodes).

    Returns
    -------
    list
        The AxesImage (and the Colorbar when drawn).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.plot.network import fc_matrix
    >>> fc = xr.DataArray(np.eye(3), dims=("node", "node_other"))
    >>> artists = fc_matrix(fc)
    >>> type(artists[0]).__name__
    'AxesImage'
    """
    vals = _matrix_values(fc, "fc")
    if vlim is None:
        off = vals[~np.eye(vals.shape[0], dtype=bool)]
        top = float(np.nanmax(np.abs(off))) if np.isfinite(off).any() else 1.0
        vlim = (-(top or 1.0), top or 1.0)
    ax = get_ax(ax, figsize=(4.6, 4.0))
    im = ax.imshow(vals, cmap=cmap, vmin=vlim[0], vmax=vlim[1], interpolation="nearest")
    out = [im]
    _decorate(ax, fc, vals.shape[0], show_labels)
    attrs = getattr(fc, "attrs", {})
    ax.set_title(title if title is not None else attrs.get("long_name", "FC"), fontsize="medium")
    if colorbar:
        out.append(ax.figure.colorbar(im, ax=ax, shrink=0.8, label="correlation"))
    return out


def _decorate(ax, m, n, show_labels):
    labels = _labels(m)
    if show_labels is None:
        show_labels = labels is not None and n <= 40
    if show_labels and labels is not None:
        ax.set_xticks(range(n), labels, rotation=90, fontsize="x-small")
        ax.set_yticks(range(n), labels, fontsize="x-small")
    else:
        ax.set_xlabel("node (sending)")
        ax.set_ylabel("node (receiving)")


def connectivity_matrices(fc, sc, axes=None, *, log_sc=True, show_labels=None,
                          vlim=(-1.0, 1.0)):
    """FC next to the structural weights it is compared with.

    Parameters
    ----------
    fc : xarray.DataArray
        One FC matrix (dims ``node``, ``node_other``).
    sc : array_like of shape (N, N), xarray object or Connectome
        Structural weights (a Dataset's ``weights`` variable, a DataArray, an
        array, or anything with a ``weights`` attribute).
    axes : sequence of two Axes, optional
    log_sc : bool
        Show ``log10`` of the positive weights (they span several decades).
    vlim : (float, float) or None
        Colour limits of FC (see :func:`fc_matrix`).

    Returns
    -------
    dict
        ``"fc"`` and ``"sc"``: the artists of each panel.
    """
    W = _matrix_values(sc, "sc")
    if axes is None:
        import matplotlib.pyplot as plt
        _, axes = plt.subplots(1, 2, figsize=(8.0, 3.6), layout="constrained")
    ax_fc, ax_sc = axes
    out = {"fc": fc_matrix(fc, ax_fc, show_labels=show_labels, vlim=vlim)}
    if log_sc:
        with np.errstate(divide="ignore"):
            shown = np.where(W > 0, np.log10(np.where(W > 0, W, 1.0)), np.nan)
        label = "log10 weight"
    else:
        shown, label = W, "weight"
    im = ax_sc.imshow(shown, cmap="viridis", interpolation="nearest")
    _decorate(ax_sc, sc, W.shape[0], show_labels)
    ax_sc.set_title("structural connectivity", fontsize="medium")
    out["sc"] = [im, ax_sc.figure.colorbar(im, ax=ax_sc, shrink=0.8, label=label)]
    return out


def node_timeseries(ds, var="rE", ax=None, *, nodes=None, max_nodes=16, spacing=None,
                    color="k", linewidth=0.7):
    """Node time series stacked with a vertical offset, labelled by node.

    Parameters
    ----------
    ds : xarray.Dataset or DataArray
        A network simulation (dims ``time``, ``node``; select sweep points first).
    var : str
        Variable to draw (for a Dataset).
    nodes : sequence of int, optional
        Node indices (positions); default ``max_nodes`` evenly spread ones.
    spacing : float, optional
        Offset between traces (default: 1.2 times the largest peak-to-peak
        range of the drawn traces).

    Returns
    -------
    list of matplotlib Line2D

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.plot.network import node_timeseries
    >>> da = xr.DataArray(np.random.default_rng(0).normal(size=(50, 4)),
    ...                   dims=("time", "node"), coords={"time": np.arange(50.0)})
    >>> len(node_timeseries(da))
    4
    """
    da = ds[var] if hasattr(ds, "data_vars") else ds
    extra = [d for d in da.dims if d not in ("time", "node")]
    if extra:
        raise ValueError(f"select one sweep point first (e.g. ds.sel({extra[0]}=...)); "
                         f"the variable has dims {da.dims}")
    da = da.transpose("time", "node")
    n = da.sizes["node"]
    if nodes is None:
        nodes = np.unique(np.linspace(0, n - 1, min(n, max_nodes)).astype(int))
    x = np.asarray(da.values, dtype=float)[:, nodes]
    t = np.asarray(da["time"].values) if "time" in da.coords else np.arange(x.shape[0])
    if spacing is None:
        ptp = np.nanmax(x, axis=0) - np.nanmin(x, axis=0)
        spacing = 1.2 * float(np.nanmax(ptp)) if np.isfinite(np.nanmax(ptp)) else 1.0
        spacing = spacing or 1.0
    ax = get_ax(ax, figsize=(7.0, 4.5))
    labels = _labels(da) or [str(i) for i in range(n)]
    lines = []
    for k, node in enumerate(nodes):
        y = x[:, k] - np.nanmean(x[:, k]) + k * spacing
        ln, = ax.plot(t, y, color=color, lw=linewidth)
        lines.append(ln)
    ax.set_yticks([k * spacing for k in range(len(nodes))], [labels[i] for i in nodes],
                  fontsize="x-small")
    if "time" in da.coords:
        ax.set_xlabel(axis_label(da["time"], "time"))
    ax.set_ylabel(f"{da.attrs.get('long_name', var)} (offset per node)")
    ax.set_xlim(t[0], t[-1])
    return lines


def fc_vs_sc(fc, sc, ax=None, *, log_sc=True, color="C0", size=6):
    """Scatter of FC against SC over node pairs (upper triangle), with their correlation.

    Parameters
    ----------
    fc : xarray.DataArray
        One FC matrix.
    sc : array_like of shape (N, N), xarray object or Connectome
        Structural weights, symmetrised as ``(W + W.T) / 2``.
    log_sc : bool
        Horizontal axis ``log10`` of the weight (pairs with zero weight left out);
        the printed ``r`` is Pearson's correlation of FC with the weights themselves
        (as ``sc_fc_correlation``), not with their logarithm.

    Returns
    -------
    list
        The PathCollection and the Text with ``r``.
    """
    F = _matrix_values(fc, "fc")
    W = _matrix_values(sc, "sc")
    if W.shape != F.shape:
        raise ValueError(f"`sc` has shape {W.shape} but `fc` {F.shape}")
    iu = np.triu_indices(F.shape[0], 1)
    s, f = ((W + W.T) / 2)[iu], F[iu]
    ok = np.isfinite(f)
    r = np.corrcoef(s[ok], f[ok])[0, 1] if ok.sum() > 2 else np.nan
    ax = get_ax(ax, figsize=(4.5, 4.0))
    if log_sc:
        keep = ok & (s > 0)
        xs, xl = np.log10(s[keep]), "log10 structural weight"
    else:
        keep, xs, xl = ok, s[ok], "structural weight"
    pts = ax.scatter(xs, f[keep], s=size, color=color, alpha=0.5, linewidths=0)
    ax.set_xlabel(xl)
    ax.set_ylabel("functional connectivity")
    txt = ax.text(0.03, 0.96, f"r = {r:.3f}", transform=ax.transAxes, va="top",
                  fontsize="medium", bbox=dict(fc="white", ec="0.7", alpha=0.9))
    return [pts, txt]
