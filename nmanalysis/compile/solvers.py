# Batched root finding: this file is a TEMPLATE, never imported by itself.
#
# Like drivers.py, its text is appended to every generated kernel module, where
# rhs and jac are defined (see system.py for why). All functions release the
# GIL and work on a range [start, stop) of columns, so callers can run disjoint
# ranges in parallel threads.

from nmanalysis.compile.linalg import lu_solve


@njit(cache=True, nogil=True, error_model="numpy")
def _max_abs(v):
    m = 0.0
    for i in range(v.shape[0]):
        a = abs(v[i])
        if not (a <= m):
            m = a if a == a else np.inf
    return m


@njit(cache=True, nogil=True, error_model="numpy")
def newton_batch(X, P, rows, tol, max_iter, start, stop, CONV, RES, NIT):
    """Damped Newton on f(x) = 0 for columns [start, stop) of X (overwritten).

    Column k uses the parameter vector P[:, rows[k]]. The step is halved until
    the max-norm of f decreases (Armijo-like); a column converges when
    max|f_i| <= tol or when a full Newton step is below 1e-14 (1 + max|x|)
    (machine precision for badly scaled f). CONV: 1 converged, 0 not, -1
    singular Jacobian / non-finite values. RES: final max|f|. NIT: iterations used.
    """
    n = X.shape[0]
    x = np.empty(n)
    xn = np.empty(n)
    f = np.empty(n)
    fn = np.empty(n)
    J = np.empty((n, n))
    dx = np.empty(n)
    rhs_buf = np.empty(n)
    for k in range(start, stop):
        p = P[:, rows[k]].copy()
        for i in range(n):
            x[i] = X[i, k]
        rhs(0.0, x, p, f)
        norm = _max_abs(f)
        status = 0
        it = 0
        while it < max_iter:
            if norm <= tol:
                status = 1
                break
            jac(0.0, x, p, J)
            for i in range(n):
                rhs_buf[i] = -f[i]
            if not lu_solve(J, rhs_buf, dx):
                status = -1
                break
            lam = 1.0
            accepted = False
            while lam >= 1.0 / 1024.0:
                for i in range(n):
                    xn[i] = x[i] + lam * dx[i]
                rhs(0.0, xn, p, fn)
                nn = _max_abs(fn)
                if nn < (1.0 - 1e-4 * lam) * norm or nn <= tol:
                    accepted = True
                    break
                lam *= 0.5
            it += 1
            if accepted and lam == 1.0:
                # a full Newton step at rounding level: converged to machine precision
                step = 0.0
                xs = 0.0
                for i in range(n):
                    step = max(step, abs(dx[i]))
                    xs = max(xs, abs(x[i]))
                if step <= 1e-14 * (1.0 + xs):
                    for i in range(n):
                        x[i] = xn[i]
                        f[i] = fn[i]
                    norm = nn
                    status = 1
                    break
            if not accepted:
                # take the full step anyway once: Newton may need to climb out
                for i in range(n):
                    xn[i] = x[i] + dx[i]
                rhs(0.0, xn, p, fn)
                nn = _max_abs(fn)
                if not (nn < np.inf):
                    status = -1
                    break
            for i in range(n):
                x[i] = xn[i]
                f[i] = fn[i]
            norm = nn
        if status == 0 and norm <= tol:
            status = 1
        for i in range(n):
            X[i, k] = x[i]
        CONV[k] = status
        RES[k] = norm
        NIT[k] = it


@njit(cache=True, nogil=True, error_model="numpy")
def jac_batch(X, P, rows, start, stop, OUT):
    """Jacobians at columns [start, stop) of X into OUT[k] (n x n)."""
    n = X.shape[0]
    x = np.empty(n)
    for k in range(start, stop):
        p = P[:, rows[k]].copy()
        for i in range(n):
            x[i] = X[i, k]
        jac(0.0, x, p, OUT[k])


@njit(cache=True, nogil=True, error_model="numpy")
def rhs_batch(X, P, rows, start, stop, OUT):
    """Right-hand sides at columns [start, stop) of X into OUT[:, k]."""
    n = X.shape[0]
    x = np.empty(n)
    out = np.empty(n)
    for k in range(start, stop):
        p = P[:, rows[k]].copy()
        for i in range(n):
            x[i] = X[i, k]
        rhs(0.0, x, p, out)
        for i in range(n):
            OUT[i, k] = out[i]
