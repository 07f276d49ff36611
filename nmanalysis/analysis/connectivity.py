"""Functional connectivity of simulated networks: FC, its dynamics (FCD), and FC vs SC.

For node time series ``x_i(t)`` (one variable of a network simulation, dims
``time``, ``node`` and any sweep dims):

FC
    ``FC_ij = corr(x_i, x_j)``, the Pearson correlation over the recorded
    samples (after an optional ``transient`` is dropped and an optional
    zero-phase Butterworth band-pass, ``band`` in Hz).
sliding-window FC
    The same on windows of length ``window`` moved by ``step`` (dim ``window``,
    coordinate: the window's centre time).
FCD
    ``FCD_ab = corr(triu(FC_a), triu(FC_b))``, the correlation of the upper
    triangles (``i < j``) of the FC of windows ``a`` and ``b``.
SC-FC correlation
    Pearson (or Spearman) correlation of the upper-triangle entries of FC with
    those of a structural weight matrix.

A series that is constant, not finite (a failed trajectory) or too short gives
NaN, never an exception.
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError
from ..results.attrs import json_attr

__all__ = ["functional_connectivity", "fc_dynamics", "sc_fc_correlation", "SECONDS_PER"]

#: seconds per time unit (for band limits in Hz)
SECONDS_PER = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "min": 60.0, "h": 3600.0}
_MODEL_ATTRS = ("model", "model_hash", "model_structure_hash", "model_variant",
                "fixed_params", "network")


# -- inputs ---------------------------------------------------------------------------------
def _series(ds, var, transient):
    """The DataArray (time, node, *sweep), its sampling step and its time units."""
    import xarray as xr

    if isinstance(ds, xr.Dataset):
        if var not in ds.data_vars:
            valid = [v for v in ds.data_vars if {"time", "node"} <= set(ds[v].dims)]
            raise OptionsError(f"`var` {var!r} is not a variable of the Dataset; variables with "
                               f"dims time and node: {valid}")
        da = ds[var]
    elif isinstance(ds, xr.DataArray):
        da = ds
        var = da.name or var
    else:
        raise OptionsError(f"`ds` must be an xarray Dataset from simulate (or a DataArray); "
                           f"got {type(ds).__name__}")
    if "time" not in da.dims or "node" not in da.dims:
        raise OptionsError(f"{var!r} needs dims 'time' and 'node' (a network simulated with "
                           f"record='full'); it has {da.dims}")
    sweep = [d for d in da.dims if d not in ("time", "node")]
    da = da.transpose("time", "node", *sweep)
    t = np.asarray(da["time"].values, dtype=float) if "time" in da.coords else \
        np.arange(da.sizes["time"], dtype=float)
    transient = float(transient)
    if not np.isfinite(transient) or transient < 0:
        raise OptionsError(f"`transient` must be a number >= 0; got {transient!r}")
    keep = t >= t[0] + transient - 1e-9 * max(1.0, abs(t[-1]))
    if keep.sum() < 3:
        raise OptionsError(f"`transient` ({transient}) leaves {int(keep.sum())} samples; "
                           f"the record spans {t[0]:g}..{t[-1]:g}")
    da = da.isel(time=np.nonzero(keep)[0])
    t = t[keep]
    dts = np.diff(t)
    dt = float(np.median(dts))
    if not np.allclose(dts, dt, rtol=1e-6, atol=0):
        raise OptionsError(f"the time samples of {var!r} are not evenly spaced; resample first")
    units = da["time"].attrs.get("units", "") if "time" in da.coords else ""
    return da, var, sweep, t, dt, units


def _bandpass(x, band, dt, units, order, time_units):
    """Zero-phase Butterworth filter of x (time first), ``band`` in Hz."""
    from scipy.signal import butter, sosfiltfilt

    units = time_units if time_units is not None else units
    if units not in SECONDS_PER:
        raise OptionsError(f"`band` is in Hz but the time units of the data are {units!r}; "
                           f"pass time_units= one of {list(SECONDS_PER)}")
    fs = 1.0 / (dt * SECONDS_PER[units])
    try:
        lo, hi = band
        lo = None if lo is None or float(lo) == 0 else float(lo)
        hi = None if hi is None else float(hi)
    except (TypeError, ValueError):
        raise OptionsError(f"`band` must be (low, high) in Hz (either may be None); got "
                           f"{band!r}") from None
    nyq = fs / 2
    if (lo is not None and not 0 < lo < nyq) or (hi is not None and not 0 < hi < nyq) \
            or (lo is not None and hi is not None and lo >= hi) or (lo is None and hi is None):
        raise OptionsError(f"`band` {band!r} Hz must satisfy 0 <= low < high < {nyq:g} (the "
                           f"Nyquist frequency of samples every {dt:g} {units})")
    if lo is None:
        sos = butter(order, hi, "lowpass", fs=fs, output="sos")
    elif hi is None:
        sos = butter(order, lo, "highpass", fs=fs, output="sos")
    else:
        sos = butter(order, [lo, hi], "bandpass", fs=fs, output="sos")
    pad = 3 * (2 * len(sos) + 1)
    if x.shape[0] <= pad:
        raise OptionsError(f"band-pass filtering needs more than {pad} samples; got "
                           f"{x.shape[0]}")
    finite = np.all(np.isfinite(x), axis=0)
    out = np.full_like(x, np.nan)
    if finite.any():
        out[:, finite] = sosfiltfilt(sos, x[:, finite], axis=0)
    return out, fs


def _corr(x):
    """Pearson correlation over axis 0 of x (time, node, B) -> (node, node, B); NaN if flat."""
    xc = x - x.mean(axis=0)
    ss = np.sqrt(np.einsum("tnb,tnb->nb", xc, xc))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.ascontiguousarray(np.moveaxis(xc / np.where(ss > 0, ss, np.nan), 2, 0))
        c = np.matmul(np.swapaxes(z, 1, 2), z)           # (B, node, node), BLAS
    return np.clip(np.moveaxis(c, 0, 2), -1.0, 1.0)


def _windows(n, window, step, dt, what="window"):
    w = int(round(float(window) / dt))
    s = int(round(float(step) / dt)) if step is not None else max(1, w // 2)
    if w < 3 or w > n:
        raise OptionsError(f"`{what}` ({window}) must span 3 to {n} samples (every {dt:g}); "
                           f"it spans {w}")
    if s < 1:
        raise OptionsError(f"`step` ({step}) must be at least one sample ({dt:g})")
    return np.arange(0, n - w + 1, s), w


def _prepared(ds, var, band, transient, order, time_units):
    da, var, sweep, t, dt, units = _series(ds, var, transient)
    x = np.asarray(da.values, dtype=float)
    shape = x.shape[2:]
    x = x.reshape(x.shape[0], x.shape[1], -1)
    fs = None
    if band is not None:
        x, fs = _bandpass(x, band, dt, units, int(order), time_units)
    return da, var, sweep, shape, t, dt, units, x, fs


def _coords(da, sweep):
    coords = {}
    node = da["node"] if "node" in da.coords else None
    idx = node.values if node is not None else np.arange(da.sizes["node"])
    coords["node"] = ("node", idx, {"long_name": "node", "units": "1"})
    coords["node_other"] = ("node_other", idx, {"long_name": "node", "units": "1"})
    if "label" in da.coords:
        lab = np.asarray(da["label"].values, dtype=str)
        coords["label"] = ("node", lab, {"long_name": "node label", "units": "1"})
        coords["label_other"] = ("node_other", lab, {"long_name": "node label", "units": "1"})
    for d in sweep:
        if d in da.coords:
            coords[d] = da[d]
    return coords


def _attrs(src, analysis, var, options):
    from .._version import __version__

    out = {k: src[k] for k in _MODEL_ATTRS if k in src}
    out.update({"analysis": analysis, "source_analysis": src.get("analysis", ""),
                "variable": var, "nmanalysis_version": __version__,
                "options": json_attr(options)})
    return out


# -- public ---------------------------------------------------------------------------------
def functional_connectivity(ds, var="rE", band=None, window=None, step=None, *, transient=0.0,
                            order=4, time_units=None):
    """Functional connectivity: Pearson correlation between the nodes' time series.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        A network simulation (:func:`nmanalysis.simulate` of a
        :class:`~nmanalysis.model.network.Network`, ``record="full"``), with dims
        ``time``, ``node`` and any sweep dims.
    var : str
        The variable (a node state such as ``"rE"``).
    band : (float or None, float or None), optional
        Band-pass ``(low, high)`` in Hz before correlating (zero-phase
        Butterworth of ``order``, :func:`scipy.signal.sosfiltfilt`); ``low``
        None/0 gives a low-pass, ``high`` None a high-pass. The sampling rate
        comes from the ``time`` coordinate and its ``units`` attribute (``"ms"``
        for the library models; ``time_units`` overrides).
    window, step : float, optional
        Sliding windows (in time units): FC of each window, on a new leading
        dim ``window`` (coordinate: the window centre). ``step`` defaults to
        ``window / 2``.
    transient : float
        Initial time dropped (time units), e.g. the settling of the network.
    order : int
        Order of the Butterworth filter.
    time_units : str, optional
        Time units of ``ds`` when its ``time`` coordinate does not say.

    Returns
    -------
    xarray.DataArray
        Dims ``node``, ``node_other`` (``window`` first with windows), then the
        sweep dims; coordinates ``node``, ``node_other`` and their labels.
        Entries in [-1, 1]; NaN where a series is constant or not finite.

    See Also
    --------
    fc_dynamics, sc_fc_correlation

    Examples
    --------
    >>> import numpy as np, xarray as xr, nmanalysis as nma
    >>> t = np.arange(2000) * 0.5
    >>> x = np.random.default_rng(0).normal(size=(2000, 3))
    >>> x[:, 1] = x[:, 0] + 0.1 * x[:, 1]
    >>> da = xr.DataArray(x, dims=("time", "node"), coords={"time": t}, name="rE")
    >>> fc = nma.functional_connectivity(da)
    >>> fc.dims, bool(fc[0, 1] > 0.99), bool(abs(fc[0, 2]) < 0.1)
    (('node', 'node_other'), True, True)
    """
    import xarray as xr

    da, var, sweep, shape, t, dt, units, x, fs = _prepared(ds, var, band, transient, order,
                                                           time_units)
    if window is None and step is not None:
        raise OptionsError("`step` needs `window` (sliding windows); got step without window")
    coords = _coords(da, sweep)
    dims = ("node", "node_other", *sweep)
    n = x.shape[1]
    if window is None:
        c = _corr(x).reshape(n, n, *shape)
    else:
        starts, w = _windows(x.shape[0], window, step, dt)
        c = np.stack([_corr(x[s:s + w]) for s in starts]).reshape(len(starts), n, n, *shape)
        dims = ("window", *dims)
        coords["window"] = ("window", t[starts] + 0.5 * (w - 1) * dt,
                            {"long_name": "window centre", "units": units or "1"})
    band_txt = "" if band is None else f", {band[0] or 0}-{band[1] or 'inf'} Hz"
    attrs = {"long_name": f"functional connectivity of {var}{band_txt}", "units": "1"}
    out = xr.DataArray(c, dims=dims, coords=coords, attrs=attrs, name="fc")
    src = ds.attrs if hasattr(ds, "attrs") else {}
    out.attrs.update(_attrs(src, "functional_connectivity", var, {
        "band": None if band is None else list(band), "window": window,
        "step": step if window is None or step is not None else float(window) / 2,
        "transient": float(transient), "order": int(order), "sampling_rate_hz": fs}))
    return out


def fc_dynamics(ds, var="rE", window=None, step=None, *, band=None, transient=0.0, order=4,
                time_units=None):
    """Functional connectivity dynamics: correlation between the FC of sliding windows.

    ``FCD[a, b]`` is the Pearson correlation of the upper-triangle entries
    (``i < j``) of the FC of windows ``a`` and ``b``.

    Parameters
    ----------
    ds, var, band, transient, order, time_units
        As in :func:`functional_connectivity`.
    window : float
        Window length (time units); required.
    step : float, optional
        Shift between windows (default ``window / 2``).

    Returns
    -------
    xarray.DataArray
        Dims ``window``, ``window_other`` and the sweep dims; the coordinates
        are the window centres.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.analysis.connectivity import fc_dynamics
    >>> x = np.random.default_rng(1).normal(size=(1000, 4))
    >>> da = xr.DataArray(x, dims=("time", "node"), coords={"time": np.arange(1000.0)})
    >>> fcd = fc_dynamics(da, window=200, step=100)
    >>> fcd.dims, fcd.shape, float(fcd[0, 0])
    (('window', 'window_other'), (9, 9), 1.0)
    """
    import xarray as xr

    if window is None:
        raise OptionsError("`window` is required: the length of the sliding windows in time "
                           "units, e.g. window=1000.0")
    fc = functional_connectivity(ds, var, band=band, window=window, step=step,
                                 transient=transient, order=order, time_units=time_units)
    n = fc.sizes["node"]
    iu = np.triu_indices(n, 1)
    vals = fc.values[:, iu[0], iu[1]]                           # (window, pairs, *sweep)
    W = vals.shape[0]
    flat = np.moveaxis(vals.reshape(W, vals.shape[1], -1), 0, 1)   # (pairs, window, B)
    c = _corr(flat).reshape(W, W, *vals.shape[2:])
    sweep = [d for d in fc.dims if d not in ("window", "node", "node_other")]
    wc = fc["window"]
    coords = {"window": ("window", wc.values, dict(wc.attrs)),
              "window_other": ("window_other", wc.values, dict(wc.attrs))}
    coords.update({d: fc[d] for d in sweep if d in fc.coords})
    out = xr.DataArray(c, dims=("window", "window_other", *sweep), coords=coords,
                       name="fcd", attrs={"long_name": f"FC dynamics of {fc.attrs['variable']}",
                                          "units": "1"})
    out.attrs.update({k: v for k, v in fc.attrs.items() if k not in ("long_name", "units")})
    out.attrs["analysis"] = "fc_dynamics"
    return out


def _weights(weights):
    """A square array from an array, a Connectome/Network (``.weights``) or a Dataset."""
    w = getattr(weights, "weights", weights)
    if hasattr(w, "values") and not isinstance(w, np.ndarray):
        w = w.values
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        raise OptionsError("`weights` must be a square matrix, a Connectome or a Network; got "
                           f"{type(weights).__name__}") from None
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise OptionsError(f"`weights` must be a square (N, N) matrix; got shape {w.shape}")
    return w


def sc_fc_correlation(fc, weights, *, method="pearson", nonzero=False):
    """Correlation between functional and structural connectivity over node pairs.

    Uses the upper-triangle entries (``i < j``) of both matrices.

    Parameters
    ----------
    fc : xarray.DataArray
        From :func:`functional_connectivity` (dims ``node``, ``node_other``,
        optionally ``window`` and sweep dims: one value per window / sweep point).
    weights : array_like of shape (N, N), Connectome or Network
        Structural connectivity (``.weights`` is used for objects that have it).
        Symmetrised as ``(W + W.T) / 2`` to compare with the symmetric FC.
    method : {"pearson", "spearman"}
    nonzero : bool
        Use only the pairs with a non-zero structural weight.

    Returns
    -------
    xarray.DataArray
        The correlation, over the remaining dims of ``fc`` (0-d without sweeps).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.analysis.connectivity import sc_fc_correlation
    >>> W = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0.0]])
    >>> fc = xr.DataArray(0.1 * W + np.eye(3), dims=("node", "node_other"))
    >>> float(sc_fc_correlation(fc, W))
    1.0
    """
    import xarray as xr

    if method not in ("pearson", "spearman"):
        raise OptionsError(f"`method` must be 'pearson' or 'spearman'; got {method!r}")
    if not isinstance(fc, xr.DataArray) or not {"node", "node_other"} <= set(fc.dims):
        raise OptionsError("`fc` must be a DataArray on dims ('node', 'node_other'), as "
                           "functional_connectivity returns")
    W = _weights(weights)
    n = fc.sizes["node"]
    if W.shape != (n, n):
        raise OptionsError(f"`weights` has shape {W.shape} but the FC is ({n}, {n})")
    rest = [d for d in fc.dims if d not in ("node", "node_other")]
    f = fc.transpose("node", "node_other", *rest).values
    iu = np.triu_indices(n, 1)
    s = ((W + W.T) / 2)[iu]
    y = f[iu[0], iu[1]].reshape(len(iu[0]), -1)                # (pairs, B)
    if nonzero:
        keep = s != 0
        s, y = s[keep], y[keep]
    if method == "spearman":
        from scipy.stats import rankdata
        s = rankdata(s)
        y = np.where(np.all(np.isfinite(y), axis=0), rankdata(y, axis=0), np.nan)
    r = _corr(np.concatenate([np.broadcast_to(s[:, None, None], (len(s), 1, y.shape[1])),
                              y[:, None, :]], axis=1))[0, 1]
    out = xr.DataArray(r.reshape(f.shape[2:]), dims=rest,
                       coords={d: fc[d] for d in rest if d in fc.coords},
                       name="sc_fc_correlation",
                       attrs={"long_name": f"SC-FC correlation ({method})", "units": "1"})
    out.attrs.update({k: fc.attrs[k] for k in _MODEL_ATTRS if k in fc.attrs})
    out.attrs.update({"analysis": "sc_fc_correlation", "method": method,
                      "nonzero": int(bool(nonzero))})
    return out
