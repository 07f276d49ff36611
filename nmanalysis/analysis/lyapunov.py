"""``largest_lyapunov``: the largest Lyapunov exponent over a sweep (Benettin's method)."""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_names
from ..errors import OptionsError
from ..integrate.parallel import run_pieces
from ..integrate.status import status_attrs
from ..results.attrs import json_attr, provenance
from .cycles import sweep_rows

__all__ = ["largest_lyapunov"]


def _steps(value, dt, what):
    """``value / dt`` as a whole number of steps (error naming ``what`` otherwise)."""
    k = int(round(value / dt))
    if abs(value / dt - k) > 1e-6 * max(1.0, value / dt):
        raise OptionsError(f"{what} ({value}) must be a whole multiple of dt ({dt}); e.g. "
                           f"dt={value / max(k, 1)!r}")
    return k


def _time_options(t, transient, dt, renorm_every):
    try:
        t0, t1 = (float(v) for v in t)
    except (TypeError, ValueError):
        raise OptionsError(f"`t` must be a pair (t_start, t_end); got {t!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0):
        raise OptionsError(f"`t` must satisfy t_start < t_end, both finite; got {t!r}")
    transient = float(transient)
    if not (0.0 <= transient < t1 - t0):
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run ({t1 - t0}); "
                           f"got {transient}")
    if dt is None:
        dt = (t1 - t0) / 100_000
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise OptionsError(f"`dt` must be a positive number; got {dt!r}")
    dt = float(dt)
    n_total = _steps(t1 - t0, dt, "the time span t_end - t_start")
    n_transient = _steps(transient, dt, "`transient`") if transient > 0 else 0
    n_steps = n_total - n_transient
    if n_steps < 2:
        raise OptionsError(f"the averaging window t_end - t_start - transient must hold at "
                           f"least 2 steps of dt={dt}; got {n_steps}")
    if renorm_every is None:
        renorm = 10
    else:
        if not (isinstance(renorm_every, (int, float)) and renorm_every > 0):
            raise OptionsError(f"`renorm_every` must be a positive time; got {renorm_every!r}")
        renorm = max(1, int(round(renorm_every / dt)))
    return t0, t1, dt, transient, n_transient, n_steps, renorm


def _initial_tangents(n, B, seed):
    """Random unit vectors (n, B): row k's depends only on (seed, k), not on B or threads."""
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((B, n)).T
    V /= np.linalg.norm(V, axis=0)
    return np.ascontiguousarray(V)


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
    from ..compile import compile_model
    import xarray as xr

    t0, t1, dt, transient, n_transient, n_steps, renorm = _time_options(
        t, transient, dt, renorm_every)
    grid, P, Y0, fixed = sweep_rows(model, params, y0, inputs, what="the Lyapunov exponent")
    bounds = check_names(bounds, model.state_names, "bounds")
    B, n = grid.size, model.n_states
    V0 = _initial_tangents(n, B, seed)
    lo_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[0]) for s in model.state_names])
    hi_b = np.array([float(bounds.get(s, (-np.inf, np.inf))[1]) for s in model.state_names])

    LAM, LAM1, LAM2 = np.full(B, np.nan), np.full(B, np.nan), np.full(B, np.nan)
    STATUS = np.zeros(B, dtype=np.int8)
    FINAL = np.full((n, B), np.nan)
    kernel = compile_model(model).extension("tangent.py").lyapunov_rows

    def run(lo, hi):
        kernel(Y0, V0, P, t0, dt, n_transient, n_steps, renorm, lo_b, hi_b, lo, hi,
               LAM, LAM1, LAM2, STATUS, FINAL)

    run_pieces(run, B, 8.0 * (n_transient + n_steps), progress,
               f"largest_lyapunov {model.name}")

    dims, shape = grid.dims, grid.shape
    rate_units = f"1/{model.time_units}" if model.time_units else "1/(time unit)"
    data = {
        "lyapunov": (dims, LAM.reshape(shape),
                     {"long_name": "largest Lyapunov exponent", "units": rate_units}),
        "lyapunov_spread": (dims, np.abs(LAM1 - LAM2).reshape(shape),
                            {"long_name": "difference of the estimates over the two halves "
                                          "of the averaging window", "units": rate_units}),
        "status": (dims, STATUS.reshape(shape), status_attrs()),
    }
    for i, name in enumerate(model.state_names):
        info = model.state_info[name]
        data[name] = (dims, FINAL[i].reshape(shape),
                      {"long_name": f"{info.description or name} (final value)",
                       "units": info.units})
    ds = xr.Dataset(data, coords={d: grid.coords[d] for d in dims})
    for d in dims:
        if d in model.param_names:
            ds[d].attrs.update(long_name=model.param_info[d].description or d,
                               units=model.param_info[d].units)
        else:
            ds[d].attrs.setdefault("long_name", d)
            ds[d].attrs.setdefault("units", "")
    ds.attrs.update(provenance(model, analysis="largest_lyapunov", fixed_params=fixed,
                               method="benettin_rk4", options=dict(
                                   dt=dt, t_start=t0, t_end=t1, transient=transient,
                                   renorm_steps=renorm, seed=int(seed),
                                   bounds={k: list(v) for k, v in bounds.items()} or None)))
    ds.attrs["n_failed"] = int((STATUS != 0).sum())
    ds.attrs["initial_state_defaults"] = json_attr(dict(model.states))
    return ds
