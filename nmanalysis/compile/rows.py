"""Parameters shared by every row of a batch, passed to the fused Euler kernel as scalars.

A parameter sweep usually varies one or two parameters and keeps the rest at
one value for the whole batch.  The fused Euler kernel loops over the rows of
a block once per step and would load every parameter of every row at every
step; for a parameter whose row of ``P`` holds one value, that load is wasted
work (in a two-state model with a dozen parameters the loads cost about a
quarter of the step).  :func:`uniform_rows` finds those rows and returns a
tuple with the value in their place and ``None`` elsewhere; the kernel reads
each parameter with :func:`row_value`, which numba resolves from the tuple's
element *types*: a ``None`` element becomes the load ``P[i, b]``, a float
element the value itself, invariant in the loop.  The kernel is compiled
once for each pattern of shared parameters (and cached on disk like the
others); the arithmetic, and so every result bit, is unchanged.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

__all__ = ["row_value", "uniform_rows"]


def row_value(u, A, i, b):
    """``A[i, b]`` if ``u`` is ``None``, else ``u`` (in numba code only)."""
    return A[i, b] if u is None else u


@overload(row_value, jit_options={"error_model": "numpy", "nogil": True})
def _row_value(u, A, i, b):
    if isinstance(u, (types.NoneType, types.Omitted)):
        return lambda u, A, i, b: A[i, b]
    if isinstance(u, (types.Float, types.Integer)):
        return lambda u, A, i, b: u
    return None


def _shared(row):
    """The row's single value as a float, or ``None`` if its entries differ in any bit."""
    if row.size == 0 or row.dtype != np.float64:
        return None
    bits = row.view(np.int64)
    return float(row[0]) if bool(np.all(bits == bits[0])) else None


def uniform_rows(P, n_par, derived_block, n_derived):
    """``(PU, QU)``: per row of ``P`` (parameters, then inputs) and of the derived
    parameter terms, the value shared by the whole batch, or ``None``.

    Only the first ``n_par`` rows (the parameters) are candidates: input rows are
    refilled during the run. Rows must agree bit for bit (so ``-0.0`` beside
    ``0.0``, or a NaN beside numbers, keeps the row per-row). The derived terms are computed for
    every row with ``derived_block`` and tested the same way, so a term that
    depends only on shared parameters is shared too.
    """
    PU = tuple(_shared(P[i]) if i < n_par else None for i in range(P.shape[0]))
    if n_derived and P.shape[1]:
        Q = np.empty((n_derived, P.shape[1]), dtype=P.dtype)
        derived_block(P, Q)
        QU = tuple(_shared(Q[k]) for k in range(n_derived))
    else:
        QU = (None,) * n_derived
    return PU, QU


def no_uniform_rows(n_rows, n_derived):
    """``(PU, QU)`` with every row read per row (methods other than the fused Euler)."""
    return (None,) * n_rows, (None,) * n_derived
