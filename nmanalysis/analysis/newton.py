"""Newton's method for small dense systems: one system or a batch of them.

The compiled kernels have their own batched Newton (``compile/solvers.py``) for
the equilibria of whole sweeps; this is the one Python-level Newton the
analyses share for everything else (polishing an equilibrium on a branch, the
equilibria of a phase plane, the quasi-steady states of a slice, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NewtonResult", "newton"]


@dataclass
class NewtonResult:
    """Outcome of :func:`newton`.

    Attributes
    ----------
    x : ndarray
        The last iterate, shape of ``x0``.
    converged : bool or ndarray of bool
        Per system.
    iterations : int
        Iterations done (the largest over a batch).
    residual : float or ndarray
        ``max |F|`` at ``x``.
    """

    x: np.ndarray
    converged: object
    iterations: int
    residual: object


def newton(fun, x0, *, tol=1e-12, max_iter=50, residual_tol=None, damped=False):
    """Solve ``F(x) = 0`` by Newton's method; ``fun(x) -> (F, J)``.

    Parameters
    ----------
    fun : callable
        For one system (``x0`` of shape (n,)): ``fun(x)`` gives ``F`` (n,),
        ``J`` (n, n). For a batch (``x0`` of shape (B, n)): ``fun(X, rows)``
        on the rows still iterating (``X`` (k, n), ``rows`` their indices in
        the batch) gives ``F`` (k, n), ``J`` (k, n, n).
    x0 : array_like
        Start, (n,) or (B, n).
    tol : float
        Converged when the step is at most ``tol * (1 + max|x|)``.
    max_iter : int
    residual_tol : float, optional
        Also converged when ``max|F| <= residual_tol * (1 + max|x|)``.
    damped : bool
        Halve the step (down to 1/64) until ``max|F|`` decreases (more robust far
        from a root).

    Returns
    -------
    NewtonResult
        A system whose Jacobian is singular, or whose iterate stops being
        finite, stops there unconverged.

    Examples
    --------
    A batch of two scalar equations, x^2 = 2 and x^2 = 3:

    >>> def f(X, rows):
    ...     c = np.array([2.0, 3.0])[rows]
    ...     return X * X - c[:, None], 2.0 * X[:, :, None]
    >>> r = newton(f, np.array([[1.0], [-3.0]]))
    >>> r.x.ravel().round(12).tolist(), r.converged.tolist()
    ([1.414213562373, -1.732050807569], [True, True])
    >>> r = newton(lambda x: (np.array([x[0] ** 2 - 2.0]), np.array([[2.0 * x[0]]])), [1.0])
    >>> round(float(r.x[0]), 12), bool(r.converged), r.residual < 1e-15
    (1.414213562373, True, True)
    """
    x = np.array(x0, dtype=float)
    single = x.ndim == 1
    X = x[None].copy() if single else x
    B = X.shape[0]
    active = np.ones(B, bool)
    converged = np.zeros(B, bool)
    iterations = 0
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        iterations += 1
        F, J = _eval_at(fun, X[idx], idx, single)
        size = 1.0 + np.max(np.abs(X[idx]), axis=1)
        if residual_tol is not None:
            done = np.max(np.abs(F), axis=1) <= residual_tol * size
            converged[idx[done]] = True
            active[idx[done]] = False
            idx, F, J, size = idx[~done], F[~done], J[~done], size[~done]
        dx, ok = _solve(J, -F)
        active[idx[~ok]] = False
        idx, dx, F, size = idx[ok], dx[ok], F[ok], size[ok]
        lam = np.ones(idx.size)
        Xn = X[idx] + dx
        if damped and idx.size:
            nf = np.max(np.abs(F), axis=1)
            for _ in range(6):
                Fn, _ = _eval_at(fun, Xn, idx, single)
                worse = ~(np.max(np.abs(Fn), axis=1) < (1 - 1e-4 * lam) * nf)
                if not worse.any():
                    break
                lam[worse] *= 0.5
                Xn[worse] = X[idx[worse]] + lam[worse, None] * dx[worse]
        X[idx] = Xn
        finite = np.all(np.isfinite(Xn), axis=1)
        active[idx[~finite]] = False
        small = finite & (np.max(np.abs(lam[:, None] * dx), axis=1) <= tol * size)
        converged[idx[small]] = True
        active[idx[small]] = False
    F, _ = _eval_at(fun, X, np.arange(B), single)
    residual = np.max(np.abs(F), axis=1)
    residual[~np.isfinite(residual)] = np.inf
    if single:
        return NewtonResult(X[0], bool(converged[0]), iterations, float(residual[0]))
    return NewtonResult(X, converged, iterations, residual)


def _eval_at(fun, X, rows, single):
    if single:
        F, J = fun(X[0])
        return np.asarray(F, float)[None], np.asarray(J, float)[None]
    F, J = fun(X, rows)
    return np.asarray(F, float), np.asarray(J, float)


def _solve(J, b):
    """Solve the stacked systems J x = b; (x, ok) with ok False where J is singular."""
    ok = np.all(np.isfinite(J), axis=(1, 2)) & np.all(np.isfinite(b), axis=1)
    x = np.full_like(b, np.nan)
    if ok.any():
        try:
            x[ok] = np.linalg.solve(J[ok], b[ok][..., None])[..., 0]
        except np.linalg.LinAlgError:
            for k in np.flatnonzero(ok):
                try:
                    x[k] = np.linalg.solve(J[k], b[k])
                except np.linalg.LinAlgError:
                    ok[k] = False
    ok &= np.all(np.isfinite(x), axis=1)
    return x, ok
