"""The periodic-orbit boundary-value problem of a model, discretised by collocation."""

from __future__ import annotations

import numpy as np

from ...._checks import check_names
from ....errors import OptionsError, ResourceError
from ....integrate.sizing import check_memory
from ..problem import check_free_parameter
from .collocation import Collocation
from .floquet import floquet_multipliers
from .linsolve import CondensedSystem

__all__ = ["CycleProblem"]


class CycleProblem:
    """Periodic orbits ``u' = T f(u, p)`` on ``[0, 1]`` of a model, one free parameter.

    Parameters
    ----------
    model : Model
    param : str
        The free parameter.
    params, inputs : dict, optional
        Values of the other parameters / constant inputs.
    ntst, ncol : int
        Mesh intervals and Gauss points per interval.
    scales : array (n_states,), optional
        Natural sizes of the states (inner products weigh state ``i`` by
        ``1/scales[i]**2``); default 1.

    A point is the vector ``z = [U.ravel(), T, p]`` with ``U`` the node values
    (shape ``(ntst*ncol + 1, n)``) on a mesh of ``[0, 1]``.
    """

    def __init__(self, model, param, params=None, inputs=None, ntst=50, ncol=4, scales=None,
                 p_scale=1.0, T_scale=1.0):
        from ....compile import compile_model
        check_free_parameter(model, param, "continuation of periodic orbits")
        if int(ntst) < 4 or int(ncol) < 2 or int(ncol) > 7:
            raise OptionsError(f"need ntst >= 4 and 2 <= ncol <= 7; got ntst={ntst}, "
                               f"ncol={ncol}")
        _check_size(model.n_states, ntst, ncol)
        params = check_names(params, model.param_names, "params")
        inputs = check_names(inputs, model.input_names, "inputs")
        self.model, self.param = model, param
        self.system = compile_model(model)
        self.kern = self.system.extension("collocation.py")
        self.n = model.n_states
        self.ip = model.param_names.index(param)
        self.pvec = self.system.parameter_vector(
            {k: v for k, v in params.items() if k != param}, inputs,
            {**model.params, **model.inputs})
        self.fixed = {k: float(self.pvec[i]) for i, k in enumerate(model.param_names)
                      if k != param}
        self.col = Collocation(self.n, ntst, ncol)
        self._cols = {self.col.N: self.col}
        self.S = np.ones(self.n) if scales is None else np.asarray(scales, float)
        self.S_base = self.S.copy()
        self.p_scale, self.T_scale = float(p_scale), float(T_scale)

    # -- discretisations ------------------------------------------------------------------
    def col_for(self, mesh):
        """The :class:`Collocation` of a mesh (its number of intervals; ``ncol`` fixed).

        ``mesh`` may also be the number of intervals. The mesh can be refined
        along a branch, so points of one branch may differ in ``ntst``.
        """
        N = int(mesh) if np.ndim(mesh) == 0 else len(mesh) - 1
        col = self._cols.get(N)
        if col is None:
            col = self._cols[N] = Collocation(self.n, N, self.col.m)
        return col

    def fits(self, ntst):
        """Whether a mesh of ``ntst`` intervals fits in memory (see the constructor)."""
        try:
            _check_size(self.n, ntst, self.col.m)
        except ResourceError:
            return False
        return True

    def on_mesh(self, z, mesh, new_mesh, *more):
        """The point ``z`` (orbit on ``mesh``) with its orbit on ``new_mesh``.

        Further points on the same mesh (e.g. the tangent) are moved with it in
        one evaluation; then a list is returned.
        """
        parts = [self.split(v) for v in (z, *more)]
        U = np.concatenate([q[0] for q in parts], axis=1)
        Un = self.col_for(mesh).remesh(U, mesh, new_mesh)
        n = self.n
        out = [self.pack(Un[:, k * n:(k + 1) * n], q[1], q[2]) for k, q in enumerate(parts)]
        return out if more else out[0]

    # -- packing ---------------------------------------------------------------------------
    def split(self, z):
        """``(U, T, p)`` of a point; ``U`` has shape ``(ntst*ncol + 1, n)``."""
        nU = len(z) - 2
        return z[:nU].reshape(nU // self.n, self.n), z[-2], z[-1]

    def pack(self, U, T, p):
        return np.concatenate([np.asarray(U, float).ravel(), [T, p]])

    def pv(self, p):
        v = self.pvec.copy()
        v[self.ip] = p
        return v

    # -- model evaluations -------------------------------------------------------------------
    def evaluate(self, X, p, jac=True):
        X = np.ascontiguousarray(X.reshape(-1, self.n))
        M = X.shape[0]
        F = np.empty((M, self.n))
        J = np.empty((M, self.n, self.n)) if jac else np.empty((1, 1, 1))
        JP = np.empty((M, self.n)) if jac else np.empty((1, 1))
        self.kern.coll_eval(X, self.pv(p), self.ip, jac, F, J, JP)
        return F, J, JP

    def observables(self, X, p):
        n_obs = len(self.model.observable_names)
        X = np.ascontiguousarray(X.reshape(-1, self.n))
        out = np.empty((X.shape[0], max(n_obs, 1)))
        if n_obs:
            self.kern.obs_eval(X, self.pv(p), out)
        return out[:, :n_obs]

    # -- inner product -------------------------------------------------------------------------
    def grad(self, v, mesh):
        """Row g with ``g @ a = <a, v>`` (L2 over one period / scales^2, plus T and p)."""
        c = self.col_for(mesh)
        V, vT, vp = self.split(v)
        G = c.at_gauss(V) * c.quad_weights(mesh)[:, :, None] / self.S ** 2
        g = c.scatter(G).ravel()
        return np.concatenate([g, [vT / self.T_scale ** 2, vp / self.p_scale ** 2]])

    def norm(self, v, mesh):
        return float(np.sqrt(max(self.grad(v, mesh) @ v, 0.0)))

    # -- residual and Jacobian -------------------------------------------------------------------
    def residual(self, z, mesh, ref_slope):
        """Collocation, periodicity and phase residuals (length size - 1)."""
        c = self.col_for(mesh)
        U, T, p = self.split(z)
        X = c.at_gauss(U)
        F, _, _ = self.evaluate(X, p, jac=False)
        h = np.diff(mesh)
        R = c.slope(U) - (h[:, None, None] * T) * F.reshape(X.shape)
        phase = float(np.sum(c.wq[None, :, None] * X * ref_slope))
        return np.concatenate([R.ravel(), U[-1] - U[0], [phase]])

    def jacobian(self, z, mesh, ref_slope, last_row):
        """Factorised Jacobian (:class:`CondensedSystem`) with ``last_row`` as the final
        (arclength) row; also f and its Jacobian at the Gauss points."""
        c, n = self.col_for(mesh), self.n
        U, T, p = self.split(z)
        X = c.at_gauss(U)
        F, J, JP = self.evaluate(X, p, jac=True)
        h = np.diff(mesh)
        N, m = c.N, c.m
        J = J.reshape(N, m, n, n)
        blocks = c.jacobian_blocks(mesh, T, J)
        G = np.empty((N, m, n, 2))
        G[..., 0] = -(h[:, None, None] * F.reshape(N, m, n))
        G[..., 1] = -(h[:, None, None] * T) * JP.reshape(N, m, n)
        phase = np.concatenate([c.scatter(c.wq[None, :, None] * ref_slope).ravel(), [0, 0]])
        return CondensedSystem(c, blocks, G, np.stack([phase, last_row])), F, J

    def solve(self, A, b):
        if not A.ok:
            return None
        return A.solve(b)

    # -- derived quantities ------------------------------------------------------------------------
    def period_error(self, z, mesh, t, coarse=0.5):
        """Estimated discretisation errors of the period and the parameter (Richardson).

        The orbit ``z`` (tangent ``t``) is put on a mesh of ``coarse`` times as
        many intervals (the same distribution); one Newton correction ``dz``
        orthogonal to the tangent gives the point of the coarser discretisation's
        branch nearest to it, to first order. The branch error of Gauss
        collocation decreases as ``h^(2m)`` (superconvergence of the period and
        the parameter), so the errors of this point are about ``dz / (r^(2m) -
        1)``, ``r`` the ratio of the meshes. Returns the relative error of the
        period at fixed parameter and the error of the parameter at fixed
        period relative to ``p_scale`` (moving along the branch to fix one or
        the other: either is ``inf`` where the branch turns in it).
        """
        N = len(mesh) - 1
        Nc = max(4, int(round(coarse * N)))
        if Nc >= N:
            return np.nan, np.nan
        mc = np.interp(np.linspace(0.0, N, Nc + 1), np.arange(N + 1.0), mesh)
        mc[0], mc[-1] = 0.0, 1.0
        zc, tc = self.on_mesh(z, mesh, mc, t)
        ref = self.col_for(mc).slope(self.split(zc)[0])
        R = np.concatenate([self.residual(zc, mc, ref), [0.0]])
        A, _, _ = self.jacobian(zc, mc, ref, self.grad(tc, mc))
        dz = self.solve(A, -R)
        if dz is None or not np.all(np.isfinite(dz[-2:])):
            return np.inf, np.inf
        dz = dz / ((N / Nc) ** (2 * self.col.m) - 1)
        T, tT, tp = abs(z[-2]), t[-2], t[-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            eT = abs(dz[-2] - tT / tp * dz[-1]) / T if tp != 0 else np.inf
            ep = abs(dz[-1] - tp / tT * dz[-2]) / self.p_scale if tT != 0 else np.inf
        return float(eT), float(ep)

    def multipliers(self, z, mesh, Q0=None):
        """Floquet multipliers (by decreasing modulus) and the periodic-QR basis."""
        c, n = self.col_for(mesh), self.n
        U, T, p = self.split(z)
        X = c.at_gauss(U)
        _, J, _ = self.evaluate(X, p, jac=True)
        Ts = c.transfer_matrices(mesh, T, J.reshape(c.N, c.m, n, n))
        return floquet_multipliers(Ts, Q0)

    def profile(self, z, mesh, n_points=None):
        """The orbit on a fine grid of phases (nodes and Gauss points), (times, states)."""
        c = self.col_for(mesh)
        U, _, _ = self.split(z)
        X = c.at_gauss(U)
        tn = c.node_times(mesh)
        tg = (mesh[:-1, None] + np.diff(mesh)[:, None] * c.sigma[None, :]).ravel()
        t = np.concatenate([tn, tg])
        V = np.concatenate([U, X.reshape(-1, self.n)])
        order = np.argsort(t, kind="stable")
        return t[order], V[order]


def _check_size(n, ntst, ncol):
    """ResourceError unless the collocation system of ``ntst`` intervals fits in memory."""
    mi = int(ncol) * n
    # the condensed collocation blocks of every interval (see linsolve), twice over
    check_memory(2 * 8.0 * int(ntst) * (mi * (mi + 2 * n + 3) + 4 * n * n + 3 * mi),
                 f"periodic-orbit collocation with ntst={ntst}, ncol={ncol} for {n} "
                 "states", "use a smaller `ntst`")
