"""Delayed integration of a :class:`~nmanalysis.model.network.Network`, batched over sweeps.

Fixed-step methods (``euler``, ``heun``, ``rk4``, ``exp_euler``) with per-edge
delays read from a ring buffer of the sending node's source state and its
derivative on the step grid; off-grid delayed values are cubic Hermite
interpolants by default, so the interpolation error (O(dt^4)) does not lower
the order of any of the methods. Cheaper reads are a choice
(``delay_interpolation``): linear interpolation (error O(dt^2): global order
min(p, 2)) or the nearest grid point (error O(dt): global order 1, what
step-indexed delay buffers do). ``nma.simulate(network, ...)`` comes here.

Speed (see ``delay_kernels.py``): the edge tables (read position and weights)
are built once per sweep row, only for nonzero weights; the delayed input of
every node is summed over blocks of steps shorter than the shortest delay,
one contiguous run of history per edge and block; the node equations of all
nodes go through the model's vectorised block kernels. Sweep rows run in
parallel threads. Noise is drawn by a counter-based ziggurat (a pure function
of seed, sweep row and step, so results do not depend on the threads).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .._checks import check_real, check_time_span
from ..errors import OptionsError
from ..model.model import Model
from ..model.network import COUPLINGS, Network
from ..results.attrs import json_attr, provenance
from ..results.status import status_attrs
from .batch import make_grid
from .inputs import as_signal, evaluate
from .noise import parse_noise
from .parallel import run_pieces
from .sizing import check_memory, whole_steps
from .tableaux import get_tableau

__all__ = ["simulate_network", "DELAY_METHODS", "DELAY_INTERPOLATIONS"]

#: fixed-step methods of the delayed integrator
DELAY_METHODS = ("euler", "heun", "rk4", "exp_euler")
#: how delayed values between grid points are read, with the order of the read's error
DELAY_INTERPOLATIONS = {"hermite": 4, "linear": 2, "nearest": 1}
_TEMPLATE = Path(__file__).resolve().parent / "delay_kernels.py"
_PRE = "coupling_pre"
#: sum the delayed input over blocks of steps (False: per step; the same numbers)
_BLOCKS = True
_H = "coupling_h"


def _edge_lists(weights):
    """Edges in CSR order by receiving node: rows, columns and row pointers.

    Only the nonzero weights are edges (a structural connectome is mostly
    nonzero, a sparse one gains in proportion).
    """
    ii, jj = np.nonzero(weights)
    rowptr = np.searchsorted(ii, np.arange(weights.shape[0] + 1)).astype(np.int64)
    return ii, jj, rowptr


def _kernel_model(net: Network) -> Model:
    """The node model, plus (expression coupling) an input ``pre`` and the observable h."""
    node = net.node_model
    if net.coupling in COUPLINGS:
        return node
    d = node.to_dict()
    d["inputs"] = {**d["inputs"], _PRE: 0.0}
    fname = "coupling_fn"
    d["functions"] = {**d["functions"], f"{fname}(pre, post)": net.coupling}
    d["observables"] = {**d["observables"],
                        _H: {"expression": f"{fname}({_PRE}, {net.source})"}}
    return Model(**d)


def _history(history, net, y0, B, L, dt, t0, seed):
    """History values and derivatives of the source state, (B or 1, Lh, N) each."""
    N = net.n_nodes
    src = net.node_state_names.index(net.source)
    if history is None:
        v = y0[:, :, src]                                  # (B, N)
        return v[:, None, :].copy(), np.zeros((B, 1, N))
    if callable(history):
        times = t0 - dt * np.arange(L)
        vals = np.empty((L, N))
        ders = np.empty((L, N))
        for k, tk in enumerate(times):
            h = 1e-5 * max(1.0, abs(tk))
            vals[k] = np.broadcast_to(np.asarray(history(tk), float), (N,))
            ders[k] = (np.broadcast_to(np.asarray(history(tk + h), float), (N,))
                       - np.broadcast_to(np.asarray(history(tk - h), float), (N,))) / (2 * h)
        if not (np.all(np.isfinite(vals)) and np.all(np.isfinite(ders))):
            raise OptionsError("`history(t)` returned non-finite values")
        return vals[None], ders[None]
    if isinstance(history, Mapping):
        if set(history) != {"uniform"} or np.shape(history["uniform"]) != (2,):
            raise OptionsError("`history` as a dict must be {'uniform': (low, high)}; got "
                               f"{history!r}")
        lo, hi = (float(x) for x in history["uniform"])
        rng = np.random.default_rng([int(seed) % 2 ** 63, 7])
        return rng.uniform(lo, hi, (B, L, N)), np.zeros((B, L, N))
    try:
        arr = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        arr = np.zeros((0, 0))
    if arr.ndim == 0 or arr.shape == (N,):
        v = np.broadcast_to(arr, (N,)).copy()
        return v[None, None, :], np.zeros((1, 1, N))
    raise OptionsError(f"`history` must be None (the initial state), a number or {N} numbers "
                       "(constant), a function of t returning the source state of every "
                       "node, or {'uniform': (low, high)}; got " + repr(history)[:80])


def _node_signal(name, spec, where):
    """One node's input as an :class:`~.inputs.InputSignal` of plain numbers."""
    sig = as_signal(name, spec)
    for f, v in sig.field_values().items():
        if np.ndim(v) or type(v).__name__ == "DataArray":
            raise OptionsError(
                f"input {name!r}{where}: value fields of a network's inputs are single "
                f"numbers (sweeps of inputs are not available for networks; sweep node "
                f"parameters with `params`); got {f}={v!r}")
    return sig


def _per_node(net, name, spec):
    """Input ``name`` as one signal per node (the model's value where none is given)."""
    N = net.n_nodes
    default = float(net.node_model.inputs[name])
    if isinstance(spec, Mapping) and "kind" not in spec:
        out = [_node_signal(name, default, "") for _ in range(N)]
        labels = list(net.labels)
        for key, value in spec.items():
            if isinstance(key, str) and key in labels:
                i = labels.index(key)
            elif isinstance(key, numbers.Integral) and not isinstance(key, bool) \
                    and -N <= key < N:
                i = int(key) % N
            else:
                raise OptionsError(f"input {name!r}: node {key!r} is neither a node index "
                                   f"(0..{N - 1}) nor a node label (e.g. {labels[0]!r})")
            out[i] = _node_signal(name, value, f" at node {key!r}")
        return out
    if isinstance(spec, (list, tuple)) or (isinstance(spec, np.ndarray) and spec.ndim == 1):
        if len(spec) != N:
            raise OptionsError(f"input {name!r}: a sequence gives one value or signal per "
                               f"node, {N} of them; got {len(spec)}")
        return [_node_signal(name, v, f" at node {i}") for i, v in enumerate(spec)]
    one = _node_signal(name, spec, "")
    return [one] * N


def _knots_of(sigs):
    """Knots shared by per-node piecewise-linear signals: (T (K,), V (K, N)).

    Each node's knots are merged; a time where some node jumps appears twice,
    and every node takes its value from the left there, then from the right.
    """
    parts = [sig.knots({}) for sig in sigs]
    parts = [(np.asarray(T, float), np.asarray(V, float).reshape(-1)) for T, V in parts]
    times = np.unique(np.concatenate([T for T, _ in parts]))
    twice = np.zeros(times.size, bool)
    for T, _ in parts:
        same = np.flatnonzero(np.diff(T) == 0)
        twice[np.searchsorted(times, T[same])] = True
    Tm = np.repeat(times, np.where(twice, 2, 1))
    left = np.concatenate([[True], Tm[1:] != Tm[:-1]])      # first of a pair: from the left
    V = np.empty((Tm.size, len(parts)))
    for i, (T, v) in enumerate(parts):
        right = evaluate(T, v, Tm)
        j = np.searchsorted(T, Tm, side="left") - 1           # the limit from the left
        inner = (j >= 0) & (j < T.size - 1)
        jj = np.clip(j, 0, T.size - 1)
        j1 = np.clip(jj + 1, 0, T.size - 1)
        w = np.where(inner, (Tm - T[jj]) / np.where(inner, T[j1] - T[jj], 1.0), 0.0)
        from_left = np.where(j >= 0, v[jj] + w * (v[j1] - v[jj]), v[0])
        V[:, i] = np.where(left & np.repeat(twice, np.where(twice, 2, 1)), from_left, right)
    return Tm, V


def _network_inputs(net, kmodel, inputs):
    """Knot tables of the node model's inputs, per node: in_T, in_V (n_in, K, N), in_K."""
    names = list(net.node_model.input_names)
    inputs = dict(inputs or {})
    for k in inputs:
        if k not in names:
            hint = (f"the node model's inputs are {names}" if names else
                    f"the node model {net.node_model.name!r} has no inputs (declare one in "
                    "the model, e.g. added to a state's equation, to drive nodes)")
            raise OptionsError(f"`inputs` got unknown name {k!r}; {hint}")
    if not names:
        return np.zeros((0, 1)), np.zeros((0, 1, net.n_nodes)), np.zeros(0, np.int64), {}
    tables = [_knots_of(_per_node(net, k, inputs.get(k, net.node_model.inputs[k])))
              for k in names]
    kmax = max(T.size for T, _ in tables)
    in_T = np.full((len(names), kmax), np.inf)
    in_V = np.zeros((len(names), kmax, net.n_nodes))
    in_K = np.array([T.size for T, _ in tables], dtype=np.int64)
    for i, (T, V) in enumerate(tables):
        in_T[i, :T.size] = T
        in_V[i, :T.size] = V
    described = {k: repr(v)[:200] for k, v in inputs.items()}
    return in_T, in_V, in_K, described


def _initial(net, y0):
    N, names = net.n_nodes, net.node_state_names
    out = np.array([[float(net.node_model.states[s]) for s in names]] * N)
    for key, value in (y0 or {}).items():
        if key not in names:
            raise OptionsError(f"`y0` got unknown state {key!r}; node states are {list(names)}")
        arr = np.asarray(value, dtype=float)
        if arr.ndim and arr.shape != (N,):
            raise OptionsError(f"`y0[{key!r}]` must be a number or {N} values (one per node); "
                               f"got shape {arr.shape}")
        out[:, names.index(key)] = arr
    return out


def simulate_network(net, t=(0.0, 100.0), *, dt=None, method="heun", params=None, y0=None,
                     inputs=None, history=None, noise=None, record="full", sampling=None, transient=0.0,
                     bounds=None, seed=None, progress=None, client=None, chunks=None,
                     delay_interpolation="hermite", **unused):
    """Integrate a network with per-edge delays; called by ``nma.simulate(network, ...)``.

    Parameters
    ----------
    net : Network
    t : (float, float)
        Start and end time.
    dt : float, optional
        Step (default ``(t_end - t_start)/10000``); every positive delay must be
        at least ``dt``.
    method : {"euler", "heun", "rk4", "exp_euler"}
    params : dict, optional
        Network parameters (gain, ``speed``) and node parameters (applied to
        every node): a number fixes, a 1-D array sweeps along a dim named after it
        (outer product, e.g. gain x speed).
    y0 : dict, optional
        Node state -> number or array of shape (N,); default the node model's.
    inputs : dict, optional
        The node model's inputs (its declared time-dependent names) -> a number
        or a signal (:class:`~nmanalysis.integrate.inputs.Step`, ``Pulse``,
        ``Ramp``, ``Sampled``) for every node; a sequence of N of them, one per
        node; or a dict ``{node: number or signal}`` by node index or label
        (the others keep the model's value), e.g. a pulse into one region.
        Signal values are single numbers here (no sweeps of inputs).
    history : None, float, array of shape (N,), callable or dict
        Source state before ``t_start``: ``None`` holds the initial state;
        a constant; ``history(t)`` returning N values; ``{"uniform": (lo, hi)}``
        independent random values on the step grid (seeded).
    noise : dict, optional
        Per node state, as in :func:`nmanalysis.simulate` (white ``sigma`` or
        Ornstein-Uhlenbeck ``{"sigma", "tau"}``), independent in every node;
        needs ``euler``, ``heun`` or ``exp_euler``.
    record : {"full", "minmax", "final"} or list
        Full trajectories on the ``sampling`` grid, or reductions (``"minmax"``,
        ``"min"``, ``"max"``, ``"mean"``) and ``"final"``, whose memory does not
        grow with the steps.
    sampling : float, optional
        Recording interval, a multiple of ``dt``.
    transient : float
        Initial time not recorded.
    bounds : dict, optional
        Node state -> (low, high); leaving it stops the trajectory (status 2).
    seed : int, optional
        Seed of noise and random history. The noise of a row is a pure function
        of (seed, row, step, node, state): the same whatever the threads or
        dask tasks.
    client : None, "local" or dask.distributed.Client, optional
        Run the sweep rows as tasks on a dask cluster: a ``Client`` given, or
        ``"local"`` for a ``LocalCluster`` (one worker per core, threads; the
        kernel releases the GIL) started and closed by this call. Needs
        ``distributed`` (``pip install "dask[distributed]"``). The result is the
        same as without ``client``, noise included (its streams are keyed by the
        row of the sweep, not by the task).
    chunks : int, optional
        Sweep rows per task with ``client`` (default: the rows split evenly
        into two tasks per worker).
    delay_interpolation : {"hermite", "linear", "nearest"}
        How a delayed value between two grid points is read. ``"hermite"``
        (default): the cubic Hermite interpolant of the stored values and
        slopes, error O(dt^4), so every method keeps its order. ``"linear"``:
        linear interpolation of the values, error O(dt^2), global order
        min(p, 2). ``"nearest"``: the value at the grid point nearest to the
        delayed time (delays rounded to whole steps), error O(dt), global order
        1 whatever the method; the cheapest read (one number per edge and
        stage), as in step-indexed delay buffers.

    Returns
    -------
    xarray.Dataset
        One variable per node state on dims ``time``, ``node`` and the sweep dims
        (reductions ``<state>_min`` ...; ``final`` without ``time``); coordinate
        ``node`` (index) with ``label``; ``status`` per trajectory (0 ok,
        1 diverged, 2 left bounds), ``t_stop``.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.model.network import Network
    >>> W = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> net = Network(nma.get_model("wilson_cowan"), W, delays=3.0 * W)
    >>> ds = nma.simulate(net, t=(0, 20), dt=0.1, params={"K": [0.0, 0.5]})
    >>> ds["rE"].dims, ds["status"].values.tolist()
    (('time', 'node', 'K'), [0, 0])
    """
    from ..compile import compile_model

    if unused:
        raise OptionsError(f"simulate of a network does not take {sorted(unused)}")
    t0, t1 = check_time_span(t)
    if method not in DELAY_METHODS:
        raise OptionsError(f"`method` of a delayed network simulation must be one of "
                           f"{list(DELAY_METHODS)}; got {method!r}")
    if not (isinstance(delay_interpolation, str) and delay_interpolation in DELAY_INTERPOLATIONS):
        raise OptionsError(f"`delay_interpolation` must be one of "
                           f"{list(DELAY_INTERPOLATIONS)}; got {delay_interpolation!r}")
    interp = list(DELAY_INTERPOLATIONS).index(delay_interpolation)
    dt = check_real(dt, "dt", positive=True, allow_none=True) or (t1 - t0) / 10_000
    words = {record} if isinstance(record, str) else set(record)
    bad = words - {"full", "minmax", "min", "max", "mean", "final"}
    if bad or not words:
        raise OptionsError(f"`record` must be 'full', 'minmax', 'min', 'max', 'mean' or "
                           f"'final' (or a list); got {record!r}")
    if "minmax" in words:
        words = (words - {"minmax"}) | {"min", "max"}
    n_steps = whole_steps(t1 - t0, dt, "the time span t_end - t_start")
    rec_every = 1 if sampling is None else whole_steps(sampling, dt, "`sampling`")
    if rec_every < 1:
        raise OptionsError(f"`sampling` must be at least dt ({dt}); got {sampling}")
    transient = check_real(transient, "transient")
    if not 0 <= transient < t1 - t0:
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run; got {transient}")
    q0 = int(math.ceil(transient / dt - 1e-9))
    n_rec = (n_steps - q0) // rec_every + 1

    node = net.node_model
    names = node.state_names
    N, ns = net.n_nodes, len(names)
    params = dict(params or {})
    for k in params:
        if k not in net.params:
            raise OptionsError(f"`params` got unknown name {k!r}; network parameters are "
                               f"{list(net.network_params)}, node parameters "
                               f"{list(net.node_params)}")
    grid = make_grid([(k, k, v) for k, v in params.items()])
    B = grid.size
    noise_spec = parse_noise(noise, names, method)
    bounds = dict(bounds or {})
    for k in bounds:
        if k not in names:
            raise OptionsError(f"`bounds` got unknown state {k!r}; node states are {list(names)}")
    lo_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[0]) for s in names])
    hi_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[1]) for s in names])
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        raise OptionsError(f"`seed` must be a whole number; got {seed!r}")

    kmodel = _kernel_model(net)
    n_all = len(kmodel.param_names) + len(kmodel.input_names)
    ii, jj, rowptr = _edge_lists(net.weights)
    e_w = net.weights[ii, jj].copy()
    E = ii.size
    gain = grid.flat(net.gain, net.network_params[net.gain])
    if net.distances is not None:
        speed = grid.flat("speed", net.network_params["speed"])
        if np.any(speed <= 0):
            raise OptionsError("`speed` values must be > 0")
        DL = net.distances[ii, jj][None, :] / speed[:, None] / dt
    else:
        DL = np.broadcast_to(net.delays()[ii, jj] / dt, (B, E)).copy()
    pos = DL[DL > 0]
    if pos.size and pos.min() < 1 - 1e-9:
        raise OptionsError(f"the shortest positive delay ({pos.min() * dt:.4g}) is shorter than "
                           f"dt ({dt}); use dt <= {pos.min() * dt:.4g} or set such delays to 0")
    DL = np.where(np.abs(DL - np.round(DL)) < 1e-9, np.round(DL), DL)
    L = int(math.ceil(DL.max())) + 3 if E else 3
    check_memory(8.0 * B * (N * n_all + 3 * N * ns + (n_rec * N * ns if "full" in words else 0))
                 + 8.0 * 2 * L * N * 2, f"a delayed network simulation of {B} rows",
                 "record less (record='minmax' or 'final'), a coarser `sampling`, or fewer "
                 "sweep values per call")

    Pn = np.zeros((B, N, n_all))
    base = {k: v for k, v in net.node_params.items()}
    for k, name in enumerate(node.param_names):
        if name in params:
            Pn[:, :, k] = grid.flat(name)[:, None]
        else:
            Pn[:, :, k] = np.broadcast_to(np.asarray(base[name], float), (N,))[None, :]
    for k, name in enumerate(kmodel.input_names):
        Pn[:, :, len(kmodel.param_names) + k] = kmodel.inputs[name]
    Y0 = np.broadcast_to(_initial(net, y0), (B, N, ns)).copy()
    HV, HD = _history(history, net, Y0, B, L, dt, t0, seed)

    tab = get_tableau("euler" if method == "exp_euler" else method)
    mode = {"diffusive": 0, "additive": 1}.get(net.coupling, 2)
    obs_h = kmodel.observable_names.index(_H) if mode == 2 else 0
    in_pre = len(kmodel.param_names) + kmodel.input_names.index(_PRE) if mode == 2 else 0
    kern = compile_model(kmodel).extension(_TEMPLATE).run_network
    want_full, want_red = "full" in words, bool(words & {"min", "max", "mean"})
    REC = np.empty((n_rec if want_full else 0, ns, N, B))     # the kernel writes every sample
    RMIN = np.full((ns, N, B), np.nan)
    RMAX, RSUM, FINAL = RMIN.copy(), RMIN.copy(), RMIN.copy()
    STATUS = np.zeros(B, dtype=np.int8)
    TSTOP = np.full(B, np.nan)
    src, tgt = names.index(net.source), node.param_names.index(net.target)
    in_T, in_V, in_K, in_desc = _network_inputs(net, kmodel, inputs)

    args = (Y0, Pn, tgt, src, gain, mode, obs_h, in_pre, rowptr, jj.astype(np.int64), e_w, DL,
            interp, _BLOCKS, 1 if method == "exp_euler" else 0, tab.A, tab.b, tab.c, t0,
            float(dt), n_steps, q0, rec_every, L, HV, HD, noise_spec.kind, noise_spec.sigma,
            noise_spec.tau, seed, lo_b, hi_b, want_full, want_red,
            len(kmodel.param_names), in_T, in_V, in_K)

    def run(lo, hi):
        kern(*args, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, lo, hi)

    if client is None:
        if chunks is not None:
            raise OptionsError("`chunks` applies with `client` only")
        run_pieces(run, B, n_steps * tab.stages * max(E, N) / 50, progress,
                   f"simulate {net.name}", chunk=1 if B > 1 else None)
    else:
        task = dict(model=kmodel.to_dict(), args=args, rec_rows=REC.shape[0], ns=ns, N=N)
        outs = (REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP)
        for lo, hi, parts in _on_cluster(client, task, B, chunks):
            for dest, part in zip(outs, parts):
                dest[..., lo:hi] = part
    return _dataset(net, grid, words, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, t0, dt,
                    n_steps, q0, rec_every, n_rec, dict(
                        dt=dt, t_start=t0, t_end=t1, record=sorted(words), transient=transient,
                        sampling=None if sampling is None else float(sampling),
                        seed=seed, noise=noise_spec.describe() or None,
                        history=("initial state" if history is None else
                                 "function" if callable(history) else repr(history)[:200]),
                        inputs=in_desc or None,
                        coupling=net.coupling, source=net.source, target=net.target,
                        delay_interpolation=delay_interpolation),
                    method, params)


def _window(lead, lo, hi, fill, dtype=float):
    """An array of shape ``lead + (hi,)`` of which only ``[..., lo:hi]`` has storage.

    The sweep-row axis is last in the kernel's outputs; a task running rows
    ``[lo, hi)`` writes ``out[..., b]`` for those rows only, so it needs memory
    for ``hi - lo`` of them, not ``hi``. Rows below ``lo`` alias other
    storage and must not be touched.
    """
    m = hi - lo
    count = int(np.prod(lead, dtype=np.int64))
    if count == 0 or m == 0:
        return np.full(tuple(lead) + (hi,), fill, dtype)
    raw = np.full(count * m + lo, fill, dtype)
    size = raw.itemsize
    strides = tuple(int(np.prod(lead[k + 1:], dtype=np.int64)) * m * size
                    for k in range(len(lead))) + (size,)
    return np.ndarray(tuple(lead) + (hi,), dtype, buffer=raw, strides=strides)


def _run_rows(task, lo, hi):
    """One task on a dask worker: integrate sweep rows ``[lo, hi)``; their outputs."""
    from ..compile import compile_model

    kern = compile_model(Model(**task["model"])).extension(_TEMPLATE).run_network
    ns, N = task["ns"], task["N"]
    outs = (_window((task["rec_rows"], ns, N), lo, hi, np.nan),
            *(_window((ns, N), lo, hi, np.nan) for _ in range(4)),
            _window((), lo, hi, 0, np.int8), _window((), lo, hi, np.nan))
    kern(*task["args"], *outs, lo, hi)
    return lo, hi, [o[..., lo:hi].copy() for o in outs]


def _on_cluster(client, task, B, chunks):
    """Run the rows as dask tasks on ``client`` (or a LocalCluster for ``"local"``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise OptionsError("`client` needs dask.distributed: pip install 'dask[distributed]' "
                           "(or pip install distributed)") from None
    if chunks is not None and not (isinstance(chunks, numbers.Integral)
                                   and not isinstance(chunks, bool) and chunks >= 1):
        raise OptionsError(f"`chunks` must be a whole number of sweep rows >= 1; got {chunks!r}")
    if isinstance(client, str) and client == "local":
        import os

        workers = max(1, min(os.cpu_count() or 1, B))
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                          dashboard_address=":0") as cluster, Client(cluster) as local:
            return _submit(local, task, B, chunks)
    if not isinstance(client, Client):
        raise OptionsError(f"`client` must be None, 'local' or a dask.distributed.Client; got "
                           f"{type(client).__name__}")
    return _submit(client, task, B, chunks)


def _submit(client, task, B, chunks):
    if chunks is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = max(1, -(-B // (2 * workers)))
    [shared] = client.scatter([task], broadcast=True, hash=False)
    futures = [client.submit(_run_rows, shared, lo, min(B, lo + chunks), pure=False)
               for lo in range(0, B, chunks)]
    return client.gather(futures)


def _variables(xr, entries):
    """``name -> (dims, ndarray, attrs)`` as :class:`xarray.Variable` objects built on
    xarray's fast path (dimension coordinates on a pandas index): the arrays are numpy
    arrays already, and the general path asks of each whether it is a dask array,
    which imports dask (a large part of a warm start)."""
    import pandas as pd

    out = {}
    for name, (dims, values, attrs) in entries.items():
        dims = (dims,) if isinstance(dims, str) else tuple(dims)
        if dims == (name,):
            out[name] = xr.IndexVariable(dims, pd.Index(np.asarray(values)), attrs,
                                         fastpath=True)
        else:
            out[name] = xr.Variable(dims, np.asarray(values), attrs, fastpath=True)
    return out


def _dataset(net, grid, words, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, t0, dt, n_steps,
             q0, rec_every, n_rec, options, method, params):
    import xarray as xr

    dims, shape = grid.dims, grid.shape
    N = net.n_nodes
    coords = {d: grid.coords[d] for d in dims}
    coords["node"] = ("node", np.arange(N), {"long_name": "node"})
    coords["label"] = ("node", np.array(net.labels, dtype=str), {"long_name": "node label"})
    data = {}
    failed = STATUS.reshape(shape) != 0
    info = net.node_model.state_info
    tu = net.time_units
    for k, s in enumerate(net.node_state_names):
        desc, units = info[s].description or s, info[s].units

        def put(key, arr, extra, with_time=False):
            full = ("time", "node", *dims) if with_time else ("node", *dims)
            lead = (arr.shape[0], N) if with_time else (N,)
            data[key] = (full, arr.reshape((*lead, *shape)),
                         {"long_name": desc + extra, "units": units})
        if "full" in words:
            put(s, REC[:, k], "", True)
        if "final" in words:
            put(s if "full" not in words else f"{s}_final", FINAL[k], " (final value)")
        n_red = n_steps - q0 + 1
        for w, arr, extra in (("min", RMIN[k], " (minimum)"), ("max", RMAX[k], " (maximum)"),
                              ("mean", RSUM[k] / n_red, " (mean)")):
            if w in words:
                put(f"{s}_{w}", np.where(STATUS[None] != 0, np.nan, arr), extra)
    if "full" in words:
        coords["time"] = ("time", t0 + (q0 + rec_every * np.arange(n_rec)) * dt,
                          {"long_name": "time", "units": tu})
    data["status"] = (dims, STATUS.reshape(shape), status_attrs())
    data["t_stop"] = (dims, TSTOP.reshape(shape),
                      {"long_name": "time a failed trajectory stopped (NaN if ok)", "units": tu})
    for d in dims:
        coords[d] = (d, np.asarray(coords[d]), {"long_name": d})
    ds = xr.Dataset(_variables(xr, data), coords=_variables(xr, coords))
    fixed = {k: float(np.mean(v)) if np.ndim(v) else float(v) for k, v in net.params.items()
             if k not in params}
    ds.attrs.update(provenance(net.node_model, analysis="simulate", fixed_params=fixed,
                               method=method, options=options))
    ds.attrs["network"] = repr(net)
    ds.attrs["n_failed"] = int(failed.sum())
    ds.attrs["heterogeneous_params"] = json_attr({k: np.asarray(net.node_params[k]).tolist()
                                                  for k in net.heterogeneous})
    return ds
