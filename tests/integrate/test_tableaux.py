"""Every tableau: consistency identities and the declared order of accuracy."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import nmanalysis as nma
from nmanalysis.integrate.tableaux import TABLEAUX

from .models import ROTATION, rotation_exact

ALL = sorted(TABLEAUX)


@pytest.mark.parametrize("name", ALL)
def test_tableau_identities(name):
    tab = TABLEAUX[name]
    assert np.isclose(tab.b.sum(), 1.0, atol=1e-15)
    np.testing.assert_allclose(tab.A.sum(axis=1), tab.c, atol=1e-15)
    if tab.order >= 2:
        assert np.isclose(tab.b @ tab.c, 0.5, atol=1e-15)
    if tab.order >= 3:
        assert np.isclose(tab.b @ tab.c ** 2, 1 / 3, atol=1e-15)
        assert np.isclose(tab.b @ tab.A @ tab.c, 1 / 6, atol=1e-15)
    if tab.order >= 4:
        assert np.isclose(tab.b @ tab.c ** 3, 1 / 4, atol=1e-15)
        assert np.isclose(tab.b @ (tab.c * (tab.A @ tab.c)), 1 / 8, atol=1e-15)
        assert np.isclose(tab.b @ tab.A @ tab.c ** 2, 1 / 12, atol=1e-15)
        assert np.isclose(tab.b @ tab.A @ tab.A @ tab.c, 1 / 24, atol=1e-15)
    if tab.adaptive:
        assert abs(tab.b_error.sum()) < 1e-15  # both solutions consistent
        if tab.fsal:
            np.testing.assert_allclose(tab.A[-1], tab.b, atol=1e-15)
    if tab.dense is not None:
        # at theta = 1 the dense output reproduces the step
        np.testing.assert_allclose(tab.dense.sum(axis=1), tab.b, atol=1e-14)


def _final_error(method, dt):
    ds = nma.simulate(ROTATION, t=(0, 2), dt=dt, method=method, record="final")
    ex = rotation_exact(2.0)
    return max(abs(float(ds[s]) - e) for s, e in zip("xyz", ex))


ORDERS = {"euler": 1, "heun": 2, "rk4": 4, "exp_euler": 1}


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_empirical_order_matches_declared(method):
    dts = np.array([0.02, 0.01, 0.005])
    errs = np.array([_final_error(method, dt) for dt in dts])
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - ORDERS[method]) < 0.15, (errs, slope)


@pytest.mark.parametrize("method", ["bs3", "dopri5"])
def test_adaptive_error_scales_with_tolerance(method):
    errs = []
    for rtol in (1e-6, 1e-8, 1e-10):
        ds = nma.simulate(ROTATION, t=(0, 2), method=method, rtol=rtol, atol=rtol * 1e-2,
                          record="final")
        ex = rotation_exact(2.0)
        errs.append(max(abs(float(ds[s]) - e) for s, e in zip("xyz", ex)))
    errs = np.array(errs)
    assert np.all(np.diff(np.log10(errs)) < -1.0), errs  # >= 10x better per 100x tolerance
    assert errs[-1] < 1e-8


def _reference(fun, y0, t_eval, t_end):
    sol = solve_ivp(fun, (0, t_end), y0, method="DOP853", rtol=1e-12, atol=1e-14,
                    t_eval=t_eval)
    return sol.y


def test_dopri5_against_scipy_dop853_fitzhugh_nagumo(fhn):
    ds = nma.simulate(fhn, t=(0, 200), method="dopri5", rtol=1e-10, atol=1e-12, sampling=0.5)
    p = fhn.params

    def f(t, y):
        v, w = y
        return [v - v ** 3 / 3 - w + p["I"], (v + p["a"] - p["b"] * w) / p["tau"]]

    ref = _reference(f, [-1.0, 1.0], ds.time.values, 200)
    # dense output included: every sample agrees to ~1e-8 over 4 oscillation periods
    assert np.max(np.abs(ds.v.values - ref[0])) < 2e-8
    assert np.max(np.abs(ds.w.values - ref[1])) < 2e-8


def test_dopri5_against_scipy_dop853_wilson_cowan(wc):
    m = wc.with_params(IE=0.2)
    ds = nma.simulate(m, t=(0, 50), method="dopri5", rtol=1e-11, atol=1e-13, sampling=0.25)
    p = m.params

    def F(x, a, th):
        return 1 / (1 + np.exp(-a * (x - th))) - 1 / (1 + np.exp(a * th))

    def f(t, y):
        rE, rI = y
        dE = (-rE + (1 - p["r"] * rE) * F(p["wEE"] * rE - p["wIE"] * rI + p["IE"], p["aE"],
                                          p["thE"])) / p["tauE"]
        dI = (-rI + (1 - p["r"] * rI) * F(p["wEI"] * rE - p["wII"] * rI + p["II"], p["aI"],
                                          p["thI"])) / p["tauI"]
        return [dE, dI]

    ref = _reference(f, [0.1, 0.05], ds.time.values, 50)
    assert np.max(np.abs(ds.rE.values - ref[0])) < 1e-9
    assert np.max(np.abs(ds.rI.values - ref[1])) < 1e-9
