"""Continuation of the equilibria of a network with delays: delayed stability, Hopf points.

``continuation(network, param, ...)`` comes here when some edge has a
positive delay. The branches are those of the flat, delay-free model
(:meth:`~nmanalysis.model.network.Network.to_model`; delays do not move
equilibria). Along them ``eig_real`` / ``eig_imag`` are the ``n_roots``
rightmost roots of the characteristic equation of the delayed linearisation
(:mod:`nmanalysis.analysis.network_stability`), and ``stable`` /
``n_unstable`` come from them. Folds (LP) and branch points (BP) are those of
the flat model, since a zero root does not depend on the delays; the Hopf
points (HB) are those of the delay equation: where the number of unstable
roots changes between two points of a branch by a complex pair, Newton's
method on ``Delta(i omega; p) v = 0`` (unknowns ``v``, ``omega``, ``p``, the
equilibrium solved afresh at each trial ``p``) locates the crossing. Their
``first_lyapunov`` is not computed (NaN).

Continuation in ``speed`` (which only scales the delays ``distances /
speed``) gives a line of constant state per equilibrium, sampled at ``1 +
ceil(2 / ds_max)`` speeds over ``p_range``, evenly spaced in ``1 / speed``
(the delays), where the crossings of one family of roots recur evenly; its
stability changes are located the same way.

A stability change is found between two neighbouring points of a branch; two
crossings between the same two points (the count of unstable roots then
unchanged) are missed: refine ``ds_max`` when in doubt. Periodic orbits of
delay equations are not computed.
"""

from __future__ import annotations

import numpy as np

from ...errors import OptionsError
from ...results.attrs import provenance
from ..delay_stability import locate_hopf
from ..equilibria import low_discrepancy, synchronous_starts
from ..network_stability import (characteristic_roots, check_n_roots, delay_attrs, eig_coord,
                                 has_delays, network_values, root_variables, warn_unconfirmed)
from ..newton import newton
from ..scales import search_box
from .datasets import special_dataset, tree_with_provenance
from .problem import ContinuationProblem
from .run import equilibrium_branches

__all__ = ["delayed_diagram", "network_seeds", "MAX_FLAT_STATES"]

#: most states of a network continued (its flat model is compiled symbolically)
MAX_FLAT_STATES = 12


def delayed_diagram(net, model, param, opts, *, params=None, inputs=None, start=None,
                    switch_branches=True, cycles=False, n_roots=None, progress=None):
    """The diagram of a network with delays, or None when it has none (an ODE).

    Parameters
    ----------
    net : Network
    model : Model
        ``net.to_model()``.
    param : str
        Free parameter of the flat model (a node or network parameter, e.g. the
        gain ``K`` or ``speed``).
    opts : ContinuationOptions
    params, inputs, start, switch_branches, progress
        As for :func:`nmanalysis.continuation`; ``start`` may also be an array
        of shape (k, n), one start per row. Without ``start`` the equilibria at
        the start value are found from Halton starts in the box and starts
        with every node in the same state.
    cycles : bool
        Must be False for a network with delays.
    n_roots : int, optional
        Characteristic roots per point (default: the number of states, at
        least 6, at most 16).

    Returns
    -------
    tree : xarray.DataTree or None
        As :func:`nmanalysis.continuation`, with ``roots_converged`` on every
        branch and the delays in ``attrs``; None for a network without delays,
        whose diagram is the flat model's.
    start : ndarray of shape (k, n) or as given
        The starts used (for a network without delays: to continue the flat
        model from).
    """
    if model.n_states > MAX_FLAT_STATES:
        raise OptionsError(
            f"continuation of a network runs on its flat model, compiled symbolically; "
            f"{net.n_nodes} nodes ({model.n_states} states, more than {MAX_FLAT_STATES}) "
            f"would take minutes to compile. Sweep {param!r} with fixed_points(network, "
            f"params={{{param!r}: values}}) (no flat model compiled; stability from "
            "stability(network, state) at each point), or continue a smaller network")
    if start is None:
        start = network_seeds(net, model, param, opts, params=params, inputs=inputs)
    if not has_delays(net):
        return None, start
    if cycles:
        raise OptionsError("periodic orbits of a network with delays are not computed; use "
                           "cycles=False (the Hopf points of the delay equation are "
                           "located), or simulate the network")
    n_roots = check_n_roots(n_roots, model.n_states)
    speed = param == "speed" and net.distances is not None
    if speed and opts.p_range[0] <= 0:
        raise OptionsError(f"`p_range` of `speed` must be positive (delays are distances / "
                           f"speed); got {opts.p_range}")
    tree, problem, p0 = equilibrium_branches(model, param, opts, params=params, inputs=inputs,
                                             start=start, switch_branches=switch_branches)
    if speed:
        nodes, rows, m = _speed_lines(net, model, tree, problem, opts, n_roots, progress)
        method = ("equilibria constant in speed; characteristic roots on a grid of speeds, "
                  "Hopf points by Newton on (v, omega, speed)")
        extra = {"n_points": m}
    else:
        nodes, rows = _delayed_branches(net, model, param, tree, problem, n_roots, progress)
        method = ("pseudo-arclength on the delay-free equilibria; characteristic roots of "
                  "the delayed linearisation, Hopf points by Newton on (v, omega, p)")
        extra = {"ds": opts.ds, "ds_min": opts.ds_min, "ds_max": opts.ds_max, "tol": opts.tol,
                 "max_points": opts.max_points}
    nodes["special_points"] = _special_points(model, param, tree["special_points"], rows,
                                              keep_flat=not speed)
    attrs = provenance(model, analysis="continuation", fixed_params=problem.fixed,
                       method=method, options={"free_parameter": param,
                                               "p_range": list(opts.p_range),
                                               "start_value": p0, **extra})
    attrs.update(delay_attrs(net))
    attrs["stability"] = "characteristic roots of the delayed linearisation"
    attrs["n_roots"] = n_roots
    return tree_with_provenance(nodes, attrs), start


def network_seeds(net, model, param, opts, *, params=None, inputs=None):
    """Equilibria at the start value: Halton starts in the box plus synchronous starts.

    Returns an array of shape (k, n), one equilibrium per row, or None.
    """
    others = {k: v for k, v in (params or {}).items() if k != param}
    problem = ContinuationProblem(model, param, params=others, inputs=inputs)
    p0 = float((params or {}).get(param, opts.p_range[0]))
    lo, hi = search_box(model, opts.state_bounds or None)
    n = model.n_states
    starts = np.vstack([lo + low_discrepancy(max(32, 8 * n), n, 0) * (hi - lo),
                        synchronous_starts(net, lo, hi, 0)])
    found = []
    for x in starts:
        res = newton(lambda y: (problem.f(y, p0), problem.jac(y, p0)), x, tol=1e-13,
                     max_iter=30, damped=True)
        y = res.x
        if not (np.all(np.isfinite(y)) and np.all((y >= lo) & (y <= hi))):
            continue
        if res.residual > 1e-9 * (np.max(np.abs(problem.jac(y, p0)) @ np.abs(y)) + 1):
            continue
        if not any(np.all(np.abs(y - z) <= 1e-7 * np.maximum(1, np.abs(y))) for z in found):
            found.append(y)
    return np.array(found) if found else None


def _roots_along(net, fixed, param, pvals, X, n_roots, progress, label):
    from ...progress import progress_bar

    m = len(pvals)
    lam = np.full((m, n_roots), np.nan + 0j)
    nu = np.zeros(m, np.int64)
    kinds = np.empty(m, dtype=object)
    ok = np.ones(m, bool)
    with progress_bar(m, label, progress) as bar:
        for k in range(m):
            A0, taus, As = net.delay_linearization(
                X[k], network_values(net, {**fixed, param: pvals[k]}))
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
    rows = []
    for k in np.flatnonzero(nu[1:] != nu[:-1]):
        def system(p, k=k):
            return net.delay_linearization(equilibrium(k, p),
                                           network_values(net, {**fixed, param: p}))

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
    if nu0 == nu1 or i >= lam0.size:
        return []
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
