"""largest_lyapunov: chaos (Lorenz), equilibria (eigenvalues), limit cycles (0), batching."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.lyapunov import largest_lyapunov
from nmanalysis.compile import compile_model

LORENZ = nma.Model(name="test_lorenz", states={"x": 1.0, "y": 1.0, "z": 1.0},
                   params={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0},
                   equations={"x": "sigma*(y - x)", "y": "x*(rho - z) - y",
                              "z": "x*y - beta*z"})
#: largest exponent of the Lorenz system at the classical parameters
#: (Sprott, "Chaos and Time-Series Analysis", 2003, table A.1: 0.9056)
LORENZ_LAMBDA = 0.9056

BLOWUP = nma.Model(name="test_blowup", states={"x": 1.0}, params={"k": 1.0},
                   equations={"x": "k*x^2"})


def test_lorenz_matches_published_value():
    # 8 trajectories of 480 time units each: the finite-time estimate of a single
    # run fluctuates by ~0.01-0.02 over this length (lyapunov_spread measures the
    # same thing), so the ensemble mean is good to well within 0.03
    ds = largest_lyapunov(LORENZ, y0={"x": np.linspace(-5.0, 5.0, 8)}, t=(0, 500),
                          transient=20, dt=0.01)
    assert ds["lyapunov"].dims == ("x_0",)
    assert (ds["status"] == 0).all()
    lam = ds["lyapunov"].values
    assert abs(lam.mean() - LORENZ_LAMBDA) < 0.03
    assert np.all(np.abs(lam - LORENZ_LAMBDA) < 0.08)
    assert np.all(ds["lyapunov_spread"].values < 0.1)
    # the step size hardly matters
    fine = largest_lyapunov(LORENZ, y0={"x": np.linspace(-5.0, 5.0, 8)}, t=(0, 500),
                            transient=20, dt=0.005)
    assert abs(float(fine["lyapunov"].mean()) - LORENZ_LAMBDA) < 0.03


def test_stable_equilibrium_gives_largest_real_eigenvalue(fhn):
    # FitzHugh-Nagumo below its first Hopf point (I = 0.331) and above the second (1.419)
    I = np.array([0.0, 0.2, 1.6])
    T_window, transient = 1000.0, 200.0
    ds = largest_lyapunov(fhn, params={"I": I}, t=(0, transient + T_window),
                          transient=transient, dt=0.05)
    fp = nma.fixed_points(fhn, params={"I": I})
    system = compile_model(fhn)
    for k, Ik in enumerate(I):
        assert int(fp["n_fp"][k]) == 1
        y = [float(fp[s].isel(I=k, fp=0)) for s in fhn.state_names]
        J = system.jacobian(y, system.parameter_vector({"I": Ik}, defaults=fhn.params))
        lam, V = np.linalg.eig(J)
        expected = lam.real.max()
        # once at the equilibrium, |v(t)| = |V e^{Lambda t} V^-1 v0|: the log growth
        # rate differs from max Re(lambda) by at most log(cond(V)) / window (+ the
        # tail of the approach to the equilibrium after the transient, negligible)
        tol = 2.0 * np.log(np.linalg.cond(V)) / T_window + 1e-4
        assert abs(float(ds["lyapunov"][k]) - expected) < tol, (Ik, expected, tol)
        assert expected < -0.05  # the test would be meaningless at 0


@pytest.mark.parametrize("name, params", [("van_der_pol", {"mu": np.array([0.5, 2.0])}),
                                          ("stuart_landau", {"mu": np.array([0.5, 1.0])})])
def test_limit_cycle_gives_zero(name, params):
    ds = largest_lyapunov(nma.get_model(name), params=params, t=(0, 1000), transient=100,
                          dt=0.01)
    assert (ds["status"] == 0).all()
    # the tangent aligns with the flow, whose norm is bounded: error O(1 / window)
    assert np.all(np.abs(ds["lyapunov"].values) < 5e-3)


def test_independent_of_thread_split(monkeypatch):
    y0 = {"x": np.linspace(-5.0, 5.0, 160)}
    runs = []
    for threads in ("1", "2"):
        monkeypatch.setenv("NMANALYSIS_NUM_THREADS", threads)
        runs.append(largest_lyapunov(LORENZ, y0=y0, t=(0, 10), dt=0.01, progress=False))
    np.testing.assert_array_equal(runs[0]["lyapunov"].values, runs[1]["lyapunov"].values)
    # and a row gives the same result inside a batch as alone (same seed -> same tangent)
    alone = largest_lyapunov(LORENZ, y0={"x": y0["x"][:1]}, t=(0, 10), dt=0.01)
    assert float(alone["lyapunov"][0]) == float(runs[0]["lyapunov"][0])


def test_failures_are_flagged_not_raised():
    # x' = x^2 blows up at t = 1/x0 for x0 > 0 and decays for x0 < 0
    ds = largest_lyapunov(BLOWUP, y0={"x": np.array([-1.0, 1.0])}, t=(0, 5), dt=0.001)
    assert ds["status"].values.tolist() == [0, 1]
    assert np.isfinite(ds["lyapunov"].values[0]) and np.isnan(ds["lyapunov"].values[1])
    # x(t) = -1 / (1 + t): J = 2x, so the log growth over [0, 5] is -2 log(6) / 5
    assert abs(float(ds["lyapunov"][0]) + 2.0 * np.log(6.0) / 5.0) < 1e-6
    boxed = largest_lyapunov(BLOWUP, y0={"x": np.array([-1.0, 1.0])}, t=(0, 5), dt=0.001,
                             bounds={"x": (-10.0, 10.0)})
    assert boxed["status"].values.tolist() == [0, 2]
    assert boxed.attrs["n_failed"] == 1


def test_layout_and_bad_input(fhn):
    ds = largest_lyapunov(fhn, params={"I": [0.0, 0.5], "a": 0.7},
                          y0={"v": [-1.0, 0.0, 1.0]}, t=(0, 10), dt=0.1)
    assert ds["lyapunov"].dims == ("I", "v_0")
    assert ds["lyapunov"].attrs["long_name"] and "status" in ds
    assert ds.attrs["analysis"] == "largest_lyapunov"
    with pytest.raises(nma.OptionsError, match="whole multiple of dt"):
        largest_lyapunov(fhn, t=(0, 10), dt=0.3)
    with pytest.raises(nma.OptionsError, match="transient"):
        largest_lyapunov(fhn, t=(0, 10), transient=10)
    with pytest.raises(nma.OptionsError, match="unknown name 'v'.*y0"):
        largest_lyapunov(fhn, params={"v": 1.0}, t=(0, 10), dt=0.1)
    mpr = nma.get_model("montbrio_pazo_roxin")
    with pytest.raises(nma.OptionsError, match="autonomous"):
        largest_lyapunov(mpr, inputs={"u": {"kind": "step", "amplitude": 1.0, "start": 5.0}},
                         t=(0, 10), dt=0.1)


# -- lyapunov_spectrum: all exponents by QR ----------------------------------------------------
ROSSLER = nma.Model(name="test_rossler", states={"x": 1.0, "y": 1.0, "z": 1.0},
                    params={"a": 0.2, "b": 0.2, "c": 5.7},
                    equations={"x": "-y - z", "y": "x + a*y", "z": "b + z*(x - c)"})


@pytest.mark.parametrize("model, expected, t_end, dt", [
    # Sprott, "Chaos and Time-Series Analysis" (2003), table A.1
    (LORENZ, (0.9056, 0.0, -14.5723), 1000.0, 0.005),
    (ROSSLER, (0.0714, 0.0, -5.3943), 10000.0, 0.02),
])
def test_spectrum_of_lorenz_and_rossler(model, expected, t_end, dt):
    ds = nma.lyapunov_spectrum(model, y0={"x": np.linspace(-2.0, 2.0, 4)}, t=(0, t_end),
                               transient=100.0, dt=dt)
    assert ds["lyapunov"].dims == ("x_0", "exponent")
    assert (ds["status"] == 0).all()
    mean = ds["lyapunov"].mean("x_0").values
    np.testing.assert_allclose(mean, expected, atol=0.01)


def test_spectrum_sum_is_the_mean_trace():
    # the Lorenz Jacobian has the constant trace -(sigma + 1 + beta): volumes contract
    # at exactly that rate, whatever the trajectory
    ds = nma.lyapunov_spectrum(LORENZ, t=(0, 50), transient=10.0, dt=0.005)
    assert abs(float(ds["lyapunov_sum"]) + (10.0 + 1.0 + 8.0 / 3.0)) < 1e-4
    # Kaplan-Yorke dimension of the Lorenz attractor, 2.06 (Sprott 2003)
    long = nma.lyapunov_spectrum(LORENZ, t=(0, 1000), transient=100.0, dt=0.005)
    assert abs(float(long["kaplan_yorke_dimension"]) - 2.06) < 0.01


def test_spectrum_at_a_stable_node_is_the_eigenvalues():
    # linear x' = -x + y, y' = -3 y: eigenvalues -1 and -3 (a node, distinct rates)
    lin = nma.Model(name="test_linear_node", states={"x": 1.0, "y": 1.0}, params={"k": 1.0},
                    equations={"x": "-k*x + y", "y": "-3*y"})
    ds = nma.lyapunov_spectrum(lin, params={"k": [1.0, 2.0]}, t=(0, 200), transient=20.0,
                               dt=0.01)
    np.testing.assert_allclose(ds["lyapunov"].values, [[-1.0, -3.0], [-2.0, -3.0]],
                               atol=0.01)


def test_spectrum_with_one_exponent_is_largest_lyapunov():
    y0 = {"x": np.linspace(-5.0, 5.0, 3)}
    a = nma.lyapunov_spectrum(LORENZ, n_exponents=1, y0=y0, t=(0, 50), dt=0.01)
    b = largest_lyapunov(LORENZ, y0=y0, t=(0, 50), dt=0.01)
    np.testing.assert_array_equal(a["lyapunov"].isel(exponent=0).values, b["lyapunov"].values)


@pytest.mark.parametrize("k", [0, 4, 1.5, True])
def test_spectrum_refuses_bad_counts(k):
    with pytest.raises(nma.OptionsError, match="`n_exponents` must be a whole number from 1 to 3"):
        nma.lyapunov_spectrum(LORENZ, n_exponents=k, t=(0, 1), dt=0.01)


def test_spectrum_flags_a_diverging_row():
    ds = nma.lyapunov_spectrum(BLOWUP, y0={"x": [-1.0, 2.0]}, t=(0, 1), dt=1e-3)
    assert ds["status"].values.tolist() == [0, 1]
    assert np.isnan(ds["lyapunov"].values[1]).all() and np.isfinite(ds["lyapunov"].values[0]).all()
