"""Defining systems of curves of LPC, PD and NS points: collocation plus a bordered condition.

A point of a curve is ``y = [U, T, p1, p2]`` (``U`` the node values of the
orbit on the collocation mesh of :mod:`..periodic.collocation`, shape
``(ntst*ncol + 1, n)``), with ``kappa`` appended on NS curves. The equations
are the periodic boundary-value problem of the one-parameter cycle code
(collocation ``U' = T f(U, p1, p2)`` at the Gauss points, periodicity
``U(1) = U(0)``, an integral phase condition against a reference orbit) and
the minimally augmented conditions of Doedel, Govaerts & Kuznetsov (SIAM J.
Numer. Anal. 41, 2003) and Kuznetsov, Govaerts, Doedel & Dhooge (SIAM J.
Numer. Anal. 43, 2005), written for the discretised operators:

LPC (fold of cycles)
    ``L`` is the Jacobian of (collocation, periodicity, phase) with respect to
    ``(U, T)``, square and singular exactly at a fold of cycles (the Floquet
    multiplier 1 is then double). ``g`` is the last component of the solution
    of ``[[L, b], [c^T, 0]] [v; g] = [0; 1]``.
PD (period doubling)
    ``L`` is the Jacobian of (collocation, ``U(1) + U(0)``) with respect to
    ``U`` alone: the anti-periodic variational problem, singular exactly when
    a multiplier is -1. ``g`` as for LPC.
NS (Neimark-Sacker)
    Two copies ``V1``, ``V2`` of the variational problem on one period with the
    boundary conditions ``V1(1) = V2(0)`` and ``V2(1) - 2 kappa V1(1) + V1(0) =
    0``, i.e. ``(M^2 - 2 kappa M + I) V1(0) = 0`` for the monodromy matrix
    ``M``: the operator loses rank two when ``M`` has the multipliers
    ``exp(+-i theta)`` with ``kappa = cos(theta)`` (and, for ``|kappa| > 1``,
    at a neutral saddle cycle: real multipliers ``mu``, ``1/mu``). It is bordered
    by two columns and two rows; two entries of the 2 x 2 block ``G`` of the
    solution are the two extra equations (the pair that keeps the Jacobian best
    conditioned, chosen at the start of a curve).

The value of ``g`` (or ``G``) is exact for the discretisation. Its gradient is
``g_y = -w^T (d L / d y) v`` with ``w`` the adjoint solution; ``(dL/dy) v``
is the derivative of ``L v``, a directional derivative of the collocation
residual, so ``w^T (dL/dy) v`` is the central difference of the row vector
``w^T J(y +- eps v)`` of the collocation Jacobian ``J`` along ``v``
(second derivatives of the model are never formed). Only the convergence
rate of Newton's method depends on this approximation, never the solution.
The linear systems are assembled sparse and solved by sparse LU.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CycleCurveProblem", "CycleCondition", "CONDITIONS", "factor"]


def _sparse():
    import scipy.sparse as sps
    from scipy.sparse.linalg import splu
    return sps, splu


class CycleCurveProblem:
    """Periodic orbits of ``model`` with the two parameters ``free`` free, by collocation.

    Parameters
    ----------
    model : Model
    free : (str, str)
    params, inputs : dict
        Values of the other parameters (``free[1]`` may be among them: it is
        overwritten by each point's value) and constant inputs.
    ntst, ncol : int
        Mesh intervals and Gauss points per interval.
    scales : ndarray of shape (n_states,)
        Natural sizes of the states. The inner product and the convergence test
        weigh each state by the larger of its size and its range over the
        current orbit (:meth:`rescale`).
    p_scales : (float, float)
        Natural sizes of the two parameters (their ranges).
    """

    def __init__(self, model, free, params=None, inputs=None, ntst=50, ncol=4, scales=None,
                 p_scales=(1.0, 1.0)):
        from ..periodic.problem import CycleProblem

        p1, p2 = free
        others = {k: v for k, v in (params or {}).items() if k != p1}
        self.base = CycleProblem(model, p1, params=others, inputs=inputs, ntst=ntst,
                                 ncol=ncol, scales=scales)
        self.model, self.free, self.n = model, (p1, p2), model.n_states
        self.inputs = dict(inputs or {})
        self.kern = self.base.kern
        self.ip = (model.param_names.index(p1), model.param_names.index(p2))
        self.pvec = self.base.pvec.copy()
        self.S_base = self.base.S_base.copy()
        self.S = self.S_base.copy()
        self.p_scales = np.asarray(p_scales, float)
        self.T_scale = 1.0

    # -- layout ---------------------------------------------------------------------------
    def col_for(self, mesh):
        return self.base.col_for(mesh)

    def n_nodes(self, mesh):
        return self.col_for(mesh).n_nodes

    def split(self, y, mesh):
        """``(U, T, P, extra)`` of a point on ``mesh``."""
        nU = self.n_nodes(mesh) * self.n
        return (y[:nU].reshape(-1, self.n), float(y[nU]), y[nU + 1:nU + 3].copy(),
                y[nU + 3:].copy())

    def pack(self, U, T, P, extra=()):
        return np.concatenate([np.asarray(U, float).ravel(), [T], np.asarray(P, float),
                               np.asarray(extra, float)])

    def scale(self, mesh, n_extra=0):
        """Natural size of every unknown (states, period, parameters, extras)."""
        return np.concatenate([np.tile(self.S, self.n_nodes(mesh)), [self.T_scale],
                               self.p_scales, np.ones(n_extra)])

    def pv(self, P):
        v = self.pvec.copy()
        v[self.ip[0]], v[self.ip[1]] = P[0], P[1]
        return v

    # -- model evaluations ------------------------------------------------------------------
    def evaluate(self, X, P, jac=True):
        """f, f_x and f_p1, f_p2 at the rows of X."""
        X = np.ascontiguousarray(np.reshape(X, (-1, self.n)))
        M = X.shape[0]
        F = np.empty((M, self.n))
        if not jac:
            self.kern.coll_eval(X, self.pv(P), self.ip[0], False, F, np.empty((1, 1, 1)),
                                np.empty((1, 1)))
            return F, None, None
        J = np.empty((M, self.n, self.n))
        JP = np.empty((2, M, self.n))
        pv = self.pv(P)
        self.kern.coll_eval(X, pv, self.ip[0], True, F, J, JP[0])
        self.kern.coll_eval(X, pv, self.ip[1], True, F, np.empty_like(J), JP[1])
        return F, J, JP

    # -- residual and Jacobian -----------------------------------------------------------------
    def residual(self, y, mesh, ref):
        """Collocation (``N m n``), periodicity (``n``) and phase (1) residuals."""
        c = self.col_for(mesh)
        U, T, P, _ = self.split(y, mesh)
        X = c.at_gauss(U)
        F, _, _ = self.evaluate(X, P, jac=False)
        h = np.diff(mesh)
        R = c.slope(U) - (h[:, None, None] * T) * F.reshape(X.shape)
        phase = float(np.sum(c.wq[None, :, None] * X * ref))
        return np.concatenate([R.ravel(), U[-1] - U[0], [phase]])

    def _parts(self, y, mesh):
        c = self.col_for(mesh)
        U, T, P, _ = self.split(y, mesh)
        F, J, JP = self.evaluate(c.at_gauss(U), P)
        N, m, n = c.N, c.m, self.n
        E = c.jacobian_blocks(mesh, T, J.reshape(N, m, n, n))
        h = np.diff(mesh)[:, None, None]
        GT = -(h * F.reshape(N, m, n))
        GP = -(h * T) * JP.reshape(2, N, m, n)
        return c, E, GT, GP

    def jacobian(self, y, mesh, ref):
        """Sparse Jacobian of :meth:`residual` in ``(U, T, p1, p2)``."""
        sps, _ = _sparse()
        c, E, GT, GP = self._parts(y, mesh)
        n, nU = self.n, c.n_nodes * self.n
        a = np.arange(n)
        last = (c.n_nodes - 1) * n
        phase = c.scatter(c.wq[None, :, None] * ref).ravel()
        rc, cc, rg = c.sparse_pattern()
        rows = np.concatenate([rc, rg, rg, rg, c.row_per + a, c.row_per + a,
                               np.full(nU, c.row_phase)])
        cols = np.concatenate([cc, np.full(rg.size, nU), np.full(rg.size, nU + 1),
                               np.full(rg.size, nU + 2),
                               last + a, a, np.arange(nU)])
        data = np.concatenate([E.ravel(), GT.ravel(), GP[0].ravel(), GP[1].ravel(),
                               np.ones(n), -np.ones(n), phase])
        return sps.csc_matrix((data, (rows, cols)), shape=(c.row_phase + 1, nU + 3))

    def colloc_rowT(self, y, mesh, w):
        """``w^T J_c(y)``: the collocation rows of the Jacobian weighed by ``w`` (N m n,)."""
        c, E, GT, GP = self._parts(y, mesh)
        N, m, n = c.N, c.m, self.n
        wr = w.reshape(N, m, n)
        per = np.einsum("jka,jklab->jlb", wr, E)
        out = np.zeros((c.n_nodes, n))
        np.add.at(out, c.block, per)
        return np.concatenate([out.ravel(), [np.sum(wr * GT)], np.einsum("jka,ijka->i", wr,
                                                                           GP)])

    def d_rowT(self, y, mesh, w, v):
        """``d/dy (w^T J_c(y) v)`` by a central difference of :meth:`colloc_rowT` along v.

        ``v`` has the length of ``y`` without extras (``U``, ``T``, ``p1``, ``p2``).
        """
        sc = self.scale(mesh)
        size = float(np.max(np.abs(v) / sc))
        if size == 0:
            return np.zeros(v.size)
        eps = 1e-6 / size
        yy = y[:v.size]
        return (self.colloc_rowT(yy + eps * v, mesh, w)
                - self.colloc_rowT(yy - eps * v, mesh, w)) / (2 * eps)

    # -- inner product ------------------------------------------------------------------------
    def grad(self, v, mesh):
        """Row ``g`` with ``g @ a = <a, v>``: L2 over the period of the orbit part (states
        weighed by ``1/S^2``), the period and parameters by their scales, extras as is."""
        c = self.col_for(mesh)
        U, T, P, extra = self.split(v, mesh)
        G = c.at_gauss(U) * c.quad_weights(mesh)[:, :, None] / self.S ** 2
        return np.concatenate([c.scatter(G).ravel(), [T / self.T_scale ** 2],
                               P / self.p_scales ** 2, extra])

    def norm(self, v, mesh):
        return float(np.sqrt(max(self.grad(v, mesh) @ v, 0.0)))

    # -- orbit data ------------------------------------------------------------------------------
    def multipliers(self, y, mesh, Q0=None):
        """Floquet multipliers (periodic QR of the collocation transfer matrices)."""
        from ..periodic.floquet import floquet_multipliers
        c = self.col_for(mesh)
        U, T, P, _ = self.split(y, mesh)
        _, J, _ = self.evaluate(c.at_gauss(U), P)
        Ts = c.transfer_matrices(mesh, T, J.reshape(c.N, c.m, self.n, self.n))
        if not np.all(np.isfinite(Ts)):
            return np.full(self.n, np.nan + 0j), Q0
        return floquet_multipliers(Ts, Q0)

    def rescale(self, y, mesh):
        """Weigh the states by the orbit's range (at least their natural sizes), as the
        one-parameter code does: the steps then follow the parameters, not the orbit's
        shape, when some states swing over far more than their declared box."""
        U = self.split(y, mesh)[0]
        self.S = np.maximum(self.S_base, U.max(0) - U.min(0))

    def remesh(self, y, mesh, new_mesh):
        U, T, P, extra = self.split(y, mesh)
        return self.pack(self.col_for(mesh).remesh(U, mesh, new_mesh), T, P, extra)


# -- the bordered conditions ----------------------------------------------------------------------
def factor(M):
    """Sparse LU of M (SuperLU; minimum-degree ordering on the structure of A^T + A,
    which keeps the fill of the almost block diagonal collocation matrices with their
    few dense rows and columns about three times lower than the default ordering)."""
    _, splu = _sparse()
    return splu(M.tocsc(), permc_spec="MMD_AT_PLUS_A")


def _lu(M):
    try:
        return factor(M)
    except RuntimeError:                       # exactly singular
        return None


def _null_guess(L, k, rng_seed=0):
    """Right and left approximate null spaces (K, k) of the sparse square L by inverse
    (subspace) iteration; a tiny shift keeps an exactly singular L factorisable."""
    sps, _ = _sparse()
    K = L.shape[0]
    lu = _lu(L)
    if lu is None:
        shift = 1e-12 * max(1.0, float(abs(L).max()))
        lu = _lu(L + shift * sps.identity(K, format="csc"))
        if lu is None:
            raise np.linalg.LinAlgError("singular collocation operator")
    rng = np.random.default_rng(rng_seed)
    out = []
    for trans in ("N", "T"):
        X = np.linalg.qr(rng.standard_normal((K, k)))[0]
        for _ in range(4):
            X = lu.solve(X, trans=trans)
            if not np.all(np.isfinite(X)):
                raise np.linalg.LinAlgError("inverse iteration failed")
            X = np.linalg.qr(X)[0]
        out.append(X)
    return out[0], out[1]


class CycleCondition:
    """The bordered condition of one kind of curve (``"lpc"``, ``"pd"`` or ``"ns"``).

    Methods take the point ``y`` and the residual Jacobian ``JR`` of
    :meth:`CycleCurveProblem.jacobian` at it.
    """

    def __init__(self, kind, problem):
        self.kind, self.pb = kind, problem
        self.k = 2 if kind == "ns" else 1         # rank defect / border width
        self.n_extra = 1 if kind == "ns" else 0
        self.n_eq = self.k
        self.pick = ((0, 0), (1, 1))
        self.B = self.C = None

    # operator ---------------------------------------------------------------------------------
    def operator(self, y, mesh, JR):
        sps, _ = _sparse()
        pb = self.pb
        c = pb.col_for(mesh)
        n, nU, nc = pb.n, c.n_nodes * pb.n, c.row_per
        a = np.arange(n)
        last = (c.n_nodes - 1) * n
        if self.kind == "lpc":
            return JR[:, :nU + 1]
        Jc = JR[:nc, :nU]
        if self.kind == "pd":
            anti = sps.csc_matrix((np.ones(2 * n), (np.concatenate([a, a]),
                                                    np.concatenate([last + a, a]))),
                                  shape=(n, nU))
            return sps.vstack([Jc, anti]).tocsc()
        kappa = float(y[-1])
        r = np.concatenate([a, a, n + a, n + a, n + a])
        cl = np.concatenate([last + a, nU + a, nU + last + a, last + a, a])
        d = np.concatenate([np.ones(n), -np.ones(n), np.ones(n), np.full(n, -2 * kappa),
                            np.ones(n)])
        bc = sps.csc_matrix((d, (r, cl)), shape=(2 * n, 2 * nU))
        return sps.vstack([sps.block_diag([Jc, Jc]), bc]).tocsc()

    def set_borders(self, y, mesh, JR=None):
        """Borders from the approximate null spaces of the operator at ``y``."""
        JR = self.pb.jacobian(y, mesh, self._ref(y, mesh)) if JR is None else JR
        C, B = _null_guess(self.operator(y, mesh, JR), self.k)
        self.C, self.B = C, B

    def _ref(self, y, mesh):
        U = self.pb.split(y, mesh)[0]
        return self.pb.col_for(mesh).slope(U)

    def solve(self, y, mesh, JR):
        """``(V, W, G)``: right and adjoint bordered solutions and the k x k block."""
        sps, _ = _sparse()
        L = self.operator(y, mesh, JR)
        K, k = L.shape[0], self.k
        M = sps.bmat([[L, sps.csc_matrix(self.B)], [sps.csc_matrix(self.C.T), None]])
        lu = _lu(M)
        if lu is None:
            raise np.linalg.LinAlgError("singular bordered matrix")
        rhs = np.zeros((K + k, k))
        rhs[K:] = np.eye(k)
        SV = lu.solve(rhs)
        SW = lu.solve(rhs, trans="T")
        if not (np.all(np.isfinite(SV)) and np.all(np.isfinite(SW))):
            raise np.linalg.LinAlgError("bordered solve failed")
        return SV[:K], SW[:K], SV[K:]

    def refresh_borders(self, V, W):
        """New borders from the current bordered solutions (they keep their orientation)."""
        if self.k == 1:
            self.C = V / np.linalg.norm(V)
            self.B = W / np.linalg.norm(W)
        else:
            self.C = np.linalg.qr(V)[0]
            self.B = np.linalg.qr(W)[0]

    # gradients ----------------------------------------------------------------------------------
    def _entry_gradients(self, y, mesh, V, W, entries):
        pb = self.pb
        c = pb.col_for(mesh)
        n, nU, nc = pb.n, c.n_nodes * pb.n, c.row_per
        m0 = nU + 3
        out = []
        for i, j in entries:
            g = np.zeros(y.size)
            if self.kind == "lpc":
                v = np.concatenate([V[:nU + 1, j], [0.0, 0.0]])
                g[:m0] = -pb.d_rowT(y, mesh, W[:nc, i], v)
            elif self.kind == "pd":
                v = np.concatenate([V[:, j], [0.0, 0.0, 0.0]])
                g[:m0] = -pb.d_rowT(y, mesh, W[:nc, i], v)
            else:
                v1 = np.concatenate([V[:nU, j], [0.0, 0.0, 0.0]])
                v2 = np.concatenate([V[nU:, j], [0.0, 0.0, 0.0]])
                g[:m0] = -(pb.d_rowT(y, mesh, W[:nc, i], v1)
                           + pb.d_rowT(y, mesh, W[nc:2 * nc, i], v2))
                wb = W[2 * nc + n:2 * nc + 2 * n, i]
                g[m0] = 2.0 * float(wb @ V[nU - n:nU, j])
            out.append(g)
        return np.array(out)

    def equations(self, y, mesh, JR):
        """``(values (n_eq,), gradients (n_eq, len(y)), V, W)``."""
        V, W, G = self.solve(y, mesh, JR)
        entries = ((0, 0),) if self.k == 1 else self.pick
        vals = np.array([G[i, j] for i, j in entries])
        return vals, self._entry_gradients(y, mesh, V, W, entries), V, W

    def choose_pick(self, y, mesh, JR, scale):
        """The two entries of G (NS) whose equations make the Jacobian best conditioned.

        The four gradients are restricted to the tangent space of the periodic
        problem (the three-dimensional null space of ``JR`` extended by the
        ``kappa`` column, found by one sparse solve with the rows of ``p1``,
        ``p2`` and ``kappa`` appended); the pair whose 2 x 3 restriction has the
        largest smallest singular value (in scaled coordinates) is kept.
        """
        if self.k == 1:
            return
        import itertools
        sps, _ = _sparse()
        V, W, _ = self.solve(y, mesh, JR)
        entries = ((0, 0), (0, 1), (1, 0), (1, 1))
        grads = self._entry_gradients(y, mesh, V, W, entries)
        m = y.size
        JRk = sps.hstack([JR, sps.csc_matrix((JR.shape[0], m - JR.shape[1]))])
        E = sps.csr_matrix((np.ones(3), (np.arange(3), [m - 3, m - 2, m - 1])), shape=(3, m))
        lu = _lu(sps.vstack([JRk, E]))
        if lu is None:
            return
        rhs = np.zeros((m, 3))
        rhs[-3:] = np.eye(3)
        Nb = lu.solve(rhs) / scale[:, None]
        Nb = np.linalg.qr(Nb)[0] * scale[:, None]
        P = grads @ Nb
        best, pick = -1.0, self.pick
        for a, b in itertools.combinations(range(4), 2):
            s = np.linalg.svd(P[[a, b]], compute_uv=False)[-1]
            if s > best:
                best, pick = s, (entries[a], entries[b])
        self.pick = pick


CONDITIONS = ("lpc", "pd", "ns")
