"""Stability of the equilibria of delayed networks: characteristic roots where eigenvalues were.

Equilibria of a :class:`~nmanalysis.model.network.Network` do not depend on
its delays: they are those of the delay-free network, whose right-hand side
and Jacobian are assembled from the compiled node model
(:mod:`nmanalysis.analysis.network_linear`; the flat model of
:meth:`Network.to_model` only names states and parameters). Their stability
does: at an equilibrium ``x*`` the linearised network is ``u' = A0 u + sum_k A_k u(t - tau_k)``
(:meth:`Network.delay_linearization`), stable exactly when every root of

    det(lambda I - A0 - sum_k A_k exp(-lambda tau_k)) = 0

has negative real part. This module puts those roots (from
:func:`~nmanalysis.analysis.delay_stability.delay_eigenvalues`) where the
ordinary analyses put Jacobian eigenvalues:

- :func:`network_fixed_points_stability`, used by ``fixed_points(network)``;
- :func:`network_stability`, used by ``stability(network, state)``;
- and by ``continuation(network, param)``
  (:mod:`nmanalysis.analysis.continuation.network`): the branches of the flat
  model with the delayed roots along them and the Hopf points of the delay
  equation (the flat model's own Hopf points do not apply).

A network without any positive delay is an ordinary ODE: its eigenvalues are
those of the assembled Jacobian.

*Large networks.* Written densely, the delayed linearisation has ``n^2 (1 +
m)`` entries (``m`` distinct delays): about 80 million for 80 nodes with
thousands of distinct delays. Above 250 000 entries the delayed part is kept
as a list of entries instead (:func:`network_delay_system`, one per edge and
receiving state) and the roots come from
:func:`~nmanalysis.analysis.delay_spectrum_sparse.sparse_delay_roots`: the
same collocation degrees and Newton polishing, the generator's eigenvalues
found by shift-and-invert Arnoldi without forming it, and argument-principle
counts of the roots right of the imaginary axis (so ``n_unstable`` is exact
and checked against the roots found) and right of a line just left of the
rightmost root. ``roots_converged`` then also requires the counts to agree;
``roots_complete_right_of`` records the line right of which every root was
found.

*How many roots.* A delay equation has infinitely many characteristic roots;
the ``n_roots`` rightmost are reported on dim ``eig`` (default: the number of
states, but at least 6 and at most 16). ``n_unstable`` always counts every
root with positive real part: while all roots computed are unstable, more are
computed (up to 256). ``kind`` is named, as for an ODE, from the ``min(n,
16)`` rightmost roots (``n`` the number of states: for up to 16 states all
``n``, as an ODE's ``n`` eigenvalues), with the first stable root added when
those are all unstable: an unstable delayed equilibrium is a saddle or
saddle-focus (a delay equation has infinitely many stable roots), never an
"unstable node"; a "node" has only real roots among those, a "focus" a complex
pair among them.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ConvergenceWarning, OptionsError
from ..results.attrs import json_attr
from ..results.conventions import rate_units
from .delay_spectrum_sparse import OneBlasThread, SparseDelaySystem, sparse_delay_roots
from .delay_stability import characteristic_matrix, delay_eigenvalues
from .kinds import KINDS, classify
from .network_linear import network_linear

__all__ = ["has_delays", "network_values", "characteristic_roots", "check_n_roots",
           "delay_attrs", "root_variables", "eig_coord", "warn_unconfirmed",
           "network_fixed_points_stability", "network_stability", "network_delay_system"]

#: most roots computed while looking for the first stable one
_MAX_ROOTS = 256
#: the kind is named from this many rightmost roots (all ``n`` when ``n`` is smaller)
_KIND_ROOTS = 16
#: dense linearisations with more entries n^2 (1 + distinct delays) go the sparse way
_SPARSE_ABOVE = 250_000


def has_delays(net) -> bool:
    """True when some edge of nonzero weight has a positive delay (at any speed)."""
    W = net.weights != 0
    if net.distances is not None:
        return bool(np.any(net.distances[W] > 0))
    return bool(np.any(net.delays()[W] > 0))


def network_values(net, values) -> dict:
    """Parameters of the flat model (name -> number) as network / node parameters.

    Per-node parameters appear in the flat model as ``<param>_<node>``; they
    are gathered back into arrays of shape (N,) for
    :meth:`~nmanalysis.model.network.Network.delay_linearization`.
    """
    out = {}
    for k in net.network_params:
        if k in values:
            out[k] = float(values[k])
    hetero = set(net.heterogeneous)
    N = net.n_nodes
    for k in net.node_params:
        if k in hetero:
            names = [f"{k}_{i}" for i in range(N)]
            if all(nm in values for nm in names):
                out[k] = np.array([float(values[nm]) for nm in names])
        elif k in values:
            out[k] = float(values[k])
    return out


def check_n_roots(n_roots, n):
    """``n_roots`` checked (OptionsError), or its default for ``n`` states."""
    if n_roots is None:
        return max(6, min(n, 16))
    if not (isinstance(n_roots, (int, np.integer)) and not isinstance(n_roots, bool)
            and 1 <= n_roots <= _MAX_ROOTS):
        raise OptionsError(f"`n_roots` must be a whole number in [1, {_MAX_ROOTS}]; got "
                           f"{n_roots!r}")
    return int(n_roots)


def characteristic_roots(A0, taus=None, As=None, n_roots=6, *, tol=1e-12, kind_tol=1e-9,
                         details=False):
    """The ``n_roots`` rightmost roots, the exact count of unstable ones, and the kind.

    Parameters
    ----------
    A0, taus, As : ndarray
        The delayed linearisation (see
        :meth:`~nmanalysis.model.network.Network.delay_linearization`), or a
        :class:`~nmanalysis.analysis.delay_spectrum_sparse.SparseDelaySystem`
        as ``A0`` (``taus`` and ``As`` None): the way for large networks.
    n_roots : int
        Roots reported.
    tol : float
        Newton tolerance of the roots.
    kind_tol : float
        Tolerance of :func:`~nmanalysis.analysis.stability.classify`.
    details : bool
        Also return a dict with ``unstable_counted`` (the count of unstable
        roots was confirmed by the argument principle; sparse way only) and
        ``complete_right_of`` (every root right of this real part was found;
        NaN when not established).

    Returns
    -------
    roots : ndarray of shape (n_roots,), complex
        Rightmost first (NaN-padded when the equation has fewer roots).
    n_unstable : int
        Roots with real part above ``kind_tol * max(1, |lambda|)``; more roots
        than ``n_roots`` are computed while all of those are unstable.
    kind : str
        Named (:data:`~nmanalysis.analysis.stability.KINDS`) from the
        ``min(n, 16)`` rightmost roots (``n`` the number of states), or more
        when all of those are unstable: then the first stable one is included.
    converged : bool
        Every root computed was confirmed (see :func:`delay_eigenvalues`). On
        the sparse way: every root reported, and the counts of roots right of
        the axis and of a line left of the rightmost root agreed (see
        :func:`~nmanalysis.analysis.delay_spectrum_sparse.sparse_delay_roots`);
        roots computed beyond ``n_roots`` only to name the kind may be left
        unconfirmed where the spectrum is dense.

    Examples
    --------
    >>> import numpy as np
    >>> lam, nu, kind, ok = characteristic_roots([[-1.0]], [1.0], [[[-2.0]]], 2)
    >>> np.round(lam, 6).tolist(), nu, kind, ok
    ([(-0.092484+1.997283j), (-0.092484-1.997283j)], 0, 'stable focus', True)

    The same equation as a sparse system:

    >>> from nmanalysis.analysis.delay_spectrum_sparse import SparseDelaySystem
    >>> s = SparseDelaySystem.from_entries([[-1.0]], [1.0], [0], [0], [-2.0])
    >>> lam2, nu2, kind2, ok2 = characteristic_roots(s, n_roots=2)
    >>> bool(np.allclose(lam2, lam, atol=1e-12)), nu2, kind2, ok2
    (True, 0, 'stable focus', True)
    """
    if isinstance(A0, SparseDelaySystem):
        if taus is not None or As is not None:
            raise OptionsError("with a SparseDelaySystem as `A0`, leave `taus` and `As` None")
        out = _sparse_characteristic_roots(A0, n_roots, tol, kind_tol)
        return out if details else out[:4]
    n = np.shape(A0)[0]
    kind_count = min(n, _KIND_ROOTS)
    count = max(n_roots, kind_count)
    degree = None
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            spec = delay_eigenvalues(A0, taus, As, count=count, tol=tol, min_degree=degree)
        degree = spec.degree or None
        roots = spec.roots
        last = roots[-1] if roots.size else 0j
        if (roots.size < count or last.real <= kind_tol * max(1.0, abs(last))
                or count >= _MAX_ROOTS):
            break
        count = min(_MAX_ROOTS, 2 * count)
    ok = bool(np.all(spec.converged))
    if roots.size == 0:
        out = np.full(n_roots, np.nan + 0j), -1, KINDS[-1], False
        return (*out, {"unstable_counted": False, "complete_right_of": np.nan}) if details else out
    _, _, nu = classify(roots[None, :], kind_tol)
    nu = int(nu[0])
    code, _, _ = classify(roots[None, :max(kind_count, nu + 1)], kind_tol)
    out = np.full(n_roots, np.nan + 0j)
    out[:min(n_roots, roots.size)] = roots[:n_roots]
    res = out, nu, KINDS[int(code[0])], ok
    if details:
        return (*res, {"unstable_counted": False, "complete_right_of": np.nan})
    return res


def _sparse_characteristic_roots(system, n_roots, tol, kind_tol):
    """:func:`characteristic_roots` of a SparseDelaySystem (and its details dict)."""
    kind_count = min(system.n, _KIND_ROOTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        spec = sparse_delay_roots(system, count=max(n_roots, kind_count), tol=tol)
    roots = spec.roots
    info = {"unstable_counted": spec.unstable_counted,
            "complete_right_of": spec.complete_right_of}
    if roots.size == 0:
        return np.full(n_roots, np.nan + 0j), -1, KINDS[-1], False, info
    # every root right of the axis is among ``roots`` (when counted, confirmed so)
    _, _, nu = classify(roots[None, :], kind_tol)
    nu = int(nu[0])
    code, _, _ = classify(roots[None, :max(kind_count, nu + 1)], kind_tol)
    if not spec.unstable_counted:
        # roots were missed (or the count failed): the count, when it succeeded, is exact,
        # and no kind is named from an incomplete set
        nu = spec.n_unstable if spec.n_unstable > nu else nu
        code = [KINDS.index("not converged")]
    out = np.full(n_roots, np.nan + 0j)
    out[:min(n_roots, roots.size)] = roots[:n_roots]
    # confirmed: the roots reported (the counts are part of each root's flag)
    return out, nu, KINDS[int(code[0])], bool(np.all(spec.converged[:n_roots])), info


def delay_attrs(net) -> dict:
    """What the delays were: their source, range and (networks of <= 10 nodes) matrix.

    A network built from distances records the distances and its own
    ``speed``; the delay range is at that speed (a swept ``speed`` is a
    coordinate of the result).
    """
    W = net.weights != 0
    D = net.delays()
    d = D[W & (D > 0)]
    rng = json_attr([float(d.min()), float(d.max())] if d.size else [0.0, 0.0])
    small = net.n_nodes <= 10
    if net.distances is None:
        attrs = {"delays_from": "delays", "delay_range": rng}
        if small:
            attrs["delays"] = json_attr(D.tolist())
        return attrs
    attrs = {"delays_from": "distances / speed", "network_speed": net.network_params["speed"],
             "delay_range_at_network_speed": rng}
    if small:
        attrs["distances"] = json_attr(net.distances.tolist())
    return attrs


def root_variables(lam, nu, kinds, ok, dims, model):
    """Dataset variables ``eig_real``, ``eig_imag`` (dims + ``eig``), ``stable``,
    ``n_unstable``, ``kind``, ``roots_converged`` (dims) from stacked root results."""
    from ..results.conventions import rate_units

    units = rate_units(model)
    return {
        "eig_real": ((*dims, "eig"), lam.real, {
            "long_name": "real part of characteristic root (delayed linearisation)",
            "units": units}),
        "eig_imag": ((*dims, "eig"), lam.imag, {
            "long_name": "imaginary part of characteristic root (delayed linearisation)",
            "units": units}),
        "stable": (dims, nu == 0, {"long_name": "linearly stable (all roots Re < 0)",
                                   "units": "1"}),
        "n_unstable": (dims, nu.astype(np.int16), {
            "long_name": "number of characteristic roots with Re > 0 (-1: none)",
            "units": "1"}),
        "kind": (dims, kinds, {"long_name": "kind of equilibrium", "units": "1",
                               "description": f"one of {', '.join(KINDS[:-1])}; '' for "
                                              "padding"}),
        "roots_converged": (dims, ok, {
            "long_name": "characteristic roots confirmed at two collocation degrees",
            "units": "1"}),
    }


def eig_coord(n_roots):
    """The ``eig`` coordinate of characteristic roots."""
    return ("eig", np.arange(n_roots),
            {"long_name": "characteristic root index (rightmost first)", "units": "1"})


def warn_unconfirmed(ok, where):
    """One ConvergenceWarning for the roots not confirmed (``ok`` False)."""
    bad = int(np.sum(~ok))
    if bad:
        warnings.warn(f"{where}: the characteristic roots of {bad} equilibria were not "
                      "confirmed at two collocation degrees (see `roots_converged`); pass a "
                      "smaller `n_roots`", ConvergenceWarning, stacklevel=4)


def network_delay_system(net, state, values=None, *, decimals=None):
    """The delayed linearisation at ``state`` as a :class:`SparseDelaySystem`.

    One delayed entry per edge and receiving state: node ``i``'s states ``a``
    read the source state of node ``j`` delayed by ``D_ij``, with value
    ``df_a/dtarget * K W_ij dh/dpre``. The same equation as
    :meth:`NetworkLinear.delay_split` gives densely, without its
    ``(m, n, n)`` array.

    Parameters
    ----------
    net : Network
    state : array_like of shape (n,)
        Flat state (node-major).
    values : dict, optional
        Network and node parameter values (as :func:`network_values` returns).
    decimals : int, optional
        Round delays to this many decimals first.

    Returns
    -------
    SparseDelaySystem

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.model.network import Network
    >>> W = np.array([[0.0, 1.0], [0.5, 0.0]])
    >>> net = Network(nma.get_model("wilson_cowan"), W, delays=[[0.0, 2.0], [3.0, 0.0]])
    >>> s = network_delay_system(net, np.full(4, 0.1), {"K": 0.7})
    >>> A0, taus, As = net.delay_linearization(np.full(4, 0.1), {"K": 0.7})
    >>> B0, btaus, Bs = s.to_dense()
    >>> bool(np.allclose(A0, B0) and np.allclose(taus, btaus) and np.allclose(As, Bs))
    True
    """
    lin = network_linear(net)
    A0, G, dpre, d = lin.edge_terms(state, values, decimals=decimals)
    N, ns, src = lin.N, lin.ns, lin.src
    vals = G[lin.ii] * dpre[:, None]                                  # (E, ns)
    rows = lin.ii[:, None] * ns + np.arange(ns)[None, :]
    cols = np.broadcast_to((lin.jj * ns + src)[:, None], rows.shape)
    delays = np.broadcast_to(d[:, None], rows.shape)
    keep = vals != 0
    return SparseDelaySystem.from_entries(A0.reshape(N * ns, N * ns), delays[keep], rows[keep],
                                          cols[keep], vals[keep])


def _use_sparse(net, speed=None, method="auto"):
    """Whether the roots are computed the sparse way (``method`` "auto", "dense", "sparse")."""
    if method not in ("auto", "dense", "sparse"):
        raise OptionsError(f"`roots_method` must be one of 'auto', 'dense', 'sparse'; got "
                           f"{method!r}")
    if method != "auto":
        return method == "sparse"
    return _delayed_size(net, speed) > _SPARSE_ABOVE


def network_fixed_points_stability(net, model, ds, P, *, n_roots=None, kind_tol=1e-9,
                                   tol=1e-12, roots_method="auto"):
    """Replace the ODE eigenvalues of ``fixed_points(network)`` by delayed characteristic roots.

    Parameters
    ----------
    net : Network
    model : Model
        ``net.to_model()`` (the model ``ds`` was computed with).
    ds : xarray.Dataset
        The ``fixed_points`` result of the flat model.
    P : ndarray of shape (n_params + n_inputs, B)
        The flat model's parameter values per sweep row (C order of the sweep dims).
    n_roots : int, optional
        Roots reported per equilibrium (default: the number of states, at
        least 6, at most 16).
    roots_method : {"auto", "dense", "sparse"}
        Dense ``(A0, taus, As)`` or the sparse way (see the module notes);
        "auto" takes the sparse way above 250 000 dense entries.

    Returns
    -------
    xarray.Dataset
        ``eig_real``/``eig_imag`` on dim ``eig`` of size ``n_roots``, ``stable``,
        ``n_unstable``, ``kind`` from the roots, ``roots_converged``, the
        delays in ``attrs``; the sparse way adds ``roots_complete_right_of``.
    """
    n = model.n_states
    n_roots = check_n_roots(n_roots, n)
    ds.attrs.update(delay_attrs(net))
    if not has_delays(net):
        ds.attrs["stability"] = "Jacobian eigenvalues (no positive delay)"
        return ds
    fdims = tuple(d for d in ds["converged"].dims)
    shape = ds["converged"].shape
    F = shape[-1]
    B = int(np.prod(shape[:-1], dtype=int))
    conv = ds["converged"].values.reshape(B, F)
    X = np.stack([ds[s].values.reshape(B, F) for s in model.state_names], axis=-1)
    lam = np.full((B, F, n_roots), np.nan + 0j)
    nu = np.full((B, F), -1, dtype=np.int64)
    kinds = np.full((B, F), "", dtype=object)
    ok = np.ones((B, F), bool)
    line = np.full((B, F), np.nan)
    names = list(model.param_names)
    lin = network_linear(net)
    sparse_any = False
    for b in range(B):
        if not conv[b].any():
            continue
        vals = network_values(net, {k: P[i, b] for i, k in enumerate(names)})
        sparse = _use_sparse(net, vals.get("speed"), roots_method)
        sparse_any |= sparse
        for f in np.flatnonzero(conv[b]):
            if sparse:
                system = network_delay_system(net, X[b, f], vals)
                lam[b, f], nu[b, f], kinds[b, f], ok[b, f], info = characteristic_roots(
                    system, n_roots=n_roots, tol=tol, kind_tol=kind_tol, details=True)
                line[b, f] = info["complete_right_of"]
            else:
                A0, taus, As = lin.delay_split(X[b, f], vals)
                lam[b, f], nu[b, f], kinds[b, f], ok[b, f] = characteristic_roots(
                    A0, taus, As, n_roots, tol=tol, kind_tol=kind_tol)
    warn_unconfirmed(ok[conv], "fixed_points")
    ds = ds.drop_vars(["eig_real", "eig_imag", "eig"])
    new = root_variables(lam.reshape(*shape, n_roots), nu.reshape(shape),
                     kinds.reshape(shape).astype(str), (ok | ~conv).reshape(shape), fdims,
                     model)
    new["stable"] = (fdims, (nu == 0).reshape(shape) & conv.reshape(shape),
                     new["stable"][2])
    method = ("characteristic roots of the delayed linearisation (spectral discretisation of "
              "the infinitesimal generator, Newton-polished)")
    if sparse_any:
        new["roots_complete_right_of"] = (fdims, line.reshape(shape), {
            "long_name": "every characteristic root with a larger real part was found "
                         "(argument-principle count; NaN: not established)",
            "units": rate_units(model)})
        method += ("; large networks: sparse delayed terms, shift-and-invert Arnoldi on the "
                   "generator, unstable roots counted by the argument principle")
    ds = ds.assign_coords(eig=eig_coord(n_roots)).assign(new)
    ds["kind"].attrs["kind_tol"] = kind_tol
    ds.attrs["stability"] = method
    ds.attrs["n_roots"] = n_roots
    return ds


def _delayed_size(net, speed=None):
    """``n^2 (1 + m)``: entries of the matrices A0, A_1..A_m of the delayed linearisation."""
    D = net.delays(speed) if net.distances is not None else net.delays()
    m = np.unique(D[(net.weights != 0) & (D > 0)]).size
    return net.n_states ** 2 * (1 + m)


def network_stability(net, state, params=None, *, n_roots=None, tol=1e-9, jacobian=False,
                      roots_method="auto"):
    """Characteristic roots, null vectors and kind of a network at one (equilibrium) state.

    Parameters
    ----------
    net : Network
    state : array_like of shape (n,)
        Flat state, values in node-major order (``rE_0, rI_0, rE_1, ...``).
    params : dict, optional
        Flat-model parameter values (network parameters, shared node
        parameters, per-node ones as ``<param>_<node>``).
    n_roots : int, optional
        Roots reported (default: the number of states, at least 6, at most 16).
    tol : float
        Tolerance of :func:`~nmanalysis.analysis.stability.classify`.
    jacobian : bool
        Also return ``A0``, ``taus``, ``As`` (the sparse way: ``A0``, ``taus``,
        ``As`` None and ``system``, the
        :class:`~nmanalysis.analysis.delay_spectrum_sparse.SparseDelaySystem`).
    roots_method : {"auto", "dense", "sparse"}
        As for :func:`network_fixed_points_stability`.

    Returns
    -------
    dict
        As :func:`~nmanalysis.analysis.stability.stability`: ``eigenvalues`` (the
        rightmost characteristic roots), ``eigenvectors`` (null vectors of the
        characteristic matrix, columns, max-norm 1), ``kind``, ``stable``,
        ``n_unstable``, ``residual`` (``max |f|``), ``converged`` (roots confirmed),
        ``delays`` (the distinct delays), ``unstable_counted`` (the number of
        unstable roots was confirmed by an argument-principle count: the
        sparse way) and ``complete_right_of`` (every root right of this real
        part was found; NaN when not established).

    Examples
    --------
    A ring of 40 leaky nodes, each driven by its neighbour 3 time units
    earlier (the sparse way forced; "auto" would take it above 250 000 dense
    entries). Every root solves ``lambda + 1 = 0.9 w e^{-3 lambda}`` with ``w``
    a 40th root of unity (the ring's modes), so all are stable.

    >>> import numpy as np, nmanalysis as nma
    >>> leak = nma.Model("leak", states={"x": 0.0}, params={"I": 0.0},
    ...                  equations={"x": "-x + I"})
    >>> W = np.roll(np.eye(40), 1, axis=1)
    >>> net = nma.Network(leak, W, delays=3.0 * W, coupling="additive", source="x",
    ...                   target="I", params={"K": 0.9})
    >>> out = network_stability(net, np.zeros(40), n_roots=4, roots_method="sparse")
    >>> out["n_unstable"], out["unstable_counted"], out["kind"]
    (0, True, 'stable focus')
    """
    model = net.to_model()
    x = np.asarray(state, dtype=float)
    if x.shape != (model.n_states,):
        raise OptionsError(f"`state` must have {model.n_states} values "
                           f"{list(model.state_names)}; got shape {x.shape}")
    params = dict(params or {})
    bad = [k for k in params if k not in model.param_names]
    if bad:
        raise OptionsError(f"`params` got unknown name {bad[0]!r}; parameters are "
                           f"{list(model.param_names)}")
    n_roots = check_n_roots(n_roots, model.n_states)
    vals = network_values(net, {**{k: v for k, v in model.params.items()}, **params})
    lin = network_linear(net)
    if _use_sparse(net, vals.get("speed"), roots_method):
        system = network_delay_system(net, x, vals)
        lam, nu, kind, ok, info = characteristic_roots(system, n_roots=n_roots, kind_tol=tol,
                                                       details=True)
        A0, taus, As = system.A0, system.taus, None

        def matrix(z):
            return system.matrix(z)
    else:
        system = None
        A0, taus, As = lin.delay_split(x, vals)
        lam, nu, kind, ok, info = characteristic_roots(A0, taus, As, n_roots, kind_tol=tol,
                                                       details=True)

        def matrix(z):
            return characteristic_matrix(z, A0, taus, As)
    vec = np.full((model.n_states, n_roots), np.nan + 0j)
    with OneBlasThread():
        for k, z in enumerate(lam):
            if np.isfinite(z):
                _, _, vh = np.linalg.svd(matrix(z))
                v = vh[-1].conj()
                vec[:, k] = v / v[np.argmax(np.abs(v))]
    out = {"eigenvalues": lam, "eigenvectors": vec, "kind": kind, "stable": nu == 0,
           "n_unstable": nu, "residual": float(np.max(np.abs(lin.rhs(x, vals)))),
           "converged": ok, "delays": taus, **info}
    if jacobian:
        out.update(A0=A0, taus=taus, As=As)
        if system is not None:
            out["system"] = system
    return out
