"""Natural sizes of a model's states: one place for boxes and scales.

Every analysis that needs the size of a state asks here: the box searched for
equilibria (given bounds, else declared bounds, else a box of +-10 natural
sizes), the widths that scale continuation steps, the amplitude scales of
sampled trajectories, and the search box and scales of a basin grid.

A state with no declared bounds gets a *natural size* derived from the model
itself (:func:`natural_sizes`): the magnitude of its default value, of the
equilibrium Newton's method finds from the defaults, and the distance over
which the model's Jacobian changes appreciably along that state (the width of
a sigmoid, the onset of a quadratic term). These all scale with the state, so
a model written in other units (x -> s x) gets boxes and steps scaled alike.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_names
from ..errors import OptionsError

__all__ = ["DEFAULT_BOX", "BOX_SIZES", "WIDTH_SIZES", "natural_sizes", "state_interval",
           "search_box", "state_widths",
           "amplitude_scales", "grid_search_box", "grid_scales"]

#: half-width of the box searched for a state with neither bounds nor a natural size
DEFAULT_BOX = 10.0

#: half-width, in natural sizes, of the box searched for a state with no declared bounds
BOX_SIZES = 30.0

#: width, in natural sizes, that scales continuation steps in a state with no declared bounds
WIDTH_SIZES = 10.0

_SIZES: dict = {}
_PROBE = np.logspace(-8, 8, 65)          # distances tried along each state (quarter decades)


def natural_sizes(model):
    """Natural size of each state of ``model`` without declared bounds.

    For a state ``x_i`` the size is the largest of |default value|, |equilibrium
    reached by Newton's method from the defaults| and the *nonlinearity length*:
    the smallest distance ``a`` along ``x_i`` from the defaults at which some
    Jacobian entry changes by half its size (entries measured against a tenth of
    their row's largest entry). The size is nan for a state with declared bounds
    and for one on which nothing depends nonlinearly and whose values are all zero
    (its box is then +-``DEFAULT_BOX``).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.Model(name="sig", states={"x": 0.0}, params={"s": 1e-3},
    ...               equations={"x": "-x + s/(1 + exp(-x/s))"})
    >>> bool(1e-4 < natural_sizes(m)[0] < 1e-2)
    True
    """
    key = model.hash
    if key not in _SIZES:
        _SIZES[key] = _derive_sizes(model)
        if len(_SIZES) > 256:
            _SIZES.pop(next(iter(_SIZES)))
    return _SIZES[key].copy()


def _derive_sizes(model):
    n = model.n_states
    declared = np.array([model.state_info[s].bounds is not None for s in model.state_names])
    out = np.full(n, np.nan)
    if declared.all():
        return out
    x0 = np.array([float(model.states[s]) for s in model.state_names])
    size = np.abs(x0)
    try:
        f, jac = _kernels(model)
        J0 = jac(x0)
        if not np.all(np.isfinite(J0)):
            raise FloatingPointError
        size = np.maximum(size, _equilibrium_size(f, jac, x0))
        rowmax = np.max(np.abs(J0), axis=1, keepdims=True)
        floor = 0.1 * rowmax + 1e-300
        for i in np.flatnonzero(~declared):
            size[i] = max(size[i], _nonlinearity_length(jac, x0, J0, floor, i))
    except (FloatingPointError, ArithmeticError, ValueError, np.linalg.LinAlgError):
        pass
    size = np.where(np.isfinite(size) & (size > 0), size, np.nan)
    out[~declared] = size[~declared]
    return out


def _kernels(model):
    from ..compile import compile_model

    system = compile_model(model)
    p = system.parameter_vector(None, None, {**model.params, **model.inputs})
    with np.errstate(all="ignore"):
        return (lambda x: system.f(x, p)), (lambda x: system.jacobian(x, p))


def _equilibrium_size(f, jac, x0):
    """|x*| and |x* - x0| for the equilibrium Newton finds from x0 (0 if none)."""
    from .newton import newton

    with np.errstate(all="ignore"):
        res = newton(lambda y: (f(y), jac(y)), x0, tol=1e-10, max_iter=40, damped=True)
    x = res.x
    if not (res.converged and np.all(np.isfinite(x))):
        return np.zeros_like(x0)
    size = np.maximum(np.abs(x), np.abs(x - x0))
    # a component that is zero up to the solve's rounding (e.g. a derivative state at
    # rest, 1e-30 beside rates of 1e-2) says nothing about the state's size
    noise = 1e-8 * max(float(np.max(size)), float(np.max(np.abs(x0))))
    return np.where(size > noise, size, 0.0)


def _nonlinearity_length(jac, x0, J0, floor, i):
    """Smallest probe distance along state i at which the Jacobian has changed by half."""
    e = np.zeros_like(x0)
    e[i] = 1.0
    for a in _PROBE:
        for sign in (1.0, -1.0):
            with np.errstate(all="ignore"):
                J = jac(x0 + sign * a * e)
            change = np.abs(J - J0) / (np.abs(J0) + floor)
            if not np.all(np.isfinite(change)) or np.max(change) >= 0.5:
                return a
    return 0.0


def _half_box(model, i):
    """Half-width of the box searched for state i when it has no bounds."""
    v = natural_sizes(model)[i]
    return DEFAULT_BOX if not np.isfinite(v) else BOX_SIZES * float(v)


def state_interval(model, state, given, what):
    """(low, high) for ``state``: ``given[state]``, else its declared bounds, else
    +-``BOX_SIZES`` natural sizes (:func:`natural_sizes`) around 0 and its default.

    ``what`` names the argument in error messages (``bounds``, ``ranges``).
    """
    b = given[state] if state in given else (model.state_info[state].bounds
                                             or _default_interval(model, state))
    try:
        lo, hi = float(b[0]), float(b[1])
    except (TypeError, ValueError, IndexError):
        raise OptionsError(f"`{what}[{state!r}]` must be a pair (low, high); got {b!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise OptionsError(f"`{what}[{state!r}]` must be finite with low < high; got {b!r}")
    return lo, hi


def _default_interval(model, state):
    half = _half_box(model, model.state_names.index(state))
    c = float(model.states[state])
    return min(-half, c - half), max(half, c + half)


def search_box(model, bounds):
    """(low, high) arrays of the box searched for equilibria: given bounds, else declared ones."""
    bounds = check_names(bounds, model.state_names, "bounds")
    lo, hi = zip(*(state_interval(model, s, bounds, "bounds") for s in model.state_names))
    return np.array(lo), np.array(hi)


def state_widths(model, given=None):
    """Width of each state's given or declared bounds, else ``WIDTH_SIZES`` natural sizes
    (:func:`natural_sizes`; a state without one: 2 x ``DEFAULT_BOX``)."""
    out = []
    sizes = None
    for i, s in enumerate(model.state_names):
        b = (given or {}).get(s) or model.state_info[s].bounds
        if b:
            out.append(b[1] - b[0])
            continue
        sizes = natural_sizes(model) if sizes is None else sizes
        out.append(WIDTH_SIZES * sizes[i] if np.isfinite(sizes[i]) else 2 * DEFAULT_BOX)
    return np.array(out, float)


def amplitude_scales(model):
    """Scale of each state's values along a trajectory: the width of its declared bounds,
    else its natural size (:func:`natural_sizes`; without one max(1, |default value|)).
    These are the tolerances of cycle and equilibrium detection."""
    out = []
    for i, s in enumerate(model.state_names):
        b = model.state_info[s].bounds
        if b is not None and np.all(np.isfinite(b)) and b[1] > b[0]:
            out.append(float(b[1] - b[0]))
            continue
        size = natural_sizes(model)[i]
        out.append(float(size) if np.isfinite(size) else max(1.0, abs(float(model.states[s]))))
    return np.array(out)


def grid_search_box(model, axes, start, bounds):
    """Box for the equilibria: the given bounds, else the grid widened by half its span
    joined with the declared bounds (states off the grid: declared bounds, else +-10
    natural sizes around the start)."""
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
            half = _half_box(model, i)
            lo, hi = (c - half, c + half) if decl is None else (min(decl[0], c - 1e-9),
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

