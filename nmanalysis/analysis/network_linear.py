"""Right-hand side and Jacobian of a network assembled from its node model.

A :class:`~nmanalysis.model.network.Network` of ``N`` nodes with ``n_s``
states each has ``N * n_s`` states; writing it out as one flat model
(:meth:`~nmanalysis.model.network.Network.to_model`) and compiling that is
symbolic work that grows like a power of ``N`` and starts again for every
weight matrix. Here the node model is compiled once (its kernels do not see
the weights) and the network is put together numerically. With
``c_i(x) = sum_j W_ij h(x_j^src, x_i^src)`` and ``f`` the node model, node
``i`` is ``x_i' = f(x_i, p_i + K c_i(x) e_target)``, so

* ``F_i = f(x_i, q_i)`` with ``q_i`` the node parameters whose ``target``
  entry is raised by ``K c_i``;
* ``J_ii = J_f(x_i, q_i) + g_i (K sum_j W_ij dh/dpost) e_src^T``;
* ``J_ij = g_i K W_ij dh/dpre e_src^T`` for ``j != i`` (with ``j == i`` a
  self-edge adds its ``dh/dpre`` term to ``J_ii``),

where ``g_i = df/dtarget (x_i, q_i)``. Delays do not enter ``F`` (equilibria
do not depend on them); :meth:`NetworkLinear.delay_split` groups the edge
terms of ``J`` by delay into ``A0`` and the ``A_k`` of the linearised delay
equation. Everything is vectorised over a batch of states (one set of
parameters per batch member) so that a multi-start Newton runs on many
starts at once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..compile.linalg import lu_solve
from ..errors import OptionsError

__all__ = ["NetworkLinear", "network_linear", "newton_batch"]


@njit(cache=True, nogil=True, error_model="numpy")
def _lu_batch(J, B, X, OK):
    """Solve ``J[k] X[k] = B[k]`` for every k (J and B overwritten); OK[k] False if singular.

    One thread per call: the BLAS-threaded batched solve of numpy slows down
    many times over on a busy machine for matrices of this size.
    """
    for k in range(J.shape[0]):
        OK[k] = lu_solve(J[k], B[k], X[k])


@njit(nogil=True, error_model="numpy")
def _target_column(jac_p, Y, Pc, k_t, out, buf):
    """``out[k] = d f / d p[k_t]`` at column k of Y, Pc (the node model's ``jac_p``)."""
    for k in range(Y.shape[1]):
        jac_p(0.0, Y[:, k].copy(), Pc[:, k].copy(), buf)
        for a in range(out.shape[1]):
            out[k, a] = buf[a, k_t]


def newton_batch(fun, X, tol, max_iter):
    """Damped Newton on a batch, as the compiled ``newton_batch`` of a model does it.

    ``fun(X, rows, jac)`` gives ``F`` (k, n) and (``jac`` True) ``J`` (k, n, n)
    at the states ``X`` (k, n) of batch members ``rows``. The step is halved
    (down to 1/1024) until ``max|F|`` decreases, else the full step is taken;
    a member converges when ``max|F| <= tol`` or a full step is below
    ``1e-14 (1 + max|x|)``. Returns ``(X, status, residual)``, status 1
    converged, 0 not, -1 singular Jacobian or non-finite values.

    Examples
    --------
    >>> def fun(X, rows, jac):
    ...     c = np.array([2.0, 3.0])[rows]
    ...     return X * X - c[:, None], (2.0 * X[:, :, None] if jac else None)
    >>> x, status, res = newton_batch(fun, np.array([[1.0], [-3.0]]), 1e-14, 50)
    >>> x.ravel().round(12).tolist(), status.tolist()
    ([1.414213562373, -1.732050807569], [1, 1])
    """
    x = np.array(X, dtype=float, copy=True)
    B, n = x.shape
    everyone = np.arange(B)
    F, _ = fun(x, everyone, False)
    norm = _max_abs(F)
    status = np.where(norm <= tol, 1, 0)
    status[~np.isfinite(norm)] = -1
    for _ in range(max_iter):
        idx = np.flatnonzero(status == 0)
        if idx.size == 0:
            break
        F, J = fun(x[idx], idx, True)
        dx = np.empty((idx.size, n))
        ok = np.zeros(idx.size, np.bool_)
        _lu_batch(np.ascontiguousarray(J), np.ascontiguousarray(-F), dx, ok)
        status[idx[~ok]] = -1
        idx, dx = idx[ok], dx[ok]
        x0, n0 = x[idx], norm[idx]
        lam = np.ones(idx.size)
        xn = x0 + dx
        nn = _max_abs(fun(xn, idx, False)[0])
        acc = (nn < (1.0 - 1e-4 * lam) * n0) | (nn <= tol)
        while not acc.all() and lam[~acc].min() >= 2.0 / 1024.0:
            w = np.flatnonzero(~acc)
            lam[w] *= 0.5
            xn[w] = x0[w] + lam[w, None] * dx[w]
            nn[w] = _max_abs(fun(xn[w], idx[w], False)[0])
            acc[w] = (nn[w] < (1.0 - 1e-4 * lam[w]) * n0[w]) | (nn[w] <= tol)
        w = np.flatnonzero(~acc)            # take the full step anyway: climb out
        if w.size:
            xn[w] = x0[w] + dx[w]
            nn[w] = _max_abs(fun(xn[w], idx[w], False)[0])
        x[idx], norm[idx] = xn, nn
        tiny = acc & (lam == 1.0) & (np.max(np.abs(dx), axis=1)
                                      <= 1e-14 * (1.0 + np.max(np.abs(x0), axis=1)))
        status[idx[tiny | (nn <= tol)]] = 1
        status[idx[~np.isfinite(nn)]] = -1
    status[(status == 0) & (norm <= tol)] = 1
    return x, status, norm


def _max_abs(F):
    with np.errstate(invalid="ignore"):
        m = np.max(np.abs(F), axis=1)
    m[np.isnan(m)] = np.inf
    return m


class NetworkLinear:
    """Numerical ``F`` and ``J`` of a network from its compiled node model.

    Parameters
    ----------
    net : Network

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.model.network import Network
    >>> W = np.array([[0.0, 1.0], [0.5, 0.0]])
    >>> net = Network(nma.get_model("wilson_cowan"), W, params={"K": 0.3})
    >>> lin = network_linear(net)
    >>> x = np.array([0.1, 0.2, 0.3, 0.4])
    >>> F, J = lin.rhs_jac(x)
    >>> F.shape, J.shape
    ((4,), (4, 4))
    >>> e = 1e-6 * np.eye(4)
    >>> Jfd = np.stack([(lin.rhs(x + d) - lin.rhs(x - d)) / 2e-6 for d in e], axis=1)
    >>> bool(np.allclose(J, Jfd, atol=1e-8))
    True
    """

    def __init__(self, net):
        from ..compile import compile_model

        self.net = net
        node = net.node_model
        self.system = compile_model(node)
        self.N, self.ns = net.n_nodes, len(net.node_state_names)
        self.n = self.N * self.ns
        self.src = net.node_state_names.index(net.source)
        self.k_t = node.param_names.index(net.target)
        self.n_p = len(node.param_names)
        self.inputs = np.array([float(node.inputs[k]) for k in node.input_names])
        self.ii, self.jj = np.nonzero(net.weights)
        self.w = net.weights[self.ii, self.jj]
        self.rowsum = np.zeros(self.N)
        np.add.at(self.rowsum, self.ii, self.w)
        self.probe = (None if net.coupling in ("diffusive", "additive")
                      else compile_model(net._probe))

    # -- parameters -----------------------------------------------------------------------
    def parameters(self, values=None):
        """``(K, P)`` from network / node parameter values (see ``delay_linearization``).

        ``values`` maps network parameter names and node parameter names (a
        number or an array of shape (N,)) to values overriding the network's;
        ``P`` has shape (N, n_params + n_inputs) in node-model order.
        """
        net = self.net
        values = dict(values or {})
        K = float(values.pop(net.gain, net.network_params[net.gain]))
        values.pop("speed", None)
        bad = [k for k in values if k not in net.node_params]
        if bad:
            raise OptionsError(f"`params` got unknown name {bad[0]!r}; names are "
                               f"{list(net.params)}")
        P = net.node_param_matrix(values)
        if self.inputs.size:
            P = np.hstack([P, np.broadcast_to(self.inputs, (self.N, self.inputs.size))])
        return K, P

    # -- coupling -------------------------------------------------------------------------
    def coupling(self, X, K, P):
        """``c`` (S, N): gain times coupling input; ``dpre`` (S, E), ``dpost`` (S, N).

        ``X`` (S, N, n_s) states, ``K`` (S,) gains, ``P`` (S, N, n_pi) node
        parameters. ``dpre[:, e]`` is ``K W_e dh/dpre`` of edge ``e`` (``ii[e] <-
        jj[e]``), ``dpost[:, i]`` the sum over the edges into ``i`` of ``K W dh/dpost``.
        """
        S = X.shape[0]
        xs = X[:, :, self.src]
        Kc = np.asarray(K, float).reshape(S, 1)
        coupling = self.net.coupling
        if coupling in ("diffusive", "additive"):
            c = xs @ self.net.weights.T
            if coupling == "diffusive":
                c = c - self.rowsum * xs
                dpost = -Kc * self.rowsum
            else:
                dpost = np.zeros((S, self.N))
            dpre = np.broadcast_to(Kc * self.w, (S, self.w.size))
            return Kc * c, dpre, dpost
        # h(pre, post) and its derivatives from the tiny compiled model of the coupling
        E = self.w.size
        m = S * E
        Y = np.empty((2, m))
        Y[0] = xs[:, self.jj].ravel()
        Y[1] = xs[:, self.ii].ravel()
        Pc = np.ascontiguousarray(P[:, self.ii, :self.n_p].reshape(m, self.n_p).T)
        rows = np.arange(m, dtype=np.int64)
        hv = np.empty((2, m))
        dh = np.empty((m, 2, 2))
        probe = self.probe
        probe.rhs_batch(Y, Pc, rows, 0, m, hv)
        probe.jac_batch(Y, Pc, rows, 0, m, dh)
        scale = Kc * self.w
        c = np.zeros((self.N, S))
        dpost = np.zeros((self.N, S))
        np.add.at(c, self.ii, (scale * hv[0].reshape(S, E)).T)
        np.add.at(dpost, self.ii, (scale * dh[:, 0, 1].reshape(S, E)).T)
        return c.T, scale * dh[:, 0, 0].reshape(S, E), dpost.T

    # -- node kernels ---------------------------------------------------------------------
    def _nodes(self, X, Q, jac=True):
        """Node right-hand sides (S, N, n_s), Jacobians (S, N, n_s, n_s) and
        target derivatives (S, N, n_s) at states X and parameters Q (S, N, n_pi)."""
        S = X.shape[0]
        m = S * self.N
        Y = np.ascontiguousarray(X.reshape(m, self.ns).T)
        Pc = np.ascontiguousarray(Q.reshape(m, -1).T)
        rows = np.arange(m, dtype=np.int64)
        f = np.empty((self.ns, m))
        self.system.rhs_batch(Y, Pc, rows, 0, m, f)
        f = f.T.reshape(S, self.N, self.ns)
        if not jac:
            return f, None, None
        Jn = np.empty((m, self.ns, self.ns))
        self.system.jac_batch(Y, Pc, rows, 0, m, Jn)
        G = self._target_derivative(Y, Pc)
        return f, Jn.reshape(S, self.N, self.ns, self.ns), G.reshape(S, self.N, self.ns)

    def _target_derivative(self, Y, Pc):
        """``df/dtarget`` at columns of Y, Pc: shape (m, n_s), from the ``jac_p`` kernel."""
        m = Y.shape[1]
        out = np.empty((m, self.ns))
        _target_column(self.system.jac_p, Y, Pc, self.k_t, out,
                       np.empty((self.ns, self.n_p)))
        return out

    # -- F and J --------------------------------------------------------------------------
    def batch(self, X, K, P, jac=True):
        """``F`` (S, n) and ``J`` (S, n, n) at flat states X (S, n).

        ``K`` (S,) gains, ``P`` (S, N, n_pi) node parameters per batch member.
        """
        S = X.shape[0]
        N, ns, src = self.N, self.ns, self.src
        Xn = np.asarray(X, float).reshape(S, N, ns)
        c, dpre, dpost = self.coupling(Xn, K, P)
        Q = np.array(P, dtype=float, copy=True)
        Q[:, :, self.k_t] += c
        f, Jn, G = self._nodes(Xn, Q, jac)
        F = f.reshape(S, self.n)
        if not jac:
            return F, None
        J = np.zeros((S, N, ns, N, ns))
        ar = np.arange(N)
        J[:, ar, :, ar, :] = Jn.transpose(1, 0, 2, 3)
        C = np.zeros((S, N, N))
        C[:, self.ii, self.jj] = dpre
        C[:, ar, ar] += dpost
        J[:, :, :, :, src] += G[:, :, :, None] * C[:, :, None, :]
        return F, J.reshape(S, self.n, self.n)

    def rhs_jac(self, x, values=None):
        """``F`` (n,) and ``J`` (n, n) at one flat state (node-major)."""
        K, P = self.parameters(values)
        F, J = self.batch(self._flat(x)[None], np.array([K]), P[None])
        return F[0], J[0]

    def rhs(self, x, values=None):
        """``F`` (n,) at one flat state (node-major)."""
        K, P = self.parameters(values)
        return self.batch(self._flat(x)[None], np.array([K]), P[None], jac=False)[0][0]

    def _flat(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape == (self.N, self.ns):
            x = x.reshape(self.n)
        if x.shape != (self.n,):
            raise OptionsError(f"`state` must have shape ({self.n},) (node-major: "
                               f"{list(self.net.state_names[:self.ns + 1])}...) or "
                               f"({self.N}, {self.ns}); got {np.shape(x)}")
        return x

    def edge_terms(self, x, values=None, *, decimals=None):
        """The parts of the linearisation at ``x`` before the edges are sorted by delay.

        Returns
        -------
        A0 : ndarray of shape (N, ns, N, ns)
            Node Jacobians and the ``dh/dpost`` terms (no edge term yet).
        G : ndarray of shape (N, ns)
            Derivative of each node's equations with respect to its target.
        dpre : ndarray of shape (E,)
            ``K W_e dh/dpre`` of edge ``e`` (``ii[e] <- jj[e]``).
        delays : ndarray of shape (E,)
            The edges' delays (at ``values["speed"]`` when the network has
            distances), rounded to ``decimals`` if given.
        """
        values = dict(values or {})
        x = self._flat(x)
        N, ns, src = self.N, self.ns, self.src
        K, P = self.parameters(values)
        Xn = x.reshape(1, N, ns)
        c, dpre, dpost = self.coupling(Xn, np.array([K]), P[None])
        Q = P[None].copy()
        Q[:, :, self.k_t] += c
        _, Jn, G = self._nodes(Xn, Q)
        Jn, G, dpre, dpost = Jn[0], G[0], dpre[0], dpost[0]
        A0 = np.zeros((N, ns, N, ns))
        ar = np.arange(N)
        A0[ar, :, ar, :] = Jn
        A0[ar, :, ar, src] += G * dpost[:, None]
        net = self.net
        D = net.delays(values.get("speed")) if net.distances is not None else net.delays()
        d = D[self.ii, self.jj]
        if decimals is not None:
            d = np.round(d, decimals)
        return A0, G, dpre, d

    def delay_split(self, x, values=None, *, decimals=None):
        """``A0``, ``taus``, ``As`` of the linearised delay equation at ``x``.

        The same matrices as
        :meth:`~nmanalysis.model.network.Network.delay_linearization`, from the
        compiled node kernels: the node Jacobians and the ``dh/dpost`` terms in
        ``A0``, each edge's ``dh/dpre`` term in the ``A_k`` of its delay (in
        ``A0`` when the delay is zero).
        """
        values = dict(values or {})
        A0, G, dpre, d = self.edge_terms(x, values, decimals=decimals)
        N, ns, src, n = self.N, self.ns, self.src, self.n
        zero = d == 0
        i0, j0 = self.ii[zero], self.jj[zero]
        np.add.at(A0, (i0, slice(None), j0, src), G[i0] * dpre[zero][:, None])
        taus, which = np.unique(d[~zero], return_inverse=True)
        As = np.zeros((taus.size, N, ns, N, ns))
        i1, j1 = self.ii[~zero], self.jj[~zero]
        np.add.at(As, (which.ravel(), i1, slice(None), j1, src),
                  G[i1] * dpre[~zero][:, None])
        return A0.reshape(n, n), taus, As.reshape(taus.size, n, n)


def network_linear(net) -> NetworkLinear:
    """The :class:`NetworkLinear` of ``net`` (kept on the network, built once)."""
    lin = getattr(net, "_linear", None)
    if lin is None or lin.net is not net:
        lin = NetworkLinear(net)
        net._linear = lin
    return lin


# -- derivatives in a parameter, for continuation ------------------------------------------

def param_derivative(lin, x, K, P, which):
    """``dF/dp`` (n,) at one flat state for one free parameter ``p`` of the network.

    Parameters
    ----------
    lin : NetworkLinear
    x : ndarray of shape (n,)
        Flat state (node-major).
    K : float
        The gain.
    P : ndarray of shape (N, n_params + n_inputs)
        Node parameters (as from :meth:`NetworkLinear.parameters`).
    which : tuple
        ``("gain",)``: the gain, ``dF_i/dK = g_i c_i`` (``c_i`` the coupling
        input per unit gain); ``("node", k, i)``: node parameter ``k`` (index
        in the node model) of node ``i``, or of every node when ``i`` is None;
        ``("none",)``: a parameter ``F`` does not depend on (``speed``).

    A node parameter that a coupling expression ``h(pre, post)`` reads also
    moves the coupling; then the derivative is a central difference of ``F``
    (step ``1e-6 (1 + |p|)``), otherwise it is exact.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.model.network import Network
    >>> net = Network(nma.get_model("wilson_cowan"), [[0.0, 1.0], [0.5, 0.0]])
    >>> lin = network_linear(net)
    >>> K, P = lin.parameters({"K": 0.7})
    >>> x = np.array([0.1, 0.2, 0.3, 0.4])
    >>> d = param_derivative(lin, x, K, P, ("gain",))
    >>> fd = (lin.rhs(x, {"K": 0.7 + 1e-6}) - lin.rhs(x, {"K": 0.7 - 1e-6})) / 2e-6
    >>> bool(np.allclose(d, fd, atol=1e-9))
    True
    """
    x = np.asarray(x, float)
    N, ns = lin.N, lin.ns
    if which[0] == "none":
        return np.zeros(lin.n)
    Xn = x.reshape(1, N, ns)
    if which[0] == "gain":
        c1 = lin.coupling(Xn, np.array([1.0]), P[None])[0]          # (1, N), K = 1
        Q = P[None].copy()
        Q[:, :, lin.k_t] += K * c1
        _, _, G = lin._nodes(Xn, Q)
        return (G[0] * c1[0][:, None]).reshape(lin.n)
    _, k, node = which
    if lin.probe is not None:              # h(pre, post) may read node parameters
        h = 1e-6 * (1.0 + abs(float(P[0 if node is None else node, k])))
        Pp, Pm = P.copy(), P.copy()
        rows = slice(None) if node is None else node
        Pp[rows, k] += h
        Pm[rows, k] -= h
        Fp = lin.batch(x[None], np.array([K]), Pp[None], jac=False)[0][0]
        Fm = lin.batch(x[None], np.array([K]), Pm[None], jac=False)[0][0]
        return (Fp - Fm) / (2 * h)
    c = lin.coupling(Xn, np.array([K]), P[None])[0]
    Q = P.copy()
    Q[:, lin.k_t] += c[0]
    Y = np.ascontiguousarray(Xn[0].T)
    Pc = np.ascontiguousarray(Q.T)
    out = np.empty((N, ns))
    _target_column(lin.system.jac_p, Y, Pc, k, out, np.empty((ns, lin.n_p)))
    if node is not None:
        keep = np.zeros(N, bool)
        keep[node] = True
        out[~keep] = 0.0
    return out.reshape(lin.n)
