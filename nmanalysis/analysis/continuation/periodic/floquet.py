"""Floquet multipliers from the per-interval transfer matrices, without forming their product.

The monodromy matrix ``M = T_{N-1} ... T_0`` of a stiff orbit has multipliers
spanning thirty orders of magnitude; multiplying the blocks out loses every
multiplier below ``1e-16 |M|``. Instead, orthogonal (subspace) iteration on the
product, one QR factorisation per block (a periodic QR sweep), brings
``Q_0^T M Q_0`` to block upper-triangular form ``D R`` with ``R = R_{N-1} ...
R_0`` upper triangular: a multiplier alone in its diagonal block is the
product of the diagonal entries of the ``R_j`` (accurate to a relative
``N * eps`` however small), and a block of multipliers of (nearly) equal
modulus (a complex pair, or two multipliers near 1 at a fold of cycles) gets
the eigenvalues of its small block product.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from ....compile.cache import load_without_refresh
from ....compile.linalg import householder_reflect

__all__ = ["floquet_multipliers"]


@njit(cache=True, nogil=True, error_model="numpy")
def _qr_pos(A, Q, R):
    """Householder QR of the square A with diag(R) >= 0 (A is overwritten)."""
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            Q[i, j] = 1.0 if i == j else 0.0
    v = np.empty(n)
    for k in range(n - 1):
        if not householder_reflect(A, k, k, n, 0, v):    # A <- H A
            continue
        vv = 0.0
        for i in range(k, n):
            vv += v[i] * v[i]
        if vv == 0.0:
            continue
        for i in range(n):                       # Q <- Q H
            s = 0.0
            for j in range(k, n):
                s += Q[i, j] * v[j]
            s *= 2.0 / vv
            for j in range(k, n):
                Q[i, j] -= s * v[j]
    for i in range(n):
        for j in range(n):
            R[i, j] = A[i, j] if j >= i else 0.0
    for i in range(n):                           # make the diagonal non-negative
        if R[i, i] < 0:
            for j in range(n):
                R[i, j] = -R[i, j]
                Q[j, i] = -Q[j, i]


@njit(cache=True, nogil=True, error_model="numpy")
def _sweep(Ts, Q0, Rs, Qout):
    """One periodic QR sweep: T_j Q_j = Q_{j+1} R_j for j = 0..N-1."""
    N, n = Ts.shape[0], Ts.shape[1]
    Q = Q0.copy()
    A = np.empty((n, n))
    Qn = np.empty((n, n))
    for j in range(N):
        for a in range(n):
            for b in range(n):
                s = 0.0
                for c in range(n):
                    s += Ts[j, a, c] * Q[c, b]
                A[a, b] = s
        _qr_pos(A, Qn, Rs[j])
        Q[:, :] = Qn
    Qout[:, :] = Q


def _blocks(D, tol):
    """Diagonal blocks of D where everything below them is negligible."""
    n = D.shape[0]
    cuts = [0]
    for i in range(1, n):
        if np.max(np.abs(D[i:, :i])) <= tol:
            cuts.append(i)
    cuts.append(n)
    return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]


def floquet_multipliers(Ts, Q0=None, max_sweeps=40, tol=1e-13):
    """Multipliers of the product ``Ts[N-1] @ ... @ Ts[0]`` and the basis to reuse.

    Parameters
    ----------
    Ts : ndarray, shape (N, n, n)
        Transfer matrices of the mesh intervals.
    Q0 : ndarray, optional
        Starting orthonormal basis (the one returned for a nearby orbit
        converges in one or two sweeps).

    Returns
    -------
    mu : ndarray (complex), shape (n,)
        Multipliers by decreasing modulus.
    Q : ndarray
        Converged basis.
    """
    Ts = np.ascontiguousarray(Ts, dtype=float)
    N, n = Ts.shape[0], Ts.shape[1]
    Q = np.eye(n) if Q0 is None else np.ascontiguousarray(Q0, dtype=float)
    Rs = np.empty((N, n, n))
    Qn = np.empty((n, n))
    prev = None
    for _ in range(max_sweeps):
        _sweep(Ts, Q, Rs, Qn)
        D = Q.T @ Qn
        low = np.abs(np.tril(D, -1))
        Q = Qn.copy()
        key = low.max() if n > 1 else 0.0
        if key <= tol:
            break
        # stop once the structure no longer improves (clusters of equal moduli)
        if prev is not None and key > 0.9 * prev:
            blocks = _blocks(D, tol)
            if all(b - a <= 2 for a, b in blocks) or key > 0.99 * prev:
                break
        prev = key
    blocks = _blocks(D, max(tol, 1e-10))
    mu = []
    for a, b in blocks:
        if b - a == 1:
            logs = np.sum(np.log(np.abs(Rs[:, a, a])))
            sign = np.sign(D[a, a]) * np.prod(np.sign(Rs[:, a, a]))
            with np.errstate(over="ignore", under="ignore"):
                mu.append(complex(sign * np.exp(logs)))
        else:
            P = np.eye(b - a)
            logscale = 0.0
            for j in range(N):
                P = Rs[j, a:b, a:b] @ P
                s = np.max(np.abs(P))
                if s > 0:
                    P /= s
                    logscale += np.log(s)
            ev = np.linalg.eigvals(D[a:b, a:b] @ P)
            with np.errstate(over="ignore", under="ignore"):
                mu.extend((ev * np.exp(logscale)).tolist())
    mu = np.array(mu, complex)
    order = np.argsort(-np.abs(mu), kind="stable")
    return mu[order], Q


# cached machine code loads without numba's compiler refresh (a first compilation
# still goes through the compiler)
load_without_refresh(sys.modules[__name__])
