"""``phase_plane``: vector field, precise nullclines, equilibria and trajectories of a 2-D slice."""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_names
from ..errors import OptionsError
from ..integrate.sizing import check_memory
from ..results.attrs import json_attr, provenance
from ..results.conventions import eigenvalue_attrs
from .scales import state_interval
from .newton import newton
from .stability import KINDS, classify, eigen_sorted

__all__ = ["phase_plane"]


class _Plane:
    """The reduced 2-D field F(x, y) = (f_x, f_y) with the other states held or slaved."""

    def __init__(self, model, system, ix, iy, p, others, mode):
        self.system, self.ix, self.iy, self.p, self.mode = system, ix, iy, p, mode
        self.n = model.n_states
        self.io = [i for i in range(self.n) if i not in (ix, iy)]
        self.others = np.array([others[model.state_names[i]] for i in self.io], float)
        self.P = np.ascontiguousarray(p[:, None])

    def _full(self, x, y):
        X = np.empty((self.n, x.size))
        X[self.ix], X[self.iy] = x, y
        X[self.io] = self.others[:, None] if self.io else 0
        return X

    def _eval(self, X, jac):
        rows = np.zeros(X.shape[1], np.int64)
        X = np.ascontiguousarray(X)
        F = np.empty_like(X)
        self.system.rhs_batch(X, self.P, rows, 0, X.shape[1], F)
        J = None
        if jac:
            J = np.empty((X.shape[1], self.n, self.n))
            self.system.jac_batch(X, self.P, rows, 0, X.shape[1], J)
        return F, J

    def _slave(self, X):
        """Put the other states on their own nullclines (quasi-steady state), by Newton."""
        io = self.io

        def slaved(Z, rows):
            Xr = X[:, rows].copy()
            Xr[io] = Z.T
            F, J = self._eval(Xr, True)
            return F[io].T, J[:, io][:, :, io]

        X[io] = newton(slaved, X[io].T.copy(), tol=1e-15, max_iter=40,
                       residual_tol=1e-13).x.T
        F, _ = self._eval(X, False)
        ok = np.all(np.abs(F[io]) <= 1e-8 * (1 + np.abs(X[io])), axis=0)
        X[:, ~ok] = np.nan
        return X

    def field(self, x, y, jac=False):
        """(fx, fy[, reduced 2x2 Jacobian, full states]) at points (x, y)."""
        X = self._full(np.asarray(x, float).ravel(), np.asarray(y, float).ravel())
        if self.mode == "qss" and self.io:
            X = self._slave(X)
        F, J = self._eval(X, jac)
        fxy = F[[self.ix, self.iy]]
        if not jac:
            return fxy
        a = [self.ix, self.iy]
        R = J[:, a][:, :, a]
        if self.mode == "qss" and self.io:
            io = self.io
            Joo = J[:, io][:, :, io]
            cor = J[:, a][:, :, io] @ np.linalg.solve(Joo, J[:, io][:, :, a])
            R = R - cor
        return fxy, R, J, X


def _ranges(model, x, y, ranges):
    ranges = check_names(ranges, model.state_names, "ranges")
    return {s: state_interval(model, s, ranges, "ranges") for s in (x, y)}


def _refine(plane, k, pts, tol=1e-13, iters=30):
    """Move polyline vertices onto the curve f_k(x, y) = 0 by Newton along the gradient."""
    pts = pts.copy()
    for _ in range(iters):
        fxy, R, _, _ = plane.field(pts[:, 0], pts[:, 1], jac=True)
        f = fxy[k]
        g = R[:, k, :]
        gg = np.sum(g * g, axis=1)
        if np.all(np.abs(f) <= tol * (1 + np.abs(pts).max(axis=1))):
            break
        step = np.where(gg > 0, f / np.where(gg > 0, gg, 1), 0.0)
        pts -= step[:, None] * g
    fxy = plane.field(pts[:, 0], pts[:, 1])
    return pts, np.abs(fxy[k])


def _nullcline(plane, k, xs, ys, FX, extent):
    import contourpy

    gen = contourpy.contour_generator(xs, ys, FX, line_type="Separate")
    segs = [s for s in gen.lines(0.0) if len(s) >= 2]
    if not segs:
        return np.zeros((0, 2)), np.zeros(0, np.int32), np.zeros(0)
    pts = np.concatenate(segs)
    seg = np.concatenate([np.full(len(s), i, np.int32) for i, s in enumerate(segs)])
    pts, res = _refine(plane, k, pts)
    (x0, x1), (y0, y1) = extent
    inside = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    good = inside & np.isfinite(res)
    return pts[good], seg[good], res[good]


def _equilibria(plane, extent, n_starts=256, seed=0):
    from .equilibria import low_discrepancy

    (x0, x1), (y0, y1) = extent
    u = low_discrepancy(n_starts, 2, seed)
    pts = np.column_stack([x0 + u[:, 0] * (x1 - x0), y0 + u[:, 1] * (y1 - y0)])

    def reduced(P, rows):
        fxy, R, _, _ = plane.field(P[:, 0], P[:, 1], jac=True)
        return fxy.T, R

    pts = newton(reduced, pts, tol=1e-15, max_iter=60).x
    fxy, R, J, X = plane.field(pts[:, 0], pts[:, 1], jac=True)
    scale = 1 + np.abs(pts).max(axis=1)
    ok = np.all(np.isfinite(pts), axis=1) & (np.abs(fxy).max(axis=0) <= 1e-10 * scale)
    ok &= (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    uniq = []
    for i in np.flatnonzero(ok):
        if all(np.max(np.abs(pts[i] - pts[j]) / np.maximum(1, np.abs(pts[i]))) > 1e-7
               for j in uniq):
            uniq.append(i)
    uniq = sorted(uniq, key=lambda i: tuple(pts[i]))
    return pts[uniq], R[uniq], J[uniq], X[:, uniq], np.abs(fxy[:, uniq]).max(axis=0)


def phase_plane(model, x, y, *, params=None, ranges=None, resolution=41, others=None,
                mode="fixed", trajectories=None, t=(0.0, 50.0), method="dopri5",
                kind_tol=1e-9, manifolds=False):
    """Vector field, nullclines, equilibria and trajectories in the (x, y) plane.

    Parameters
    ----------
    model : Model
    x, y : str
        The two states spanning the plane.
    params : dict, optional
        Parameter values (numbers; defaults otherwise).
    ranges : dict, optional
        ``{x: (lo, hi), y: (lo, hi)}``; default the states' declared bounds,
        else (-10, 10).
    resolution : int or (int, int)
        Grid points along x and y for the vector field and the nullcline contouring.
    others : dict, optional
        Values at which the remaining states are held (``mode="fixed"``; model
        defaults otherwise) or the starting guess of their slaving (``"qss"``).
    mode : {"fixed", "qss"}
        Remaining states held fixed, or slaved to their own nullclines
        (quasi-steady state), making the plane's equilibria true equilibria.
    trajectories : sequence of (x0, y0), optional
        Initial points (other states as in ``others``) integrated with
        :func:`simulate` over ``t``.
    t : (float, float)
        Time span of the trajectories.
    method : str
        Integration method of the trajectories.
    kind_tol : float
        Tolerance of :func:`~nmanalysis.analysis.stability.classify`.
    manifolds : bool
        Also trace the stable and unstable manifolds of every saddle of the
        plane's field (from the saddle along its eigenvectors, integrated
        backward for the stable and forward for the unstable manifold until
        they leave the plane's ranges, or for the time span ``t``).

    Returns
    -------
    xarray.Dataset
        ``dx``, ``dy`` on the (``x``, ``y``) grid (dims named after the two
        states); per nullcline ``s`` in (x, y): ``nullcline_<s>_x``,
        ``nullcline_<s>_y``, ``nullcline_<s>_segment``, ``nullcline_<s>_residual``
        on dim ``nullcline_<s>_vertex``; equilibria on dim ``fp`` (both
        coordinates, ``kind``, ``stable``, eigenvalues on ``eig``); optional
        trajectories ``traj_x``, ``traj_y`` on (``traj``, ``time``); optional
        saddle manifolds ``manifold_x``, ``manifold_y``, ``manifold_segment``,
        ``manifold_stable`` on dim ``manifold_vertex``.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> pp = nma.phase_plane(nma.get_model("fitzhugh_nagumo"), "v", "w", params={"I": 0.5})
    >>> [str(k) for k in pp["fp_kind"].values]
    ['unstable focus']
    """
    from ..model.network import refuse_network
    refuse_network(model, 'phase_plane')
    import xarray as xr

    from ..compile import compile_model

    for name, s in (("x", x), ("y", y)):
        if s not in model.state_names:
            raise OptionsError(f"`{name}` must be a state of {model.name!r} "
                               f"{list(model.state_names)}; got {s!r}")
    if x == y:
        raise OptionsError(f"`x` and `y` must be different states; both are {x!r}")
    if mode not in ("fixed", "qss"):
        raise OptionsError(f"`mode` must be 'fixed' or 'qss'; got {mode!r}")
    if model.uses_time():
        raise OptionsError("phase_plane needs an autonomous model (no explicit `t`)")
    params = check_names(params, model.param_names, "params")
    others = {**dict(model.states), **check_names(others, model.state_names, "others")}
    nx, ny = (resolution, resolution) if np.ndim(resolution) == 0 else resolution
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 3
               for v in (nx, ny)):
        raise OptionsError(f"`resolution` must be a whole number (or a pair) of at least 3; "
                           f"got {resolution!r}")
    # the grid, its vector field, the model states at every node and the nullcline work
    check_memory(8.0 * nx * ny * (3 * model.n_states + 8),
                 f"phase_plane of a {nx} x {ny} grid", "use a smaller `resolution`")
    rng = _ranges(model, x, y, ranges)
    system = compile_model(model)
    p = system.parameter_vector(params, None, {**model.params, **model.inputs})
    ix, iy = model.state_names.index(x), model.state_names.index(y)
    plane = _Plane(model, system, ix, iy, p, others, mode)

    xs = np.linspace(*rng[x], int(nx))
    ys = np.linspace(*rng[y], int(ny))
    XX, YY = np.meshgrid(xs, ys, indexing="xy")
    F = plane.field(XX, YY)
    FX, FY = F[0].reshape(XX.shape), F[1].reshape(XX.shape)
    extent = (rng[x], rng[y])
    data = {
        "dx": ((y, x), FX, {"long_name": f"d{x}/dt", "units": _rate(model, x)}),
        "dy": ((y, x), FY, {"long_name": f"d{y}/dt", "units": _rate(model, y)}),
    }
    coords = {x: (x, xs, _state_attrs(model, x)), y: (y, ys, _state_attrs(model, y))}
    for k, s in enumerate((x, y)):
        pts, seg, res = _nullcline(plane, k, xs, ys, FX if k == 0 else FY, extent)
        dim = f"nullcline_{s}_vertex"
        data[f"nullcline_{s}_x"] = (dim, pts[:, 0], {"long_name": f"{x} on the {s}-nullcline",
                                                     "units": model.units_of(x)})
        data[f"nullcline_{s}_y"] = (dim, pts[:, 1], {"long_name": f"{y} on the {s}-nullcline",
                                                     "units": model.units_of(y)})
        data[f"nullcline_{s}_segment"] = (dim, seg, {"long_name": "polyline index",
                                                     "units": "1"})
        data[f"nullcline_{s}_residual"] = (dim, res, {"long_name": f"|d{s}/dt| at the vertex",
                                                      "units": _rate(model, s)})
        coords[dim] = (dim, np.arange(pts.shape[0]), {"long_name": "vertex index", "units": "1"})

    pts, R, J, Xfull, res = _equilibria(plane, extent)
    full = mode == "qss" or model.n_states == 2
    lam = eigen_sorted(J if full else R) if len(pts) else np.zeros((0, model.n_states if full
                                                                   else 2), complex)
    kind, stable, nu = classify(lam, kind_tol)
    ne = lam.shape[1] if lam.ndim == 2 else 2
    coords["fp"] = ("fp", np.arange(len(pts)), {"long_name": "equilibrium index", "units": "1"})
    coords["eig"] = ("eig", np.arange(ne), {"long_name": "eigenvalue index", "units": "1"})
    data["fp_x"] = ("fp", pts[:, 0] if len(pts) else np.zeros(0), _state_attrs(model, x))
    data["fp_y"] = ("fp", pts[:, 1] if len(pts) else np.zeros(0), _state_attrs(model, y))
    data["fp_kind"] = ("fp", np.array([KINDS[k] for k in kind], dtype=str),
                       {"long_name": "kind of equilibrium", "units": "1"})
    data["fp_stable"] = ("fp", stable, {"long_name": "linearly stable", "units": "1"})
    data["fp_residual"] = ("fp", res, {"long_name": "max |f| of the plane's field", "units": "1"})
    data["fp_eig_real"] = (("fp", "eig"), lam.real, eigenvalue_attrs(model, "real"))
    data["fp_eig_imag"] = (("fp", "eig"), lam.imag, eigenvalue_attrs(model, "imaginary"))
    if manifolds:
        mx, my, mseg, mstable = _manifolds(plane, pts, R, kind, extent, t)
        coords["manifold_vertex"] = ("manifold_vertex", np.arange(mx.size),
                                     {"long_name": "vertex index", "units": "1"})
        data["manifold_x"] = ("manifold_vertex", mx, _state_attrs(model, x))
        data["manifold_y"] = ("manifold_vertex", my, _state_attrs(model, y))
        data["manifold_segment"] = ("manifold_vertex", mseg,
                                    {"long_name": "manifold branch index", "units": "1"})
        data["manifold_stable"] = ("manifold_vertex", mstable,
                                   {"long_name": "on a stable (True) or unstable manifold",
                                    "units": "1"})
    ds = xr.Dataset(data, coords=coords)
    if trajectories is not None:
        ds = _add_trajectories(ds, model, x, y, params, others, trajectories, t, method)
    fixed = {**model.params, **{k: float(v) for k, v in params.items()}}
    ds.attrs.update(provenance(model, analysis="phase_plane", fixed_params=fixed,
                               options={"x": x, "y": y, "mode": mode,
                                        "others": json_attr({s: others[s] for s in
                                                             model.state_names
                                                             if s not in (x, y)}),
                                        "eigenvalues_of": "full Jacobian" if full else
                                        "2x2 Jacobian of the slice", "kind_tol": kind_tol,
                                        "nullcline_refinement": "Newton along the gradient"}))
    return ds


def _manifolds(plane, pts, R, kind, extent, t, eps=1e-6):
    """Branches of the saddles' stable/unstable manifolds (scipy integration of the field)."""
    from scipy.integrate import solve_ivp

    (x0, x1), (y0, y1) = extent
    span = max(x1 - x0, y1 - y0)

    def rhs(_, z):
        return plane.field(np.array([z[0]]), np.array([z[1]]))[:, 0]

    def leave(_, z):
        return min(z[0] - x0, x1 - z[0], z[1] - y0, y1 - z[1]) + 1e-9 * span
    leave.terminal = True

    xs, ys, seg, stab = [], [], [], []
    k = 0
    for i in np.flatnonzero(np.isin(kind, [KINDS.index("saddle")])):
        lam, vec = np.linalg.eig(R[i])
        for j in range(2):
            stable = lam[j].real < 0
            for sign in (1.0, -1.0):
                z0 = pts[i] + sign * eps * span * vec[:, j].real
                T = float(t[1] - t[0])
                sol = solve_ivp(rhs, (0.0, -T if stable else T), z0, method="DOP853",
                                rtol=1e-9, atol=1e-12 * span, events=leave, max_step=T / 200)
                path = np.column_stack([pts[i], sol.y])
                xs.append(path[0])
                ys.append(path[1])
                seg.append(np.full(path.shape[1], k, np.int32))
                stab.append(np.full(path.shape[1], stable))
                k += 1
    if not xs:
        return np.zeros(0), np.zeros(0), np.zeros(0, np.int32), np.zeros(0, bool)
    return (np.concatenate(xs), np.concatenate(ys), np.concatenate(seg),
            np.concatenate(stab))


def _rate(model, s):
    u, tu = model.units_of(s), model.time_units
    if not tu or tu == "1":
        return u or "1"
    return f"{u or '1'}/{tu}"


def _state_attrs(model, s):
    info = model.state_info[s]
    return {"long_name": info.description or s, "units": info.units}


def _add_trajectories(ds, model, x, y, params, others, trajectories, t, method):
    import xarray as xr

    from ..integrate.simulate import simulate

    pts = np.asarray(trajectories, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise OptionsError("`trajectories` must be a sequence of (x0, y0) pairs; got shape "
                           f"{pts.shape}")
    idx = xr.DataArray(np.arange(len(pts)), dims="traj")
    y0 = {s: float(others[s]) for s in model.state_names}
    y0[x] = xr.DataArray(pts[:, 0], dims="traj", coords={"traj": idx.values})
    y0[y] = xr.DataArray(pts[:, 1], dims="traj", coords={"traj": idx.values})
    sim = simulate(model, t=t, method=method, params=params, y0=y0, observables=False,
                   progress=False)
    ds = ds.assign_coords(time=sim["time"], traj=("traj", idx.values,
                                                  {"long_name": "trajectory index",
                                                   "units": "1"}))
    ds["traj_x"] = sim[x].transpose("traj", "time").drop_vars(
        [c for c in sim[x].coords if c not in ("traj", "time")])
    ds["traj_y"] = sim[y].transpose("traj", "time").drop_vars(
        [c for c in sim[y].coords if c not in ("traj", "time")])
    ds["traj_status"] = sim["status"]
    return ds
