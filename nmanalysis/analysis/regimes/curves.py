"""``bifurcation_curves``: the folds and Hopf points that bound the regimes, by continuation."""

from __future__ import annotations

import math

import numpy as np

from ..._checks import check_names
from ...errors import NoStartError, OptionsError
from ...progress import progress_bar
from ...results.attrs import provenance
from ..continuation import continuation, special_points

__all__ = ["bifurcation_curves"]


def bifurcation_curves(model, x, x_range, y, y_values, *, params=None, inputs=None,
                       kinds=("LP", "HB"), progress=None):
    """Folds and Hopf points in ``x`` for each value of ``y``: regime boundaries, located exactly.

    One equilibrium continuation in ``x`` over ``x_range`` per value of ``y``;
    the special points found are exact in ``x`` (to ~1e-10), so drawn over a
    :func:`regime_map` they show where its grid-resolution boundaries truly are.

    Parameters
    ----------
    model : Model
    x : str
        Parameter continued (the map's horizontal axis).
    x_range : (float, float)
        ``(low, high)`` of ``x``, finite with low < high.
    y : str
        Second parameter, stepped through ``y_values``.
    y_values : array_like
        1-D, finite.
    params, inputs : dict, optional
        Other fixed values (``params`` must not name ``x`` or ``y``).
    kinds : tuple of str
        Special-point types kept, among ``"LP"``, ``"HB"``, ``"BP"``.

    Returns
    -------
    xarray.Dataset
        On dim ``special``: ``type`` (str), ``x`` and ``y`` values (variables
        named after the parameters), and ``first_lyapunov`` (HB). On dim
        ``value`` (the values of ``y``): ``status`` (``"ok"``, or
        ``"no_equilibrium"`` when no equilibrium was found to start from) and
        ``n_special``.

    Raises
    ------
    OptionsError
        For an unknown name, a reversed or non-finite range, or bad values; no
        mistake gives an empty result.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.regimes import bifurcation_curves
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> c = bifurcation_curves(m, "I", (0, 2), "a", [0.6, 0.7])
    >>> c["type"].values.tolist(), c["status"].values.tolist()
    (['HB', 'HB', 'HB', 'HB'], ['ok', 'ok'])
    """
    import xarray as xr

    for name, what in ((x, "x"), (y, "y")):
        if name not in model.param_names:
            raise OptionsError(f"`{what}` must be a parameter of {model.name!r} "
                               f"({list(model.param_names)}); got {name!r}")
    if x == y:
        raise OptionsError("`x` and `y` must be two different parameters")
    params = check_names(params, model.param_names, "params", {"inputs": model.input_names})
    clash = [k for k in params if k in (x, y)]
    if clash:
        raise OptionsError(f"`params` must not set {clash[0]!r}: it is "
                           f"{'continued (x)' if clash[0] == x else 'stepped (y)'}")
    try:
        lo, hi = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise OptionsError(f"`x_range` must be (low, high); got {x_range!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise OptionsError(f"`x_range` must be finite with low < high; got {x_range!r}")
    try:
        values = np.asarray(y_values, float)
    except (TypeError, ValueError):
        raise OptionsError(f"`y_values` must be numbers; got {y_values!r}") from None
    values = np.atleast_1d(values)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise OptionsError(f"`y_values` must be a non-empty 1-D array of finite numbers; got "
                           f"shape {values.shape}")
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    bad = [k for k in kinds if k not in ("LP", "HB", "BP")]
    if bad or not kinds:
        raise OptionsError(f"`kinds` must name some of 'LP', 'HB', 'BP'; got {kinds!r}")
    rows, status, counts = [], [], []
    bar = progress_bar(values.size, "bifurcation curves", progress, unit="value")
    try:
        for v in values:
            fixed = {**params, y: float(v)}
            try:
                tree = continuation(model, x, p_range=(lo, hi), params=fixed, inputs=inputs)
            except NoStartError:
                status.append("no_equilibrium")
                counts.append(0)
                bar.update(1)
                continue
            sp = special_points(tree)
            before = len(rows)
            for k in range(sp.sizes["special"]):
                kind = str(sp["type"].values[k])
                if kind in kinds:
                    rows.append((kind, float(sp[x].values[k]), float(v),
                                 float(sp["first_lyapunov"].values[k])))
            status.append("ok")
            counts.append(len(rows) - before)
            bar.update(1)
    finally:
        bar.close()
    xi, yi = model.param_info[x], model.param_info[y]
    ds = xr.Dataset({
        "type": ("special", np.array([r[0] for r in rows], dtype=str),
                 {"long_name": "kind of special point", "units": "1"}),
        x: ("special", np.array([r[1] for r in rows], float),
            {"long_name": xi.description or x, "units": xi.units}),
        y: ("special", np.array([r[2] for r in rows], float),
            {"long_name": yi.description or y, "units": yi.units}),
        "first_lyapunov": ("special", np.array([r[3] for r in rows], float),
                           {"long_name": "first Lyapunov coefficient (HB)", "units": "1"}),
        "status": ("value", np.array(status, dtype=str),
                   {"long_name": f"outcome of the continuation at this value of {y}",
                    "units": "1"}),
        "n_special": ("value", np.array(counts, np.int64),
                      {"long_name": "special points kept at this value", "units": "1"}),
    }, coords={"special": ("special", np.arange(len(rows)), {"long_name": "special point index",
                                                              "units": "1"}),
               "value": ("value", values, {"long_name": f"value of {y}", "units": yi.units})})
    ds.attrs.update(provenance(model, analysis="bifurcation curves", fixed_params=params,
                               method="equilibrium continuation at each value",
                               options={"x": x, "x_range": [lo, hi], "y": y}))
    return ds
