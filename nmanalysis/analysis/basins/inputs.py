"""The arguments of a basin map checked: grid axes, scalar values, boxes, scales."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..._checks import check_names
from ...errors import OptionsError

__all__ = ["grid_axes", "scalar_values", "interval"]


def grid_axes(model, grid, sampled):
    """The checked axes of ``grid``: state -> 1-D array of finite initial values."""
    if not isinstance(grid, Mapping) or not grid:
        raise OptionsError("`grid` must be a dict state -> 1-D array of initial values, e.g. "
                           f"{{{model.state_names[0]!r}: np.linspace(0, 1, 101)}}")
    check_names(grid, model.state_names, "grid")
    axes = {}
    for s, v in grid.items():
        a = np.asarray(v, dtype=float)
        if a.ndim == 0:
            a = a[None]
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
            raise OptionsError(f"`grid[{s!r}]` must be a non-empty 1-D array of finite numbers; "
                               f"got shape {np.shape(v)}")
        axes[s] = a
    if sampled:
        sizes = {s: a.size for s, a in axes.items()}
        if len(set(sizes.values())) != 1:
            raise OptionsError(f"with `sampled=True` every `grid` array must have the same "
                               f"length (one initial state per index); got {sizes}")
    elif len(axes) > 3:
        raise OptionsError(f"`grid` varies at most three states on a grid; got {list(axes)} "
                           "(pass `sampled=True` with equal-length arrays for samples)")
    return axes


def scalar_values(given, valid, what, others=None):
    """``given`` as name -> float, each name in ``valid`` and each value one finite number."""
    d = check_names(given, valid, what, others)
    for k, v in d.items():
        if np.ndim(v) != 0 or not np.isfinite(float(v)):
            raise OptionsError(f"`{what}[{k!r}]` must be one finite number for a basin map; "
                               f"got {v!r}")
    return {k: float(v) for k, v in d.items()}


def interval(pair, what):
    """``pair`` as floats (low, high) with low < high."""
    try:
        lo, hi = float(pair[0]), float(pair[1])
    except (TypeError, ValueError, IndexError):
        raise OptionsError(f"`{what}` must be a pair (low, high); got {pair!r}") from None
    if not lo < hi:
        raise OptionsError(f"`{what}` must have low < high; got {pair!r}")
    return lo, hi
