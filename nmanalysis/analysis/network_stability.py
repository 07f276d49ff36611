"""Stability of the equilibria of delayed networks: characteristic roots where eigenvalues were.

Equilibria of a :class:`~nmanalysis.model.network.Network` do not depend on
its delays: they are those of the delay-free network, whose right-hand side
and Jacobian are assembled from the compiled node model
(:mod:`nmanalysis.analysis.network_linear`; the flat model of
:meth:`Network.to_model` only names states and parameters). Their stability does: at an equilibrium ``x*`` the
linearised network is ``u' = A0 u + sum_k A_k u(t - tau_k)``
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
those of the assembled Jacobian. A delayed linearisation with more than
4 000 000 matrix entries (``n^2 (1 + distinct delays)``, e.g. 80 nodes with
thousands of distinct delays) is too large for the root finder: ``fixed_points``
then leaves stability unknown (NaN roots, ``n_unstable`` -1, a
ConvergenceWarning) and ``stability`` raises OptionsError.

*How many roots.* A delay equation has infinitely many characteristic roots;
the ``n_roots`` rightmost are reported on dim ``eig`` (default: the number of
states, but at least 6 and at most 16). ``n_unstable`` always counts every
root with positive real part: while all roots computed are unstable, more are
computed (up to 256). ``kind`` is named, as for an ODE, from the ``n``
rightmost roots (``n`` the number of states), with the first stable root
added when those are all unstable: an unstable delayed equilibrium is a
saddle or saddle-focus (a delay equation has infinitely many stable roots),
never an "unstable node".
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ConvergenceWarning, OptionsError
from ..results.attrs import json_attr
from .delay_stability import characteristic_matrix, delay_eigenvalues, locate_hopf
from .kinds import KINDS, classify
from .network_linear import network_linear

__all__ = ["has_delays", "network_values", "characteristic_roots", "check_n_roots",
           "delay_attrs", "root_variables", "eig_coord", "warn_unconfirmed",
           "network_fixed_points_stability", "network_stability"]

#: most roots computed while looking for the first stable one
_MAX_ROOTS = 256


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


def characteristic_roots(A0, taus, As, n_roots, *, tol=1e-12, kind_tol=1e-9):
    """The ``n_roots`` rightmost roots, the exact count of unstable ones, and the kind.

    Parameters
    ----------
    A0, taus, As : ndarray
        The delayed linearisation (see
        :meth:`~nmanalysis.model.network.Network.delay_linearization`).
    n_roots : int
        Roots reported.
    tol : float
        Newton tolerance of the roots.
    kind_tol : float
        Tolerance of :func:`~nmanalysis.analysis.stability.classify`.

    Returns
    -------
    roots : ndarray of shape (n_roots,), complex
        Rightmost first (NaN-padded when the equation has fewer roots).
    n_unstable : int
        Roots with real part above ``kind_tol * max(1, |lambda|)``; more roots
        than ``n_roots`` are computed while all of those are unstable.
    kind : str
        Named (:data:`~nmanalysis.analysis.stability.KINDS`) from the ``n``
        rightmost roots (``n`` the number of states), or more when all of
        those are unstable: then the first stable one is included.
    converged : bool
        Every root computed was confirmed (see :func:`delay_eigenvalues`).

    Examples
    --------
    >>> import numpy as np
    >>> lam, nu, kind, ok = characteristic_roots([[-1.0]], [1.0], [[[-2.0]]], 2)
    >>> np.round(lam, 6).tolist(), nu, kind, ok
    ([(-0.092484+1.997283j), (-0.092484-1.997283j)], 0, 'stable focus', True)
    """
    n = np.shape(A0)[0]
    count = max(n_roots, n)
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
        return np.full(n_roots, np.nan + 0j), -1, KINDS[-1], False
    _, _, nu = classify(roots[None, :], kind_tol)
    nu = int(nu[0])
    code, _, _ = classify(roots[None, :max(n, nu + 1)], kind_tol)
    out = np.full(n_roots, np.nan + 0j)
    out[:min(n_roots, roots.size)] = roots[:n_roots]
    return out, nu, KINDS[int(code[0])], ok


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


def network_fixed_points_stability(net, model, ds, P, *, n_roots=None, kind_tol=1e-9,
                                   tol=1e-12):
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

    Returns
    -------
    xarray.Dataset
        ``eig_real``/``eig_imag`` on dim ``eig`` of size ``n_roots``, ``stable``,
        ``n_unstable``, ``kind`` from the roots, ``roots_converged``, and the
        delays in ``attrs``.
    """
    n = model.n_states
    n_roots = check_n_roots(n_roots, n)
    ds.attrs.update(delay_attrs(net))
    if not has_delays(net):
        ds.attrs["stability"] = "Jacobian eigenvalues (no positive delay)"
        return ds
    size = _delayed_size(net)
    if size > _MAX_DELAYED_SIZE:         # the spectral discretisation would not finish
        return _roots_skipped(net, model, ds, size, n_roots)
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
    names = list(model.param_names)
    lin = network_linear(net)
    for b in range(B):
        if not conv[b].any():
            continue
        vals = network_values(net, {k: P[i, b] for i, k in enumerate(names)})
        for f in np.flatnonzero(conv[b]):
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
    ds = ds.assign_coords(eig=eig_coord(n_roots)).assign(new)
    ds["kind"].attrs["kind_tol"] = kind_tol
    ds.attrs["stability"] = ("characteristic roots of the delayed linearisation (spectral "
                             "discretisation of the infinitesimal generator, Newton-polished)")
    ds.attrs["n_roots"] = n_roots
    return ds


#: most entries n * n * (1 + distinct delays) of a delayed linearisation whose roots are computed
_MAX_DELAYED_SIZE = 4_000_000


def _delayed_size(net, speed=None):
    """``n^2 (1 + m)``: entries of the matrices A0, A_1..A_m of the delayed linearisation."""
    D = net.delays(speed) if net.distances is not None else net.delays()
    m = np.unique(D[(net.weights != 0) & (D > 0)]).size
    return net.n_states ** 2 * (1 + m)


def _too_large_message(net, size):
    m = size // net.n_states ** 2 - 1
    return (f"the delayed linearisation of this network has {net.n_states} states and {m} "
            f"distinct delays ({size} matrix entries, more than {_MAX_DELAYED_SIZE}): its "
            "characteristic roots are not computed. Use fewer distinct delays (e.g. round "
            "`delays` to a few values), a smaller network, or simulate the network to judge "
            "stability")


def _roots_skipped(net, model, ds, size, n_roots):
    """``fixed_points`` of a network too large for delayed roots: stability left unknown."""
    warnings.warn("fixed_points: " + _too_large_message(net, size), ConvergenceWarning,
                  stacklevel=4)
    fdims = tuple(ds["converged"].dims)
    shape = ds["converged"].shape
    conv = ds["converged"].values
    new = root_variables(np.full((*shape, n_roots), np.nan + 0j), np.full(shape, -1),
                         np.full(shape, "", dtype=object).astype(str), np.zeros(shape, bool),
                         fdims, model)
    new["stable"] = (fdims, np.zeros(shape, bool), {
        "long_name": "linearly stable (all roots Re < 0); unknown here: roots not computed",
        "units": "1"})
    ds = ds.drop_vars(["eig_real", "eig_imag", "eig"])
    ds = ds.assign_coords(eig=eig_coord(n_roots)).assign(new)
    ds["converged"] = (fdims, conv, ds["converged"].attrs)
    ds.attrs["stability"] = "not computed: " + _too_large_message(net, size)
    ds.attrs["n_roots"] = n_roots
    return ds


def network_stability(net, state, params=None, *, n_roots=None, tol=1e-9, jacobian=False):
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
        Also return ``A0``, ``taus``, ``As``.

    Returns
    -------
    dict
        As :func:`~nmanalysis.analysis.stability.stability`: ``eigenvalues`` (the
        rightmost characteristic roots), ``eigenvectors`` (null vectors of the
        characteristic matrix, columns, max-norm 1), ``kind``, ``stable``,
        ``n_unstable``, ``residual`` (``max |f|``), ``converged`` (roots confirmed),
        ``delays`` (the distinct delays).
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
    size = _delayed_size(net, vals.get("speed"))
    if size > _MAX_DELAYED_SIZE:
        raise OptionsError(_too_large_message(net, size))
    lin = network_linear(net)
    A0, taus, As = lin.delay_split(x, vals)
    lam, nu, kind, ok = characteristic_roots(A0, taus, As, n_roots, kind_tol=tol)
    vec = np.full((model.n_states, n_roots), np.nan + 0j)
    for k, z in enumerate(lam):
        if np.isfinite(z):
            _, _, vh = np.linalg.svd(characteristic_matrix(z, A0, taus, As))
            v = vh[-1].conj()
            vec[:, k] = v / v[np.argmax(np.abs(v))]
    out = {"eigenvalues": lam, "eigenvectors": vec, "kind": kind, "stable": nu == 0,
           "n_unstable": nu, "residual": float(np.max(np.abs(lin.rhs(x, vals)))),
           "converged": ok, "delays": taus}
    if jacobian:
        out.update(A0=A0, taus=taus, As=As)
    return out
