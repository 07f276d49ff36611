"""``regime_map`` of a :class:`~nmanalysis.model.network.Network`, from samples alone.

A network with delays is a system of delay equations: its state is a stretch
of its past, so the tools of :mod:`..cycles.classify` that use the ordinary
vector field (Newton on the final state, Jacobian eigenvalues, Hermite
interpolation with the right-hand side) do not apply. Every (grid point,
initial state) is integrated by the delayed integrator
(:func:`~nmanalysis.integrate.delayed.simulate_network`, sweep rows in
parallel threads) and classified from its samples by
:func:`.samples.classify_samples`:

* **equilibrium**: every node state has settled: the largest scaled distance
  from the final state over the last third of the analysed window is below
  ``eq_tol`` and at most half of that over the first third (or below
  ``1e-3 eq_tol``);
* **cycle**: upward crossings of the section (the node state of largest
  scaled oscillation through its window mean) recur with one period (spread
  below ``tol``), the whole network state at the crossings returns (scaled
  distance relative to the oscillation size below ``tol``), and the last period
  repeats the one three periods before at 64 phases (a damped oscillation has a
  constant period too); times, states and extrema come from cubic Hermite
  interpolation of the samples with five-point finite-difference slopes;
* **irregular**: a sustained aperiodic oscillation (conservative criteria in
  :func:`.samples.classify_samples`);
* **undecided**: anything else (e.g. still converging), never guessed.

The attractors of the initial states of a grid point are grouped and coded by
:mod:`.attractors`, as for models.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping

import numpy as np

from ...errors import OptionsError
from ...integrate.batch import make_grid
from ...integrate.delayed import DELAY_METHODS, simulate_network
from ...integrate.inputs import InputSignal
from ...progress import progress_bar
from ...results.attrs import json_attr, provenance
from ...results.conventions import default_span, rate_units
from ..cycles.classify import FAILED
from ..cycles.sweep import check_positive, time_options
from ..equilibria import low_discrepancy
from ..scales import amplitude_scales, state_interval
from .attractors import cluster_attractors, regime_codes, regime_variables
from .samples import IRREGULAR_TRAJECTORY, MIN_SAMPLES, classify_samples

__all__ = ["network_regime_map", "network_initial_states"]

_ROW = "_row"
_MEMORY = 2.0e8                 # bytes of samples (and their work arrays) held at once


# -- options -----------------------------------------------------------------------------------
def _refuse(rtol, atol, lyapunov, lyapunov_dt, lyapunov_threshold, chunks, client):
    bad = {"rtol": rtol, "atol": atol, "lyapunov_dt": lyapunov_dt,
           "lyapunov_threshold": lyapunov_threshold, "chunks": chunks, "client": client}
    given = [k for k, v in bad.items() if v is not None]
    if lyapunov:
        given.insert(0, "lyapunov")
    if given:
        raise OptionsError(
            f"regime_map of a Network does not take {given}: networks are integrated with a "
            f"fixed step `dt` (method one of {list(DELAY_METHODS)}, no rtol/atol), irregular "
            "dynamics are told from the samples (no Lyapunov exponents), and the sweep rows "
            "already run in parallel threads (no chunks/client)")


def _constant_inputs(net, inputs):
    """The node model's inputs as numbers or N numbers (an autonomous network)."""
    inputs = dict(inputs or {})
    names = list(net.node_model.input_names)
    out = {}
    for k, v in inputs.items():
        if k not in names:
            raise OptionsError(f"`inputs` got unknown name {k!r}; the node model's inputs are "
                               f"{names}")
        if isinstance(v, (InputSignal, Mapping)):
            raise OptionsError(f"`inputs[{k!r}]` must be a number or {net.n_nodes} numbers (one "
                               f"per node): a regime map needs an autonomous network; got {v!r}")
        arr = np.asarray(v, dtype=float)
        if arr.shape not in ((), (net.n_nodes,)) or not np.all(np.isfinite(arr)):
            raise OptionsError(f"`inputs[{k!r}]` must be a finite number or {net.n_nodes} "
                               f"numbers (one per node); got shape {arr.shape}")
        out[k] = float(arr) if arr.ndim == 0 else arr
    return out


def network_initial_states(net, y0, n_initial, seed):
    """Initial states of every run: array of shape (n_init, N, n_node_states).

    ``y0`` None: the node model's initial state in every node, then alternately
    a low-discrepancy point of the node state box shared by every node (a
    synchronous start) and independent uniform draws in that box per node (an
    asynchronous start), seeded. The box of a state is its declared bounds,
    else +-30 natural sizes (:func:`~nmanalysis.analysis.scales.state_interval`).
    ``y0`` a dict: node state -> number, 1-D array (one value per initial
    state, zipped) or 2-D array (initial state, node); a list of dicts: one
    initial state each, as ``nma.simulate(network, y0=...)`` takes it.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> net = nma.Network(nma.get_model("wilson_cowan"), np.ones((3, 3)) - np.eye(3))
    >>> Y = network_initial_states(net, None, 3, seed=0)
    >>> Y.shape, bool(np.all(Y[1] == Y[1][0])), bool(np.all(Y[2] == Y[2][0]))
    ((3, 3, 2), True, False)
    """
    node = net.node_model
    names = list(node.state_names)
    N, ns = net.n_nodes, len(names)
    default = np.array([float(node.states[s]) for s in names])
    if y0 is None:
        if not (isinstance(n_initial, numbers.Integral) and not isinstance(n_initial, bool)
                and n_initial >= 1):
            raise OptionsError(f"`n_initial` must be a whole number >= 1; got {n_initial!r}")
        lo, hi = (np.array(v) for v in zip(*(state_interval(node, s, {}, "bounds")
                                              for s in names)))
        out = np.empty((n_initial, N, ns))
        out[0] = default
        n_sync = n_initial // 2
        sync = lo + low_discrepancy(max(n_sync, 1), ns, seed) * (hi - lo)
        for i in range(1, n_initial):
            if i % 2:
                out[i] = sync[i // 2]
            else:
                rng = np.random.default_rng([int(seed) % 2 ** 63, i])
                out[i] = lo + rng.random((N, ns)) * (hi - lo)
        return out
    if isinstance(y0, Mapping):
        arrays = {}
        for k, v in y0.items():
            if k not in names:
                raise OptionsError(f"`y0` got unknown state {k!r}; node states are {names}")
            arr = np.asarray(v, dtype=float)
            if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[1] != N):
                raise OptionsError(f"`y0[{k!r}]` must be a number, a 1-D array (one value per "
                                   f"initial state) or a 2-D array (initial state, node) with "
                                   f"{N} columns; got shape {arr.shape}")
            arrays[k] = arr
        sizes = {a.shape[0] for a in arrays.values() if a.ndim}
        if len(sizes) > 1:
            raise OptionsError(f"`y0` arrays must have one common number of initial states "
                               f"(zipped); got { {k: a.shape for k, a in arrays.items()} }")
        n_i = sizes.pop() if sizes else 1
        out = np.broadcast_to(default, (n_i, N, ns)).copy()
        for k, arr in arrays.items():
            j = names.index(k)
            out[:, :, j] = np.broadcast_to(arr.reshape(-1, 1) if arr.ndim == 1 else arr,
                                           (n_i, N))
        return _finite(out)
    if isinstance(y0, (list, tuple)) and y0 and all(isinstance(d, Mapping) for d in y0):
        out = np.broadcast_to(default, (len(y0), N, ns)).copy()
        for i, d in enumerate(y0):
            for k, v in d.items():
                if k not in names:
                    raise OptionsError(f"`y0[{i}]` got unknown state {k!r}; node states are "
                                       f"{names}")
                arr = np.asarray(v, dtype=float)
                if arr.shape not in ((), (N,)):
                    raise OptionsError(f"`y0[{i}][{k!r}]` must be a number or {N} values (one "
                                       f"per node); got shape {arr.shape}")
                out[i, :, names.index(k)] = arr
        return _finite(out)
    raise OptionsError("`y0` of a network must be a dict node state -> number, 1-D array (per "
                       "initial state) or 2-D array (initial state, node), or a list of dicts "
                       f"(one initial state each); got {type(y0).__name__}")


def _finite(Y):
    if not np.all(np.isfinite(Y)):
        raise OptionsError("`y0` values must be finite")
    return Y


# -- the map -----------------------------------------------------------------------------------
def network_regime_map(net, params, *, y0=None, n_initial=4, inputs=None, t=None,
                       transient=None, method=None, dt=None, sampling=None, rtol=None,
                       atol=None, tol=1e-4, eq_tol=1e-4, cluster_tol=1e-4, amplitude_of=None,
                       lyapunov=False, lyapunov_dt=None, lyapunov_threshold=None, seed=0,
                       batch_size=None, progress=None, chunks=None, client=None):
    """The regime map of a Network; called by :func:`~nmanalysis.analysis.regimes.regime_map`.

    Same arguments and result as there (see its Notes for networks); the
    default ``method`` is ``"heun"``.

    Examples
    --------
    Two Stuart-Landau nodes without delays: a focus below the Hopf point
    ``mu = 0``, a cycle of angular frequency ``omega`` above it:

    >>> import numpy as np, nmanalysis as nma
    >>> net = nma.Network(nma.get_model("stuart_landau"), [[0, 1], [1, 0]], source="x",
    ...                   target="mu", coupling="diffusive", params={"K": 0.1})
    >>> ds = network_regime_map(net, {"mu": [-0.5, 0.5]}, t=(0, 100), dt=0.01, method="rk4",
    ...                         n_initial=2)
    >>> ds["regime"].values.tolist(), round(2 * np.pi * float(ds["frequency"][1]), 6)
    ([0, 2], 1.0)
    """
    _refuse(rtol, atol, lyapunov, lyapunov_dt, lyapunov_threshold, chunks, client)
    method = "heun" if method is None else method
    if method not in DELAY_METHODS:
        raise OptionsError(f"`method` of a network regime map must be one of "
                           f"{list(DELAY_METHODS)}; got {method!r}")
    node = net.node_model
    if t is None:
        t = default_span(node)
    t0, t1, transient, dt, sampling = time_options(
        t, transient, "euler" if method == "exp_euler" else method, dt, sampling)
    check_positive(tol=tol, eq_tol=eq_tol, cluster_tol=cluster_tol)
    if not isinstance(params, Mapping):
        raise OptionsError(f"`params` must be a dict name -> value; got {type(params).__name__}")
    params = dict(params)
    for k in params:
        if k not in net.params:
            raise OptionsError(f"`params` got unknown name {k!r}; network parameters are "
                               f"{list(net.network_params)}, node parameters "
                               f"{list(net.node_params)}")
    swept = [k for k, v in params.items() if np.ndim(v)]
    if not swept:
        raise OptionsError("`params` must sweep at least one parameter (a 1-D array of "
                           f"values), e.g. params={{{net.gain!r}: np.linspace(0, 2, 21)}}")
    if amplitude_of is None:
        amplitude_of = net.source
    if amplitude_of not in node.state_names:
        raise OptionsError(f"`amplitude_of` must be a node state {list(node.state_names)}; "
                           f"got {amplitude_of!r}")
    Y = network_initial_states(net, y0, n_initial, seed)
    inputs = _constant_inputs(net, inputs)
    grid = make_grid([(k, k, params[k]) for k in swept])
    fixed = {k: v for k, v in params.items() if k not in swept}
    G, n_i, N, ns = grid.size, Y.shape[0], net.n_nodes, len(node.state_names)
    n = N * ns
    sc_node = amplitude_scales(node)
    sc = np.tile(sc_node, N)
    m = int(round((t1 - t0 - transient) / sampling)) + 1
    res = _run(net, grid, swept, fixed, Y, inputs, sc, m, n, dict(
        t=(t0, t1), dt=dt, method=method, sampling=sampling, transient=transient, seed=seed),
        tol, eq_tol, batch_size, progress)
    # one more column: (0, largest peak-to-peak of amplitude_of over the nodes), the
    # amplitude of a cycle as cluster_attractors reads it
    k_amp = node.state_names.index(amplitude_of)
    ptp = np.max(res["max"][:, k_amp::ns] - res["min"][:, k_amp::ns], axis=1)
    res["min"] = np.concatenate([res["min"], np.zeros((G * n_i, 1))], axis=1)
    res["max"] = np.concatenate([res["max"], ptp[:, None]], axis=1)
    sc_ext = np.append(sc, sc_node[k_amp])
    # equilibria are final states, known to a few eq_tol (no Newton polish): grouped
    # at that tolerance; cycles at cluster_tol as for models
    n_eq = cluster_attractors(res, G, n_i, sc_ext, n, max(cluster_tol, 5 * eq_tol))[0]
    _, n_cy, n_und, n_fail, period, amp = cluster_attractors(res, G, n_i, sc_ext, n,
                                                             cluster_tol)
    irregular = np.any(res["regime"].reshape(G, n_i) == IRREGULAR_TRAJECTORY, axis=1)
    code = regime_codes(n_eq, n_cy, n_und, n_fail, n_i, irregular)
    return _dataset(net, grid, code, n_eq, n_cy, n_und, n_fail, irregular, period, amp,
                    amplitude_of, fixed, Y, method, dict(
                        t_start=t0, t_end=t1, transient=transient, dt=dt, sampling=sampling,
                        tol=tol, eq_tol=eq_tol, cluster_tol=cluster_tol,
                        amplitude_of=amplitude_of, seed=seed,
                        inputs=({k: np.asarray(v).tolist() for k, v in inputs.items()}
                                or None)))


def _run(net, grid, swept, fixed, Y, inputs, sc, m, n, sim, tol, eq_tol, batch_size,
         progress):
    """Simulate every (grid point, initial state) and classify it: flat arrays, init last."""
    import xarray as xr

    G, n_i = grid.size, Y.shape[0]
    flat = {k: grid.flat(k) for k in swept}
    if batch_size is None:
        batch_size = max(1, int(_MEMORY / (8.0 * n * (3 * m + 2 * 256))))
    if not (isinstance(batch_size, numbers.Integral) and batch_size >= 1):
        raise OptionsError(f"`batch_size` must be a whole number >= 1; got {batch_size!r}")
    pieces = [(lo, min(G, lo + batch_size)) for lo in range(0, G, batch_size)]
    regime = np.full((G, n_i), FAILED, np.int8)
    coarse = 0
    period = np.full((G, n_i), np.nan)
    MIN = np.full((G, n_i, n), np.nan)
    MAX = np.full((G, n_i, n), np.nan)
    names = net.node_model.state_names
    bar = progress_bar(G * n_i, f"regime_map {net.name}", progress, unit="traj")
    try:
        for i in range(n_i):
            y0 = {s: Y[i, :, k] for k, s in enumerate(names)}
            for lo, hi in pieces:
                pars = {**fixed, **{k: xr.DataArray(v[lo:hi], dims=_ROW)
                                    for k, v in flat.items()}}
                ds = simulate_network(net, sim["t"], dt=sim["dt"], method=sim["method"],
                                      params=pars, y0=y0, inputs=inputs or None,
                                      record="full", sampling=sim["sampling"],
                                      transient=sim["transient"], seed=sim["seed"],
                                      progress=False)
                X = np.stack([ds[s].transpose("time", "node", _ROW).values for s in names],
                             axis=2).reshape(ds.sizes["time"], n, hi - lo)
                times = ds["time"].values.astype(float)
                st = ds["status"].values
                out = classify_samples(X, times, sc, tol=tol, eq_tol=eq_tol)
                out["regime"][st != 0] = FAILED
                regime[lo:hi, i] = out["regime"]
                coarse += int(np.sum(out["coarse"] & (st == 0)))
                period[lo:hi, i] = out["period"]
                MIN[lo:hi, i] = out["min"]
                MAX[lo:hi, i] = out["max"]
                del X, ds
                bar.update(hi - lo)
    finally:
        bar.close()
    if coarse:
        warnings.warn(f"{coarse} undecided trajectories oscillate with fewer than "
                      f"{MIN_SAMPLES} samples between section crossings; a finer `sampling` "
                      f"(now {sim['sampling']:g}) may decide them", RuntimeWarning, stacklevel=4)
    return dict(regime=regime.reshape(-1), period=period.reshape(-1),
                min=MIN.reshape(G * n_i, n), max=MAX.reshape(G * n_i, n))


_NETWORK_PARAM_NAMES = {"speed": "conduction speed"}


def _dataset(net, grid, code, n_eq, n_cy, n_und, n_fail, irregular, period, amp, amplitude_of,
             fixed, Y, method, options):
    import xarray as xr

    node = net.node_model
    dims, shape = grid.dims, grid.shape
    coords = {}
    for d in dims:
        info = node.param_info.get(d)
        long = (info.description or d) if info is not None else (
            "global coupling gain" if d == net.gain else _NETWORK_PARAM_NAMES.get(d, d))
        coords[d] = (d, np.asarray(grid.coords[d]),
                     {"long_name": long, "units": info.units if info is not None else ""})

    data = regime_variables(dims, shape, code, n_eq, n_cy, irregular, n_und, n_fail, period,
                            amp, node.time_units, rate_units(node),
                            f"{amplitude_of} (largest over the nodes)",
                            node.state_info[amplitude_of].units)
    ds = xr.Dataset(data, coords=coords)
    fixed_all = {k: (np.asarray(v).tolist() if np.ndim(v) else float(v))
                 for k, v in net.params.items() if k not in dims}
    fixed_all.update({k: float(v) for k, v in fixed.items()})
    options["initial_states"] = {s: Y[:, :, k].tolist()
                                 for k, s in enumerate(node.state_names)}
    ds.attrs.update(provenance(node, analysis="regime_map", fixed_params=fixed_all,
                               method=method, options=options))
    ds.attrs["network"] = repr(net)
    ds.attrs["n_nodes"] = net.n_nodes
    ds.attrs["heterogeneous_params"] = json_attr({k: np.asarray(net.node_params[k]).tolist()
                                                  for k in net.heterogeneous})
    return ds
