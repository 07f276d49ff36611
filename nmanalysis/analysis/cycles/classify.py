"""Sampled trajectories classified: equilibrium, cycle, undecided or failed.

Each trajectory is integrated past a transient and sampled finely
(:func:`classify_rows`); on the samples (:func:`analyse_samples`) it is an
**equilibrium** when Newton, started from its final state, finds a linearly
stable equilibrium that the trajectory has settled on; a **cycle** when its
returns to a Poincaré section repeat (same state, same return time) within a
tolerance over several periods; **undecided** otherwise.
"""

from __future__ import annotations

import numpy as np

from ...errors import OptionsError
from ...integrate.parallel import run_pieces
from ...integrate.simulate import simulate
from ...progress import progress_bar
from . import kernels as ck
from ..scales import amplitude_scales

__all__ = ["EQUILIBRIUM", "CYCLE", "UNDECIDED", "FAILED", "REGIME_CODES", "analyse_samples",
           "crossing_returns", "classify_rows", "regime_attrs"]

EQUILIBRIUM, CYCLE, UNDECIDED, FAILED = 0, 1, -1, -2
#: regime code -> meaning (CF flag_meanings words)
REGIME_CODES = {FAILED: "integration_failed", UNDECIDED: "undecided", EQUILIBRIUM: "equilibrium",
                CYCLE: "cycle"}
_ROW = "_row"
_MEMORY = 2.0e8  # bytes of samples held at once


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


def crossing_returns(X, t, KSEL, CVAL, JIDX, NC, cand, amp, sc, slopes, *, tol, min_periods,
                     max_mult):
    """Refined section crossings and the return period of sampled trajectories.

    The first ``NC[b]`` crossings of row ``b`` (indices ``JIDX``, state ``KSEL``, value
    ``CVAL``) are placed by cubic Hermite interpolation with the slopes
    ``slopes(rows, cols)`` (an (n, K) array of f at ``X[cols, :, rows]``), then the
    shortest return over a whole number of crossings is sought (rows outside ``cand``
    get amplitude 0). Returns ``(TC, ZC, PER, SPREAD, RET, MULT, J0)``: crossing times
    and states, period, its spread, return distance, crossings per period and the
    crossing a period starts at.
    """
    B, max_crossings = JIDX.shape
    n = X.shape[1]
    rr, qq = np.nonzero(np.arange(max_crossings)[None, :] < NC[:, None])
    jj = JIDX[rr, qq]
    F0 = np.zeros((B, max_crossings, n))
    F1 = np.zeros((B, max_crossings, n))
    F0[rr, qq] = slopes(rr, jj).T
    F1[rr, qq] = slopes(rr, jj + 1).T
    TC = np.full((B, max_crossings), np.nan)
    ZC = np.full((B, max_crossings, n), np.nan)
    ck.refine_crossings(X, t, F0, F1, KSEL, CVAL, JIDX, NC, TC, ZC)
    PER, SPREAD, RET = (np.empty(B) for _ in range(3))
    MULT = np.zeros(B, np.int64)
    J0 = np.zeros(B, np.int64)
    ck.return_period(TC, ZC, NC, sc, np.where(cand, amp, 0.0), tol, min_periods, max_mult,
                     PER, SPREAD, RET, MULT, J0)
    return TC, ZC, PER, SPREAD, RET, MULT, J0


def analyse_samples(system, X, t, P, sc, *, tol, eq_tol, min_periods=3, max_mult=8,
                    max_crossings=256, n_phase=0, detail=True):
    """Classify sampled trajectories X (m, n, B) at times t (m,) with parameters P (:, B).

    Returns a dict of flat arrays (row-wise): regime, period, period_spread,
    return_distance, section_state, min, max, mean (B, n), orbit (B, n, n_phase),
    crossing state (B, n) and section value (for polishing).
    """
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
    TC, ZC, PER, SPREAD, RET, MULT, J0 = crossing_returns(
        X, t, KSEL, CVAL, JIDX, NC_c, cand, amp, sc,
        lambda rr, jj: _rhs_at(system, _gather(X, rr, jj), P, rr),
        tol=tol, min_periods=min_periods, max_mult=max_mult)
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

    B = P.shape[1]
    n = model.n_states
    n_samples = int((t[1] - t[0] - transient) / sampling) + 2
    pieces = _batch_rows(B, n, n_samples, batch_size)
    sc = amplitude_scales(model)
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


def regime_attrs(codes, long_name):
    """CF flag attributes (``flag_values``, ``flag_meanings``) of a regime-code variable."""
    keys = sorted(codes)
    return {"long_name": long_name, "units": "1", "flag_values": [int(k) for k in keys],
            "flag_meanings": " ".join(codes[k] for k in keys)}

