"""Datasets of a two-parameter diagram: one per curve, and its codim-2 points."""

from __future__ import annotations

import numpy as np

from ....results.conventions import eigenvalue_attrs

__all__ = ["curve_dataset", "codim2_special_dataset", "cycle_curve_dataset", "CODIM2_TYPES",
           "CYCLE_CURVES"]

#: what each type of codim-2 point is
CODIM2_TYPES = {"CP": "cusp", "BT": "Bogdanov-Takens", "GH": "generalised Hopf (Bautin)",
                "ZH": "zero-Hopf (fold-Hopf)", "HH": "Hopf-Hopf"}

_COMPLETE = ("left the box", "closed curve", "Bogdanov-Takens point (omega -> 0)")


def _param_attrs(model, name):
    info = model.param_info[name]
    return {"long_name": info.description or name, "units": info.units}


def _state_attrs(model, s):
    info = model.state_info[s]
    return {"long_name": info.description or s, "units": info.units}


def curve_dataset(model, problem, c, kind):
    """The Dataset (dim ``point``) of one traced curve ``c`` (from ``_trace_curve``)."""
    import xarray as xr

    curve, pts = c["curve"], c["points"]
    n = curve.n
    p1, p2 = problem.free
    Z = np.array([p.z for p in pts])
    U = Z * curve.S
    eig = np.array([p.eig for p in pts])
    nu = np.array([p.n_unstable for p in pts])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(Z, axis=0), axis=1))])
    data = {p1: ("point", U[:, n], _param_attrs(model, p1)),
            p2: ("point", U[:, n + 1], _param_attrs(model, p2))}
    for i, s in enumerate(model.state_names):
        data[s] = ("point", U[:, i], _state_attrs(model, s))
    tunits = model.time_units or "1"
    if kind == "hopf":
        kappa = U[:, n + 2]
        data["omega"] = ("point", np.where(kappa > 0, np.sqrt(np.abs(kappa)), np.nan),
                         {"long_name": "angular frequency of the critical pair (Hopf)",
                          "units": f"rad/{tunits}"})
        data["kappa"] = ("point", kappa,
                         {"long_name": "omega^2 (Hopf); -k^2 on a neutral saddle (+-k real)",
                          "units": f"rad^2/{tunits}^2"})
        data["neutral_saddle"] = ("point", kappa <= 0,
                                  {"long_name": "neutral saddle (real pair +-k), not a Hopf "
                                                "point", "units": "1"})
        data["first_lyapunov"] = ("point", np.array([p.l1 for p in pts], float),
                                  {"long_name": "first Lyapunov coefficient l1 (NaN on "
                                                "neutral saddles)", "units": "1"})
    data["stable"] = ("point", nu == 0, {"long_name": "no eigenvalue with Re > 0 "
                                                      "(besides the critical ones)",
                                         "units": "1"})
    data["n_unstable"] = ("point", nu.astype(np.int16),
                          {"long_name": "eigenvalues with Re > 0", "units": "1"})
    data["eig_real"] = (("point", "eig"), eig.real, eigenvalue_attrs(model, "real"))
    data["eig_imag"] = (("point", "eig"), eig.imag, eigenvalue_attrs(model, "imaginary"))
    data["arclength"] = ("point", arc, {"long_name": "scaled arclength", "units": "1"})
    ds = xr.Dataset(data, coords={
        "point": ("point", np.arange(len(pts)), {"long_name": "point index", "units": "1"}),
        "eig": ("eig", np.arange(n), {"long_name": "eigenvalue index", "units": "1"})})
    seed = c["seed"]
    what = "LP" if kind == "fold" else "HB"
    reasons = c["reasons"]
    ds.attrs.update(
        curve=kind, free_parameters=f"{p1} {p2}",
        start_point=c.get("start_point")
        or f"{what} at {p1} = {seed[n]:.12g}, {p2} = {seed[n + 1]:.12g}",
        stop_reason_start_side=reasons[0], stop_reason_end_side=reasons[1],
        status="complete" if all(r in _COMPLETE for r in reasons) else "incomplete")
    return ds


_FLOAT_COLUMNS = {
    "precision": ("last Newton correction of the parameters (relative to max(|p|, 1)); "
                  "bracketed: the final arclength bracket", "1"),
    "cusp_coefficient": ("cubic normal-form coefficient c (CP)", "1"),
    "bt_a": ("quadratic normal-form coefficient a (BT)", "1"),
    "bt_b": ("quadratic normal-form coefficient b (BT)", "1"),
    "second_lyapunov": ("second Lyapunov coefficient l2 (GH)", "1"),
    "angular_frequency": ("angular frequency of the critical pair (GH, ZH, HH)", None),
    "second_angular_frequency": ("angular frequency of the second pair (HH)", None),
    "zh_s": ("sign s of the zero-Hopf normal form", "1"),
    "zh_theta": ("theta of the zero-Hopf normal form", "1"),
    "hh_p11": ("amplitude coefficient p11 (HH)", "1"),
    "hh_p12": ("amplitude coefficient p12 (HH)", "1"),
    "hh_p21": ("amplitude coefficient p21 (HH)", "1"),
    "hh_p22": ("amplitude coefficient p22 (HH)", "1"),
    "hh_theta": ("theta = p12 / p22 (HH)", "1"),
    "hh_delta": ("delta = p21 / p11 (HH)", "1"),
}


def codim2_special_dataset(model, problem, rows):
    """The ``special_points`` Dataset (dim ``special``) of a two-parameter diagram."""
    import xarray as xr

    p1, p2 = problem.free
    m = len(rows)
    data = {"type": ("special", np.array([r["type"] for r in rows], dtype="<U2"),
                     {"long_name": "kind of codim-2 point", "units": "1",
                      "description": ", ".join(f"{k} {v}" for k, v in CODIM2_TYPES.items())}),
            p1: ("special", np.array([r["P"][0] for r in rows], float),
                 _param_attrs(model, p1)),
            p2: ("special", np.array([r["P"][1] for r in rows], float),
                 _param_attrs(model, p2))}
    for i, s in enumerate(model.state_names):
        data[s] = ("special", np.array([r["x"][i] for r in rows], float), _state_attrs(model, s))
    data["branch"] = ("special", np.array([r["branch"] for r in rows], dtype=str),
                      {"long_name": "curves the point lies on (comma-separated)", "units": "1"})
    data["status"] = ("special", np.array([r["status"] for r in rows], dtype=str),
                      {"long_name": "located (Newton on the extended system converged) or "
                                    "bracketed", "units": "1"})
    tunits = f"rad/{model.time_units or '1'}"
    for key, (long_name, units) in _FLOAT_COLUMNS.items():
        data[key] = ("special", np.array([r.get(key, np.nan) for r in rows], float),
                     {"long_name": long_name, "units": units or tunits})
    ds = xr.Dataset(data, coords={"special": ("special", np.arange(m),
                                              {"long_name": "special point index",
                                               "units": "1"})})
    ds.attrs["free_parameters"] = f"{p1} {p2}"
    return ds


#: what each kind of cycle curve is
CYCLE_CURVES = {"lpc": "fold of cycles (LPC)", "pd": "period doubling (PD)",
                "ns": "Neimark-Sacker (torus, NS)"}


def cycle_curve_dataset(model, pb, res, kind, start_point):
    """The Dataset (dim ``point``) of one traced LPC, PD or NS curve.

    ``pb`` is the :class:`.cycle_systems.CycleCurveProblem`, ``res`` the result
    of :func:`.cycles.trace_cycle_curve`.
    """
    import xarray as xr

    from .cycles import COMPLETE_ENDS

    pts = res["points"]
    npt = len(pts)
    p1, p2 = pb.free
    obs = list(model.observable_names)
    names = [*model.state_names, *obs]
    P = np.empty((npt, 2))
    T = np.empty(npt)
    kappa = np.full(npt, np.nan)
    mx = np.empty((npt, len(names)))
    mn = np.empty((npt, len(names)))
    ntst = np.empty(npt, np.int32)
    for i, o in enumerate(pts):
        U, T[i], P[i], extra = pb.split(o.y, o.mesh)
        if extra.size:
            kappa[i] = extra[0]
        c = pb.col_for(o.mesh)
        V = np.concatenate([U, c.at_gauss(U).reshape(-1, pb.n)])
        if obs:
            V = np.concatenate([V, _observables(pb, V, P[i])], axis=1)
        mx[i], mn[i] = V.max(0), V.min(0)
        ntst[i] = len(o.mesh) - 1
    nf = max(len(o.mu) for o in pts)
    mu = np.full((npt, nf), np.nan + 0j)
    for i, o in enumerate(pts):
        mu[i, :len(o.mu)] = o.mu
    triv = np.array([float(np.min(np.abs(o.mu - 1.0))) if np.all(np.isfinite(o.mu))
                     else np.nan for o in pts])
    arc = np.concatenate([[0.0], np.cumsum([
        pb.norm(pb.remesh(b.y, b.mesh, a.mesh) - a.y, a.mesh) for a, b in zip(pts[:-1],
                                                                               pts[1:])])])
    tu = model.time_units or "1"
    data = {p1: ("point", P[:, 0], _param_attrs(model, p1)),
            p2: ("point", P[:, 1], _param_attrs(model, p2)),
            "period": ("point", T, {"long_name": "period", "units": tu})}
    for i, s in enumerate(names):
        units = model.state_info[s].units if s in model.state_info else ""
        data[f"{s}_max"] = ("point", mx[:, i], {"long_name": f"maximum of {s} over the orbit",
                                                "units": units})
        data[f"{s}_min"] = ("point", mn[:, i], {"long_name": f"minimum of {s} over the orbit",
                                                "units": units})
    data["amplitude"] = ("point", np.array([o.amplitude for o in pts]),
                         {"long_name": "largest (max - min) / state scale", "units": "1"})
    data["floquet_real"] = (("point", "floquet"), mu.real,
                            {"long_name": "Floquet multiplier real part", "units": "1"})
    data["floquet_imag"] = (("point", "floquet"), mu.imag,
                            {"long_name": "Floquet multiplier imaginary part", "units": "1"})
    data["trivial_multiplier_error"] = (
        "point", triv, {"long_name": "|trivial Floquet multiplier - 1| (precision check)",
                        "units": "1"})
    if kind == "ns":
        inside = np.abs(kappa) <= 1
        data["kappa"] = ("point", kappa, {"long_name": "cos(theta) of the critical multipliers "
                                                       "exp(+-i theta); |kappa| > 1 on a "
                                                       "neutral saddle cycle", "units": "1"})
        data["theta"] = ("point", np.where(inside, np.arccos(np.clip(kappa, -1, 1)), np.nan),
                         {"long_name": "argument theta of the critical multipliers (NS)",
                          "units": "rad"})
        data["neutral_saddle"] = ("point", ~inside,
                                  {"long_name": "neutral saddle cycle (real multipliers mu, "
                                                "1/mu), not a torus bifurcation", "units": "1"})
    data["arclength"] = ("point", arc, {"long_name": "scaled arclength", "units": "1"})
    data["ntst"] = ("point", ntst, {"long_name": "mesh intervals of the collocation",
                                    "units": "1"})
    ds = xr.Dataset(data, coords={
        "point": ("point", np.arange(npt), {"long_name": "point index", "units": "1"}),
        "floquet": ("floquet", np.arange(nf), {"long_name": "multiplier index (decreasing "
                                                            "modulus)", "units": "1"})})
    reasons = res["reasons"]
    ds.attrs.update(
        curve=kind, free_parameters=f"{p1} {p2}", start_point=start_point,
        stop_reason_start_side=reasons[0], stop_reason_end_side=reasons[1],
        status="complete" if all(r in COMPLETE_ENDS or r.startswith("reached the generalised")
                                 for r in reasons) else "incomplete",
        ntst=int(pb.base.col.N), ncol=int(pb.base.col.m),
        description=CYCLE_CURVES[kind])
    return ds


def _observables(pb, X, P):
    n_obs = len(pb.model.observable_names)
    X = np.ascontiguousarray(X.reshape(-1, pb.n))
    out = np.empty((X.shape[0], max(n_obs, 1)))
    pb.kern.obs_eval(X, pb.pv(P), out)
    return out[:, :n_obs]
