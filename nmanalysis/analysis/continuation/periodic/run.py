"""``cycle_continuation``: branches of periodic orbits as xarray Datasets in a DataTree."""

from __future__ import annotations

import numpy as np

from ....errors import OptionsError
from ....results.attrs import provenance
from ...newton import newton
from ..engine import Branch
from ...scales import state_widths
from ..datasets import special_dataset, tree_with_provenance
from .engine import (CycleOptions, correct, hopf_start, make_orbit, pd_start, tangent,
                     trace_cycles)
from .problem import CycleProblem

__all__ = ["cycle_continuation", "periodic_branches"]

_END_TYPES = {"SNIC": "saddle-node on invariant circle (period -> infinity on a fold of "
                      "equilibria)",
              "HOM": "homoclinic orbit (period -> infinity at a saddle)"}


# -- starts ---------------------------------------------------------------------------------
def _hopf_data(pb, row):
    """(x, p, omega, q) of a Hopf point given as a special-points row or a dict."""
    model, param = pb.model, pb.param
    try:
        x = np.array([float(row[s]) for s in model.state_names])
        p = float(row[param])
    except KeyError as exc:
        raise OptionsError(f"a Hopf start needs the free parameter {param!r} and every state "
                           f"({list(model.state_names)}); missing {exc}") from None
    # polish the equilibrium (rows carry ~1e-12 accurate values; cheap to be sure)
    pv = pb.pv(p)
    x = newton(lambda y: (pb.system.f(y, pv), pb.system.jacobian(y, pv)), x, tol=1e-15,
               max_iter=6).x
    ev, V = np.linalg.eig(pb.system.jacobian(x, pb.pv(p)))
    k = int(np.argmin(np.abs(ev.real) + 1e3 * (ev.imag <= 0)))
    if not (ev[k].imag > 0 and abs(ev[k].real) <= 1e-6 * abs(ev[k])):
        raise OptionsError(f"no Hopf point at {param} = {p:.10g}: the eigenvalues there are "
                           f"{np.round(ev, 6).tolist()} (need a purely imaginary pair)")
    return x, p, float(ev[k].imag), V[:, k]


def _orbit_start(pb, cyc, opts):
    """Polish a cycle given as {'period', 'phase', 'orbit', 'params'} and find its tangent."""
    c = pb.col
    try:
        T = float(cyc["period"])
        phase = np.asarray(cyc["phase"], float)
        orbit = np.asarray(cyc["orbit"], float)
    except (KeyError, TypeError):
        raise OptionsError("a cycle start must be a dict with 'period', 'phase' and 'orbit' "
                           "(as returned by nmanalysis.analysis.cycles.cycle_start)") from None
    if orbit.shape != (pb.n, phase.size) or not np.all(np.isfinite(orbit)) or not T > 0:
        raise OptionsError(f"the cycle's 'orbit' must be finite with shape (n_states, "
                           f"n_phase) = ({pb.n}, {phase.size}) and its period positive")
    p = float(cyc.get("params", {}).get(pb.param, pb.pvec[pb.ip]))
    mesh = np.linspace(0.0, 1.0, c.N + 1)
    tn = c.node_times(mesh)
    ph = np.concatenate([phase - 1.0, phase, phase + 1.0])
    U = np.stack([np.interp(tn, ph, np.tile(orbit[i], 3)) for i in range(pb.n)], axis=1)
    z = pb.pack(U, T, p)
    e_p = np.zeros(c.size)
    e_p[-1] = 1.0
    e_p_scaled = e_p * pb.p_scale      # so that <z - z0, e_p> = (p - p0) / p_scale
    ref = c.slope(U)
    for _ in range(3):                 # polish at fixed p, remeshing in between
        znew, _ = correct(pb, z, mesh, ref, z, e_p_scaled, 0.0, opts.tol, 25)
        if znew is None:
            raise OptionsError(f"the cycle did not converge to a periodic orbit at "
                               f"{pb.param} = {p:.10g} (Newton on the collocation system "
                               "failed); give a longer transient or a finer orbit")
        z = znew
        U = pb.split(z)[0]
        new = c.adapted_mesh(U, mesh, pb.S)
        z = pb.pack(c.remesh(U, mesh, new), z[-2], z[-1])
        mesh = new
        ref = c.slope(pb.split(z)[0])
    z, _ = correct(pb, z, mesh, ref, z, e_p_scaled, 0.0, opts.tol, 25)
    if z is None:
        raise OptionsError("the polished cycle did not converge after remeshing")
    t = tangent(pb, z, mesh, c.slope(pb.split(z)[0]), e_p_scaled)
    if t is None:
        raise OptionsError("no tangent at the cycle (singular collocation system)")
    return make_orbit(pb, z, mesh, t)


# -- ends of branches ---------------------------------------------------------------------------
def _classify_end(pb, orbit, folds, span):
    """SNIC or homoclinic: look at the slowest point of a long-period orbit."""
    t, V = pb.profile(orbit.z, orbit.mesh)
    p = orbit.p
    F, J, _ = pb.evaluate(V, p, jac=True)
    speed = np.linalg.norm(F / pb.S, axis=1)
    k = int(np.argmin(speed))
    x = V[k].copy()
    info = {"p": p, "state": x}
    # a fold of equilibria nearby -> SNIC
    for pf, xf in folds:
        if abs(pf - p) <= 2e-3 * span and np.max(np.abs(xf - x) / pb.S_base) <= 0.05:
            return {"type": "SNIC", "p_fold": pf, **info, "state": xf,
                    "reason": f"period -> infinity on the fold at {pb.param} = {pf:.10g} "
                              "(SNIC)"}
    # otherwise an equilibrium on the orbit: saddle -> homoclinic; near-zero eigenvalue -> SNIC
    pv = pb.pv(p)
    res = newton(lambda z: (pb.system.f(z, pv), pb.system.jacobian(z, pv)), x, tol=1e-14,
                 max_iter=30, residual_tol=1e-10)
    y = res.x
    ok = bool(res.converged and res.residual < 1e-9 and np.max(np.abs(y - x) / pb.S) < 0.05)
    ev = np.linalg.eigvals(J[k])
    if ok:
        ev = np.linalg.eigvals(pb.system.jacobian(y, pb.pv(p)))
        small = np.min(np.abs(ev)) <= 1e-3 * np.max(np.abs(ev))
        kind = "SNIC" if small else "HOM"
        return {"type": kind, **info, "state": y,
                "reason": f"period -> infinity at an equilibrium ({_END_TYPES[kind]})"}
    if np.min(np.abs(ev)) <= 0.05 * np.max(np.abs(ev)):
        return {"type": "SNIC", **info,
                "reason": "period -> infinity at the ghost of a saddle-node (SNIC)"}
    return {"type": "period", **info, "reason": "period exceeded max_period"}


# -- results -------------------------------------------------------------------------------------
def _branch_dataset(pb, br, store_orbits, n_phase):
    import xarray as xr

    model, param = pb.model, pb.param
    pts = br.points
    npt = len(pts)
    n = pb.n
    obs = list(model.observable_names)
    P = np.array([o.p for o in pts])
    T = np.array([o.T for o in pts])
    mx = np.empty((npt, n + len(obs)))
    mn = np.empty((npt, n + len(obs)))
    orbits = np.full((npt, n, n_phase), np.nan) if store_orbits else None
    for i, o in enumerate(pts):
        _, V = pb.profile(o.z, o.mesh)
        if obs:
            V = np.concatenate([V, pb.observables(V, o.p)], axis=1)
        mx[i], mn[i] = V.max(0), V.min(0)
        if store_orbits:
            U = pb.split(o.z)[0]
            orbits[i] = pb.col_for(o.mesh).evaluate(U, o.mesh,
                                                    np.arange(n_phase) / n_phase).T
    nf = max(len(o.mu) for o in pts)
    mu = np.full((npt, nf), np.nan + 0j)
    for i, o in enumerate(pts):
        mu[i, :len(o.mu)] = o.mu
    nu = np.array([o.n_unstable for o in pts])
    arc = np.concatenate([[0.0], np.cumsum([
        pb.norm(pb.on_mesh(b.z, b.mesh, a.mesh) - a.z, a.mesh)
        for a, b in zip(pts[:-1], pts[1:])])])
    info = model.param_info[param]
    tu = model.time_units or "1"
    data = {param: ("point", P, {"long_name": info.description or param,
                                 "units": info.units}),
            "period": ("point", T, {"long_name": "period", "units": tu})}
    for i, s in enumerate([*model.state_names, *obs]):
        si = model.state_info.get(s) if s in model.state_info else None
        units = si.units if si is not None else model.observable_info[s].units \
            if hasattr(model, "observable_info") and s in model.observable_info else ""
        data[f"{s}_max"] = ("point", mx[:, i], {"long_name": f"maximum of {s} over the orbit",
                                                "units": units})
        data[f"{s}_min"] = ("point", mn[:, i], {"long_name": f"minimum of {s} over the orbit",
                                                "units": units})
    data["stable"] = ("point", nu == 0, {"long_name": "orbitally stable (every nontrivial "
                                                      "Floquet multiplier inside the unit "
                                                      "circle)", "units": "1"})
    data["n_unstable"] = ("point", nu.astype(np.int16),
                          {"long_name": "nontrivial Floquet multipliers outside the unit circle",
                           "units": "1"})
    data["floquet_real"] = (("point", "floquet"), mu.real,
                            {"long_name": "Floquet multiplier real part", "units": "1"})
    data["floquet_imag"] = (("point", "floquet"), mu.imag,
                            {"long_name": "Floquet multiplier imaginary part", "units": "1"})
    data["trivial_multiplier_error"] = (
        "point", np.array([o.trivial_error for o in pts]),
        {"long_name": "|trivial Floquet multiplier - 1| (precision check)", "units": "1"})
    data["amplitude"] = ("point", np.array([o.amplitude for o in pts]),
                         {"long_name": "largest (max - min) / state scale", "units": "1"})
    data["arclength"] = ("point", arc, {"long_name": "scaled arclength", "units": "1"})
    data["ntst"] = ("point", np.array([len(o.mesh) - 1 for o in pts], np.int32),
                    {"long_name": "mesh intervals of the collocation", "units": "1"})
    data["mesh_error"] = ("point", np.array([o.mesh_error for o in pts]),
                          {"long_name": "estimated collocation error (largest over the mesh, "
                                        "relative to the state scales)", "units": "1"})
    data["period_error"] = ("point", np.array([o.period_error for o in pts]),
                            {"long_name": "estimated relative error of the period (nan where "
                                          "not estimated)", "units": "1"})
    coords = {"point": ("point", np.arange(npt), {"long_name": "point index", "units": "1"}),
              "floquet": ("floquet", np.arange(nf), {"long_name": "multiplier index "
                                                     "(decreasing modulus)", "units": "1"})}
    if store_orbits:
        for i, s in enumerate(model.state_names):
            data[f"{s}_orbit"] = (("point", "phase"), orbits[:, i],
                                  {"long_name": f"{s} over one period",
                                   "units": model.state_info[s].units})
        coords["phase"] = ("phase", np.arange(n_phase) / n_phase,
                           {"long_name": "time / period", "units": "1"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(free_parameter=param, stop_reason=br.stop_reason,
                    end_type=str(br.end.get("type", "")), ntst=pb.col.N, ncol=pb.col.m,
                    ntst_max=int(max(len(o.mesh) - 1 for o in pts)))
    return ds


def _special_rows(pb, br, branch_name):
    rows = []
    for kind, o, info in br.special:
        U = pb.split(o.z)[0]
        rows.append({"type": kind, "p": o.p, "x": U[0].copy(), "branch": branch_name,
                     "status": info["status"], "precision": info["precision"],
                     "period": o.T})
    end = br.end
    if end.get("type") in _END_TYPES:
        rows.append({"type": end["type"], "p": end.get("p_fold", end["p"]),
                     "x": np.asarray(end["state"], float), "branch": branch_name,
                     "status": "end of branch", "precision": np.nan, "period": np.inf})
    return rows


def periodic_branches(model, param, starts, *, p_range, params=None, inputs=None, ntst=50,
                      ncol=4, ds=None, ds_max=None, max_points=None, tol=None,
                      max_period=None, state_bounds=None, detect=True, store_orbits=False,
                      n_phase=100, values=(), hopfs=(), folds=(), switch_pd=2,
                      mesh_tol=None, progress=None):
    """Trace the cycle branch from each start; ``(branch Datasets, special rows, problem)``.

    ``starts``: list of ``("hopf", row)`` or ``("cycle", dict)``; at PD points the
    doubled branch is traced too, down to ``switch_pd`` doublings; ``hopfs``:
    Hopf parameter values (branch ends); ``folds``: ``(p, x)`` of folds of
    equilibria (SNIC ends).
    """
    from ....progress import progress_bar

    # the defaults live in CycleOptions (one place); keywords given override them
    steps = {k: v for k, v in dict(ds=ds, ds_max=ds_max, max_points=max_points,
                                   mesh_tol=mesh_tol).items() if v is not None}
    tol = CycleOptions.tol if tol is None else tol
    max_points = CycleOptions.max_points if max_points is None else max_points

    lo, hi = (float(v) for v in p_range)
    pb = CycleProblem(model, param, params=params, inputs=inputs, ntst=ntst, ncol=ncol,
                      scales=state_widths(model, state_bounds), p_scale=hi - lo, T_scale=1.0)
    datasets, rows, reached = [], [], []
    bar = progress_bar(max_points * len(starts), "periodic orbits", progress, unit="pt")
    queue = [(kind, data, 0) for kind, data in starts]
    try:
        while queue:
            kind, data, depth = queue.pop(0)
            if kind == "pd":
                start = pd_start(pb, data[0])
                if start is None:
                    continue
                pb.T_base = pb.T_scale = start.T
                opts = CycleOptions(p_range=(lo, hi), tol=tol, detect=detect, **steps,
                                    values=tuple(float(v) for v in values),
                                    max_period=(max_period if max_period is not None
                                                else 100 * start.T))
                directions = (+1,)
            elif kind == "hopf":
                x, p, omega, q = _hopf_data(pb, data)
                pb.T_base = pb.T_scale = 2 * np.pi / omega
                opts = CycleOptions(p_range=(lo, hi), tol=tol, detect=detect, **steps,
                                    values=tuple(float(v) for v in values),
                                    max_period=(max_period if max_period is not None
                                                else 100 * 2 * np.pi / omega))
                start = hopf_start(pb, x, p, omega, q)
                if any(abs(r - p) <= 1e-6 * max(1.0, abs(p)) for r in reached):
                    continue            # an earlier branch already ended on this Hopf point
                directions = (+1,)
            else:
                opts0 = CycleOptions(p_range=(lo, hi), tol=tol)
                CycleOptions(p_range=(lo, hi), tol=tol, **steps)      # check the options
                pb.T_base = pb.T_scale = float(data["period"])
                start = _orbit_start(pb, data, opts0)
                opts = CycleOptions(p_range=(lo, hi), tol=tol, detect=detect, **steps,
                                    values=tuple(float(v) for v in values),
                                    max_period=(max_period if max_period is not None
                                                else 100 * start.T))
                directions = (+1, -1)
            halves = []
            for d in directions:
                s = start if d > 0 else _flip(start)
                br = trace_cycles(pb, s, opts, opts.ds, hopfs=hopfs, progress=bar,
                                  mark_start=d > 0)
                if br.end.get("type") == "period":
                    br.end = _classify_end(pb, br.points[-1], folds, hi - lo)
                    br.stop_reason = br.end["reason"]
                halves.append(br)
            br = _merge(halves)
            if br.end.get("type") == "HB":
                reached.append(br.end["p"])
            if depth < switch_pd:
                queue += [("pd", (o,), depth + 1) for k, o, _ in br.special if k == "PD"]
            name = f"periodic/branch_{len(datasets)}"
            datasets.append(_branch_dataset(pb, br, store_orbits, n_phase))
            rows += _special_rows(pb, br, name)
    finally:
        bar.close()
    return datasets, rows, pb


def _flip(o):
    from dataclasses import replace
    return replace(o, t=-o.t)


def _merge(halves):
    if len(halves) == 1:
        return halves[0]
    back, fwd = halves[1], halves[0]
    return Branch(points=back.points[::-1] + fwd.points[1:],
                       special=back.special + fwd.special,
                       stop_reason=f"{back.stop_reason}; {fwd.stop_reason}",
                       end=fwd.end or back.end)


def cycle_continuation(model, param, start, *, p_range, params=None, inputs=None, ntst=50,
                       ncol=4, ds=None, ds_max=None, max_points=None, tol=None,
                       max_period=None, state_bounds=None, detect=True, store_orbits=False,
                       n_phase=100, values=(), switch_pd=2, mesh_tol=None, progress=None):
    """Continue a branch of periodic orbits in one parameter (orthogonal collocation).

    Parameters
    ----------
    model : Model
    param : str
        The free parameter.
    start : Dataset row, dict
        A Hopf point (a row of :func:`nmanalysis.special_points` with type
        ``"HB"``, or a dict with the parameter and every state), or a cycle
        ``{"period": T, "phase": (m,), "orbit": (n_states, m), "params":
        {...}}`` (e.g. from :func:`nmanalysis.analysis.cycles.cycle_start`),
        which is polished by Newton and continued both ways.
    p_range : (float, float)
        The branch stops when the parameter leaves this interval.
    params, inputs : dict, optional
        Other parameter values / constant inputs.
    ntst, ncol : int
        Mesh intervals at the start, and the fewest used (the mesh is
        redistributed as the orbit changes shape, and refined where the error
        estimate asks for it, see ``mesh_tol``), and Gauss points per interval.
    ds, ds_max : float, optional
        First and largest step in the scaled norm (states by their box width,
        the period by its current value, the parameter by ``p_range``);
        defaults those of :class:`CycleOptions`, 0.02 and 0.5.
    max_points : int, optional
        Points per branch direction (default 600).
    tol : float, optional
        Newton tolerance (default 1e-9).
    max_period : float, optional
        The branch ends (SNIC or homoclinic orbit, told apart by the slowest
        point of the orbit) when the period exceeds this; default 100 times the
        start period.
    store_orbits : bool
        Also store every orbit on ``n_phase`` equally spaced phases.
    values : sequence of float
        Parameter values where the orbit is located exactly (special points
        of type ``"UZ"``, with their period).
    switch_pd : int
        At every period doubling (PD) also trace the branch of doubled
        orbits, down to this many doublings (0: never).
    mesh_tol : float, optional
        Error control of the collocation (default 1e-6, ``inf`` keeps ``ntst``
        fixed): the error on each mesh interval is estimated from the jumps of
        the ``ncol``-th derivative of the collocation polynomials across the
        mesh points; the mesh equidistributes it, and the number of intervals
        grows when the largest estimate (relative to each state's scale)
        exceeds half of ``mesh_tol``. Periods then come out to about 1e-8
        relative or better even near a homoclinic or SNIC end of a branch.

    Returns
    -------
    xarray.DataTree
        ``periodic/branch_0`` (dim ``point``: the parameter, ``period``,
        ``<state>_max``, ``<state>_min``, ``stable``, ``n_unstable``,
        ``floquet_real``/``floquet_imag`` on dim ``floquet``,
        ``trivial_multiplier_error``, ``ntst``, ``mesh_error`` and
        ``period_error``: the mesh intervals and the error estimates of each
        orbit) and
        ``special_points`` (LPC, PD, NS, SNIC, HOM, UZ).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> sp = nma.special_points(nma.continuation(m, "I", p_range=(0, 2)))
    >>> tree = nma.cycle_continuation(m, "I", sp.isel(special=0), p_range=(0, 2))
    >>> cyc = nma.special_points(tree)
    >>> [round(float(v), 8) for v in cyc["I"][cyc["type"] == "LPC"]]
    [0.32417852, 1.42582148]
    """
    from ....model.network import refuse_network
    refuse_network(model, 'cycle_continuation')
    starts = [("hopf", start)] if not (isinstance(start, dict) and "orbit" in start) \
        else [("cycle", start)]
    datasets, rows, pb = periodic_branches(
        model, param, starts, p_range=p_range, params=params, inputs=inputs, ntst=ntst,
        ncol=ncol, ds=ds, ds_max=ds_max, max_points=max_points, tol=tol,
        max_period=max_period, state_bounds=state_bounds, detect=detect,
        store_orbits=store_orbits, n_phase=n_phase, values=values, switch_pd=switch_pd,
        mesh_tol=mesh_tol, progress=progress)
    tree = {f"periodic/branch_{k}": d for k, d in enumerate(datasets)}
    tree["special_points"] = special_dataset(model, param, rows)
    defaults = {"ds": ds, "ds_max": ds_max, "tol": tol, "max_points": max_points,
                "mesh_tol": mesh_tol}
    used = {k: getattr(CycleOptions, k) if v is None else v for k, v in defaults.items()}
    return tree_with_provenance(tree, provenance(
        model, analysis="cycle continuation", fixed_params=pb.fixed,
        method="orthogonal collocation (Gauss-Legendre), pseudo-arclength, periodic-QR "
               "Floquet multipliers",
        options={"free_parameter": param, "p_range": list(p_range), "ntst": ntst,
                 "ncol": ncol, **used}))
