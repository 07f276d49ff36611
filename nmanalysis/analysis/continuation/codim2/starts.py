"""Where the curves of :func:`.run.codim2_continuation` start: seeds from its ``start``.

A one-parameter diagram in ``p1`` (a tree of :func:`nmanalysis.continuation`,
its ``special_points`` or a selection of rows) gives fold seeds (LP), Hopf
seeds (HB) and, from a diagram with cycles, LPC, PD and NS seeds (state at
phase 0, parameter, period); a two-parameter diagram of
:func:`.run.codim2_continuation` gives GH seeds. ``start=None`` computes the
one-parameter diagram first.
"""

from __future__ import annotations

import numpy as np

from ....errors import OptionsError

__all__ = ["all_seeds"]


def all_seeds(model, problem, start, boxes, params, inputs, state_bounds, p2_0, cycles):
    """Seeds of every start: ``(equilibrium seeds, cycle seeds, p2 of the first start)``."""
    items = list(start) if isinstance(start, (list, tuple)) else [start]
    if not items:
        raise OptionsError("`start` is an empty list; give None, a tree or special points")
    seeds, cyc, first = [], [], None
    for item in items:
        s, c, p2_s = _seeds(model, problem, item, boxes, params, inputs, state_bounds, p2_0,
                            cycles)
        seeds += s
        cyc += c
        if first is None and p2_s is not None:
            first = p2_s
    return seeds, cyc, first


def _seeds(model, problem, start, boxes, params, inputs, state_bounds, p2_0, cycles=False):
    """``([(kind, x, p1, omega, p2)], [cycle seed dicts], p2_0)`` from the one-parameter
    diagram or from ``start`` (``p2_0`` None for a two-parameter start, whose points carry
    their own ``p2``)."""
    import json

    import xarray as xr

    p1, p2 = problem.free
    if start is None:
        from ..diagram import continuation
        others = {k: v for k, v in (params or {}).items() if k != p1}
        others[p2] = p2_0
        tree = continuation(model, p1, p_range=boxes[0], params=others, inputs=inputs,
                            state_bounds=state_bounds, cycles=bool(cycles))
        sp = tree["special_points"].to_dataset()
    else:
        if isinstance(start, xr.DataTree):
            if "special_points" not in start:
                raise OptionsError("`start` as a tree must be a one-parameter diagram "
                                   "(nma.continuation) or a two-parameter one "
                                   "(nma.codim2_continuation), with a special_points node")
            sp = start["special_points"].to_dataset()
        elif isinstance(start, xr.Dataset):
            sp = start
        else:
            raise OptionsError(f"`start` must be None, a tree of nma.continuation or "
                               f"nma.codim2_continuation, its special_points, or a list of "
                               f"these; got {type(start).__name__}")
        if "type" not in sp or p1 not in sp or \
                sp.attrs.get("free_parameter", p1) != p1:
            raise OptionsError(f"`start` must hold special points of a one-parameter diagram "
                               f"in {p1!r} (variables `type` and {p1!r}); got one in "
                               f"{sp.attrs.get('free_parameter')!r}")
        if "special" not in sp.dims:
            sp = sp.expand_dims("special")
        codim2 = str(sp.attrs.get("free_parameters", ""))
        if codim2 and codim2 != f"{p1} {p2}":
            raise OptionsError(f"`start` is a two-parameter diagram in {codim2.split()}; "
                               f"this one is in {[p1, p2]} (same parameters, same order)")
        fixed = sp.attrs.get("fixed_params")
        if fixed and not (params and p2 in params):
            p2_0 = float(json.loads(fixed).get(p2, p2_0))
    seeds, cyc = [], []
    two = p2 in sp.data_vars
    if two:
        p2_0 = None
    for i in range(sp.sizes["special"]):
        kind = str(sp["type"].values[i])
        if kind not in ("LP", "HB", "LPC", "PD", "NS", "GH"):
            continue
        try:
            x = np.array([float(sp[s].values[i]) for s in model.state_names])
        except KeyError as exc:
            raise OptionsError(f"`start` lacks the state {exc} of model {model.name!r}") \
                from None
        P = (float(sp[p1].values[i]), float(sp[p2].values[i]) if two else p2_0)
        if kind in ("LP", "HB"):
            omega = float(sp["angular_frequency"].values[i]) if kind == "HB" else np.nan
            seeds.append(("fold" if kind == "LP" else "hopf", x, P[0], omega, P[1]))
        elif kind == "GH":
            row = {"type": "GH", "P": np.array(P), "x": x, "status": "located",
                   "precision": _col(sp, "precision", i),
                   "second_lyapunov": _col(sp, "second_lyapunov", i),
                   "angular_frequency": _col(sp, "angular_frequency", i)}
            cyc.append({"kind": "gh", "row": row})
        elif "period" in sp:
            cyc.append({"kind": kind.lower(), "x": x, "P": P,
                        "T": float(sp["period"].values[i])})
    return seeds, cyc, p2_0


def _col(sp, name, i):
    return float(sp[name].values[i]) if name in sp else np.nan
