"""Accuracy of cycle continuation near the long-period ends of branches, default settings.

The truth is direct integration with scipy's DOP853 at rtol = atol = 1e-12: a stable
orbit is reached forwards in time, an unstable orbit of a planar system backwards (it
attracts in reversed time), each started from the continued orbit, and the period is
the mean time between successive upward crossings of a level (located by root finding
on the dense output). Weakly repelling orbits are polished instead by Newton shooting
on DOP853 integrations (:func:`nmanalysis.polish_cycle`, rtol 1e-12).
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

import nmanalysis as nma
from nmanalysis.compile import compile_model

_RTOL = 1e-6          # required relative period error with the default settings


def _integrated_period(model, params, x0, T0, *, backwards=False, periods=(3, 2)):
    """Period of the cycle reached from x0 (forwards, or backwards in time); T0 a guess."""
    system = compile_model(model)
    pv = system.parameter_vector(params, {}, {**model.params, **model.inputs})
    n, sign = model.n_states, -1.0 if backwards else 1.0

    def f(t, x):
        out = np.empty(n)
        system.rhs(0.0, np.ascontiguousarray(x), pv, out)
        return sign * out

    settle = solve_ivp(f, (0, periods[0] * T0), np.asarray(x0, float), method="DOP853",
                       rtol=1e-12, atol=1e-12)
    run = solve_ivp(f, (0, (periods[1] + 1.2) * T0), settle.y[:, -1], method="DOP853",
                    rtol=1e-12, atol=1e-12, dense_output=True)
    y = run.y[0]
    level = 0.5 * (y.max() + y.min())
    grid = np.linspace(0, run.t[-1], 40000)
    g = run.sol(grid)[0] - level
    up = np.where((g[:-1] < 0) & (g[1:] >= 0))[0]
    times = [brentq(lambda t: run.sol(t)[0] - level, grid[i], grid[i + 1], xtol=1e-14)
             for i in up]
    d = np.diff(times)
    assert d.size >= 2 and np.ptp(d) <= 1e-9 * d.mean(), d      # settled on the cycle
    return float(d.mean())


def _hopf(model, param, p_range, k):
    sp = nma.special_points(nma.continuation(model, param, p_range=p_range))
    return sp.isel(special=int(np.where(sp["type"].values == "HB")[0][k]))


def _uz(tree, param, value, longest=True):
    sp = nma.special_points(tree)
    uz = sp.where((sp["type"] == "UZ") & (abs(sp[param] - value) <= 1e-12 * max(1, abs(value))),
                  drop=True)
    assert uz.sizes["special"] >= 1, f"no orbit at {param} = {value}"
    k = int(np.argmax(uz["period"].values)) if longest else int(np.argmin(uz["period"].values))
    return uz.isel(special=k)


def _start(model, row):
    return [float(row[s]) for s in model.state_names]


def _bt_model():
    """Bogdanov-Takens normal form: the cycles end in a homoclinic orbit to a saddle."""
    return nma.Model(name="bt_normal_form",
                     states={"x": {"value": 0.0, "bounds": (-1, 1)},
                             "y": {"value": 0.0, "bounds": (-1, 1)}},
                     params={"m1": -0.005, "m2": -0.1},
                     equations={"x": "y", "y": "m1 + m2*x + x^2 + x*y"})


@pytest.fixture(scope="module")
def jansen_rit_snic():
    m = nma.get_model("jansen_rit")
    hb = _hopf(m, "p", (-100, 400), 0)
    values = [113.6, 113.59]
    return m, nma.cycle_continuation(m, "p", hb, p_range=(-100, 400), values=values), values


def test_jansen_rit_periods_near_the_snic_end(jansen_rit_snic):
    """The family born at HB(-12.15) ends in a SNIC at p = 113.586: orbits with 37 and 71
    times the onset period (0.138) against direct integration (the orbits are stable)."""
    m, tree, values = jansen_rit_snic
    T_onset = float(tree["periodic/branch_0"]["period"][0])
    for p in values:
        row = _uz(tree, "p", p)
        T = float(row["period"])
        assert T > 30 * T_onset
        truth = _integrated_period(m, {"p": p}, _start(m, row), T)
        assert abs(T - truth) <= _RTOL * truth, (p, T, truth)


def test_error_estimates_are_reported(jansen_rit_snic):
    """Estimates on most branch points (skipped for a few points where far below the
    tolerance), all below the default tolerance's trigger, never fewer than ntst."""
    _, tree, _ = jansen_rit_snic
    b = tree["periodic/branch_0"].to_dataset()
    est = b["period_error"].values
    assert np.isfinite(est).mean() > 0.3
    assert np.nanmax(est) < 1e-7
    assert (b["ntst"].values >= 50).all()
    assert b["mesh_error"].attrs["long_name"] and b["period_error"].attrs["long_name"]


def test_homoclinic_end_needs_and_gets_more_intervals():
    """Bogdanov-Takens normal form, an orbit three times the onset period close to the
    homoclinic orbit: the fixed default mesh (ntst = 50) misses the period by more than
    1e-6, the error control meets it. The cycles are unstable: Newton shooting."""
    m = _bt_model()
    hb = _hopf(m, "m1", (-0.01, 0.01), 0)
    value = -0.00237144
    trees = {tol: nma.cycle_continuation(m, "m1", hb, p_range=(-0.01, 0.01), values=[value],
                                         max_period=200.0, mesh_tol=tol)
             for tol in (None, np.inf)}
    row = _uz(trees[None], "m1", value)
    T = float(row["period"])
    T_onset = float(trees[None]["periodic/branch_0"]["period"][0])
    assert T > 2.5 * T_onset
    shot = nma.polish_cycle(m, _start(m, row), T, params={"m1": value}, n_segments=16)
    assert shot["converged"] and not shot["stable"]
    truth = float(shot["period"])
    assert abs(T - truth) <= _RTOL * truth, (T, truth)
    fixed = float(_uz(trees[np.inf], "m1", value)["period"])
    assert abs(fixed - truth) > _RTOL * truth, (fixed, truth)
    b = trees[None]["periodic/branch_0"]
    assert int(b["ntst"].max()) > 50 and (trees[np.inf]["periodic/branch_0"]["ntst"] == 50).all()


@pytest.mark.parametrize("I,longest,backwards", [(0.3242, True, False),   # stable, canard
                                                 (0.3245, False, True)])  # unstable canard
def test_fitzhugh_nagumo_canard_periods(I, longest, backwards):
    """Both orbits at I just beyond the fold of cycles at the canard explosion (0.3241785):
    the stable relaxation orbit with a canard segment (2.5 times the onset period) and the
    unstable canard cycle (forwards / backwards integration)."""
    m = nma.get_model("fitzhugh_nagumo")
    hb = _hopf(m, "I", (0, 2), 0)
    tree = nma.cycle_continuation(m, "I", hb, p_range=(0, 2), values=[I])
    row = _uz(tree, "I", I, longest=longest)
    T = float(row["period"])
    truth = _integrated_period(m, {"I": I}, _start(m, row), T, backwards=backwards)
    assert abs(T - truth) <= _RTOL * truth, (T, truth)


# -- user values crossed twice in one step ---------------------------------------------------
def _fold_model():
    """A subcritical Hopf point at mu = 0 whose cycles (r^2 = 1 -+ sqrt(1 + mu)) turn at a
    fold of cycles at mu = -1; period 2 pi / (1 + r^2 / 2) in closed form."""
    return nma.Model(name="cycle_fold",
                     states={"x": {"value": 0.0, "bounds": (-2, 2)},
                             "y": {"value": 0.0, "bounds": (-2, 2)}},
                     params={"mu": -0.5},
                     equations={"x": "x*(mu + 2*(x^2 + y^2) - (x^2 + y^2)^2)"
                                     " - y*(1 + (x^2 + y^2)/2)",
                                "y": "y*(mu + 2*(x^2 + y^2) - (x^2 + y^2)^2)"
                                     " + x*(1 + (x^2 + y^2)/2)"})


def test_user_value_crossed_twice_inside_one_step():
    m = _fold_model()
    hb = _hopf(m, "mu", (-2, 1), 0)
    values = [-0.9999, -0.99999]
    tree = nma.cycle_continuation(m, "mu", hb, p_range=(-2, 1), values=values)
    sp = nma.special_points(tree)
    # the values lie so close to the fold that no regular branch point falls between the
    # smaller one and the fold: consecutive points never change the sign of mu - v there
    special = np.concatenate([values, sp["mu"].values[sp["type"].values == "LPC"]])
    mu = tree["periodic/branch_0"]["mu"].values
    regular = mu[np.min(np.abs(mu[:, None] - special[None, :]), axis=1) > 1e-9]
    assert (regular > min(values)).all()
    for v in values:
        uz = sp.where((sp["type"] == "UZ") & (abs(sp["mu"] - v) <= 1e-10), drop=True)
        assert uz.sizes["special"] == 2, (v, uz["period"].values)
        # one orbit on each side of the fold: r^2 from x, y at the orbit's start
        r2 = uz["x"].values ** 2 + uz["y"].values ** 2
        assert r2.min() < 1 < r2.max()
        np.testing.assert_allclose(r2, 1 + np.sign(r2 - 1) * np.sqrt(1 + uz["mu"].values),
                                   rtol=1e-8)
        np.testing.assert_allclose(uz["period"].values, 2 * np.pi / (1 + r2 / 2), rtol=1e-9)
    lpc = sp["mu"].values[sp["type"].values == "LPC"]
    assert lpc.size == 1 and abs(lpc[0] + 1) < 1e-9


def test_user_value_beside_the_jansen_rit_fold_of_cycles():
    """p = 137.379 lies 3e-4 below the fold of cycles at 137.3792672 (AUTO): both orbits
    there are found; the stable one against direct integration, the unstable one against
    Newton shooting (DOP853)."""
    m = nma.get_model("jansen_rit")
    hb = _hopf(m, "p", (-100, 400), 0)
    v = 137.379
    tree = nma.cycle_continuation(m, "p", hb, p_range=(-100, 400), values=[v], max_points=40)
    sp = nma.special_points(tree)
    uz = sp.where((sp["type"] == "UZ") & (abs(sp["p"] - v) <= 1e-12 * v), drop=True)
    assert uz.sizes["special"] == 2
    T = np.sort(uz["period"].values)
    assert T[0] < 0.21197318228 < T[1]                # AUTO's period at the fold
    long_ = _uz(tree, "p", v, longest=True)
    truth = _integrated_period(m, {"p": v}, _start(m, long_), T[1])
    assert abs(T[1] - truth) <= _RTOL * truth
    short = _uz(tree, "p", v, longest=False)
    shot = nma.polish_cycle(m, _start(m, short), T[0], params={"p": v})
    assert shot["converged"] and not shot["stable"]
    assert abs(float(shot["period"]) - T[0]) <= _RTOL * T[0]
