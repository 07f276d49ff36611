"""Linear stability of equilibria: eigenvalues and the usual names for them."""

from __future__ import annotations

import numpy as np

from ..errors import OptionsError
from .kinds import KINDS, classify, eigen_sorted

__all__ = ["classify", "KINDS", "stability", "eigen_sorted"]


def stability(model, state, params=None, *, jacobian: bool = False, tol: float = 1e-9,
              n_roots=None):
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
    n_roots : int, optional
        Networks only: characteristic roots reported (default: the
        number of states, at least 6, at most 16).

    Returns
    -------
    dict
        ``eigenvalues`` (sorted by descending real part), ``eigenvectors``
        (columns), ``kind`` (str), ``stable``, ``n_unstable``,
        ``residual`` (``max |f|``), and ``jacobian`` when asked.

        For a :class:`~nmanalysis.model.network.Network` with delays (state
        and parameters those of ``net.to_model()``): ``eigenvalues`` are the
        ``n_roots`` rightmost characteristic roots of the delayed
        linearisation, ``eigenvectors`` the null vectors of the characteristic
        matrix, plus ``converged`` and ``delays``; ``jacobian=True`` adds
        ``A0``, ``taus``, ``As`` (see
        :func:`~nmanalysis.analysis.network_stability.network_stability`).

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
    from ..model.network import Network

    if isinstance(model, Network):
        from .network_stability import has_delays, network_stability
        flat = model.to_model()             # names only: never compiled
        if has_delays(model):
            return network_stability(model, _point(flat, state), params, n_roots=n_roots,
                                     tol=tol, jacobian=jacobian)
        if n_roots is not None:
            raise OptionsError("`n_roots` applies to networks with delays only")
        return _network_ode_stability(model, flat, _point(flat, state), params, tol,
                                      jacobian)
    if n_roots is not None:
        raise OptionsError("`n_roots` applies to networks with delays only")
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


def _network_ode_stability(net, flat, x, params, tol, jacobian):
    """:func:`stability` of a network without delays, from its structured Jacobian."""
    from .network_linear import network_linear
    from .network_stability import network_values

    params = dict(params or {})
    bad = [k for k in params if k not in flat.param_names]
    if bad:
        raise OptionsError(f"`params` got unknown name {bad[0]!r}; parameters are "
                           f"{list(flat.param_names)}")
    F, J = network_linear(net).rhs_jac(x, network_values(net, {**flat.params, **params}))
    lam, vec = eigen_sorted(J[None], vectors=True)
    kind, stable, nu = classify(lam, tol)
    out = {"eigenvalues": lam[0], "eigenvectors": vec[0], "kind": KINDS[int(kind[0])],
           "stable": bool(stable[0]), "n_unstable": int(nu[0]),
           "residual": float(np.max(np.abs(F)))}
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
