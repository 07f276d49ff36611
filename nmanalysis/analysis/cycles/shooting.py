"""Periodic orbits refined by Newton shooting, with their Floquet multipliers."""

from __future__ import annotations

import numpy as np

from ..._checks import check_names
from ...compile import compile_model
from ...errors import OptionsError
from ...progress import progress_bar
from .classify import CYCLE
from ..scales import amplitude_scales
from .sweep import constant_inputs

__all__ = ["polish_cycle", "polish_all"]


# -- polishing by Newton shooting -------------------------------------------------------------
def _flow(system, p, x0, T, n_seg, rtol, atol, dense=False):
    """Integrate state and variational equations over [0, T] in n_seg segments.

    Returns (x(T), transfer matrices (n_seg, n, n), f(x(T)), dense solutions).
    """
    from scipy.integrate import solve_ivp

    n = x0.shape[0]
    f = np.empty(n)
    J = np.empty((n, n))

    def fun(t, z):
        x = np.ascontiguousarray(z[:n])
        system.rhs(t, x, p, f)
        system.jac(t, x, p, J)
        return np.concatenate([f, (J @ z[n:].reshape(n, n)).ravel()])

    def jacobian(t, z):                                   # for implicit methods (Radau)
        x = np.ascontiguousarray(z[:n])
        system.jac(t, x, p, J)
        big = np.zeros((n + n * n, n + n * n))
        big[:n, :n] = J
        for c in range(n):
            big[n + c::n, n + c::n][:n, :n] = J
        return big

    x = x0.copy()
    Ts = np.empty((n_seg, n, n))
    sols = []
    edges = np.linspace(0.0, T, n_seg + 1)
    atol_v = np.concatenate([atol, np.full(n * n, 1e-14)])
    for s in range(n_seg):
        z0 = np.concatenate([x, np.eye(n).ravel()])
        sol = solve_ivp(fun, (edges[s], edges[s + 1]), z0, method="DOP853", rtol=rtol,
                        atol=atol_v, dense_output=dense)
        if not sol.success:
            raise FloatingPointError(sol.message)
        x = sol.y[:n, -1].copy()
        Ts[s] = sol.y[n:, -1].reshape(n, n)
        sols.append(sol.sol if dense else None)
    fT = np.empty(n)
    system.rhs(T, np.ascontiguousarray(x), p, fT)
    return x, Ts, fT, sols, edges


def polish_cycle(model, x0, period, *, params=None, inputs=None, section=None, n_segments=8,
                 rtol=1e-12, tol=1e-11, max_iter=12, n_phase=200):
    """Refine a periodic orbit by Newton shooting; Floquet multipliers.

    Parameters
    ----------
    model : Model
    x0 : dict or sequence
        A point on (or near) the orbit.
    period : float
        Its period (or an estimate).
    params, inputs : dict, optional
        Fixed parameter and constant input values (model defaults otherwise).
    section : str, optional
        State whose value at ``x0`` is held fixed (the phase condition); default
        the state with the largest ``|f_i(x0)|`` relative to its scale.
    n_segments : int
        The variational equations are integrated over this many pieces of the
        period; the Floquet multipliers come from a periodic QR of the pieces'
        transfer matrices, never from their product.
    rtol : float
        Relative tolerance of the DOP853 integrations (absolute tolerance
        ``1e-3 rtol`` times the state scales).
    tol : float
        Newton stops when the scaled correction is below this.
    max_iter : int
    n_phase : int
        Points of the returned orbit profile.

    Returns
    -------
    dict
        ``period``, ``x0`` (n,), ``floquet`` (complex, by decreasing modulus),
        ``trivial_multiplier_error``, ``stable`` (every other multiplier inside
        the unit circle), ``converged``, ``residual``, ``iterations``,
        ``orbit`` (n, n_phase) from ``x0`` over one period, ``min``/``max``
        (n,) of the dense orbit.

    Notes
    -----
    The variational equations are integrated with the model's compiled
    Jacobian; the periodic QR (:mod:`nmanalysis.analysis.continuation.periodic.floquet`)
    keeps multipliers that are tiny next to 1 (stiff models such as
    Jansen-Rit, where they reach ~1e-30) to a relative accuracy near the
    integration tolerance, instead of the absolute ~1e-16 ``|M|`` a plain product
    would give; the trivial multiplier is 1 to ~1e-9 or better.

    Examples
    --------
    The van der Pol cycle (mu = 1) has period 6.6633:

    >>> import nmanalysis as nma
    >>> m = nma.get_model("van_der_pol")
    >>> r = polish_cycle(m, {"x": 2.0, "y": 0.0}, 6.6, n_phase=0)
    >>> round(r["period"], 4), r["stable"]
    (6.6633, True)
    """
    from ...model.network import refuse_network
    refuse_network(model, 'polish_cycle')
    system = compile_model(model)
    x0 = np.array([x0[s] for s in model.state_names] if isinstance(x0, dict) else x0,
                  dtype=float)
    p = system.parameter_vector(check_names(params, model.param_names, "params"),
                                constant_inputs(model, inputs),
                                defaults={**model.params})
    sc = amplitude_scales(model)
    f0 = system.f(x0, p)
    if section is None:
        k = int(np.argmax(np.abs(f0) / sc))
    elif section in model.state_names:
        k = model.state_names.index(section)
    else:
        raise OptionsError(f"`section` must be a state {list(model.state_names)}; got "
                           f"{section!r}")
    n = model.n_states
    T = float(period)
    atol = 1e-3 * rtol * sc
    converged, it, res = False, 0, np.inf
    for it in range(1, max_iter + 1):
        xT, Ts, fT, _, _ = _flow(system, p, x0, T, n_segments, rtol, atol)
        M = Ts[0]
        for s in range(1, n_segments):
            M = Ts[s] @ M
        A = np.zeros((n + 1, n + 1))
        A[:n, :n] = M - np.eye(n)
        A[:n, n] = fT
        A[n, k] = 1.0
        r = np.concatenate([xT - x0, [0.0]])
        res = float(np.max(np.abs(r[:n]) / sc))
        d = np.linalg.solve(A, -r)
        x0 = x0 + d[:n]
        T = T + d[n]
        step = max(float(np.max(np.abs(d[:n]) / sc)), abs(d[n]) / T)
        if step <= tol:
            converged = True
            break
    xT, Ts, fT, sols, edges = _flow(system, p, x0, T, n_segments, rtol, atol,
                                    dense=bool(n_phase))
    res = float(np.max(np.abs(xT - x0) / sc))
    try:
        from ..continuation.periodic.floquet import floquet_multipliers
        mu = np.asarray(floquet_multipliers(Ts)[0], dtype=complex)
    except ImportError:  # pragma: no cover - fallback on the plain product
        M = Ts[0]
        for s in range(1, n_segments):
            M = Ts[s] @ M
        mu = np.linalg.eigvals(M)
    mu = mu[np.argsort(-np.abs(mu), kind="stable")]
    triv = int(np.argmin(np.abs(mu - 1.0)))
    others = np.delete(mu, triv)
    out = dict(period=float(T), x0=x0, floquet=mu,
               trivial_multiplier_error=float(abs(mu[triv] - 1)),
               stable=bool(np.all(np.abs(others) < 1.0)), converged=converged, residual=res,
               iterations=it, section=k)
    if n_phase:
        tq = T * np.arange(n_phase) / n_phase
        orbit = np.empty((n, n_phase))
        fine = np.linspace(0, T, 20 * n_phase + 1)
        dense = np.empty((n, fine.size))
        for s in range(n_segments):
            sel = (tq >= edges[s]) & ((tq < edges[s + 1]) | (s == n_segments - 1))
            orbit[:, sel] = sols[s](tq[sel])[:n]
            self_ = (fine >= edges[s]) & ((fine < edges[s + 1]) | (s == n_segments - 1))
            dense[:, self_] = sols[s](fine[self_])[:n]
        out.update(orbit=orbit, min=dense.min(axis=1), max=dense.max(axis=1))
    return out


def polish_all(model, P, res, rtol, n_phase, progress):
    """Polish every cycle of a :func:`classify_rows` result in place; add its multipliers."""
    cyc = np.nonzero(res["regime"] == CYCLE)[0]
    B, n = res["regime"].shape[0], model.n_states
    res["floquet"] = np.full((B, n), np.nan + 0j)
    res["trivial_multiplier_error"] = np.full(B, np.nan)
    res["stable"] = np.zeros(B, np.int8)
    res["polish_converged"] = np.zeros(B, np.int8)
    names = (*model.param_names, *model.input_names)
    bar = progress_bar(cyc.size, f"polish {model.name}", progress if cyc.size > 4 else False)
    try:
        for b in cyc:
            pars = {k: P[i, b] for i, k in enumerate(names) if k in model.param_names}
            inps = {k: P[i, b] for i, k in enumerate(names) if k in model.input_names}
            try:
                r = polish_cycle(model, res["crossing_state"][b], res["period"][b],
                                 params=pars, inputs=inps,
                                 section=model.state_names[res["section_state"][b]],
                                 rtol=rtol, n_phase=n_phase)
            except (np.linalg.LinAlgError, FloatingPointError, ValueError):
                bar.update(1)
                continue
            res["polish_converged"][b] = int(r["converged"])
            if r["converged"]:
                res["period"][b] = r["period"]
                res["floquet"][b] = r["floquet"]
                res["trivial_multiplier_error"][b] = r["trivial_multiplier_error"]
                res["stable"][b] = int(r["stable"])
                res["crossing_state"][b] = r["x0"]
                if n_phase:
                    res["orbit"][b] = r["orbit"]
            bar.update(1)
    finally:
        bar.close()

