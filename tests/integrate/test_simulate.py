"""simulate(): batches, failures as data, inputs, noise statistics, records, netCDF."""

import json

import numpy as np
import pytest
import xarray as xr

import nmanalysis as nma

from .models import BLOWUP, RELAX, ROTATION, rotation_exact


def test_outer_product_sweep_dims_and_coords(wc):
    ds = nma.simulate(wc, t=(0, 5), dt=0.01, params={"IE": [0.0, 1.0, 2.0], "wEE": [10.0, 12.0]},
                      y0={"rE": [0.1, 0.5]}, record="final")
    assert ds["rE"].dims == ("IE", "wEE", "rE_0")
    assert ds["rE"].shape == (3, 2, 2)
    np.testing.assert_array_equal(ds["IE"].values, [0.0, 1.0, 2.0])
    # each row equals the same run done alone
    one = nma.simulate(wc.with_params(IE=1.0, wEE=10.0), t=(0, 5), dt=0.01, y0={"rE": 0.5},
                       record="final")
    assert float(ds["rE"].sel(IE=1.0, wEE=10.0, rE_0=0.5)) == float(one["rE"])


def test_zipped_sweep_with_dataarrays(wc):
    ie = xr.DataArray([0.0, 1.0, 2.0], dims="case")
    wee = xr.DataArray([10.0, 11.0, 12.0], dims="case")
    ds = nma.simulate(wc, t=(0, 1), dt=0.01, params={"IE": ie, "wEE": wee}, record="final")
    assert ds["rE"].dims == ("case",)


def test_diverging_row_is_flagged_and_others_are_untouched():
    x0 = np.array([-1.0, 0.5, 2.0, 0.25])
    ds = nma.simulate(BLOWUP, t=(0, 1), dt=1e-3, y0={"x": x0}, record="full", sampling=0.1)
    status = ds["status"].values
    assert status.tolist() == [0, 0, 1, 0]
    assert 0.45 < float(ds["t_stop"][2]) <= 0.55          # blow-up at t = 1/x0 = 0.5
    assert np.isnan(ds["x"].isel(x_0=2, time=-1))
    alone = nma.simulate(BLOWUP, t=(0, 1), dt=1e-3, y0={"x": x0[[0, 1, 3]]}, record="full",
                         sampling=0.1)
    np.testing.assert_array_equal(ds["x"].values[:, [0, 1, 3]], alone["x"].values)
    exact = x0[[0, 1, 3]] / (1 - x0[[0, 1, 3]] * 1.0)
    np.testing.assert_allclose(alone["x"].values[-1], exact, rtol=1e-10)
    assert ds.attrs["n_failed"] == 1


def test_bounds_stop_a_trajectory():
    ds = nma.simulate(BLOWUP, t=(0, 1), dt=1e-3, y0={"x": [0.5, 1.5]}, bounds={"x": (-10, 10)},
                      record="final")
    assert ds["status"].values.tolist() == [0, 2]
    assert "left_bounds" in ds["status"].attrs["flag_meanings"]


def test_adaptive_flags_divergence_per_row():
    ds = nma.simulate(BLOWUP, t=(0, 1), method="dopri5", y0={"x": [0.5, 2.0]}, record="final",
                      max_steps=20_000)
    assert ds["status"].values[0] == 0
    assert ds["status"].values[1] != 0
    assert abs(float(ds["x"][0]) - 1.0) < 1e-6


def test_reductions_and_transient():
    ds = nma.simulate(ROTATION, t=(0, 10), dt=1e-3, record=["minmax", "mean"], transient=2.0)
    assert abs(float(ds["x_max"]) - 1) < 1e-6 and abs(float(ds["x_min"]) + 1) < 1e-6
    # z -> t - 1 + 1.5 e^{-t}; its mean over [2, 10] is known in closed form
    t = np.linspace(2, 10, 8001)
    _, _, z = rotation_exact(t)
    assert abs(float(ds["z_mean"]) - z.mean()) < 1e-8


def test_full_record_sampling_grid():
    ds = nma.simulate(ROTATION, t=(0, 1), dt=0.01, sampling=0.1, transient=0.3)
    np.testing.assert_allclose(ds.time.values, np.arange(0.3, 1.0001, 0.1))
    with pytest.raises(nma.OptionsError, match="whole multiple"):
        nma.simulate(ROTATION, t=(0, 1), dt=0.01, sampling=0.015)


def test_step_input_and_observables():
    # x' = -x + u, u a step of height A at t=1: x = A (1 - e^{-(t-1)}) after the step
    amps = np.array([0.5, 1.0, 2.0])
    ds = nma.simulate(RELAX, t=(0, 4), dt=1e-3, method="rk4", sampling=0.5,
                      inputs={"u": nma.Step(amplitude=amps, start=1.0)})
    assert ds["x"].dims == ("time", "u_amplitude")
    t = ds.time.values
    exact = np.where(t[:, None] >= 1, amps * (1 - np.exp(-(t[:, None] - 1))), 0.0)
    np.testing.assert_allclose(ds["x"].values, exact, atol=1e-9)
    np.testing.assert_allclose(ds["twice"].values, 2 * ds["x"].values)


def test_pulse_ramp_and_sampled_inputs_agree_with_their_knots():
    from nmanalysis.integrate.inputs import Pulse, Ramp, Sampled, evaluate
    sig_p = Pulse(amplitude=1.0, start=1.0, stop=2.0)
    T, V = sig_p.knots({})
    assert evaluate(T, V, [0.5, 1.0, 1.5, 2.0, 2.5]).tolist() == [0, 1, 1, 0, 0]
    T, V = Ramp(start=0, stop=2, start_value=0, stop_value=4).knots({})
    assert evaluate(T, V, [-1, 1, 3]).tolist() == [0, 2, 4]
    T, V = Sampled(times=[0, 1, 2], values=[0, 10, 20], interpolation="hold").knots({})
    assert evaluate(T, V, [0.5, 1.0, 1.99, 5]).tolist() == [0, 10, 10, 20]
    # driven by a ramp u = t/2 on [0, 2], x' = -x + u has x = (t - 1 + e^{-t})/2 there
    ds = nma.simulate(RELAX, t=(0, 2), dt=1e-3, sampling=0.5,
                      inputs={"u": {"kind": "ramp", "start": 0, "stop": 2, "start_value": 0,
                                    "stop_value": 1}})
    t = ds.time.values
    np.testing.assert_allclose(ds["x"].values, (t - 1 + np.exp(-t)) / 2, atol=1e-10)


def test_euler_maruyama_ou_stationary_statistics():
    """x' = (mu - x)/theta + white noise: the Euler-Maruyama AR(1) has known moments."""
    theta, mu, sigma, dt = 1.0, 0.3, 0.5, 0.01
    n = 20_000
    ds = nma.simulate(RELAX, t=(0, 12), dt=dt, method="euler", noise={"x": sigma},
                      params={"theta": theta, "mu": mu}, y0={"x": np.zeros(n)}, seed=7,
                      record="final")
    x = ds["x"].values
    a = 1 - dt / theta
    var_em = sigma ** 2 * dt / (1 - a * a)           # exact variance of the discrete scheme
    assert abs(x.mean() - mu) < 4 * np.sqrt(var_em / n)
    assert abs(x.var() / var_em - 1) < 4 * np.sqrt(2 / n)
    # the continuous-time value is within the O(dt) bias
    assert abs(var_em / (sigma ** 2 * theta / 2) - 1) < 0.01


def test_ou_forcing_statistics():
    """x' = -x + eta, eta an OU process (tau, sigma): Var x = s^2 tau/(1 + tau)."""
    tau, sigma, n = 0.5, 0.8, 20_000
    ds = nma.simulate(RELAX, t=(0, 15), dt=1e-3, method="heun",
                      noise={"x": {"sigma": sigma, "tau": tau}}, y0={"x": np.zeros(n)}, seed=3,
                      record="final")
    x = ds["x"].values
    s2 = sigma ** 2 * tau / 2
    var = s2 * tau / (1 + tau)
    assert abs(x.mean()) < 4 * np.sqrt(var / n)
    assert abs(x.var() / var - 1) < 4 * np.sqrt(2 / n) + 0.01


def test_noise_is_reproducible_and_independent_of_batch_layout():
    kw = dict(t=(0, 1), dt=0.01, method="euler", noise={"x": 0.3}, seed=11, record="final")
    a = nma.simulate(RELAX, y0={"x": np.zeros(600)}, **kw)
    b = nma.simulate(RELAX, y0={"x": np.zeros(600)}, **kw)
    np.testing.assert_array_equal(a["x"].values, b["x"].values)
    c = nma.simulate(RELAX, y0={"x": np.zeros(5)}, **kw)
    np.testing.assert_array_equal(a["x"].values[:5], c["x"].values)
    assert np.std(a["x"].values) > 0.1


def test_float32_close_to_float64(wc):
    kw = dict(t=(0, 20), dt=0.01, params={"IE": np.linspace(0, 2, 5)}, record="final")
    a = nma.simulate(wc, **kw)
    b = nma.simulate(wc, dtype="float32", **kw)
    assert b["rE"].dtype == np.float32
    np.testing.assert_allclose(b["rE"].values, a["rE"].values, atol=1e-5)


def test_netcdf_round_trip(tmp_path, wc):
    ds = nma.simulate(wc, t=(0, 2), dt=0.01, params={"IE": [0.0, 1.0]}, sampling=0.5,
                      record=["full"])
    path = tmp_path / "run.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as back:
        back.load()
    xr.testing.assert_identical(ds, back)
    for name in ("rE", "status"):
        assert back[name].attrs.keys() == ds[name].attrs.keys()
        for key, value in ds[name].attrs.items():
            assert np.array_equal(back[name].attrs[key], value)
    assert back["status"].dtype == ds["status"].dtype
    red = nma.simulate(wc, t=(0, 2), dt=0.01, params={"IE": [0.0, 1.0]}, record="minmax")
    red.to_netcdf(tmp_path / "red.nc")
    with xr.open_dataset(tmp_path / "red.nc") as back:
        xr.testing.assert_identical(red, back.load())


def test_provenance_attrs(wc):
    ds = nma.simulate(wc, t=(0, 1), dt=0.01, params={"IE": [0.0, 1.0]}, record="final")
    for key in ("model", "model_hash", "fixed_params", "method", "nmanalysis_version", "dt"):
        assert key in ds.attrs
    assert ds.attrs["method"] == "rk4"
    fixed = json.loads(ds.attrs["fixed_params"])
    assert "IE" not in fixed and fixed["wEE"] == 12.0
    for name in ("rE", "rI", "status"):
        assert "long_name" in ds[name].attrs


@pytest.mark.parametrize("kwargs, match", [
    (dict(method="dopri"), "`method` must be one of"),
    (dict(params={"J": 1.0}), "unknown name 'J'"),
    (dict(params={"rE": 1.0}), "is in `y0`: pass it there"),
    (dict(t=(1, 0)), "t_start < t_end"),
    (dict(dt=-1.0), "`dt` must be a positive"),
    (dict(record="everything"), "`record` must be one of"),
    (dict(noise={"rE": 0.1}, method="rk4"), "noise needs `method`"),
    (dict(noise={"zz": 0.1}, method="euler"), "unknown state 'zz'"),
    (dict(params={"IE": [[1, 2], [3, 4]]}), "1-D array"),
    (dict(params={"IE": [np.nan]}), "non-finite"),
    (dict(y0=[1.0]), "sequence of 2 numbers"),
    (dict(transient=50.0), "`transient`"),
    (dict(dtype="float16"), "`dtype`"),
])
def test_bad_arguments_name_the_culprit(wc, kwargs, match):
    args = dict(t=(0, 10), dt=0.01)
    args.update(kwargs)
    with pytest.raises(nma.OptionsError, match=match):
        nma.simulate(wc, **args)


@pytest.mark.parametrize("record", ["full", "minmax", "final", ["mean", "final"]])
def test_results_follow_the_conventions(wc, record):
    from nmanalysis.results.validate import validate_dataset
    ds = nma.simulate(wc, t=(0, 1), dt=0.01, params={"IE": [0.0, 1.0]}, record=record)
    assert validate_dataset(ds) == []


@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_transient_time_axis(method):
    kw = dict(dt=0.01) if method == "rk4" else dict(rtol=1e-10, atol=1e-12)
    ds = nma.simulate(ROTATION, t=(0, 2), method=method, sampling=0.1, transient=0.5, **kw)
    np.testing.assert_allclose(ds.time.values, np.arange(0.5, 2.0001, 0.1), atol=1e-12)
    x, y, z = rotation_exact(ds.time.values)
    assert np.all(np.isfinite(ds["x"].values))
    np.testing.assert_allclose(ds["x"].values, x, atol=1e-7)
