"""Sampled trajectories of delay equations classified from the samples alone.

No vector field is needed (a delay equation's right-hand side depends on the
past): slopes are five-point finite differences of the samples, crossing
times, crossing states and extrema come from cubic Hermite interpolation with
those slopes (error O(sampling^4)), and a cycle must repeat a whole stretch of
its past, not only its state at the section. Arrays are laid out as
:mod:`nmanalysis.analysis.cycles.kernels` expects, ``X[j, i, b]``: sample ``j``,
state ``i``, trajectory ``b``; the sampling must be uniform.
"""

from __future__ import annotations

import numpy as np

from ..cycles import kernels as ck
from ..cycles.classify import CYCLE, EQUILIBRIUM, FAILED, UNDECIDED, crossing_returns
from ...integrate.parallel import run_pieces

__all__ = ["classify_samples", "IRREGULAR_TRAJECTORY", "IRREGULAR_AMPLITUDE", "MIN_SAMPLES"]

#: trajectory code of a sustained aperiodic oscillation
IRREGULAR_TRAJECTORY = 2
#: fewest samples between section crossings for which an oscillation is judged irregular
MIN_SAMPLES = 16
#: smallest scaled oscillation (peak to peak / state scale) called irregular
IRREGULAR_AMPLITUDE = 1e-2
# derivative at node k of the quartic through five equally spaced samples (units 1/h)
_D5 = np.array([[-25.0, 48.0, -36.0, 16.0, -3.0],
                [-3.0, -10.0, 18.0, -6.0, 1.0],
                [1.0, -8.0, 0.0, 8.0, -1.0],
                [-1.0, 6.0, -18.0, 10.0, 3.0],
                [3.0, -16.0, 36.0, -48.0, 25.0]]) / 12.0


def _slopes(X, h, rows, idx):
    """Time derivatives at samples ``X[idx[k], :, rows[k]]`` from five-point finite
    differences (the quartic through the nearest five samples): (n, K)."""
    m = X.shape[0]
    idx = np.asarray(idx, dtype=np.int64)
    s = np.clip(idx - 2, 0, m - 5)
    w = _D5[idx - s]                                         # (K, 5)
    out = np.zeros((X.shape[1], idx.size))
    for q in range(5):
        out += w[:, q] * X[s + q, :, rows].T
    return out / h


def _hermite_at(X, t, h, rows, tq):
    """Cubic Hermite interpolant (finite-difference slopes) of rows ``rows`` at times
    ``tq`` (same shape as rows): (K, n)."""
    m = X.shape[0]
    j = np.clip(np.floor((tq - t[0]) / h).astype(np.int64), 0, m - 2)
    th = ((tq - t[j]) / h)[:, None]
    x0, x1 = X[j, :, rows], X[j + 1, :, rows]
    f0, f1 = _slopes(X, h, rows, j).T, _slopes(X, h, rows, j + 1).T
    t2, t3 = th * th, th * th * th
    return ((2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + th) * h * f0
            + (-2 * t3 + 3 * t2) * x1 + (t3 - t2) * h * f1)


def _segment_return(X, t, h, sc, amp, rows, tstart, T, periods, n_phase=64):
    """Largest scaled distance, relative to ``amp``, between the last period of each row
    (from ``tstart``) and the stretch ``periods`` periods earlier, at ``n_phase`` phases."""
    out = np.zeros(rows.size)
    phase = np.arange(n_phase) / n_phase
    per = max(1, int(4e6 / (n_phase * X.shape[1])))          # rows per piece (memory)
    for lo in range(0, rows.size, per):
        r = rows[lo:lo + per]
        ta = (tstart[lo:lo + per, None] + T[lo:lo + per, None] * phase).ravel()
        tb = ta - np.repeat(periods * T[lo:lo + per], n_phase)
        rr = np.repeat(r, n_phase)
        d = np.abs(_hermite_at(X, t, h, rr, ta) - _hermite_at(X, t, h, rr, tb)) / sc
        out[lo:lo + per] = d.max(axis=1).reshape(r.size, n_phase).max(axis=1) / amp[r]
    return out


def _returns(TC, ZC, sc, amp, rows, mult, q_lo, q_hi):
    """Median return mismatch over crossings q in [q_lo, q_hi) after ``mult`` crossings:
    the larger of the scaled state distance |Z[q] - Z[q - mult]| / amp and the relative
    change of the return time from one return to the next (0 where there is none)."""
    med = np.zeros(rows.size)
    for k, b in enumerate(rows):
        q = np.arange(max(q_lo[k], 2 * mult), q_hi[k])
        if not q.size:
            continue
        d = np.max(np.abs(ZC[b, q] - ZC[b, q - mult]) / sc, axis=1) / amp[b]
        p1 = TC[b, q] - TC[b, q - mult]
        p0 = TC[b, q - mult] - TC[b, q - 2 * mult]
        med[k] = np.median(np.maximum(d, np.abs(p1 - p0) / p1))
    return med


def classify_samples(X, t, sc, *, tol, eq_tol, min_periods=3, max_mult=8, max_crossings=256):
    """Classify sampled trajectories ``X`` (m, n, B) at equally spaced times ``t`` (m,).

    ``sc`` (n,): the scale of every state. Returns a dict of arrays per
    trajectory: ``regime`` (codes of :data:`~nmanalysis.analysis.cycles.classify.
    REGIME_CODES`, plus ``IRREGULAR`` = 2 here), ``period``, ``min`` and
    ``max`` (B, n): the extrema over one period of a cycle (cubic Hermite
    interpolation with finite-difference slopes), the final state of an
    equilibrium, the window's extrema otherwise; ``coarse``: undecided
    trajectories with fewer than :data:`MIN_SAMPLES` samples between section
    crossings (a finer sampling may decide them).

    Irregular (a sustained aperiodic oscillation, chaotic or quasi-periodic;
    conservative): neither an equilibrium nor a cycle, at least
    ``8 max_mult`` section crossings, a scaled oscillation of at least
    :data:`IRREGULAR_AMPLITUDE` of the same size (within a factor 1.5) in both
    halves of the window, and for every number ``k <= max_mult`` of crossings
    per period the return mismatch after ``k`` crossings (the larger of the
    scaled state distance relative to the oscillation and the relative change
    of the return time from one return to the next; its median over the last
    quarter of the crossings) above ``100 tol`` and not below half its median
    over the second quarter, so a cycle still being approached stays undecided.

    Examples
    --------
    A sampled sine (a cycle of period 2 pi) and a decaying exponential:

    >>> import numpy as np
    >>> t = np.arange(0, 60, 0.05)
    >>> X = np.stack([np.stack([np.sin(t), np.cos(t)], axis=1),
    ...               np.stack([np.exp(-t), 2 * np.exp(-t)], axis=1)], axis=2)
    >>> out = classify_samples(X, t, np.ones(2), tol=1e-4, eq_tol=1e-4)
    >>> out["regime"].tolist(), round(float(out["period"][0] / (2 * np.pi)), 7)
    ([1, 0], 1.0)
    """
    X = np.ascontiguousarray(X, dtype=float)
    m, n, B = X.shape
    h = float(t[1] - t[0])
    MIN, MAX, MEAN = (np.empty((B, n)) for _ in range(3))
    KSEL = np.zeros(B, np.int64)
    OK = np.zeros(B, np.bool_)
    run_pieces(lambda lo, hi: ck.window_stats(X, sc, lo, hi, MIN, MAX, MEAN, KSEL, OK), B,
               m * n, False, "window")
    XF = np.ascontiguousarray(X[-1])
    d_first, d_last = np.zeros(B), np.zeros(B)
    run_pieces(lambda lo, hi: ck.settle_distance(X, XF, sc, lo, hi, d_first, d_last), B,
               m * n, False, "settle")
    amp = np.max((MAX - MIN) / sc, axis=1)
    with np.errstate(invalid="ignore"):
        settled = (d_last <= eq_tol) & ((d_last <= 0.5 * d_first) | (d_last <= 1e-3 * eq_tol))
    is_eq = OK & (settled | (amp <= 1e-12))
    cand = OK & ~is_eq
    CVAL = MEAN[np.arange(B), KSEL].copy()
    JIDX = np.zeros((B, max_crossings), np.int64)
    NC = np.zeros(B, np.int64)
    run_pieces(lambda lo, hi: ck.scan_crossings(X, KSEL, CVAL, lo, hi, JIDX, NC), B, m, False,
               "crossings")
    NC[~cand] = 0
    TC, ZC, PER, SPREAD, RET, MULT, J0 = crossing_returns(
        X, t, KSEL, CVAL, JIDX, NC, cand, amp, sc, lambda rr, jj: _slopes(X, h, rr, jj),
        tol=tol, min_periods=min_periods, max_mult=max_mult)
    is_cyc = cand & (MULT > 0) & (SPREAD <= tol)
    # a delay equation's state is a stretch of its past: the last period must repeat the
    # one min_periods periods before (a damped oscillation has a constant period too)
    rows = np.flatnonzero(is_cyc)
    if rows.size:
        back = _segment_return(X, t, h, sc, amp, rows, TC[rows, J0[rows]], PER[rows],
                               min_periods)
        is_cyc[rows[~(back <= tol)]] = False
    # fewer than MIN_SAMPLES samples between crossings: the interpolation cannot resolve
    # the waveform to tol; such rows are never called irregular
    last = np.maximum(NC - 1, 1)
    gap = np.where(NC > 1, (TC[np.arange(B), np.minimum(NC - 1, max_crossings - 1)]
                            - TC[:, 0]) / last, np.nan)
    with np.errstate(invalid="ignore"):
        coarse = cand & (NC > 1) & (gap < MIN_SAMPLES * h)
    irregular = _irregular(X, TC, ZC, NC, sc, amp, cand & ~is_cyc & ~coarse, tol, max_mult)
    regime = np.full(B, UNDECIDED, np.int8)
    regime[is_eq] = EQUILIBRIUM
    regime[is_cyc] = CYCLE
    regime[irregular] = IRREGULAR_TRAJECTORY
    regime[~OK] = FAILED
    lo_, hi_ = MIN.copy(), MAX.copy()
    lo_[is_eq] = XF.T[is_eq]
    hi_[is_eq] = XF.T[is_eq]
    cyc = np.flatnonzero(is_cyc)
    if cyc.size:
        _cycle_extrema(X, t, h, cyc, TC[cyc, J0[cyc]], PER[cyc], JIDX[cyc, J0[cyc]], lo_, hi_)
    lo_[~OK] = np.nan
    hi_[~OK] = np.nan
    return dict(regime=regime, period=np.where(is_cyc, PER, np.nan), min=lo_, max=hi_,
                coarse=coarse & (regime == UNDECIDED))


def _irregular(X, TC, ZC, NC, sc, amp, cand, tol, max_mult):
    """Sustained aperiodic oscillations among the rows ``cand`` (see classify_samples)."""
    m = X.shape[0]
    out = np.zeros(X.shape[2], bool)
    rows = np.flatnonzero(cand & (NC >= 8 * max_mult) & (amp >= IRREGULAR_AMPLITUDE))
    if not rows.size:
        return out
    half = m // 2
    Xr = X[:, :, rows]
    a1 = np.max((Xr[:half].max(axis=0) - Xr[:half].min(axis=0)).T / sc, axis=1)
    a2 = np.max((Xr[half:].max(axis=0) - Xr[half:].min(axis=0)).T / sc, axis=1)
    keep = (a2 <= 1.5 * a1) & (a1 <= 1.5 * a2)
    nc = NC[rows]
    aperiodic = np.ones(rows.size, bool)
    for mult in range(1, max_mult + 1):
        end = _returns(TC, ZC, sc, amp, rows, mult, 3 * nc // 4, nc)
        mid = _returns(TC, ZC, sc, amp, rows, mult, nc // 4, nc // 2)
        aperiodic &= (end > 100 * tol) & (end >= 0.5 * mid)
    out[rows[keep & aperiodic]] = True
    return out


def _cycle_extrema(X, t, h, cyc, tstart, T, jstart, MIN, MAX):
    """Extrema of one period of the cycles ``cyc`` (Hermite cubics, interior extrema too)."""
    m, n = X.shape[0], X.shape[1]
    jend = np.minimum(np.searchsorted(t, tstart + T, side="right"), m - 1)
    JL_all = jstart.astype(np.int64)
    JS_all = (jend - JL_all + 1).astype(np.int64)
    per = max(1, int(2e7 / (n * int(JS_all.max()))))        # rows per piece (memory)
    for a in range(0, cyc.size, per):
        rows, JL, JS = cyc[a:a + per], JL_all[a:a + per], JS_all[a:a + per]
        smax = int(JS.max())
        F = np.zeros((rows.size, n, smax))
        ridx, sidx = np.nonzero(np.arange(smax)[None, :] < JS[:, None])
        F[ridx, :, sidx] = _slopes(X, h, rows[ridx], JL[ridx] + sidx).T
        Xc = np.ascontiguousarray(X[:, :, rows])
        lo, hi = np.empty((rows.size, n)), np.empty((rows.size, n))
        ck.hermite_extrema(Xc, t, F, JL, JS, lo, hi)
        MIN[rows] = lo
        MAX[rows] = hi
