"""Kernel template of the delayed network integrator (integrate/delayed.py).

Its text is appended to a node model's generated kernels by
``CompiledSystem.extension(<this file>)``, where ``rhs``, ``jac_diag`` and
``observables`` (each ``f(t, y, p, out)``) are module globals. Importing this
file by itself only defines the (not yet compiled) functions.

One batch row is one network simulation. The source state of every node is
kept, with its time derivative, in a ring buffer on the step grid; a delayed
value at an off-grid time is the cubic Hermite interpolant of the two grid
points around it. Delays are at least one step, so every stage reads only
points already computed. Per edge and stage, the ring offset and the four
Hermite weights (times the edge weight) are computed once per row.

Coupling modes: 0 diffusive (sum w (pre - post)), 1 additive (sum w pre),
2 expression: the node model's observable ``obs_h`` evaluated with its input
``in_pre`` set to the delayed value. Status: 0 ok, 1 non-finite, 2 left bounds.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_normal(seed, row, counter):
    """Standard normal number from (seed, row, counter) (splitmix64 + Box-Muller)."""
    x = np.uint64(seed) ^ (np.uint64(row) * np.uint64(0x9E3779B97F4A7C15))
    x = x ^ (np.uint64(counter) * np.uint64(0xD1B54A32D192ED03))
    out = np.empty(2)
    for k in range(2):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        out[k] = (float(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
    return math.sqrt(-2.0 * math.log(out[0])) * math.cos(2.0 * math.pi * out[1])


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_phi1(z):
    if abs(z) < 1e-5:
        return 1.0 + 0.5 * z
    return math.expm1(z) / z


@njit(cache=True, nogil=True, error_model="numpy")
def run_network(Y0, P, tgt, src, KG, mode, obs_h, in_pre, rowptr, e_j, e_w, DL,
                scheme, A, bw, c, t0, dt, n_steps, q0, rec_every, L, HV, HD,
                noise_kind, noise_sig, noise_tau, seed, lo_b, hi_b, want_full, want_red,
                REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, row_start, row_stop):
    """Integrate rows [row_start, row_stop). Y0 (B, N, ns), P (B, N, n_all),
    DL (B, E) delays in steps (0 = undelayed), HV/HD (B or 1, Lh, N) history
    values / derivatives at t0 - k dt, REC (n_rec, ns, N, B)."""
    N = Y0.shape[1]
    ns = Y0.shape[2]
    n_all = P.shape[2]
    E = e_j.shape[0]
    S = bw.shape[0]
    Lh = HV.shape[1]
    sqdt = math.sqrt(dt)
    n_ob = max(N_OBSERVABLES, 1)
    for b in range(row_start, row_stop):
        hb = b if HV.shape[0] > 1 else 0
        y = Y0[b].copy()
        p = P[b].copy()
        base = p[:, tgt].copy()
        H = np.empty((L, N))
        G = np.empty((L, N))
        for k in range(L):
            slot = (-k) % L
            kk = min(k, Lh - 1)
            for i in range(N):
                H[slot, i] = HV[hb, kk, i]
                G[slot, i] = HD[hb, kk, i]
        # per edge and stage: ring offset (<= 0) and weighted Hermite weights
        off = np.zeros((S, E), dtype=np.int64)
        wt = np.zeros((S, E, 4))
        undel = np.zeros(E, dtype=np.bool_)
        for e in range(E):
            m = DL[b, e]
            undel[e] = m == 0.0
            for s in range(S):
                u = c[s] - m
                kk = int(math.ceil(u - 1e-12)) - 1
                th = u - kk
                if th > 1.0:
                    th = 1.0
                off[s, e] = kk
                w = e_w[e] if mode != 2 else 1.0
                th2 = th * th
                th3 = th2 * th
                wt[s, e, 0] = w * (2 * th3 - 3 * th2 + 1)
                wt[s, e, 1] = w * (th3 - 2 * th2 + th) * dt
                wt[s, e, 2] = w * (-2 * th3 + 3 * th2)
                wt[s, e, 3] = w * (th3 - th2) * dt
        rsum = np.zeros(N)
        for i in range(N):
            for e in range(rowptr[i], rowptr[i + 1]):
                rsum[i] += e_w[e]
        Kst = np.empty((S, N, ns))
        ys = np.empty((N, ns))
        inc = np.zeros((N, ns))
        eta = np.zeros((N, ns))
        ob = np.empty(n_ob)
        jd = np.empty(ns)
        rmin = np.full((ns, N), np.inf)
        rmax = np.full((ns, N), -np.inf)
        rs = np.zeros((ns, N))
        status = 0
        tstop = np.nan
        gain = KG[b]
        for q in range(n_steps + 1):
            t = t0 + q * dt
            # record the state at step q
            if q >= q0:
                j = q - q0
                if want_full and j % rec_every == 0:
                    for k in range(ns):
                        for i in range(N):
                            REC[j // rec_every, k, i, b] = y[i, k]
                if want_red:
                    for k in range(ns):
                        for i in range(N):
                            v = y[i, k]
                            rmin[k, i] = min(rmin[k, i], v)
                            rmax[k, i] = max(rmax[k, i], v)
                            rs[k, i] += v
            if q == n_steps:
                break
            qs = q % L
            for i in range(N):
                H[qs, i] = y[i, src]
            if noise_kind != 0:
                for i in range(N):
                    for k in range(ns):
                        if noise_sig[k] == 0.0:
                            continue
                        xi = _dde_normal(seed, b, (q * N + i) * ns + k)
                        if noise_kind == 1:
                            inc[i, k] = noise_sig[k] * sqdt * xi
                        else:
                            dec = math.exp(-dt / noise_tau[k])
                            amp = noise_sig[k] * math.sqrt(0.5 * noise_tau[k] * (1 - dec * dec))
                            inc[i, k] = dt * eta[i, k]
                            eta[i, k] = eta[i, k] * dec + amp * xi
            n_st = 1 if scheme == 1 else S
            for s in range(n_st):
                for i in range(N):
                    for k in range(ns):
                        acc = y[i, k]
                        for l in range(s):
                            acc += dt * A[s, l] * Kst[l, i, k]
                        ys[i, k] = acc
                ts = t + c[s] * dt
                for i in range(N):
                    post = ys[i, src]
                    cp = 0.0
                    for e in range(rowptr[i], rowptr[i + 1]):
                        jn = e_j[e]
                        if undel[e]:
                            pre = ys[jn, src] * (e_w[e] if mode != 2 else 1.0)
                        else:
                            i0 = qs + off[s, e]
                            while i0 < 0:
                                i0 += L
                            i1 = i0 + 1
                            if i1 >= L:
                                i1 -= L
                            # the history's own slope at t0 (left of the kink there)
                            g1 = HD[hb, 0, jn] if q + off[s, e] == -1 else G[i1, jn]
                            pre = (wt[s, e, 0] * H[i0, jn] + wt[s, e, 1] * G[i0, jn]
                                   + wt[s, e, 2] * H[i1, jn] + wt[s, e, 3] * g1)
                        if mode == 2:
                            p[i, in_pre] = pre
                            observables(ts, ys[i], p[i], ob)
                            cp += e_w[e] * ob[obs_h]
                        else:
                            cp += pre
                    if mode == 0:
                        cp -= rsum[i] * post
                    p[i, tgt] = base[i] + gain * cp
                    rhs(ts, ys[i], p[i], Kst[s, i])
                if s == 0:
                    for i in range(N):
                        G[qs, i] = Kst[0, i, src]
            if scheme == 1:
                for i in range(N):
                    jac_diag(t, ys[i], p[i], jd)
                    for k in range(ns):
                        y[i, k] += dt * _dde_phi1(dt * jd[k]) * Kst[0, i, k] + inc[i, k]
            else:
                for i in range(N):
                    for k in range(ns):
                        acc = 0.0
                        for s in range(S):
                            acc += bw[s] * Kst[s, i, k]
                        y[i, k] += dt * acc + inc[i, k]
            bad = 0
            for i in range(N):
                for k in range(ns):
                    v = y[i, k]
                    if not math.isfinite(v):
                        bad = 1
                    elif (v < lo_b[k] or v > hi_b[k]) and bad == 0:
                        bad = 2
            if bad != 0:
                status = bad
                tstop = t + dt
                break
        STATUS[b] = status
        TSTOP[b] = tstop
        for i in range(N):
            for k in range(ns):
                FINAL[k, i, b] = y[i, k]
                if want_red:
                    RMIN[k, i, b] = rmin[k, i]
                    RMAX[k, i, b] = rmax[k, i]
                    RSUM[k, i, b] = rs[k, i]
