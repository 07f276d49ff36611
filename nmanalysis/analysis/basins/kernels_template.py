# Kernel template (basins): never imported by itself.
#
# Its text is appended, after the model's kernels and solvers.py, to a module
# built by CompiledSystem.extension(<path of this file>) (analysis/basins/run.py);
# rhs, jac, jac_p, jac_diag, rhs_block, ... and the helpers of solvers.py are
# module globals there.
#
# Two row-range kernels (both release the GIL; run disjoint ranges in threads):
#
# basin_rows   integrates many initial states of one autonomous system with a
#              fixed-step explicit Runge-Kutta tableau (A, bw, c) in SIMD blocks
#              of `width` trajectories and stops each trajectory as soon as it
#              has stayed within `tol` (scaled max-norm) of one of the given
#              stable equilibria for `n_dwell` consecutive checks. A finished
#              slot of the block is refilled with the next initial state, so the
#              block stays full; when no states are left the block is compacted.
#              STATUS: 0 converged (LABEL = index of the equilibrium), 1 diverged
#              (non-finite state), 2 left the domain [lo_b, hi_b], 3 still
#              running after max_steps (FINAL holds the last state).
#
# cycle_rows   follows undecided trajectories one by one: a first window gives
#              the range of every state; a state whose range is below tol in
#              every direction is reported as static (status 4, an equilibrium
#              the caller checks by Newton). Otherwise upward crossings of the
#              hyperplane y_j = middle of its range (j: the widest state) are
#              located by cubic Hermite interpolation; a crossing point within
#              tol of the one q crossings earlier, for n_confirm crossings in a
#              row with the same q and period, confirms a cycle. One more period
#              is then integrated to report a canonical Poincare point (upward
#              crossing of the middle of the cycle's own range of its widest
#              state), its min/max per state and its period. A "cycle" whose
#              range is below 10 tol in every state is a decayed spiral:
#              reported as static.
#              STATUS: 0 cycle, 1 diverged, 2 left domain, 3 undecided, 4 static.


@njit(cache=True, nogil=True, error_model="numpy")
def _stage_times(A):
    """c_s = sum_j A[s, j]: the stage times of an explicit tableau (autonomous systems here)."""
    S = A.shape[0]
    c = np.zeros(S)
    for s in range(S):
        for j in range(s):
            c[s] += A[s, j]
    return c


@njit(cache=True, nogil=True, error_model="numpy")
def _basin_block_arrays(p, n, m, S):
    n_p = p.shape[0]
    P = np.empty((n_p, m))
    for i in range(n_p):
        for b in range(m):
            P[i, b] = p[i]
    Qd = np.empty((N_DERIVED, m))
    derived_block(P, Qd)
    return np.empty((n, m)), P, Qd, np.empty((S, n, m)), np.empty((n, m))


@njit(cache=True, nogil=True, error_model="numpy")
def basin_rows(Y0, p, A, bw, dt, max_steps, check_every, n_dwell, EQ, inv_scale, tol,
               lo_b, hi_b, width, start, stop, LABEL, STATUS, STEPS, FINAL):
    """Integrate columns [start, stop) of Y0 (n, B) with early stopping at stable equilibria.

    p: parameter vector; (A, bw): tableau; EQ (K, n): stable equilibria;
    inv_scale (n,): 1 / scale of each state; tol: radius in the scaled max-norm.
    STEPS: steps taken when the trajectory entered the ball it then stayed in
    (status 0), else the steps taken.
    """
    n = Y0.shape[0]
    total = stop - start
    if total <= 0:
        return
    S = bw.shape[0]
    c = _stage_times(A)
    n_eq = EQ.shape[0]
    m = min(width, total)
    y, P, Qd, K, yt = _basin_block_arrays(p, n, m, S)
    row = np.empty(m, np.int64)
    steps = np.zeros(m, np.int64)
    dw = np.zeros(m, np.int64)
    lab = np.full(m, -1, np.int64)
    nxt = start
    for b in range(m):
        row[b] = nxt
        for i in range(n):
            y[i, b] = Y0[i, nxt]
        nxt += 1
    active = m
    while active > 0:
        for _ in range(check_every):
            rk_block_step(0.0, y, P, Qd, A, bw, c, dt, K, yt, yt, False, 0, P.shape[0], _NO_T,
                          _NO_V, _NO_K)
        for b in range(m):
            r = row[b]
            if r < 0:
                continue
            steps[b] += check_every
            code = -1
            for i in range(n):
                v = y[i, b]
                if not (v - v == 0.0):
                    code = 1
                    break
                if not (v >= lo_b[i] and v <= hi_b[i]):
                    code = 2
            if code < 0:
                k = -1
                for e in range(n_eq):
                    d = 0.0
                    for i in range(n):
                        d = max(d, abs(y[i, b] - EQ[e, i]) * inv_scale[i])
                    if d <= tol:
                        k = e
                        break
                if k >= 0:
                    if k == lab[b]:
                        dw[b] += 1
                    else:
                        lab[b] = k
                        dw[b] = 1
                    if dw[b] >= n_dwell:
                        code = 0
                else:
                    lab[b] = -1
                    dw[b] = 0
                if code < 0 and steps[b] >= max_steps:
                    code = 3
            if code < 0:
                continue
            STATUS[r] = code
            if code == 0:
                LABEL[r] = lab[b]
                STEPS[r] = steps[b] - (dw[b] - 1) * check_every
            else:
                LABEL[r] = -1
                STEPS[r] = steps[b]
            for i in range(n):
                FINAL[i, r] = y[i, b]
            if nxt < stop:
                row[b] = nxt
                for i in range(n):
                    y[i, b] = Y0[i, nxt]
                steps[b] = 0
                dw[b] = 0
                lab[b] = -1
                nxt += 1
            else:
                row[b] = -1
                active -= 1
                for i in range(n):
                    if not (y[i, b] - y[i, b] == 0.0):
                        y[i, b] = 0.0
        if nxt >= stop and 0 < active <= m // 2 and m > 4:
            # compact the running slots into a narrower block
            y2, P2, Q2, K2, yt2 = _basin_block_arrays(p, n, active, S)
            row2 = np.empty(active, np.int64)
            steps2 = np.empty(active, np.int64)
            dw2 = np.empty(active, np.int64)
            lab2 = np.empty(active, np.int64)
            j = 0
            for b in range(m):
                if row[b] >= 0:
                    for i in range(n):
                        y2[i, j] = y[i, b]
                    row2[j] = row[b]
                    steps2[j] = steps[b]
                    dw2[j] = dw[b]
                    lab2[j] = lab[b]
                    j += 1
            y, P, Qd, K, yt = y2, P2, Q2, K2, yt2
            row, steps, dw, lab = row2, steps2, dw2, lab2
            m = active


@njit(cache=True, nogil=True, error_model="numpy")
def _state_code(y, lo_b, hi_b):
    code = 0
    for i in range(y.shape[0]):
        v = y[i]
        if not (v - v == 0.0):
            return 1
        if not (v >= lo_b[i] and v <= hi_b[i]):
            code = 2
    return code


@njit(cache=True, nogil=True, error_model="numpy")
def _hermite_crossing(y0, f0, y1, f1, dt, j, level, out):
    """theta in [0, 1] where the cubic Hermite interpolant's component j equals level.

    Writes the interpolated state to out and returns theta.
    """
    a = y0[j] - level
    bq = y1[j] - level
    th = a / (a - bq) if a != bq else 0.5
    for _ in range(8):
        h00 = (1.0 + 2.0 * th) * (1.0 - th) * (1.0 - th)
        h10 = th * (1.0 - th) * (1.0 - th)
        h01 = th * th * (3.0 - 2.0 * th)
        h11 = th * th * (th - 1.0)
        g = h00 * y0[j] + h10 * dt * f0[j] + h01 * y1[j] + h11 * dt * f1[j] - level
        d00 = 6.0 * th * th - 6.0 * th
        d10 = 3.0 * th * th - 4.0 * th + 1.0
        d01 = -6.0 * th * th + 6.0 * th
        d11 = 3.0 * th * th - 2.0 * th
        dg = d00 * y0[j] + d10 * dt * f0[j] + d01 * y1[j] + d11 * dt * f1[j]
        if dg == 0.0:
            break
        step = g / dg
        th_new = min(1.0, max(0.0, th - step))
        if abs(th_new - th) < 1e-14:
            th = th_new
            break
        th = th_new
    h00 = (1.0 + 2.0 * th) * (1.0 - th) * (1.0 - th)
    h10 = th * (1.0 - th) * (1.0 - th)
    h01 = th * th * (3.0 - 2.0 * th)
    h11 = th * th * (th - 1.0)
    for i in range(y0.shape[0]):
        out[i] = h00 * y0[i] + h10 * dt * f0[i] + h01 * y1[i] + h11 * dt * f1[i]
    return th


@njit(cache=True, nogil=True, error_model="numpy")
def _scaled_dist(a, b, inv_scale):
    d = 0.0
    for i in range(a.shape[0]):
        d = max(d, abs(a[i] - b[i]) * inv_scale[i])
    return d


@njit(cache=True, nogil=True, error_model="numpy")
def cycle_rows(Y0, p, A, bw, dt, n_pre, n_max, inv_scale, tol, n_confirm, max_q, lo_b, hi_b,
               start, stop, STATUS, PERIOD, QPER, POINT, YMIN, YMAX, AXIS, LEVEL, STEPS):
    """Recurrence (cycle) detection for columns [start, stop) of Y0 (n, B), one by one.

    n_pre: steps of the range window; n_max: steps searched for recurrences.
    Outputs per column: STATUS (see the file header), PERIOD, QPER (crossings
    per period), POINT (n, B) canonical Poincare point (static: last state),
    YMIN/YMAX (n, B) range over one period (static: over the window), AXIS and
    LEVEL of the canonical section, STEPS taken.
    """
    n = Y0.shape[0]
    S = bw.shape[0]
    R = max_q + 1
    y = np.empty(n)
    yold = np.empty(n)
    f1 = np.empty(n)
    pt = np.empty(n)
    mn = np.empty(n)
    mx = np.empty(n)
    smin = np.empty(n)
    smax = np.empty(n)
    K = np.empty((S, n))
    yt = np.empty(n)
    c = _stage_times(A)
    J = np.empty((1, 1))
    CP = np.empty((R, n))
    CT = np.empty(R)
    CMIN = np.empty((R, n))
    CMAX = np.empty((R, n))
    for r in range(start, stop):
        for i in range(n):
            y[i] = Y0[i, r]
            mn[i] = y[i]
            mx[i] = y[i]
        code = _state_code(y, lo_b, hi_b)
        steps = 0
        while code == 0 and steps < n_pre:
            rk_row_step(0, 0.0, y, p, A, bw, c, dt, K, yt, J)
            steps += 1
            code = _state_code(y, lo_b, hi_b)
            for i in range(n):
                mn[i] = min(mn[i], y[i])
                mx[i] = max(mx[i], y[i])
        PERIOD[r] = np.nan
        QPER[r] = 0
        AXIS[r] = -1
        LEVEL[r] = np.nan
        if code != 0:
            STATUS[r] = code
            STEPS[r] = steps
            for i in range(n):
                POINT[i, r] = y[i]
                YMIN[i, r] = np.nan
                YMAX[i, r] = np.nan
            continue
        j = 0
        widest = -1.0
        for i in range(n):
            w = (mx[i] - mn[i]) * inv_scale[i]
            if w > widest:
                widest = w
                j = i
        if widest <= tol:
            STATUS[r] = 4
            STEPS[r] = steps
            for i in range(n):
                POINT[i, r] = y[i]
                YMIN[i, r] = mn[i]
                YMAX[i, r] = mx[i]
            continue
        level = 0.5 * (mn[j] + mx[j])
        # phase A: find a confirmed recurrence of the crossings of y_j = level
        nc = 0
        confirmed = 0
        last_q = -1
        last_T = 0.0
        found_q = -1
        period = 0.0
        t = 0.0
        for i in range(n):
            smin[i] = y[i]
            smax[i] = y[i]
        q = 0
        while q < n_max:
            for i in range(n):
                yold[i] = y[i]
            rk_row_step(0, 0.0, y, p, A, bw, c, dt, K, yt, J)
            q += 1
            t += dt
            code = _state_code(y, lo_b, hi_b)
            if code != 0:
                break
            for i in range(n):
                smin[i] = min(smin[i], y[i])
                smax[i] = max(smax[i], y[i])
            if not (yold[j] < level and y[j] >= level):
                continue
            rhs(0.0, y, p, f1)
            th = _hermite_crossing(yold, K[0], y, f1, dt, j, level, pt)
            tc = t - dt + th * dt
            slot = nc % R
            for i in range(n):
                CP[slot, i] = pt[i]
                CMIN[slot, i] = smin[i]
                CMAX[slot, i] = smax[i]
                smin[i] = pt[i]
                smax[i] = pt[i]
            CT[slot] = tc
            nc += 1
            hit = -1
            for qq in range(1, min(max_q, nc - 1) + 1):
                if _scaled_dist(pt, CP[(nc - 1 - qq) % R], inv_scale) <= tol:
                    hit = qq
                    break
            if hit < 0:
                confirmed = 0
                last_q = -1
                continue
            T = tc - CT[(nc - 1 - hit) % R]
            if hit == last_q and abs(T - last_T) <= 10.0 * tol * T:
                confirmed += 1
            else:
                confirmed = 1
            last_q = hit
            last_T = T
            if confirmed >= n_confirm:
                found_q = hit
                period = T
                break
        if found_q < 0:
            STATUS[r] = code if code != 0 else 3
            STEPS[r] = steps + q
            for i in range(n):
                POINT[i, r] = y[i]
                YMIN[i, r] = np.nan
                YMAX[i, r] = np.nan
            continue
        # range over the last period = the last found_q segments
        for i in range(n):
            mn[i] = np.inf
            mx[i] = -np.inf
        for k in range(found_q):
            slot = (nc - 1 - k) % R
            for i in range(n):
                mn[i] = min(mn[i], CMIN[slot, i])
                mx[i] = max(mx[i], CMAX[slot, i])
        # widest state; near-ties (within 1 %) go to the lower index, so that
        # every trajectory on the same cycle picks the same section
        widest = 0.0
        for i in range(n):
            widest = max(widest, (mx[i] - mn[i]) * inv_scale[i])
        jc = 0
        for i in range(n):
            if (mx[i] - mn[i]) * inv_scale[i] >= 0.99 * widest:
                jc = i
                break
        if widest <= 10.0 * tol:
            # a spiral that has (nearly) died out: an equilibrium, not a cycle
            STATUS[r] = 4
            STEPS[r] = steps + q
            QPER[r] = 0
            PERIOD[r] = np.nan
            for i in range(n):
                POINT[i, r] = y[i]
                YMIN[i, r] = mn[i]
                YMAX[i, r] = mx[i]
            continue
        level_c = 0.5 * (mn[jc] + mx[jc])
        k2 = (jc + 1) % n
        # phase B: one more period (plus a margin): canonical Poincare point = the
        # upward crossing of y_jc = level_c with the largest y_k2
        best = -np.inf
        n_more = int(1.05 * period / dt) + 2
        for _ in range(n_more):
            for i in range(n):
                yold[i] = y[i]
            rk_row_step(0, 0.0, y, p, A, bw, c, dt, K, yt, J)
            q += 1
            if not (yold[jc] < level_c and y[jc] >= level_c):
                continue
            rhs(0.0, y, p, f1)
            _hermite_crossing(yold, K[0], y, f1, dt, jc, level_c, pt)
            if pt[k2] > best:
                best = pt[k2]
                for i in range(n):
                    POINT[i, r] = pt[i]
        STATUS[r] = 0 if best > -np.inf else 3
        STEPS[r] = steps + q
        PERIOD[r] = period
        QPER[r] = found_q
        AXIS[r] = jc
        LEVEL[r] = level_c
        for i in range(n):
            YMIN[i, r] = mn[i]
            YMAX[i, r] = mx[i]
            if best == -np.inf:
                POINT[i, r] = y[i]
