"""response_metrics against closed-form step responses (synthetic and simulated)."""

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

import nmanalysis as nma
from nmanalysis.analysis.responses import response_metrics
from nmanalysis.errors import OptionsError

T0 = 5.0


def first_order(t, A, tau, t0=T0):
    return np.where(t >= t0, A * (1 - np.exp(-(t - t0) / tau)), 0.0)


def second_order(t, A, zeta, omega, t0=T0):
    s = np.clip(t - t0, 0, None)
    wd = omega * np.sqrt(1 - zeta ** 2)
    x = 1 - np.exp(-zeta * omega * s) * (np.cos(wd * s) + zeta / np.sqrt(1 - zeta ** 2)
                                         * np.sin(wd * s))
    return A * x


def test_first_order_closed_form_with_sweep_dims():
    t = np.linspace(0, 80, 16001)
    taus, amps = np.array([1.0, 2.0, 3.0]), np.array([0.5, -2.0])
    y = first_order(t[:, None, None], amps[None, None, :], taus[None, :, None])
    ds = xr.Dataset({"x": (("time", "tau", "A"), y, {"units": "mV", "long_name": "x"})},
                    coords={"time": t, "tau": taus, "A": amps})
    for h in (0.1, 0.5):
        m = response_metrics(ds, "x", input_onset=T0, threshold=h, relative_to="final")
        assert m["latency"].dims == ("tau", "A")
        want = taus[:, None] * np.log(1 / (1 - h)) * np.ones(2)
        np.testing.assert_allclose(m["latency"], want, rtol=1e-4)
    for tol in (0.02, 0.05):
        m = response_metrics(ds, "x", input_onset=T0, settle_tol=tol)
        np.testing.assert_allclose(m["settling_time"], taus[:, None] * np.log(1 / tol)
                                   * np.ones(2), rtol=1e-4)
    np.testing.assert_allclose(m["steady_state"], np.broadcast_to(amps, (3, 2)), rtol=1e-6)
    np.testing.assert_allclose(m["change"], np.broadcast_to(amps, (3, 2)), rtol=1e-6)
    np.testing.assert_array_equal(m["overshoot"], 0.0)
    np.testing.assert_allclose(m["baseline"], 0.0)
    # monotone: the peak is at the end of the record, the steady value
    np.testing.assert_allclose(m["peak"], np.broadcast_to(amps, (3, 2)), rtol=1e-6)
    # default relative_to="peak": the excursion of a first-order response is its final change
    m = response_metrics(ds, "x", input_onset=T0)
    np.testing.assert_allclose(m["latency"], taus[:, None] * np.log(1 / 0.9) * np.ones(2),
                               rtol=1e-4)
    for key in ("latency", "peak", "time_to_peak", "overshoot", "settling_time",
                "steady_state", "baseline", "change", "responded"):
        assert {"long_name", "units", "definition"} <= set(m[key].attrs), key
    assert m["latency"].attrs["units"] == "" and m["peak"].attrs["units"] == "mV"
    assert m["overshoot"].attrs["units"] == "%"
    assert m.attrs["analysis"] == "response_metrics"


@pytest.mark.parametrize("zeta", [0.1, 0.3, 0.6])
def test_underdamped_second_order(zeta):
    omega, A = 2.0, 1.5
    t = np.linspace(0, 5 + 60 / (zeta * omega), 40001)
    ds = xr.Dataset({"x": ("time", second_order(t, A, zeta, omega))}, coords={"time": t})
    m = response_metrics(ds, "x", input_onset=T0, relative_to="final")
    os_ = np.exp(-zeta * np.pi / np.sqrt(1 - zeta ** 2))
    tp = np.pi / (omega * np.sqrt(1 - zeta ** 2))
    assert float(m["overshoot"]) == pytest.approx(100 * os_, rel=1e-5)
    assert float(m["time_to_peak"]) == pytest.approx(tp, rel=1e-5)
    assert float(m["peak"]) == pytest.approx(A * (1 + os_), rel=1e-7)
    assert float(m["steady_state"]) == pytest.approx(A, rel=1e-8)
    lat = brentq(lambda s: second_order(T0 + s, A, zeta, omega) - 0.1 * A, 1e-9, tp)
    assert float(m["latency"]) == pytest.approx(lat, rel=1e-4)
    # settling: last exit from the 2 % band, found by brute force on a fine grid
    tf = np.linspace(T0, t[-1], 2_000_001)
    out = np.abs(second_order(tf, A, zeta, omega) - A) > 0.02 * A
    assert float(m["settling_time"]) == pytest.approx(tf[np.nonzero(out)[0][-1]] - T0,
                                                      abs=2 * (tf[1] - tf[0]) + 1e-3)


def test_pulse_without_steady_change_and_bad_trajectories():
    t = np.linspace(0, 50, 5001)
    pulse = first_order(t, 1.0, 2.0, 10) - first_order(t, 1.0, 2.0, 11)  # pulse 10-11, tau 2
    nan = pulse.copy()
    nan[300] = np.nan
    flat = np.zeros_like(t)
    y = np.stack([pulse, nan, flat, -pulse], axis=1)
    ds = xr.Dataset({"x": (("time", "k"), y)}, coords={"time": t, "k": np.arange(4)})
    m = response_metrics(ds, "x", input_onset=10.0)
    assert m["responded"].values.tolist() == [True, False, False, True]
    assert np.isnan(m["overshoot"][0])          # no steady change
    peak = 1 - np.exp(-0.5)
    assert float(m["peak"][0]) == pytest.approx(peak, rel=1e-4)
    assert float(m["peak"][3]) == pytest.approx(-peak, rel=1e-4)
    assert float(m["time_to_peak"][0]) == pytest.approx(1.0, abs=0.011)
    assert float(m["latency"][0]) == pytest.approx(-2 * np.log(1 - 0.1 * peak), rel=1e-3)
    # back within 2 % of the excursion: peak e^{-(t-11)/2} = 0.02 peak
    assert float(m["settling_time"][0]) == pytest.approx(1 + 2 * np.log(50), rel=1e-3)
    assert np.all(np.isnan(m["latency"][1:3]))
    assert float(m["steady_state"][2]) == 0.0
    # not settled: a sustained oscillation
    osc = xr.Dataset({"x": ("time", np.where(t > 10, np.sin(t - 10), 0.0) + (t > 10))},
                     coords={"time": t})
    assert np.isnan(float(response_metrics(osc, "x", input_onset=10)["settling_time"]))


def test_options_are_checked():
    t = np.linspace(0, 1, 11)
    ds = xr.Dataset({"x": ("time", t)}, coords={"time": t})
    with pytest.raises(OptionsError, match="variable"):
        response_metrics(ds, "y", input_onset=0.5)
    with pytest.raises(OptionsError, match="relative_to"):
        response_metrics(ds, "x", input_onset=0.5, relative_to="max")
    with pytest.raises(OptionsError, match="after the last"):
        response_metrics(ds, "x", input_onset=2.0)
    with pytest.raises(OptionsError, match="full time record"):
        response_metrics(ds.isel(time=-1), "x", input_onset=0.5)


@pytest.fixture(scope="module")
def linear_models():
    first = nma.Model(
        "lin1", states={"x": {"value": 0.0, "units": "1"}},
        params={"tau": {"value": 2.0, "units": "ms"}, "k": {"value": 1.0}},
        inputs={"u": {"value": 0.0}}, equations={"x": "(-x + k*u)/tau"}, time_units="ms")
    second = nma.Model(
        "lin2", states={"x": {"value": 0.0}, "w": {"value": 0.0}},
        params={"zeta": {"value": 0.3}, "omega": {"value": 2.0}},
        inputs={"u": {"value": 0.0}},
        equations={"x": "w", "w": "omega^2*(u - x) - 2*zeta*omega*w"}, time_units="ms")
    return first, second


def test_simulated_linear_step_responses(linear_models):
    first, second = linear_models
    step = nma.Step(amplitude=np.array([1.0, 3.0]), start=T0)
    taus = np.array([1.0, 2.0])
    ds = nma.simulate(first, t=(0, 60), dt=0.001, method="rk4", sampling=0.01,
                      params={"tau": taus}, inputs={"u": step})
    m = response_metrics(ds, "x", input_onset=step)
    assert set(m.dims) == {"tau", "u_amplitude"}
    lat = m["latency"].transpose("tau", ...).values
    np.testing.assert_allclose(lat, taus[:, None] * np.log(1 / 0.9) * np.ones(2), rtol=1e-3)
    np.testing.assert_allclose(m["settling_time"].transpose("tau", ...).values,
                               taus[:, None] * np.log(50) * np.ones(2), rtol=1e-3)
    np.testing.assert_allclose(m["overshoot"], 0.0, atol=1e-9)
    assert m.attrs["model"] == "lin1" and m.attrs["source_analysis"] == "simulate"

    zetas = np.array([0.2, 0.5])
    ds = nma.simulate(second, t=(0, 80), dt=0.001, method="rk4", sampling=0.01,
                      params={"zeta": zetas}, inputs={"u": nma.Step(1.0, start=T0)})
    m = response_metrics(ds, "x", input_onset=T0)
    os_ = 100 * np.exp(-zetas * np.pi / np.sqrt(1 - zetas ** 2))
    tp = np.pi / (2.0 * np.sqrt(1 - zetas ** 2))
    np.testing.assert_allclose(m["overshoot"], os_, rtol=1e-4)
    np.testing.assert_allclose(m["time_to_peak"], tp, rtol=1e-4)
    np.testing.assert_allclose(m["steady_state"], 1.0, rtol=1e-6)
