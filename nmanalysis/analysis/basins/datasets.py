"""The results of a basin map as Datasets: the map and the attractor catalogue."""

from __future__ import annotations

import numpy as np

from ...integrate.simulate import simulate
from ...results.status import DIVERGED, MAX_STEPS, OK, OUT_OF_BOUNDS, Flags

__all__ = ["map_dataset", "catalogue_dataset", "STATUS_MEANINGS", "BASIN_STATUS"]

#: outcome codes of ``basin_map``'s ``status`` variable: the trajectory codes of
#: results.status (1 diverged, 2 left the bounds, 3 out of time) with 0 meaning
#: that the trajectory reached an attractor of the catalogue
BASIN_STATUS = Flags("outcome of the trajectory", (
    (OK, "attractor_found", "the trajectory reached an attractor of the catalogue"),
    (DIVERGED, "diverged", "a state became NaN or infinite"),
    (OUT_OF_BOUNDS, "left_bounds", "a state left the domain given"),
    (MAX_STEPS, "undecided", "no attractor was reached within t_max"),
))
STATUS_MEANINGS = tuple(BASIN_STATUS.meanings[c] for c in sorted(BASIN_STATUS.meanings))


def map_dataset(model, axes, dims, shape, label, status, t_conv, sampled):
    """The map: ``attractor``, ``time_to_converge`` and ``status`` over the initial states."""
    import xarray as xr
    tu = model.time_units or "1"
    coords = {}
    if sampled:
        coords["sample"] = ("sample", np.arange(shape[0]),
                            {"long_name": "initial state index", "units": "1"})
        for s, a in axes.items():
            coords[s] = ("sample", a, _state_attrs(model, s, "initial "))
    else:
        for d in dims:
            coords[d] = (d, axes[d], _state_attrs(model, d, "initial "))
    data = {
        "attractor": (dims, label.reshape(shape),
                      {"long_name": "attractor reached (index in the catalogue; -1 undecided)",
                       "units": "1"}),
        "time_to_converge": (dims, t_conv.reshape(shape),
                             {"long_name": "time until the attractor was reached", "units": tu}),
        "status": (dims, status.reshape(shape), BASIN_STATUS.attrs()),
    }
    return xr.Dataset(data, coords=coords)


def _state_attrs(model, s, prefix=""):
    info = model.state_info[s]
    return {"long_name": f"{prefix}{info.description or s}", "units": info.units or "1"}


def _orbit(model, system, p, point, period, n_points=101):
    """One period of a cycle from its Poincare point (fine RK4 steps)."""
    steps = 2000
    params = dict(zip(model.param_names, p[: len(model.param_names)]))
    inputs = dict(zip(model.input_names, p[len(model.param_names):]))
    sim = simulate(model, t=(0.0, period), dt=period / steps, method="rk4", params=params,
                   inputs=inputs or None, y0=dict(zip(model.state_names, point)),
                   record="full", progress=False, observables=False)
    idx = np.linspace(0, sim.sizes["time"] - 1, n_points).round().astype(int)
    return np.array([sim[s].values.ravel()[idx] for s in model.state_names])


def catalogue_dataset(model, catalogue, label, system, p, dt):
    """The attractor catalogue on dim ``attractor``, with the orbits of the cycles."""
    import xarray as xr
    n, K = model.n_states, len(catalogue)
    names = model.state_names
    count = np.bincount(label[label >= 0], minlength=K)[:K] if K else np.zeros(0, int)
    tu = model.time_units or "1"
    pts = np.array([c["point"] for c in catalogue]).reshape(K, n)
    ymin = np.array([c.get("ymin", c["point"]) for c in catalogue]).reshape(K, n)
    ymax = np.array([c.get("ymax", c["point"]) for c in catalogue]).reshape(K, n)
    n_eq = [0, 0]
    labels = []
    for c in catalogue:
        if c["kind"] == "equilibrium":
            labels.append(f"E{n_eq[0]} ({c['stability']})")
            n_eq[0] += 1
        else:
            labels.append(f"C{n_eq[1]} (cycle, T={c['period']:.4g})")
            n_eq[1] += 1
    data = {
        "label": ("attractor", np.array(labels, dtype=str),
                  {"long_name": "attractor label", "units": "1"}),
        "kind": ("attractor", np.array([c["kind"] for c in catalogue], dtype=str),
                 {"long_name": "kind of attractor (equilibrium or cycle)", "units": "1"}),
        "stability": ("attractor", np.array([c["stability"] for c in catalogue], dtype=str),
                      {"long_name": "stability (equilibria: kind from the eigenvalues; "
                                    "cycles: attracting, as observed)", "units": "1"}),
        "period": ("attractor", np.array([c.get("period", np.nan) for c in catalogue], float),
                   {"long_name": "period of the cycle (NaN: equilibrium)", "units": tu}),
        "crossings": ("attractor", np.array([c.get("crossings", 0) for c in catalogue],
                                            np.int64),
                      {"long_name": "section crossings per period (0: equilibrium)",
                       "units": "1"}),
        "section_level": ("attractor", np.array([c.get("section", ("", np.nan))[1]
                                                 for c in catalogue], float),
                          {"long_name": "level of the Poincare section (in section_state)",
                           "units": "1"}),
        "section_state": ("attractor", np.array([c.get("section", ("", 0))[0]
                                                 for c in catalogue], dtype=str),
                          {"long_name": "state whose upward crossing of section_level "
                                        "defines the Poincare point", "units": "1"}),
        "max_real_eig": ("attractor", np.array([c.get("max_real_eig", np.nan)
                                                for c in catalogue], float),
                         {"long_name": "largest real part of the Jacobian's eigenvalues",
                          "units": f"1/{tu}"}),
        "count": ("attractor", count.astype(np.int64),
                  {"long_name": "initial states in the basin", "units": "1"}),
        "fraction": ("attractor", count / max(1, label.size),
                     {"long_name": "fraction of the initial states in the basin",
                      "units": "1"}),
    }
    for i, s in enumerate(names):
        a = _state_attrs(model, s)
        data[f"{s}_point"] = ("attractor", pts[:, i],
                              {**a, "long_name": f"{a['long_name']}: equilibrium or Poincare "
                                                 "point"})
        data[f"{s}_min"] = ("attractor", ymin[:, i],
                            {**a, "long_name": f"{a['long_name']}: minimum on the attractor"})
        data[f"{s}_max"] = ("attractor", ymax[:, i],
                            {**a, "long_name": f"{a['long_name']}: maximum on the attractor"})
    coords = {"attractor": ("attractor", np.arange(K),
                            {"long_name": "attractor index", "units": "1"})}
    ds = xr.Dataset(data, coords=coords)
    cyc = [k for k, c in enumerate(catalogue) if c["kind"] == "cycle"]
    if cyc:
        orbits = np.full((K, n, 101), np.nan)
        for k in cyc:
            orbits[k] = _orbit(model, system, p, catalogue[k]["point"], catalogue[k]["period"])
        ds = ds.assign_coords(orbit_point=("orbit_point", np.arange(101),
                                           {"long_name": "sample along one period",
                                            "units": "1"}))
        for i, s in enumerate(names):
            ds[f"orbit_{s}"] = (("attractor", "orbit_point"), orbits[:, i],
                                {**_state_attrs(model, s),
                                 "long_name": f"{s} along the cycle (NaN: equilibrium)"})
    return ds

