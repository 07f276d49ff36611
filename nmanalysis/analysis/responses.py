"""Transient-response metrics of simulated trajectories (latency, peak, overshoot, settling).

All metrics are measured on the recorded samples of one variable, per
trajectory, after an input onset ``t0``. With ``y(t)`` the variable,
``t_end`` the last recorded time and ``tol = settle_tol``:

baseline ``y_b``
    ``baseline`` if given, else ``y`` at the last sample with ``t <= t0`` (the
    first sample if the record starts after ``t0``).
steady state ``y_ss``
    Mean of ``y`` over the samples with ``t >= t_end - steady_window``
    (default window: the last 10 % of ``[t0, t_end]``).
change ``D = y_ss - y_b``; excursion ``R = max_{t >= t0} |y - y_b|``.
    The response has a *steady change* when ``|D| > tol * R`` (a step, a
    ramp); otherwise (a pulse that comes back) it is transient only.
latency
    First time after ``t0`` at which ``|y - y_b| >= threshold * R_ref``,
    minus ``t0``; ``R_ref = R`` (``relative_to="peak"``, default: works for
    pulses too) or ``|D|`` (``relative_to="final"``, the control-engineering
    rise-time convention). Linearly interpolated between samples.
peak, time_to_peak
    ``y`` at the (first) largest departure from the baseline,
    ``argmax_{t >= t0} |y - y_b|``, refined by a parabola through the three
    samples around it; its time minus ``t0``.
overshoot
    ``100 * max(0, max s (y - y_ss)) / |D|`` with ``s = sign(D)``, the max
    over ``t0 <= t < t_end - steady_window`` (before the averaging window, so
    that a monotone approach does not exceed its own mean): how far the
    response goes beyond its steady state, in % of the steady change. NaN
    without a steady change.
settling_time
    Last time after ``t0`` at which ``|y - y_ss| > tol * |D|`` (band around
    the steady state; ``tol * R`` without a steady change), minus ``t0``,
    interpolated to the crossing into the band; 0 if never outside; NaN if the
    signal is still outside the band inside the steady-state window (not
    settled).

A trajectory with no response (``R`` not above ``min_response`` and
``1e-12 max(1, |y_b|)``), a failed one (``status != 0``) or one with
non-finite samples gives NaN for the metrics it cannot define; no trajectory
raises.
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError
from ..results.attrs import json_attr

__all__ = ["response_metrics"]

_MODEL_ATTRS = ("model", "model_hash", "model_structure_hash", "model_variant", "fixed_params")


def _onset_time(input_onset):
    if isinstance(input_onset, dict) and "start" in input_onset:
        return float(input_onset["start"])
    if hasattr(input_onset, "start") and not isinstance(input_onset, (int, float)):
        return float(input_onset.start)
    try:
        t0 = float(input_onset)
    except (TypeError, ValueError):
        raise OptionsError("`input_onset` must be a time or an input signal with a `start` "
                           f"(Step, Pulse, Ramp); got {input_onset!r}") from None
    if not np.isfinite(t0):
        raise OptionsError(f"`input_onset` must be finite; got {input_onset!r}")
    return t0


def _crossing(t, e, k, k_prev):
    """Time where ``e`` (linear between samples) crosses 0 between rows k_prev and k."""
    cols = np.arange(e.shape[1])
    e0, e1 = e[k_prev, cols], e[k, cols]
    ta, tb = t[k_prev], t[k]
    denom = np.where(e1 != e0, e1 - e0, 1.0)
    w = np.clip(np.where(e1 != e0, -e0 / denom, 1.0), 0.0, 1.0)
    return ta + w * (tb - ta)


def _metrics(t, Y, t0, y_b, threshold, relative_to, tol, window, min_response):
    """Core on arrays: t (T,), Y (T, B). Returns a dict of (B,) arrays."""
    T, B = Y.shape
    nan = np.full(B, np.nan)
    after = t >= t0
    if not after.any():
        raise OptionsError(f"`input_onset` ({t0}) is after the last recorded time ({t[-1]})")
    i0 = int(np.argmax(after))
    ta, Ya = t[i0:], Y[i0:]
    good = np.all(np.isfinite(Y), axis=0)
    Ya = np.where(good, Ya, 0.0)

    if y_b is None:
        ib = max(int(np.searchsorted(t, t0, side="right")) - 1, 0)
        y_b = Y[ib].copy()
    y_b = np.broadcast_to(np.asarray(y_b, float), (B,)).copy()
    good &= np.isfinite(y_b)
    y_b = np.where(good, y_b, 0.0)

    win = ta >= t[-1] - window
    if win.sum() < 1:
        win[-1] = True
    y_ss = Ya[win].mean(axis=0)
    D = y_ss - y_b
    dev = np.abs(Ya - y_b)
    R = dev.max(axis=0)
    responded = good & (R > np.maximum(min_response, 1e-12 * np.maximum(1.0, np.abs(y_b))))
    steady = responded & (np.abs(D) > tol * R)

    # latency
    ref = R if relative_to == "peak" else np.abs(D)
    ok_lat = responded & (ref > 0) if relative_to == "peak" else steady
    e = dev - threshold * ref
    above = e >= 0
    k = np.argmax(above, axis=0)
    ok_lat &= above.any(axis=0)
    t_cross = _crossing(ta, e, k, np.maximum(k - 1, 0))
    latency = np.where(ok_lat, t_cross - t0, np.nan)

    # peak (parabolic refinement around the discrete maximum of the departure)
    cols = np.arange(B)
    kp = np.argmax(dev, axis=0)
    inner = (kp > 0) & (kp < ta.size - 1)
    km, kq = np.clip(kp - 1, 0, ta.size - 1), np.clip(kp + 1, 0, ta.size - 1)
    x0, x1, x2 = ta[km], ta[kp], ta[kq]
    f0, f1, f2 = Ya[km, cols], Ya[kp, cols], Ya[kq, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        d01 = (f1 - f0) / (x1 - x0)
        d12 = (f2 - f1) / (x2 - x1)
        a = (d12 - d01) / (x2 - x0)
        b = d01 - a * (x0 + x1)
        tv = -b / (2 * a)
        fv = f1 + (tv - x1) * (a * (tv + x1) + b)
    use = inner & np.isfinite(tv) & (a != 0) & (tv >= x0) & (tv <= x2)
    t_peak = np.where(use, tv, x1)
    peak = np.where(use, fv, f1)
    peak = np.where(responded, peak, np.nan)
    time_to_peak = np.where(responded, t_peak - t0, np.nan)

    # overshoot
    s = np.sign(D)
    pre = ~win if (~win).any() else np.ones_like(win)
    beyond = np.max(s * (Ya[pre] - y_ss), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        overshoot = np.where(steady, 100.0 * np.maximum(beyond, 0.0) / np.abs(D), np.nan)

    # settling time
    band = np.where(steady, tol * np.abs(D), tol * R)
    e = np.abs(Ya - y_ss) - band
    outside = e > 0
    rev = outside[::-1]
    last = ta.size - 1 - np.argmax(rev, axis=0)
    never = ~outside.any(axis=0)
    t_in = _crossing(ta, e, np.minimum(last + 1, ta.size - 1), last)
    settled = ~outside[win].any(axis=0)
    settling = np.where(never, 0.0, t_in - t0)
    settling = np.where(responded & settled, settling, np.nan)

    return dict(latency=latency, peak=peak, time_to_peak=time_to_peak, overshoot=overshoot,
                settling_time=settling, steady_state=np.where(good, y_ss, nan),
                baseline=np.where(good, y_b, nan), change=np.where(good, D, nan),
                responded=responded)


def response_metrics(ds, variable, *, input_onset, baseline=None, threshold=0.1,
                     relative_to="peak", settle_tol=0.02, steady_window=None,
                     min_response=0.0):
    """Latency, peak, time to peak, overshoot, settling time and steady state per trajectory.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        A full-record :func:`~nmanalysis.simulate` result (dim ``time`` plus
        any sweep dims), or any Dataset/DataArray with a ``time`` coordinate.
    variable : str
        The variable to measure (a state or observable of the model).
    input_onset : float or input signal
        Onset time ``t0`` of the input, in the model's time units, or the
        :class:`~nmanalysis.Step` / ``Pulse`` / ``Ramp`` itself (its
        ``start`` is used).
    baseline : float or array, optional
        Pre-onset level ``y_b``; default ``y`` at the last sample at or before
        ``t0``. An array (or DataArray on the sweep dims) gives one per
        trajectory.
    threshold : float
        Latency threshold, a fraction in (0, 1) of ``R_ref`` (below).
    relative_to : {"peak", "final"}
        ``R_ref`` of the latency: the largest departure from baseline
        (``"peak"``) or the steady change ``|y_ss - y_b|`` (``"final"``).
    settle_tol : float
        Half-width of the settling band, as a fraction of the steady change
        (of the largest departure for responses without a steady change).
    steady_window : float, optional
        Length of the final stretch of the record averaged into the steady
        state; default 10 % of ``t_end - t0``.
    min_response : float
        Largest departure from baseline that still counts as "no response".

    Returns
    -------
    xarray.Dataset
        On the sweep dims of ``ds``: ``latency``, ``peak``, ``time_to_peak``,
        ``overshoot`` (%), ``settling_time``, ``steady_state``, ``baseline``,
        ``change`` (``y_ss - y_b``) and ``responded`` (bool); each with
        ``long_name``, ``units`` and a ``definition`` attribute. Metrics that
        are undefined for a trajectory (no response, no steady change for the
        overshoot, not settled, failed run) are NaN. The model attributes of
        ``ds`` are carried over; ``analysis = "response_metrics"``.

    Notes
    -----
    Exact definitions are in the module docstring
    (:mod:`nmanalysis.analysis.responses`). Times between samples are
    interpolated linearly (latency, settling time) or by a parabola (peak),
    so they are not quantised to the sampling interval.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nmanalysis.analysis.responses import response_metrics
    >>> t = np.linspace(0, 30, 3001)
    >>> y = np.where(t >= 5, 1 - np.exp(-(t - 5) / 2.0), 0.0)   # tau = 2, onset 5
    >>> ds = xr.Dataset({"x": ("time", y)}, coords={"time": t})
    >>> m = response_metrics(ds, "x", input_onset=5.0, relative_to="final")
    >>> round(float(m["latency"]), 3), round(float(m["settling_time"]), 2)   # 2 ln(1/0.9), 2 ln 50
    (0.211, 7.82)
    >>> float(m["overshoot"])
    0.0
    """
    import xarray as xr

    if isinstance(ds, xr.DataArray):
        da = ds
        src_attrs = {}
    else:
        if variable not in ds:
            raise OptionsError(f"`variable` {variable!r} is not in the Dataset; it has "
                               f"{sorted(ds.data_vars)}")
        da = ds[variable]
        src_attrs = dict(ds.attrs)
    if "time" not in da.dims:
        raise OptionsError("response_metrics needs a full time record (dim 'time'); simulate "
                           "with record='full'")
    if relative_to not in ("peak", "final"):
        raise OptionsError(f"`relative_to` must be 'peak' or 'final'; got {relative_to!r}")
    if not 0 < threshold < 1:
        raise OptionsError(f"`threshold` must be in (0, 1); got {threshold!r}")
    if not settle_tol > 0:
        raise OptionsError(f"`settle_tol` must be positive; got {settle_tol!r}")
    t0 = _onset_time(input_onset)
    t = np.asarray(da["time"].values, float)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        raise OptionsError("the time coordinate must be 1-D and strictly increasing")
    t_end = float(t[-1])
    if t0 > t_end:
        raise OptionsError(f"`input_onset` ({t0}) is after the last recorded time ({t_end})")
    window = (0.1 * (t_end - t0)) if steady_window is None else float(steady_window)
    if not window >= 0:
        raise OptionsError(f"`steady_window` must be >= 0; got {steady_window!r}")

    da = da.transpose("time", ...)
    sweep = da.dims[1:]
    shape = da.shape[1:]
    Y = np.asarray(da.values, float).reshape(t.size, -1)
    yb = None
    if baseline is not None:
        if isinstance(baseline, xr.DataArray):
            baseline = baseline.broadcast_like(da.isel(time=0)).transpose(*sweep).values
        yb = np.broadcast_to(np.asarray(baseline, float), shape).reshape(-1)
    out = _metrics(t, Y, t0, yb, float(threshold), relative_to, float(settle_tol), window,
                   float(min_response))
    if not isinstance(ds, xr.DataArray) and "status" in ds and "time" not in ds["status"].dims:
        failed = (ds["status"].broadcast_like(da.isel(time=0)).transpose(*sweep).values != 0)
        failed = failed.reshape(-1)
        for key, val in out.items():
            out[key] = np.where(failed, False if key == "responded" else np.nan, val)

    units = da.attrs.get("units", "")
    t_units = da["time"].attrs.get("units", "")
    name = da.attrs.get("long_name", variable)
    ref = "max |y - y_b|" if relative_to == "peak" else "|y_ss - y_b|"
    band = (f"{settle_tol:g} |y_ss - y_b| (steady change) or {settle_tol:g} max |y - y_b| "
            "(transient only)")
    meta = {
        "latency": ("response latency", t_units,
                    f"first t >= t0 with |y - y_b| >= {threshold:g} * {ref}, minus t0 "
                    "(linear interpolation between samples)"),
        "peak": ("peak value", units, "y at argmax_{t >= t0} |y - y_b| (parabolic refinement)"),
        "time_to_peak": ("time to peak", t_units,
                         "time of the peak minus t0"),
        "overshoot": ("overshoot", "%",
                      "100 max(0, max sign(D)(y - y_ss)) / |D| over t0 <= t < t_end - steady_window, "
                      "D = y_ss - y_b; NaN if "
                      f"|D| <= {settle_tol:g} max|y - y_b| (no steady change)"),
        "settling_time": ("settling time", t_units,
                          f"last t >= t0 with |y - y_ss| > {band}, minus t0; 0 if never outside, "
                          "NaN if not settled inside the steady-state window"),
        "steady_state": ("steady state", units,
                         f"mean of y over t >= t_end - {window:g} (y_ss)"),
        "baseline": ("baseline", units,
                     "given, else y at the last sample with t <= t0 (y_b)"),
        "change": ("steady change", units, "y_ss - y_b"),
        "responded": ("trajectory responded", "1",
                      f"finite, status ok and max_{{t>=t0}} |y - y_b| > max({min_response:g}, "
                      "1e-12 max(1, |y_b|))"),
    }
    coords = {d: da.coords[d] for d in sweep if d in da.coords}
    data = {}
    for key, (long, u, definition) in meta.items():
        data[key] = (sweep, out[key].reshape(shape),
                     {"long_name": f"{long} of {name}", "units": u, "definition": definition})
    res = xr.Dataset(data, coords=coords)
    for key in _MODEL_ATTRS:
        if key in src_attrs:
            res.attrs[key] = src_attrs[key]
    from .._version import __version__
    res.attrs.update({
        "analysis": "response_metrics", "source_analysis": src_attrs.get("analysis", ""),
        "variable": variable, "input_onset": t0, "threshold": float(threshold),
        "relative_to": relative_to, "settle_tol": float(settle_tol),
        "steady_window": window, "min_response": float(min_response),
        "baseline_given": int(baseline is not None), "nmanalysis_version": __version__,
    })
    if "method" in src_attrs:
        res.attrs["source_method"] = src_attrs["method"]
    if "inputs" in src_attrs:
        res.attrs["source_inputs"] = src_attrs["inputs"]
    res.attrs["options"] = json_attr({"threshold": threshold, "relative_to": relative_to,
                                      "settle_tol": settle_tol})
    return res
