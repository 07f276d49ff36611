"""``regime_map`` over a parameter grid, in one block or in dask blocks."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from ..._checks import check_names
from ...compile import compile_model
from ...errors import OptionsError
from ...results.attrs import label_sweep_dims, provenance
from ...results.conventions import DEFAULT_SPAN, default_span, rate_units
from ..cycles.classify import CYCLE, EQUILIBRIUM, classify_rows
from ..cycles.sweep import check_positive, constant_inputs, sweep_rows, time_options
from ..scales import amplitude_scales
from ..lyapunov import largest_lyapunov
from .attractors import (cluster_attractors, initial_states, regime_codes,
                         regime_variables)

__all__ = ["regime_map", "default_span", "DEFAULT_SPAN"]

_INIT = "init"




def regime_map(model, params, *, y0=None, n_initial=4, inputs=None, t=None,
               transient=None, method=None, dt=None, sampling=None, rtol=None, atol=None,
               tol=1e-4, eq_tol=1e-4, cluster_tol=1e-4, amplitude_of=None, lyapunov=False,
               lyapunov_dt=None, lyapunov_threshold=None, seed=0, batch_size=None,
               progress=None, chunks=None, client=None):
    """Regime (equilibria, cycles, irregular) at every point of a parameter grid.

    Parameters
    ----------
    model : Model or Network
        A model, or a :class:`~nmanalysis.model.network.Network` with or
        without delays (see Notes).
    params : dict
        Parameter name -> 1-D array (a grid dimension, usually two of them) or
        number (fixed). Several arrays form an outer product. For a network:
        its gain, ``speed`` (networks built from distances) and node parameters
        (applied to every node).
    y0 : dict, optional
        Initial states tried at every grid point: state -> 1-D array (zipped,
        one common length) or number. Default: the model's initial state plus
        ``n_initial - 1`` low-discrepancy points in the states' declared bounds
        (+-10 for states without bounds). For a network: node state -> number,
        1-D array (one value per initial state) or 2-D array (initial state,
        node), or a list of dicts (one initial state each, as
        ``nma.simulate(network, y0=...)`` takes it); see Notes for the default.
    n_initial : int
        Number of default initial states.
    inputs : dict, optional
        Constant inputs (numbers or 1-D arrays; for a network: a number or one
        per node).
    t, transient, method, dt, sampling, rtol, atol, tol, eq_tol
        Integration and classification options of
        :func:`~nmanalysis.analysis.cycles.find_cycles` (``method="rk4"`` with
        a ``dt`` is several times faster for large maps). ``method`` defaults
        to ``"dopri5"`` (``rtol=1e-8``, ``atol=1e-10``) for a model and to
        ``"heun"`` for a network, which takes the fixed-step methods
        ``"euler"``, ``"heun"``, ``"rk4"``, ``"exp_euler"`` with ``dt``
        (default span / 20000, no smaller than the shortest delay) and no
        ``rtol``/``atol``. ``t`` defaults to
        ``(0, 4)`` for models in seconds, ``(0, 2000)`` in milliseconds, else
        ``(0, 1000)``; points whose trajectories have not settled by then are
        ``undecided``.
    cluster_tol : float
        Two equilibria are the same when their scaled distance is below this;
        two cycles when period and scaled extrema agree to 10 times it.
    amplitude_of : str, optional
        State whose peak-to-peak oscillation is ``amplitude`` (default the
        first; for a network the source node state, and the amplitude is the
        largest over the nodes).
    lyapunov : bool
        Also estimate the largest Lyapunov exponent of every trajectory
        (:func:`nmanalysis.analysis.lyapunov.largest_lyapunov`); a point with a
        trajectory whose exponent exceeds ``lyapunov_threshold`` is
        ``irregular``.
    lyapunov_dt : float, optional
        RK4 step of the exponent (default ``dt``, or span / 20000).
    lyapunov_threshold : float, optional
        Default ``10 / (t_end - t_start - transient)`` (the estimate's error is
        of order one over the averaging time).
    seed : int
        Seed of the default initial states (and of the Lyapunov tangents).
    batch_size : int, optional
        Trajectories simulated at once (default: ~200 MB of samples).
    progress : bool, optional
        Progress bar (``None``: on a terminal for long runs).
    chunks : int or dict, optional
        Split the grid into blocks of this many values per dim (dict: per dim)
        and compute the blocks with dask (``pip install nmanalysis[dask]``):
        on ``client`` (a ``dask.distributed.Client``) if given, else with the
        threaded scheduler. The result is the same Dataset as without dask.
        Models only.
    client : dask.distributed.Client, optional
        Run the blocks on this cluster (implies ``chunks``; default one block
        per ~2000 trajectories).

    Returns
    -------
    xarray.Dataset
        Grid dims (the swept parameters), variables

        - ``regime`` (int8; CF ``flag_values``/``flag_meanings``):
          0 single stable equilibrium, 1 multiple stable equilibria, 2 limit
          cycle, 3 coexisting cycle and equilibrium, 4 more than one cycle,
          5 irregular (positive largest Lyapunov exponent), -1 undecided (no
          trajectory settled), -2 every integration failed;
        - ``n_attractors`` (distinct equilibria + cycles, + 1 if irregular),
          ``n_equilibria``, ``n_cycles``, ``n_undecided``, ``n_failed`` (of the
          initial states);
        - ``frequency`` (1 / period of the cycle with the largest amplitude;
          NaN without cycle), ``period``, ``amplitude`` (peak-to-peak of
          ``amplitude_of`` on that cycle; 0 at equilibria);
        - ``lyapunov`` (largest over the initial states) when asked.

        Undecided trajectories beside decided ones do not change the regime;
        ``n_undecided`` reports them.

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid;
        also when ``chunks``/``client`` is given and dask is not installed, and
        for a network when options of models only are given (``rtol``,
        ``atol``, ``lyapunov``, ``lyapunov_dt``, ``lyapunov_threshold``,
        ``chunks``, ``client``, an adaptive ``method``).

    See Also
    --------
    nmanalysis.analysis.cycles.find_cycles, nmanalysis.plot.regime_map,
    nmanalysis.simulate

    Notes
    -----
    **Networks.** A :class:`~nmanalysis.model.network.Network` is integrated
    by the delayed integrator (:func:`nmanalysis.simulate` of a network; the
    sweep rows in parallel threads) and every trajectory is classified from
    its samples alone, since Newton's method and Jacobian eigenvalues of the
    ordinary vector field do not apply to delay equations
    (:mod:`nmanalysis.analysis.regimes.network`):

    - equilibrium: every node state settled within ``eq_tol`` (scaled) over
      the last third of the analysed window, at least halving from the first
      third. Equilibria are final states, not polished by Newton: two are the
      same when they agree to ``max(cluster_tol, 5 eq_tol)``;
    - cycle: returns to a section of the node state of largest oscillation
      recur with one period, the whole network state returns, and the last
      period repeats the one three periods before (all within ``tol``);
      crossing times and extrema are interpolated by cubic Hermite
      polynomials with finite-difference slopes, so ``sampling`` must resolve
      the waveform (tens of samples per period or more; the default is ``dt``);
    - irregular (code 5): a sustained oscillation of constant size with no
      period (chaotic or quasi-periodic) and no sign of converging, decided
      conservatively from at least 64 section crossings; otherwise undecided.

    Default initial states of a network: the node model's initial state in
    every node, then alternately one low-discrepancy point of the node states'
    box shared by all nodes (a synchronous start) and independent uniform
    draws per node (seeded by ``seed``); the history before ``t_start`` holds
    each initial state. A network without delays gives the regimes of its flat
    model ``net.to_model()`` (same codes, frequencies to ~1e-6 with the same
    initial states and steps).

    Examples
    --------
    The Stuart-Landau oscillator: a stable focus for mu < 0, a limit cycle of
    period 2 pi / (omega - b mu) for mu > 0:

    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.regimes import regime_map
    >>> m = nma.get_model("stuart_landau")
    >>> ds = regime_map(m, {"mu": np.array([-0.5, 0.5]), "b": np.array([0.0, 1.0])},
    ...                 t=(0, 100), n_initial=2)
    >>> ds["regime"].values.tolist()
    [[0, 0], [2, 2]]
    >>> (2 * np.pi * ds["frequency"][1]).round(6).values.tolist()
    [1.0, 0.5]
    """
    from ...model.network import Network
    if isinstance(model, Network):
        from .network import network_regime_map
        return network_regime_map(
            model, params, y0=y0, n_initial=n_initial, inputs=inputs, t=t,
            transient=transient, method=method, dt=dt, sampling=sampling, rtol=rtol, atol=atol,
            tol=tol, eq_tol=eq_tol, cluster_tol=cluster_tol, amplitude_of=amplitude_of,
            lyapunov=lyapunov, lyapunov_dt=lyapunov_dt, lyapunov_threshold=lyapunov_threshold,
            seed=seed, batch_size=batch_size, progress=progress, chunks=chunks, client=client)
    method = "dopri5" if method is None else method
    rtol = 1e-8 if rtol is None else rtol
    atol = 1e-10 if atol is None else atol
    if t is None:
        t = default_span(model)
    t0, t1, transient, dt_, sampling_ = time_options(t, transient, method, dt, sampling)
    check_positive(rtol=rtol, atol=atol, tol=tol, eq_tol=eq_tol, cluster_tol=cluster_tol)
    others = {"inputs": model.input_names, "y0": model.state_names}
    params = check_names(params, model.param_names, "params", others)
    swept = [k for k, v in params.items() if np.ndim(v)]
    if not swept:
        raise OptionsError("`params` must sweep at least one parameter (a 1-D array of "
                           "values), e.g. params={'p': np.linspace(0, 300, 50)}")
    if amplitude_of is None:
        amplitude_of = model.state_names[0]
    if amplitude_of not in model.state_names:
        raise OptionsError(f"`amplitude_of` must be a state {list(model.state_names)}; got "
                           f"{amplitude_of!r}")
    inits = initial_states(model, y0, n_initial, seed)
    constant_inputs(model, inputs)
    opts = dict(t=(t0, t1), transient=transient, method=method, dt=dt_, sampling=sampling_,
                rtol=rtol, atol=atol, tol=tol, eq_tol=eq_tol, cluster_tol=cluster_tol,
                amplitude_of=amplitude_of, lyapunov=bool(lyapunov), lyapunov_dt=lyapunov_dt,
                lyapunov_threshold=lyapunov_threshold, seed=seed, batch_size=batch_size)
    if chunks is None and client is None:
        return _block(model, params, inits, inputs, progress=progress, **opts)
    return _dask_map(model, params, inits, inputs, swept, chunks, client, progress, opts)


def _block(model, params, inits, inputs, *, progress, t, transient, method, dt, sampling, rtol,
           atol, tol, eq_tol, cluster_tol, amplitude_of, lyapunov, lyapunov_dt,
           lyapunov_threshold, seed, batch_size):
    """The regime map of one block of the grid (no dask)."""
    import xarray as xr

    n_i = next(iter(inits.values())).size
    extra = [(s, _INIT, xr.DataArray(v, dims=_INIT)) for s, v in inits.items()]
    grid, P, Y0, fixed = sweep_rows(model, params, None, inputs, extra=extra)
    if grid.dims[-1] != _INIT:
        raise OptionsError(f"`params` must not use the dimension name {_INIT!r}")
    system = compile_model(model)
    res = classify_rows(model, system, P, Y0, t=t, transient=transient, method=method, dt=dt,
                        sampling=sampling, rtol=rtol, atol=atol, tol=tol, eq_tol=eq_tol,
                        max_steps=10_000_000, n_phase=0, detail=False, batch_size=batch_size,
                        progress=progress, desc=f"regime_map {model.name}")
    G = grid.size // n_i
    sc = amplitude_scales(model)
    n_eq, n_cy, n_und, n_fail, period, amp = cluster_attractors(
        res, G, n_i, sc, model.state_names.index(amplitude_of), cluster_tol)
    lyap = None
    irregular = np.zeros(G, bool)
    if lyapunov:
        lyap, irregular = _lyapunov(model, P, Y0, inputs, t, transient, dt, lyapunov_dt,
                                    lyapunov_threshold, seed, G, n_i, res["regime"], progress)
    code = regime_codes(n_eq, n_cy, n_und, n_fail, n_i, irregular)
    dims = grid.dims[:-1]
    shape = grid.shape[:-1]
    coords = {d: grid.coords[d] for d in dims}
    tu = model.time_units
    amp_units = model.state_info[amplitude_of].units

    data = regime_variables(dims, shape, code, n_eq, n_cy, irregular, n_und, n_fail, period,
                            amp, tu, rate_units(model), amplitude_of, amp_units)

    def g(a):
        return a.reshape(shape)

    if lyap is not None:
        data["lyapunov"] = (dims, g(lyap), {"long_name": "largest Lyapunov exponent (largest "
                                                         "over the initial states)",
                                            "units": rate_units(model)})
    ds = xr.Dataset(data, coords=coords)
    label_sweep_dims(ds, model, dims)
    options = dict(t_start=t[0], t_end=t[1], transient=transient, dt=dt, sampling=sampling,
                   rtol=None if dt else rtol, atol=None if dt else atol, tol=tol, eq_tol=eq_tol,
                   cluster_tol=cluster_tol, amplitude_of=amplitude_of,
                   initial_states={k: v.tolist() for k, v in inits.items()},
                   lyapunov=bool(lyapunov))
    ds.attrs.update(provenance(model, analysis="regime_map", fixed_params=fixed, method=method,
                               options=options))
    return ds


def _lyapunov(model, P, Y0, inputs, t, transient, dt, lyapunov_dt, threshold, seed, G, n_i,
              regime, progress):
    import xarray as xr

    span = t[1] - t[0]
    ldt = lyapunov_dt or dt or span / 20_000
    ldt = span / max(1, round(span / ldt))
    trans = round(transient / ldt) * ldt
    names = (*model.param_names, *model.input_names)
    rows = "_row"
    pars = {k: xr.DataArray(P[i], dims=rows) for i, k in enumerate(names)
            if k in model.param_names}
    inps = {k: xr.DataArray(P[i], dims=rows) for i, k in enumerate(names)
            if k in model.input_names}
    y0 = {s: xr.DataArray(Y0[i], dims=rows) for i, s in enumerate(model.state_names)}
    ds = largest_lyapunov(model, params=pars, y0=y0, inputs=inps or None, t=t, transient=trans,
                          dt=ldt, seed=seed, progress=progress)
    lam = np.asarray(ds["lyapunov"].values, dtype=float).reshape(G, n_i)
    if threshold is None:
        threshold = 10.0 / (span - transient)
    decided = (regime.reshape(G, n_i) == EQUILIBRIUM) | (regime.reshape(G, n_i) == CYCLE)
    irregular = np.any((lam > threshold) & ~decided, axis=1)
    with np.errstate(all="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lam_max = np.nanmax(lam, axis=1)
    return lam_max, irregular


def _dask_map(model, params, inits, inputs, swept, chunks, client, progress, opts):
    try:
        import dask
    except ImportError:
        raise OptionsError("`chunks`/`client` need dask: pip install 'nmanalysis[dask]' (or "
                           "pip install dask)") from None
    import xarray as xr

    sizes = {k: np.size(params[k]) for k in swept}
    if chunks is None:
        n_i = next(iter(inits.values())).size
        per = max(1, int(2000 / n_i))
        chunks = {k: max(1, int(round(per ** (1 / len(swept))))) for k in swept}
    if isinstance(chunks, (int, np.integer)):
        chunks = {k: int(chunks) for k in swept}
    if not isinstance(chunks, dict):
        raise OptionsError(f"`chunks` must be a whole number or a dict dim -> number; got "
                           f"{chunks!r}")
    chunks = check_names(chunks, swept, "chunks")
    for k, c in chunks.items():
        if not (isinstance(c, (int, np.integer)) and c >= 1):
            raise OptionsError(f"`chunks[{k!r}]` must be a whole number >= 1; got {c!r}")
    edges = {k: list(range(0, sizes[k], int(chunks.get(k, sizes[k])))) for k in swept}
    tasks, keys = [], []
    block = dask.delayed(_block, pure=True)
    for starts in itertools.product(*(edges[k] for k in swept)):
        sub = dict(params)
        for k, s in zip(swept, starts):
            step = int(chunks.get(k, sizes[k]))
            sub[k] = np.asarray(params[k], dtype=float)[s:s + step]
        tasks.append(block(model, sub, inits, inputs, progress=False, **opts))
        keys.append(starts)
    if client is not None:
        futures = client.compute(tasks)
        parts = client.gather(futures)
    else:
        parts = dask.compute(*tasks, scheduler="threads")
    # nest the blocks as an N-d list in the order of the swept dims
    index = {k: {s: i for i, s in enumerate(edges[k])} for k in swept}
    shape = [len(edges[k]) for k in swept]
    nested = np.empty(shape, dtype=object)
    for starts, part in zip(keys, parts):
        nested[tuple(index[k][s] for k, s in zip(swept, starts))] = part
    ds = xr.combine_nested(nested.tolist(), concat_dim=list(swept), combine_attrs="override")
    return ds.transpose(*swept)

