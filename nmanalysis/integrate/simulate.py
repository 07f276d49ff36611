"""``simulate``: the single entry point for trajectories, batched over sweeps."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._checks import check_names, check_real, check_time_span
from ..errors import OptionsError
from ..results.attrs import fixed_params, json_attr, label_sweep_dims, provenance
from ..results.conventions import initial_state_dim, input_field_dim
from ..results.status import status_attrs
from .batch import make_grid
from .controller import PIController
from .inputs import as_signal
from .noise import NoiseSpec, parse_noise
from .parallel import run_pieces
from .sizing import MAX_STEPS, check_count, check_memory, whole_steps
from .tableaux import METHODS, get_tableau

__all__ = ["simulate"]

_RECORD_WORDS = {"full", "minmax", "min", "max", "mean", "final"}
_CHUNK = 256  # rows integrated together (batch index innermost, vectorised)
_SHARED_WORK = 20_000_000  # row-steps from which the fused Euler kernel specialises (rows.py)


@dataclass
class _Plan:
    t0: float
    t1: float
    fixed: bool
    dt: float
    n_steps: int = 0
    rec_every: int = 1
    q0: int = 0
    rec_t: np.ndarray | None = None   # sample times (built only when they are needed)
    n_red: int = 0
    n_rec: int = 0                     # number of recorded samples

    def record_times(self) -> np.ndarray:
        """The recorded sample times (the full-record ``time`` coordinate)."""
        if self.fixed:
            return self.t0 + (self.q0 + self.rec_every * np.arange(self.n_rec)) * self.dt
        return self.rec_t[self.q0:]


def _record_set(record):
    words = [record] if isinstance(record, str) else list(record)
    bad = [w for w in words if w not in _RECORD_WORDS]
    if bad or not words:
        raise OptionsError(f"`record` must be one of {sorted(_RECORD_WORDS)} or a list of them; "
                           f"got {record!r}")
    out = set()
    for w in words:
        out |= {"min", "max"} if w == "minmax" else {w}
    if "full" in out and "final" in out:
        out.discard("final")
    return out


def _plan(t0, t1, fixed, dt, sampling, transient):
    sampling = check_real(sampling, "sampling", positive=True, allow_none=True)
    transient = check_real(transient, "transient")
    if transient < 0 or transient >= t1 - t0:
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run ({t1 - t0}); "
                           f"got {transient}")
    if fixed:
        n_steps = whole_steps(t1 - t0, dt, "the time span t_end - t_start")
        rec_every = 1 if sampling is None else whole_steps(sampling, dt, "`sampling`")
        if rec_every < 1:
            raise OptionsError(f"`sampling` must be at least dt ({dt}); got {sampling}")
        q0 = int(math.ceil(transient / dt - 1e-9))
        n_rec = (n_steps - q0) // rec_every + 1
        return _Plan(t0, t1, True, dt, n_steps, rec_every, q0, None, n_steps - q0 + 1, n_rec)
    step = sampling if sampling is not None else (dt if dt else (t1 - t0) / 1000)
    n_samples = (t1 - t0) / step
    check_count(n_samples, MAX_STEPS, "the number of samples (t_end - t_start) / sampling",
                "use a larger `sampling`")
    # the adaptive driver needs the sample grid itself: size it before building it
    check_memory(8.0 * (n_samples + 1), f"a sample grid of {n_samples:.3g} times",
                 "use a larger `sampling`")
    n = int(math.floor(n_samples + 1e-9))
    rec_t = t0 + step * np.arange(n + 1)
    q0 = int(np.searchsorted(rec_t, t0 + transient - 1e-12 * (t1 - t0)))
    return _Plan(t0, t1, False, dt or 0.0, 0, 1, q0, rec_t, n + 1 - q0, n + 1 - q0)


def _initial_states(model, y0):
    if y0 is None:
        return {}
    if isinstance(y0, Mapping):
        return check_names(y0, model.state_names, "y0")
    arr = np.asarray(y0, dtype=float)
    if arr.shape != (model.n_states,):
        raise OptionsError(f"`y0` must be a dict state -> value or a sequence of "
                           f"{model.n_states} numbers {list(model.state_names)}; got shape "
                           f"{arr.shape}")
    return dict(zip(model.state_names, arr.tolist()))


def _build_inputs(model, signals, grid, B):
    n_in = len(model.input_names)
    if n_in == 0:
        return np.zeros((0, 1)), np.zeros((0, 1, 1)), np.zeros(0, np.int64), {}
    knots = []
    for name in model.input_names:
        sig = signals[name]
        vals = {f: grid.flat(f"{name}.{f}").copy() for f in sig.value_fields
                if f"{name}.{f}" in grid.arrays and grid.arrays[f"{name}.{f}"][1]}
        T, V = sig.knots(vals)
        knots.append((T, V))
    kmax = max(T.shape[0] for T, _ in knots)
    in_T = np.full((n_in, kmax), np.inf)
    in_K = np.array([T.shape[0] for T, _ in knots], dtype=np.int64)
    per_row = any(V.ndim > 1 for _, V in knots)
    in_V = np.zeros((n_in, kmax, B if per_row else 1))
    for i, (T, V) in enumerate(knots):
        in_T[i, :T.shape[0]] = T
        in_V[i, :T.shape[0]] = V.reshape(T.shape[0], -1)
    if not per_row:
        in_V = np.broadcast_to(in_V, (n_in, kmax, B))
    described = {name: repr(signals[name]) for name in model.input_names}
    return in_T, in_V, in_K, described


def _is_float64(dtype) -> bool:
    try:
        return np.dtype(dtype) == np.float64
    except TypeError:
        return False


def simulate(model, t=(0.0, 100.0), *, dt=None, method="rk4", params=None, y0=None,
             inputs=None, noise=None, record="full", sampling=None, transient=0.0,
             rtol=1e-6, atol=1e-9, max_steps=10_000_000, controller=None, bounds=None,
             seed=None, dtype="float64", observables=True, progress=None, **network_options):
    """Integrate a model over a batch of parameter sets and initial states.

    Parameters
    ----------
    model : Model
    t : (float, float)
        Start and end time, in the model's time units.
    dt : float, optional
        Step size of fixed-step methods (default ``(t_end - t_start)/10000``);
        initial step of adaptive ones (default: estimated).
    method : str
        One of ``"euler"``, ``"heun"``, ``"rk4"``, ``"exp_euler"`` (fixed step;
        exponential Euler uses the diagonal of the Jacobian), ``"bs3"``,
        ``"dopri5"`` (adaptive, ``rtol``/``atol``, dense output on the sampling
        grid, one step size per trajectory).
    params : dict, optional
        Parameter name -> number (fixes it) or 1-D array (sweeps it along a new
        dimension named after it). Several arrays form an outer product; pass
        :class:`xarray.DataArray` values sharing a dimension to vary them together.
    y0 : dict or sequence, optional
        Initial states (model defaults otherwise); arrays sweep along dims
        named ``<state>_0``.
    inputs : dict, optional
        Input name -> number, array (sweep) or signal
        (:class:`~nmanalysis.integrate.inputs.Step`, ``Pulse``, ``Ramp``,
        ``Sampled``, or a dict ``{"kind": "step", ...}``).
    noise : dict, optional
        Additive noise per state: ``{"E": 0.01}`` (white, intensity sigma:
        ``dE = f dt + sigma dW``) or ``{"E": {"sigma": 0.01, "tau": 1.0}}``
        (Ornstein-Uhlenbeck forcing ``eta`` with ``d eta = -eta/tau dt +
        sigma dW`` added to the right-hand side, updated exactly). Requires
        ``method`` ``"euler"`` (Euler-Maruyama), ``"heun"`` (stochastic Heun)
        or ``"exp_euler"``.
    record : str or list of str
        ``"full"`` (trajectory on the sampling grid), or reductions only:
        ``"minmax"``, ``"min"``, ``"max"``, ``"mean"``, ``"final"``; memory
        then does not grow with the number of steps. Reductions use every step
        after the transient (fixed step) or the sampling grid (adaptive).
    sampling : float, optional
        Recording interval (a multiple of ``dt`` for fixed-step methods;
        default every step, or ``(t_end - t_start)/1000`` for adaptive ones).
    transient : float
        Initial time not recorded (and not used by reductions).
    rtol, atol : float
        Tolerances of adaptive methods.
    max_steps : int
        Step limit per trajectory of adaptive methods.
    controller : PIController, optional
        Step-size controller of adaptive methods.
    bounds : dict, optional
        State -> (low, high); a trajectory leaving the box is stopped and
        flagged (status 2). Non-finite states are always flagged (status 1).
    seed : int, optional
        Seed of the noise; the same seed gives the same paths whatever the
        batch chunking. Drawn at random (and recorded) when not given.
    dtype : {"float64", "float32"}
        Storage and arithmetic precision of fixed-step methods.
    observables : bool
        Record the model's observables too.
    progress : bool, optional
        Progress bar: ``True`` always, ``False`` never, ``None`` on a terminal
        for long runs.
    **network_options
        For a :class:`~nmanalysis.model.network.Network` only: ``history``,
        ``delay_interpolation``, ``client`` (None, ``"local"`` or a
        ``dask.distributed.Client``) and ``chunks`` (see
        :func:`~nmanalysis.integrate.delayed.simulate_network`).

    Returns
    -------
    xarray.Dataset
        Dims ``time`` (full record) then the sweep dims. One variable per state
        and observable (reductions as ``<name>_min``, ``<name>_max``,
        ``<name>_mean``; ``final`` as ``<name>``), ``status`` (0 = ok; codes in
        its ``flag_meanings``), ``t_stop`` (time a failed trajectory stopped).

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> ds = nma.simulate(m, t=(0, 100), dt=0.01, params={"I": np.linspace(0, 1, 3)},
    ...                   record="minmax")
    >>> ds["v_max"].dims, int(ds["status"].max())
    (('I',), 0)
    """
    from ..model.network import Network

    if isinstance(model, Network):      # per-edge delays: the delayed integrator
        from .delayed import simulate_network
        ode_only = {"rtol": rtol != 1e-6, "atol": atol != 1e-9,
                    "max_steps": max_steps != 10_000_000, "controller": controller is not None,
                    "dtype": not _is_float64(dtype), "observables": observables is not True}
        given = sorted(k for k, v in ode_only.items() if v)
        if given:
            raise OptionsError(f"simulate of a network does not take {given} (fixed-step "
                               "methods in float64, node states recorded)")
        return simulate_network(model, t, dt=dt, method=method, params=params, y0=y0,
                                inputs=inputs, noise=noise, record=record, sampling=sampling,
                                transient=transient, bounds=bounds, seed=seed,
                                progress=progress, **network_options)
    if network_options:
        raise OptionsError(f"simulate() got unexpected arguments {sorted(network_options)} "
                           "(history=, delay_interpolation=, client= and chunks= are for networks only)")
    return simulate_arrays(model, t, dt=dt, method=method, params=params, y0=y0, inputs=inputs,
                           noise=noise, record=record, sampling=sampling,
                           transient=transient, rtol=rtol, atol=atol, max_steps=max_steps,
                           controller=controller, bounds=bounds, seed=seed, dtype=dtype,
                           observables=observables, progress=progress).dataset()


def simulate_arrays(model, t=(0.0, 100.0), *, dt=None, method="rk4", params=None, y0=None,
                    inputs=None, noise=None, record="full", sampling=None, transient=0.0,
                    rtol=1e-6, atol=1e-9, max_steps=10_000_000, controller=None, bounds=None,
                    seed=None, dtype="float64", observables=True, progress=None):
    """The work of :func:`simulate` for a :class:`~nmanalysis.model.Model`, up to the
    arrays (a :class:`_Run`); the Dataset is built on demand, so that a caller that only
    reads a few numbers (the command line's summary) need not import xarray."""
    from ..compile import compile_model
    from ..compile.fastmath import CONSTANTS
    from ..compile.rows import no_uniform_rows, uniform_rows

    t0, t1 = check_time_span(t)
    if method not in METHODS:
        raise OptionsError(f"`method` must be one of {list(METHODS)}; got {method!r}")
    tab = get_tableau("euler" if method == "exp_euler" else method)
    fixed = not tab.adaptive
    dt = check_real(dt, "dt", positive=True, allow_none=True)
    if fixed and dt is None:
        dt = (t1 - t0) / 10_000
    if dtype not in ("float64", "float32", np.float64, np.float32):
        raise OptionsError(f"`dtype` must be 'float64' or 'float32'; got {dtype!r}")
    dtype = np.dtype(dtype)
    recs = _record_set(record)
    plan = _plan(t0, t1, fixed, dt, sampling, transient)
    if not fixed:
        rtol, atol = check_real(rtol, "rtol", positive=True), check_real(atol, "atol", positive=True)
        if not (isinstance(max_steps, numbers.Integral) and not isinstance(max_steps, bool)
                and 0 < max_steps <= MAX_STEPS):
            raise OptionsError(f"`max_steps` must be a whole number between 1 and "
                               f"{MAX_STEPS:.0e}; got {max_steps!r}")
    ctrl = controller or PIController()
    if not isinstance(ctrl, PIController):
        raise OptionsError(f"`controller` must be a PIController; got {ctrl!r}")

    others = {"inputs": model.input_names, "y0": model.state_names,
              "params": model.param_names}
    params = check_names(params, model.param_names, "params", others)
    y0d = _initial_states(model, y0)
    inputs = check_names(inputs, model.input_names, "inputs", others)
    noise_spec: NoiseSpec = parse_noise(noise, model.state_names, method)
    bounds = check_names(bounds, model.state_names, "bounds")

    signals = {name: as_signal(name, inputs.get(name, model.inputs[name]))
               for name in model.input_names}
    entries = [(k, k, v) for k, v in params.items()]
    entries += [(k, initial_state_dim(k), v) for k, v in y0d.items()]
    for name, sig in signals.items():
        for f, v in sig.field_values().items():
            if np.ndim(v) or type(v).__name__ == "DataArray":
                entries.append((f"{name}.{f}", input_field_dim(name, f), v))
    grid = make_grid(entries)
    B = grid.size
    n, n_obs = model.n_states, (len(model.observable_names) if observables else 0)
    nv = n + n_obs
    want_full = "full" in recs
    want_red = bool(recs & {"min", "max", "mean"})
    out_dtype = dtype if fixed else np.dtype("float64")
    _check_size(model, plan, B, nv, want_full, want_red, out_dtype, dtype)

    system = compile_model(model)
    P = np.empty((len(model.param_names) + len(model.input_names), B), dtype=dtype)
    for i, name in enumerate(model.param_names):
        P[i] = grid.flat(name, model.params[name])
    Y0 = np.empty((n, B), dtype=dtype)
    for i, name in enumerate(model.state_names):
        Y0[i] = grid.flat(name, model.states[name])
    in_T, in_V, in_K, in_desc = _build_inputs(model, signals, grid, B)
    lo_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[0]) for s in model.state_names])
    hi_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[1]) for s in model.state_names])
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
            and -2 ** 63 <= seed < 2 ** 63):
        raise OptionsError(f"`seed` must be a whole number in [-2**63, 2**63); got {seed!r}")
    seed = int(seed)

    # recorded rows: the fixed-step grid starts after the transient already; the
    # adaptive driver samples the whole grid and keeps the samples from q0 on
    n_rec = plan.n_rec
    REC = np.full((n_rec if want_full else 0, nv, B), np.nan, dtype=out_dtype)
    RMIN = np.full((nv, B if want_red else 0), np.nan)
    RMAX, RSUM = RMIN.copy(), RMIN.copy()
    FINAL = np.full((n, B), np.nan, dtype=out_dtype)
    STATUS = np.zeros(B, dtype=np.int8)
    TSTOP = np.full(B, np.nan)
    NSTEPS = np.zeros(B, dtype=np.int64)

    if fixed:
        red = ("min" in recs) * 1 + ("max" in recs) * 2 + ("mean" in recs) * 4
        # Euler without noise in float64: the fused one-pass step (same results, bit for bit)
        fused = method == "euler" and noise_spec.kind == 0 and dtype == np.float64
        scheme = 1 if method == "exp_euler" else 0
        n_derived = system.module.N_DERIVED
        # the fused kernel takes parameters shared by the whole batch as scalars; it is
        # compiled once per pattern of shared parameters, so only for runs long enough
        # to gain from it (shorter ones share the one kernel that reads every row)
        PU, QU = (uniform_rows(P, len(model.param_names), system.derived_block, n_derived)
                  if fused and B * plan.n_steps >= _SHARED_WORK
                  else no_uniform_rows(P.shape[0], n_derived))

        def run(lo, hi):
            if fused:
                system.run_euler(
                    Y0, P, t0, float(dt), plan.n_steps, plan.q0, plan.rec_every, in_T, in_V,
                    in_K, lo, hi, lo_b, hi_b, _CHUNK, want_full, red, n_obs, REC, RMIN, RMAX,
                    RSUM, FINAL, STATUS, TSTOP, PU, QU, CONSTANTS)
            else:
                system.run_fixed(
                    Y0, P, scheme, tab.A, tab.b, tab.c, t0, float(dt),
                    plan.n_steps, plan.q0, plan.rec_every, in_T, in_V, in_K, noise_spec.kind,
                    noise_spec.sigma, noise_spec.tau, seed, lo, hi, lo_b, hi_b, _CHUNK,
                    want_full, red, n_obs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP)
    else:
        dense = tab.dense if tab.dense is not None else tab.hermite_dense()
        Y0d, Pd = Y0.astype(float, copy=False), P.astype(float, copy=False)

        def run(lo, hi):
            system.run_adaptive(
                Y0d, Pd, tab.A, tab.b, tab.b_error, tab.c, dense, 1.0 / (tab.error_order + 1),
                t0, t1, float(dt or 0.0), float(rtol), float(atol), ctrl.as_array(tab),
                int(max_steps), plan.rec_t, plan.q0, in_T, in_V, in_K, lo, hi, lo_b, hi_b,
                want_full, want_red, n_obs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, NSTEPS)

    run_pieces(run, B, (plan.n_steps or 2000) * tab.stages, progress, f"simulate {model.name}")

    return _Run(model, grid, plan, recs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP,
                NSTEPS, n_obs, fixed, dict(
                           method=method, dt=dt, t_start=t0, t_end=t1, record=sorted(recs),
                           sampling=None if sampling is None else float(sampling),
                           transient=float(transient), rtol=None if fixed else rtol,
                           atol=None if fixed else atol, seed=seed if noise_spec.kind else None,
                           noise=noise_spec.describe() or None, inputs=in_desc or None,
                           stop_bounds={k: list(v) for k, v in bounds.items()} or None,
                           dtype=str(dtype)), params)


def _check_size(model, plan, B, nv, want_full, want_red, out_dtype, dtype):
    """Refuse (ResourceError) a request whose arrays would not fit in memory."""
    n, n_p = model.n_states, len(model.param_names) + len(model.input_names)
    per_row = (n_p + n) * dtype.itemsize + n * out_dtype.itemsize + 8 * 3 + 1
    per_row += 8 * 3 * nv if want_red else 0
    per_row += 8 * 2  # the flat sweep values of each quantity, built one at a time
    full = float(plan.n_rec) * nv * out_dtype.itemsize if want_full else 0.0
    times = 8.0 * plan.n_rec if want_full else 0.0
    need = B * (per_row + full) + times
    shape = f"{B} row{'s' if B != 1 else ''}"
    if want_full:
        shape += f" x {plan.n_rec:.4g} samples x {nv} variables"
    check_memory(need, f"simulate(record='full') of {shape}" if want_full
                 else f"simulate of {shape}",
                 "record less (record='minmax', 'mean' or 'final'), a coarser `sampling`, "
                 "a longer `transient`, a shorter time span, or fewer sweep values per call")


class _Run:
    """The arrays of one :func:`simulate` call and what it takes to label them.

    :meth:`parts` gives the result's variables and coordinates as ``name -> (dims,
    ndarray, attrs)`` and its attributes, in plain numpy (no xarray import);
    :meth:`dataset` the :class:`xarray.Dataset` that :func:`simulate` returns.
    """

    def __init__(self, model, grid, plan, recs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP,
                 NSTEPS, n_obs, fixed, options, params):
        self._args = (model, grid, plan, recs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP,
                      NSTEPS, n_obs, fixed, options, params)
        self._parts = None

    def parts(self):
        """``(data, coords, attrs)``: the variables, the coordinates and the attributes."""
        if self._parts is None:
            self._parts = _parts(*self._args)
        return self._parts

    def dataset(self):
        """The labelled result, as :func:`simulate` returns it."""
        import xarray as xr

        data, coords, attrs = self.parts()
        model, dims = self._args[0], self._args[1].dims
        ds = xr.Dataset(_variables(xr, data), coords=_variables(xr, coords))
        label_sweep_dims(ds, model, dims)
        ds.attrs.update(attrs)
        return ds


def _parts(model, grid, plan, recs, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, NSTEPS,
           n_obs, fixed, options, params):
    dims, shape = grid.dims, grid.shape
    names = list(model.state_names) + list(model.observable_names[:n_obs])
    coords = {d: grid.coords[d] for d in dims}
    data = {}
    failed = STATUS != 0

    def attrs_of(name, extra=""):
        info = model.state_info.get(name) or model.observable_info.get(name)
        desc = info.description or name
        return {"long_name": f"{desc}{extra}", "units": info.units}

    if "full" in recs:
        times = plan.record_times()
        coords["time"] = ("time", times, {"long_name": "time",
                                               "units": model.time_units})
        for v, name in enumerate(names):
            data[name] = (("time", *dims), REC[:, v, :].reshape((REC.shape[0], *shape)),
                          attrs_of(name))
    if "final" in recs:
        for v, name in enumerate(model.state_names):
            data[name] = (dims, FINAL[v].reshape(shape), attrs_of(name, " (final value)"))
    if recs & {"min", "max", "mean"}:
        RMIN[:, failed] = np.nan
        RMAX[:, failed] = np.nan
        for v, name in enumerate(names):
            if "min" in recs:
                data[f"{name}_min"] = (dims, RMIN[v].reshape(shape), attrs_of(name, " (minimum)"))
            if "max" in recs:
                data[f"{name}_max"] = (dims, RMAX[v].reshape(shape), attrs_of(name, " (maximum)"))
            if "mean" in recs:
                mean = np.where(failed, np.nan, RSUM[v] / plan.n_red)
                data[f"{name}_mean"] = (dims, mean.reshape(shape), attrs_of(name, " (mean)"))
    data["status"] = (dims, STATUS.reshape(shape), status_attrs())
    data["t_stop"] = (dims, TSTOP.reshape(shape),
                      {"long_name": "time a failed trajectory stopped (NaN if ok)",
                       "units": model.time_units})
    if not fixed:
        data["n_steps"] = (dims, NSTEPS.reshape(shape),
                           {"long_name": "steps attempted by the adaptive method", "units": "1"})
    if "full" not in recs:
        t_end = plan.t0 + plan.n_steps * plan.dt if plan.fixed else plan.t1
        coords["time"] = ((), np.asarray(float(t_end)), {"long_name": "time of the final state",
                                                         "units": model.time_units})
    options = dict(options)
    attrs = provenance(model, analysis="simulate", fixed_params=fixed_params(model, params),
                       method=options.pop("method"), options=options)
    attrs["n_failed"] = int(failed.sum())
    attrs["initial_state_defaults"] = json_attr(dict(model.states))
    return data, coords, attrs


def _variables(xr, entries):
    """``name -> (dims, ndarray[, attrs])`` as :class:`xarray.Variable` objects built on
    xarray's fast path: the arrays are plain numpy already, and the general path's check
    for dask arrays would import dask (a quarter of a second) in every process."""
    out = {}
    for name, entry in entries.items():
        if isinstance(entry, tuple):
            dims, values, *attrs = entry
            dims = (dims,) if isinstance(dims, str) else tuple(dims)
            entry = xr.Variable(dims, np.asarray(values), attrs[0] if attrs else None,
                                fastpath=True)
        else:
            entry = xr.Variable((name,), np.asarray(entry), fastpath=True)
        out[name] = entry
    return out
