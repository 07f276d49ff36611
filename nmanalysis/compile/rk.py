# Kernel template (rk): never imported by itself.
#
# The one explicit Runge-Kutta step of the package, driven by tableau data
# (A, b, c): its text is joined to the main kernel module (before drivers.py)
# and to every extension module (before solvers.py), where the model's rhs,
# rhs_block, jac and N_STATES are module globals. simulate's fixed-step
# driver, the basin and cycle kernels and the Lyapunov kernels step through
# these functions; only what they do between steps differs. The adaptive
# driver combines its stages with rk_row_combine_pair but writes the stage
# loop out itself: calling rk_row_stages there cost 25% of a dopri5 run.
#
#   rk_block_step   one step of a block of rows y (n, m) (batch index inner,
#                   vectorised), with an additive noise increment and input
#                   signals sampled at the stage times;
#   rk_row_stages   the stages of one step of a single row;
#   rk_row_combine  y + h sum_s w_s K_s (the new state, or the error estimate);
#   rk_row_combine_pair  both at once, for embedded pairs;
#   rk_row_step     a whole step of one row in place.
#
# A row is either the model's state (mode 0) or the state with k tangent
# vectors, z = [y, V (n x k, row-major)] (mode 1), whose right-hand side is
# the variational system [f(y), J(y) V] (variational_rhs): the Lyapunov
# kernels integrate the augmented system with the same step as everything
# else.


@njit(cache=True, nogil=True, error_model="numpy")
def input_position(T, K, t, left):
    """Knot index j and weight w so that u(t) = V[j] + w (V[j+1] - V[j]).

    ``left``: take the limit from the left at a jump. Stages inside a step
    (c > 0) use it, so a step [t, t + dt] ending on a jump sees the old value
    throughout and the next step sees the new one: jumps fall on step edges.
    """
    # bisection for the first knot >= t (left) or > t (right), as np.searchsorted finds
    # it; written out because numba's searchsorted lives in a module whose import pulls in
    # scipy.linalg, a quarter of a second in every process that loads a cached driver
    a, z = 0, K
    while a < z:
        mid = (a + z) >> 1
        if T[mid] < t or (not left and T[mid] == t):
            a = mid + 1
        else:
            z = mid
    j = a - 1
    if j < 0:
        return 0, 0.0
    if j >= K - 1:
        return K - 1, 0.0
    return j, (t - T[j]) / (T[j + 1] - T[j])


@njit(cache=True, nogil=True, error_model="numpy")
def fill_inputs(t, P, row0, n_par, in_T, in_V, in_K, left):
    for i in range(in_T.shape[0]):
        j, w = input_position(in_T[i], in_K[i], t, left)
        if w == 0.0:
            for b in range(P.shape[1]):
                P[n_par + i, b] = in_V[i, j, row0 + b]
        else:
            for b in range(P.shape[1]):
                v0 = in_V[i, j, row0 + b]
                P[n_par + i, b] = v0 + w * (in_V[i, j + 1, row0 + b] - v0)


@njit(cache=True, nogil=True, error_model="numpy")
def fill_inputs_row(t, p, row, n_par, in_T, in_V, in_K, left):
    for i in range(in_T.shape[0]):
        j, w = input_position(in_T[i], in_K[i], t, left)
        v0 = in_V[i, j, row]
        if w != 0.0:
            v0 = v0 + w * (in_V[i, j + 1, row] - v0)
        p[n_par + i] = v0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def variational_rhs(t, z, p, out, J):
    """Right-hand side of z = [y, V]: out = [f(t, y), J(t, y) V]; J (n, n) is work space."""
    n = N_STATES
    k = (z.shape[0] - n) // n
    y = z[:n]
    rhs(t, y, p, out[:n])
    jac(t, y, p, J)
    for i in range(n):
        for m in range(k):
            acc = 0.0
            for j in range(n):
                acc += J[i, j] * z[n + j * k + m]
            out[n + i * k + m] = acc


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _row_rhs(mode, t, z, p, out, J):
    if mode == 0:
        rhs(t, z, p, out)
    else:
        variational_rhs(t, z, p, out, J)


@njit(cache=True, nogil=True, error_model="numpy")
def rk_block_step(t, y, p, qd, A, bw, c, dt, K, yt, inc, noisy, row0, n_par, in_T, in_V,
                  in_K):
    """One explicit Runge-Kutta step of the block y (n, m) in place.

    Stage s is evaluated at t + c_s dt (inputs, if any, filled there: from the
    left inside the step, so a jump on a step edge is seen by the next step).
    With ``noisy`` the additive increment inc (n, m) enters stage s scaled by
    c_s and is added at the end (Euler-Maruyama with Euler, stochastic Heun with
    Heun). K (S, n, m) and yt (n, m) are work arrays; K holds the stages after.
    """
    n, m = y.shape
    S = bw.shape[0]
    has_inputs = in_T.shape[0] > 0
    for s in range(S):
        ts = t + c[s] * dt
        if has_inputs:
            fill_inputs(ts, p, row0, n_par, in_T, in_V, in_K, s > 0 and c[s] > 0.0)
        if s == 0:
            rhs_block(ts, y, p, qd, K[0])
            continue
        if noisy:
            cs = c[s]
            for i in range(n):
                for b in range(m):
                    yt[i, b] = y[i, b] + cs * inc[i, b]
        else:
            for i in range(n):
                for b in range(m):
                    yt[i, b] = y[i, b]
        for j in range(s):
            coef = dt * A[s, j]
            if coef != 0.0:
                for i in range(n):
                    for b in range(m):
                        yt[i, b] += coef * K[j, i, b]
        rhs_block(ts, yt, p, qd, K[s])
    for s in range(S):
        coef = dt * bw[s]
        if coef != 0.0:
            for i in range(n):
                for b in range(m):
                    y[i, b] += coef * K[s, i, b]
    if noisy:
        for i in range(n):
            for b in range(m):
                y[i, b] += inc[i, b]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rk_row_stages(mode, t, y, p, A, c, h, K, yt, J, row, n_par, in_T, in_V, in_K):
    """Stages 1 .. S-1 of an explicit step of one row; K[0] must hold f(t, y)."""
    n = y.shape[0]
    S = K.shape[0]
    for s in range(1, S):
        for i in range(n):
            acc = y[i]
            for q in range(s):
                acc += h * A[s, q] * K[q, i]
            yt[i] = acc
        ts = t + c[s] * h
        if in_T.shape[0] > 0:
            fill_inputs_row(ts, p, row, n_par, in_T, in_V, in_K, c[s] > 0.0)
        _row_rhs(mode, ts, yt, p, K[s], J)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rk_row_combine(y, K, w, h, out, add_y):
    """out = (y if add_y else 0) + h sum_s w_s K_s."""
    n = out.shape[0]
    S = w.shape[0]
    for i in range(n):
        acc = y[i] if add_y else 0.0
        for s in range(S):
            acc += h * w[s] * K[s, i]
        out[i] = acc


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rk_row_combine_pair(y, K, bw, be, h, ynew, err):
    """ynew = y + h sum_s bw_s K_s and err = h sum_s be_s K_s in one pass (embedded pairs)."""
    n = ynew.shape[0]
    S = bw.shape[0]
    for i in range(n):
        acc = y[i]
        e = 0.0
        for s in range(S):
            acc += h * bw[s] * K[s, i]
            e += h * be[s] * K[s, i]
        ynew[i] = acc
        err[i] = e


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rk_row_step(mode, t, y, p, A, bw, c, h, K, yt, J):
    """One explicit Runge-Kutta step of one autonomous row y in place (K[0] = f(t, y_old))."""
    _row_rhs(mode, t, y, p, K[0], J)
    rk_row_stages(mode, t, y, p, A, c, h, K, yt, J, 0, 0, _NO_T, _NO_V, _NO_K)
    rk_row_combine(y, K, bw, h, y, True)


_NO_T = np.zeros((0, 1))
_NO_V = np.zeros((0, 1, 1))
_NO_K = np.zeros(0, dtype=np.int64)
