"""``basin_map``: the kernels run over the initial states, in threads."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np

from ..._checks import check_names, check_real
from ...compile import compile_model
from ...errors import OptionsError
from ...integrate.parallel import run_pieces
from ...integrate.sizing import MAX_STEPS, check_count, check_memory
from ...integrate.tableaux import TABLEAUX, get_tableau
from ...results.attrs import json_attr, provenance
from ..stability import KINDS
from .catalogue import (box_equilibria, cluster_cycles, match_points, merge_equilibria,
                        static_points)
from .datasets import catalogue_dataset, map_dataset
from ..scales import grid_scales, grid_search_box
from .inputs import grid_axes, interval, scalar_values

__all__ = ["basin_map"]

#: the kernel template of the basin and cycle kernels (joined with the model's code)
KERNELS = Path(__file__).resolve().with_name("kernels_template.py")
_CHECK_EVERY = 4            # steps between two proximity checks
_BLOCK = 256                # trajectories integrated together (SIMD block width)
_MAX_Q = 8                  # longest period (in crossings) of a detected cycle


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

        run_pieces(run, B, 0.0, progress, "basins", chunk=chunk)
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

        run_pieces(run, B, 0.0, progress, "cycles", chunk=max(1, min(chunk, -(-B // 8))))
        return out


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
        ``left_bounds`` and label -1 (default: unbounded; non-finite states
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
    from ...model.network import refuse_network
    refuse_network(model, 'basin_map')
    import xarray as xr

    if model.uses_time():
        raise OptionsError(f"model {model.name!r} depends explicitly on time `t`; basins are "
                           "defined for autonomous models only")
    axes = grid_axes(model, grid, sampled)
    params = scalar_values(params, model.param_names, "params", {"inputs": model.input_names,
                                                            "grid": model.state_names})
    inputs = scalar_values(inputs, model.input_names, "inputs")
    y0 = scalar_values(y0, model.state_names, "y0")
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
    box = grid_search_box(model, axes, start, bounds)
    dom = check_names(domain, model.state_names, "domain")
    lo_b = np.array([interval(dom[s], f"domain[{s!r}]")[0] if s in dom else -np.inf
                     for s in model.state_names])
    hi_b = np.array([interval(dom[s], f"domain[{s!r}]")[1] if s in dom else np.inf
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
    EQ, lam, stable, kinds = box_equilibria(model, params, inputs, box)
    scale = grid_scales(model, axes, box)
    inv_scale = 1.0 / scale
    EQ, lam, stable, kinds = merge_equilibria(EQ, lam, stable, kinds, inv_scale, float(tol))
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
    dt = dt_auto if dt is None else check_real(dt, "dt", positive=True)
    t_max = t_auto if t_max is None else check_real(t_max, "t_max", positive=True)
    check_count(t_max / dt, MAX_STEPS, "t_max / dt (the steps per trajectory)",
                "use a larger `dt` or a smaller `t_max`")
    dwell = 8 * dt if dwell is None else check_real(dwell, "dwell", positive=True)
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
    run = _Run(system.extension(KERNELS), system, p, tab, dt, inv_scale, tol_eff,
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
            X, good, lam_s, kind_s = static_points(run.system, run.p, cyc["POINT"][:, st])
            good &= np.max(lam_s.real, axis=1) < -rate_min
            known = np.array([c["point"] for c in catalogue if c["kind"] == "equilibrium"])
            known = known.reshape(-1, n)
            for j in np.flatnonzero(good):
                k = match_points(X[:, j][None], known, inv_scale, 1e-6)[0]
                if k < 0:
                    catalogue.append(dict(kind="equilibrium", point=X[:, j].copy(),
                                          stability=KINDS[kind_s[j]],
                                          max_real_eig=float(np.max(lam_s[j].real))))
                    known = np.vstack([known, X[:, j]])
                    k = known.shape[0] - 1
                r = open_rows[st[j]]
                LABEL[r], STATUS[r] = k, 0
                T[r] = (max_steps + cyc["STEPS"][st[j]]) * dt
        ok = np.flatnonzero(cs == 0)
        for members in cluster_cycles(cyc, ok, inv_scale, tol_eff):
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
    root = map_dataset(model, axes, dims, shape, label, status, t_conv, sampled)
    fixed = {**model.params, **params}
    attrs = provenance(model, analysis="basin_map", fixed_params=fixed,
                       method=f"{method} fixed step, early stopping at stable equilibria "
                              "(scaled max-norm), Poincare recurrence for cycles",
                       options=options)
    root.attrs.update(attrs)
    cat = catalogue_dataset(model, catalogue, label, system, p, dt)
    cat.attrs.update({**attrs, "analysis": "basin_map catalogue"})
    return xr.DataTree(root, children={"attractors": xr.DataTree(cat)})

