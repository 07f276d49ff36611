"""The attractors of each grid point of a regime map, grouped, and its regime code."""

from __future__ import annotations

import numpy as np

from ..._checks import check_names
from ...errors import OptionsError
from ..cycles.classify import CYCLE, EQUILIBRIUM, FAILED, UNDECIDED, regime_attrs
from ..equilibria import low_discrepancy
from ..scales import state_interval

__all__ = ["REGIMES", "initial_states", "cluster_attractors", "regime_codes"]

SINGLE_EQ, MULTI_EQ, CYCLE_ONLY, CYCLE_EQ, MULTI_CYCLE, IRREGULAR = 0, 1, 2, 3, 4, 5
#: regime code -> meaning (CF flag_meanings words)
REGIMES = {
    -2: "integration_failed",
    -1: "undecided",
    SINGLE_EQ: "single_stable_equilibrium",
    MULTI_EQ: "multiple_stable_equilibria",
    CYCLE_ONLY: "limit_cycle",
    CYCLE_EQ: "coexisting_cycle_and_equilibrium",
    MULTI_CYCLE: "multiple_cycles",
    IRREGULAR: "irregular",
}


def initial_states(model, y0, n_initial, seed):
    """Initial states on dim ``init``: dict state -> 1-D array (all the same length)."""
    if y0 is not None:
        y0 = check_names(y0, model.state_names, "y0")
        arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in y0.items()}
        sizes = {a.size for a in arrays.values() if a.size > 1}
        if len(sizes) > 1 or any(a.ndim != 1 for a in arrays.values()):
            raise OptionsError(f"`y0` values must be numbers or 1-D arrays of one common "
                               f"length (the initial states, zipped); got lengths "
                               f"{ {k: a.size for k, a in arrays.items()} }")
        size = sizes.pop() if sizes else 1
        return {s: np.broadcast_to(arrays.get(s, np.array([model.states[s]])), (size,)).copy()
                for s in model.state_names}
    if not (isinstance(n_initial, (int, np.integer)) and n_initial >= 1):
        raise OptionsError(f"`n_initial` must be a whole number >= 1; got {n_initial!r}")
    lo, hi = zip(*(state_interval(model, s, {}, "bounds") for s in model.state_names))
    lo, hi = np.array(lo), np.array(hi)
    pts = np.empty((n_initial, model.n_states))
    pts[0] = [model.states[s] for s in model.state_names]
    if n_initial > 1:
        pts[1:] = lo + low_discrepancy(n_initial - 1, model.n_states, seed) * (hi - lo)
    return {s: pts[:, i].copy() for i, s in enumerate(model.state_names)}


def _first_of_kind(mask, same):
    """Count distinct members: member i is new if no earlier member j is `same`."""
    G, n_i = mask.shape
    earlier = np.tril(np.ones((n_i, n_i), bool), -1)          # [i, j]: j < i
    dup = np.any(same & mask[:, None, :] & earlier[None], axis=2)
    return mask & ~dup


def cluster_attractors(res, G, n_i, sc, amp_index, cluster_tol):
    """Per grid point: distinct equilibria and cycles, the dominant cycle."""
    reg = res["regime"].reshape(G, n_i)
    mn = res["min"].reshape(G, n_i, -1)
    mx = res["max"].reshape(G, n_i, -1)
    period = res["period"].reshape(G, n_i)
    eq = reg == EQUILIBRIUM
    cy = reg == CYCLE
    with np.errstate(invalid="ignore"):
        d_eq = np.max(np.abs(mn[:, :, None] - mn[:, None, :]) / sc, axis=3)
        same_eq = d_eq <= cluster_tol
        size = np.max((mx - mn) / sc, axis=2)                  # (G, I)
        ref = np.maximum(size[:, :, None], size[:, None, :])
        d_cy = np.maximum(np.max(np.abs(mn[:, :, None] - mn[:, None, :]) / sc, axis=3),
                          np.max(np.abs(mx[:, :, None] - mx[:, None, :]) / sc, axis=3))
        same_cy = (d_cy <= 10 * cluster_tol * ref) & (
            np.abs(period[:, :, None] - period[:, None, :])
            <= 10 * cluster_tol * np.maximum(period[:, :, None], period[:, None, :]))
    new_eq = _first_of_kind(eq, same_eq)
    new_cy = _first_of_kind(cy, same_cy)
    amp = np.where(cy, mx[:, :, amp_index] - mn[:, :, amp_index], -np.inf)
    best = np.argmax(amp, axis=1)
    rows = np.arange(G)
    has_cy = cy.any(axis=1)
    dom_period = np.where(has_cy, period[rows, best], np.nan)
    dom_amp = np.where(has_cy, amp[rows, best], np.where(eq.any(axis=1), 0.0, np.nan))
    return (new_eq.sum(axis=1), new_cy.sum(axis=1), (reg == UNDECIDED).sum(axis=1),
            (reg == FAILED).sum(axis=1), dom_period, dom_amp)


def regime_codes(n_eq, n_cy, n_und, n_fail, n_init, irregular):
    """The regime code of every grid point (keys of :data:`REGIMES`) from its attractors."""
    code = np.full(n_eq.shape, -1, np.int8)
    code[(n_eq == 1) & (n_cy == 0)] = SINGLE_EQ
    code[(n_eq > 1) & (n_cy == 0)] = MULTI_EQ
    code[(n_eq == 0) & (n_cy == 1)] = CYCLE_ONLY
    code[(n_eq > 0) & (n_cy > 0)] = CYCLE_EQ
    code[(n_eq == 0) & (n_cy > 1)] = MULTI_CYCLE
    code[irregular] = IRREGULAR
    code[(n_fail == n_init)] = -2
    return code


def regime_variables(dims, shape, code, n_eq, n_cy, irregular, n_und, n_fail, period, amp,
                     time_units, rate_units, amplitude_name, amplitude_units):
    """The variables of a regime map (``regime``, the counts, ``frequency``, ``period``,
    ``amplitude``) as ``name -> (dims, array of shape, attrs)``, for models and networks."""
    def g(a):
        return np.asarray(a).reshape(shape)

    count = {"units": "1"}
    return {
        "regime": (dims, g(code), regime_attrs(REGIMES, "dynamical regime")),
        "n_attractors": (dims, g(n_eq + n_cy + irregular).astype(np.int16),
                         {"long_name": "number of distinct attractors found", **count}),
        "n_equilibria": (dims, g(n_eq).astype(np.int16),
                         {"long_name": "number of distinct stable equilibria found", **count}),
        "n_cycles": (dims, g(n_cy).astype(np.int16),
                     {"long_name": "number of distinct limit cycles found", **count}),
        "n_undecided": (dims, g(n_und).astype(np.int16),
                        {"long_name": "initial states whose trajectory was not classified",
                         **count}),
        "n_failed": (dims, g(n_fail).astype(np.int16),
                     {"long_name": "initial states whose integration failed", **count}),
        "frequency": (dims, g(1.0 / period),
                      {"long_name": "frequency of the largest cycle", "units": rate_units}),
        "period": (dims, g(period), {"long_name": "period of the largest cycle",
                                     "units": time_units}),
        "amplitude": (dims, g(amp), {"long_name": f"peak-to-peak amplitude of {amplitude_name}",
                                     "units": amplitude_units}),
    }
