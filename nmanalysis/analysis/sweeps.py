"""``brute_force_diagram``: min/max/mean of long runs along a parameter sweep, both ways.

A brute-force bifurcation diagram integrates the model at each value of one
parameter and keeps only reductions after a transient (minimum, maximum, mean
and final state of every state and observable), so memory does not grow with
the run length. The sweep is continued: at each value the run starts from the
end state of the previous value, once with the values in the given order
("forward") and once reversed ("backward"). Where the system is multistable
the two directions stay on different attractors and jump at different values
(hysteresis). Several initial states ("starts") are followed independently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .._checks import check_names
from ..errors import OptionsError
from ..results.attrs import json_attr, provenance
from ..results.conventions import initial_state_dim

__all__ = ["brute_force_diagram", "DIRECTIONS"]

#: sweep directions: the values in the given order, or reversed
DIRECTIONS = ("forward", "backward")


def _sweep_values(model, param, values):
    if param not in model.param_names:
        raise OptionsError(f"`param` must be a parameter of {model.name!r}, one of "
                           f"{list(model.param_names)}; got {param!r}")
    vals = np.asarray(values, dtype=float)
    if vals.ndim != 1 or vals.size < 1 or not np.all(np.isfinite(vals)):
        raise OptionsError(f"`values` must be a 1-D array of finite numbers (the values of "
                           f"{param!r}, in sweep order); got {values!r}")
    return vals


def _directions(directions):
    dirs = (directions,) if isinstance(directions, str) else tuple(directions)
    bad = [d for d in dirs if d not in DIRECTIONS]
    if bad or not dirs or len(set(dirs)) != len(dirs):
        raise OptionsError(f"`directions` must be a non-empty selection of {list(DIRECTIONS)} "
                           f"without repeats; got {directions!r}")
    return dirs


def _starts(model, y0) -> np.ndarray:
    """Initial states as an array (n_starts, n_states); model defaults fill the gaps."""
    names = model.state_names
    defaults = np.array([float(model.states[s]) for s in names])
    if y0 is None:
        return defaults[None, :]
    if isinstance(y0, Mapping):
        y0 = check_names(y0, names, "y0")
        cols = {s: np.atleast_1d(np.asarray(v, dtype=float)) for s, v in y0.items()}
        if any(c.ndim != 1 for c in cols.values()):
            raise OptionsError("`y0` values must be numbers or 1-D arrays (one entry per start)")
        sizes = {c.size for c in cols.values() if c.size != 1}
        if len(sizes) > 1:
            raise OptionsError(f"`y0` arrays must all have the same length (the number of "
                               f"starts); got lengths "
                               f"{ {s: c.size for s, c in cols.items()} }")
        S = sizes.pop() if sizes else 1
        out = np.tile(defaults, (S, 1))
        for i, s in enumerate(names):
            if s in cols:
                out[:, i] = cols[s]
    else:
        rows = []
        for k, state in enumerate(y0):
            if isinstance(state, Mapping):
                state = check_names(state, names, f"y0[{k}]")
                rows.append([float(state.get(s, model.states[s])) for s in names])
            else:
                arr = np.asarray(state, dtype=float)
                if arr.shape != (len(names),):
                    raise OptionsError(f"`y0[{k}]` must be a dict state -> value or "
                                       f"{len(names)} numbers {list(names)}; got {state!r}")
                rows.append(arr.tolist())
        if not rows:
            raise OptionsError("`y0` is an empty list; give at least one initial state")
        out = np.array(rows, dtype=float)
    if not np.all(np.isfinite(out)):
        raise OptionsError("`y0` contains non-finite values")
    return out


def _fixed_params(model, param, params):
    params = check_names(params, model.param_names, "params",
                         {"y0": model.state_names, "inputs": model.input_names})
    if param in params:
        raise OptionsError(f"{param!r} is the swept parameter: give its values in `values`, "
                           f"not in `params`")
    for k, v in params.items():
        if np.ndim(v) != 0:
            raise OptionsError(f"`params[{k!r}]` must be a number: only {param!r} is swept "
                               f"(use a loop, or regime_map, for more); got {v!r}")
    return {k: float(v) for k, v in params.items()}


def brute_force_diagram(model, param, values, *, y0=None, params=None, inputs=None,
                        t=(0.0, 200.0), transient=None, dt=None, method="rk4",
                        directions=DIRECTIONS, bounds=None, observables=True, progress=None):
    """Min/max/mean after a transient along a continued parameter sweep, both ways.

    At each value of ``param`` the model is integrated over ``t`` and the
    minimum, maximum and mean of every state (and observable) after the
    transient are kept. Each run starts from the final state of the run at
    the previous value: ``"forward"`` walks through ``values`` in the given
    order, ``"backward"`` in reverse, so hysteresis between coexisting
    attractors shows as the two directions disagreeing. Every start in
    ``y0`` is followed separately; all starts of all directions at one value
    are integrated together as one batch.

    Parameters
    ----------
    model : Model
    param : str
        The swept parameter.
    values : array_like of shape (K,)
        Its values, in forward order (ascending for the usual reading).
    y0 : dict, sequence or None
        Initial states at the first value of each direction. ``None``: the
        model's defaults (one start). A dict state -> number or 1-D array of
        length S (S starts; numbers and states left out are shared), or a list
        of S states, each a dict or a sequence of ``n_states`` numbers.
    params : dict, optional
        Other parameters, fixed (numbers only).
    inputs : dict, optional
        Inputs (numbers or signals), as in :func:`nmanalysis.simulate`.
    t : (float, float)
        Time span of the run at each value.
    transient : float, optional
        Initial part of each run left out of the reductions (default: half
        of the span).
    dt : float, optional
        Step of fixed-step methods (default as in :func:`nmanalysis.simulate`).
    method : str
        Integration method (see :func:`nmanalysis.simulate`).
    directions : sequence of {"forward", "backward"}
    bounds : dict, optional
        State -> (low, high); a run leaving the box is flagged (status 2).
    observables : bool
        Also reduce the model's observables (e.g. Jansen-Rit's ``v_pc``).
    progress : bool, optional
        Progress bar over the values: ``True`` always, ``False`` never,
        ``None`` on a terminal.

    Returns
    -------
    xarray.Dataset
        Dims ``direction`` (coordinate ``"forward"``/``"backward"``), ``<param>``
        (coordinate ``values``) and ``start`` (the start's index; coordinates
        ``<state>_0`` give its initial state). No time dimension. Variables
        ``<name>_min``, ``<name>_max``, ``<name>_mean`` for every state and
        observable, ``<state>_final`` (the state handed to the next value),
        ``status`` (as :func:`nmanalysis.simulate`'s; after a failed run the
        next value starts again from the start's initial state). Attribute
        ``free_parameter`` names ``param``.

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid.

    See Also
    --------
    nmanalysis.simulate, nmanalysis.continuation,
    nmanalysis.plot.sweeps.brute_force

    Examples
    --------
    The Montbrio-Pazo-Roxin mean field is bistable for -5.74 < eta < -3.14
    (J = 15, Delta = 1): sweeping up, the rate stays low until the upper fold;
    sweeping down, it stays high until the lower one.

    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.sweeps import brute_force_diagram
    >>> m = nma.get_model("montbrio_pazo_roxin")
    >>> ds = brute_force_diagram(m, "eta", np.arange(-7.0, -1.9, 1.0), t=(0, 60), dt=0.01)
    >>> ds["r_mean"].dims
    ('direction', 'eta', 'start')
    >>> (ds["r_mean"].isel(start=0) > 0.5).values.astype(int).tolist()
    [[0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1]]
    """
    from ..model.network import refuse_network
    refuse_network(model, 'brute_force_diagram')
    import xarray as xr

    from ..integrate.simulate import simulate
    from ..progress import progress_bar

    vals = _sweep_values(model, param, values)
    dirs = _directions(directions)
    fixed = _fixed_params(model, param, params)
    starts = _starts(model, y0)
    try:
        t0, t1 = (float(v) for v in t)
    except (TypeError, ValueError):
        raise OptionsError(f"`t` must be a pair (t_start, t_end); got {t!r}") from None
    if transient is None:
        transient = 0.5 * (t1 - t0) if math.isfinite(t1 - t0) else 0.0
    K, S, D = vals.size, starts.shape[0], len(dirs)
    names = list(model.state_names)
    n = len(names)
    obs = list(model.observable_names) if observables else []
    reduced = names + obs

    out = {f"{v}_{r}": np.full((D, K, S), np.nan) for v in reduced for r in ("min", "max",
                                                                              "mean")}
    final = np.full((D, K, S, n), np.nan)
    status = np.zeros((D, K, S), dtype=np.int8)
    current = np.tile(starts, (D, 1, 1))  # (D, S, n)
    attrs_src = None
    bar = progress_bar(K, f"brute force {model.name}", progress, unit="value")
    try:
        for k in range(K):
            idx = [k if d == "forward" else K - 1 - k for d in dirs]
            pv = np.repeat(vals[idx], S)  # batch rows: (direction, start) flattened
            y_rows = current.reshape(D * S, n)
            sim = simulate(
                model, t=(t0, t1), dt=dt, method=method, transient=transient,
                params={**fixed, param: xr.DataArray(pv, dims="row")},
                y0={s: xr.DataArray(y_rows[:, i], dims="row") for i, s in enumerate(names)},
                inputs=inputs, bounds=bounds, observables=observables,
                record=["minmax", "mean", "final"], progress=False)
            attrs_src = attrs_src or sim
            st = sim["status"].values.reshape(D, S)
            ends = np.stack([sim[s].values for s in names], axis=-1).reshape(D, S, n)
            for j, i in enumerate(idx):
                for key in out:
                    out[key][j, i] = sim[key].values.reshape(D, S)[j]
                final[j, i] = ends[j]
                status[j, i] = st[j]
            # continue from the end state; a failed run restarts from the start's y0
            failed = (st != 0) | ~np.all(np.isfinite(ends), axis=-1)
            current = np.where(failed[..., None], starts[None], ends)
            bar.update(1)
    finally:
        bar.close()
    return _dataset(model, param, vals, dirs, starts, out, final, status, reduced, attrs_src,
                    fixed, dict(t_start=t0, t_end=t1, dt=attrs_src.attrs.get("dt"),
                                transient=float(transient), directions=list(dirs),
                                inputs=attrs_src.attrs.get("inputs"),
                                bounds=attrs_src.attrs.get("bounds")), method)


def _dataset(model, param, vals, dirs, starts, out, final, status, reduced, sim, fixed,
             options, method):
    import xarray as xr

    dims = ("direction", param, "start")
    data = {}
    for v in reduced:
        for r in ("min", "max", "mean"):
            key = f"{v}_{r}"
            data[key] = (dims, out[key], dict(sim[key].attrs))
    for i, s in enumerate(model.state_names):
        info = model.state_info[s]
        data[f"{s}_final"] = (dims, final[..., i],
                              {"long_name": f"{info.description or s} (final value)",
                               "units": info.units})
    data["status"] = (dims, status, dict(sim["status"].attrs))
    p_info = model.param_info[param]
    coords = {
        "direction": ("direction", list(dirs), {"long_name": "sweep direction",
                                                "units": ""}),
        param: (param, vals, {"long_name": p_info.description or param,
                              "units": p_info.units}),
        "start": ("start", np.arange(starts.shape[0]),
                  {"long_name": "index of the initial state", "units": ""}),
    }
    for i, s in enumerate(model.state_names):
        info = model.state_info[s]
        coords[initial_state_dim(s)] = ("start", starts[:, i],
                                        {"long_name": f"initial {info.description or s}",
                                         "units": info.units})
    ds = xr.Dataset(data, coords=coords)
    all_fixed = {k: v for k, v in model.params.items() if k != param}
    all_fixed.update(fixed)
    ds.attrs.update(provenance(model, analysis="brute_force_diagram", fixed_params=all_fixed,
                               method=method, options=options))
    ds.attrs["free_parameter"] = param
    ds.attrs["n_failed"] = int((status != 0).sum())
    ds.attrs["initial_state_defaults"] = json_attr(dict(model.states))
    return ds
