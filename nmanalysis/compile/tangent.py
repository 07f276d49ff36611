# Kernel template (tangent): never imported by itself.
#
# Its text is appended, after the model's kernels and solvers.py, to a module
# built by CompiledSystem.extension("tangent.py"); rhs, jac, jac_p, jac_diag,
# rhs_block, ... and the helpers of solvers.py are module globals there.
#
# The state y and k tangent vectors V = [v_1 .. v_k] are integrated together,
#     y' = f(t, y),    V' = J(t, y) V,
# as one augmented system z = [y, V] (variational_rhs of rk.py) by the explicit
# tableau (A, b, c) given, with rk_row_step: the step every kernel uses
# (the tangent stages use the Jacobian at the stage states). Benettin's method
# with QR: V is re-orthonormalised (modified Gram-Schmidt, V = Q R) every
# `renorm` steps and the logarithms of the diagonal of R are summed after the
# transient, separately over the two halves of the averaging window (their
# difference is a convergence estimate). With k = 1 this is the classical
# renormalisation of one vector (the largest exponent).
#
# Status codes as in drivers.py: 0 ok, 1 diverged (state or tangent not
# finite, or the tangents became dependent), 2 left the bounds [lo_b, hi_b].


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
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
def _orthonormalise(V, logr):
    """Modified Gram-Schmidt V = Q R in place (V <- Q); logr[m] = log R[m, m].

    Returns False when a column is not finite or collapses (R[m, m] = 0).
    """
    n, k = V.shape
    for m in range(k):
        for j in range(m):
            dot = 0.0
            for i in range(n):
                dot += V[i, j] * V[i, m]
            for i in range(n):
                V[i, m] -= dot * V[i, j]
        sq = 0.0
        for i in range(n):
            sq += V[i, m] * V[i, m]
        if not (sq > 0.0 and sq < np.inf):
            return False
        nrm = math.sqrt(sq)
        logr[m] = math.log(nrm)
        for i in range(n):
            V[i, m] /= nrm
    return True


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _out_of_range(V):
    """True when a column's squared norm leaves [1e-200, 1e200] (or is not finite)."""
    n, k = V.shape
    for m in range(k):
        sq = 0.0
        for i in range(n):
            sq += V[i, m] * V[i, m]
        if not (sq < 1e200 and sq > 1e-200):
            return True
    return False


@njit(cache=True, nogil=True, error_model="numpy")
def lyapunov_rows(Y0, V0, P, A, bw, c, t0, dt, n_transient, n_steps, renorm, lo_b, hi_b,
                  start, stop, LAM, LAM1, LAM2, STATUS, FINAL):
    """The k leading Lyapunov exponents of columns [start, stop) of Y0 (Benettin, QR).

    Y0 (n, B) initial states, V0 (n, k, B) initial tangent vectors (independent),
    P (n_p, B) parameter vectors, (A, bw, c) an explicit tableau. The run has
    n_transient + n_steps steps of size dt from t0; the tangents are re-orthonormalised every `renorm`
    steps (and, checked every 16 steps, whenever a norm leaves [1e-100,
    1e100]; and at the end of the transient and of each half of the averaging
    window). LAM (k, B): mean log growth rates over the n_steps averaging
    steps; LAM1, LAM2: the same over the first and second half. STATUS: 0 ok,
    1 diverged, 2 left bounds (exponents NaN). FINAL: final state. Releases
    the GIL: run disjoint ranges in threads.
    """
    n = Y0.shape[0]
    k = V0.shape[1]
    half = n_steps // 2
    total = n_transient + n_steps
    N = n * (1 + k)
    z = np.empty(N)          # [y, V row-major]: y and V below are views of it
    y = z[:n]
    V = z[n:].reshape((n, k))
    K = np.empty((bw.shape[0], N))
    zt = np.empty(N)
    J = np.empty((n, n))
    logr = np.empty(k)
    s1 = np.empty(k)
    s2 = np.empty(k)
    for r in range(start, stop):
        p = P[:, r].copy()
        for i in range(n):
            y[i] = Y0[i, r]
            for m in range(k):
                V[i, m] = V0[i, m, r]
        status = _state_status(y, lo_b, hi_b)
        if not _orthonormalise(V, logr):
            status = 1
        for m in range(k):
            s1[m] = 0.0
            s2[m] = 0.0
        since = 0
        q = 0
        while q < total and status == 0:
            rk_row_step(1, t0 + q * dt, z, p, A, bw, c, dt, K, zt, J)
            q += 1
            since += 1
            status = _state_status(y, lo_b, hi_b)
            if status != 0:
                break
            w = q - n_transient  # steps done inside the averaging window
            boundary = w == 0 or w == half or w == n_steps
            if not (since >= renorm or (since & 15) == 0 or boundary):
                continue
            if since < renorm and not boundary and not _out_of_range(V):
                continue  # a periodic overflow check only
            if not _orthonormalise(V, logr):
                status = 1
                break
            if w > 0:
                for m in range(k):
                    if w <= half:
                        s1[m] += logr[m]
                    else:
                        s2[m] += logr[m]
            since = 0
        STATUS[r] = status
        for i in range(n):
            FINAL[i, r] = y[i] if status == 0 else np.nan
        for m in range(k):
            if status == 0:
                LAM[m, r] = (s1[m] + s2[m]) / (n_steps * dt)
                LAM1[m, r] = s1[m] / (half * dt) if half > 0 else np.nan
                LAM2[m, r] = s2[m] / ((n_steps - half) * dt)
            else:
                LAM[m, r] = np.nan
                LAM1[m, r] = np.nan
                LAM2[m, r] = np.nan
