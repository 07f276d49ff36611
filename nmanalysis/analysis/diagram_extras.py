"""Extras for continuation trees: observables along the branches, overlay simulation times.

:func:`add_observable` evaluates a model observable at every point of the
equilibrium branches and at the special points of a
:func:`~nmanalysis.continuation` tree, so that it can be plotted and
tabulated like a state. :func:`overlay_times` chooses the time span,
transient and step of brute-force simulations drawn over a diagram.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..results.conventions import unit_span
from ..results.trees import tree_equilibria

__all__ = ["add_observable", "overlay_times"]


def add_observable(model, tree, name, free, params=None, inputs=None) -> None:
    """Evaluate observable ``name`` at every branch point and special point (in place).

    Parameters
    ----------
    model : nmanalysis.Model
        The model continued in ``tree``.
    tree : xarray.DataTree
        Output of :func:`~nmanalysis.continuation` in the parameter ``free``.
    name : str
        One of ``model.observable_names``.
    free : str
        The free parameter; its value is taken from each point.
    params, inputs : dict, optional
        The other parameter and constant input values of the continuation
        (a value for ``free`` is ignored).

    Each equilibrium branch and ``special_points`` gain a variable ``name``
    with the observable's description and units as attributes.
    """
    from ..compile import compile_model
    params, inputs = params or {}, inputs or {}
    system = compile_model(model)
    k = model.observable_names.index(name)
    pvec = system.parameter_vector({q: v for q, v in params.items() if q != free},
                                   inputs, {**model.params, **model.inputs})
    ip = model.param_names.index(free)
    info = model.observable_info[name]
    attrs = {"long_name": info.description or info.expression or name,
             "units": info.units or ""}

    def values(ds):
        out = np.empty(len(model.observable_names))
        x = np.stack([ds[s].values for s in model.state_names], axis=-1)
        res = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            pvec[ip] = ds[free].values[i]
            system.observables(0.0, np.ascontiguousarray(x[i], float), pvec, out)
            res[i] = out[k]
        return res

    for branch, ds in tree_equilibria(tree).items():
        dim = ds[free].dims[0]
        tree[f"equilibria/{branch}"] = ds.assign({name: (dim, values(ds), attrs)})
    sp = tree["special_points"].to_dataset()
    tree["special_points"] = sp.assign({name: ("special", values(sp), attrs)})


def _nice(value: float, up: bool = True) -> float:
    """1, 2 or 5 times a power of ten at or above (``up``) / below ``value``.

    >>> _nice(3.2), _nice(3.2, up=False), _nice(0.07)
    (5.0, 2.0, 0.1)
    """
    exp = math.floor(math.log10(value))
    for m in ((1, 2, 5, 10) if up else (5, 2, 1)):
        candidate = m * 10.0 ** exp
        if (candidate >= value * (1 - 1e-12)) if up else (candidate <= value * (1 + 1e-12)):
            return candidate
    return 10.0 ** (exp + (1 if up else 0))  # pragma: no cover


def overlay_times(model, tree, t_span=None, transient=None, dt=None):
    """Time span, transient and step of brute-force runs drawn over a diagram.

    The span follows the model's time units (``results.conventions.unit_span``:
    4 s, 2000 ms, 1000 dimensionless, as regime maps), else 200 relaxation times, and covers at least 10 periods of the slowest Hopf
    point; the step is a power of ten below span/10000 and 0.1/max|eigenvalue|.
    The transient is half the span. Values given are kept.

    Returns
    -------
    ((t_start, t_end), transient, dt)
    """
    lam = []
    for ds in tree_equilibria(tree).values():
        lam.append(np.abs(ds["eig_real"].values + 1j * ds["eig_imag"].values))
    lam = np.concatenate([a.reshape(a.shape[0], -1) for a in lam])
    periods = tree["special_points"]["period"].values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fast = float(np.nanmax(lam)) if np.isfinite(lam).any() else 0.0
        slow = float(np.nanmedian(np.nanmin(lam, axis=1))) if np.isfinite(lam).any() else 0.0
        period = float(np.nanmax(periods)) if np.isfinite(periods).any() else 0.0
    if t_span is None:
        span = unit_span(model.time_units)
        if span is None:
            span = _nice(200.0 / slow) if slow > 0 else 1000.0
        if period > 0:
            span = max(span, _nice(10 * period))
        t_span = (0.0, span)
    length = t_span[1] - t_span[0]
    if transient is None:
        transient = 0.5 * length
    if dt is None:
        limit = length / 10000
        if fast > 0:            # transients are stiffer than the equilibria: margin 10
            limit = min(limit, 0.1 / fast)
        dt = 10.0 ** math.floor(math.log10(limit) + 1e-9)
        if abs(length / dt - round(length / dt)) > 1e-6 * (length / dt):
            dt = length / math.ceil(length / dt)
    return t_span, transient, dt
