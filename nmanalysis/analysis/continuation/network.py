"""Continuation of the equilibria of a network, of any size, from its assembled F and J.

``continuation(network, param, ...)`` comes here. The flat model of the
network (:meth:`~nmanalysis.model.network.Network.to_model`) only names the
states and parameters: it is never compiled. :class:`NetworkProblem` gives
the continuation engine ``F`` and its Jacobian assembled numerically from
the compiled node model (:mod:`nmanalysis.analysis.network_linear`), so a
network of 80 nodes is continued in seconds, and the branches, folds (LP) and
branch points (BP) come from the same pseudo-arclength engine as a model's
(:mod:`.run`). The free parameter may be the gain, ``speed``, a shared node
parameter or a per-node one (``<param>_<node>``). ``F`` and ``J`` are exact;
the second and third derivatives used by the normal-form coefficients
(``fold_coefficient``, ``first_lyapunov``) are central differences of the
assembled Jacobian (relative accuracy about ``1e-7``).

*Without delays* the network is an ODE and the diagram is complete as the
engine leaves it: Jacobian eigenvalues along the branches, Hopf points from
them. Periodic orbits (``cycles=True``) need the flat model compiled; that is
done for networks of at most :data:`MAX_FLAT_STATES` states.

*With delays* equilibria and their folds and branch points are the same
(delays do not move equilibria, and a zero root does not depend on them).
Along the branches ``eig_real`` / ``eig_imag`` are the ``n_roots`` rightmost
roots of the characteristic equation of the delayed linearisation
(:func:`~nmanalysis.analysis.network_stability.characteristic_roots`, one call
per point), and ``stable`` / ``n_unstable`` come from them. The Hopf points
(HB) are those of the delay equation: where the number of unstable roots
changes between two points of a branch by a complex pair, Newton's method on
``Delta(i omega; p) v = 0`` (unknowns ``v``, ``omega``, ``p``, the equilibrium
solved afresh at each trial ``p``) locates the crossing. Their
``first_lyapunov`` is not computed (NaN).

Continuation in ``speed`` (which only scales the delays ``distances /
speed``) gives a line of constant state per equilibrium, sampled at ``1 +
ceil(2 / ds_max)`` speeds over ``p_range``, evenly spaced in ``1 / speed``
(the delays), where the crossings of one family of roots recur evenly; its
stability changes are located the same way.

A delayed linearisation of more than :data:`MAX_DELAYED_ENTRIES` dense entries
(``n^2 (1 + distinct delays)``; the 80-region connectome with its 3160
distinct delays has 81 million) is refused at once with OptionsError: its
roots at every point would not finish.

A stability change is found between two neighbouring points of a branch; two
crossings between the same two points (the count of unstable roots then
unchanged) are missed: refine ``ds_max`` when in doubt. Periodic orbits of
delay equations are not computed.

Without ``start`` the equilibria at the start value are found by Newton's
method from ``max(128, min(32 n, 512))`` starts spread over the box and from
starts with every node in the same state, as ``fixed_points(network)`` does
(for 80 nodes that search takes tens of seconds); each seeds a branch. A large
network may have very many equilibria (uncoupled bistable nodes alone give
``2^N``): pass ``start`` to follow the ones of interest.
"""

from __future__ import annotations

import numpy as np

from ..._checks import check_names
from ...errors import NoStartError, OptionsError
from ...results.attrs import provenance
from ..delay_stability import OneBlasThread, locate_hopf
from ..equilibria import low_discrepancy, synchronous_starts
from ..network_stability import (characteristic_roots, check_n_roots, delay_attrs, eig_coord,
                                 has_delays, network_values, root_variables, warn_unconfirmed)
from ..network_linear import network_linear, newton_batch, param_derivative
from ..newton import newton
from .datasets import special_dataset, tree_with_provenance
from .problem import ContinuationProblem, check_fixed_values, check_free_parameter
from .run import equilibrium_branches

__all__ = ["NetworkProblem", "delayed_diagram", "network_seeds", "MAX_FLAT_STATES",
           "MAX_DELAYED_ENTRIES"]

#: most starts spread over the box when looking for the equilibria to start from
SEED_STARTS = 512
#: those starts form a Halton set up to this many states (seeded uniform beyond)
HALTON_STATES = 30

#: most entries ``n^2 (1 + distinct delays)`` of a delayed linearisation whose
#: characteristic roots are taken along a branch (dense, at every point)
MAX_DELAYED_ENTRIES = 4_000_000

#: most states of a network whose periodic orbits are continued (``cycles=True`` compiles
#: its flat model symbolically); equilibria are continued at any size
MAX_FLAT_STATES = 12


class NetworkProblem:
    """Equilibria ``F(x, p) = 0`` of a network as one parameter ``p`` varies (no compiled
    flat model).

    The interface of :class:`~nmanalysis.analysis.continuation.ContinuationProblem`
    (what the continuation engine asks for), with ``F`` and ``J`` assembled from
    the compiled node model.

    Parameters
    ----------
    net : Network
    param : str
        The free parameter, a parameter of ``net.to_model()``: the gain,
        ``speed``, a shared node parameter or a per-node one ``<param>_<node>``.
    params : dict, optional
        Values of the other parameters (names of ``net.to_model()``).
    inputs : dict, optional
        Must be empty: the inputs of a network's nodes keep their defaults.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> net = nma.Network(nma.get_model("wilson_cowan"), [[0.0, 1.0], [0.5, 0.0]])
    >>> pb = NetworkProblem(net, "K")
    >>> x = np.array([0.1, 0.2, 0.3, 0.4])
    >>> fd = (pb.f(x, 0.5 + 1e-6) - pb.f(x, 0.5 - 1e-6)) / 2e-6
    >>> bool(np.allclose(pb.jac_p(x, 0.5), fd, atol=1e-9)), pb.jac(x, 0.5).shape
    (True, (4, 4))
    """

    def __init__(self, net, param, params=None, inputs=None):
        model = net.to_model()                  # names only: never compiled
        check_free_parameter(model, param, "continuation of equilibria")
        params, inputs = check_fixed_values(model, params, inputs)
        if inputs:
            raise OptionsError(f"`inputs` do not apply to a network (its nodes' inputs keep "
                               f"their defaults); got {sorted(inputs)}")
        self.net, self.model, self.param = net, model, param
        self.n = model.n_states
        self.lin = lin = network_linear(net)
        values = {**model.params, **params}
        self.fixed = {k: float(v) for k, v in values.items() if k != param}
        self._K, self._P = lin.parameters(network_values(net, values))
        node = net.node_model
        hetero = set(net.heterogeneous)
        if param == net.gain:
            self._which = ("gain",)
        elif param == "speed":
            self._which = ("none",)
        elif param in node.param_names and param not in hetero:
            self._which = ("node", node.param_names.index(param), None)
        else:                                   # a per-node parameter <name>_<node>
            name, _, i = param.rpartition("_")
            self._which = ("node", node.param_names.index(name), int(i))
        self._cache = (None, None, None)

    # -- parameters -----------------------------------------------------------------------
    def _KP(self, p):
        which, K, P = self._which, self._K, self._P
        if which[0] == "gain":
            return float(p), P
        if which[0] == "node":
            P = P.copy()
            P[slice(None) if which[2] is None else which[2], which[1]] = p
        return K, P

    def values(self, p):
        """Network and node parameter values at ``p`` (for the delayed linearisation)."""
        return network_values(self.net, {**self.fixed, self.param: float(p)})

    # -- F and its derivatives ------------------------------------------------------------
    def _FJ(self, x, p):
        x = np.ascontiguousarray(x, float)
        key = x.tobytes() + np.float64(p).tobytes()
        if self._cache[0] != key:
            K, P = self._KP(p)
            F, J = self.lin.batch(x[None], np.array([K]), P[None])
            self._cache = (key, F[0], J[0])
        return self._cache[1], self._cache[2]

    def f(self, x, p):
        return self._FJ(x, p)[0].copy()

    def jac(self, x, p):
        return self._FJ(x, p)[1].copy()

    def jac_p(self, x, p):
        K, P = self._KP(p)
        return param_derivative(self.lin, np.asarray(x, float), K, P, self._which)

    def _step(self, x):
        return 1.0 + float(np.max(np.abs(x)))

    def d2(self, x, p, u, v):
        """``D^2 F(x)[u, v]``: central difference of ``J u`` along ``v``."""
        x, u, v = (np.asarray(a, float) for a in (x, u, v))
        nv = float(np.max(np.abs(v)))
        if nv == 0 or not np.any(u):
            return np.zeros(self.n)
        h = 1e-5 * self._step(x)
        e = v * (h / nv)
        return (self.jac(x + e, p) - self.jac(x - e, p)) @ u * (nv / (2 * h))

    def d3(self, x, p, u, v, w):
        """``D^3 F(x)[u, v, w]``: second central difference of ``J u`` along ``v`` and ``w``."""
        x, u, v, w = (np.asarray(a, float) for a in (x, u, v, w))
        nv, nw = float(np.max(np.abs(v))), float(np.max(np.abs(w)))
        if nv == 0 or nw == 0 or not np.any(u):
            return np.zeros(self.n)
        h = 1e-4 * self._step(x)
        a, b = v * (h / nv), w * (h / nw)
        J = self.jac
        D = J(x + a + b, p) - J(x + a - b, p) - J(x - a + b, p) + J(x - a - b, p)
        return D @ u * (nv * nw / (4 * h * h))

    B = ContinuationProblem.B
    C = ContinuationProblem.C

    # -- scales ---------------------------------------------------------------------------
    def _given(self, bounds):
        """``(flat index, low, high)`` of the states given bounds."""
        names = self.model.state_names
        return [(names.index(s), float(b[0]), float(b[1]))
                for s, b in check_names(bounds, names, "state_bounds").items()]

    def state_widths(self, bounds=None):
        """Widths scaling the steps: given bounds, else those of the node model's states
        (declared bounds, else natural sizes of the uncoupled node)."""
        from ..scales import state_widths

        out = np.tile(state_widths(self.net.node_model), self.net.n_nodes)
        for i, lo, hi in self._given(bounds):
            out[i] = hi - lo
        return out

    def search_box(self, bounds=None):
        """(low, high) of the box searched for equilibria: given bounds, else each node's."""
        from ..scales import search_box

        lo, hi = (np.tile(a, self.net.n_nodes) for a in search_box(self.net.node_model, None))
        for i, a, b in self._given(bounds):
            lo[i], hi[i] = a, b
        return lo, hi


def delayed_diagram(net, model, param, opts, *, params=None, inputs=None, start=None,
                    switch_branches=True, cycles=False, n_roots=None, progress=None):
    """The diagram of a network: its branches from the assembled ``F`` and ``J``.

    Parameters
    ----------
    net : Network
    model : Model
        ``net.to_model()`` (names of states and parameters; not compiled).
    param : str
        Free parameter of the flat model (a node or network parameter, e.g. the
        gain ``K`` or ``speed``).
    opts : ContinuationOptions
    params, inputs, start, switch_branches, progress
        As for :func:`nmanalysis.continuation`; ``start`` may also be an array
        of shape (k, n), one start per row. Without ``start`` the equilibria at
        the start value are found from starts in the box and starts with every
        node in the same state.
    cycles : bool
        Periodic orbits: for a network without delays of at most
        :data:`MAX_FLAT_STATES` states only (its flat model is then compiled).
    n_roots : int, optional
        Characteristic roots per point of a network with delays (default: the
        number of states, at least 6, at most 16).

    Returns
    -------
    tree : xarray.DataTree or None
        As :func:`nmanalysis.continuation`; with delays, ``roots_converged`` on
        every branch and the delays in ``attrs``. None only for ``cycles=True``
        without delays: the diagram is then the flat model's.
    start : ndarray of shape (k, n) or as given
        The starts used (to continue the flat model from, when ``tree`` is None).
    """
    with OneBlasThread():       # matrices of a few hundred rows: BLAS threads only wait
        return _diagram(net, model, param, opts, params=params, inputs=inputs, start=start,
                        switch_branches=switch_branches, cycles=cycles, n_roots=n_roots,
                        progress=progress)


def _diagram(net, model, param, opts, *, params, inputs, start, switch_branches, cycles,
             n_roots, progress):
    delayed = has_delays(net)
    if cycles and delayed:
        raise OptionsError("periodic orbits of a network with delays are not computed; use "
                           "cycles=False (the Hopf points of the delay equation are "
                           "located), or simulate the network")
    if cycles and model.n_states > MAX_FLAT_STATES:
        raise OptionsError(
            f"periodic orbits of a network are continued on its flat model, compiled "
            f"symbolically; {net.n_nodes} nodes ({model.n_states} states, more than "
            f"{MAX_FLAT_STATES}) would take minutes to compile. Use cycles=False (equilibria, "
            "folds, branch and Hopf points of any network), or simulate the network")
    if not delayed and n_roots is not None:
        raise OptionsError("`n_roots` applies to networks with delays only")
    if delayed:
        _check_delayed_size(net, param)
    others = {k: v for k, v in (params or {}).items() if k != param}
    problem = NetworkProblem(net, param, params=others, inputs=inputs)
    if start is None:
        start = network_seeds(net, model, param, opts, params=params, problem=problem)
        if start is None:
            raise NoStartError(f"no equilibrium of the network found at {param} = "
                               f"{float((params or {}).get(param, opts.p_range[0]))}; pass "
                               "`start` or widen `state_bounds`")
    if cycles:
        return None, start
    speed = param == "speed" and net.distances is not None
    if speed and opts.p_range[0] <= 0:
        raise OptionsError(f"`p_range` of `speed` must be positive (delays are distances / "
                           f"speed); got {opts.p_range}")
    tree, problem, p0 = equilibrium_branches(model, param, opts, params=params, start=start,
                                             switch_branches=switch_branches, problem=problem)
    options = {"free_parameter": param, "p_range": list(opts.p_range), "start_value": p0}
    if not delayed:
        attrs = provenance(model, analysis="continuation", fixed_params=problem.fixed,
                           method=_METHOD, options={**options, **_step_options(opts)})
        attrs.update(delay_attrs(net))
        attrs["stability"] = "Jacobian eigenvalues (no positive delay)"
        return tree_with_provenance(tree, attrs), start
    n_roots = check_n_roots(n_roots, model.n_states)
    if speed:
        nodes, rows, m = _speed_lines(net, model, tree, problem, opts, n_roots, progress)
        method = ("equilibria constant in speed; characteristic roots on a grid of speeds, "
                  "Hopf points by Newton on (v, omega, speed)")
        extra = {"n_points": m}
    else:
        nodes, rows = _delayed_branches(net, model, param, tree, problem, n_roots, progress)
        method = (_METHOD + " for the delay-free equilibria; characteristic roots of the "
                  "delayed linearisation, Hopf points by Newton on (v, omega, p)")
        extra = _step_options(opts)
    nodes["special_points"] = _special_points(model, param, tree["special_points"], rows,
                                              keep_flat=not speed)
    attrs = provenance(model, analysis="continuation", fixed_params=problem.fixed,
                       method=method, options={**options, **extra})
    attrs.update(delay_attrs(net))
    attrs["stability"] = "characteristic roots of the delayed linearisation"
    attrs["n_roots"] = n_roots
    return tree_with_provenance(nodes, attrs), start


def _check_delayed_size(net, param):
    """OptionsError when the dense delayed linearisation is too large to take its roots
    at every point of a branch."""
    W = net.weights != 0
    D = net.delays()
    m = np.unique(D[W & (D > 0)]).size
    size = net.n_states ** 2 * (1 + m)
    if size > MAX_DELAYED_ENTRIES:
        raise OptionsError(
            f"the delayed linearisation of this network has {net.n_states} states and {m} "
            f"distinct delays ({size} matrix entries, more than {MAX_DELAYED_ENTRIES}): its "
            f"characteristic roots are not computed along a branch. Continue the network "
            f"without delays (same equilibria, folds and branch points), round `delays` to a "
            f"few values, or sweep {param!r} with fixed_points(network, params={{{param!r}: "
            "values}})")


_METHOD = ("pseudo-arclength (tangent predictor, bordered Newton) on the network's F and J "
           "assembled from the compiled node model")


def _step_options(opts):
    return {"ds": opts.ds, "ds_min": opts.ds_min, "ds_max": opts.ds_max, "tol": opts.tol,
            "max_points": opts.max_points}


def network_seeds(net, model, param, opts, *, params=None, inputs=None, problem=None):
    """Equilibria at the start value: starts spread over the box plus synchronous starts.

    ``max(128, min(32 n, 512))`` starts (a Halton set up to 30 states, seeded
    uniform beyond) and starts with every node in the same state, polished by
    the damped Newton of ``fixed_points(network)`` on the assembled ``F`` and ``J``
    (:func:`~nmanalysis.analysis.network_linear.newton_batch`). Returns an
    array of shape (k, n), one equilibrium per row, or None.
    """
    if problem is None:
        others = {k: v for k, v in (params or {}).items() if k != param}
        problem = NetworkProblem(net, param, params=others, inputs=inputs)
    p0 = float((params or {}).get(param, opts.p_range[0]))
    lo, hi = problem.search_box(opts.state_bounds or None)
    n = model.n_states
    k = max(128, min(32 * n, SEED_STARTS))
    spread = (low_discrepancy(k, n, 0) if n <= HALTON_STATES
              else np.random.default_rng(0).random((k, n)))
    starts = np.vstack([lo + spread * (hi - lo), synchronous_starts(net, lo, hi, 0)])
    K, P = problem._KP(p0)
    lin = problem.lin

    def fun(X, rows, jac=True):
        return lin.batch(X, np.full(X.shape[0], K), np.broadcast_to(P, (X.shape[0],) + P.shape),
                         jac)

    chunk = int(max(1, min(len(starts), 4e6 // (n * n))))
    found = []
    for a in range(0, len(starts), chunk):
        X, status, _ = newton_batch(fun, starts[a:a + chunk], 1e-13, 50)
        X = X[status == 1]
        if not X.size:
            continue
        F, J = fun(X, None)
        for y, f, Jy in zip(X, F, J):
            if not (np.all(np.isfinite(y)) and np.all((y >= lo) & (y <= hi))):
                continue
            if np.max(np.abs(f)) > 1e-9 * (np.max(np.abs(Jy) @ np.abs(y)) + 1):
                continue
            if not any(np.all(np.abs(y - z) <= 1e-7 * np.maximum(1, np.abs(y))) for z in found):
                found.append(y)
    return np.array(found) if found else None


def _roots_along(net, fixed, param, pvals, X, n_roots, progress, label):
    from ...progress import progress_bar

    lin = network_linear(net)
    m = len(pvals)
    lam = np.full((m, n_roots), np.nan + 0j)
    nu = np.zeros(m, np.int64)
    kinds = np.empty(m, dtype=object)
    ok = np.ones(m, bool)
    with progress_bar(m, label, progress) as bar:
        for k in range(m):
            A0, taus, As = lin.delay_split(X[k], network_values(net, {**fixed,
                                                                      param: pvals[k]}))
            if not np.any(As):             # no delayed term left (e.g. zero gain): an ODE
                taus, As = taus[:0], As[:0]
            lam[k], nu[k], kinds[k], ok[k] = characteristic_roots(A0, taus, As, n_roots)
            bar.update(1)
    warn_unconfirmed(ok, "continuation")
    return lam, nu, ok


def _hopf_rows(net, fixed, param, pvals, lam, nu, branch, equilibrium):
    """The delayed Hopf points between consecutive points of one branch.

    ``equilibrium(k, p)`` is the equilibrium at ``p`` between points ``k`` and
    ``k + 1``. A Newton solve that lands outside its bracket (it found a
    neighbouring crossing) is retried on quarters of the bracket, twice at most;
    what is still outside is kept with status ``bracketed``.
    """
    lin = network_linear(net)
    rows = []
    for k in np.flatnonzero(nu[1:] != nu[:-1]):
        def system(p, k=k):
            return lin.delay_split(equilibrium(k, p), network_values(net, {**fixed, param: p}))

        for h in _locate_between(system, pvals[k], pvals[k + 1], lam[k], lam[k + 1], nu[k],
                                 nu[k + 1], lam.shape[1], 0):
            if any(abs(r["p"] - h.p) <= 1e-9 * (1 + abs(h.p))
                   and abs(r["omega"] - h.omega) <= 1e-9 * (1 + h.omega) for r in rows):
                continue
            rows.append({"type": "HB", "p": h.p, "x": equilibrium(k, h.p), "branch": branch,
                         "status": "located" if h.converged else "bracketed",
                         "precision": 0.0 if h.converged else abs(pvals[k + 1] - pvals[k]),
                         "omega": h.omega, "l1": np.nan, "crit": ""})
    return [r for r in rows if r["status"] == "located" or not any(
        o["status"] == "located" and abs(o["p"] - r["p"]) <= 1e-9 * (1 + abs(r["p"]))
        for o in rows)]


def _locate_between(system, p0, p1, lam0, lam1, nu0, nu1, n_roots, depth):
    """Hopf points (DelayHopf) where the count of unstable roots changes on [p0, p1]."""
    i = int(min(nu0, nu1))                 # the root (rightmost first) that crosses
    if nu0 == nu1 or nu0 < 0 or nu1 < 0:
        return []
    if i >= min(lam0.size, lam1.size):     # beyond the roots reported: compute more
        n_roots = int(max(nu0, nu1)) + 2
        lam0, lam1 = (characteristic_roots(*system(p), n_roots)[0] for p in (p0, p1))
    r0, r1 = lam0[i].real, lam1[i].real
    if not (np.isfinite(r0) and np.isfinite(r1) and r0 * r1 < 0):
        return []
    if abs(lam0[i].imag) < 1e-9 and abs(lam1[i].imag) < 1e-9:
        return []                          # a real root: an LP or BP of the flat model
    h = locate_hopf(system, p0, p1, r0, r1, count=max(4, n_roots))
    if h is None or h.converged or depth >= 2:
        return [] if h is None else [h]
    ps = np.linspace(p0, p1, 5)
    spec = [(lam0, nu0)] + [characteristic_roots(*system(p), n_roots)[:2]
                            for p in ps[1:-1]] + [(lam1, nu1)]
    out = []
    for j in range(4):
        out += _locate_between(system, ps[j], ps[j + 1], spec[j][0], spec[j + 1][0],
                               spec[j][1], spec[j + 1][1], n_roots, depth + 1)
    return out or [h]


def _with_roots(ds, lam, nu, ok, model, n_roots):
    new = root_variables(lam, nu, np.full(nu.shape, ""), ok, ("point",), model)
    del new["kind"]
    ds = ds.drop_vars([v for v in ("eig_real", "eig_imag", "eig") if v in ds.variables])
    return ds.assign_coords(eig=eig_coord(n_roots)).assign(new)


def _delayed_branches(net, model, param, tree, problem, n_roots, progress):
    """Every flat branch with the delayed roots along it; the delayed Hopf points."""
    nodes, rows = {}, []
    for path, ds in tree.items():
        if not path.startswith("equilibria/"):
            continue
        pvals = ds[param].values
        X = np.stack([ds[s].values for s in model.state_names], axis=-1)
        lam, nu, ok = _roots_along(net, problem.fixed, param, pvals, X, n_roots, progress,
                                   f"roots along {path}")

        def equilibrium(k, p, X=X, pvals=pvals):
            dp = pvals[k + 1] - pvals[k]
            guess = X[k] + ((p - pvals[k]) / dp if dp else 0.0) * (X[k + 1] - X[k])
            return newton(lambda y: (problem.f(y, p), problem.jac(y, p)), guess, tol=1e-14,
                          max_iter=30, residual_tol=1e-14).x

        rows += _hopf_rows(net, problem.fixed, param, pvals, lam, nu, path, equilibrium)
        nodes[path] = _with_roots(ds, lam, nu, ok, model, n_roots)
    return nodes, rows


def _speed_lines(net, model, tree, problem, opts, n_roots, progress):
    """Lines of constant equilibria in ``speed`` with their stability changes."""
    lo, hi = opts.p_range
    m = 1 + int(np.ceil(2.0 / opts.ds_max))
    pvals = 1.0 / np.linspace(1.0 / lo, 1.0 / hi, m)      # evenly spaced delays
    info = model.param_info["speed"]
    nodes, rows = {}, []
    for path, flat in tree.items():
        if not path.startswith("equilibria/"):
            continue
        x0 = np.array([float(flat[s].values[0]) for s in model.state_names])
        X = np.repeat(x0[None, :], m, axis=0)
        lam, nu, ok = _roots_along(net, problem.fixed, "speed", pvals, X, n_roots, progress,
                                   f"roots along {path}")
        rows += _hopf_rows(net, problem.fixed, "speed", pvals, lam, nu, path,
                           lambda k, p, x=x0: x)
        ds = flat.isel(point=np.zeros(m, int)).drop_vars("point")
        ds = ds.assign_coords(point=("point", np.arange(m), {"long_name": "point index",
                                                              "units": "1"}))
        ds["speed"] = ("point", pvals, {"long_name": info.description or "speed",
                                        "units": info.units})
        ds["arclength"] = ("point", (pvals - lo) / (hi - lo),
                           {"long_name": "scaled arclength", "units": "1"})
        ds.attrs.update(stop_reason_start_side="end of p_range",
                        stop_reason_end_side="end of p_range",
                        note="equilibrium constant in speed; points evenly spaced in 1/speed")
        nodes[path] = _with_roots(ds, lam, nu, ok, model, n_roots)
    return nodes, rows, m


def _special_points(model, param, flat, rows, keep_flat):
    """The flat model's LP and BP (``keep_flat``) with the delayed Hopf points."""
    import xarray as xr

    parts = []
    if keep_flat:
        parts.append(flat.isel(special=np.flatnonzero(flat["type"].values != "HB")))
    if rows or not parts:
        parts.append(special_dataset(model, param, rows))
    both = parts[0] if len(parts) == 1 else xr.concat(
        parts, dim="special", data_vars="all", coords="minimal", combine_attrs="override")
    order = np.lexsort((both[param].values, both["branch"].values))
    both = both.isel(special=order)
    return both.assign_coords(special=("special", np.arange(both.sizes["special"]),
                                       {"long_name": "special point index", "units": "1"}))
