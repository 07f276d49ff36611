"""Orthogonal collocation of periodic orbits on a mesh of ``ntst`` intervals.

Time is rescaled to ``[0, 1]`` and the period ``T`` is an unknown:
``u'(t) = T f(u(t), p)``. On mesh interval ``j`` (width ``h_j``) the orbit is
the polynomial of degree ``m = ncol`` through ``m + 1`` equally spaced nodes;
the equation holds exactly at the ``m`` Gauss-Legendre points of the interval.
Neighbouring intervals share their end node, so the unknowns are
``N*m + 1`` node values (``U``, shape ``(N*m + 1, n)``), ``T`` and ``p``;
periodicity is ``U[-1] = U[0]``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Collocation"]


def _lagrange(nodes, x):
    """Values and derivatives of the Lagrange basis of ``nodes`` at points ``x``."""
    m1 = len(nodes)
    L = np.ones((len(x), m1))
    D = np.zeros((len(x), m1))
    for l in range(m1):
        others = [r for r in range(m1) if r != l]
        denom = np.prod([nodes[l] - nodes[r] for r in others])
        for r in others:
            L[:, l] *= x - nodes[r]
        for q in others:
            term = np.ones(len(x))
            for r in others:
                if r != q:
                    term = term * (x - nodes[r])
            D[:, l] += term
        L[:, l] /= denom
        D[:, l] /= denom
    return L, D


class Collocation:
    """The discretisation: Gauss points, basis matrices and index patterns.

    Parameters
    ----------
    n : int
        States of the model.
    ntst, ncol : int
        Mesh intervals and collocation points per interval.
    """

    def __init__(self, n, ntst, ncol):
        self.n, self.N, self.m = int(n), int(ntst), int(ncol)
        g, w = np.polynomial.legendre.leggauss(self.m)
        self.sigma = (g + 1) / 2                      # Gauss points in [0, 1]
        self.wq = w / 2                               # their weights (sum 1)
        self.snodes = np.arange(self.m + 1) / self.m  # equally spaced nodes
        self.L, self.D = _lagrange(self.snodes, self.sigma)   # (m, m+1)
        N, m = self.N, self.m
        self.n_nodes = N * m + 1
        self.block = (np.arange(N)[:, None] * m + np.arange(m + 1)[None, :])   # (N, m+1)
        self.size = self.n_nodes * n + 2
        self._pattern()

    # -- sparse pattern of the Jacobian ----------------------------------------------------
    def _pattern(self):
        N, m, n = self.N, self.m, self.n
        j, k, l, a, b = np.meshgrid(np.arange(N), np.arange(m), np.arange(m + 1),
                                    np.arange(n), np.arange(n), indexing="ij")
        self._rc = ((j * m + k) * n + a).ravel()
        self._cc = ((j * m + l) * n + b).ravel()
        jj, kk, aa = np.meshgrid(np.arange(N), np.arange(m), np.arange(n), indexing="ij")
        self._rows_col = ((jj * m + kk) * n + aa).ravel()       # rows of T and p columns
        ncoll = N * m * n
        self.row_per = ncoll
        self.row_phase = ncoll + n
        self.row_arc = ncoll + n + 1
        self.col_T = self.n_nodes * n
        self.col_p = self.col_T + 1

    # -- evaluations -------------------------------------------------------------------------
    def blocks(self, U):
        """Node values per interval, shape (N, m+1, n)."""
        return U[self.block]

    def at_gauss(self, U):
        """Orbit at the collocation points, (N, m, n)."""
        return np.einsum("kl,jln->jkn", self.L, self.blocks(U))

    def slope(self, U):
        """d/dsigma of the orbit at the collocation points (not divided by h), (N, m, n)."""
        return np.einsum("kl,jln->jkn", self.D, self.blocks(U))

    def scatter(self, G):
        """Adjoint of :meth:`at_gauss`: weights at Gauss points (N, m, n) -> nodes."""
        per = np.einsum("kl,jkn->jln", self.L, G)
        out = np.zeros((self.n_nodes, self.n))
        np.add.at(out, self.block, per)
        return out

    def scatter_slope(self, G):
        per = np.einsum("kl,jkn->jln", self.D, G)
        out = np.zeros((self.n_nodes, self.n))
        np.add.at(out, self.block, per)
        return out

    def node_times(self, mesh):
        h = np.diff(mesh)
        t = (mesh[:-1, None] + h[:, None] * self.snodes[None, :-1]).ravel()
        return np.concatenate([t, [mesh[-1]]])

    def evaluate(self, U, mesh, times):
        """The piecewise polynomial at arbitrary times in [0, 1] (periodic), (len, n)."""
        times = np.mod(np.asarray(times, float), 1.0)
        j = np.clip(np.searchsorted(mesh, times, side="right") - 1, 0, self.N - 1)
        s = (times - mesh[j]) / (mesh[j + 1] - mesh[j])
        B = self.blocks(U)[j]                           # (len, m+1, n)
        Ls = np.ones((len(times), self.m + 1))
        for l in range(self.m + 1):
            for r in range(self.m + 1):
                if r != l:
                    Ls[:, l] *= (s - self.snodes[r]) / (self.snodes[l] - self.snodes[r])
        return np.einsum("tl,tln->tn", Ls, B)

    def quad_weights(self, mesh):
        """Quadrature weights h_j w_k of the Gauss points, (N, m)."""
        return np.diff(mesh)[:, None] * self.wq[None, :]

    # -- mesh adaptation -----------------------------------------------------------------------
    def adapted_mesh(self, U, mesh, scale):
        """A mesh equidistributing ``|u^(m)|^(1/m)`` (de Boor), for the orbit ``U``."""
        m = self.m
        B = self.blocks(U) / scale                      # (N, m+1, n)
        # m-th finite difference over the equally spaced nodes = h^m/m^m * u^(m)
        coef = np.array([(-1) ** (m - l) * _binom(m, l) for l in range(m + 1)], float)
        h = np.diff(mesh)
        dm = np.einsum("l,jln->jn", coef, B) / (h[:, None] / m) ** m
        size = np.linalg.norm(dm, axis=1)
        # smooth across neighbours (the derivative is piecewise constant)
        size = np.maximum(size, 0.5 * (np.roll(size, 1) + np.roll(size, -1)))
        dens = size ** (1.0 / (m + 1))
        dens = np.maximum(dens, 0.02 * dens.mean() + 1e-300)
        cum = np.concatenate([[0.0], np.cumsum(dens * h)])
        targets = np.linspace(0.0, cum[-1], self.N + 1)
        new = np.interp(targets, cum, mesh)
        new[0], new[-1] = 0.0, 1.0
        return new

    def remesh(self, U, mesh, new_mesh):
        """Node values of the orbit ``U`` (on ``mesh``) on the nodes of ``new_mesh``."""
        return self.evaluate(U, mesh, self.node_times(new_mesh))

    # -- linear algebra ------------------------------------------------------------------------
    def jacobian_blocks(self, mesh, T, J):
        """Collocation blocks d(residual)/d(nodes), (N, m, m+1, n, n)."""
        h = np.diff(mesh)
        n = self.n
        eye = np.eye(n)
        return (self.D[None, :, :, None, None] * eye[None, None, None]
                - (h[:, None, None, None, None] * T) * self.L[None, :, :, None, None]
                * J[:, :, None, :, :])

    def transfer_matrices(self, mesh, T, J):
        """Per-interval maps x_j -> x_{j+1} of the linearised collocation system, (N, n, n).

        The interior unknowns of each interval are eliminated by a QR
        factorisation of their columns (condensation of parameters).
        """
        from .linsolve import reduced_blocks
        A, B = reduced_blocks(self, self.jacobian_blocks(mesh, T, J))
        if A is None:
            return np.full((self.N, self.n, self.n), np.nan)
        return -np.linalg.solve(B, A)


def _binom(a, b):
    from math import comb
    return comb(a, b)
