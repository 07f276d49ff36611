"""Minimally augmented defining systems of fold and Hopf curves (bordered matrices).

A fold curve is the set of ``(x, p1, p2)`` with ``f = 0`` and ``g = 0``, where
``g`` is the last component of the solution of the bordered system::

    [ A   b ] [v]   [0]
    [ c^T 0 ] [g] = [1]        A = f_x(x, P)

``g`` vanishes exactly where ``A`` is singular, and is smooth there (Govaerts,
*Numerical Methods for Bifurcations of Dynamical Equilibria*, SIAM 2000, ch. 4;
Govaerts, Kuznetsov & Dhooge, SIAM J. Sci. Comput. 27, 2005). A Hopf curve
uses ``A^2 + kappa I`` (rank deficient by two at a Hopf point with
``kappa = omega^2``, and at a neutral saddle with ``kappa = -lambda^2 < 0``)
bordered by two columns and two rows; the 2 x 2 block ``G`` of the solution
vanishes there, and two of its entries are the two extra equations. The
unknowns are ``(x, p1, p2)`` and ``(x, p1, p2, kappa)``.

Derivatives are exact: ``dg/du = -w^T d(A) v`` with ``w`` the adjoint
solution, and ``d(A) v`` from the generated second-derivative kernels
(``d2`` in the states, ``d2p`` in the parameters). The borders are replaced
by the current null vectors after every accepted step, so the bordered
matrices stay well conditioned along the curve.
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["FoldSystem", "HopfSystem"]


def _null_right(M, k):
    """Orthonormal basis (columns) of the k smallest right singular directions of M."""
    _, _, vh = np.linalg.svd(M)
    return vh[-k:].T.copy()


class FoldSystem:
    """``f(x, P) = 0``, ``g(x, P) = 0``: folds of equilibria in two parameters.

    Parameters
    ----------
    problem : TwoParameterProblem
    u : ndarray of shape (n + 2,)
        A point near the curve; its null vectors become the first borders.
    """

    kind = "fold"

    def __init__(self, problem, u):
        self.problem, self.n = problem, problem.n
        self.m = self.n + 2
        self.set_borders(u)

    def split(self, u):
        return u[:self.n], u[self.n:self.n + 2]

    def set_borders(self, u):
        x, P = self.split(u)
        A = self.problem.jac(x, P)
        self.c = _null_right(A, 1)[:, 0]
        self.b = _null_right(A.T, 1)[:, 0]

    def refresh_borders(self, u):
        """Borders from the current bordered solutions (keeps their orientation)."""
        x, P = self.split(u)
        v, w, _ = self.vectors(self.problem.jac(x, P))
        if np.all(np.isfinite(v)) and np.all(np.isfinite(w)):
            self.c = v / np.linalg.norm(v)
            self.b = w / np.linalg.norm(w)

    def _bordered(self, A):
        n = self.n
        M = np.zeros((n + 1, n + 1))
        M[:n, :n] = A
        M[:n, n] = self.b
        M[n, :n] = self.c
        return M

    def vectors(self, A):
        """``(v, w, g)``: right and adjoint bordered solutions and the test value g."""
        n = self.n
        M = self._bordered(A)
        e = np.zeros(n + 1)
        e[n] = 1.0
        try:
            sv = np.linalg.solve(M, e)
            sw = np.linalg.solve(M.T, e)
        except np.linalg.LinAlgError:
            nan = np.full(n, np.nan)
            return nan, nan, np.nan
        return sv[:n], sw[:n], float(sv[n])

    def residual(self, u):
        x, P = self.split(u)
        _, _, g = self.vectors(self.problem.jac(x, P))
        return np.append(self.problem.f(x, P), g)

    def jacobian(self, u):
        """Exact Jacobian, shape (n + 1, n + 2)."""
        n, pr = self.n, self.problem
        x, P = self.split(u)
        A = pr.jac(x, P)
        v, w, _ = self.vectors(A)
        J = np.empty((n + 1, n + 2))
        J[:n, :n] = A
        J[:n, n:] = pr.jac_p(x, P)
        H, Hp = pr.hessian_along(x, P, v)
        J[n, :n] = -(w @ H)
        J[n, n:] = -(w @ Hp)
        return J


class HopfSystem:
    """``f = 0`` and two entries of ``G`` = 0: Hopf points (kappa > 0) and neutral saddles.

    Parameters
    ----------
    problem : TwoParameterProblem
    u : ndarray of shape (n + 3,)
        ``(x, p1, p2, kappa)`` near the curve (``kappa = omega^2`` at a Hopf point).
    """

    kind = "hopf"

    def __init__(self, problem, u):
        self.problem, self.n = problem, problem.n
        self.m = self.n + 3
        self.pick = ((0, 0), (1, 1))
        self.set_borders(u)

    def split(self, u):
        n = self.n
        return u[:n], u[n:n + 2], float(u[n + 2])

    def _A2(self, A, kappa):
        return A @ A + kappa * np.eye(self.n)

    def set_borders(self, u):
        x, P, kappa = self.split(u)
        M = self._A2(self.problem.jac(x, P), kappa)
        self.C = _null_right(M, 2)
        self.B = _null_right(M.T, 2)

    def refresh_borders(self, u):
        x, P, kappa = self.split(u)
        V, W, _ = self.vectors(self.problem.jac(x, P), kappa)
        if np.all(np.isfinite(V)) and np.all(np.isfinite(W)):
            self.C = np.linalg.qr(V)[0]
            self.B = np.linalg.qr(W)[0]

    def vectors(self, A, kappa):
        """``(V, W, G)``: (n, 2) right and adjoint solutions and the 2 x 2 block G."""
        n = self.n
        M = np.zeros((n + 2, n + 2))
        M[:n, :n] = self._A2(A, kappa)
        M[:n, n:] = self.B
        M[n:, :n] = self.C.T
        E = np.zeros((n + 2, 2))
        E[n:] = np.eye(2)
        try:
            SV = np.linalg.solve(M, E)
            SW = np.linalg.solve(M.T, E)
        except np.linalg.LinAlgError:
            nan = np.full((n, 2), np.nan)
            return nan, nan, np.full((2, 2), np.nan)
        return SV[:n], SW[:n], SV[n:]

    def residual(self, u):
        x, P, kappa = self.split(u)
        _, _, G = self.vectors(self.problem.jac(x, P), kappa)
        return np.concatenate([self.problem.f(x, P), [G[i, j] for i, j in self.pick]])

    def _gradients(self, u, A=None):
        """Gradients (4, n + 3) of the four entries G_ij, ordered (0,0), (0,1), (1,0), (1,1)."""
        n, pr = self.n, self.problem
        x, P, kappa = self.split(u)
        A = pr.jac(x, P) if A is None else A
        V, W, _ = self.vectors(A, kappa)
        dMV = []
        for j in range(2):
            v = V[:, j]
            H1, H1p = pr.hessian_along(x, P, A @ v)      # dA/du (A v)
            H2, H2p = pr.hessian_along(x, P, v)          # dA/du v
            D = np.empty((n, n + 3))
            D[:, :n] = H1 + A @ H2
            D[:, n:n + 2] = H1p + A @ H2p
            D[:, n + 2] = v
            dMV.append(D)
        return np.array([-(W[:, i] @ dMV[j]) for i in range(2) for j in range(2)])

    def jacobian(self, u):
        """Exact Jacobian, shape (n + 2, n + 3)."""
        n, pr = self.n, self.problem
        x, P, kappa = self.split(u)
        A = pr.jac(x, P)
        grads = self._gradients(u, A)
        J = np.zeros((n + 2, n + 3))
        J[:n, :n] = A
        J[:n, n:n + 2] = pr.jac_p(x, P)
        for r, (i, j) in enumerate(self.pick):
            J[n + r] = grads[2 * i + j]
        return J

    def choose_pick(self, u, scale):
        """The two entries of G whose equations make the scaled Jacobian best conditioned."""
        n, pr = self.n, self.problem
        x, P, _ = self.split(u)
        grads = self._gradients(u) * scale
        top = np.zeros((n, n + 3))
        top[:, :n] = pr.jac(x, P)
        top[:, n:n + 2] = pr.jac_p(x, P)
        top *= scale
        best, pick = -1.0, self.pick
        entries = ((0, 0), (0, 1), (1, 0), (1, 1))
        for a, b in itertools.combinations(range(4), 2):
            s = np.linalg.svd(np.vstack([top, grads[[a, b]]]), compute_uv=False)[-1]
            if s > best:
                best, pick = s, (entries[a], entries[b])
        self.pick = pick
        return best
