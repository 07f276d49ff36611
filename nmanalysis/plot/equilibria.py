"""Equilibria against a swept parameter (stable solid, unstable dashed)."""

from __future__ import annotations

import numpy as np

from .style import STABLE, UNSTABLE, axis_label, get_ax

__all__ = ["equilibria"]


def _links(ds, param, states):
    """Segments between equilibria of neighbouring sweep points (mutual nearest neighbours)."""
    X = np.stack([ds[s].transpose(param, "fp").values for s in states], axis=-1)  # (P, F, n)
    span = np.nanmax(X, axis=(0, 1)) - np.nanmin(X, axis=(0, 1))
    Xn = X / np.where(span > 0, span, 1.0)
    links = []
    for i in range(X.shape[0] - 1):
        a, b = Xn[i], Xn[i + 1]
        ia = np.flatnonzero(np.isfinite(a[:, 0]))
        ib = np.flatnonzero(np.isfinite(b[:, 0]))
        if not ia.size or not ib.size:
            continue
        d = np.linalg.norm(a[ia][:, None] - b[ib][None], axis=-1)
        near_b = d.argmin(axis=1)
        near_a = d.argmin(axis=0)
        for k, j in enumerate(near_b):
            if near_a[j] == k:
                links.append((i, ia[k], ib[j]))
    return links


def equilibria(ds, y=None, ax=None, *, param=None, color="k", label=True):
    """Plot a :func:`nmanalysis.fixed_points` sweep: state ``y`` against the swept parameter.

    Equilibria of neighbouring sweep points are joined when they are each
    other's nearest neighbour; stable stretches are solid, unstable ones
    dashed. Near a fold the join is left open: continuation gives exact
    branches through folds.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of ``fixed_points`` with exactly one sweep dimension.
    y : str, optional
        State to plot (default: the first state).
    ax : matplotlib Axes, optional
    param : str, optional
        The swept dimension (default: the only one).

    Returns
    -------
    list of matplotlib Line2D

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> fp = nma.fixed_points(nma.get_model("wilson_cowan"), params={"IE": np.linspace(-1, 1, 41)})
    >>> lines = nma.plot.equilibria(fp, "rE")
    """
    sweep = [d for d in ds["n_fp"].dims]
    if param is None:
        if len(sweep) != 1:
            raise ValueError(f"`ds` must have one sweep dimension, it has {sweep}; pass `param`")
        param = sweep[0]
    states = [v for v in ds.data_vars if ds[v].dims == (*ds["n_fp"].dims, "fp")
              and v not in ("stable", "n_unstable", "kind", "converged", "residual")]
    y = y or states[0]
    if y not in ds:
        raise ValueError(f"`y` must be one of {states}; got {y!r}")
    ax = get_ax(ax)
    p = ds[param].values
    Y = ds[y].transpose(param, "fp").values
    S = ds["stable"].transpose(param, "fp").values
    nxt = {(i, k): (i + 1, j) for i, k, j in _links(ds, param, states)}
    has_prev = set(nxt.values())
    lines, labelled = [], set()
    for start in [node for node in nxt if node not in has_prev]:
        chain = [start]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        # split the chain where the stability of its segments changes
        seg_stable = [bool(S[a] and S[b]) for a, b in zip(chain[:-1], chain[1:])]
        first = 0
        for m in range(1, len(seg_stable) + 1):
            if m == len(seg_stable) or seg_stable[m] != seg_stable[first]:
                part = chain[first:m + 1]
                stable = seg_stable[first]
                name = "stable" if stable else "unstable"
                ln, = ax.plot([p[i] for i, _ in part], [Y[i, k] for i, k in part],
                              color=color, **(STABLE if stable else UNSTABLE),
                              label=name if label and name not in labelled else None)
                labelled.add(name)
                lines.append(ln)
                first = m
    ax.set_xlabel(axis_label(ds[param], param))
    ax.set_ylabel(axis_label(ds[y].attrs, y).replace(" at equilibrium", ""))
    if label:
        ax.legend(loc="best", fontsize="small")
    return lines
