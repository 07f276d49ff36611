"""Lyapunov exponents over a sweep (Benettin's method with QR re-orthonormalisation).

``largest_lyapunov`` follows one tangent vector, ``lyapunov_spectrum`` follows
``k`` of them; both run the same compiled kernel (``compile/tangent.py``).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_names, check_real, check_time_span
from ..errors import OptionsError
from ..integrate.parallel import run_pieces
from ..integrate.sizing import whole_steps
from ..results.status import status_attrs
from ..integrate.tableaux import get_tableau
from ..results.attrs import json_attr, label_sweep_dims, provenance
from ..results.conventions import rate_units
from .cycles.sweep import sweep_rows

__all__ = ["largest_lyapunov", "lyapunov_spectrum"]


def _time_options(t, transient, dt, renorm_every):
    t0, t1 = check_time_span(t)
    transient = float(transient)
    if not (0.0 <= transient < t1 - t0):
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run ({t1 - t0}); "
                           f"got {transient}")
    if dt is None:
        dt = (t1 - t0) / 100_000
    dt = check_real(dt, "dt", positive=True)
    n_total = whole_steps(t1 - t0, dt, "the time span t_end - t_start")
    n_transient = whole_steps(transient, dt, "`transient`") if transient > 0 else 0
    n_steps = n_total - n_transient
    if n_steps < 2:
        raise OptionsError(f"the averaging window t_end - t_start - transient must hold at "
                           f"least 2 steps of dt={dt}; got {n_steps}")
    if renorm_every is None:
        renorm = 10
    else:
        renorm_every = check_real(renorm_every, "renorm_every", positive=True)
        renorm = max(1, int(round(renorm_every / dt)))
    return t0, t1, dt, transient, n_transient, n_steps, renorm


def _initial_tangents(n, k, B, seed):
    """Random tangents (n, k, B): row b's depend only on (seed, b), not on B or threads."""
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((B, n, k))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.ascontiguousarray(V.transpose(1, 2, 0))


def _benettin(model, k, *, params, y0, inputs, t, transient, dt, renorm_every, seed, bounds,
              progress, what):
    """Run the tangent kernel with ``k`` vectors on every row of a sweep.

    Returns (grid, fixed, options, LAM (k, B), SPREAD (k, B), STATUS (B,), FINAL (n, B)).
    """
    from ..compile import compile_model

    t0, t1, dt, transient, n_transient, n_steps, renorm = _time_options(
        t, transient, dt, renorm_every)
    grid, P, Y0, fixed = sweep_rows(model, params, y0, inputs, what=what)
    bounds = check_names(bounds, model.state_names, "bounds")
    B, n = grid.size, model.n_states
    V0 = _initial_tangents(n, k, B, seed)
    lo_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[0]) for s in model.state_names])
    hi_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[1]) for s in model.state_names])

    LAM, LAM1, LAM2 = (np.full((k, B), np.nan) for _ in range(3))
    STATUS = np.zeros(B, dtype=np.int8)
    FINAL = np.full((n, B), np.nan)
    kernel = compile_model(model).extension("tangent.py").lyapunov_rows
    tab = get_tableau("rk4")

    def run(lo, hi):
        kernel(Y0, V0, P, tab.A, tab.b, tab.c, t0, dt, n_transient, n_steps, renorm, lo_b,
               hi_b, lo, hi, LAM, LAM1, LAM2, STATUS, FINAL)

    run_pieces(run, B, 8.0 * (1 + k) * (n_transient + n_steps), progress,
               f"{what} {model.name}")
    options = dict(dt=dt, t_start=t0, t_end=t1, transient=transient, renorm_steps=renorm,
                   seed=int(seed), stop_bounds={k_: list(v) for k_, v in bounds.items()} or None)
    return grid, fixed, options, LAM, np.abs(LAM1 - LAM2), STATUS, FINAL


def _dataset(model, grid, fixed, options, data, STATUS, FINAL, analysis, method):
    """The result Dataset: sweep coordinates, final states, status and provenance."""
    import xarray as xr

    dims, shape = grid.dims, grid.shape
    data["status"] = (dims, STATUS.reshape(shape), status_attrs())
    for i, name in enumerate(model.state_names):
        info = model.state_info[name]
        data[name] = (dims, FINAL[i].reshape(shape),
                      {"long_name": f"{info.description or name} (final value)",
                       "units": info.units})
    ds = xr.Dataset(data, coords={d: grid.coords[d] for d in dims})
    label_sweep_dims(ds, model, dims)
    ds.attrs.update(provenance(model, analysis=analysis, fixed_params=fixed, method=method,
                               options=options))
    ds.attrs["n_failed"] = int((STATUS != 0).sum())
    ds.attrs["initial_state_defaults"] = json_attr(dict(model.states))
    return ds


def largest_lyapunov(model, *, params=None, y0=None, inputs=None, t=(0.0, 1000.0),
                     transient=0.0, dt=None, renorm_every=None, seed=0, bounds=None,
                     progress=None):
    """Largest Lyapunov exponent of every trajectory of a sweep (Benettin's method).

    The state and one tangent vector are integrated together with RK4 (the
    tangent follows ``v' = J(t, y) v`` with the compiled Jacobian at every
    stage), the tangent is renormalised periodically, and the logarithms of
    its growth factors are averaged over ``[t_start + transient, t_end]``.

    Parameters
    ----------
    model : Model
    params : dict, optional
        Parameter name -> number (fixes it) or 1-D array (sweeps it along a
        dimension named after it), as in :func:`nmanalysis.simulate`.
    y0 : dict or sequence, optional
        Initial states (model defaults otherwise); arrays sweep along dims
        named ``<state>_0``.
    inputs : dict, optional
        Input name -> number or 1-D array (sweep). Time-dependent signals are
        refused: the exponent is defined for the autonomous system.
    t : (float, float)
        Start and end time, in the model's time units.
    transient : float
        Initial time (inside ``t``) not used by the average; the tangent is
        still integrated then, so it is aligned with the most unstable
        direction when the average starts.
    dt : float, optional
        RK4 step (default ``(t_end - t_start) / 100000``). The time span and
        the transient must be whole multiples of it.
    renorm_every : float, optional
        Time between renormalisations of the tangent (rounded to whole steps;
        default every 10 steps). The tangent is also renormalised whenever its
        norm passes 1e100 or 1e-100 (checked every 16 steps), so the choice affects
        only rounding.
    seed : int
        Seed of the random initial tangent vectors (one per trajectory, fixed
        by its position in the batch, so thread splitting does not matter).
    bounds : dict, optional
        State -> (low, high); a trajectory leaving the box is stopped and
        flagged (status 2).
    progress : bool, optional
        Progress bar: ``True`` always, ``False`` never, ``None`` on a terminal
        for long runs.

    Returns
    -------
    xarray.Dataset
        Sweep dims as in :func:`nmanalysis.simulate` (no ``time``), variables

        - ``lyapunov``: the estimate (1 / model time unit), NaN if the
          trajectory failed;
        - ``lyapunov_spread``: ``|lambda_1 - lambda_2|``, the difference
          between the estimates over the first and second half of the
          averaging window (a convergence estimate);
        - ``status``: 0 ok, 1 diverged (state or tangent not finite),
          2 left ``bounds`` (codes in ``flag_meanings``);
        - one variable per state: the final state.

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid.

    See Also
    --------
    nmanalysis.simulate

    Notes
    -----
    On a stable equilibrium the estimate converges to the largest real part
    of the Jacobian's eigenvalues there, on a stable limit cycle to 0 and on
    a chaotic attractor to a positive number, all with an error of order
    ``1 / (t_end - t_start - transient)`` plus, for chaos, a statistical
    error that ``lyapunov_spread`` indicates.

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov
    characteristic exponents for smooth dynamical systems and for Hamiltonian
    systems; a method for computing all of them", Meccanica 15 (1980).

    Examples
    --------
    The Stuart-Landau oscillator below its Hopf point (mu < 0) has a stable
    focus with eigenvalues ``mu +- i omega``:

    >>> import numpy as np, nmanalysis as nma
    >>> from nmanalysis.analysis.lyapunov import largest_lyapunov
    >>> m = nma.get_model("stuart_landau")
    >>> ds = largest_lyapunov(m, params={"mu": np.array([-0.5, -0.2])},
    ...                       t=(0, 200), dt=0.01)
    >>> ds["lyapunov"].values.round(2).tolist()
    [-0.5, -0.2]
    """
    from ..model.network import refuse_network
    refuse_network(model, 'largest_lyapunov')
    grid, fixed, options, LAM, SPREAD, STATUS, FINAL = _benettin(
        model, 1, params=params, y0=y0, inputs=inputs, t=t, transient=transient, dt=dt,
        renorm_every=renorm_every, seed=seed, bounds=bounds, progress=progress,
        what="largest_lyapunov")
    dims, shape = grid.dims, grid.shape
    rate = rate_units(model)
    data = {
        "lyapunov": (dims, LAM[0].reshape(shape),
                     {"long_name": "largest Lyapunov exponent", "units": rate}),
        "lyapunov_spread": (dims, SPREAD[0].reshape(shape),
                            {"long_name": "difference of the estimates over the two halves "
                                          "of the averaging window", "units": rate}),
    }
    return _dataset(model, grid, fixed, options, data, STATUS, FINAL, "largest_lyapunov",
                    "benettin_rk4")


def lyapunov_spectrum(model, *, n_exponents=None, params=None, y0=None, inputs=None,
                      t=(0.0, 1000.0), transient=0.0, dt=None, renorm_every=None, seed=0,
                      bounds=None, progress=None):
    """Lyapunov exponents (all, or the leading ones) of every trajectory of a sweep.

    The state and ``k`` tangent vectors are integrated together with RK4 on
    the variational system ``V' = J(t, y) V`` (compiled Jacobian at every
    stage); the tangents are re-orthonormalised by QR (modified Gram-Schmidt)
    every few steps, and the logarithms of the diagonal of R are averaged over
    ``[t_start + transient, t_end]`` (Benettin et al. 1980, Shimada & Nagashima
    1979). ``k = 1`` gives :func:`largest_lyapunov`.

    Parameters
    ----------
    model : Model
    n_exponents : int, optional
        Number ``k`` of leading exponents, 1 <= k <= number of states (default
        all of them).
    params, y0, inputs, t, transient, dt, renorm_every, seed, bounds, progress
        As in :func:`largest_lyapunov`: arrays sweep (batched, one trajectory
        per row); ``dt`` is the RK4 step (default ``(t_end - t_start) /
        100000``).

    Returns
    -------
    xarray.Dataset
        Sweep dims as in :func:`nmanalysis.simulate`, plus dim ``exponent``
        (0 = largest). Variables

        - ``lyapunov`` (sweep dims, ``exponent``): the exponents in
          decreasing order (1 / model time unit), NaN if the trajectory failed;
        - ``lyapunov_spread``: per exponent, the difference between the
          estimates over the two halves of the averaging window;
        - ``lyapunov_sum``: the sum of the ``k`` exponents (the mean rate of
          growth of ``k``-volumes; for ``k`` = number of states it equals the
          time average of the Jacobian's trace);
        - ``kaplan_yorke_dimension``: ``j + (l_1 + ... + l_j) / |l_{j+1}|``
          with ``j`` the largest index whose partial sum is >= 0 (NaN when
          it is not defined by the exponents computed);
        - ``status`` (0 ok; codes in ``flag_meanings``) and the final states.

    Raises
    ------
    OptionsError
        For invalid arguments, naming the argument and what would be valid.

    See Also
    --------
    largest_lyapunov

    Notes
    -----
    On a stable equilibrium the exponents converge to the real parts of the
    Jacobian's eigenvalues there, on a limit cycle the largest to 0 and the
    others to ``log|mu| / T`` of its Floquet multipliers. One exponent of a
    bounded non-equilibrium trajectory of an autonomous system is 0 (the
    direction of the flow); its estimate shows the error of the others, of
    order ``1 / (t_end - t_start - transient)``.

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov
    characteristic exponents for smooth dynamical systems and for Hamiltonian
    systems; a method for computing all of them. Part 2: Numerical
    application", Meccanica 15 (1980) 21-30.
    I. Shimada, T. Nagashima, "A numerical approach to ergodic problem of
    dissipative dynamical systems", Prog. Theor. Phys. 61 (1979) 1605-1616.

    Examples
    --------
    The Stuart-Landau oscillator below its Hopf point has a stable focus with
    eigenvalues ``mu +- i omega``; both exponents are ``mu``:

    >>> import nmanalysis as nma
    >>> m = nma.get_model("stuart_landau")
    >>> ds = nma.lyapunov_spectrum(m, params={"mu": -0.3}, t=(0, 200), dt=0.01)
    >>> ds["lyapunov"].values.round(2).tolist()
    [-0.3, -0.3]
    """
    from ..model.network import refuse_network
    refuse_network(model, 'lyapunov_spectrum')
    n = model.n_states
    k = n if n_exponents is None else n_exponents
    if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and 1 <= k <= n):
        raise OptionsError(f"`n_exponents` must be a whole number from 1 to {n} (the number "
                           f"of states of {model.name!r}); got {n_exponents!r}")
    k = int(k)
    grid, fixed, options, LAM, SPREAD, STATUS, FINAL = _benettin(
        model, k, params=params, y0=y0, inputs=inputs, t=t, transient=transient, dt=dt,
        renorm_every=renorm_every, seed=seed, bounds=bounds, progress=progress,
        what="lyapunov_spectrum")
    dims, shape = grid.dims, grid.shape
    rate = rate_units(model)
    # QR with modified Gram-Schmidt gives the exponents in decreasing order up to
    # the statistical error; sort so that exponent 0 is the largest
    order = np.argsort(-np.where(np.isnan(LAM), -np.inf, LAM), axis=0, kind="stable")
    LAM = np.take_along_axis(LAM, order, axis=0)
    SPREAD = np.take_along_axis(SPREAD, order, axis=0)
    lam = np.moveaxis(LAM, 0, -1).reshape(*shape, k)
    data = {
        "lyapunov": ((*dims, "exponent"), lam,
                     {"long_name": "Lyapunov exponent", "units": rate}),
        "lyapunov_spread": ((*dims, "exponent"), np.moveaxis(SPREAD, 0, -1).reshape(*shape, k),
                            {"long_name": "difference of the estimates over the two halves "
                                          "of the averaging window", "units": rate}),
        "lyapunov_sum": (dims, LAM.sum(axis=0).reshape(shape),
                         {"long_name": f"sum of the {k} exponents", "units": rate}),
        "kaplan_yorke_dimension": (dims, _kaplan_yorke(LAM).reshape(shape),
                                   {"long_name": "Kaplan-Yorke (Lyapunov) dimension",
                                    "units": "1"}),
    }
    ds = _dataset(model, grid, fixed, options, data, STATUS, FINAL, "lyapunov_spectrum",
                  "benettin_qr_rk4")
    ds = ds.assign_coords(exponent=("exponent", np.arange(k),
                                    {"long_name": "exponent index (0 = largest)",
                                     "units": "1"}))
    ds.attrs["n_exponents"] = k
    return ds


def _kaplan_yorke(LAM):
    """Kaplan-Yorke dimension of each column of the sorted exponents LAM (k, B)."""
    k, B = LAM.shape
    out = np.full(B, np.nan)
    csum = np.cumsum(LAM, axis=0)
    for b in range(B):
        if np.isnan(LAM[0, b]):
            continue
        if csum[0, b] < 0:
            out[b] = 0.0
            continue
        j = int(np.max(np.nonzero(csum[:, b] >= 0)[0])) + 1   # exponents summed
        if j < k:   # else volumes do not contract within the computed exponents: NaN
            out[b] = j + csum[j - 1, b] / abs(LAM[j, b])
    return out
