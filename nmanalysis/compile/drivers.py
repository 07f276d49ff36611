# Batched integration drivers: this file is a TEMPLATE, never imported by itself.
#
# Its text is appended to every generated kernel module (see system.py), where
# the names rhs, rhs_block, jac_diag_block, observables, observables_block,
# derived_block, euler_block, N_DERIVED, N_STATES and N_OBSERVABLES are defined.
# numba can only cache a compiled function across processes when the functions it
# calls are module globals, not arguments, so the stepping loops live in the same
# module as the model's kernels. Methods are data: the explicit Runge-Kutta tableau
# (A, b, c), the embedded error weights and the dense-output matrix are arguments.
#
# Status codes (see nmanalysis/results/status.py): 0 ok, 1 diverged
# (non-finite state), 2 left the user's bounds, 3 max_steps, 4 step size
# underflow.

_U1 = np.uint64(0x9E3779B97F4A7C15)
_U2 = np.uint64(0xBF58476D1CE4E5B9)
_U3 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)


@njit(cache=True, nogil=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _U2
    z = (z ^ (z >> _S27)) * _U3
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True, error_model="numpy")
def _normal(seed, row, counter):
    """Standard normal number, a pure function of (seed, row, counter)."""
    key = _mix(np.uint64(seed) * _U1 + np.uint64(row))
    z1 = _mix(key ^ (np.uint64(2 * counter) * _U1 + _U2))
    z2 = _mix(key ^ (np.uint64(2 * counter + 1) * _U1 + _U3))
    u1 = (float(z1 >> _S11) + 1.0) * (1.0 / 9007199254740992.0)
    u2 = float(z2 >> _S11) * (1.0 / 9007199254740992.0)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, nogil=True, error_model="numpy")
def _check_rows(y, st, lo_b, hi_b):
    """Flag rows that became non-finite (1) or left [lo_b, hi_b] (2); freeze them as NaN."""
    n, m = y.shape
    # cheap vectorisable count first; the per-row pass runs only when needed
    n_bad = 0
    for i in range(n):
        lo = lo_b[i]
        hi = hi_b[i]
        for b in range(m):
            v = y[i, b]
            n_bad += 0 if (v - v == 0.0 and v >= lo and v <= hi) else 1
    if n_bad == 0:
        return 0
    died = 0
    for b in range(m):
        if st[b] != 0:
            continue
        code = 0
        for i in range(n):
            v = y[i, b]
            if not (v - v == 0.0):
                code = 1
            elif code == 0 and not (v >= lo_b[i] and v <= hi_b[i]):
                code = 2
        if code != 0:
            st[b] = code
            died += 1
            for i in range(n):
                y[i, b] = np.nan
    return died


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _no_bounds(lo_b, hi_b):
    """True if every state may take any finite value."""
    for i in range(lo_b.shape[0]):
        if lo_b[i] != -np.inf or hi_b[i] != np.inf:
            return False
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _euler_diverged(t0, dt, q, span, y, ys, p, qd, st, tst):
    """After ``span`` untested fused Euler steps from step ``q`` (states ``ys`` at the
    start, ``y`` at the end; no bounds): flag the running rows whose state is no longer
    finite (under ``y += dt f`` a non-finite state stays non-finite, so these are all the
    rows that diverged during the run).

    They are run again from ``ys`` step by step by ``rhs_block`` and ``y + dt f``, the
    fused kernel's arithmetic (the same bits), which finds the step each first left the
    finite numbers: status 1 and the stop time a tested run gives; their states are set
    to NaN. Returns how many.
    """
    n, m = y.shape
    n_bad = 0
    for i in range(n):
        for b in range(m):
            v = y[i, b]
            n_bad += 0 if (v - v == 0.0 or st[b] != 0) else 1
    if n_bad == 0:
        return 0
    rows = np.empty(m, dtype=np.int64)
    d = 0
    for b in range(m):
        if st[b] == 0:
            for i in range(n):
                if not (y[i, b] - y[i, b] == 0.0):
                    rows[d] = b
                    d += 1
                    break
    yy = np.empty((n, d), dtype=y.dtype)
    pp = np.empty((p.shape[0], d), dtype=p.dtype)
    qq = np.empty((qd.shape[0], d), dtype=qd.dtype)
    f = np.empty((n, d), dtype=y.dtype)
    for j in range(d):
        for i in range(n):
            yy[i, j] = ys[i, rows[j]]
        for i in range(p.shape[0]):
            pp[i, j] = p[i, rows[j]]
        for i in range(qd.shape[0]):
            qq[i, j] = qd[i, rows[j]]
    left = d
    for k in range(span):
        rhs_block(t0 + (q + k) * dt, yy, pp, qq, f)
        for i in range(n):
            for j in range(d):
                yy[i, j] = yy[i, j] + dt * f[i, j]
        for j in range(d):
            b = rows[j]
            if st[b] == 0:
                for i in range(n):
                    if not (yy[i, j] - yy[i, j] == 0.0):
                        st[b] = 1
                        tst[b] = (t0 + (q + k) * dt) + dt
                        left -= 1
                        break
        if left == 0:
            break
    for j in range(d):
        b = rows[j]
        if st[b] == 0:      # cannot happen (the same steps, the same bits); never lose it
            st[b] = 1
            tst[b] = (t0 + (q + span - 1) * dt) + dt
        for i in range(n):
            y[i, b] = np.nan
    return d


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _block_start(Y0, P, lo, m, t0, q0, rec_every, in_T, in_V, in_K, n_par, lo_b, hi_b,
                 want_full, red, n_obs_rec, REC):
    """Rows ``lo .. lo + m - 1`` of a fixed-step run: their states, parameters, derived
    terms, observables work array, reductions, status and stop times, the rows already
    out at the start flagged, and the first sample recorded if the record starts at 0.
    Returns ``(y, p, qd, ob, rmin, rmax, rsum, st, tst, alive)``."""
    n = Y0.shape[0]
    n_all = P.shape[0]
    y = np.empty((n, m), dtype=Y0.dtype)
    p = np.empty((n_all, m), dtype=P.dtype)
    for i in range(n):
        for b in range(m):
            y[i, b] = Y0[i, lo + b]
    for i in range(n_all):
        for b in range(m):
            p[i, b] = P[i, lo + b]
    qd = np.empty((N_DERIVED, m), dtype=P.dtype)
    derived_block(p, qd)
    ob = np.empty((max(n_obs_rec, 1), m), dtype=Y0.dtype)
    nv = n + n_obs_rec
    rmin = np.full((nv, m), np.inf)
    rmax = np.full((nv, m), -np.inf)
    rsum = np.zeros((nv, m))
    st = np.zeros(m, dtype=np.int8)
    tst = np.full(m, np.nan)
    alive = m - _check_rows(y, st, lo_b, hi_b)
    for b in range(m):
        if st[b] != 0:
            tst[b] = t0
    if q0 == 0:
        if n_obs_rec > 0 and in_T.shape[0] > 0:
            fill_inputs(t0, p, lo, n_par, in_T, in_V, in_K, False)
        _record_block(t0, y, p, qd, ob, 0, q0, rec_every, want_full, red, red, n_obs_rec,
                      REC, rmin, rmax, rsum, lo)
    return y, p, qd, ob, rmin, rmax, rsum, st, tst, alive


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _block_finish(lo, y, st, tst, red, rmin, rmax, rsum, FINAL, STATUS, TSTOP, RMIN, RMAX,
                  RSUM):
    """Copy a finished block's final states, status, stop times and reductions out."""
    n, m = y.shape
    for b in range(m):
        STATUS[lo + b] = st[b]
        TSTOP[lo + b] = tst[b]
        for i in range(n):
            FINAL[i, lo + b] = y[i, b]
    if red != 0:
        for v in range(rmin.shape[0]):
            for b in range(m):
                RMIN[v, lo + b] = rmin[v, b]
                RMAX[v, lo + b] = rmax[v, b]
                RSUM[v, lo + b] = rsum[v, b]


@njit(cache=True, nogil=True, error_model="numpy")
def _record_block(t, y, p, qd, ob, qq, q0, rec_every, want_full, red, red_states, n_obs_rec,
                  REC, rmin, rmax, rsum, lo):
    """Record the block after step ``qq``: the full record every ``rec_every`` steps, and
    the reductions ``red`` of the observables and ``red_states`` of the states (bit 1
    min, 2 max, 4 sum)."""
    n, m = y.shape
    full_now = want_full and (qq - q0) % rec_every == 0
    nv = n + n_obs_rec
    want_red = red_states != 0 or (red != 0 and n_obs_rec > 0)
    if not (full_now or want_red):
        return
    if n_obs_rec > 0:
        observables_block(t, y, p, qd, ob)
    jrec = (qq - q0) // rec_every
    for v in range(nv):
        src = y[v] if v < n else ob[v - n]
        if full_now:
            for b in range(m):
                REC[jrec, v, lo + b] = src[b]
        kinds = red_states if v < n else red
        if kinds != 0:
            # np.minimum/np.maximum on scalars vectorise (a ternary does not); they
            # propagate NaN, which only failed rows have (their reductions become NaN)
            if kinds & 1:
                mn = rmin[v]
                for b in range(m):
                    mn[b] = np.minimum(mn[b], src[b])
            if kinds & 2:
                mx = rmax[v]
                for b in range(m):
                    mx[b] = np.maximum(mx[b], src[b])
            if kinds & 4:
                sm = rsum[v]
                for b in range(m):
                    sm[b] += src[b]


@njit(cache=True, error_model="numpy", nogil=True)
def run_fixed(Y0, P, scheme, A, bw, c, t0, dt, n_steps, q0, rec_every, in_T, in_V, in_K,
              noise_kind, noise_sig, noise_tau, seed, row_start, row_stop, lo_b, hi_b, chunk,
              want_full, red, n_obs_rec, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP):
    """Fixed-step integration of batch columns [row_start, row_stop) of Y0, in chunks.

    Releases the GIL: callers run disjoint row ranges in parallel threads.

    scheme 0: explicit Runge-Kutta (A, bw, c), additive noise added per step
    (Euler-Maruyama for Euler, stochastic Heun for Heun); scheme 1:
    exponential Euler with the diagonal Jacobian. (Euler without noise in float64
    has its own driver, ``run_euler``.) noise_kind: 0 none, 1 white,
    2 Ornstein-Uhlenbeck (exact update) per state. red: the reductions kept
    after the transient (bit 1 min, 2 max, 4 sum).
    """
    n = Y0.shape[0]
    n_all = P.shape[0]
    n_par = n_all - in_T.shape[0]
    S = bw.shape[0]
    sqdt = math.sqrt(dt)
    for lo in range(row_start, row_stop, chunk):
        m = min(row_stop, lo + chunk) - lo
        y, p, qd, ob, rmin, rmax, rsum, st, tst, alive = _block_start(
            Y0, P, lo, m, t0, q0, rec_every, in_T, in_V, in_K, n_par, lo_b, hi_b, want_full,
            red, n_obs_rec, REC)
        K = np.empty((S, n, m), dtype=Y0.dtype)
        yt = np.empty((n, m), dtype=Y0.dtype)
        inc = np.zeros((n, m), dtype=Y0.dtype)
        eta = np.zeros((n, m), dtype=Y0.dtype)
        for q in range(n_steps):
            if alive == 0:
                break
            t = t0 + q * dt
            qq = q + 1
            if noise_kind != 0:
                for i in range(n):
                    if noise_sig[i] == 0.0:
                        continue
                    ctr = q * n + i
                    if noise_kind == 1:
                        for b in range(m):
                            xi = _normal(seed, lo + b, ctr)
                            inc[i, b] = noise_sig[i] * sqdt * xi
                    else:
                        dec = math.exp(-dt / noise_tau[i])
                        amp = noise_sig[i] * math.sqrt(0.5 * noise_tau[i] * (1.0 - dec * dec))
                        for b in range(m):
                            inc[i, b] = dt * eta[i, b]
                            xi = _normal(seed, lo + b, ctr)
                            eta[i, b] = eta[i, b] * dec + amp * xi
            if scheme == 1:
                if in_T.shape[0] > 0:
                    fill_inputs(t, p, lo, n_par, in_T, in_V, in_K, False)
                rhs_block(t, y, p, qd, K[0])
                jac_diag_block(t, y, p, qd, yt)
                for i in range(n):
                    for b in range(m):
                        y[i, b] += dt * fphi1(dt * yt[i, b]) * K[0, i, b] + inc[i, b]
            else:
                rk_block_step(t, y, p, qd, A, bw, c, dt, K, yt, inc, noise_kind != 0, lo,
                              n_par, in_T, in_V, in_K)
            died = _check_rows(y, st, lo_b, hi_b)
            if died > 0:
                alive -= died
                for b in range(m):
                    if st[b] != 0 and tst[b] != tst[b]:
                        tst[b] = t + dt
            if qq >= q0:
                tn = t0 + qq * dt
                if n_obs_rec > 0 and in_T.shape[0] > 0:
                    fill_inputs(tn, p, lo, n_par, in_T, in_V, in_K, False)
                _record_block(tn, y, p, qd, ob, qq, q0, rec_every, want_full, red, red,
                              n_obs_rec, REC, rmin, rmax, rsum, lo)
        _block_finish(lo, y, st, tst, red, rmin, rmax, rsum, FINAL, STATUS, TSTOP, RMIN, RMAX,
                      RSUM)


@njit(cache=True, error_model="numpy", nogil=True)
def run_euler(Y0, P, t0, dt, n_steps, q0, rec_every, in_T, in_V, in_K, row_start, row_stop,
              lo_b, hi_b, chunk, want_full, red, n_obs_rec, REC, RMIN, RMAX, RSUM, FINAL,
              STATUS, TSTOP, PU, QU, FK):
    """Euler without noise (float64) over batch columns [row_start, row_stop) by the fused
    ``euler_block``: the same bits, flags and stop times as ``run_fixed`` with the Euler
    tableau, several times faster. Arguments as for ``run_fixed``, and PU, QU: the
    parameters and derived terms shared by every row (a float, else None), which
    ``euler_block`` takes as scalars (see nmanalysis/compile/rows.py; this function is
    compiled for each pattern of them); FK: the fast functions' constants
    (nmanalysis.compile.fastmath.CONSTANTS).

    Runs of steps go to the kernel untested: the transient in one go, then up to the
    next sample for a full record, or to the end; afterwards ``_euler_diverged`` finds
    the rows that diverged and their stop times. One step per call, each followed by
    the test, when bounds are set (a row may leave and re-enter them within a run),
    when inputs change P, or when the mean of observables is kept (the kernel keeps
    the minima and maxima of states and observables, and the sums of states only); a
    run of one step is tested directly too.
    """
    n = Y0.shape[0]
    n_par = P.shape[0] - in_T.shape[0]
    # the kernel keeps the minima and maxima of the observables too, not their sums
    obs_in_kernel = n_obs_rec > 0 and red != 0 and (red & 4) == 0
    per_step = (in_T.shape[0] > 0 or (n_obs_rec > 0 and red != 0 and not obs_in_kernel)
                or not _no_bounds(lo_b, hi_b))
    for lo in range(row_start, row_stop, chunk):
        m = min(row_stop, lo + chunk) - lo
        y, p, qd, ob, rmin, rmax, rsum, st, tst, alive = _block_start(
            Y0, P, lo, m, t0, q0, rec_every, in_T, in_V, in_K, n_par, lo_b, hi_b, want_full,
            red, n_obs_rec, REC)
        ys = np.empty((n, 0 if per_step else m), dtype=Y0.dtype)
        q = 0 * n_steps     # an int64 from the start: a literal 0 would compile the callees twice
        while q < n_steps and alive > 0:
            if per_step:
                span = 1
            elif q + 1 < q0:
                span = q0 - 1 - q
            elif want_full:
                span = rec_every - (q - q0) % rec_every   # to the next sample
            else:
                span = n_steps - q
            span = min(span, n_steps - q)
            if in_T.shape[0] > 0:
                fill_inputs(t0 + q * dt, p, lo, n_par, in_T, in_V, in_K, False)
            if span > 1:
                ys[:, :] = y
            euler_block(t0, dt, q, span, y, p, qd, red if q + 1 >= q0 else 0, rmin, rmax, rsum,
                        PU, QU, FK, obs_in_kernel)
            if span > 1:
                alive -= _euler_diverged(t0, dt, q, span, y, ys, p, qd, st, tst)
            else:
                died = _check_rows(y, st, lo_b, hi_b)
                if died > 0:
                    alive -= died
                    for b in range(m):
                        if st[b] != 0 and tst[b] != tst[b]:
                            tst[b] = (t0 + q * dt) + dt
            q += span
            if q >= q0:
                tn = t0 + q * dt
                if n_obs_rec > 0 and in_T.shape[0] > 0:
                    fill_inputs(tn, p, lo, n_par, in_T, in_V, in_K, False)
                _record_block(tn, y, p, qd, ob, q, q0, rec_every, want_full,
                              0 if obs_in_kernel else red, 0, n_obs_rec, REC, rmin, rmax, rsum,
                              lo)
        _block_finish(lo, y, st, tst, red, rmin, rmax, rsum, FINAL, STATUS, TSTOP, RMIN, RMAX,
                      RSUM)


@njit(cache=True, nogil=True, error_model="numpy")
def _rms_err(y, ynew, err, rtol, atol):
    n = y.shape[0]
    acc = 0.0
    for i in range(n):
        sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
        e = err[i] / sc
        acc += e * e
    return math.sqrt(acc / n)


@njit(cache=True, nogil=True, error_model="numpy")
def _record_row(t, y, p, ob, j, q0, want_full, want_red, n_obs_rec, REC, rmin, rmax, rsum, r):
    n = y.shape[0]
    if n_obs_rec > 0:
        observables(t, y, p, ob)
    for v in range(n + n_obs_rec):
        val = y[v] if v < n else ob[v - n]
        if want_full:
            REC[j - q0, v, r] = val
        if want_red:
            rmin[v] = val if val < rmin[v] else rmin[v]
            rmax[v] = val if val > rmax[v] else rmax[v]
            rsum[v] += val


@njit(cache=True, error_model="numpy", nogil=True)
def run_adaptive(Y0, P, A, bw, be, c, D, err_exp, t0, t1, h0, rtol, atol, ctrl, max_steps,
                 rec_t, q0, in_T, in_V, in_K, row_start, row_stop, lo_b, hi_b, want_full,
                 want_red, n_obs_rec, REC, RMIN, RMAX, RSUM, FINAL, STATUS, TSTOP, NSTEPS):
    """Adaptive embedded Runge-Kutta (first-same-as-last tableaux), rows [row_start, row_stop).

    The state is sampled at the times rec_t (ascending) by the tableau's
    dense output D (stages x degree); samples with index < q0 are transient.
    ctrl = (safety, beta1, beta2, min_factor, max_factor). A step whose
    scaled RMS error is <= 1 is accepted; the next step is
    h * safety * err**-beta1 * err_prev**beta2, clipped to the factors.
    """
    n = Y0.shape[0]
    n_all = P.shape[0]
    n_par = n_all - in_T.shape[0]
    S = bw.shape[0]
    deg = D.shape[1]
    n_rec = rec_t.shape[0]
    safety, beta1, beta2, fmin, fmax = ctrl[0], ctrl[1], ctrl[2], ctrl[3], ctrl[4]
    for r in range(row_start, row_stop):
        y = Y0[:, r].copy()
        p = P[:, r].copy()
        K = np.empty((S, n))
        yt = np.empty(n)
        ynew = np.empty(n)
        err = np.empty(n)
        ys = np.empty(n)
        ob = np.empty(max(n_obs_rec, 1))
        nv = n + n_obs_rec
        rmin = np.full(nv, np.inf)
        rmax = np.full(nv, -np.inf)
        rsum = np.zeros(nv)
        t = t0
        status = 0
        if in_T.shape[0] > 0:
            fill_inputs_row(t, p, r, n_par, in_T, in_V, in_K, False)
        rhs(t, y, p, K[0])
        j = 0
        while j < n_rec and rec_t[j] <= t:
            if j >= q0:
                _record_row(t, y, p, ob, j, q0, want_full, want_red, n_obs_rec,
                            REC, rmin, rmax, rsum, r)
            j += 1
        h = h0
        if h <= 0.0:
            d0 = 0.0
            d1 = 0.0
            for i in range(n):
                sc = atol + rtol * abs(y[i])
                d0 += (y[i] / sc) ** 2
                d1 += (K[0, i] / sc) ** 2
            d0 = math.sqrt(d0 / n)
            d1 = math.sqrt(d1 / n)
            h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
            h = min(h, t1 - t0)
            for i in range(n):
                yt[i] = y[i] + h * K[0, i]
            rhs(t + h, yt, p, ynew)
            d2 = 0.0
            for i in range(n):
                sc = atol + rtol * abs(y[i])
                d2 += ((ynew[i] - K[0, i]) / sc) ** 2
            d2 = math.sqrt(d2 / n) / h
            dm = max(d1, d2)
            h1 = max(1e-6, h * 1e-3) if dm <= 1e-15 else (0.01 / dm) ** err_exp
            h = min(100.0 * h, h1)
        err_prev = 1e-4
        steps = 0
        while t < t1:
            if steps >= max_steps:
                status = 3
                break
            last = h >= t1 - t
            if last:
                h = t1 - t
            hmin = 16.0 * np.finfo(np.float64).eps * max(abs(t), abs(t1 - t0) * 1e-3)
            if h < hmin:
                status = 4
                break
            # the stages written out here, not through rk_row_stages: passing its fifteen
            # arguments costs 25% of an adaptive run even inlined (measured on dopri5)
            for s in range(1, S):
                for i in range(n):
                    acc = y[i]
                    for q in range(s):
                        acc += h * A[s, q] * K[q, i]
                    yt[i] = acc
                ts = t + c[s] * h
                if in_T.shape[0] > 0:
                    fill_inputs_row(ts, p, r, n_par, in_T, in_V, in_K, c[s] > 0.0)
                rhs(ts, yt, p, K[s])
            rk_row_combine_pair(y, K, bw, be, h, ynew, err)
            en = _rms_err(y, ynew, err, rtol, atol)
            steps += 1
            if not (en <= 1.0):
                if en != en:
                    fac = fmin
                else:
                    fac = max(fmin, safety * en ** (-err_exp))
                h *= fac
                continue
            # accepted: dense output on the sampling grid inside (t, t + h]
            tn = t1 if last else t + h
            while j < n_rec and rec_t[j] <= tn:
                th = (rec_t[j] - t) / h
                for i in range(n):
                    acc = 0.0
                    for s in range(S):
                        poly = 0.0
                        pw = th
                        for d in range(deg):
                            poly += D[s, d] * pw
                            pw *= th
                        acc += K[s, i] * poly
                    ys[i] = y[i] + h * acc
                if j >= q0:
                    if in_T.shape[0] > 0:
                        fill_inputs_row(rec_t[j], p, r, n_par, in_T, in_V, in_K, False)
                    _record_row(rec_t[j], ys, p, ob, j, q0, want_full, want_red, n_obs_rec,
                                REC, rmin, rmax, rsum, r)
                j += 1
            t = tn
            code = 0
            for i in range(n):
                y[i] = ynew[i]
                if not (y[i] - y[i] == 0.0):
                    code = 1
                elif code == 0 and not (y[i] >= lo_b[i] and y[i] <= hi_b[i]):
                    code = 2
            if code != 0:
                status = code
                break
            for i in range(n):
                K[0, i] = K[S - 1, i]
            en = max(en, 1e-10)
            fac = safety * en ** (-beta1) * err_prev ** beta2
            h *= min(fmax, max(fmin, fac))
            err_prev = en
        STATUS[r] = status
        TSTOP[r] = t if status != 0 else np.nan
        NSTEPS[r] = steps
        for i in range(n):
            FINAL[i, r] = y[i] if status == 0 else np.nan
        if want_red:
            for v in range(nv):
                RMIN[v, r] = rmin[v]
                RMAX[v, r] = rmax[v]
                RSUM[v, r] = rsum[v]
