"""Small dense linear algebra in numba, shared by the compiled kernels and the solvers.

An ordinary module (not a kernel template): the generated kernel modules
import it, so its text is part of their cache key (see ``system.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["lu_solve", "householder_reflect"]


@njit(cache=True, nogil=True, error_model="numpy")
def lu_solve(A, b, x):
    """Solve A x = b by LU with partial pivoting (A and b are overwritten).

    Returns False when a pivot is zero or not finite (singular matrix).
    """
    n = A.shape[0]
    scale = 0.0
    for i in range(n):
        for j in range(n):
            scale = max(scale, abs(A[i, j]))
    if not (scale > 0.0 and scale < np.inf):
        return False
    for k in range(n):
        piv = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                piv = i
        if not (big > 1e-300 * scale):
            return False
        if piv != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[piv, j]
                A[piv, j] = tmp
            tmp = b[k]
            b[k] = b[piv]
            b[piv] = tmp
        for i in range(k + 1, n):
            f = A[i, k] / A[k, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
                b[i] -= f * b[k]
    for i in range(n - 1, -1, -1):
        acc = b[i]
        for j in range(i + 1, n):
            acc -= A[i, j] * x[j]
        x[i] = acc / A[i, i]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def householder_reflect(S, k, col, nrows, c0, v):
    """Householder reflection zeroing ``S[k+1:nrows, col]``, applied to columns ``c0:``.

    Returns False when the column is zero from row ``k`` down (singular block).
    """
    norm = 0.0
    for i in range(k, nrows):
        norm += S[i, col] * S[i, col]
    norm = np.sqrt(norm)
    if norm == 0.0:
        return False
    alpha = -norm if S[k, col] >= 0 else norm
    for i in range(k, nrows):
        v[i] = S[i, col]
    v[k] -= alpha
    vv = 0.0
    for i in range(k, nrows):
        vv += v[i] * v[i]
    if vv == 0.0:
        return True
    for c in range(c0, S.shape[1]):
        s = 0.0
        for i in range(k, nrows):
            s += v[i] * S[i, c]
        s *= 2.0 / vv
        if s != 0.0:
            for i in range(k, nrows):
                S[i, c] -= s * v[i]
    return True
