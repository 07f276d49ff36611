"""Basins of attraction: ``basin_map`` on a grid or a sample of initial states,
``basin_fractions`` by random sampling.

Method (proximity and recurrence mappers, as in Datseris & Wagemakers, Chaos
32:023104, 2022, with early stopping per trajectory):

1. The equilibria in a box around the grid and their stability come from
   :func:`~nmanalysis.analysis.equilibria.fixed_points`; the stable ones are
   the first attractors of the catalogue.
2. All initial states are integrated with a fixed-step Runge-Kutta method in
   SIMD blocks (kernel template ``nmanalysis/compile/basins.py``), in threads
   over chunks of rows. A trajectory stops as soon as it has stayed within
   ``tol`` of a stable equilibrium, in the scaled max-norm
   ``max_i |y_i - y*_i| / s_i``, for the dwell time.
3. Trajectories still running after ``t_max`` are followed further: if every
   state moves by less than ``tol`` (scaled) the end point is polished by
   Newton's method and labelled only if it is a *stable* equilibrium (new ones
   join the catalogue); otherwise upward crossings of a hyperplane through the
   middle of the widest state's range are recorded and a cycle is confirmed when
   a crossing point returns within ``tol`` of an earlier one with the same
   period twice in a row. Cycles of different trajectories are one attractor
   when their periods and canonical Poincare points agree.
4. Everything else (slow passages near saddles, chaos, too little time) is
   ``-1``: a trajectory is never labelled by a saddle or an unstable point.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping

import numpy as np

from .._checks import check_names
from ..errors import ConvergenceWarning, OptionsError
from ..integrate.sizing import MAX_STEPS, check_count, check_memory
from ..results.attrs import json_attr, provenance

__all__ = ["basin_map", "basin_fractions", "STATUS_MEANINGS"]

#: outcome codes of ``basin_map``'s ``status`` variable
STATUS_MEANINGS = ("attractor_found", "diverged", "left_domain", "undecided")
_CHECK_EVERY = 4            # steps between two proximity checks
_BLOCK = 256                # trajectories integrated together (SIMD block width)
_MAX_Q = 8                  # longest period (in crossings) of a detected cycle
_MAX_CYCLES = 64


# -- inputs ------------------------------------------------------------------------------
def _grid_axes(model, grid, sampled):
    if not isinstance(grid, Mapping) or not grid:
        raise OptionsError("`grid` must be a dict state -> 1-D array of initial values, e.g. "
                           f"{{{model.state_names[0]!r}: np.linspace(0, 1, 101)}}")
    check_names(grid, model.state_names, "grid")
    axes = {}
    for s, v in grid.items():
        a = np.asarray(v, dtype=float)
        if a.ndim == 0:
            a = a[None]
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
            raise OptionsError(f"`grid[{s!r}]` must be a non-empty 1-D array of finite numbers; "
                               f"got shape {np.shape(v)}")
        axes[s] = a
    if sampled:
        sizes = {s: a.size for s, a in axes.items()}
        if len(set(sizes.values())) != 1:
            raise OptionsError(f"with `sampled=True` every `grid` array must have the same "
                               f"length (one initial state per index); got {sizes}")
    elif len(axes) > 3:
        raise OptionsError(f"`grid` varies at most three states on a grid; got {list(axes)} "
                           "(pass `sampled=True` with equal-length arrays for samples)")
    return axes


def _scalars(given, valid, what, others=None):
    d = check_names(given, valid, what, others)
    for k, v in d.items():
        if np.ndim(v) != 0 or not np.isfinite(float(v)):
            raise OptionsError(f"`{what}[{k!r}]` must be one finite number for a basin map; "
                               f"got {v!r}")
    return {k: float(v) for k, v in d.items()}


def _interval(pair, what):
    try:
        lo, hi = float(pair[0]), float(pair[1])
    except (TypeError, ValueError, IndexError):
        raise OptionsError(f"`{what}` must be a pair (low, high); got {pair!r}") from None
    if not lo < hi:
        raise OptionsError(f"`{what}` must have low < high; got {pair!r}")
    return lo, hi


def _search_box(model, axes, start, bounds):
    """Box for the equilibria: the given bounds, else the grid widened by half its span
    joined with the declared bounds (states off the grid: declared bounds, else +-10)."""
    bounds = check_names(bounds, model.state_names, "bounds")
    box = {}
    for i, s in enumerate(model.state_names):
        if s in bounds:
            box[s] = _interval(bounds[s], f"bounds[{s!r}]")
            continue
        decl = model.state_info[s].bounds
        if s in axes:
            lo, hi = float(axes[s].min()), float(axes[s].max())
            pad = 0.5 * (hi - lo) if hi > lo else max(1.0, abs(lo))
            lo, hi = lo - pad, hi + pad
        else:
            c = float(start[i])
            lo, hi = (c - 10.0, c + 10.0) if decl is None else (min(decl[0], c - 1e-9),
                                                              max(decl[1], c + 1e-9))
        if decl is not None:
            lo, hi = min(lo, decl[0]), max(hi, decl[1])
        box[s] = (lo, hi)
    return box


def _scales(model, axes, box):
    """Scale of each state: its span on the grid, else the span of the search box."""
    out = np.empty(model.n_states)
    for i, s in enumerate(model.state_names):
        span = float(np.ptp(axes[s])) if s in axes else 0.0
        out[i] = span if span > 0 else box[s][1] - box[s][0]
    return out


# -- equilibria and time scales ----------------------------------------------------------
def _equilibria(model, params, inputs, box):
    from .equilibria import fixed_points
    fp = fixed_points(model, params=params, inputs=inputs, bounds=box, n_starts=256,
                      progress=False)
    n = int(fp["n_fp"])
    X = np.column_stack([fp[s].values[:n] for s in model.state_names]) if n else \
        np.zeros((0, model.n_states))
    lam = fp["eig_real"].values[:n] + 1j * fp["eig_imag"].values[:n]
    return X, lam, fp["stable"].values[:n].astype(bool), fp["kind"].values[:n].astype(str)


def _spectral_radii(system, p, X):
    """Largest |eigenvalue| of the Jacobian at each row of X (m, n)."""
    if X.shape[0] == 0:
        return np.zeros(0)
    n = X.shape[1]
    J = np.empty((X.shape[0], n, n))
    Xc = np.ascontiguousarray(X.T)
    system.jac_batch(Xc, p[:, None].copy(), np.zeros(X.shape[0], np.int64), 0, X.shape[0], J)
    lam = np.linalg.eigvals(np.where(np.isfinite(J), J, 0.0))
    return np.max(np.abs(lam), axis=1)


def _round_down(x):
    """x rounded down to 1, 2 or 5 times a power of ten."""
    e = math.floor(math.log10(x))
    for m in (5.0, 2.0, 1.0):
        if m * 10.0 ** e <= x:
            return m * 10.0 ** e
    return 10.0 ** e  # pragma: no cover


def _time_scales(rho_typ, rho_max, lam):
    """(dt, t_max) from the rates and the equilibria's eigenvalues.

    ``dt``: ``0.2 / rho_typ`` for accuracy (``rho_typ``: the largest |eigenvalue|
    at the equilibria or the median over the probed initial states), at most
    ``2 / rho_max`` for the stability of the explicit method on the stiffest
    probed state.
    """
    rho = rho_typ
    dt = min(0.2 / rho_typ if rho_typ > 0 else 0.01, 2.0 / rho_max if rho_max > 0 else 0.01)
    dt = _round_down(dt)
    re = np.abs(lam.real.ravel()) if lam.size else np.zeros(0)
    re = re[np.isfinite(re) & (re > 1e-3 * max(rho, 1e-300))]   # hyperbolic directions
    t_max = 50.0 / re.min() if re.size else 2000.0 * dt
    return dt, float(min(max(t_max, 200.0 * dt), 1e5 * dt))


def _merge_equilibria(EQ, lam, stable, kinds, inv_scale, tol):
    """Equilibria closer than ``tol`` (scaled) are one; it is stable only if all its
    members are (a degenerate root is returned by Newton as a cloud of nearby roots
    of either stability)."""
    K = EQ.shape[0]
    if K < 2:
        return EQ, lam, stable, kinds
    d = np.max(np.abs(EQ[:, None, :] - EQ[None, :, :]) * inv_scale, axis=2)
    group = np.arange(K)
    for i in range(K):                       # union of overlapping pairs, smallest index wins
        for j in np.flatnonzero(d[i] <= tol):
            gi, gj = group[i], group[j]
            if gi != gj:
                group[group == max(gi, gj)] = min(gi, gj)
    keep = np.unique(group)
    st = np.array([bool(np.all(stable[group == g])) for g in keep], bool)
    return EQ[keep], lam[keep], st, kinds[keep]


# -- running the kernels -----------------------------------------------------------------
def _run_chunks(fn, B, chunk, progress, desc):
    from concurrent.futures import ThreadPoolExecutor

    from ..integrate.parallel import n_threads
    from ..progress import progress_bar
    edges = [(lo, min(B, lo + chunk)) for lo in range(0, B, chunk)]
    threads = min(n_threads(), len(edges))
    bar = progress_bar(B, desc, progress, unit="traj")
    try:
        if threads <= 1:
            for lo, hi in edges:
                fn(lo, hi)
                bar.update(hi - lo)
            return
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for fut, size in [(pool.submit(fn, lo, hi), hi - lo) for lo, hi in edges]:
                fut.result()
                bar.update(size)
    finally:
        bar.close()


class _Run:
    """Shared state of one basin computation (arrays over the shuffled rows)."""

    def __init__(self, ext, system, p, tab, dt, inv_scale, tol, lo_b, hi_b):
        self.ext, self.system, self.p = ext, system, p
        self.A = np.ascontiguousarray(tab.A, dtype=float)
        self.bw = np.ascontiguousarray(tab.b, dtype=float)
        self.dt, self.inv_scale, self.tol = dt, inv_scale, tol
        self.lo_b, self.hi_b = lo_b, hi_b

    def proximity(self, Y0, EQ, max_steps, n_dwell, chunk, progress):
        B = Y0.shape[1]
        LABEL = np.full(B, -1, np.int64)
        STATUS = np.full(B, 3, np.int8)
        STEPS = np.zeros(B, np.int64)
        FINAL = np.empty_like(Y0)
        EQ = np.ascontiguousarray(EQ, dtype=float).reshape(-1, Y0.shape[0])

        def run(lo, hi):
            self.ext.basin_rows(Y0, self.p, self.A, self.bw, self.dt, max_steps, _CHECK_EVERY,
                                n_dwell, EQ, self.inv_scale, self.tol, self.lo_b, self.hi_b,
                                _BLOCK, lo, hi, LABEL, STATUS, STEPS, FINAL)

        _run_chunks(run, B, chunk, progress, "basins")
        return LABEL, STATUS, STEPS, FINAL

    def recurrence(self, Y0, n_pre, n_max, chunk, progress):
        n, B = Y0.shape
        out = dict(STATUS=np.full(B, 3, np.int8), PERIOD=np.full(B, np.nan),
                   QPER=np.zeros(B, np.int64), POINT=np.empty((n, B)),
                   YMIN=np.empty((n, B)), YMAX=np.empty((n, B)),
                   AXIS=np.full(B, -1, np.int64), LEVEL=np.full(B, np.nan),
                   STEPS=np.zeros(B, np.int64))

        def run(lo, hi):
            self.ext.cycle_rows(Y0, self.p, self.A, self.bw, self.dt, n_pre, n_max,
                                self.inv_scale, self.tol, 2, _MAX_Q, self.lo_b, self.hi_b,
                                lo, hi, out["STATUS"], out["PERIOD"], out["QPER"],
                                out["POINT"], out["YMIN"], out["YMAX"], out["AXIS"],
                                out["LEVEL"], out["STEPS"])

        _run_chunks(run, B, max(1, min(chunk, -(-B // 8))), progress, "cycles")
        return out


def _static_points(run, X):
    """Newton from near-static end points: (solutions (n, K), converged&stable (K,))."""
    from .stability import classify, eigen_sorted
    X = np.ascontiguousarray(X, dtype=float).copy()
    K = X.shape[1]
    conv = np.zeros(K, np.int8)
    res = np.zeros(K)
    nit = np.zeros(K, np.int64)
    rows = np.zeros(K, np.int64)
    P = run.p[:, None].copy()
    run.system.newton_batch(X, P, rows, 1e-12, 60, 0, K, conv, res, nit)
    J = np.empty((K, X.shape[0], X.shape[0]))
    run.system.jac_batch(X, P, rows, 0, K, J)
    lam = eigen_sorted(J)
    kind, stable, _ = classify(lam)
    return X, (conv == 1) & stable, lam, kind


def _match(points, ref, inv_scale, tol):
    """Index of the row of ``ref`` within ``tol`` (scaled) of each point, or -1."""
    out = np.full(points.shape[0], -1, np.int64)
    if ref.shape[0] == 0 or points.shape[0] == 0:
        return out
    d = np.max(np.abs(points[:, None, :] - ref[None, :, :]) * inv_scale, axis=2)
    best = np.argmin(d, axis=1)
    ok = d[np.arange(points.shape[0]), best] <= tol
    out[ok] = best[ok]
    return out


def _cluster_cycles(cyc, rows, inv_scale, tol):
    """Group the confirmed cycles of ``rows`` by section, period and Poincare point."""
    groups = []
    remaining = np.asarray(rows)
    P = cyc["POINT"].T
    while remaining.size and len(groups) < _MAX_CYCLES:
        r0 = remaining[0]
        T0 = cyc["PERIOD"][r0]
        d = np.max(np.abs(P[remaining] - P[r0]) * inv_scale, axis=1)
        same = ((cyc["AXIS"][remaining] == cyc["AXIS"][r0])
                & (np.abs(cyc["PERIOD"][remaining] - T0) <= 20 * tol * T0)
                & (d <= 10 * tol))
        groups.append(remaining[same])
        remaining = remaining[~same]
    if remaining.size:
        warnings.warn(f"{remaining.size} trajectories end on cycles beyond the first "
                      f"{_MAX_CYCLES} distinct ones; they are labelled -1", ConvergenceWarning,
                      stacklevel=3)
    return groups


# -- the public functions ----------------------------------------------------------------
def basin_map(model, grid, *, params=None, inputs=None, y0=None, sampled=False, t_max=None,
              dt=None, method="rk4", tol=1e-3, dwell=None, cycles=True, t_cycle=None,
              bounds=None, domain=None, chunk_size=16384, seed=0, progress=None):
    """Basins of attraction on a grid (or a sample) of initial states.

    Parameters
    ----------
    model : Model
        An autonomous model (no explicit time).
    grid : dict
        State -> 1-D array of initial values. One to three states span a grid
        (outer product); the other states start at ``y0`` (else their
        defaults). With ``sampled=True``: equal-length arrays, one initial
        state per index.
    params, inputs : dict, optional
        Fixed parameter values and constant input values (numbers).
    y0 : dict, optional
        Initial values of the states not in ``grid``.
    sampled : bool
        ``grid`` lists sampled initial states (dim ``sample``) instead of axes.
    t_max : float, optional
        Longest integration before a trajectory counts as not settled on an
        equilibrium. Default ``50 / min |Re(eigenvalue)|`` over the equilibria.
    dt : float, optional
        Fixed step. Default ``0.2 / rho`` rounded down to 1, 2 or 5 times a power
        of ten, with ``rho`` the largest ``|eigenvalue|`` of the Jacobian at the
        equilibria or its median over up to 256 initial states (at most ``2 / rho_max`` over
        those states, for stability). Trajectories that diverge are integrated
        again with ``dt / 4`` and then ``dt / 16`` before they count as diverged
        (their number is the attr ``n_refined``).
    method : str
        Explicit Runge-Kutta tableau (``"rk4"``, ``"heun"``, ``"euler"``, ...).
    tol : float
        Radius of "arrived" in the scaled max-norm ``max_i |y_i - y*_i| / s_i``
        (``s_i`` = the state's span on the grid, else the span of the search
        box); also the recurrence tolerance of Poincare points. It is reduced
        to a quarter of the scaled distance between a stable equilibrium and
        its nearest other equilibrium when that is smaller.
    dwell : float, optional
        Time a trajectory must stay within ``tol`` of a stable equilibrium
        before it stops (default ``8 dt``).
    cycles : bool
        Follow trajectories still running at ``t_max`` and detect cycles
        (and slow equilibria); ``False`` labels them ``-1`` at once.
    t_cycle : float, optional
        Extra time allowed for the cycle detection (default ``t_max``).
    bounds : dict, optional
        State -> (low, high): the box searched for equilibria (default: the
        grid widened by half its span on each side, joined with the declared
        bounds).
    domain : dict, optional
        State -> (low, high): trajectories leaving it stop with status
        ``left_domain`` and label -1 (default: unbounded; non-finite states
        stop as ``diverged``).
    chunk_size : int
        Initial states per work item handed to a thread.
    seed : int
        Seed of the shuffle of the initial states over the threads (balances
        the load; results do not depend on it).
    progress : bool, optional
        Progress bar (``None``: only on a terminal).

    Returns
    -------
    xarray.DataTree
        The root holds the map: dims named after the varied states in reverse
        order (as :func:`phase_plane`: the first state is the last dim, the
        horizontal axis of ``tree["attractor"].plot()``) or ``sample``;
        variables ``attractor`` (int, index into the catalogue, ``-1`` =
        undecided), ``time_to_converge`` (NaN when undecided) and ``status``
        (see ``flag_meanings``). The child ``tree["attractors"]`` is the
        catalogue on dim ``attractor``: ``label``, ``kind``
        ("equilibrium"/"cycle"), ``stability``, ``<state>_point`` (the
        equilibrium, or a cycle's Poincare point), ``<state>_min`` /
        ``<state>_max`` (range over one period), ``period`` (NaN for
        equilibria), ``max_real_eig`` (equilibria), ``count`` and ``fraction``
        of the map's initial states in its basin, and for cycles
        ``orbit_<state>`` on (``attractor``, ``orbit_point``).
        ``tree.to_dataset()`` gives the map alone.

    Raises
    ------
    OptionsError
        Unknown states or parameters, bad grid arrays, a time-dependent model,
        an unknown method.

    See Also
    --------
    basin_fractions : fractions of a box by random sampling.
    nmanalysis.plot.basins : draws the map.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.basins import basin_map
    >>> m = nma.Model(name="bistable", states={"x": 0.0}, params={},
    ...               equations={"x": "x - x**3"})
    >>> bm = basin_map(m, {"x": [-1.5, -0.3, 0.4, 2.0]}, progress=False)
    >>> bm["attractor"].values.tolist()
    [0, 0, 1, 1]
    >>> bm["attractors"]["x_point"].values.round(6).tolist()
    [-1.0, 1.0]
    """
    import xarray as xr

    from ..compile import compile_model
    from ..integrate.tableaux import TABLEAUX, get_tableau

    if model.uses_time():
        raise OptionsError(f"model {model.name!r} depends explicitly on time `t`; basins are "
                           "defined for autonomous models only")
    axes = _grid_axes(model, grid, sampled)
    params = _scalars(params, model.param_names, "params", {"inputs": model.input_names,
                                                            "grid": model.state_names})
    inputs = _scalars(inputs, model.input_names, "inputs")
    y0 = _scalars(y0, model.state_names, "y0")
    both = [s for s in y0 if s in axes]
    if both:
        raise OptionsError(f"state {both[0]!r} is in both `grid` and `y0`; give it in one")
    if method not in TABLEAUX:
        raise OptionsError(f"`method` must be one of {list(TABLEAUX)}; got {method!r}")
    tab = get_tableau(method)
    for name, val in (("tol", tol), ("chunk_size", chunk_size)):
        if not (np.isfinite(val) and val > 0):
            raise OptionsError(f"`{name}` must be positive; got {val!r}")
    n = model.n_states
    start = np.array([y0.get(s, model.states[s]) for s in model.state_names], float)
    box = _search_box(model, axes, start, bounds)
    dom = check_names(domain, model.state_names, "domain")
    lo_b = np.array([_interval(dom[s], f"domain[{s!r}]")[0] if s in dom else -np.inf
                     for s in model.state_names])
    hi_b = np.array([_interval(dom[s], f"domain[{s!r}]")[1] if s in dom else np.inf
                     for s in model.state_names])

    # initial states (n, B) in the order of the output dims
    if sampled:
        dims = ("sample",)
        shape = (next(iter(axes.values())).size,)
        cols = {s: a for s, a in axes.items()}
    else:
        dims = tuple(reversed(list(axes)))
        shape = tuple(axes[d].size for d in dims)
        # initial states, their shuffled copy, labels, times and the final states
        check_memory(math.prod(shape) * 8.0 * (4 * n + 4),
                     f"basin_map of a {' x '.join(map(str, shape))} grid",
                     "use a coarser grid (fewer points per axis) or sampled=True with fewer "
                     "samples")
        mesh = np.meshgrid(*[axes[d] for d in dims], indexing="ij")
        cols = {d: g.ravel() for d, g in zip(dims, mesh)}
    B = math.prod(shape)
    Y0 = np.empty((n, B))
    for i, s in enumerate(model.state_names):
        Y0[i] = cols[s] if s in cols else start[i]

    system = compile_model(model)
    p = system.parameter_vector(params, inputs, {**model.params, **model.inputs})
    EQ, lam, stable, kinds = _equilibria(model, params, inputs, box)
    scale = _scales(model, axes, box)
    inv_scale = 1.0 / scale
    EQ, lam, stable, kinds = _merge_equilibria(EQ, lam, stable, kinds, inv_scale, float(tol))
    rng = np.random.default_rng(seed)
    perm = rng.permutation(B)
    Ys = np.ascontiguousarray(Y0[:, perm])
    # probe the stiffness at 256 initial states and the corners of their bounding box
    lo_c, hi_c = Y0.min(axis=1), Y0.max(axis=1)
    corners = np.array([[hi_c[i] if (k >> i) & 1 else lo_c[i] for i in range(n)]
                        for k in range(2 ** min(n, 10))])
    probe = np.vstack([Ys[:, : min(B, 256)].T, corners])
    r_eq, r_probe = _spectral_radii(system, p, EQ), _spectral_radii(system, p, probe)
    rho_typ = max(r_eq.max(initial=0.0), float(np.median(r_probe)) if r_probe.size else 0.0)
    dt_auto, t_auto = _time_scales(rho_typ, max(rho_typ, r_probe.max(initial=0.0)), lam)
    dt = dt_auto if dt is None else float(dt)
    t_max = t_auto if t_max is None else float(t_max)
    if not (dt > 0 and np.isfinite(dt)) or not (t_max > 0 and np.isfinite(t_max)):
        raise OptionsError(f"`dt` and `t_max` must be positive; got dt={dt!r}, t_max={t_max!r}")
    check_count(t_max / dt, MAX_STEPS, "t_max / dt (the steps per trajectory)",
                "use a larger `dt` or a smaller `t_max`")
    dwell = 8 * dt if dwell is None else float(dwell)
    if not (dwell > 0 and np.isfinite(dwell)):
        raise OptionsError(f"`dwell` must be a positive number; got {dwell!r}")
    check_count(dwell / dt, MAX_STEPS, "dwell / dt", "use a smaller `dwell`")
    n_dwell = max(1, int(math.ceil(dwell / (_CHECK_EVERY * dt))) + 1)
    max_steps = max(_CHECK_EVERY, int(math.ceil(t_max / dt)))

    # stable equilibria that attract within t_max are the attractor candidates; tol
    # shrinks if they are crowded
    rate_min = 1.0 / t_max
    stable = stable & (np.max(lam.real, axis=1, initial=-np.inf) < -rate_min) if \
        EQ.shape[0] else stable
    tol_eff = float(tol)
    if stable.any() and EQ.shape[0] > 1:
        d = np.max(np.abs(EQ[stable][:, None, :] - EQ[None, :, :]) * inv_scale, axis=2)
        d[d == 0] = np.inf
        tol_eff = min(tol_eff, 0.25 * float(d.min()))
    run = _Run(system.extension("basins.py"), system, p, tab, dt, inv_scale, tol_eff,
               lo_b, hi_b)
    catalogue = [dict(kind="equilibrium", point=EQ[k], stability=kinds[k],
                      max_real_eig=float(np.max(lam[k].real)))
                 for k in np.flatnonzero(stable)]
    LABEL, STATUS, STEPS, FINAL = run.proximity(Ys, EQ[stable], max_steps, n_dwell,
                                                int(chunk_size), progress)
    T = np.where(STATUS == 0, STEPS * dt, np.nan)
    # a trajectory that diverged may have met a region too stiff for the step: run it
    # again with dt / 4 and dt / 16 before calling it diverged
    n_refined = 0
    for level in (1, 2):
        bad = np.flatnonzero(STATUS == 1)
        if bad.size == 0:
            break
        n_refined += bad.size if level == 1 else 0
        fine = copy.copy(run)
        fine.dt = dt / 4 ** level
        nd = max(1, int(math.ceil(dwell / (_CHECK_EVERY * fine.dt))) + 1)
        L2, S2, N2, F2 = fine.proximity(np.ascontiguousarray(Ys[:, bad]), EQ[stable],
                                        max_steps * 4 ** level, nd, int(chunk_size), False)
        LABEL[bad], STATUS[bad], FINAL[:, bad] = L2, S2, F2
        T[bad] = np.where(S2 == 0, N2 * fine.dt, np.nan)

    open_rows = np.flatnonzero(STATUS == 3)
    if cycles and open_rows.size:
        t_cycle = t_max if t_cycle is None else float(t_cycle)
        n_max = max(16, int(math.ceil(t_cycle / dt)))
        cyc = run.recurrence(np.ascontiguousarray(FINAL[:, open_rows]), max(8, n_max // 4),
                             n_max, int(chunk_size), progress)
        cs = cyc["STATUS"]
        STATUS[open_rows[(cs == 1) | (cs == 2)]] = cs[(cs == 1) | (cs == 2)]
        # near-static ends: polish; label only stable equilibria
        st = np.flatnonzero(cs == 4)
        if st.size:
            X, good, lam_s, kind_s = _static_points(run, cyc["POINT"][:, st])
            good &= np.max(lam_s.real, axis=1) < -rate_min
            known = np.array([c["point"] for c in catalogue if c["kind"] == "equilibrium"])
            known = known.reshape(-1, n)
            for j in np.flatnonzero(good):
                k = _match(X[:, j][None], known, inv_scale, 1e-6)[0]
                if k < 0:
                    from .stability import KINDS
                    catalogue.append(dict(kind="equilibrium", point=X[:, j].copy(),
                                          stability=KINDS[kind_s[j]],
                                          max_real_eig=float(np.max(lam_s[j].real))))
                    known = np.vstack([known, X[:, j]])
                    k = known.shape[0] - 1
                r = open_rows[st[j]]
                LABEL[r], STATUS[r] = k, 0
                T[r] = (max_steps + cyc["STEPS"][st[j]]) * dt
        ok = np.flatnonzero(cs == 0)
        for members in _cluster_cycles(cyc, ok, inv_scale, tol_eff):
            r0 = members[0]
            catalogue.append(dict(kind="cycle", point=cyc["POINT"][:, r0].copy(),
                                  ymin=cyc["YMIN"][:, r0].copy(),
                                  ymax=cyc["YMAX"][:, r0].copy(),
                                  period=float(cyc["PERIOD"][r0]),
                                  crossings=int(cyc["QPER"][r0]),
                                  section=(model.state_names[int(cyc["AXIS"][r0])],
                                           float(cyc["LEVEL"][r0])),
                                  stability="attracting cycle"))
            rows = open_rows[members]
            LABEL[rows], STATUS[rows] = len(catalogue) - 1, 0
            T[rows] = (max_steps + cyc["STEPS"][members]) * dt

    # undo the shuffle
    label = np.empty(B, np.int64)
    status = np.empty(B, np.int8)
    t_conv = np.empty(B)
    label[perm], status[perm], t_conv[perm] = LABEL, STATUS, T
    options = dict(dt=dt, t_max=t_max, tol=float(tol), tol_used=tol_eff, dwell=dwell,
                   n_refined=n_refined,
                   cycles=cycles, t_cycle=t_cycle if cycles else None,
                   scale=json_attr({s: float(v) for s, v in zip(model.state_names, scale)}),
                   search_box=json_attr({s: list(v) for s, v in box.items()}),
                   others=json_attr({s: float(start[i]) for i, s in
                                     enumerate(model.state_names) if s not in axes}),
                   varied=json_attr(list(axes)), sampled=sampled)
    root = _map_dataset(model, axes, dims, shape, label, status, t_conv, sampled)
    fixed = {**model.params, **params}
    attrs = provenance(model, analysis="basin_map", fixed_params=fixed,
                       method=f"{method} fixed step, early stopping at stable equilibria "
                              "(scaled max-norm), Poincare recurrence for cycles",
                       options=options)
    root.attrs.update(attrs)
    cat = _catalogue_dataset(model, catalogue, label, system, p, dt)
    cat.attrs.update({**attrs, "analysis": "basin_map catalogue"})
    return xr.DataTree(root, children={"attractors": xr.DataTree(cat)})


def _map_dataset(model, axes, dims, shape, label, status, t_conv, sampled):
    import xarray as xr
    tu = model.time_units or "1"
    coords = {}
    if sampled:
        coords["sample"] = ("sample", np.arange(shape[0]),
                            {"long_name": "initial state index", "units": "1"})
        for s, a in axes.items():
            coords[s] = ("sample", a, _state_attrs(model, s, "initial "))
    else:
        for d in dims:
            coords[d] = (d, axes[d], _state_attrs(model, d, "initial "))
    data = {
        "attractor": (dims, label.reshape(shape),
                      {"long_name": "attractor reached (index in the catalogue; -1 undecided)",
                       "units": "1"}),
        "time_to_converge": (dims, t_conv.reshape(shape),
                             {"long_name": "time until the attractor was reached", "units": tu}),
        "status": (dims, status.reshape(shape),
                   {"long_name": "outcome of the trajectory", "units": "1",
                    "flag_values": np.arange(len(STATUS_MEANINGS), dtype=np.int8),
                    "flag_meanings": " ".join(STATUS_MEANINGS)}),
    }
    return xr.Dataset(data, coords=coords)


def _state_attrs(model, s, prefix=""):
    info = model.state_info[s]
    return {"long_name": f"{prefix}{info.description or s}", "units": info.units or "1"}


def _orbit(model, system, p, point, period, n_points=101):
    """One period of a cycle from its Poincare point (fine RK4 steps)."""
    from ..integrate.simulate import simulate
    steps = 2000
    params = dict(zip(model.param_names, p[: len(model.param_names)]))
    inputs = dict(zip(model.input_names, p[len(model.param_names):]))
    sim = simulate(model, t=(0.0, period), dt=period / steps, method="rk4", params=params,
                   inputs=inputs or None, y0=dict(zip(model.state_names, point)),
                   record="full", progress=False, observables=False)
    idx = np.linspace(0, sim.sizes["time"] - 1, n_points).round().astype(int)
    return np.array([sim[s].values.ravel()[idx] for s in model.state_names])


def _catalogue_dataset(model, catalogue, label, system, p, dt):
    import xarray as xr
    n, K = model.n_states, len(catalogue)
    names = model.state_names
    count = np.bincount(label[label >= 0], minlength=K)[:K] if K else np.zeros(0, int)
    tu = model.time_units or "1"
    pts = np.array([c["point"] for c in catalogue]).reshape(K, n)
    ymin = np.array([c.get("ymin", c["point"]) for c in catalogue]).reshape(K, n)
    ymax = np.array([c.get("ymax", c["point"]) for c in catalogue]).reshape(K, n)
    n_eq = [0, 0]
    labels = []
    for c in catalogue:
        if c["kind"] == "equilibrium":
            labels.append(f"E{n_eq[0]} ({c['stability']})")
            n_eq[0] += 1
        else:
            labels.append(f"C{n_eq[1]} (cycle, T={c['period']:.4g})")
            n_eq[1] += 1
    data = {
        "label": ("attractor", np.array(labels, dtype=str),
                  {"long_name": "attractor label", "units": "1"}),
        "kind": ("attractor", np.array([c["kind"] for c in catalogue], dtype=str),
                 {"long_name": "kind of attractor (equilibrium or cycle)", "units": "1"}),
        "stability": ("attractor", np.array([c["stability"] for c in catalogue], dtype=str),
                      {"long_name": "stability (equilibria: kind from the eigenvalues; "
                                    "cycles: attracting, as observed)", "units": "1"}),
        "period": ("attractor", np.array([c.get("period", np.nan) for c in catalogue], float),
                   {"long_name": "period of the cycle (NaN: equilibrium)", "units": tu}),
        "crossings": ("attractor", np.array([c.get("crossings", 0) for c in catalogue],
                                            np.int64),
                      {"long_name": "section crossings per period (0: equilibrium)",
                       "units": "1"}),
        "section_level": ("attractor", np.array([c.get("section", ("", np.nan))[1]
                                                 for c in catalogue], float),
                          {"long_name": "level of the Poincare section (in section_state)",
                           "units": "1"}),
        "section_state": ("attractor", np.array([c.get("section", ("", 0))[0]
                                                 for c in catalogue], dtype=str),
                          {"long_name": "state whose upward crossing of section_level "
                                        "defines the Poincare point", "units": "1"}),
        "max_real_eig": ("attractor", np.array([c.get("max_real_eig", np.nan)
                                                for c in catalogue], float),
                         {"long_name": "largest real part of the Jacobian's eigenvalues",
                          "units": f"1/{tu}"}),
        "count": ("attractor", count.astype(np.int64),
                  {"long_name": "initial states in the basin", "units": "1"}),
        "fraction": ("attractor", count / max(1, label.size),
                     {"long_name": "fraction of the initial states in the basin",
                      "units": "1"}),
    }
    for i, s in enumerate(names):
        a = _state_attrs(model, s)
        data[f"{s}_point"] = ("attractor", pts[:, i],
                              {**a, "long_name": f"{a['long_name']}: equilibrium or Poincare "
                                                 "point"})
        data[f"{s}_min"] = ("attractor", ymin[:, i],
                            {**a, "long_name": f"{a['long_name']}: minimum on the attractor"})
        data[f"{s}_max"] = ("attractor", ymax[:, i],
                            {**a, "long_name": f"{a['long_name']}: maximum on the attractor"})
    coords = {"attractor": ("attractor", np.arange(K),
                            {"long_name": "attractor index", "units": "1"})}
    ds = xr.Dataset(data, coords=coords)
    cyc = [k for k, c in enumerate(catalogue) if c["kind"] == "cycle"]
    if cyc:
        orbits = np.full((K, n, 101), np.nan)
        for k in cyc:
            orbits[k] = _orbit(model, system, p, catalogue[k]["point"], catalogue[k]["period"])
        ds = ds.assign_coords(orbit_point=("orbit_point", np.arange(101),
                                           {"long_name": "sample along one period",
                                            "units": "1"}))
        for i, s in enumerate(names):
            ds[f"orbit_{s}"] = (("attractor", "orbit_point"), orbits[:, i],
                                {**_state_attrs(model, s),
                                 "long_name": f"{s} along the cycle (NaN: equilibrium)"})
    return ds


def basin_fractions(model, states=None, *, n_samples=10000, seed=0, box=None, params=None,
                    inputs=None, y0=None, progress=None, **options):
    """Fractions of a box of initial states that reach each attractor.

    Initial states are drawn uniformly (seeded) from ``box``; each is mapped
    with :func:`basin_map`. The fraction ``f`` of an attractor has the binomial
    standard error ``sqrt(f (1 - f) / n_samples)``.

    Parameters
    ----------
    model : Model
    states : sequence of str, optional
        States drawn at random (default all); the others start at ``y0`` (else
        their defaults).
    n_samples : int
        Number of initial states.
    seed : int
        Seed of the random generator (results are reproducible).
    box : dict, optional
        State -> (low, high) for the sampled states (default their declared
        bounds, else (-10, 10)).
    params, inputs, y0 : dict, optional
        As in :func:`basin_map`.
    progress : bool, optional
    **options
        Passed to :func:`basin_map` (``t_max``, ``dt``, ``tol``, ...).

    Returns
    -------
    xarray.Dataset
        The attractor catalogue (dim ``attractor``) with ``fraction``,
        ``fraction_se`` (standard error) and ``count``; scalar variables
        ``undecided_fraction`` and ``undecided_fraction_se``. ``attrs`` record
        the box, ``n_samples`` and ``seed``.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> from nmanalysis.analysis.basins import basin_fractions
    >>> m = nma.Model(name="bistable", states={"x": 0.0}, params={},
    ...               equations={"x": "x - x**3"})
    >>> bf = basin_fractions(m, box={"x": (-1.0, 3.0)}, n_samples=400, progress=False)
    >>> bf["x_point"].values.round(3).tolist()
    [-1.0, 1.0]
    >>> abs(float(bf["fraction"][1]) - 0.75) < 3 * float(bf["fraction_se"][1])
    True
    """
    states = list(model.state_names) if states is None else list(states)
    unknown = [s for s in states if s not in model.state_names]
    if unknown or not states:
        raise OptionsError(f"`states` must name states of {model.name!r} "
                           f"{list(model.state_names)}; got {states!r}")
    n_samples = int(n_samples)
    if n_samples < 1:
        raise OptionsError(f"`n_samples` must be >= 1; got {n_samples}")
    box = check_names(box, states, "box")
    from .equilibria import state_interval
    lims = {s: state_interval(model, s, box, "box") for s in states}
    rng = np.random.default_rng(seed)
    grid = {s: rng.uniform(lo, hi, n_samples) for s, (lo, hi) in lims.items()}
    tree = basin_map(model, grid, sampled=True, params=params, inputs=inputs, y0=y0,
                     progress=progress, **options)
    ds = tree["attractors"].to_dataset(inherit=False)
    label = tree["attractor"].values
    f = ds["count"].values / n_samples
    ds["count"].attrs["long_name"] = "samples in the basin"
    ds["fraction"] = ("attractor", f, {"long_name": "fraction of the box in the basin",
                                       "units": "1"})
    ds["fraction_se"] = ("attractor", np.sqrt(f * (1 - f) / n_samples),
                         {"long_name": "binomial standard error of the fraction",
                          "units": "1"})
    u = float(np.mean(label < 0))
    ds["undecided_fraction"] = ((), u, {"long_name": "fraction left undecided (-1)",
                                        "units": "1"})
    ds["undecided_fraction_se"] = ((), math.sqrt(u * (1 - u) / n_samples),
                                   {"long_name": "binomial standard error of the undecided "
                                                 "fraction", "units": "1"})
    ds.attrs.update(tree.attrs)
    ds.attrs.update(analysis="basin_fractions", n_samples=n_samples, seed=seed,
                    box=json_attr({s: list(v) for s, v in lims.items()}))
    return ds
