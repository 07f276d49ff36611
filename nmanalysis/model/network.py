"""Networks of neural masses: nodes coupled through weighted, delayed edges.

A :class:`Network` couples ``N`` copies of one node model. Node ``i`` receives
through its ``target`` parameter (an input such as ``IE``) the coupling

* ``"diffusive"``: ``K * sum_j W_ij (x_j(t - D_ij) - x_i(t))``,
* ``"additive"``: ``K * sum_j W_ij x_j(t - D_ij)``,
* or an expression in the model language of ``pre`` (the delayed source
  state of the sending node ``j``) and ``post`` (the source state of the
  receiving node ``i``), e.g. ``"tanh(pre) - post"``: ``K * sum_j W_ij h(pre, post)``,

where ``x`` is the ``source`` state, ``W`` the weights, ``D`` the delays and
``K`` the gain (a network parameter, named by ``gain``). Delays are given
directly or as ``distances / speed`` (``speed`` is then a network parameter
too, so it can be swept). Equilibria do not depend on delays:
:meth:`Network.to_model` gives the flat delay-free :class:`~nmanalysis.Model`
for the equilibrium analyses, and :meth:`Network.delay_linearization` the
matrices of the linearised delay equation.

State order (everywhere, "node-major"): ``rE_0, rI_0, rE_1, rI_1, ...``, i.e.
flat index ``node * n_node_states + k``.
"""

from __future__ import annotations

import io
import math
import tokenize
from collections.abc import Mapping

import numpy as np

from .._checks import check_square_matrix
from ..errors import ModelError, OptionsError
from .model import Model

__all__ = ["Network", "COUPLINGS", "refuse_network"]

#: built-in coupling functions h(pre, post)
COUPLINGS = ("diffusive", "additive")


def _matrix(value, what, n=None):
    return check_square_matrix(value, f"`{what}`", n)


def _rename(text, mapping):
    """``text`` with every name token replaced through ``mapping`` (no evaluation)."""
    toks = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and tok.string in mapping:
            toks.append((tokenize.NAME, mapping[tok.string]))
        else:
            toks.append((tok.type, tok.string))
    return tokenize.untokenize(toks).strip()


def _evaluate(expr, values):
    """Numerical value of a sympy expression with symbols -> float or ndarray (vectorised)."""
    import sympy as sp

    from .functions import Logistic

    def ev(e):
        if e.is_Symbol:
            return values[e]
        if e.is_Number:
            return float(e)
        args = [ev(a) for a in e.args]
        if isinstance(e, sp.Add):
            return sum(args[1:], args[0])
        if isinstance(e, sp.Mul):
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if isinstance(e, sp.Pow):
            return np.power(np.asarray(args[0], float), args[1])
        if isinstance(e, Logistic):
            x = np.asarray(args[0], float)
            return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                            np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))
        simple = {sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos,
                  sp.tan: np.tan, sp.atan: np.arctan, sp.sinh: np.sinh, sp.cosh: np.cosh,
                  sp.tanh: np.tanh, sp.Abs: np.abs, sp.sign: np.sign}
        for cls, fn in simple.items():
            if isinstance(e, cls):
                return fn(args[0])
        if isinstance(e, sp.Min):
            return np.minimum.reduce(np.broadcast_arrays(*args))
        if isinstance(e, sp.Max):
            return np.maximum.reduce(np.broadcast_arrays(*args))
        if isinstance(e, sp.Heaviside):
            x = np.asarray(args[0], float)
            return np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5))
        if type(e).__name__ == "expm1":
            return np.expm1(args[0])
        raise ModelError(f"cannot evaluate {type(e).__name__} in a network linearisation")

    with np.errstate(all="ignore"):
        return ev(expr)


class Network:
    """``N`` copies of a node model coupled through weighted, delayed edges.

    Parameters
    ----------
    node_model : Model
        The model of one node.
    weights : array_like of shape (N, N)
        ``W[i, j]``: weight of the edge from node ``j`` to node ``i``.
    delays : array_like of shape (N, N), optional
        ``D[i, j]``: delay of that edge (model time units), >= 0. Default: no delays.
    distances : array_like of shape (N, N), optional
        Edge lengths; delays are then ``distances / speed`` (diagonal set to zero).
    speed : float, optional
        Conduction speed (length per time unit); needed with ``distances``. It
        becomes the network parameter ``speed``.
    coupling : {"diffusive", "additive"} or str
        Built-in coupling or an expression ``h(pre, post)`` (see the module notes);
        it may use the node model's parameters and functions.
    source : str
        The node state that is sent along the edges.
    target : str
        The node parameter the coupling is added to.
    gain : str
        Name of the global coupling strength (network parameter, default value 1).
    labels : sequence of str, optional
        Node names (default ``"0"``, ``"1"``, ...).
    params : dict, optional
        Values of network parameters (the gain, ``speed``) and of node
        parameters; a node parameter may be an array of shape (N,) (one value
        per node: heterogeneous nodes).
    name : str, optional
        Name of the network (default ``"<node model>_network"``).

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.model.network import Network
    >>> W = np.array([[0.0, 1.0], [0.5, 0.0]])
    >>> net = Network(nma.get_model("wilson_cowan"), W, delays=5 * (W > 0),
    ...                   params={"K": 0.3})
    >>> net.n_nodes, net.state_names[:3]
    (2, ('rE_0', 'rI_0', 'rE_1'))
    >>> A0, taus, As = net.delay_linearization(np.zeros(4))
    >>> A0.shape, taus.tolist(), As.shape
    ((4, 4), [5.0], (1, 4, 4))
    """

    def __init__(self, node_model, weights, delays=None, *, distances=None, speed=None,
                 coupling="diffusive", source="rE", target="IE", gain="K", labels=None,
                 params=None, name=None):
        if not isinstance(node_model, Model):
            raise OptionsError(f"`node_model` must be an nmanalysis Model; got "
                               f"{type(node_model).__name__}")
        self.node_model = node_model
        W = _matrix(weights, "weights")
        N = W.shape[0]
        self.weights = W
        if delays is not None and distances is not None:
            raise OptionsError("give either `delays` or `distances` (with `speed`), not both")
        self.distances = None
        if distances is not None:
            dist = _matrix(distances, "distances", N)
            if np.any(dist < 0):
                raise OptionsError("`distances` must be >= 0")
            if speed is None:
                raise OptionsError("`distances` needs `speed` (length per time unit), e.g. "
                                   "speed=2.0; delays are distances / speed")
            dist = dist.copy()
            np.fill_diagonal(dist, 0.0)
            self.distances = dist
            self._base_delays = None
        else:
            if speed is not None:
                raise OptionsError("`speed` only makes sense with `distances`")
            D = np.zeros((N, N)) if delays is None else _matrix(delays, "delays", N)
            if np.any(D < 0):
                bad = tuple(int(i) for i in np.argwhere(D < 0)[0])
                raise OptionsError(f"`delays` must be >= 0; entry {bad} is {D[bad]}")
            self._base_delays = D
        if source not in node_model.state_names:
            raise OptionsError(f"`source` must be a state of {node_model.name!r}, one of "
                               f"{list(node_model.state_names)}; got {source!r}")
        if target not in node_model.param_names:
            raise OptionsError(f"`target` must be a parameter of {node_model.name!r}, one of "
                               f"{list(node_model.param_names)}; got {target!r}")
        self.source, self.target = source, target
        if not isinstance(gain, str) or not gain.isidentifier():
            raise OptionsError(f"`gain` must be a parameter name; got {gain!r}")
        reserved = set(node_model.param_names) | set(node_model.state_names)
        self.gain = gain
        net_names = [gain] + (["speed"] if self.distances is not None else [])
        clash = [n for n in net_names if n in reserved]
        if clash:
            raise OptionsError(f"network parameter {clash[0]!r} is also a name in the node "
                               f"model; choose another `gain`")
        self.network_params = {gain: 1.0}
        if self.distances is not None:
            self.network_params["speed"] = self._positive(speed, "speed")
        self.node_params = {k: float(v) for k, v in node_model.params.items()}
        self._set_params(params or {}, N)
        self.coupling = self._parse_coupling(coupling)
        if labels is None:
            labels = [str(i) for i in range(N)]
        labels = [str(x) for x in labels]
        if len(labels) != N:
            raise OptionsError(f"`labels` must have one entry per node ({N}); got {len(labels)}")
        self.labels = tuple(labels)
        self.name = str(name) if name else f"{node_model.name}_network"
        self._flat = None
        self._sym = None

    # -- validation -----------------------------------------------------------------------
    @staticmethod
    def _positive(value, what):
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise OptionsError(f"`{what}` must be a positive number; got {value!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise OptionsError(f"`{what}` must be a positive finite number; got {value!r}")
        return v

    def _set_params(self, params, N):
        if not isinstance(params, Mapping):
            raise OptionsError("`params` must be a dict name -> value")
        for key, value in params.items():
            if key in self.network_params:
                if np.ndim(value):
                    raise OptionsError(f"network parameter {key!r} must be a number here "
                                       "(sweep it with simulate(params=...))")
                self.network_params[key] = (self._positive(value, key) if key == "speed"
                                            else float(value))
            elif key in self.node_params:
                arr = np.asarray(value, dtype=float)
                if arr.ndim == 0:
                    self.node_params[key] = float(arr)
                elif arr.shape == (N,):
                    if not np.all(np.isfinite(arr)):
                        raise OptionsError(f"`params[{key!r}]` must be finite")
                    self.node_params[key] = arr.copy()
                else:
                    raise OptionsError(f"`params[{key!r}]` must be a number or an array of "
                                       f"one value per node, shape ({N},); got {arr.shape}")
            else:
                raise OptionsError(f"`params` got unknown name {key!r}; network parameters are "
                                   f"{list(self.network_params)}, node parameters "
                                   f"{list(self.node_params)}")

    def _parse_coupling(self, coupling):
        if not isinstance(coupling, str):
            raise OptionsError(f"`coupling` must be one of {list(COUPLINGS)} or an expression "
                               f"of pre and post; got {coupling!r}")
        if coupling in COUPLINGS:
            return coupling
        node = self.node_model
        clash = {"pre", "post"} & (set(node.param_names) | set(node.state_names))
        if clash:
            raise OptionsError(f"the node model already uses {sorted(clash)}; a coupling "
                               "expression needs the names pre and post")
        try:
            probe = Model("coupling", states={"pre": 0.0, "post": 0.0},
                          params=dict(node.params), functions=dict(node.functions),
                          equations={"pre": coupling, "post": "0"})
        except ModelError as exc:
            raise ModelError(f"`coupling` expression {coupling!r}: {exc}") from None
        self._probe = probe
        return coupling

    # -- basic views ----------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return self.weights.shape[0]

    @property
    def node_state_names(self) -> tuple:
        return self.node_model.state_names

    @property
    def state_names(self) -> tuple:
        """Flat state names, node-major: ``rE_0, rI_0, rE_1, ...``."""
        return tuple(f"{s}_{i}" for i in range(self.n_nodes) for s in self.node_state_names)

    @property
    def n_states(self) -> int:
        return self.n_nodes * len(self.node_state_names)

    @property
    def heterogeneous(self) -> tuple:
        """Node parameters that have one value per node."""
        return tuple(k for k, v in self.node_params.items() if np.ndim(v))

    @property
    def params(self) -> dict:
        """Network parameters then node parameters (arrays for per-node values)."""
        return {**self.network_params, **self.node_params}

    @property
    def time_units(self) -> str:
        return self.node_model.time_units

    def delays(self, speed=None) -> np.ndarray:
        """The (N, N) delay matrix (at ``speed``, default the network's speed)."""
        if self.distances is None:
            if speed is not None:
                raise OptionsError("`speed` only applies to a network built from distances")
            return self._base_delays.copy()
        s = self.network_params["speed"] if speed is None else self._positive(speed, "speed")
        return self.distances / s

    def node_param_matrix(self, overrides=None) -> np.ndarray:
        """Node parameter values, shape (N, n_node_params), in node-model order."""
        vals = dict(self.node_params)
        vals.update(overrides or {})
        N = self.n_nodes
        return np.stack([np.broadcast_to(np.asarray(vals[k], float), (N,))
                         for k in self.node_model.param_names], axis=1)

    def __repr__(self):
        return (f"<Network {self.name!r}: {self.n_nodes} x {self.node_model.name}, "
                f"{int(np.count_nonzero(self.weights))} edges, {self.coupling} coupling "
                f"{self.source} -> {self.target}>")

    # -- the flat, delay-free model --------------------------------------------------------
    def to_model(self) -> Model:
        """The network without delays as one flat :class:`~nmanalysis.Model`.

        States ``<state>_<node>`` (node-major), parameters: the network
        parameters, the shared node parameters by their own names and the
        per-node ones as ``<param>_<node>``; the node model's inputs and
        observables as ``<name>_<node>``. Observables ``coupling_<node>``
        hold the coupling input of each node. Equilibria of the delayed network
        are the equilibria of this model.

        Examples
        --------
        >>> import numpy as np, nmanalysis as nma
        >>> from nmanalysis.model.network import Network
        >>> net = Network(nma.get_model("wilson_cowan"), np.ones((3, 3)) - np.eye(3))
        >>> m = net.to_model()
        >>> m.n_states, m.param_names[0]
        (6, 'K')
        """
        if self._flat is not None:
            return self._flat
        node, N = self.node_model, self.n_nodes
        hetero = set(self.heterogeneous)
        d = node.to_dict()
        states, params, equations, functions, observables = {}, {}, {}, {}, {}
        for k, v in self.network_params.items():
            params[k] = {"value": v, "description": "global coupling gain" if k == self.gain
                         else "conduction speed"}
        for k, spec in d["params"].items():
            if k not in hetero:             # shared values set on the network win
                params[k] = {**spec, "value": float(self.node_params[k])}
        fn_names = [sig.split("(")[0].strip() for sig in node.functions]
        h_name = None
        if self.coupling not in COUPLINGS:
            h_name = "coupling_h"
            while h_name in fn_names or h_name in node.param_names:
                h_name += "_"
        W = self.weights
        src = self.source
        inputs = {}
        for i in range(N):
            mapping = {s: f"{s}_{i}" for s in node.state_names}
            mapping.update({p: f"{p}_{i}" for p in hetero})
            mapping.update({u: f"{u}_{i}" for u in node.input_names})
            for u, spec in d["inputs"].items():
                inputs[f"{u}_{i}"] = spec
            if hetero:
                mapping.update({f: f"{f}_{i}" for f in fn_names})
            if hetero or i == 0:
                for sig, body in node.functions.items():
                    fname, args = sig.split("(", 1)
                    fname = fname.strip()
                    argnames = [a.strip() for a in args.rstrip(")").split(",")]
                    local = {k: v for k, v in mapping.items() if k not in argnames}
                    functions[f"{mapping.get(fname, fname)}({args}"] = _rename(body, local)
                if h_name is not None:
                    local = {k: v for k, v in mapping.items() if k not in ("pre", "post")}
                    hsig = f"{h_name}_{i}" if hetero else h_name
                    functions[f"{hsig}(pre, post)"] = _rename(self.coupling, local)
            for p in hetero:
                spec = dict(d["params"][p])
                spec["value"] = float(self.node_params[p][i])
                params[f"{p}_{i}"] = spec
            for s, spec in d["states"].items():
                states[f"{s}_{i}"] = spec
            terms = []
            cols = np.nonzero(W[i])[0]
            post = f"{src}_{i}"
            if self.coupling == "diffusive":
                terms = [f"{float(W[i, j])!r}*{src}_{j}" for j in cols if j != i]
                rs = float(W[i, cols[cols != i]].sum())
                if rs:
                    terms.append(f"-{rs!r}*{post}")
            elif self.coupling == "additive":
                terms = [f"{float(W[i, j])!r}*{src}_{j}" for j in cols]
            else:
                hcall = f"{h_name}_{i}" if hetero else h_name
                terms = [f"{float(W[i, j])!r}*{hcall}({src}_{j}, {post})" for j in cols]
            cname = f"coupling_{i}"
            total = " + ".join(terms) if terms else "0"
            observables[cname] = {"expression": f"{self.gain}*({total})",
                                  "description": f"coupling input to node {self.labels[i]}"}
            mapping[self.target] = f"({mapping.get(self.target, self.target)} + {cname})"
            for s, eq in node.equations.items():
                equations[f"{s}_{i}"] = _rename(eq, mapping)
            for o, spec in d["observables"].items():
                spec = dict(spec) if isinstance(spec, dict) else {"expression": spec}
                spec["expression"] = _rename(spec["expression"], mapping)
                observables[f"{o}_{i}"] = spec
        self._flat = Model(name=self.name, states=states, params=params,
                           equations=equations, functions=functions, inputs=inputs,
                           observables=observables, description=repr(self),
                           time_units=node.time_units)
        return self._flat

    # -- linearisation of the delay equation -----------------------------------------------
    def _symbolic(self):
        if self._sym is None:
            import sympy as sp
            sm = self.node_model.symbolic
            jac = sm.jacobian()
            k = self.node_model.param_names.index(self.target)
            jp = sm.jacobian_params()[:, k]
            pre, post = sp.Symbol("pre", real=True), sp.Symbol("post", real=True)
            if self.coupling == "diffusive":
                h = pre - post
            elif self.coupling == "additive":
                h = pre
            else:
                ps = self._probe.symbolic
                h = ps.rhs[0].xreplace({ps.y[0]: pre, ps.y[1]: post,
                                        **{a: b for a, b in zip(ps.p, sm.p)}})
            self._sym = (sm, jac, jp, h, sp.diff(h, pre), sp.diff(h, post), pre, post)
        return self._sym

    def coupling_input(self, state, params=None) -> np.ndarray:
        """The coupling input of each node at a (constant) state, shape (N,)."""
        x, net, P = self._prepare(state, params)
        return self._coupling_parts(x, net, P)[0]

    def _prepare(self, state, params):
        N, ns = self.n_nodes, len(self.node_state_names)
        x = np.asarray(state, dtype=float)
        if x.shape == (N * ns,):
            x = x.reshape(N, ns)
        if x.shape != (N, ns):
            raise OptionsError(f"`state` must have shape ({N * ns},) (node-major: "
                               f"{list(self.state_names[:ns + 1])}...) or ({N}, {ns}); "
                               f"got {np.shape(state)}")
        params = dict(params or {})
        net = dict(self.network_params)
        node_over = {}
        for k, v in params.items():
            if k in net:
                net[k] = float(v)
            elif k in self.node_params:
                node_over[k] = v
            else:
                raise OptionsError(f"`params` got unknown name {k!r}; names are "
                                   f"{list(self.params)}")
        return x, net, self.node_param_matrix(node_over)

    def _coupling_parts(self, x, net, P):
        sm, jac, jp, h, dh_pre, dh_post, pre, post = self._symbolic()
        src = self.node_state_names.index(self.source)
        W = self.weights
        ii, jj = np.nonzero(W)
        values = {pre: x[jj, src], post: x[ii, src]}
        values.update({s: P[ii, k] for k, s in enumerate(sm.p)})
        K = net[self.gain]
        w = W[ii, jj]

        def edge(expr):
            return np.broadcast_to(np.asarray(_evaluate(expr, values), float), ii.shape)

        c = np.zeros(self.n_nodes)
        np.add.at(c, ii, K * w * edge(h))
        return c, ii, jj, K * w * edge(dh_pre), K * w * edge(dh_post)

    def delay_linearization(self, state, params=None, *, decimals=None):
        """Matrices of the linearised delay equation at a constant state.

        ``d/dt u(t) = A0 u(t) + sum_k As[k] u(t - taus[k])``; at an equilibrium
        its characteristic equation is ``det(lambda I - A0 - sum_k As[k]
        exp(-lambda taus[k])) = 0``.

        Parameters
        ----------
        state : array_like of shape (n,) or (N, n_node_states)
            Flat state in node-major order (``rE_0, rI_0, rE_1, ...``; index
            ``node * n_node_states + k``), or one row per node.
        params : dict, optional
            Network parameters (gain, ``speed``) and node parameters (number
            or array of shape (N,)) overriding the network's values.
        decimals : int, optional
            Round delays to this many decimals before grouping them (fewer
            distinct delays); default: exact values.

        Returns
        -------
        A0 : ndarray of shape (n, n)
            Jacobian with respect to the undelayed states (edges with zero
            delay included).
        taus : ndarray of shape (m,)
            The distinct positive delays, ascending.
        As : ndarray of shape (m, n, n)
            ``As[k]``: Jacobian with respect to the states delayed by ``taus[k]``.

        Examples
        --------
        >>> import numpy as np, nmanalysis as nma
        >>> from nmanalysis.model.network import Network
        >>> W = np.array([[0.0, 1.0], [1.0, 0.0]])
        >>> net = Network(nma.get_model("wilson_cowan"), W, delays=2.0 * W)
        >>> A0, taus, As = net.delay_linearization(np.zeros(4), {"K": 0.5})
        >>> bool(np.allclose(A0 + As.sum(0),
        ...      nma.compile.compile_model(net.to_model()).jacobian(
        ...          np.zeros(4), [0.5] + list(net.node_model.params.values()))))
        True
        """
        x, net, P = self._prepare(state, params)
        N, ns = x.shape
        sm, jac, jp, *_ = self._symbolic()
        c, ii, jj, d_pre, d_post = self._coupling_parts(x, net, P)
        k_t = self.node_model.param_names.index(self.target)
        Pc = P.copy()
        Pc[:, k_t] += c
        vals = {s: x[:, k] for k, s in enumerate(sm.y)}
        vals.update({s: Pc[:, k] for k, s in enumerate(sm.p)})
        vals.update({s: float(self.node_model.inputs[s.name]) for s in sm.u})
        vals[sm.t] = 0.0
        Jn = np.empty((N, ns, ns))
        G = np.empty((N, ns))
        for a in range(ns):
            G[:, a] = np.broadcast_to(_evaluate(jp[a], vals), (N,))
            for b in range(ns):
                Jn[:, a, b] = np.broadcast_to(_evaluate(jac[a, b], vals), (N,))
        n = N * ns
        src = self.node_state_names.index(self.source)
        A0 = np.zeros((n, n))
        for i in range(N):
            A0[i * ns:(i + 1) * ns, i * ns:(i + 1) * ns] = Jn[i]
        post_sum = np.zeros(N)
        np.add.at(post_sum, ii, d_post)
        for i in range(N):
            A0[i * ns:(i + 1) * ns, i * ns + src] += G[i] * post_sum[i]
        D = self.delays(net.get("speed")) if self.distances is not None else self.delays()
        d = D[ii, jj]
        if decimals is not None:
            d = np.round(d, decimals)
        zero = d == 0
        for e in np.nonzero(zero)[0]:
            i, j = ii[e], jj[e]
            A0[i * ns:(i + 1) * ns, j * ns + src] += G[i] * d_pre[e]
        taus, which = np.unique(d[~zero], return_inverse=True)
        As = np.zeros((taus.size, n, n))
        for e, k in zip(np.nonzero(~zero)[0], which):
            i, j = ii[e], jj[e]
            As[k, i * ns:(i + 1) * ns, j * ns + src] += G[i] * d_pre[e]
        return A0, taus, As


def refuse_network(model, analysis: str) -> None:
    """Raise a clear OptionsError when ``model`` is a :class:`Network` that ``analysis``
    does not take (it integrates or solves ordinary differential equations).

    >>> import nmanalysis as nma
    >>> net = nma.Network(nma.get_model("wilson_cowan"), [[0, 1], [1, 0]], delays=[[0, 2], [2, 0]])
    >>> refuse_network(net, "basin_map")
    Traceback (most recent call last):
    ...
    nmanalysis.errors.OptionsError: basin_map takes a Model, not a Network with delays ...
    """
    if not isinstance(model, Network):
        return
    if np.any(model.delays() > 0):
        raise OptionsError(
            f"{analysis} takes a Model, not a Network with delays (its equations are "
            "delay equations); nma.regime_map(net, ...) maps its attractors over "
            "parameters, nma.simulate(net, params=..., record='minmax') sweeps them, and "
            "nma.fixed_points / nma.stability / nma.continuation give the stability of its "
            "equilibria")
    raise OptionsError(
        f"{analysis} takes a Model, not a Network; this network has no delays, so pass "
        f"its flat model: {analysis}(net.to_model(), ...)")
