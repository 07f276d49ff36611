"""Stable elimination for the condensed collocation system (numba).

The system: for j = 0..N-1, ``A_j x_j + B_j x_{j+1} + G_j g = r_j``; the
periodicity ``x_N - x_0 = r_per``; two dense rows ``sum_j c_j x_j + c_g g = r_d``.
The mesh values ``x_1 .. x_{N-1}`` are eliminated one after the other, each by
a Householder QR of the ``2n x n`` column block it occupies in the carried
relation and the next block row (the "staircase" elimination of almost block
diagonal systems); the dense rows are reduced alongside. What remains, in
``x_0``, ``x_N`` and ``g``, is solved with partial pivoting; back-substitution
recovers the eliminated values. Cost O(N n^3), no fill-in.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from ....compile.cache import load_without_refresh
from ....compile.linalg import householder_reflect, lu_solve

__all__ = ["abd_solve"]


@njit(cache=True, nogil=True, error_model="numpy")
def abd_solve(A, B, G, cx, cg, rb, rper, rd, x, g):
    """Solve the system described in the module docstring; False when singular.

    A, B (N, n, n); G (N, n, 2); cx (N+1, 2, n) dense-row coefficients;
    cg (2, 2); rb (N, n); rper (n,); rd (2,). Results in x (N+1, n), g (2,).
    """
    N, n = A.shape[0], A.shape[1]
    ng = G.shape[2]
    W = 3 * n + ng + 1                      # columns: x_0 | x_j | x_{j+1} | g | rhs
    Rp = np.zeros((N, n, W))                # pivot rows of each eliminated x_j
    car = np.zeros((n, W))                  # carried rows
    S = np.zeros((2 * n, W))
    v = np.empty(2 * n)
    # initial carried relation: block 0 in (x_0, x_1)
    for a in range(n):
        for b in range(n):
            car[a, b] = A[0, a, b]
            car[a, n + b] = B[0, a, b]       # x_1 sits in the "x_j" slot
        for k in range(ng):
            car[a, 3 * n + k] = G[0, a, k]
        car[a, W - 1] = rb[0, a]
    d0 = np.zeros((2, n))                    # dense rows: coef of x_0
    dj = np.zeros((2, n))                    # coef of the current x_j
    dg = np.zeros((2, ng))
    dr = np.zeros(2)
    for r in range(2):
        for b in range(n):
            d0[r, b] = cx[0, r, b]
            dj[r, b] = cx[1, r, b] if N >= 1 else 0.0
        for k in range(ng):
            dg[r, k] = cg[r, k]
        dr[r] = rd[r]
    for j in range(1, N):
        # stack: carried (x_0, x_j, 0, g | q) over block j (0, A_j, B_j, G_j | r_j)
        for a in range(n):
            for c in range(W):
                S[a, c] = car[a, c]
                S[n + a, c] = 0.0
            for b in range(n):
                S[n + a, n + b] = A[j, a, b]
                S[n + a, 2 * n + b] = B[j, a, b]
            for k in range(ng):
                S[n + a, 3 * n + k] = G[j, a, k]
            S[n + a, W - 1] = rb[j, a]
        # Householder QR on the x_j columns (n .. 2n-1)
        for k in range(n):
            if not householder_reflect(S, k, n + k, 2 * n, 0, v):
                return False
        # pivot rows (top n) kept; bottom n rows carried, shifted: x_{j+1} -> x_j slot
        for a in range(n):
            for c in range(W):
                Rp[j, a, c] = S[a, c]
            for b in range(n):
                car[a, b] = S[n + a, b]
                car[a, n + b] = S[n + a, 2 * n + b]
                car[a, 2 * n + b] = 0.0
            for k in range(ng):
                car[a, 3 * n + k] = S[n + a, 3 * n + k]
            car[a, W - 1] = S[n + a, W - 1]
        # dense rows: eliminate x_j with the pivot rows (upper-triangular in x_j)
        for r in range(2):
            y = np.zeros(n)
            # solve y Rjj = dj[r]  (Rjj upper triangular: forward substitution on columns)
            for b in range(n):
                s = dj[r, b]
                for a in range(b):
                    s -= y[a] * S[a, n + b]
                piv = S[b, n + b]
                if piv == 0.0:
                    return False
                y[b] = s / piv
            nxt = np.empty(n)
            for b in range(n):
                acc0 = 0.0
                acc1 = 0.0
                for a in range(n):
                    acc0 += y[a] * S[a, b]
                    acc1 += y[a] * S[a, 2 * n + b]
                d0[r, b] -= acc0
                nxt[b] = cx[j + 1, r, b] - acc1
            for k in range(ng):
                acc = 0.0
                for a in range(n):
                    acc += y[a] * S[a, 3 * n + k]
                dg[r, k] -= acc
            acc = 0.0
            for a in range(n):
                acc += y[a] * S[a, W - 1]
            dr[r] -= acc
            for b in range(n):
                dj[r, b] = nxt[b]
    # final system in (x_0, x_N, g): carried, periodicity, dense
    m = 2 * n + ng
    F = np.zeros((m, m))
    rhs = np.zeros(m)
    for a in range(n):
        for b in range(n):
            F[a, b] = car[a, b]
            F[a, n + b] = car[a, n + b]
        for k in range(ng):
            F[a, 2 * n + k] = car[a, 3 * n + k]
        rhs[a] = car[a, W - 1]
        F[n + a, a] = -1.0
        F[n + a, n + a] = 1.0
        rhs[n + a] = rper[a]
    for r in range(2):
        for b in range(n):
            F[2 * n + r, b] = d0[r, b]
            F[2 * n + r, n + b] = dj[r, b]
        for k in range(ng):
            F[2 * n + r, 2 * n + k] = dg[r, k]
        rhs[2 * n + r] = dr[r]
    sol = np.empty(m)
    if not lu_solve(F, rhs, sol):
        return False
    for b in range(n):
        x[0, b] = sol[b]
        x[N, b] = sol[n + b]
    for k in range(ng):
        g[k] = sol[2 * n + k]
    # back-substitution: x_j from its pivot rows, j = N-1 .. 1
    for j in range(N - 1, 0, -1):
        for a in range(n - 1, -1, -1):
            s = Rp[j, a, W - 1]
            for b in range(n):
                s -= Rp[j, a, b] * x[0, b] + Rp[j, a, 2 * n + b] * x[j + 1, b]
            for k in range(ng):
                s -= Rp[j, a, 3 * n + k] * g[k]
            for b in range(a + 1, n):
                s -= Rp[j, a, n + b] * x[j, b]
            x[j, a] = s / Rp[j, a, n + a]
    for i in range(N + 1):
        for b in range(n):
            if not np.isfinite(x[i, b]):
                return False
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _eliminate(S, mi, mn):
    """Gaussian elimination with partial pivoting of the first ``mi`` columns of the
    ``mn`` rows of ``S`` (rows swapped whole; each update is a contiguous row operation,
    half the work of Householder reflections applied column by column). Returns False
    when a pivot column is zero or not finite."""
    W = S.shape[1]
    for k in range(mi):
        piv = k
        big = abs(S[k, k])
        for i in range(k + 1, mn):
            a = abs(S[i, k])
            if a > big:
                big = a
                piv = i
        if not (big > 0.0 and big < np.inf):
            return False
        if piv != k:
            for c in range(k, W):
                tmp = S[k, c]
                S[k, c] = S[piv, c]
                S[piv, c] = tmp
        d = S[k, k]
        for i in range(k + 1, mn):
            f = S[i, k] / d
            S[i, k] = 0.0
            if f != 0.0:
                for c in range(k + 1, W):
                    S[i, c] -= f * S[k, c]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def condense(E, G, rc, Dw, TOP, At, Bt, Gt, rb, Y):
    """Eliminate the interior unknowns of every mesh interval (Gaussian elimination
    with partial pivoting, as AUTO's condensation of parameters).

    E (N, mn, n + mi + n): columns of the first node, the interior nodes and the
    last node; G (N, mn, 2); rc (N, mn); Dw (N, 2, mi) dense-row coefficients of
    the interior unknowns. Outputs: TOP (N, mi, mi + 2n + 3) the pivot rows
    ``[R | A | B | G | r]``; At, Bt (N, n, n), Gt (N, n, 2), rb (N, n) the
    reduced rows; Y (N, 2, mi) = Dw R^{-1}. Returns False when singular.
    """
    N, mn = E.shape[0], E.shape[1]
    mi = TOP.shape[1]
    n = At.shape[1]
    W = mi + 2 * n + 3
    S = np.empty((mn, W))
    for j in range(N):
        # columns: interior (mi) | first node (n) | last node (n) | T, p | rhs
        for r in range(mn):
            for c in range(mi):
                S[r, c] = E[j, r, n + c]
            for c in range(n):
                S[r, mi + c] = E[j, r, c]
                S[r, mi + n + c] = E[j, r, n + mi + c]
            S[r, mi + 2 * n] = G[j, r, 0]
            S[r, mi + 2 * n + 1] = G[j, r, 1]
            S[r, W - 1] = rc[j, r]
        if not _eliminate(S, mi, mn):
            return False
        for r in range(mi):
            for c in range(W):
                TOP[j, r, c] = S[r, c]
        for r in range(n):
            for c in range(n):
                At[j, r, c] = S[mi + r, mi + c]
                Bt[j, r, c] = S[mi + r, mi + n + c]
            Gt[j, r, 0] = S[mi + r, mi + 2 * n]
            Gt[j, r, 1] = S[mi + r, mi + 2 * n + 1]
            rb[j, r] = S[mi + r, W - 1]
        # Y = Dw R^{-1}: y R = d, R upper triangular
        for a in range(2):
            for b in range(mi):
                s = Dw[j, a, b]
                for q in range(b):
                    s -= Y[j, a, q] * S[q, b]
                if S[b, b] == 0.0:
                    return False
                Y[j, a, b] = s / S[b, b]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def interior(TOP, x, g, w):
    """Back-substitute the interior unknowns w (N, mi) from the pivot rows."""
    N, mi = TOP.shape[0], TOP.shape[1]
    n = x.shape[1]
    W = TOP.shape[2]
    for j in range(N):
        for a in range(mi - 1, -1, -1):
            s = TOP[j, a, W - 1]
            for c in range(n):
                s -= TOP[j, a, mi + c] * x[j, c] + TOP[j, a, mi + n + c] * x[j + 1, c]
            s -= TOP[j, a, mi + 2 * n] * g[0] + TOP[j, a, mi + 2 * n + 1] * g[1]
            for b in range(a + 1, mi):
                s -= TOP[j, a, b] * w[j, b]
            w[j, a] = s / TOP[j, a, a]


# cached machine code loads without numba's compiler refresh (a first compilation
# still goes through the compiler)
load_without_refresh(sys.modules[__name__])
