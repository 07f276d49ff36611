"""The rows of a sweep and the options of a sampled analysis, checked.

Shared by :func:`~nmanalysis.analysis.cycles.find_cycles`,
:func:`~nmanalysis.analysis.regimes.regime_map` and the Lyapunov exponents:
the flat parameter and initial-state columns of a sweep, the state scales, and
the checked time span, method, step and sampling.
"""

from __future__ import annotations


import numpy as np

from ..._checks import check_names, check_real, check_time_span
from ...errors import OptionsError
from ...integrate.batch import make_grid
from ...integrate.inputs import Constant, InputSignal
from ...integrate.sizing import MAX_STEPS, check_count, check_memory
from ...integrate.tableaux import METHODS, get_tableau
from ...results.attrs import fixed_params
from ...results.conventions import initial_state_dim

__all__ = ["constant_inputs", "sweep_rows", "time_options", "check_positive"]


# -- input handling --------------------------------------------------------------------------
def constant_inputs(model, inputs, what="cycles and equilibria"):
    """Input values as numbers or arrays; time-dependent signals are refused for ``what``."""
    others = {"params": model.param_names, "y0": model.state_names}
    inputs = check_names(inputs, model.input_names, "inputs", others)
    out = {}
    for name in model.input_names:
        value = inputs.get(name, model.inputs[name])
        if isinstance(value, Constant):
            value = value.value
        if isinstance(value, (InputSignal, dict)):
            raise OptionsError(f"`inputs[{name!r}]` must be a number or an array of numbers: "
                               f"{what} need(s) an autonomous system; got {value!r}")
        out[name] = value
    return out


def _y0_dict(model, y0):
    if y0 is None:
        return {}
    if not isinstance(y0, dict):
        arr = np.asarray(y0, dtype=float)
        if arr.shape != (model.n_states,):
            raise OptionsError(f"`y0` must be a dict state -> value or a sequence of "
                               f"{model.n_states} numbers {list(model.state_names)}; got "
                               f"shape {arr.shape}")
        y0 = dict(zip(model.state_names, arr.tolist()))
    others = {"params": model.param_names, "inputs": model.input_names}
    return check_names(y0, model.state_names, "y0", others)


def sweep_rows(model, params, y0, inputs, extra=(), what="cycles and equilibria"):
    """Grid of a sweep and its flat rows: (grid, P (n_p + n_in, B), Y0 (n, B), fixed).

    ``extra``: more ``(name, dim, value)`` grid entries (e.g. initial states on a
    shared dim, given as DataArrays). Same conventions as :func:`simulate`;
    inputs must be constant (``what`` names the analysis in the error).
    """
    others = {"inputs": model.input_names, "y0": model.state_names,
              "params": model.param_names}
    params = check_names(params, model.param_names, "params", others)
    y0 = _y0_dict(model, y0)
    inputs = constant_inputs(model, inputs, what)
    entries = [(k, k, v) for k, v in params.items()]
    entries += [(k, initial_state_dim(k), v) for k, v in y0.items()]
    entries += [(k, k, v) for k, v in inputs.items() if np.ndim(v) or
                type(v).__name__ == "DataArray"]
    entries += list(extra)
    grid = make_grid(entries)
    names = (*model.param_names, *model.input_names)
    # the rows' parameters and states, plus the analyses' per-row work and results
    check_memory(grid.size * 8.0 * (len(names) + 8 * model.n_states + 64),
                 f"{what} over {grid.size} sweep rows",
                 "sweep fewer values per call (split the sweep into chunks)")
    defaults = {**model.params, **{k: v for k, v in inputs.items() if not np.ndim(v)}}
    P = np.empty((len(names), grid.size))
    for i, name in enumerate(names):
        P[i] = grid.flat(name, defaults.get(name, 0.0))
    Y0 = np.empty((model.n_states, grid.size))
    for i, name in enumerate(model.state_names):
        Y0[i] = grid.flat(name, model.states[name])
    return grid, P, Y0, fixed_params(model, params)


# -- options ---------------------------------------------------------------------------------
def time_options(t, transient, method, dt, sampling):
    """Checked (t0, t1, transient, dt, sampling) of a sampled analysis; errors name the culprit."""
    t0, t1 = check_time_span(t)
    if method not in METHODS or method == "exp_euler":
        valid = [m for m in METHODS if m != "exp_euler"]
        raise OptionsError(f"`method` must be one of {valid}; got {method!r}")
    transient = 0.5 * (t1 - t0) if transient is None else float(transient)
    if not (0.0 <= transient < t1 - t0):
        raise OptionsError(f"`transient` must be >= 0 and shorter than the run ({t1 - t0}); "
                           f"got {transient}")
    adaptive = get_tableau(method).adaptive
    if dt is not None:
        check_positive(dt=dt)
        dt = float(dt)
    if not adaptive:
        if dt is None:
            dt = (t1 - t0) / 20_000
        check_count((t1 - t0) / dt, MAX_STEPS, "the time span / dt (steps per trajectory)",
                    "use a larger `dt` or a shorter `t`")
        sampling = dt if sampling is None else sampling
        transient = round(transient / dt) * dt
    elif sampling is None:
        sampling = (t1 - t0 - transient) / 20_000
    check_positive(sampling=sampling)
    window = t1 - t0 - transient
    # each trajectory's samples are kept while it is classified
    check_memory(8.0 * 3 * window / sampling, f"{window / sampling:.3g} samples per trajectory",
                 "use a coarser `sampling` or a longer `transient`")
    if window / sampling < 20:
        raise OptionsError(f"the analysed window t_end - t_start - transient ({window:g}) must "
                           f"hold at least 20 samples of `sampling` ({sampling:g})")
    return t0, t1, transient, dt, float(sampling)


def check_positive(**kw):
    """OptionsError unless every keyword value is a finite positive real number."""
    for name, v in kw.items():
        check_real(v, name, positive=True)

