"""Linear solves of the collocation system by condensation of parameters.

Per mesh interval, the ``(m-1) n`` interior node values are eliminated by
Gaussian elimination with partial pivoting of their columns; what is left couples only the
``N + 1`` mesh-point values, the period and the parameter: a block-bidiagonal
system with a periodic corner and two dense rows (phase and arclength),
solved by a staircase elimination (:mod:`._abd`). This is how AUTO keeps
collocation cheap; the reduced blocks also give the per-interval transfer
matrices for the Floquet multipliers.
"""

from __future__ import annotations

import numpy as np

from ._abd import abd_solve, condense, interior

__all__ = ["CondensedSystem", "reduced_blocks"]


def _layout(col, E, G):
    """Blocks (N, m, m+1, n, n) -> (N, mn, (m+1) n) and G -> (N, mn, 2)."""
    N, m, n = col.N, col.m, col.n
    E = np.ascontiguousarray(E.transpose(0, 1, 3, 2, 4)).reshape(N, m * n, (m + 1) * n)
    return E, np.ascontiguousarray(G.reshape(N, m * n, 2))


def reduced_blocks(col, E):
    """Reduced blocks ``(A_j, B_j)`` with ``A_j x_j + B_j x_{j+1} = 0`` per interval."""
    N, m, n = col.N, col.m, col.n
    mi = (m - 1) * n
    E2, G2 = _layout(col, E, np.zeros((N, m, n, 2)))
    TOP = np.empty((N, mi, mi + 2 * n + 3))
    At, Bt = np.empty((N, n, n)), np.empty((N, n, n))
    ok = condense(E2, G2, np.zeros((N, m * n)), np.zeros((N, 2, mi)), TOP, At, Bt,
                  np.empty((N, n, 2)), np.empty((N, n)), np.empty((N, 2, mi)))
    return (At, Bt) if ok else (None, None)


class CondensedSystem:
    """The Jacobian of the collocation system, ready to solve.

    Parameters
    ----------
    col : Collocation
    E : ndarray (N, m, m+1, n, n)
        Collocation blocks d(res_jk)/d(node_jl).
    G : ndarray (N, m, n, 2)
        Columns of the period and the parameter.
    dense : ndarray (2, size)
        The phase row (zero in the T and p columns) and the arclength row.
    """

    def __init__(self, col, E, G, dense):
        self.col = col
        self.E, self.G = _layout(col, E, G)
        N, m, n = col.N, col.m, col.n
        nodes = dense[:, :col.n_nodes * n].reshape(2, col.n_nodes, n)
        self.Dx = nodes[:, np.arange(N + 1) * m, :]
        inner = (np.arange(N)[:, None] * m + np.arange(1, m)[None, :])
        self.Dw = np.ascontiguousarray(nodes[:, inner, :].reshape(2, N, (m - 1) * n)
                                       .transpose(1, 0, 2))
        self.Dg = dense[:, -2:]
        self.ok = bool(np.all(np.isfinite(self.E)) and np.all(np.isfinite(self.G)))

    def solve(self, rhs):
        """Solve for a right-hand side ordered like the residual (colloc, periodic, dense)."""
        col = self.col
        N, m, n = col.N, col.m, col.n
        mn, mi = m * n, (m - 1) * n
        rc = np.ascontiguousarray(rhs[:N * mn].reshape(N, mn))
        rper = np.ascontiguousarray(rhs[N * mn:N * mn + n])
        rd = rhs[N * mn + n:]
        TOP = np.empty((N, mi, mi + 2 * n + 3))
        At, Bt = np.empty((N, n, n)), np.empty((N, n, n))
        Gt, rb, Y = np.empty((N, n, 2)), np.empty((N, n)), np.empty((N, 2, mi))
        if not condense(self.E, self.G, rc, self.Dw, TOP, At, Bt, Gt, rb, Y):
            return None
        top_A = TOP[:, :, mi:mi + n]
        top_B = TOP[:, :, mi + n:mi + 2 * n]
        top_G = TOP[:, :, mi + 2 * n:mi + 2 * n + 2]
        top_r = TOP[:, :, -1]
        cx = self.Dx.transpose(1, 0, 2).copy()                  # (N+1, 2, n)
        cx[:-1] -= Y @ top_A
        cx[1:] -= Y @ top_B
        cg = self.Dg - np.sum(Y @ top_G, axis=0)
        rdd = rd - np.einsum("jak,jk->a", Y, top_r)
        x = np.empty((N + 1, n))
        g = np.empty(2)
        if not abd_solve(At, Bt, Gt, np.ascontiguousarray(cx), np.ascontiguousarray(cg),
                         rb, rper, rdd, x, g):
            return None
        w = np.empty((N, mi))
        interior(TOP, x, g, w)
        U = np.empty((col.n_nodes, n))
        U[np.arange(N + 1) * m] = x
        U[(np.arange(N)[:, None] * m + np.arange(1, m)[None, :]).ravel()] = \
            w.reshape(N * (m - 1), n)
        out = np.concatenate([U.ravel(), g])
        return out if np.all(np.isfinite(out)) else None
