"""``continuation``: bifurcation diagrams of equilibria as an xarray DataTree."""

from __future__ import annotations

import numpy as np

from ...errors import NoStartError, OptionsError
from ...results.attrs import provenance
from ..equilibria import DEFAULT_BOX
from .engine import Scaled, correct, make_point, tangent, trace
from .normal_forms import fold_coefficient, hopf_coefficients
from .problem import ContinuationOptions, ContinuationProblem, PseudoArclength

__all__ = ["continuation", "special_points", "continue_from", "special_dataset"]


def box_widths(model, state_bounds):
    """Natural size of each state: the width of its given or declared bounds, else the
    default search box."""
    S = []
    for s in model.state_names:
        b = (state_bounds or {}).get(s) or model.state_info[s].bounds
        S.append((b[1] - b[0]) if b else 2 * DEFAULT_BOX)
    return np.array(S, float)


def _scales(model, opts):
    return np.append(box_widths(model, opts.state_bounds), opts.p_range[1] - opts.p_range[0])


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


def _second_direction(sp_, pt):
    """Tangent of the other branch at a branch point: null space of [f_x f_p], minus t."""
    from .engine import _bordered
    M = _bordered(sp_, pt.u, pt.t)[:-1]
    _, _, vh = np.linalg.svd(M)
    basis = vh[-2:].T                        # two smallest singular directions
    t2 = basis[:, 0] - (basis[:, 0] @ pt.t) * pt.t
    if np.linalg.norm(t2) < 1e-6:
        t2 = basis[:, 1] - (basis[:, 1] @ pt.t) * pt.t
    return t2 / np.linalg.norm(t2)


def _switch(sp_, pt, opts):
    """First point of the crossing branch at a BP: one step along the second null direction.

    The corrector's hyperplane is orthogonal to that direction, so the step
    lands on the other branch whatever its true tangent; the tangent there
    is then computed afresh.
    """
    t2 = _second_direction(sp_, pt)
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
    fwd = trace(sp_, start, +1, algorithm, opts)
    back = trace(sp_, start, -1, algorithm, opts)
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
    sp_ = Scaled(problem, _scales(problem.model, options))
    start = _start_point(sp_, x0, p0, options)
    if start is None:
        raise OptionsError(f"no equilibrium found near the start {list(np.ravel(x0))} at "
                           f"{problem.param} = {p0}")
    pts, special, reasons = _trace_both(sp_, start, algorithm, options)
    return pts, special, reasons, sp_


def continuation(model, param, *, p_range=(0.0, 1.0), params=None, inputs=None, start=None,
                 ds=0.01, ds_min=1e-8, ds_max=0.02, max_points=2000, tol=1e-11,
                 state_bounds=None, switch_branches=True, detect=True, cycles=False,
                 cycle_options=None, progress=None):
    """Bifurcation diagram of equilibria in one parameter (pseudo-arclength continuation).

    Parameters
    ----------
    model : Model
    param : str
        The free parameter.
    p_range : (float, float)
        Interval of the free parameter; branches stop at its ends.
    params, inputs : dict, optional
        Values of the other parameters / constant inputs.
    start : dict, sequence, Dataset or None
        A starting equilibrium (state values, or one row of a
        :func:`fixed_points` result; Newton polishes it) at the start value of
        ``param``: ``params[param]`` if given, else ``p_range[0]``.
        ``None`` finds every equilibrium there with :func:`fixed_points`, each
        seeding a branch (unless an earlier branch already passed through it).
    ds, ds_min, ds_max : float
        Arclength steps, in coordinates scaled by each state's box width and
        by the width of ``p_range``.
    max_points : int
        Points per direction per branch.
    tol : float
        Newton tolerance.
    state_bounds : dict, optional
        State -> (low, high): branches stop on leaving the box; also the
        scales of the coordinates (default: the declared bounds).
    switch_branches : bool
        At every branch point (BP), also trace the crossing branch.
    detect : bool
        Detect and locate special points.
    cycles : bool
        Also continue the periodic orbits born at every Hopf point (orthogonal
        collocation, see :func:`nmanalysis.cycle_continuation`); a branch that
        ends on another Hopf point is not traced again from there.
    cycle_options : dict, optional
        Keyword arguments for the cycle branches: ``ntst``, ``ncol``, ``ds``,
        ``ds_max``, ``max_points``, ``max_period``, ``tol``, ``store_orbits``,
        ``n_phase``, ``values``, ``switch_pd``.
    progress : bool, optional
        Progress bar over the periodic-orbit points (equilibria take well
        under a second).

    Returns
    -------
    xarray.DataTree
        ``equilibria/branch_<k>``: Datasets on dim ``point`` with the free
        parameter and every state, ``stable``, ``n_unstable``, ``eig_real``,
        ``eig_imag`` (dims ``point``, ``eig``), ``arclength``;
        ``special_points``: a Dataset on dim ``special`` with ``type`` (LP,
        HB, BP), the parameter, the states, ``branch``, ``status``
        (located / bracketed), ``precision`` (arclength bracket),
        ``first_lyapunov`` and ``angular_frequency`` (HB), ``period`` (HB,
        2 pi / omega), ``fold_coefficient`` (LP), ``criticality`` (HB).
        With ``cycles=True`` also ``periodic/branch_<k>`` (see
        :func:`nmanalysis.cycle_continuation`) and their special points (LPC,
        PD, NS; SNIC or HOM where a branch ends with an unbounded period).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("wilson_cowan"), "IE", p_range=(-2, 2))
    >>> sp = nma.special_points(tree)
    >>> sorted(sp["type"].values.tolist())
    ['LP', 'LP']
    """
    import xarray as xr

    opts = ContinuationOptions(p_range=p_range, ds=ds, ds_min=ds_min, ds_max=ds_max,
                               max_points=max_points, tol=tol, detect=detect,
                               state_bounds=dict(state_bounds or {}))
    problem = ContinuationProblem(model, param, params={k: v for k, v in (params or {}).items()
                                                        if k != param}, inputs=inputs)
    p0 = float((params or {}).get(param, opts.p_range[0]))
    if not opts.p_range[0] <= p0 <= opts.p_range[1]:
        raise OptionsError(f"the start value {param} = {p0} lies outside p_range {p_range}")
    algorithm = PseudoArclength()
    sp_ = Scaled(problem, _scales(model, opts))
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
                st = _switch(sp_, pt, opts)
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
    if cycles:
        _add_cycles(model, param, tree, opts, params, inputs, state_bounds,
                    cycle_options or {}, detect, progress)
    dt = xr.DataTree.from_dict(tree)
    dt.attrs.update(provenance(model, analysis="continuation", fixed_params=problem.fixed,
                               method="pseudo-arclength (tangent predictor, bordered Newton)",
                               options={"free_parameter": param, "p_range": list(opts.p_range),
                                        "ds": ds, "ds_min": ds_min, "ds_max": ds_max,
                                        "tol": tol, "max_points": max_points,
                                        "start_value": p0}))
    return dt


_CYCLE_KEYS = {"ntst", "ncol", "ds", "ds_max", "max_points", "max_period", "tol",
               "store_orbits", "n_phase", "values", "switch_pd"}


def _add_cycles(model, param, tree, opts, params, inputs, state_bounds, cycle_options,
                detect, progress):
    """Continue the cycles from every Hopf point; add branches and special points."""
    import xarray as xr

    from ..periodic.run import periodic_branches

    bad = set(cycle_options) - _CYCLE_KEYS
    if bad:
        raise OptionsError(f"unknown cycle_options {sorted(bad)}; valid are "
                           f"{sorted(_CYCLE_KEYS)}")
    sp = tree["special_points"]
    types = sp["type"].values
    hb = [int(i) for i in np.where(types == "HB")[0]]
    if not hb:
        return
    hopfs = [float(sp[param].values[i]) for i in hb]
    folds = [(float(sp[param].values[i]), np.array([float(sp[s].values[i])
                                                   for s in model.state_names]))
             for i in np.where(types == "LP")[0]]
    others = {k: v for k, v in (params or {}).items() if k != param}
    datasets, rows, _ = periodic_branches(
        model, param, [("hopf", sp.isel(special=i)) for i in hb], p_range=opts.p_range,
        params=others, inputs=inputs, state_bounds=state_bounds, detect=detect,
        hopfs=hopfs, folds=folds, progress=progress, **cycle_options)
    for k, d in enumerate(datasets):
        tree[f"periodic/branch_{k}"] = d
    if rows:
        extra = special_dataset(model, param, rows)
        both = xr.concat([sp, extra], dim="special", data_vars="all", coords="minimal",
                         combine_attrs="override")
        tree["special_points"] = both.assign_coords(special=np.arange(both.sizes["special"]))


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
        if x.shape != (model.n_states,):
            raise OptionsError(f"`start` must have {model.n_states} values; got {x.shape}")
        return [x]
    return _all_equilibria(model, problem, p0, opts)


def _all_equilibria(model, problem, p0, opts, n_starts=None, max_iter=30):
    """Equilibria at p0 in the box: damped Newton from Halton starts (scalar kernels only).

    The same search as :func:`fixed_points` for one parameter point, without the
    batched driver, so a diagram needs no more compiled code than its own.
    """
    from ..equilibria import _box, low_discrepancy

    lo, hi = _box(model, opts.state_bounds or None)
    n = model.n_states
    n_starts = n_starts or max(32, 8 * n)
    found = []
    for x in lo + low_discrepancy(n_starts, n, 0) * (hi - lo):
        f = problem.f(x, p0)
        nf = np.max(np.abs(f))
        for _ in range(max_iter):
            try:
                dx = np.linalg.solve(problem.jac(x, p0), -f)
            except np.linalg.LinAlgError:
                break
            lam = 1.0
            while lam > 0.02:
                xn = x + lam * dx
                fn = problem.f(xn, p0)
                if np.max(np.abs(fn)) < (1 - 1e-4 * lam) * nf:
                    break
                lam *= 0.5
            x, f, nf = xn, fn, np.max(np.abs(fn))
            if np.max(np.abs(lam * dx)) <= 1e-13 * (1 + np.max(np.abs(x))):
                break
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
    data["eig_real"] = (("point", "eig"), eig.real, {"long_name": "eigenvalue real part",
                                                     "units": "1"})
    data["eig_imag"] = (("point", "eig"), eig.imag, {"long_name": "eigenvalue imaginary part",
                                                     "units": "1"})
    data["arclength"] = ("point", arc, {"long_name": "scaled arclength", "units": "1"})
    ds = xr.Dataset(data, coords={
        "point": ("point", np.arange(len(pts)), {"long_name": "point index", "units": "1"}),
        "eig": ("eig", np.arange(model.n_states), {"long_name": "eigenvalue index",
                                                   "units": "1"})})
    ds.attrs.update(free_parameter=param, stop_reason_start_side=reasons[0],
                    stop_reason_end_side=reasons[1])
    return ds


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


def special_dataset(model, param, rows):
    """The ``special_points`` Dataset (dim ``special``) from rows of special points.

    Each row is a dict with ``type``, ``p``, ``x`` (states), ``branch``,
    ``status``, ``precision`` and, where they apply, ``l1``, ``omega`` (HB),
    ``a`` (LP), ``crit`` (HB) and ``period`` (cycles; HB: ``2 pi / omega``).
    Equilibrium and cycle branches share this one layout.
    """
    import xarray as xr

    m = len(rows)
    info = model.param_info[param]

    def col(key, default=np.nan):
        return np.array([r.get(key, default) for r in rows], float)

    omega = col("omega")
    period = np.array([r["period"] if "period" in r else 2 * np.pi / o
                       for r, o in zip(rows, omega)], float)
    data = {
        "type": ("special", np.array([r["type"] for r in rows], dtype=str),
                 {"long_name": "kind of special point", "units": "1",
                  "description": "LP fold, HB Hopf, BP branch point; on cycle branches LPC "
                                 "fold of cycles, PD period doubling, NS torus, SNIC / HOM end "
                                 "of the branch, UZ user value"}),
        param: ("special", col("p"), {"long_name": info.description or param,
                                      "units": info.units}),
    }
    for i, s in enumerate(model.state_names):
        data[s] = ("special", np.array([r["x"][i] for r in rows], float),
                   {"long_name": model.state_info[s].description or s,
                    "units": model.state_info[s].units})
    data.update({
        "branch": ("special", np.array([r["branch"] for r in rows], dtype=str),
                   {"long_name": "branch the point lies on", "units": "1"}),
        "status": ("special", np.array([r["status"] for r in rows], dtype=str),
                   {"long_name": "located (test function zero found) or bracketed",
                    "units": "1"}),
        "precision": ("special", col("precision"),
                      {"long_name": "final arclength bracket of the location", "units": "1"}),
        "first_lyapunov": ("special", col("l1"),
                           {"long_name": "first Lyapunov coefficient (HB)", "units": "1"}),
        "angular_frequency": ("special", omega, {"long_name": "angular frequency at HB",
                                                 "units": f"rad/{model.time_units or '1'}"}),
        "period": ("special", period,
                   {"long_name": "period (HB: at onset 2 pi / omega; cycles: of the orbit)",
                    "units": model.time_units or "1"}),
        "fold_coefficient": ("special", col("a"),
                             {"long_name": "quadratic normal-form coefficient (LP)",
                              "units": "1"}),
        "criticality": ("special", np.array([r.get("crit", "") for r in rows], dtype=str),
                        {"long_name": "HB criticality from the sign of l1", "units": "1"}),
    })
    ds = xr.Dataset(data, coords={"special": ("special", np.arange(m),
                                              {"long_name": "special point index",
                                               "units": "1"})})
    ds.attrs["free_parameter"] = param
    return ds


def special_points(tree):
    """The special-points Dataset (dim ``special``) of a continuation tree.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("fitzhugh_nagumo"), "I", p_range=(0, 2))
    >>> sp = nma.special_points(tree)
    >>> [round(float(v), 6) for v in sp["I"].values]
    [0.331281, 1.418719]
    """
    try:
        return tree["special_points"].to_dataset()
    except KeyError:
        raise OptionsError("`tree` has no special_points node; pass the result of "
                           "nma.continuation") from None
