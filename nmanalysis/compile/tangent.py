# Kernel template (tangent): never imported by itself.
#
# Its text is appended, after the model's kernels and solvers.py, to a module
# built by CompiledSystem.extension("tangent.py"); rhs, jac, jac_p, jac_diag,
# rhs_block, ... and the helpers of solvers.py are module globals there.
#
# The state y and one tangent vector v are integrated together,
#     y' = f(t, y),    v' = J(t, y) v,
# by classical RK4 (the tangent stages use the Jacobian at the stage states,
# so the pair is RK4 applied to the variational system). Benettin's method:
# v is renormalised every `renorm` steps and the logarithms of its growth
# factors are summed after the transient, separately over the two halves of
# the averaging window (their difference is a convergence estimate).
#
# Status codes as in drivers.py: 0 ok, 1 diverged (state or tangent not
# finite), 2 left the bounds [lo_b, hi_b].


@njit(cache=True, nogil=True, error_model="numpy")
def _tangent_rk4_step(t, y, v, p, dt, K, KV, ys, vs, J):
    """One RK4 step of (y, v) in place; K, KV (4, n), ys, vs (n,), J (n, n) are work arrays."""
    n = N_STATES  # a compile-time constant: short loops unroll
    for s in range(4):
        if s == 0:
            c = 0.0
            for i in range(n):
                ys[i] = y[i]
                vs[i] = v[i]
        else:
            c = dt if s == 3 else 0.5 * dt
            for i in range(n):
                ys[i] = y[i] + c * K[s - 1, i]
                vs[i] = v[i] + c * KV[s - 1, i]
        rhs(t + c, ys, p, K[s])
        jac(t + c, ys, p, J)
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc += J[i, j] * vs[j]
            KV[s, i] = acc
    h6 = dt / 6.0
    for i in range(n):
        y[i] += h6 * (K[0, i] + 2.0 * K[1, i] + 2.0 * K[2, i] + K[3, i])
        v[i] += h6 * (KV[0, i] + 2.0 * KV[1, i] + 2.0 * KV[2, i] + KV[3, i])


@njit(cache=True, nogil=True, error_model="numpy")
def _state_status(y, lo_b, hi_b):
    """0 if y is finite and inside [lo_b, hi_b], 1 if not finite, 2 if outside."""
    code = 0
    for i in range(y.shape[0]):
        x = y[i]
        if not (x - x == 0.0):
            return 1
        if not (x >= lo_b[i] and x <= hi_b[i]):
            code = 2
    return code


@njit(cache=True, nogil=True, error_model="numpy")
def lyapunov_rows(Y0, V0, P, t0, dt, n_transient, n_steps, renorm, lo_b, hi_b,
                  start, stop, LAM, LAM1, LAM2, STATUS, FINAL):
    """Largest Lyapunov exponent of columns [start, stop) of Y0 by Benettin's method.

    Y0 (n, B) initial states, V0 (n, B) initial tangent vectors, P (n_p, B)
    parameter vectors. The run has n_transient + n_steps RK4 steps of size dt
    from t0; the tangent is renormalised every `renorm` steps (and, checked
    every 16 steps, whenever its norm leaves [1e-100, 1e100]; and at the end
    of the transient and of each half of the averaging window). LAM: mean log growth rate over the
    n_steps averaging steps; LAM1, LAM2: the same over the first and second
    half. STATUS: 0 ok, 1 diverged, 2 left bounds (exponents NaN). FINAL:
    final state. Releases the GIL: run disjoint ranges in threads.
    """
    n = Y0.shape[0]
    half = n_steps // 2
    total = n_transient + n_steps
    y = np.empty(n)
    v = np.empty(n)
    K = np.empty((4, n))
    KV = np.empty((4, n))
    ys = np.empty(n)
    vs = np.empty(n)
    J = np.empty((n, n))
    for r in range(start, stop):
        p = P[:, r].copy()
        nrm = 0.0
        for i in range(n):
            y[i] = Y0[i, r]
            v[i] = V0[i, r]
            nrm += v[i] * v[i]
        nrm = math.sqrt(nrm)
        for i in range(n):
            v[i] /= nrm
        s1 = 0.0
        s2 = 0.0
        status = _state_status(y, lo_b, hi_b)
        since = 0
        q = 0
        while q < total and status == 0:
            _tangent_rk4_step(t0 + q * dt, y, v, p, dt, K, KV, ys, vs, J)
            q += 1
            since += 1
            status = _state_status(y, lo_b, hi_b)
            if status != 0:
                break
            w = q - n_transient  # steps done inside the averaging window
            if not (since >= renorm or (since & 15) == 0 or w == 0 or w == half
                    or w == n_steps):
                continue
            sq = 0.0
            for i in range(n):
                sq += v[i] * v[i]
            if since < renorm and w != 0 and w != half and w != n_steps and (
                    sq < 1e200 and sq > 1e-200):
                continue  # a periodic overflow check only
            if not (sq > 0.0 and sq < np.inf):
                status = 1
                break
            nrm = math.sqrt(sq)
            if w > 0:
                if w <= half:
                    s1 += math.log(nrm)
                else:
                    s2 += math.log(nrm)
            for i in range(n):
                v[i] /= nrm
            since = 0
        STATUS[r] = status
        for i in range(n):
            FINAL[i, r] = y[i] if status == 0 else np.nan
        if status == 0:
            LAM[r] = (s1 + s2) / (n_steps * dt)
            LAM1[r] = s1 / (half * dt) if half > 0 else np.nan
            LAM2[r] = s2 / ((n_steps - half) * dt)
        else:
            LAM[r] = np.nan
            LAM1[r] = np.nan
            LAM2[r] = np.nan
