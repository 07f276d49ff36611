"""Kernel template of the delayed network integrator (integrate/delayed.py).

Its text is appended to a node model's generated kernels by
``CompiledSystem.extension(<this file>)``, where the block kernels
``rhs_block``, ``jac_diag_block`` (``f(t, Y, P, Q, OUT)``), ``derived_block``
(``N_DERIVED`` hoisted terms) and the scalar ``observables`` (``f(t, y, p,
out)``) are module globals. Importing this file by itself only defines the
(not yet compiled) functions.

One batch row is one network simulation. The source state of every node is
kept on the step grid in a ring buffer, with its time derivative when delayed
values are cubic Hermite interpolants (``interp`` 0); ``interp`` 1
interpolates linearly between the two grid points around the delayed time and
``interp`` 2 takes the nearest grid point. Delays are at least one step, so
every stage reads only points already computed.

Layout and order of work (the coupling is memory bound):

* The ring of node ``j`` is one contiguous run ``V[j * 2L + slot]`` (values)
  and ``D[...]`` (slopes) of ``2 L`` slots, every point written twice
  (``slot`` and ``slot + L``), so that a run of reads never wraps.
* Delays are constant during a run: per row, stage and delayed edge, the read
  position (``base``, the left grid point at ``q mod L = 0``) and the
  interpolation weights times the edge weight are computed once
  (:func:`_dde_edges`). Edges of zero weight are not in the tables (the CSR
  lists hold the nonzero weights); undelayed edges (delay 0) have a list of
  their own and read the current stage.
* Blocks of steps: the delayed value an edge needs at step ``q`` lies at least
  ``m_min`` (the shortest delay, in steps) behind ``q``, so the delayed part
  of every node's input for the next ``T <= m_min - 1`` steps (at most
  ``_DDE_BLOCK``) depends only on points already computed. At the start of a
  block it is summed for all ``T`` steps at once (:func:`_dde_block`): per
  edge one contiguous run of ``T + 1`` values (and slopes), a loop over the
  block's steps that vectorises, instead of a scattered read per edge and
  step. Each step's sum adds the same terms in the same order as a read per
  step would (bit for bit the same result). Rows in which a stage needs the
  point at the current step (a delay under two steps with a stage at the end
  of the step), and expression coupling (``mode`` 2), read per step.
* Noise: a counter-based ziggurat (:func:`_dde_normal`), a few ns per number.

Coupling modes: 0 diffusive (sum w (pre - post)), 1 additive (sum w pre),
2 expression: the node model's observable ``obs_h`` evaluated with its input
``in_pre`` set to the delayed value. Status: 0 ok, 1 non-finite, 2 left bounds.
"""

import math

import numpy as np
from numba import njit

from nmanalysis.compile.fastmath import fphi1

#: longest block of steps whose delayed input is summed at once
_DDE_BLOCK = 64


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_mix(x):
    """splitmix64 finaliser of x (uint64)."""
    z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _dde_ziggurat_tables(n=256, r=3.6541528853610088, v=0.00492867323399):
    """Layer edges ``X`` (n + 1) and densities ``F = exp(-X**2 / 2)`` of the
    ziggurat for the standard normal (Marsaglia & Tsang, J. Stat. Softw. 5(8),
    2000): ``n`` layers of equal area ``v``, the base layer with the tail
    beyond ``r``."""
    X = np.zeros(n + 1)
    X[0] = v / math.exp(-0.5 * r * r)
    X[1] = r
    for i in range(1, n - 1):
        X[i + 1] = math.sqrt(-2.0 * math.log(v / X[i] + math.exp(-0.5 * X[i] * X[i])))
    return X, np.exp(-0.5 * X * X)


_DDE_ZX, _DDE_ZF = _dde_ziggurat_tables()


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_normal(seed, row, counter):
    """Standard normal number, a pure function of (seed, row, counter).

    Ziggurat method (Marsaglia & Tsang 2000) on 256 layers, fed by a splitmix64
    sequence started from a hash of (seed, row, counter): from each 64-bit
    word, 8 bits pick the layer, 1 bit the sign and 53 bits the uniform
    abscissa (independent bits). About 99% of draws take one word, a product
    and one comparison; the rest test the wedge under the density (one more
    word and an exp) or sample the tail beyond r by Marsaglia's method.
    """
    x = np.uint64(seed) ^ (np.uint64(row) * np.uint64(0x9E3779B97F4A7C15))
    x = x ^ (np.uint64(counter) * np.uint64(0xD1B54A32D192ED03))
    scale = 1.0 / 9007199254740992.0
    while True:
        x = x + np.uint64(0x9E3779B97F4A7C15)
        h = _dde_mix(x)
        i = int(h & np.uint64(255))
        sign = 1.0 if (h >> np.uint64(8)) & np.uint64(1) else -1.0
        z = float(h >> np.uint64(11)) * scale * _DDE_ZX[i]
        if z < _DDE_ZX[i + 1]:
            return sign * z
        if i == 0:
            # the tail beyond r: z = r + e1 / r, accepted if 2 e2 > (e1 / r)**2
            r = _DDE_ZX[1]
            while True:
                x = x + np.uint64(0x9E3779B97F4A7C15)
                u1 = (float(_dde_mix(x) >> np.uint64(11)) + 0.5) * scale
                x = x + np.uint64(0x9E3779B97F4A7C15)
                u2 = (float(_dde_mix(x) >> np.uint64(11)) + 0.5) * scale
                e1 = -math.log(u1) / r
                if -2.0 * math.log(u2) > e1 * e1:
                    return sign * (r + e1)
        x = x + np.uint64(0x9E3779B97F4A7C15)
        u = float(_dde_mix(x) >> np.uint64(11)) * scale
        if _DDE_ZF[i] + u * (_DDE_ZF[i + 1] - _DDE_ZF[i]) < math.exp(-0.5 * z * z):
            return sign * z


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_edges(rowptr, e_j, e_w, dl, c, mode, interp, L, dt, dptr, dj, dew, dbase, doff,
               dwt, uptr, uj, uw, uew):
    """Per-row edge tables; returns the longest block (steps) they allow.

    ``dl`` (E,) delays in steps (0: undelayed). At step ``q``, stage ``s``,
    delayed edge ``d`` reads from ``k = dbase[s, d] + q mod L``: Hermite
    ``dwt[s, d] . (V[k], D[k], V[k+1], D[k+1])``, linear ``(V[k], V[k+1])``,
    nearest ``V[k]``; the weights include the edge weight (not in ``mode`` 2;
    ``dew``/``uew`` hold the edge weights) and, for the slopes, ``dt``.
    ``doff[s, d]`` is the left point's step offset (<= -1; nearest <= 0).
    """
    N = rowptr.shape[0] - 1
    S = c.shape[0]
    nd = 0
    nu = 0
    dptr[0] = 0
    uptr[0] = 0
    newest = -(2 ** 62)           # latest point read, relative to the step
    for i in range(N):
        for e in range(rowptr[i], rowptr[i + 1]):
            m = dl[e]
            w = e_w[e] if mode != 2 else 1.0
            jn = e_j[e]
            if m == 0.0:
                uj[nu] = jn
                uw[nu] = w
                uew[nu] = e_w[e]
                nu += 1
                continue
            dj[nd] = jn
            dew[nd] = e_w[e]
            for s in range(S):
                u = c[s] - m
                if interp == 2:
                    kk = int(math.floor(u + 0.5))
                    if kk > 0:
                        kk = 0
                    dwt[s, nd, 0] = w
                    newest = max(newest, kk)
                else:
                    kk = int(math.ceil(u - 1e-12)) - 1
                    th = u - kk
                    if th > 1.0:
                        th = 1.0
                    if interp == 1:
                        dwt[s, nd, 0] = w * (1.0 - th)
                        dwt[s, nd, 1] = w * th
                    else:
                        th2 = th * th
                        th3 = th2 * th
                        dwt[s, nd, 0] = w * (2 * th3 - 3 * th2 + 1)
                        dwt[s, nd, 1] = w * (th3 - 2 * th2 + th) * dt
                        dwt[s, nd, 2] = w * (-2 * th3 + 3 * th2)
                        dwt[s, nd, 3] = w * (th3 - th2) * dt
                    newest = max(newest, kk + 1)
                doff[s, nd] = kk
                dbase[s, nd] = jn * 2 * L + L + kk
            nd += 1
        dptr[i + 1] = nd
        uptr[i + 1] = nu
    if nd == 0:
        return _DDE_BLOCK
    # a block [qb, qb + T) may read points up to qb - 1 only
    return min(_DDE_BLOCK, -newest)


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_block(V, D, base, wt, off, dj, lo, hi, k0, qb, T, interp, hd0, out):
    """Sum the delayed input of one node over the ``T`` steps of a block into ``out[:T]``.

    Edges ``lo..hi-1`` of one stage, ``k0 = qb mod L``. Near ``t0`` (Hermite),
    the step whose right point is ``t0`` takes the history's own slope ``hd0``
    there (the left side of the kink at ``t0``).
    """
    for t in range(T):
        out[t] = 0.0
    for d in range(lo, hi):
        # slices: indices from 0 up, so the loops over t vectorise
        k = base[d] + k0
        v = V[k:k + T + 1]
        if interp == 2:
            w0 = wt[d, 0]
            for t in range(T):
                out[t] += w0 * v[t]
        elif interp == 1:
            w0 = wt[d, 0]
            w1 = wt[d, 1]
            for t in range(T):
                out[t] += w0 * v[t] + w1 * v[t + 1]
        else:
            g = D[k:k + T + 1]
            w0 = wt[d, 0]
            w1 = wt[d, 1]
            w2 = wt[d, 2]
            w3 = wt[d, 3]
            tk = -1 - off[d] - qb
            if tk < 0 or tk >= T:
                for t in range(T):
                    out[t] += w0 * v[t] + w1 * g[t] + w2 * v[t + 1] + w3 * g[t + 1]
            else:
                for t in range(tk):
                    out[t] += w0 * v[t] + w1 * g[t] + w2 * v[t + 1] + w3 * g[t + 1]
                out[tk] += w0 * v[tk] + w1 * g[tk] + w2 * v[tk + 1] + w3 * hd0[dj[d]]
                for t in range(tk + 1, T):
                    out[t] += w0 * v[t] + w1 * g[t] + w2 * v[t + 1] + w3 * g[t + 1]


@njit(cache=True, nogil=True, error_model="numpy")
def _dde_read(V, D, base, wt, off, d, qs, q, interp, hd0):
    """One delayed value at step ``q`` (weights included; ``hd0`` as in _dde_block)."""
    k = base[d] + qs
    if interp == 2:
        return wt[d, 0] * V[k]
    if interp == 1:
        return wt[d, 0] * V[k] + wt[d, 1] * V[k + 1]
    g1 = hd0 if q + off[d] == -1 else D[k + 1]
    return wt[d, 0] * V[k] + wt[d, 1] * D[k] + wt[d, 2] * V[k + 1] + wt[d, 3] * g1


@njit(cache=True, nogil=True, error_model="numpy")
def run_network(Y0, P0, tgt, src, KG, mode, obs_h, in_pre, rowptr, e_j, e_w, DL, interp,
                blocks, scheme, A, bw, c, t0, dt, n_steps, q0, rec_every, L, HV, HD,
                noise_kind, noise_sig, noise_tau, seed, lo_b, hi_b, want_full, want_red,
                n_par, in_T, in_V, in_K,
                REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, row_start, row_stop):
    """Integrate rows [row_start, row_stop). Y0 (B, N, ns), P0 (B, N, n_all),
    DL (B, E) delays in steps (0 = undelayed), interp 0 Hermite / 1 linear /
    2 nearest, blocks False: read per step always, HV/HD (B or 1, Lh, N) history
    values / derivatives at t0 - k dt, REC (n_rec, ns, N, B), every sample
    written (NaN after a stop). Time-dependent inputs: knots in_T (n_in, K),
    values in_V (n_in, K, N) per node, the same in every row, written to the
    columns ``n_par + i`` of P at every stage time (from the left inside a
    step, as for a single model: a jump on a step edge is seen by the next
    step); ``n_in = 0`` without them.

    The node equations of all nodes are evaluated at once by the model's block
    kernels (``rhs_block``, ``jac_diag_block``: nodes along the vectorised axis)
    after the coupled input of every node is set; the hoisted parameter terms
    are refreshed then (``derived_block``), in case the target enters them.
    """
    N = Y0.shape[1]
    ns = Y0.shape[2]
    n_all = P0.shape[2]
    E = e_j.shape[0]
    S = bw.shape[0]
    Lh = HV.shape[1]
    sqdt = math.sqrt(dt)
    n_ob = max(N_OBSERVABLES, 1)
    has_in = in_T.shape[0] > 0
    nw = 4 if interp == 0 else (2 if interp == 1 else 1)
    L2 = 2 * L
    n_st = 1 if scheme == 1 else S
    # per-state noise constants (white: sigma sqrt(dt); OU: decay and amplitude)
    n_amp = np.zeros(ns)
    n_dec = np.zeros(ns)
    for k in range(ns):
        if noise_kind == 1:
            n_amp[k] = noise_sig[k] * sqdt
        elif noise_kind == 2:
            n_dec[k] = math.exp(-dt / noise_tau[k])
            n_amp[k] = noise_sig[k] * math.sqrt(0.5 * noise_tau[k] * (1 - n_dec[k] * n_dec[k]))
    V = np.empty(N * L2)
    D = np.empty(N * L2 if interp == 0 else 1)
    dptr = np.zeros(N + 1, dtype=np.int64)
    uptr = np.zeros(N + 1, dtype=np.int64)
    dj = np.zeros(E, dtype=np.int64)
    uj = np.zeros(E, dtype=np.int64)
    uw = np.zeros(E)
    dew = np.zeros(E)
    uew = np.zeros(E)
    dbase = np.zeros((S, E), dtype=np.int64)
    doff = np.zeros((S, E), dtype=np.int64)
    dwt = np.zeros((S, E, nw))
    CB = np.zeros((S, N, _DDE_BLOCK))
    rsum = np.zeros(N)
    for i in range(N):
        for e in range(rowptr[i], rowptr[i + 1]):
            rsum[i] += e_w[e]
    # node-major block layout: states (ns, N), parameters (n_all, N)
    Y = np.empty((ns, N))
    YS = np.empty((ns, N))
    P = np.empty((n_all, N))
    Q = np.empty((N_DERIVED, N))
    Kst = np.empty((S, ns, N))
    JD = np.empty((ns, N))
    inc = np.zeros((ns, N))
    eta = np.zeros((ns, N))
    # one node's states and parameters for the expression coupling's observable
    yr = np.empty(ns)
    pr = np.empty(n_all)
    ob = np.empty(n_ob)
    hd0 = np.empty(N)
    rmin = np.empty((ns, N))
    rmax = np.empty((ns, N))
    rs = np.empty((ns, N))
    base = np.empty(N)
    for b in range(row_start, row_stop):
        hb = b if HV.shape[0] > 1 else 0
        for i in range(N):
            for k in range(ns):
                Y[k, i] = Y0[b, i, k]
            for k in range(n_all):
                P[k, i] = P0[b, i, k]
            base[i] = P0[b, i, tgt]
            hd0[i] = HD[hb, 0, i]
        # history at t0 - k dt into slot (-k) mod L and its copy L further on
        for k in range(L):
            slot = (-k) % L
            kk = min(k, Lh - 1)
            for i in range(N):
                at = i * L2 + slot
                V[at] = HV[hb, kk, i]
                V[at + L] = HV[hb, kk, i]
                if interp == 0:
                    D[at] = HD[hb, kk, i]
                    D[at + L] = HD[hb, kk, i]
        T = _dde_edges(rowptr, e_j, e_w, DL[b], c, mode, interp, L, dt, dptr, dj, dew,
                       dbase, doff, dwt, uptr, uj, uw, uew)
        blocked = blocks and mode != 2 and T >= 1
        for k in range(ns):
            for i in range(N):
                rmin[k, i] = np.inf
                rmax[k, i] = -np.inf
                rs[k, i] = 0.0
                inc[k, i] = 0.0
                eta[k, i] = 0.0
        status = 0
        tstop = np.nan
        gain = KG[b]
        qb = 0
        nb = 0
        n_rec_done = 0
        for q in range(n_steps + 1):
            t = t0 + q * dt
            # record the state at step q
            if q >= q0:
                j = q - q0
                if want_full and j % rec_every == 0:
                    for k in range(ns):
                        for i in range(N):
                            REC[j // rec_every, k, i, b] = Y[k, i]
                    n_rec_done = j // rec_every + 1
                if want_red:
                    for k in range(ns):
                        for i in range(N):
                            v = Y[k, i]
                            rmin[k, i] = min(rmin[k, i], v)
                            rmax[k, i] = max(rmax[k, i], v)
                            rs[k, i] += v
            if q == n_steps:
                break
            qs = q % L
            for i in range(N):
                at = i * L2 + qs
                V[at] = Y[src, i]
                V[at + L] = Y[src, i]
            if blocked and q == qb + nb:
                # a new block: the delayed input of steps [q, q + nb)
                qb = q
                nb = min(T, n_steps - q)
                for s in range(n_st):
                    for i in range(N):
                        _dde_block(V, D, dbase[s], dwt[s], doff[s], dj, dptr[i], dptr[i + 1],
                                   qs, qb, nb, interp, hd0, CB[s, i])
            if noise_kind != 0:
                for i in range(N):
                    for k in range(ns):
                        if noise_sig[k] == 0.0:
                            continue
                        xi = _dde_normal(seed, b, (q * N + i) * ns + k)
                        if noise_kind == 1:
                            inc[k, i] = n_amp[k] * xi
                        else:
                            inc[k, i] = dt * eta[k, i]
                            eta[k, i] = eta[k, i] * n_dec[k] + n_amp[k] * xi
            for s in range(n_st):
                for k in range(ns):
                    for i in range(N):
                        acc = Y[k, i]
                        for l in range(s):
                            acc += dt * A[s, l] * Kst[l, k, i]
                        YS[k, i] = acc
                ts = t + c[s] * dt
                if has_in:
                    fill_inputs(ts, P, 0, n_par, in_T, in_V, in_K, s > 0 and c[s] > 0.0)
                sb = dbase[s]
                sw = dwt[s]
                so = doff[s]
                for i in range(N):
                    post = YS[src, i]
                    if mode == 2:
                        for k in range(ns):
                            yr[k] = YS[k, i]
                        for k in range(n_all):
                            pr[k] = P[k, i]
                    if blocked:
                        cp = CB[s, i, q - qb]
                    else:
                        cp = 0.0
                        for d in range(dptr[i], dptr[i + 1]):
                            pre = _dde_read(V, D, sb, sw, so, d, qs, q, interp, hd0[dj[d]])
                            if mode == 2:
                                pr[in_pre] = pre
                                observables(ts, yr, pr, ob)
                                cp += dew[d] * ob[obs_h]
                            else:
                                cp += pre
                    for u in range(uptr[i], uptr[i + 1]):
                        if mode == 2:
                            pr[in_pre] = YS[src, uj[u]]
                            observables(ts, yr, pr, ob)
                            cp += uew[u] * ob[obs_h]
                        else:
                            cp += uw[u] * YS[src, uj[u]]
                    if mode == 0:
                        cp -= rsum[i] * post
                    P[tgt, i] = base[i] + gain * cp
                derived_block(P, Q)
                rhs_block(ts, YS, P, Q, Kst[s])
                if s == 0 and interp == 0:
                    for i in range(N):
                        at = i * L2 + qs
                        D[at] = Kst[0, src, i]
                        D[at + L] = Kst[0, src, i]
            if scheme == 1:
                jac_diag_block(t, YS, P, Q, JD)
                for k in range(ns):
                    for i in range(N):
                        Y[k, i] += dt * fphi1(dt * JD[k, i]) * Kst[0, k, i] + inc[k, i]
            else:
                for k in range(ns):
                    for i in range(N):
                        acc = 0.0
                        for s in range(S):
                            acc += bw[s] * Kst[s, k, i]
                        Y[k, i] += dt * acc + inc[k, i]
            bad = 0
            for k in range(ns):
                for i in range(N):
                    v = Y[k, i]
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
        if want_full:
            # samples after a stop (REC comes uninitialised)
            for j in range(n_rec_done, REC.shape[0]):
                for k in range(ns):
                    for i in range(N):
                        REC[j, k, i, b] = np.nan
        for k in range(ns):
            for i in range(N):
                FINAL[k, i, b] = Y[k, i]
                if want_red:
                    RMIN[k, i, b] = rmin[k, i]
                    RMAX[k, i, b] = rmax[k, i]
                    RSUM[k, i, b] = rs[k, i]
