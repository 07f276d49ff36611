"""Names of equilibria from eigenvalues (or characteristic roots): ``KINDS``, ``classify``.

Kept apart from :mod:`.stability` so that everything that names equilibria
(ordinary or delayed) can import it without importing the analyses.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "classify", "eigen_sorted"]

#: names of equilibrium kinds, in a fixed order (their index is the code)
KINDS = ("stable node", "stable focus", "unstable node", "unstable focus", "saddle",
         "saddle-focus", "center / non-hyperbolic", "not converged")


def eigen_sorted(jacobians: np.ndarray, vectors: bool = False):
    """Eigenvalues (and eigenvectors) of stacked Jacobians, sorted by descending real part.

    Parameters
    ----------
    jacobians : ndarray of shape (..., n, n)

    Returns
    -------
    ndarray of shape (..., n), complex (and ndarray (..., n, n) with columns as vectors)
    """
    J = np.asarray(jacobians, dtype=float)
    good = np.all(np.isfinite(J), axis=(-2, -1))
    Jc = np.where(good[..., None, None], J, 0.0)
    if vectors:
        lam, vec = np.linalg.eig(Jc)
    else:
        lam = np.linalg.eigvals(Jc).astype(complex)
    # descending real part; within a complex pair, positive imaginary part first
    first = np.argsort(-lam.imag, axis=-1, kind="stable")
    lam = np.take_along_axis(lam, first, axis=-1)
    second = np.argsort(-lam.real, axis=-1, kind="stable")
    lam = np.take_along_axis(lam, second, axis=-1)
    order = np.take_along_axis(first, second, axis=-1)
    lam = np.where(good[..., None], lam, np.nan + 0j)
    if vectors:
        vec = np.take_along_axis(vec, order[..., None, :], axis=-1)
        vec = np.where(good[..., None, None], vec, np.nan + 0j)
        return lam, vec
    return lam


def classify(eigenvalues: np.ndarray, tol: float = 1e-9):
    """Kind code, stability and number of unstable directions from eigenvalues.

    Parameters
    ----------
    eigenvalues : ndarray of shape (..., n), complex
    tol : float
        Relative tolerance: a real part with ``|Re| <= tol * max(1, max|lambda|)`` counts
        as zero (non-hyperbolic), an imaginary part below it as real.

    Returns
    -------
    kind : ndarray of int (index into :data:`KINDS`)
    stable : ndarray of bool
    n_unstable : ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> k, s, nu = classify(np.array([[-1 + 2j, -1 - 2j], [1.0, -2.0]]))
    >>> [KINDS[i] for i in k], s.tolist(), nu.tolist()
    (['stable focus', 'saddle'], [True, False], [0, 1])
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    scale = np.maximum(1.0, np.nanmax(np.abs(lam), axis=-1, initial=0.0))[..., None]
    thr = tol * scale
    re, im = lam.real, lam.imag
    finite = np.all(np.isfinite(lam), axis=-1)
    pos = np.sum(re > thr, axis=-1)
    neg = np.sum(re < -thr, axis=-1)
    zero = np.sum(np.abs(re) <= thr, axis=-1)
    cplx = np.any(np.abs(im) > thr, axis=-1)
    kind = np.full(lam.shape[:-1], KINDS.index("saddle"), dtype=np.int8)
    kind = np.where((pos == 0) & (zero == 0),
                    np.where(cplx, KINDS.index("stable focus"), KINDS.index("stable node")), kind)
    kind = np.where((neg == 0) & (zero == 0),
                    np.where(cplx, KINDS.index("unstable focus"), KINDS.index("unstable node")),
                    kind)
    kind = np.where((pos > 0) & (neg > 0) & (zero == 0) & cplx, KINDS.index("saddle-focus"), kind)
    kind = np.where(zero > 0, KINDS.index("center / non-hyperbolic"), kind)
    kind = np.where(finite, kind, KINDS.index("not converged"))
    stable = finite & (pos == 0) & (zero == 0)
    return kind.astype(np.int8), stable, np.where(finite, pos, -1)
