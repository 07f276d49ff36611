"""``find_cycles``: equilibria and limit cycles from simulation, batched over sweeps.

Each trajectory of a sweep is integrated past a transient and sampled finely.
It is an **equilibrium** when Newton, started from its final state, finds a
linearly stable equilibrium that the trajectory has settled on; a **cycle** when
its returns to a Poincaré section repeat (same state, same return time) within a
tolerance over several periods; **undecided** otherwise (too little time, slow
convergence, quasi-periodic or chaotic motion). Nothing is guessed.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import check_names
from ..errors import OptionsError
from ..integrate.batch import make_grid
from ..integrate.sizing import MAX_STEPS, check_count, check_memory
from ..results.attrs import fixed_params, json_attr, label_sweep_dims, provenance
from ..results.conventions import initial_state_dim

__all__ = ["find_cycles", "cycle_start", "polish_cycle", "REGIME_CODES"]

EQUILIBRIUM, CYCLE, UNDECIDED, FAILED = 0, 1, -1, -2
#: regime code -> meaning (CF flag_meanings words)
REGIME_CODES = {FAILED: "integration_failed", UNDECIDED: "undecided", EQUILIBRIUM: "equilibrium",
                CYCLE: "cycle"}
_ROW = "_row"
_MEMORY = 2.0e8  # bytes of samples held at once


# -- input handling --------------------------------------------------------------------------
def constant_inputs(model, inputs, what="cycles and equilibria"):
    """Input values as numbers or arrays; time-dependent signals are refused for ``what``."""
    from ..integrate.inputs import Constant, InputSignal

    others = {"params": model.param_names, "y0": model.state_names}
    inputs = check_names(inputs, model.input_names, "inputs", others)
    out = {}
    for name in model.input_names:
        value = inputs.get(name, model.inputs[name])
        if isinstance(value, Constant):
            value = value.value
        if isinstance(value, (InputSignal, dict)):
            raise OptionsError(f"`inputs[{name!r}]` must be a number or an array of numbers: "
                               f"{what} need(s) an autonomous system; got {value!r}")
        out[name] = value
    return out


def _y0_dict(model, y0):
    if y0 is None:
        return {}
    if not isinstance(y0, dict):
        arr = np.asarray(y0, dtype=float)
        if arr.shape != (model.n_states,):
            raise OptionsError(f"`y0` must be a dict state -> value or a sequence of "
                               f"{model.n_states} numbers {list(model.state_names)}; got "
                               f"shape {arr.shape}")
        y0 = dict(zip(model.state_names, arr.tolist()))
    others = {"params": model.param_names, "inputs": model.input_names}
    return check_names(y0, model.state_names, "y0", others)


def sweep_rows(model, params, y0, inputs, extra=(), what="cycles and equilibria"):
    """Grid of a sweep and its flat rows: (grid, P (n_p + n_in, B), Y0 (n, B), fixed).

    ``extra``: more ``(name, dim, value)`` grid entries (e.g. initial states on a
    shared dim, given as DataArrays). Same conventions as :func:`simulate`;
    inputs must be constant (``what`` names the analysis in the error).
    """
    others = {"inputs": model.input_names, "y0": model.state_names,
              "params": model.param_names}
    params = check_names(params, model.param_names, "params", others)
    y0 = _y0_dict(model, y0)
    inputs = constant_inputs(model, inputs, what)
    entries = [(k, k, v) for k, v in params.items()]
    entries += [(k, initial_state_dim(k), v) for k, v in y0.items()]
    entries += [(k, k, v) for k, v in inputs.items() if np.ndim(v) or
                type(v).__name__ == "DataArray"]
    entries += list(extra)
    grid = make_grid(entries)
    names = (*model.param_names, *model.input_names)
    # the rows' parameters and states, plus the analyses' per-row work and results
    check_memory(grid.size * 8.0 * (len(names) + 8 * model.n_states + 64),
                 f"{what} over {grid.size} sweep rows",
                 "sweep fewer values per call (split the sweep into chunks)")
    defaults = {**model.params, **{k: v for k, v in inputs.items() if not np.ndim(v)}}
    P = np.empty((len(names), grid.size))
    for i, name in enumerate(names):
        P[i] = grid.flat(name, defaults.get(name, 0.0))
    Y0 = np.empty((model.n_states, grid.size))
    for i, name in enumerate(model.state_names):
        Y0[i] = grid.flat(name, model.states[name])
    return grid, P, Y0, fixed_params(model, params)


def state_scales(model):
    """Per-state scale: the width of the declared bounds, else max(1, |default|)."""
    out = []
    for s in model.state_names:
        b = model.state_info[s].bounds
        if b is not None and np.all(np.isfinite(b)) and b[1] > b[0]:
            out.append(float(b[1] - b[0]))
        else:
            out.append(max(1.0, abs(float(model.states[s]))))
    return np.array(out)


# -- options ---------------------------------------------------------------------------------
def time_options(t, transient, method, dt, sampling):
    """Checked (t0, t1, transient, dt, sampling) of a sampled analysis; errors name the culprit."""
    from ..integrate.tableaux import METHODS, get_tableau
    try:
        t0, t1 = (float(v) for v in t)
    except (TypeError, ValueError):
        raise OptionsError(f"`t` must be a pair (t_start, t_end); got {t!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0):
        raise OptionsError(f"`t` must satisfy t_start < t_end, both finite; got {t!r}")
    if method not in METHODS or method == "exp_euler":
        valid = [m for m in METHODS if m != "exp_euler"]
        raise OptionsError(f"`method` must be one of {valid}; got {method!r}")
    transient = 0.5 * (t1 - t0) if transient is None else float(transient)
    if not (0.0 <= transient < t1 - t0):
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run ({t1 - t0}); "
                           f"got {transient}")
    adaptive = get_tableau(method).adaptive
    if dt is not None:
        check_positive(dt=dt)
        dt = float(dt)
    if not adaptive:
        if dt is None:
            dt = (t1 - t0) / 20_000
        check_count((t1 - t0) / dt, MAX_STEPS, "the time span / dt (steps per trajectory)",
                    "use a larger `dt` or a shorter `t`")
        sampling = dt if sampling is None else sampling
        transient = round(transient / dt) * dt
    elif sampling is None:
        sampling = (t1 - t0 - transient) / 20_000
    check_positive(sampling=sampling)
    window = t1 - t0 - transient
    # each trajectory's samples are kept while it is classified
    check_memory(8.0 * 3 * window / sampling, f"{window / sampling:.3g} samples per trajectory",
                 "use a coarser `sampling` or a longer `transient`")
    if window / sampling < 20:
        raise OptionsError(f"the analysed window t_end - t_start - transient ({window:g}) must "
                           f"hold at least 20 samples of `sampling` ({sampling:g})")
    return t0, t1, transient, dt, float(sampling)


def check_positive(**kw):
    """OptionsError unless every keyword value is a finite positive real number."""
    for name, v in kw.items():
        if not (isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
                and v > 0):
            raise OptionsError(f"`{name}` must be a positive number; got {v!r}")


# -- the analysis of one batch of sampled trajectories -----------------------------------------
def _rhs_at(system, X, P, rows):
    """Right-hand sides at points X (n, K) with parameter columns P[:, rows] -> (n, K)."""
    X = np.ascontiguousarray(X, dtype=float)
    out = np.empty_like(X)
    if X.shape[1]:
        system.rhs_batch(X, P, np.ascontiguousarray(rows, dtype=np.int64), 0, X.shape[1], out)
    return out


def _equilibria(system, X, P, sc, eq_tol):
    """Which rows have settled on a linearly stable equilibrium; (is_eq, xstar (B, n))."""
    from ..compile import cycles as ck
    from ..integrate.parallel import run_pieces

    m, n, B = X.shape
    xf = np.array(X[-1], dtype=float, order="C", copy=True)  # Newton overwrites it
    rows = np.arange(B, dtype=np.int64)
    ok = np.all(np.isfinite(xf), axis=0)
    xf[:, ~ok] = 0.0
    conv = np.zeros(B, np.int8)
    res = np.zeros(B)
    nit = np.zeros(B, np.int64)
    J = np.zeros((B, n, n))
    d_first, d_last = np.zeros(B), np.zeros(B)

    def run(lo, hi):
        system.newton_batch(xf, P, rows, 1e-12, 50, lo, hi, conv, res, nit)
        system.jac_batch(xf, P, rows, lo, hi, J)
        ck.settle_distance(X, xf, sc, lo, hi, d_first, d_last)

    run_pieces(run, B, 50 * n * n + 2 * m * n, False, "equilibria")
    good = ok & (conv == 1) & np.all(np.isfinite(J), axis=(1, 2))
    J[~good] = 0.0
    stable = good & (np.linalg.eigvals(J).real.max(axis=1) < 0.0)
    settled = (d_last <= eq_tol) & ((d_last <= 0.9 * d_first) | (d_last <= 1e-3 * eq_tol))
    return stable & settled, xf.T


def _gather(X, rows, cols):
    """Points X[cols[k], :, rows[k]] as an (n, K) array."""
    return np.ascontiguousarray(X[cols, :, rows].T)


def analyse_samples(system, X, t, P, sc, *, tol, eq_tol, min_periods=3, max_mult=8,
                    max_crossings=256, n_phase=0, detail=True):
    """Classify sampled trajectories X (m, n, B) at times t (m,) with parameters P (:, B).

    Returns a dict of flat arrays (row-wise): regime, period, period_spread,
    return_distance, section_state, min, max, mean (B, n), orbit (B, n, n_phase),
    crossing state (B, n) and section value (for polishing).
    """
    from ..compile import cycles as ck
    from ..integrate.parallel import run_pieces

    X = np.ascontiguousarray(X, dtype=float)
    m, n, B = X.shape
    MIN, MAX, MEAN = (np.empty((B, n)) for _ in range(3))
    KSEL = np.zeros(B, np.int64)
    OK = np.zeros(B, np.bool_)
    run_pieces(lambda lo, hi: ck.window_stats(X, sc, lo, hi, MIN, MAX, MEAN, KSEL, OK), B,
               m * n, False, "window")
    regime = np.full(B, UNDECIDED, np.int8)
    is_eq, xstar = _equilibria(system, X, P, sc, eq_tol)
    amp = np.max((MAX - MIN) / sc, axis=1)
    is_eq |= OK & (amp <= 1e-12)
    is_eq &= OK
    CVAL = MEAN[np.arange(B), KSEL].copy()
    JIDX = np.zeros((B, max_crossings), np.int64)
    NC = np.zeros(B, np.int64)
    cand = OK & ~is_eq
    NC_c = np.zeros(B, np.int64)
    run_pieces(lambda lo, hi: ck.scan_crossings(X, KSEL, CVAL, lo, hi, JIDX, NC), B, m, False,
               "crossings")
    NC_c[cand] = NC[cand]
    rr, qq = np.nonzero(np.arange(max_crossings)[None, :] < NC_c[:, None])
    jj = JIDX[rr, qq]
    F0 = np.zeros((B, max_crossings, n))
    F1 = np.zeros((B, max_crossings, n))
    F0[rr, qq] = _rhs_at(system, _gather(X, rr, jj), P, rr).T
    F1[rr, qq] = _rhs_at(system, _gather(X, rr, jj + 1), P, rr).T
    TC = np.full((B, max_crossings), np.nan)
    ZC = np.full((B, max_crossings, n), np.nan)
    ck.refine_crossings(X, t, F0, F1, KSEL, CVAL, JIDX, NC_c, TC, ZC)
    PER, SPREAD, RET = (np.empty(B) for _ in range(3))
    MULT = np.zeros(B, np.int64)
    J0 = np.zeros(B, np.int64)
    ck.return_period(TC, ZC, NC_c, sc, np.where(cand, amp, 0.0), tol, min_periods, max_mult,
                     PER, SPREAD, RET, MULT, J0)
    is_cyc = cand & (MULT > 0) & (SPREAD <= tol)
    regime[is_eq] = EQUILIBRIUM
    regime[is_cyc] = CYCLE
    regime[~OK] = FAILED
    out = dict(regime=regime, period=np.where(is_cyc, PER, np.nan),
               period_spread=np.where(cand & (MULT > 0), SPREAD, np.nan),
               return_distance=np.where(cand, RET, np.nan), section_state=KSEL,
               section_value=CVAL, n_crossings=NC_c, crossings_per_period=MULT,
               min=MIN, max=MAX, mean=MEAN)
    out["min"][is_eq] = xstar[is_eq]
    out["max"][is_eq] = xstar[is_eq]
    out["mean"][is_eq] = xstar[is_eq]
    for key in ("min", "max", "mean"):
        out[key][~OK] = np.nan
    cyc = np.nonzero(is_cyc)[0]
    out["crossing_state"] = np.full((B, n), np.nan)
    out["crossing_state"][cyc] = ZC[cyc, J0[cyc]]
    out["crossing_time"] = np.full(B, np.nan)
    out["crossing_time"][cyc] = TC[cyc, J0[cyc]]
    if n_phase:
        out["orbit"] = np.full((B, n, n_phase), np.nan)
    if detail and cyc.size:
        _cycle_detail(system, X, t, P, cyc, TC[cyc, J0[cyc]], PER[cyc], JIDX[cyc, J0[cyc]],
                      n_phase, out)
    return out


def _cycle_detail(system, X, t, P, cyc, tstart, T, jstart, n_phase, out):
    """Hermite-refined extrema, period mean and the orbit profile of the cycles."""
    from ..compile import cycles as ck

    m, n = X.shape[0], X.shape[1]
    jend = np.minimum(np.searchsorted(t, tstart + T, side="right"), m - 1)
    JL = jstart.astype(np.int64)
    JS = (jend - JL + 1).astype(np.int64)
    smax = int(JS.max())
    F = np.zeros((cyc.size, n, smax))
    ridx, sidx = np.nonzero(np.arange(smax)[None, :] < JS[:, None])
    rows = cyc[ridx]
    F[ridx, :, sidx] = _rhs_at(system, _gather(X, rows, JL[ridx] + sidx), P, rows).T
    Xc = np.ascontiguousarray(X[:, :, cyc])
    MIN = np.empty((cyc.size, n))
    MAX = np.empty((cyc.size, n))
    ck.hermite_extrema(Xc, t, F, JL, JS, MIN, MAX)
    out["min"][cyc] = MIN
    out["max"][cyc] = MAX
    n_mean = max(n_phase, 128)
    for k, count in (("mean", n_mean), ("orbit", n_phase)):
        if not count:
            continue
        TQ = tstart[:, None] + T[:, None] * (np.arange(count) / count)[None, :]
        OUT = np.empty((cyc.size, n, count))
        ck.hermite_eval(Xc, t, F, JL, JS, np.ascontiguousarray(TQ), OUT)
        if k == "mean":
            out["mean"][cyc] = OUT.mean(axis=2)
        else:
            out["orbit"][cyc] = OUT


def _batch_rows(n_rows, n_states, n_samples, batch_size):
    if batch_size is None:
        batch_size = max(1, int(_MEMORY / (8.0 * 3 * n_states * max(n_samples, 1))))
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise OptionsError(f"`batch_size` must be a whole number >= 1; got {batch_size!r}")
    return [(lo, min(n_rows, lo + batch_size)) for lo in range(0, n_rows, batch_size)]


def classify_rows(model, system, P, Y0, *, t, transient, method, dt, sampling, rtol, atol,
                  tol, eq_tol, max_steps, n_phase, detail, batch_size, progress, desc):
    """Simulate the flat rows (P, Y0) in batches and classify them (dict of flat arrays)."""
    import xarray as xr

    from ..integrate.simulate import simulate
    from ..progress import progress_bar

    B = P.shape[1]
    n = model.n_states
    n_samples = int((t[1] - t[0] - transient) / sampling) + 2
    pieces = _batch_rows(B, n, n_samples, batch_size)
    sc = state_scales(model)
    names = (*model.param_names, *model.input_names)
    results, status = [], np.zeros(B, np.int8)
    bar = progress_bar(B, desc, progress if len(pieces) > 1 or progress else False,
                       unit="traj")
    try:
        for lo, hi in pieces:
            pars = {k: xr.DataArray(P[i, lo:hi], dims=_ROW) for i, k in enumerate(names)
                    if k in model.param_names}
            inps = {k: xr.DataArray(P[i, lo:hi], dims=_ROW) for i, k in enumerate(names)
                    if k in model.input_names}
            y0 = {s: xr.DataArray(Y0[i, lo:hi], dims=_ROW)
                  for i, s in enumerate(model.state_names)}
            ds = simulate(model, t=t, dt=dt, method=method, params=pars, y0=y0, inputs=inps,
                          record="full", sampling=sampling, transient=transient, rtol=rtol,
                          atol=atol, max_steps=max_steps, observables=False, progress=False)
            X = np.stack([ds[s].transpose("time", _ROW).values for s in model.state_names],
                         axis=1)
            times = ds["time"].values.astype(float)
            st = ds["status"].values.astype(np.int8)
            status[lo:hi] = st
            Pc = np.ascontiguousarray(P[:, lo:hi])
            res = analyse_samples(system, X, times, Pc, sc, tol=tol, eq_tol=eq_tol,
                                  n_phase=n_phase, detail=detail)
            res["regime"][st != 0] = FAILED
            results.append(res)
            del X, ds
            bar.update(hi - lo)
    finally:
        bar.close()
    merged = {k: np.concatenate([r[k] for r in results]) for k in results[0]}
    merged["status"] = status
    return merged


# -- polishing by Newton shooting -------------------------------------------------------------
def _flow(system, p, x0, T, n_seg, rtol, atol, dense=False):
    """Integrate state and variational equations over [0, T] in n_seg segments.

    Returns (x(T), transfer matrices (n_seg, n, n), f(x(T)), dense solutions).
    """
    from scipy.integrate import solve_ivp

    n = x0.shape[0]
    f = np.empty(n)
    J = np.empty((n, n))

    def fun(t, z):
        x = np.ascontiguousarray(z[:n])
        system.rhs(t, x, p, f)
        system.jac(t, x, p, J)
        return np.concatenate([f, (J @ z[n:].reshape(n, n)).ravel()])

    def jacobian(t, z):                                   # for implicit methods (Radau)
        x = np.ascontiguousarray(z[:n])
        system.jac(t, x, p, J)
        big = np.zeros((n + n * n, n + n * n))
        big[:n, :n] = J
        for c in range(n):
            big[n + c::n, n + c::n][:n, :n] = J
        return big

    x = x0.copy()
    Ts = np.empty((n_seg, n, n))
    sols = []
    edges = np.linspace(0.0, T, n_seg + 1)
    atol_v = np.concatenate([atol, np.full(n * n, 1e-14)])
    for s in range(n_seg):
        z0 = np.concatenate([x, np.eye(n).ravel()])
        sol = solve_ivp(fun, (edges[s], edges[s + 1]), z0, method="DOP853", rtol=rtol,
                        atol=atol_v, dense_output=dense)
        if not sol.success:
            raise FloatingPointError(sol.message)
        x = sol.y[:n, -1].copy()
        Ts[s] = sol.y[n:, -1].reshape(n, n)
        sols.append(sol.sol if dense else None)
    fT = np.empty(n)
    system.rhs(T, np.ascontiguousarray(x), p, fT)
    return x, Ts, fT, sols, edges


def polish_cycle(model, x0, period, *, params=None, inputs=None, section=None, n_segments=8,
                 rtol=1e-12, tol=1e-11, max_iter=12, n_phase=200):
    """Refine a periodic orbit by Newton shooting; Floquet multipliers.

    Parameters
    ----------
    model : Model
    x0 : dict or sequence
        A point on (or near) the orbit.
    period : float
        Its period (or an estimate).
    params, inputs : dict, optional
        Fixed parameter and constant input values (model defaults otherwise).
    section : str, optional
        State whose value at ``x0`` is held fixed (the phase condition); default
        the state with the largest ``|f_i(x0)|`` relative to its scale.
    n_segments : int
        The variational equations are integrated over this many pieces of the
        period; the Floquet multipliers come from a periodic QR of the pieces'
        transfer matrices, never from their product.
    rtol : float
        Relative tolerance of the DOP853 integrations (absolute tolerance
        ``1e-3 rtol`` times the state scales).
    tol : float
        Newton stops when the scaled correction is below this.
    max_iter : int
    n_phase : int
        Points of the returned orbit profile.

    Returns
    -------
    dict
        ``period``, ``x0`` (n,), ``floquet`` (complex, by decreasing modulus),
        ``trivial_multiplier_error``, ``stable`` (every other multiplier inside
        the unit circle), ``converged``, ``residual``, ``iterations``,
        ``orbit`` (n, n_phase) from ``x0`` over one period, ``min``/``max``
        (n,) of the dense orbit.

    Notes
    -----
    The variational equations are integrated with the model's compiled
    Jacobian; the periodic QR (:mod:`nmanalysis.analysis.continuation.periodic.floquet`)
    keeps multipliers that are tiny next to 1 (stiff models such as
    Jansen-Rit, where they reach ~1e-30) to a relative accuracy near the
    integration tolerance, instead of the absolute ~1e-16 ``|M|`` a plain product
    would give; the trivial multiplier is 1 to ~1e-9 or better.

    Examples
    --------
    The van der Pol cycle (mu = 1) has period 6.6633:

    >>> import nmanalysis as nma
    >>> m = nma.get_model("van_der_pol")
    >>> r = polish_cycle(m, {"x": 2.0, "y": 0.0}, 6.6, n_phase=0)
    >>> round(r["period"], 4), r["stable"]
    (6.6633, True)
    """
    from ..compile import compile_model

    system = compile_model(model)
    x0 = np.array([x0[s] for s in model.state_names] if isinstance(x0, dict) else x0,
                  dtype=float)
    p = system.parameter_vector(check_names(params, model.param_names, "params"),
                                constant_inputs(model, inputs),
                                defaults={**model.params})
    sc = state_scales(model)
    f0 = system.f(x0, p)
    if section is None:
        k = int(np.argmax(np.abs(f0) / sc))
    elif section in model.state_names:
        k = model.state_names.index(section)
    else:
        raise OptionsError(f"`section` must be a state {list(model.state_names)}; got "
                           f"{section!r}")
    n = model.n_states
    T = float(period)
    atol = 1e-3 * rtol * sc
    converged, it, res = False, 0, np.inf
    for it in range(1, max_iter + 1):
        xT, Ts, fT, _, _ = _flow(system, p, x0, T, n_segments, rtol, atol)
        M = Ts[0]
        for s in range(1, n_segments):
            M = Ts[s] @ M
        A = np.zeros((n + 1, n + 1))
        A[:n, :n] = M - np.eye(n)
        A[:n, n] = fT
        A[n, k] = 1.0
        r = np.concatenate([xT - x0, [0.0]])
        res = float(np.max(np.abs(r[:n]) / sc))
        d = np.linalg.solve(A, -r)
        x0 = x0 + d[:n]
        T = T + d[n]
        step = max(float(np.max(np.abs(d[:n]) / sc)), abs(d[n]) / T)
        if step <= tol:
            converged = True
            break
    xT, Ts, fT, sols, edges = _flow(system, p, x0, T, n_segments, rtol, atol,
                                    dense=bool(n_phase))
    res = float(np.max(np.abs(xT - x0) / sc))
    try:
        from .continuation.periodic.floquet import floquet_multipliers
        mu = np.asarray(floquet_multipliers(Ts)[0], dtype=complex)
    except ImportError:  # pragma: no cover - fallback on the plain product
        M = Ts[0]
        for s in range(1, n_segments):
            M = Ts[s] @ M
        mu = np.linalg.eigvals(M)
    mu = mu[np.argsort(-np.abs(mu), kind="stable")]
    triv = int(np.argmin(np.abs(mu - 1.0)))
    others = np.delete(mu, triv)
    out = dict(period=float(T), x0=x0, floquet=mu, trivial_multiplier_error=float(abs(mu[triv] - 1)),
               stable=bool(np.all(np.abs(others) < 1.0)), converged=converged, residual=res,
               iterations=it, section=k)
    if n_phase:
        tq = T * np.arange(n_phase) / n_phase
        orbit = np.empty((n, n_phase))
        fine = np.linspace(0, T, 20 * n_phase + 1)
        dense = np.empty((n, fine.size))
        for s in range(n_segments):
            sel = (tq >= edges[s]) & ((tq < edges[s + 1]) | (s == n_segments - 1))
            orbit[:, sel] = sols[s](tq[sel])[:n]
            self_ = (fine >= edges[s]) & ((fine < edges[s + 1]) | (s == n_segments - 1))
            dense[:, self_] = sols[s](fine[self_])[:n]
        out.update(orbit=orbit, min=dense.min(axis=1), max=dense.max(axis=1))
    return out


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
    from ..compile import compile_model

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
        _polish_all(model, P, res, polish_rtol, int(n_phase), progress)
    options = dict(t_start=t0, t_end=t1, transient=transient, dt=dt, sampling=sampling,
                   rtol=rtol if dt is None else None, atol=atol if dt is None else None,
                   tol=tol, eq_tol=eq_tol, polish=bool(polish),
                   polish_rtol=polish_rtol if polish else None)
    return _to_dataset(model, grid, res, fixed, method, options, int(n_phase), polish)


def _polish_all(model, P, res, rtol, n_phase, progress):
    from ..progress import progress_bar

    cyc = np.nonzero(res["regime"] == CYCLE)[0]
    B, n = res["regime"].shape[0], model.n_states
    res["floquet"] = np.full((B, n), np.nan + 0j)
    res["trivial_multiplier_error"] = np.full(B, np.nan)
    res["stable"] = np.zeros(B, np.int8)
    res["polish_converged"] = np.zeros(B, np.int8)
    names = (*model.param_names, *model.input_names)
    bar = progress_bar(cyc.size, f"polish {model.name}", progress if cyc.size > 4 else False)
    try:
        for b in cyc:
            pars = {k: P[i, b] for i, k in enumerate(names) if k in model.param_names}
            inps = {k: P[i, b] for i, k in enumerate(names) if k in model.input_names}
            try:
                r = polish_cycle(model, res["crossing_state"][b], res["period"][b],
                                 params=pars, inputs=inps,
                                 section=model.state_names[res["section_state"][b]],
                                 rtol=rtol, n_phase=n_phase)
            except (np.linalg.LinAlgError, FloatingPointError, ValueError):
                bar.update(1)
                continue
            res["polish_converged"][b] = int(r["converged"])
            if r["converged"]:
                res["period"][b] = r["period"]
                res["floquet"][b] = r["floquet"]
                res["trivial_multiplier_error"][b] = r["trivial_multiplier_error"]
                res["stable"][b] = int(r["stable"])
                res["crossing_state"][b] = r["x0"]
                if n_phase:
                    res["orbit"][b] = r["orbit"]
            bar.update(1)
    finally:
        bar.close()


def regime_attrs(codes, long_name):
    """CF flag attributes (``flag_values``, ``flag_meanings``) of a regime-code variable."""
    keys = sorted(codes)
    return {"long_name": long_name, "units": "1", "flag_values": [int(k) for k in keys],
            "flag_meanings": " ".join(codes[k] for k in keys)}


def _to_dataset(model, grid, res, fixed, method, options, n_phase, polish):
    import xarray as xr

    from ..integrate.status import status_attrs

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
    import json

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
