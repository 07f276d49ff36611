"""Branches of equilibria: starting, tracing both ways, switching at branch points."""

from __future__ import annotations

import numpy as np

from ...errors import NoStartError, OptionsError
from ...results.conventions import eigenvalue_attrs
from ..newton import newton
from .datasets import special_dataset
from .equilibrium import Scaled, bordered, correct, make_point, tangent, trace_equilibria
from .normal_forms import fold_coefficient, hopf_coefficients
from .problem import ContinuationOptions, ContinuationProblem, PseudoArclength

__all__ = ["equilibrium_branches", "continue_from"]


def _scales(problem, opts):
    return np.append(problem.state_widths(opts.state_bounds),
                     opts.p_range[1] - opts.p_range[0])


def _start_point(sp_, x0, p0, opts):
    """Newton on f(x, p0) = 0 from x0, then the tangent: a branch Point, or None."""
    n = sp_.n
    z = np.concatenate([np.asarray(x0, float), [p0]]) / sp_.S
    t0 = np.zeros(n + 1)
    t0[n] = 1.0                                  # fix p: the hyperplane z_p = const
    z, _ = correct(sp_, z, t0, opts.tol, 50)
    if z is None:
        return None
    t, M = tangent(sp_, z, t0)
    if t is None:
        return None
    return make_point(sp_, z, t, M)


def _join(sp_, back, fwd):
    pts = back.points[::-1] + fwd.points[1:]
    special = back.special + fwd.special
    reasons = (back.stop_reason, fwd.stop_reason)
    return pts, special, reasons


def _on_branch(z_seed, pts, tol=0.05):
    """Whether z_seed lies on the polyline of branch points (scaled coordinates)."""
    if len(pts) < 2:
        return False
    U = np.array([p.u for p in pts])
    a, b = U[:-1], U[1:]
    d = b - a
    L2 = np.maximum(np.sum(d * d, axis=1), 1e-300)
    s = np.clip(np.sum((z_seed - a) * d, axis=1) / L2, 0, 1)
    dist = np.linalg.norm(a + s[:, None] * d - z_seed, axis=1)
    return bool(np.min(dist) <= tol * np.sqrt(L2.max()) + 1e-9)


def _second_direction(sp_, pt, chord=None):
    """Tangent of the other branch at a branch point: null space of [f_x f_p], minus t.

    At the located branch point the bordered matrix is singular and its tangent
    ``t`` may be any vector of the two-dimensional null space; when it is far from
    the ``chord`` of the branch there (a unit vector), the chord's projection on
    the null space stands in for the branch's own direction.
    """
    M = bordered(sp_, pt.u, pt.t)[:-1]
    _, _, vh = np.linalg.svd(M)
    basis = vh[-2:].T                        # two smallest singular directions
    t = pt.t
    if chord is not None and abs(float(t @ chord)) < 0.5:
        t = basis @ (basis.T @ chord)
        t = t / np.linalg.norm(t)
    t2 = basis[:, 0] - (basis[:, 0] @ t) * t
    if np.linalg.norm(t2) < 1e-6:
        t2 = basis[:, 1] - (basis[:, 1] @ t) * t
    return t2 / np.linalg.norm(t2)


def _chord(pts, u):
    """Unit chord of the polyline segment of ``pts`` nearest ``u`` (scaled coordinates)."""
    if len(pts) < 2:
        return None
    U = np.array([p.u for p in pts])
    a, d = U[:-1], np.diff(U, axis=0)
    L2 = np.maximum(np.sum(d * d, axis=1), 1e-300)
    s = np.clip(np.sum((u - a) * d, axis=1) / L2, 0, 1)
    k = int(np.argmin(np.linalg.norm(a + s[:, None] * d - u, axis=1)))
    return d[k] / np.sqrt(L2[k])


def _switch(sp_, pt, opts, chord=None):
    """First point of the crossing branch at a BP: one step along the second null direction.

    The corrector's hyperplane is orthogonal to that direction, so the step
    lands on the other branch whatever its true tangent; the tangent there
    is then computed afresh. ``chord``: the branch's direction near the point
    (see :func:`_second_direction`).
    """
    t2 = _second_direction(sp_, pt, chord)
    for ds in (opts.ds, 0.3 * opts.ds, 0.1 * opts.ds):
        z, _ = correct(sp_, pt.u + ds * t2, t2, opts.tol, opts.max_newton)
        if z is None or np.linalg.norm(z - pt.u) < 0.1 * ds:
            continue
        chord = (z - pt.u) / np.linalg.norm(z - pt.u)
        t, M = tangent(sp_, z, chord)
        if t is not None:
            return make_point(sp_, z, t, M)
    return None


def _trace_both(sp_, start, algorithm, opts):
    fwd = trace_equilibria(sp_, start, +1, algorithm, opts)
    back = trace_equilibria(sp_, start, -1, algorithm, opts)
    return _join(sp_, back, fwd)


def continue_from(problem, x0, p0, algorithm=None, options=None):
    """Trace the branch through the equilibrium near ``x0`` at ``p0`` (both directions).

    The object form under :func:`continuation`: ``problem`` a
    :class:`ContinuationProblem`, ``algorithm`` a :class:`PseudoArclength`,
    ``options`` :class:`ContinuationOptions`. Returns ``(points, special,
    stop_reasons, scaled_problem)``; points carry scaled coordinates.
    """
    algorithm = algorithm or PseudoArclength()
    options = options or ContinuationOptions()
    sp_ = Scaled(problem, _scales(problem, options))
    start = _start_point(sp_, x0, p0, options)
    if start is None:
        raise OptionsError(f"no equilibrium found near the start {list(np.ravel(x0))} at "
                           f"{problem.param} = {p0}")
    pts, special, reasons = _trace_both(sp_, start, algorithm, options)
    return pts, special, reasons, sp_


def equilibrium_branches(model, param, opts, *, params=None, inputs=None, start=None,
                         switch_branches=True, problem=None):
    """All branches of equilibria in ``param`` through the starts at the start value.

    The equilibrium part of :func:`~nmanalysis.continuation`: ``opts`` a
    :class:`ContinuationOptions`. Returns ``(tree, problem, p0)``: ``tree`` maps
    ``"equilibria/branch_k"`` to branch Datasets and ``"special_points"`` to the
    special points; ``problem`` is the :class:`ContinuationProblem`; ``p0`` the
    start value. A ``problem`` given (with the interface of
    :class:`ContinuationProblem`, e.g. a network's assembled ``F`` and ``J``)
    is continued instead of compiling ``model``; ``params`` then only gives the
    start value.
    """
    if problem is None:
        problem = ContinuationProblem(model, param, params={
            k: v for k, v in (params or {}).items() if k != param}, inputs=inputs)
    p0 = float((params or {}).get(param, opts.p_range[0]))
    if not opts.p_range[0] <= p0 <= opts.p_range[1]:
        raise OptionsError(f"the start value {param} = {p0} lies outside p_range "
                           f"{opts.p_range}")
    algorithm = PseudoArclength()
    sp_ = Scaled(problem, _scales(problem, opts))
    seeds = _seeds(model, problem, param, p0, start, opts)
    branches = []
    for x0 in seeds:
        z_seed = np.concatenate([x0, [p0]]) / sp_.S
        if any(_on_branch(z_seed, b[0]) for b in branches):
            continue
        st = _start_point(sp_, x0, p0, opts)
        if st is None:
            continue
        branches.append(_trace_both(sp_, st, algorithm, opts))
    if switch_branches:
        for b in list(branches):
            for kind, pt, _ in b[1]:
                if kind != "BP":
                    continue
                st = _switch(sp_, pt, opts,
                             _chord(b[0], pt.u) if opts.robust_switch else None)
                if st is None or any(_on_branch(st.u, o[0]) for o in branches):
                    continue
                branches.append(_trace_both(sp_, st, algorithm, opts))
    if not branches:
        raise NoStartError(f"no equilibrium to start from at {param} = {p0}; pass `start` or "
                           "widen the states' bounds")
    tree = {}
    specials = []
    for k, (pts, special, reasons) in enumerate(branches):
        name = f"branch_{k}"
        tree[f"equilibria/{name}"] = _branch_dataset(model, sp_, param, pts, reasons)
        specials += [(kind, pt, info, f"equilibria/{name}") for kind, pt, info in special]
    tree["special_points"] = _special_dataset(model, problem, sp_, param, specials, opts)
    return tree, problem, p0


def _seeds(model, problem, param, p0, start, opts):
    if start is not None:
        if hasattr(start, "data_vars"):          # a row of a fixed_points Dataset
            try:
                start = {s: float(start[s]) for s in model.state_names}
            except (KeyError, TypeError, ValueError):
                raise OptionsError("`start` as a Dataset must be one equilibrium (one row of "
                                   "fixed_points, e.g. fp.isel(fp=0))") from None
        if isinstance(start, dict):
            missing = [s for s in model.state_names if s not in start]
            if missing:
                raise OptionsError(f"`start` must give every state; missing {missing}")
            return [np.array([float(start[s]) for s in model.state_names])]
        x = np.asarray(start, float)
        if x.ndim == 2 and x.shape[1:] == (model.n_states,):
            return list(x)                       # several starts, one per row
        if x.shape != (model.n_states,):
            raise OptionsError(f"`start` must have {model.n_states} values; got {x.shape}")
        return [x]
    return _all_equilibria(model, problem, p0, opts)


def _all_equilibria(model, problem, p0, opts, n_starts=None, max_iter=30):
    """Equilibria at p0 in the box: damped Newton from Halton starts (scalar kernels only).

    The same search as :func:`fixed_points` for one parameter point, without the
    batched driver, so a diagram needs no more compiled code than its own.
    """
    from ..equilibria import low_discrepancy

    lo, hi = problem.search_box(opts.state_bounds or None)
    n = model.n_states
    n_starts = n_starts or max(32, 8 * n)
    found = []
    for x in lo + low_discrepancy(n_starts, n, 0) * (hi - lo):
        res = newton(lambda y: (problem.f(y, p0), problem.jac(y, p0)), x, tol=1e-13,
                     max_iter=max_iter, damped=True)
        x, nf = res.x, res.residual
        if not (np.all(np.isfinite(x)) and np.all((x >= lo) & (x <= hi))):
            continue
        scale = np.max(np.abs(problem.jac(x, p0)) @ np.abs(x)) + 1
        if nf > 1e-9 * scale:
            continue
        if not any(np.all(np.abs(x - y) <= 1e-7 * np.maximum(1, np.abs(x))) for y in found):
            found.append(x)
    return found


def _branch_dataset(model, sp_, param, pts, reasons):
    import xarray as xr

    U = np.array([p.u for p in pts]) * sp_.S
    eig = np.array([p.eig for p in pts])
    nu = np.array([p.n_unstable for p in pts])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(
        np.array([p.u for p in pts]), axis=0), axis=1))])
    info = model.param_info[param]
    data = {param: ("point", U[:, -1], {"long_name": info.description or param,
                                         "units": info.units})}
    for i, s in enumerate(model.state_names):
        si = model.state_info[s]
        data[s] = ("point", U[:, i], {"long_name": si.description or s, "units": si.units})
    data["stable"] = ("point", nu == 0, {"long_name": "linearly stable", "units": "1"})
    data["n_unstable"] = ("point", nu.astype(np.int16),
                          {"long_name": "eigenvalues with Re > 0", "units": "1"})
    data["eig_real"] = (("point", "eig"), eig.real, eigenvalue_attrs(model, "real"))
    data["eig_imag"] = (("point", "eig"), eig.imag, eigenvalue_attrs(model, "imaginary"))
    data["arclength"] = ("point", arc, {"long_name": "scaled arclength", "units": "1"})
    coords = {
        "point": ("point", np.arange(len(pts)), {"long_name": "point index", "units": "1"}),
        "eig": ("eig", np.arange(model.n_states), {"long_name": "eigenvalue index",
                                                   "units": "1"})}
    ds = xr.Dataset(_numpy_variables(xr, data), coords=_numpy_variables(xr, coords))
    ds.attrs.update(free_parameter=param, stop_reason_start_side=reasons[0],
                    stop_reason_end_side=reasons[1])
    return ds


def _numpy_variables(xr, entries):
    """``name -> (dims, ndarray, attrs)`` as :class:`xarray.Variable` objects made on
    xarray's fast path: the arrays are numpy already, and the general path asks of each
    whether it is a dask array, which imports dask (most of a second)."""
    out = {}
    for name, (dims, values, attrs) in entries.items():
        dims = (dims,) if isinstance(dims, str) else tuple(dims)
        out[name] = xr.Variable(dims, np.asarray(values), attrs, fastpath=True)
    return out


def _special_dataset(model, problem, sp_, param, specials, opts):
    rows = []
    for kind, pt, info, branch in specials:
        u = pt.u * sp_.S
        x, p = u[:-1], u[-1]
        if any(r["type"] == kind and abs(r["p"] - p) <= 1e-7 * max(1, abs(p)) and
               np.allclose(r["x"], x, rtol=1e-6, atol=1e-9) for r in rows):
            continue
        row = {"type": kind, "p": p, "x": x, "branch": branch, "status": info["status"],
               "precision": info["precision"], "l1": np.nan, "omega": np.nan,
               "a": np.nan, "crit": ""}
        if kind == "HB":
            row["omega"], row["l1"] = hopf_coefficients(problem, x, p)
            row["crit"] = "subcritical" if row["l1"] > 0 else "supercritical"
        elif kind == "LP":
            row["a"] = fold_coefficient(problem, x, p)
        rows.append(row)
    rows.sort(key=lambda r: (r["branch"], r["p"]))
    return special_dataset(model, param, rows)
