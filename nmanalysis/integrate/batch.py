"""Sweep grids: turn scalars, 1-D arrays and DataArrays into one flat batch.

A scalar fixes a quantity; a 1-D array sweeps it along a new dimension named
after it (values as the coordinate); several arrays form an outer product.
An :class:`xarray.DataArray` keeps its own dimensions, so two quantities given
as DataArrays on the same dimension vary together (a zipped sweep).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from ..errors import OptionsError

__all__ = ["Grid", "make_grid"]


@dataclass
class Grid:
    """The outer-product grid of all sweep dimensions."""

    dims: tuple = ()
    sizes: dict = field(default_factory=dict)
    coords: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple:
        return tuple(self.sizes[d] for d in self.dims)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def flat(self, name: str, scalar_default=None) -> np.ndarray:
        """Values of quantity ``name`` broadcast over the grid, flattened (C order)."""
        if name not in self.arrays:
            return np.full(self.size, scalar_default, dtype=float)
        values, dims = self.arrays[name]
        if not dims:
            return np.full(self.size, float(values))
        order = [d for d in self.dims if d in dims]
        arr = np.moveaxis(values, [dims.index(d) for d in order], range(len(order)))
        shape = tuple(self.sizes[d] if d in dims else 1 for d in self.dims)
        return np.broadcast_to(arr.reshape(shape), self.shape).reshape(-1)


def _as_dataarray_parts(name: str, dim: str, value):
    """(values ndarray, dims tuple, coords dict) of one quantity."""
    # A DataArray cannot exist before xarray is imported: a number or an array needs no
    # xarray (whose import costs a third of a second).
    data_array = getattr(sys.modules.get("xarray"), "DataArray", None)
    if isinstance(data_array, type) and isinstance(value, data_array):
        vals = np.asarray(value.values, dtype=float)
        coords = {d: np.asarray(value[d].values) for d in value.dims if d in value.coords}
        return vals, tuple(value.dims), coords
    try:
        vals = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise OptionsError(f"`{name}` must be a number, a 1-D array of numbers or an "
                           f"xarray.DataArray; got {value!r}") from None
    if vals.ndim == 0:
        return vals, (), {}
    if vals.ndim != 1:
        raise OptionsError(f"`{name}` has shape {vals.shape}; pass a 1-D array to sweep it, "
                           "or an xarray.DataArray with named dims for other layouts")
    if vals.size == 0:
        raise OptionsError(f"`{name}` is an empty array; a sweep needs at least one value")
    return vals, (dim,), {dim: vals}


def make_grid(entries) -> Grid:
    """Build the grid from ``(name, default_dim, value)`` triples (order = dim order)."""
    grid = Grid()
    dims: list[str] = []
    for name, dim, value in entries:
        vals, vdims, coords = _as_dataarray_parts(name, dim, value)
        if not np.all(np.isfinite(vals)):
            raise OptionsError(f"`{name}` contains non-finite values")
        for k, d in enumerate(vdims):
            size = vals.shape[k]
            if d in grid.sizes and grid.sizes[d] != size:
                raise OptionsError(f"dimension {d!r} has size {grid.sizes[d]} elsewhere but "
                                   f"{size} in `{name}`")
            if d not in grid.sizes:
                dims.append(d)
                grid.sizes[d] = size
                grid.coords[d] = coords.get(d, np.arange(size))
        grid.arrays[name] = (vals, vdims)
    grid.dims = tuple(dims)
    return grid
