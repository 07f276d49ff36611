"""The attractor catalogue: equilibria found, merged and polished; cycles clustered."""

from __future__ import annotations

import warnings

import numpy as np

from ...errors import ConvergenceWarning
from ..equilibria import fixed_points
from ..stability import classify, eigen_sorted

__all__ = ["box_equilibria", "merge_equilibria", "static_points", "match_points",
           "cluster_cycles", "MAX_CYCLES"]

#: most distinct cycles kept in a catalogue
MAX_CYCLES = 64


def box_equilibria(model, params, inputs, box):
    """Equilibria in ``box``: points (K, n), eigenvalues (K, n), stable (K,), kinds (K,)."""
    fp = fixed_points(model, params=params, inputs=inputs, bounds=box, n_starts=256,
                      progress=False)
    n = int(fp["n_fp"])
    X = np.column_stack([fp[s].values[:n] for s in model.state_names]) if n else \
        np.zeros((0, model.n_states))
    lam = fp["eig_real"].values[:n] + 1j * fp["eig_imag"].values[:n]
    return X, lam, fp["stable"].values[:n].astype(bool), fp["kind"].values[:n].astype(str)


def merge_equilibria(EQ, lam, stable, kinds, inv_scale, tol):
    """Equilibria closer than ``tol`` (scaled) are one; it is stable only if all its
    members are (a degenerate root is returned by Newton as a cloud of nearby roots
    of either stability)."""
    K = EQ.shape[0]
    if K < 2:
        return EQ, lam, stable, kinds
    d = np.max(np.abs(EQ[:, None, :] - EQ[None, :, :]) * inv_scale, axis=2)
    group = np.arange(K)
    for i in range(K):                       # union of overlapping pairs, smallest index wins
        for j in np.flatnonzero(d[i] <= tol):
            gi, gj = group[i], group[j]
            if gi != gj:
                group[group == max(gi, gj)] = min(gi, gj)
    keep = np.unique(group)
    st = np.array([bool(np.all(stable[group == g])) for g in keep], bool)
    return EQ[keep], lam[keep], st, kinds[keep]


def static_points(system, p, X):
    """Newton from near-static end points: (solutions (n, K), converged&stable (K,))."""
    X = np.ascontiguousarray(X, dtype=float).copy()
    K = X.shape[1]
    conv = np.zeros(K, np.int8)
    res = np.zeros(K)
    nit = np.zeros(K, np.int64)
    rows = np.zeros(K, np.int64)
    P = p[:, None].copy()
    system.newton_batch(X, P, rows, 1e-12, 60, 0, K, conv, res, nit)
    J = np.empty((K, X.shape[0], X.shape[0]))
    system.jac_batch(X, P, rows, 0, K, J)
    lam = eigen_sorted(J)
    kind, stable, _ = classify(lam)
    return X, (conv == 1) & stable, lam, kind


def match_points(points, ref, inv_scale, tol):
    """Index of the row of ``ref`` within ``tol`` (scaled) of each point, or -1."""
    out = np.full(points.shape[0], -1, np.int64)
    if ref.shape[0] == 0 or points.shape[0] == 0:
        return out
    d = np.max(np.abs(points[:, None, :] - ref[None, :, :]) * inv_scale, axis=2)
    best = np.argmin(d, axis=1)
    ok = d[np.arange(points.shape[0]), best] <= tol
    out[ok] = best[ok]
    return out


def cluster_cycles(cyc, rows, inv_scale, tol):
    """Group the confirmed cycles of ``rows`` by section, period and Poincare point."""
    groups = []
    remaining = np.asarray(rows)
    P = cyc["POINT"].T
    while remaining.size and len(groups) < MAX_CYCLES:
        r0 = remaining[0]
        T0 = cyc["PERIOD"][r0]
        d = np.max(np.abs(P[remaining] - P[r0]) * inv_scale, axis=1)
        same = ((cyc["AXIS"][remaining] == cyc["AXIS"][r0])
                & (np.abs(cyc["PERIOD"][remaining] - T0) <= 20 * tol * T0)
                & (d <= 10 * tol))
        groups.append(remaining[same])
        remaining = remaining[~same]
    if remaining.size:
        warnings.warn(f"{remaining.size} trajectories end on cycles beyond the first "
                      f"{MAX_CYCLES} distinct ones; they are labelled -1", ConvergenceWarning,
                      stacklevel=3)
    return groups

