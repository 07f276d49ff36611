"""Linear solves of the collocation system by condensation of parameters.

Per mesh interval, the ``(m-1) n`` interior node values are eliminated with a
QR factorisation of their columns (all intervals at once, batched); what is
left couples only the ``N + 1`` mesh-point values, the period and the
parameter: a block-bidiagonal system with a periodic corner and two dense
rows (phase and arclength), solved by a staircase elimination
(:mod:`._abd`). This is how AUTO keeps collocation cheap; it also hands over
the per-interval transfer matrices for the Floquet multipliers.
"""

from __future__ import annotations

import numpy as np

from ._abd import abd_solve

__all__ = ["CondensedSystem"]


class CondensedSystem:
    """Factorised Jacobian of the collocation system.

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
        N, m, n = col.N, col.m, col.n
        self.col = col
        mn, mi = m * n, (m - 1) * n
        E = E.transpose(0, 1, 3, 2, 4).reshape(N, mn, (m + 1) * n)
        G = G.reshape(N, mn, 2)
        Q, Rfull = np.linalg.qr(E[:, :, n:n + mi], mode="complete")
        self.Q = Q
        R = Rfull[:, :mi, :]
        QE = np.einsum("jrk,jrc->jkc", Q, E)
        QG = np.einsum("jrk,jrc->jkc", Q, G)
        self.R = R
        self.topA, self.topB, self.topG = QE[:, :mi, :n], QE[:, :mi, n + mi:], QG[:, :mi]
        At, Bt, Gt = QE[:, mi:, :n], QE[:, mi:, n + mi:], QG[:, mi:]
        At, Bt, Gt = (np.ascontiguousarray(a) for a in (At, Bt, Gt))
        self.At, self.Bt = At, Bt
        # dense rows split into mesh-point, interior and (T, p) parts
        nodes = dense[:, :col.n_nodes * n].reshape(2, col.n_nodes, n)
        mesh_idx = np.arange(N + 1) * m
        inner_idx = (np.arange(N)[:, None] * m + np.arange(1, m)[None, :])
        Dx = nodes[:, mesh_idx, :]                              # (2, N+1, n)
        Dw = nodes[:, inner_idx, :].reshape(2, N, mi)           # (2, N, mi)
        Dg = dense[:, -2:]                                      # (2, 2)
        # Y_j = Dw_j R_j^{-1}  (2 x mi per interval)
        Y = np.linalg.solve(np.transpose(R, (0, 2, 1)), np.transpose(Dw, (1, 2, 0)))
        self.Y = np.transpose(Y, (0, 2, 1))                     # (N, 2, mi)
        cx = Dx.transpose(1, 0, 2).copy()                       # (N+1, 2, n)
        cx[:-1] -= np.einsum("jak,jkc->jac", self.Y, self.topA)
        cx[1:] -= np.einsum("jak,jkc->jac", self.Y, self.topB)
        cg = Dg - np.einsum("jak,jkc->ac", self.Y, self.topG)
        self.Gt, self.cx, self.cg = Gt, np.ascontiguousarray(cx), np.ascontiguousarray(cg)
        self.ok = bool(np.all(np.isfinite(QE)) and np.all(np.isfinite(self.Y)))

    def transfer_matrices(self):
        """x_{j+1} = T_j x_j of the homogeneous linearised system, (N, n, n)."""
        return -np.linalg.solve(self.Bt, self.At)

    def solve(self, rhs):
        """Solve for a right-hand side ordered like the residual (colloc, periodic, dense)."""
        col = self.col
        N, m, n = col.N, col.m, col.n
        mn, mi = m * n, (m - 1) * n
        rc = rhs[:N * mn].reshape(N, m, n).reshape(N, mn)
        rper = rhs[N * mn:N * mn + n]
        rd = rhs[N * mn + n:]
        Qr = np.einsum("jrk,jr->jk", self.Q, rc)
        top, bot = Qr[:, :mi], Qr[:, mi:]
        x = np.empty((N + 1, n))
        g = np.empty(2)
        ok = abd_solve(self.At, self.Bt, self.Gt, self.cx, self.cg,
                       np.ascontiguousarray(bot), np.ascontiguousarray(rper),
                       rd - np.einsum("jak,jk->a", self.Y, top), x, g)
        if not ok:
            return None
        w = np.linalg.solve(self.R, (top - np.einsum("jkc,jc->jk", self.topA, x[:-1])
                                     - np.einsum("jkc,jc->jk", self.topB, x[1:])
                                     - self.topG @ g)[..., None])[..., 0]
        U = np.empty((col.n_nodes, n))
        U[np.arange(N + 1) * m] = x
        U[(np.arange(N)[:, None] * m + np.arange(1, m)[None, :]).ravel()] = \
            w.reshape(N * (m - 1), n)
        out = np.concatenate([U.ravel(), g])
        return out if np.all(np.isfinite(out)) else None
