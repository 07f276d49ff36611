"""find_cycles / polish_cycle / cycle_start against closed forms, scipy and AUTO references."""

import json
from pathlib import Path

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.cycles import cycle_start, find_cycles, polish_cycle
from nmanalysis.errors import OptionsError
from nmanalysis.results.validate import validate_dataset

REF = Path(__file__).resolve().parents[1] / "reference" / "data"


def _ref(name):
    return json.loads((REF / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def sl():
    return nma.get_model("stuart_landau")


@pytest.fixture(scope="module")
def vdp():
    return nma.get_model("van_der_pol")


def test_stuart_landau_closed_form(sl):
    # dz/dt = (mu + i omega) z - (1 + i b)|z|^2 z: radius sqrt(mu), angular
    # frequency omega - b mu for mu > 0; stable focus at 0 for mu < 0
    mu = np.array([-0.5, -0.1, 0.3, 1.2])
    b = 0.4
    ds = find_cycles(sl, params={"mu": mu, "b": b}, t=(0, 200), n_phase=64)
    assert ds["regime"].values.tolist() == [0, 0, 1, 1]
    assert not validate_dataset(ds)
    cyc = ds.sel(mu=mu[mu > 0])
    period = 2 * np.pi / (1.0 - b * cyc["mu"])
    np.testing.assert_allclose(cyc["period"], period, rtol=1e-8)
    r = np.sqrt(cyc["mu"])
    np.testing.assert_allclose(cyc["x_max"], r, rtol=1e-7)
    np.testing.assert_allclose(cyc["y_min"], -r, rtol=1e-7)
    np.testing.assert_allclose(cyc["x_mean"], 0.0, atol=1e-7)
    radius = np.hypot(cyc["x_orbit"], cyc["y_orbit"])
    np.testing.assert_allclose(radius, r.values[:, None] * np.ones(64), rtol=1e-7)
    # the profile covers one period evenly: the angle advances by 2 pi / 64 per point
    angle = np.unwrap(np.arctan2(cyc["y_orbit"], cyc["x_orbit"]), axis=-1)
    np.testing.assert_allclose(np.diff(angle, axis=-1), 2 * np.pi / 64, rtol=1e-7)
    eq = ds.sel(mu=mu[mu < 0])
    assert np.all(np.isnan(eq["period"])) and np.all(np.isnan(eq["x_orbit"]))
    np.testing.assert_allclose(eq["x_max"], 0.0, atol=1e-9)
    np.testing.assert_allclose(ds["phase"], np.arange(64) / 64)


def _vdp_period_scipy(mu):
    """Period of the van der Pol cycle from DOP853 + event location (independent of nma)."""
    from scipy.integrate import solve_ivp

    def f(t, z):
        return [z[1], mu * (1 - z[0] ** 2) * z[1] - z[0]]

    def up(t, z):
        return z[0]
    up.direction = 1
    sol = solve_ivp(f, (0, 300), [0.5, 0.0], method="DOP853", rtol=1e-12, atol=1e-12,
                    events=up)
    te = sol.t_events[0]
    te = te[te > 150]
    return (te[-1] - te[0]) / (te.size - 1)


def test_van_der_pol_period_against_scipy(vdp):
    mus = np.array([0.5, 2.0])
    ds = find_cycles(vdp, params={"mu": mus}, t=(0, 300), n_phase=0)
    assert ds["regime"].values.tolist() == [1, 1]
    ref = [_vdp_period_scipy(m) for m in mus]
    np.testing.assert_allclose(ds["period"], ref, rtol=1e-8)


def test_jansen_rit_slow_cycle_matches_reference():
    jr = nma.get_model("jansen_rit")
    branch = _ref("jansen_rit")["periodic_branches"]
    check = [c for b in branch for c in b["simulation_crosscheck"]
             if c["param"] == 120.0][0]
    ds = find_cycles(jr, params={"p": 120.0}, y0={"y0": 0.0}, t=(0, 20), n_phase=0)
    assert int(ds["regime"]) == 1
    assert abs(float(ds["period"]) / check["period_simulation"] - 1) < 1e-7
    assert abs(float(ds["y0_max"]) / check["max_u1_simulation"] - 1) < 1e-6
    assert abs(float(ds["y0_min"]) / check["min_u1_simulation"] - 1) < 1e-6


def test_jansen_rit_polish_floquet():
    jr = nma.get_model("jansen_rit")
    check = [c for b in _ref("jansen_rit")["periodic_branches"]
             for c in b["simulation_crosscheck"] if c["param"] == 120.0][0]
    ds = find_cycles(jr, params={"p": 120.0}, y0={"y0": 0.0}, t=(0, 12), n_phase=20,
                     polish=True)
    assert int(ds["polish_converged"]) == 1
    assert abs(float(ds["period"]) / check["period_simulation"] - 1) < 1e-9
    assert float(ds["trivial_multiplier_error"]) < 1e-8
    assert bool(ds["stable"]) == check["orbit_stable_AUTO"]
    mu = ds["floquet_real"].values + 1j * ds["floquet_imag"].values
    assert mu.shape == (6,) and np.all(np.diff(np.abs(mu)) <= 0)


def test_polish_unstable_van_der_pol(vdp):
    # the mu = -1 cycle is the mu = 1 cycle reflected (x, y) -> (x, -y) and run
    # backwards in time: same period, multiplier 1/mu_1, where by Liouville
    # mu_1 = exp(int_0^T mu (1 - x^2) dt) on the mu = 1 cycle
    ds = find_cycles(vdp, params={"mu": np.array([1.0])}, t=(0, 200), n_phase=400)
    start = cycle_start(ds, mu=1.0)
    x = start["orbit"][0]
    mult_1 = np.exp(start["period"] * np.mean(1.0 - x ** 2))
    guess = start["orbit"][:, 0] * np.array([1.0, -1.0])
    r = polish_cycle(vdp, guess, start["period"], params={"mu": -1.0}, n_phase=0)
    assert r["converged"] and not r["stable"]
    assert r["trivial_multiplier_error"] < 1e-8
    assert abs(r["period"] / start["period"] - 1) < 1e-8
    big = r["floquet"][0]
    assert abs(big.imag) < 1e-12 and abs(big.real * mult_1 - 1) < 1e-6


def test_fitzhugh_nagumo_between_hopf_points(fhn):
    hb = sorted(p["crosscheck"]["param"] for p in _ref("fhn")["special_points"]
                if p["type"] == "HB")
    inside = np.linspace(hb[0] + 0.05, hb[1] - 0.05, 3)
    outside = np.array([hb[0] - 0.2, hb[1] + 0.1, hb[1] + 0.4])
    values = np.concatenate([inside, outside])
    ds = find_cycles(fhn, params={"I": values}, t=(0, 1200), n_phase=0)
    assert ds["regime"].values.tolist() == [1, 1, 1, 0, 0, 0]
    # the equilibria are the stable roots of the cubic: check f = 0 there
    v, w = ds["v_mean"].values[3:], ds["w_mean"].values[3:]
    np.testing.assert_allclose(v - v ** 3 / 3 - w + values[3:], 0.0, atol=1e-9)


def test_too_little_time_is_undecided(fhn):
    ds = find_cycles(fhn, params={"I": np.array([0.1, 0.8])}, t=(0, 30), n_phase=0)
    assert ds["regime"].values.tolist() == [-1, -1]
    assert np.all(np.isnan(ds["period"]))


def test_batches_and_fixed_step_agree(sl):
    mu = np.array([-0.3, 0.5, 1.0])
    a = find_cycles(sl, params={"mu": mu}, y0={"x": np.array([0.1, 2.0])}, t=(0, 100),
                    n_phase=8)
    b = find_cycles(sl, params={"mu": mu}, y0={"x": np.array([0.1, 2.0])}, t=(0, 100),
                    n_phase=8, batch_size=1)
    assert a["regime"].dims == ("mu", "x_0")
    for name in ("regime", "period", "x_max", "x_orbit"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    c = find_cycles(sl, params={"mu": mu}, t=(0, 100), method="rk4", dt=0.005, n_phase=0)
    assert c["regime"].values.tolist() == [0, 1, 1]
    np.testing.assert_allclose(c["period"][1:], 2 * np.pi, rtol=1e-6)


def test_netcdf_round_trip(sl, tmp_path):
    ds = find_cycles(sl, params={"mu": np.array([-0.2, 0.5])}, t=(0, 100), n_phase=16)
    ds.to_netcdf(tmp_path / "c.nc")
    import xarray as xr
    back = xr.open_dataset(tmp_path / "c.nc")
    np.testing.assert_array_equal(back["regime"], ds["regime"])
    assert back["regime"].attrs["flag_meanings"] == ds["regime"].attrs["flag_meanings"]
    assert back.attrs["analysis"] == "find_cycles"


def test_errors(sl, fhn):
    with pytest.raises(OptionsError, match="method"):
        find_cycles(sl, method="dopri", t=(0, 10))
    with pytest.raises(OptionsError, match="transient"):
        find_cycles(sl, t=(0, 10), transient=20)
    with pytest.raises(OptionsError, match="params"):
        find_cycles(sl, params={"nope": 1.0}, t=(0, 10))
    mpr = nma.get_model("montbrio_pazo_roxin")
    with pytest.raises(OptionsError, match="autonomous"):
        find_cycles(mpr, inputs={"u": nma.Step(start=1.0, amplitude=1.0)}, t=(0, 10))
    ds = find_cycles(sl, params={"mu": np.array([-0.5, 0.5])}, t=(0, 60), n_phase=4)
    with pytest.raises(OptionsError, match="no cycle"):
        cycle_start(ds, mu=-0.5)
    with pytest.raises(OptionsError, match="one sweep point"):
        cycle_start(ds)
