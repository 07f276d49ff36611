# Kernel template (collocation): never imported by itself.
#
# Appended, after the model's kernels and solvers.py, to the module built by
# CompiledSystem.extension("collocation.py"). Evaluates the model at the many
# points of a periodic-orbit collocation mesh in one call.


@njit(cache=True, nogil=True, error_model="numpy")
def coll_eval(X, p, ip, want_jac, F, J, JP):
    """f at the rows of X (m, n) into F; with want_jac also J (m, n, n) and df/dp[ip] into JP."""
    m = X.shape[0]
    n = X.shape[1]
    x = np.empty(n)
    out = np.empty(n)
    jp = np.empty((n, max(N_PARAMS, 1)))
    for k in range(m):
        for i in range(n):
            x[i] = X[k, i]
        rhs(0.0, x, p, out)
        for i in range(n):
            F[k, i] = out[i]
        if want_jac:
            jac(0.0, x, p, J[k])
            jac_p(0.0, x, p, jp)
            for i in range(n):
                JP[k, i] = jp[i, ip]


@njit(cache=True, nogil=True, error_model="numpy")
def obs_eval(X, p, OUT):
    """Observables at the rows of X (m, n) into OUT (m, n_obs)."""
    m = X.shape[0]
    n = X.shape[1]
    x = np.empty(n)
    out = np.empty(max(N_OBSERVABLES, 1))
    for k in range(m):
        for i in range(n):
            x[i] = X[k, i]
        observables(0.0, x, p, out)
        for i in range(N_OBSERVABLES):
            OUT[k, i] = out[i]
