"""Linear stability of equilibria: eigenvalues and the usual names for them."""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError

__all__ = ["classify", "KINDS", "stability", "eigen_sorted"]

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


def stability(model, state, params=None, *, jacobian: bool = False, tol: float = 1e-9):
    """Eigenvalues, eigenvectors and kind of one point (usually an equilibrium).

    Parameters
    ----------
    model : Model
    state : dict or sequence
        The point, ``{state: value}`` or values in state order.
    params : dict, optional
        Parameter values (model defaults otherwise).
    jacobian : bool
        Also return the Jacobian.
    tol : float
        Tolerance of :func:`classify`.

    Returns
    -------
    dict
        ``eigenvalues`` (sorted by descending real part), ``eigenvectors``
        (columns), ``kind`` (str), ``stable``, ``n_unstable``,
        ``residual`` (``max |f|``), and ``jacobian`` when asked.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> fp = nma.fixed_points(m, params={"I": 0.375})
    >>> point = {"v": float(fp["v"][0]), "w": float(fp["w"][0])}
    >>> out = nma.stability(m, point, {"I": 0.375})
    >>> out["kind"], out["residual"] < 1e-12
    ('unstable focus', True)
    """
    from ..compile import compile_model

    system = compile_model(model)
    x = _point(model, state)
    params = dict(params or {})
    bad = [k for k in params if k not in model.param_names]
    if bad:
        raise OptionsError(f"`params` got unknown name {bad[0]!r}; parameters are "
                           f"{list(model.param_names)}")
    p = system.parameter_vector(params, None, {**model.params, **model.inputs})
    J = system.jacobian(x, p)
    lam, vec = eigen_sorted(J[None], vectors=True)
    kind, stable, nu = classify(lam, tol)
    out = {"eigenvalues": lam[0], "eigenvectors": vec[0], "kind": KINDS[int(kind[0])],
           "stable": bool(stable[0]), "n_unstable": int(nu[0]),
           "residual": float(np.max(np.abs(system.f(x, p))))}
    if jacobian:
        out["jacobian"] = J
    return out


def _point(model, state) -> np.ndarray:
    if isinstance(state, dict):
        missing = [s for s in model.state_names if s not in state]
        extra = [s for s in state if s not in model.state_names]
        if missing or extra:
            raise OptionsError(f"`state` must give every state {list(model.state_names)}; "
                               f"missing {missing}, unknown {extra}")
        return np.array([float(state[s]) for s in model.state_names])
    x = np.asarray(state, dtype=float)
    if x.shape != (model.n_states,):
        raise OptionsError(f"`state` must have {model.n_states} values "
                           f"{list(model.state_names)}; got shape {x.shape}")
    return x
