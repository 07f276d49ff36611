"""Natural sizes of a model's states: one place for boxes and scales.

Every analysis that needs the size of a state asks here: the box searched for
equilibria (given bounds, else declared bounds, else +-10), the widths that
scale continuation steps, the amplitude scales of sampled trajectories, and
the search box and scales of a basin grid.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_names
from ..errors import OptionsError

__all__ = ["DEFAULT_BOX", "state_interval", "search_box", "state_widths", "amplitude_scales",
           "grid_search_box", "grid_scales"]

#: half-width of the box searched for a state with no declared bounds
DEFAULT_BOX = 10.0


def state_interval(model, state, given, what):
    """(low, high) for ``state``: ``given[state]``, else its declared bounds, else +-10.

    ``what`` names the argument in error messages (``bounds``, ``ranges``).
    """
    b = given[state] if state in given else (model.state_info[state].bounds
                                             or (-DEFAULT_BOX, DEFAULT_BOX))
    try:
        lo, hi = float(b[0]), float(b[1])
    except (TypeError, ValueError, IndexError):
        raise OptionsError(f"`{what}[{state!r}]` must be a pair (low, high); got {b!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise OptionsError(f"`{what}[{state!r}]` must be finite with low < high; got {b!r}")
    return lo, hi


def search_box(model, bounds):
    """(low, high) arrays of the box searched for equilibria: given bounds, else declared ones."""
    bounds = check_names(bounds, model.state_names, "bounds")
    lo, hi = zip(*(state_interval(model, s, bounds, "bounds") for s in model.state_names))
    return np.array(lo), np.array(hi)


def state_widths(model, given=None):
    """Width of each state's given or declared bounds, else of the default box (2 x 10)."""
    out = []
    for s in model.state_names:
        b = (given or {}).get(s) or model.state_info[s].bounds
        out.append((b[1] - b[0]) if b else 2 * DEFAULT_BOX)
    return np.array(out, float)


def amplitude_scales(model):
    """Scale of each state's values along a trajectory: the width of its declared bounds,
    else max(1, |default value|) (tolerances of cycle and equilibrium detection)."""
    out = []
    for s in model.state_names:
        b = model.state_info[s].bounds
        if b is not None and np.all(np.isfinite(b)) and b[1] > b[0]:
            out.append(float(b[1] - b[0]))
        else:
            out.append(max(1.0, abs(float(model.states[s]))))
    return np.array(out)


def grid_search_box(model, axes, start, bounds):
    """Box for the equilibria: the given bounds, else the grid widened by half its span
    joined with the declared bounds (states off the grid: declared bounds, else +-10)."""
    bounds = check_names(bounds, model.state_names, "bounds")
    box = {}
    for i, s in enumerate(model.state_names):
        if s in bounds:
            box[s] = state_interval(model, s, bounds, "bounds")
            continue
        decl = model.state_info[s].bounds
        if s in axes:
            lo, hi = float(axes[s].min()), float(axes[s].max())
            pad = 0.5 * (hi - lo) if hi > lo else max(1.0, abs(lo))
            lo, hi = lo - pad, hi + pad
        else:
            c = float(start[i])
            lo, hi = (c - DEFAULT_BOX, c + DEFAULT_BOX) if decl is None else (min(decl[0], c - 1e-9),
                                                              max(decl[1], c + 1e-9))
        if decl is not None:
            lo, hi = min(lo, decl[0]), max(hi, decl[1])
        box[s] = (lo, hi)
    return box


def grid_scales(model, axes, box):
    """Scale of each state: its span on the grid, else the span of the search box."""
    out = np.empty(model.n_states)
    for i, s in enumerate(model.state_names):
        span = float(np.ptp(axes[s])) if s in axes else 0.0
        out[i] = span if span > 0 else box[s][1] - box[s][0]
    return out

