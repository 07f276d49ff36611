"""Model-independent kernels of cycle detection on sampled trajectories.

Unlike the kernel templates (``compile/drivers.py``, ``compile/solvers.py``) this
is an ordinary module: nothing here calls a model's ``rhs``. The caller evaluates the
right-hand side where it is needed (``CompiledSystem.rhs_batch``) and passes
the values in. Arrays of samples are laid out ``X[j, i, b]``: sample ``j`` (times
``t[j]``, uniform or not), state ``i``, trajectory ``b`` (as ``simulate``
records them), so row ranges can run in parallel threads.

Interpolation between samples is cubic Hermite with the sampled derivative,
``x(t_j + theta h) = h00 x_j + h10 h f_j + h01 x_{j+1} + h11 h f_{j+1}``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["scan_crossings", "refine_crossings", "return_period", "hermite_eval",
           "hermite_extrema", "window_stats", "settle_distance"]


@njit(cache=True, nogil=True, error_model="numpy")
def window_stats(X, sc, start, stop, MIN, MAX, MEAN, KSEL, OK):
    """Rows [start, stop): min, max, mean of every state; the state with the
    largest scaled oscillation ``(max - min) / sc`` (KSEL); OK = all finite."""
    m, n, B = X.shape
    for i in range(n):
        for b in range(start, stop):
            MIN[b, i] = np.inf
            MAX[b, i] = -np.inf
            MEAN[b, i] = 0.0
    for j in range(m):
        for i in range(n):
            for b in range(start, stop):
                v = X[j, i, b]
                MIN[b, i] = np.minimum(MIN[b, i], v)
                MAX[b, i] = np.maximum(MAX[b, i], v)
                MEAN[b, i] += v
    for b in range(start, stop):
        best = -1.0
        kb = 0
        ok = True
        for i in range(n):
            MEAN[b, i] /= m
            r = (MAX[b, i] - MIN[b, i]) / sc[i]
            if not (r - r == 0.0):
                ok = False
            elif r > best:
                best = r
                kb = i
        KSEL[b] = kb
        OK[b] = ok


@njit(cache=True, nogil=True, error_model="numpy")
def settle_distance(X, XS, sc, start, stop, DFIRST, DLAST):
    """Largest scaled distance max_i |x_i - xs_i| / sc_i over the first and the
    last third of the samples, rows [start, stop)."""
    m, n, B = X.shape
    third = max(1, m // 3)
    for b in range(start, stop):
        DFIRST[b] = 0.0
        DLAST[b] = 0.0
    for j in range(m):
        first = j < third
        last = j >= m - third
        if not (first or last):
            continue
        for i in range(n):
            for b in range(start, stop):
                d = abs(X[j, i, b] - XS[i, b]) / sc[i]
                if first:
                    DFIRST[b] = np.maximum(DFIRST[b], d)
                if last:
                    DLAST[b] = np.maximum(DLAST[b], d)


@njit(cache=True, nogil=True, error_model="numpy")
def scan_crossings(X, KSEL, CVAL, start, stop, JIDX, NC):
    """Upward crossings of ``X[:, KSEL[b], b]`` through ``CVAL[b]``: the last
    ``JIDX.shape[1]`` sample indices j with x_j < c <= x_{j+1}, ascending."""
    m, n, B = X.shape
    cap = JIDX.shape[1]
    for b in range(start, stop):
        NC[b] = 0
    for j in range(m - 2, -1, -1):
        for b in range(start, stop):
            k = KSEL[b]
            c = CVAL[b]
            if NC[b] < cap and X[j, k, b] < c and X[j + 1, k, b] >= c:
                NC[b] += 1
                JIDX[b, cap - NC[b]] = j
    for b in range(start, stop):
        cnt = NC[b]
        for q in range(cnt):
            JIDX[b, q] = JIDX[b, cap - cnt + q]


@njit(cache=True, nogil=True, inline="always")
def _hermite(x0, x1, f0, f1, h, th):
    t2 = th * th
    t3 = t2 * th
    return ((2.0 * t3 - 3.0 * t2 + 1.0) * x0 + (t3 - 2.0 * t2 + th) * h * f0
            + (-2.0 * t3 + 3.0 * t2) * x1 + (t3 - t2) * h * f1)


@njit(cache=True, nogil=True, inline="always")
def _hermite_d(x0, x1, f0, f1, h, th):
    """d/dtheta of the Hermite cubic."""
    t2 = th * th
    return ((6.0 * t2 - 6.0 * th) * x0 + (3.0 * t2 - 4.0 * th + 1.0) * h * f0
            + (-6.0 * t2 + 6.0 * th) * x1 + (3.0 * t2 - 2.0 * th) * h * f1)


@njit(cache=True, nogil=True, error_model="numpy")
def refine_crossings(X, t, F0, F1, KSEL, CVAL, JIDX, NC, TC, ZC):
    """Crossing times TC[b, q] and states ZC[b, q, :] from the Hermite cubic.

    F0[b, q, :], F1[b, q, :]: right-hand side at samples JIDX[b, q] and +1.
    The root in theta is bracketed (x_j < c <= x_{j+1}); safeguarded Newton.
    """
    m, n, B = X.shape
    for b in range(B):
        k = KSEL[b]
        c = CVAL[b]
        for q in range(NC[b]):
            j = JIDX[b, q]
            h = t[j + 1] - t[j]
            x0 = X[j, k, b]
            x1 = X[j + 1, k, b]
            f0 = F0[b, q, k]
            f1 = F1[b, q, k]
            lo = 0.0
            hi = 1.0
            th = (c - x0) / (x1 - x0) if x1 != x0 else 0.5
            for _ in range(60):
                g = _hermite(x0, x1, f0, f1, h, th) - c
                if g < 0.0:
                    lo = th
                else:
                    hi = th
                d = _hermite_d(x0, x1, f0, f1, h, th)
                nt = th - g / d if d != 0.0 else 0.5 * (lo + hi)
                if not (nt > lo and nt < hi):
                    nt = 0.5 * (lo + hi)
                if abs(nt - th) <= 1e-15:
                    th = nt
                    break
                th = nt
            TC[b, q] = t[j] + th * h
            for i in range(n):
                ZC[b, q, i] = _hermite(X[j, i, b], X[j + 1, i, b], F0[b, q, i], F1[b, q, i],
                                       h, th)


@njit(cache=True, nogil=True, error_model="numpy")
def return_period(TC, ZC, NC, sc, amp, tol, min_periods, max_mult, PER, SPREAD, RET, MULT,
                  J0):
    """Period from the crossing sequence: the smallest multiplicity ``mult``
    (crossings per period) for which return points ``Z[q + mult]`` and ``Z[q]``
    agree, relative to the oscillation size ``amp[b]`` (max-norm of states
    scaled by ``sc``), to ``tol`` over at least ``min_periods`` returns.

    PER: (t_last - t_first) / periods along the chain ending at the last
    crossing; SPREAD: max relative deviation of single periods from PER;
    RET: largest scaled return distance; MULT; J0: index of the crossing that
    starts the last full period (NaN/-1 when no period was found).
    """
    B = TC.shape[0]
    n = ZC.shape[2]
    for b in range(B):
        nc = NC[b]
        PER[b] = np.nan
        SPREAD[b] = np.nan
        RET[b] = np.nan
        MULT[b] = 0
        J0[b] = -1
        if amp[b] <= 0.0:
            continue
        best_ret = np.inf
        for mult in range(1, max_mult + 1):
            q = (nc - 1) // mult
            if q < min_periods:
                break
            # every crossing j with j + mult < nc is checked
            worst = 0.0
            for j in range(nc - mult):
                d = 0.0
                for i in range(n):
                    d = max(d, abs(ZC[b, j + mult, i] - ZC[b, j, i]) / sc[i])
                worst = max(worst, d / amp[b])
            if worst < best_ret:
                best_ret = worst
            if not (worst <= tol):
                continue
            last = nc - 1
            first = last - q * mult
            T = (TC[b, last] - TC[b, first]) / q
            spread = 0.0
            for j in range(nc - mult):
                spread = max(spread, abs(TC[b, j + mult] - TC[b, j] - T) / T)
            PER[b] = T
            SPREAD[b] = spread
            RET[b] = worst
            MULT[b] = mult
            J0[b] = last - mult
            break
        if MULT[b] == 0 and best_ret < np.inf:
            RET[b] = best_ret


@njit(cache=True, nogil=True, error_model="numpy")
def hermite_eval(X, t, F, JL, JS, TQ, OUT):
    """Hermite interpolation at query times TQ[b, p] (inside the sampled span).

    F[b, i, s]: right-hand side at samples JL[b] + s, s < JS[b] (a contiguous
    stretch of samples covering every query of row b). OUT[b, i, p].
    """
    m, n, B = X.shape
    P = TQ.shape[1]
    for b in range(B):
        j0 = JL[b]
        for p in range(P):
            tq = TQ[b, p]
            if not (tq == tq):
                for i in range(n):
                    OUT[b, i, p] = np.nan
                continue
            # sample interval containing tq within the stretch
            lo = j0
            hi = j0 + JS[b] - 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if t[mid] <= tq:
                    lo = mid
                else:
                    hi = mid
            h = t[lo + 1] - t[lo]
            th = (tq - t[lo]) / h
            s = lo - j0
            for i in range(n):
                OUT[b, i, p] = _hermite(X[lo, i, b], X[lo + 1, i, b], F[b, i, s],
                                        F[b, i, s + 1], h, th)


@njit(cache=True, nogil=True, error_model="numpy")
def hermite_extrema(X, t, F, JL, JS, MIN, MAX):
    """Min and max of every state over samples JL[b] .. JL[b] + JS[b] - 1,
    including interior extrema of the Hermite cubics (derivative roots)."""
    m, n, B = X.shape
    for b in range(B):
        j0 = JL[b]
        for i in range(n):
            lo = np.inf
            hi = -np.inf
            for s in range(JS[b]):
                v = X[j0 + s, i, b]
                lo = min(lo, v)
                hi = max(hi, v)
            for s in range(JS[b] - 1):
                f0 = F[b, i, s]
                f1 = F[b, i, s + 1]
                if f0 * f1 > 0.0:
                    continue
                j = j0 + s
                h = t[j + 1] - t[j]
                x0 = X[j, i, b]
                x1 = X[j + 1, i, b]
                # derivative a th^2 + bb th + cc (see _hermite_d)
                a = 6.0 * x0 + 3.0 * h * f0 - 6.0 * x1 + 3.0 * h * f1
                bb = -6.0 * x0 - 4.0 * h * f0 + 6.0 * x1 - 2.0 * h * f1
                cc = h * f0
                for r in range(2):
                    if abs(a) < 1e-300:
                        if r == 1 or bb == 0.0:
                            continue
                        th = -cc / bb
                    else:
                        disc = bb * bb - 4.0 * a * cc
                        if disc < 0.0:
                            continue
                        sq = np.sqrt(disc)
                        th = (-bb + sq) / (2.0 * a) if r == 0 else (-bb - sq) / (2.0 * a)
                    if th > 0.0 and th < 1.0:
                        v = _hermite(x0, x1, f0, f1, h, th)
                        lo = min(lo, v)
                        hi = max(hi, v)
            MIN[b, i] = lo
            MAX[b, i] = hi
