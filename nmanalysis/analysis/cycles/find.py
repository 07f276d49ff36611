"""``find_cycles`` over a sweep, its result Dataset, and ``cycle_start`` from it."""

from __future__ import annotations

import json

import numpy as np

from ...compile import compile_model
from ...errors import OptionsError
from ...results.status import status_attrs
from ...results.attrs import json_attr, label_sweep_dims, provenance
from .classify import CYCLE, REGIME_CODES, classify_rows, regime_attrs
from .shooting import polish_all
from .sweep import check_positive, sweep_rows, time_options

__all__ = ["find_cycles", "cycle_start"]


# -- the public function ----------------------------------------------------------------------
def find_cycles(model, *, params=None, y0=None, inputs=None, t=(0.0, 200.0), transient=None,
                method="dopri5", dt=None, sampling=None, rtol=1e-9, atol=1e-12, tol=1e-5,
                eq_tol=1e-4, polish=False, polish_rtol=1e-12, n_phase=200, max_steps=10_000_000,
                batch_size=None, progress=None):
    """Equilibrium, limit cycle or undecided, for every trajectory of a sweep.

    Every trajectory is integrated with :func:`nmanalysis.simulate` and sampled
    every ``sampling`` after the ``transient``. On these samples:

    - **equilibrium**: damped Newton from the final state converges to a linearly
      stable equilibrium, the trajectory stays within ``eq_tol`` (scaled by the
      state scales, see Notes) of it over the last third of the window and has
      been approaching it;
    - **cycle**: the Poincaré section is the hyperplane where the state with the
      largest scaled oscillation crosses its mean upwards; crossing times are
      located on the cubic Hermite interpolant built from the samples and the
      right-hand side there, and the crossing states with them. The orbit is
      periodic when the crossing states repeat after ``k`` crossings (the
      smallest such k, up to 8: orbits that cross the section several times per
      period) to ``tol`` relative to the oscillation size, over at least three
      periods, and single periods agree to ``tol`` (``period_spread``). The
      period is the time across all full periods in the window divided by their
      number;
    - **undecided** otherwise (too little time, slow convergence, quasi-periodic
      or chaotic motion); **integration_failed** when the integration stopped.

    Parameters
    ----------
    model : Model
    params : dict, optional
        Parameter name -> number (fixes it) or 1-D array (sweeps it along a
        dimension named after it), as in :func:`nmanalysis.simulate`.
    y0 : dict or sequence, optional
        Initial states (model defaults otherwise); arrays sweep along dims
        named ``<state>_0``.
    inputs : dict, optional
        Input name -> number or 1-D array. Time-dependent signals are refused
        (the analysis is of the autonomous system).
    t : (float, float)
        Time span, in the model's time units.
    transient : float, optional
        Time not analysed (default half of the span).
    method : str
        Integration method of :func:`nmanalysis.simulate` (default ``"dopri5"``;
        a fixed-step method such as ``"rk4"`` with ``dt`` is faster for large
        sweeps at lower accuracy).
    dt : float, optional
        Step of fixed-step methods (default span / 20000).
    sampling : float, optional
        Sampling interval of the analysed window (default window / 20000 for
        adaptive methods, ``dt`` for fixed-step ones). Aim for >= 50 samples
        per period; about 100 give ~1e-8 relative period accuracy.
    rtol, atol : float
        Tolerances of adaptive methods.
    tol : float
        Relative tolerance on the agreement of successive returns and periods.
    eq_tol : float
        Scaled distance from the equilibrium allowed at the end of the window.
    polish : bool
        Refine every cycle by Newton shooting (:func:`polish_cycle`) and add
        the Floquet multipliers. Costs a few variational integrations per cycle
        (scipy DOP853): meant for tens of cycles, not maps.
    polish_rtol : float
        Integration tolerance of the shooting.
    n_phase : int
        Points of the orbit profile over one period (0: no profile).
    max_steps : int
        Step limit per trajectory of adaptive methods.
    batch_size : int, optional
        Trajectories simulated at once (default: what fits ~200 MB of samples).
    progress : bool, optional
        Progress bar (``None``: on a terminal for long runs).

    Returns
    -------
    xarray.Dataset
        Sweep dims as in :func:`nmanalysis.simulate` (no ``time``), variables

        - ``regime`` (int8): 0 equilibrium, 1 cycle, -1 undecided, -2
          integration failed (CF ``flag_values`` / ``flag_meanings``);
        - ``status``: integration status of :func:`nmanalysis.simulate`;
        - ``period`` (NaN unless a cycle), ``period_spread`` (largest relative
          deviation of a single period from ``period``), ``return_distance``
          (largest relative distance between return points);
        - ``<state>_min``, ``<state>_max``, ``<state>_mean``: over one period
          (cycles; extrema of the Hermite interpolant), the equilibrium (all
          three), or the window (undecided);
        - ``section_state`` (index of the state defining the section),
          ``crossings_per_period``;
        - ``<state>_orbit`` on (sweep dims..., ``phase``): one period from the
          section crossing, ``phase = arange(n_phase) / n_phase`` (NaN for
          non-cycles);
        - with ``polish``: ``period`` from the shooting, ``floquet_real`` and
          ``floquet_imag`` (dim ``floquet``, by decreasing modulus, as on the
          branches of :func:`nmanalysis.cycle_continuation`; NaN for non-cycles),
          ``trivial_multiplier_error`` (``|mu_trivial - 1|``), ``stable``,
          ``polish_converged``.

        Provenance attrs as every result.

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid.

    See Also
    --------
    cycle_start, polish_cycle, nmanalysis.simulate, nmanalysis.regime_map

    Notes
    -----
    State scales: the width of a state's declared bounds, else
    ``max(1, |default|)``. Accuracy of the period without polishing: ~1e-9
    relative with ~100 samples per period at ``rtol=1e-9`` (the Hermite error of
    each crossing is divided by the number of periods in the window). Polishing
    reaches the integration tolerance (~1e-12); the Floquet multipliers are
    then accurate to ~1e-10 absolute for those near the unit circle and to a
    few digits relative for tiny ones (see :func:`polish_cycle`).

    Examples
    --------
    The Stuart-Landau oscillator has a stable cycle of radius sqrt(mu) and
    period 2 pi / omega for mu > 0, a stable focus for mu < 0:

    >>> import numpy as np, nmanalysis as nma
    >>> m = nma.get_model("stuart_landau")
    >>> from nmanalysis.analysis.cycles import find_cycles
    >>> ds = find_cycles(m, params={"mu": np.array([-0.5, 1.0])}, t=(0, 100), n_phase=0)
    >>> ds["regime"].values.tolist()
    [0, 1]
    >>> round(float(ds["period"][1]) / (2 * np.pi), 8), round(float(ds["x_max"][1]), 6)
    (1.0, 1.0)
    """
    from ...model.network import refuse_network
    refuse_network(model, 'find_cycles')
    t0, t1, transient, dt, sampling = time_options(t, transient, method, dt, sampling)
    check_positive(rtol=rtol, atol=atol, tol=tol, eq_tol=eq_tol, polish_rtol=polish_rtol)
    if not (isinstance(n_phase, (int, np.integer)) and n_phase >= 0):
        raise OptionsError(f"`n_phase` must be a whole number >= 0; got {n_phase!r}")
    grid, P, Y0, fixed = sweep_rows(model, params, y0, inputs)
    system = compile_model(model)
    res = classify_rows(model, system, P, Y0, t=(t0, t1), transient=transient, method=method,
                        dt=dt, sampling=sampling, rtol=rtol, atol=atol, tol=tol, eq_tol=eq_tol,
                        max_steps=max_steps, n_phase=int(n_phase), detail=True,
                        batch_size=batch_size, progress=progress,
                        desc=f"find_cycles {model.name}")
    if polish:
        polish_all(model, P, res, polish_rtol, int(n_phase), progress)
    options = dict(t_start=t0, t_end=t1, transient=transient, dt=dt, sampling=sampling,
                   rtol=rtol if dt is None else None, atol=atol if dt is None else None,
                   tol=tol, eq_tol=eq_tol, polish=bool(polish),
                   polish_rtol=polish_rtol if polish else None)
    return _to_dataset(model, grid, res, fixed, method, options, int(n_phase), polish)


def _to_dataset(model, grid, res, fixed, method, options, n_phase, polish):
    import xarray as xr

    dims, shape = grid.dims, grid.shape
    coords = {d: grid.coords[d] for d in dims}
    tu = model.time_units

    def grid_of(a):
        return a.reshape(shape + a.shape[1:])

    data = {
        "regime": (dims, grid_of(res["regime"]),
                   regime_attrs(REGIME_CODES, "dynamical regime of the trajectory")),
        "status": (dims, grid_of(res["status"]), status_attrs()),
        "period": (dims, grid_of(res["period"]),
                   {"long_name": "period of the limit cycle", "units": tu}),
        "period_spread": (dims, grid_of(res["period_spread"]),
                          {"long_name": "largest relative deviation of one period from the "
                                        "mean period", "units": "1"}),
        "return_distance": (dims, grid_of(res["return_distance"]),
                            {"long_name": "largest scaled distance between return points, "
                                          "relative to the oscillation", "units": "1"}),
        "section_state": (dims, grid_of(res["section_state"].astype(np.int16)),
                          {"long_name": "index of the state whose mean defines the Poincare "
                                        "section", "units": "1",
                           "states": " ".join(model.state_names)}),
        "crossings_per_period": (dims, grid_of(res["crossings_per_period"].astype(np.int16)),
                                 {"long_name": "section crossings per period", "units": "1"}),
    }
    for i, s in enumerate(model.state_names):
        info = model.state_info[s]
        desc = info.description or s
        for key, word in (("min", "minimum"), ("max", "maximum"), ("mean", "mean")):
            data[f"{s}_{key}"] = (dims, grid_of(res[key][:, i]),
                                  {"long_name": f"{desc} ({word})", "units": info.units})
        if n_phase:
            data[f"{s}_orbit"] = ((*dims, "phase"), grid_of(res["orbit"][:, i, :]),
                                  {"long_name": f"{desc} over one period", "units": info.units})
    if polish:
        mu = grid_of(res["floquet"])
        data["floquet_real"] = ((*dims, "floquet"), mu.real,
                                {"long_name": "Floquet multiplier real part (by decreasing "
                                              "modulus)", "units": "1"})
        data["floquet_imag"] = ((*dims, "floquet"), mu.imag,
                                {"long_name": "Floquet multiplier imaginary part",
                                 "units": "1"})
        data["trivial_multiplier_error"] = (dims, grid_of(res["trivial_multiplier_error"]),
                                            {"long_name": "|trivial multiplier - 1|",
                                             "units": "1"})
        data["stable"] = (dims, grid_of(res["stable"]),
                          {"long_name": "cycle stable (all non-trivial multipliers inside "
                                        "the unit circle)", "units": "1"})
        data["polish_converged"] = (dims, grid_of(res["polish_converged"]),
                                    {"long_name": "Newton shooting converged", "units": "1"})
        coords["floquet"] = ("floquet", np.arange(model.n_states),
                             {"long_name": "index of a Floquet multiplier", "units": "1"})
    if n_phase:
        coords["phase"] = ("phase", np.arange(n_phase) / n_phase,
                           {"long_name": "fraction of the period from the section crossing",
                            "units": "1"})
    ds = xr.Dataset(data, coords=coords)
    label_sweep_dims(ds, model, dims)
    ds.attrs.update(provenance(model, analysis="find_cycles", fixed_params=fixed,
                               method=method, options=options))
    ds.attrs["initial_state_defaults"] = json_attr(dict(model.states))
    ds.attrs["state_names"] = " ".join(model.state_names)
    return ds


def cycle_start(ds, **index):
    """One cycle of a :func:`find_cycles` result, as a start for continuation.

    Parameters
    ----------
    ds : xarray.Dataset
        Result of :func:`find_cycles` (with ``n_phase > 0``).
    **index
        Sweep dim -> coordinate value (nearest is taken) selecting one point.

    Returns
    -------
    dict
        ``{"period": T, "phase": (m,), "orbit": (n_states, m), "params": {name:
        value}}``: the orbit over one period from the section crossing, and
        every parameter value (fixed and swept) of that point.

    Raises
    ------
    OptionsError
        When the selection is not a single point, or no cycle was found there.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> m = nma.get_model("stuart_landau")
    >>> ds = find_cycles(m, params={"mu": np.array([0.5, 1.0])}, t=(0, 100), n_phase=50)
    >>> start = cycle_start(ds, mu=1.0)
    >>> start["orbit"].shape, round(start["period"], 6), start["params"]["mu"]
    ((2, 50), 6.283185, 1.0)
    """
    if "phase" not in ds.dims:
        raise OptionsError("`ds` has no orbit profile: call find_cycles with n_phase > 0")
    bad = [k for k in index if k not in ds.dims]
    if bad:
        raise OptionsError(f"cycle_start got unknown dims {bad}; the sweep dims are "
                           f"{[d for d in ds['regime'].dims]}")
    point = ds.sel(index, method="nearest") if index else ds
    left = [d for d in point["regime"].dims]
    if left:
        raise OptionsError(f"cycle_start needs one sweep point: also select {left}")
    if int(point["regime"]) != CYCLE:
        raise OptionsError(f"no cycle at {index} (regime "
                           f"{REGIME_CODES.get(int(point['regime']), point['regime'].item())})")
    states = ds.attrs["state_names"].split()
    params = {k: float(v) for k, v in json.loads(ds.attrs["fixed_params"]).items()}
    for name in ds["regime"].dims:
        if name not in {f"{s}_0" for s in states}:
            params[name] = float(point[name])
    return {"period": float(point["period"]), "phase": np.asarray(ds["phase"].values),
            "orbit": np.stack([np.asarray(point[f"{s}_orbit"].values) for s in states]),
            "params": params}
