"""regime_map of networks (with and without delays) against independent truth."""

import numpy as np
import pytest
from scipy.optimize import brentq

import nmanalysis as nma
from nmanalysis.analysis.regimes import REGIMES, regime_map
from nmanalysis.analysis.regimes.samples import classify_samples
from nmanalysis.errors import OptionsError
from nmanalysis.results.validate import validate_dataset

CODE = {v: k for k, v in REGIMES.items()}
EQ, MULTI_EQ = CODE["single_stable_equilibrium"], CODE["multiple_stable_equilibria"]
LC, LC_EQ = CODE["limit_cycle"], CODE["coexisting_cycle_and_equilibrium"]
IRREGULAR, UNDECIDED = CODE["irregular"], CODE["undecided"]


@pytest.fixture(scope="module")
def feedback():
    """Two nodes x' = -x - tanh(I), I = K/2 (x_0 + x_1)(t - tau): on the synchronous
    manifold the scalar delayed negative feedback x' = -x - tanh(K x(t - tau)); the
    transverse direction decays at rate 1."""
    node = nma.Model(name="tanh_feedback", states={"x": 0.1}, params={"I": 0.0},
                     equations={"x": "-x - tanh(I)"})
    tau = 2.0
    W = 0.5 * np.ones((2, 2))
    return nma.Network(node, W, delays=tau * np.ones((2, 2)), coupling="additive",
                       source="x", target="I"), tau


def test_network_without_delays_matches_its_flat_model(fhn):
    """Same grid, same initial states: the flat ODE (Newton, Jacobian, rhs) and the
    sampled network classification agree."""
    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    net = nma.Network(fhn, W, coupling="diffusive", source="v", target="I")
    grid = {"I": np.array([0.0, 0.6, 1.0, 1.8]), "K": np.array([0.05, 0.3])}
    starts = [(-1.0, 1.0, -1.0, 1.0), (1.5, -0.5, -1.2, 0.8), (0.2, 0.1, 2.0, -0.4)]
    y0_net = [{"v": [a, c], "w": [b, d]} for a, b, c, d in starts]
    y0_flat = {k: [s[i] for s in starts] for i, k in enumerate(("v_0", "w_0", "v_1", "w_1"))}
    opts = dict(t=(0, 1000), dt=0.05, method="rk4")
    got = regime_map(net, grid, y0=y0_net, **opts)
    want = regime_map(net.to_model(), grid, y0=y0_flat, **opts)
    assert not validate_dataset(got)
    assert got["regime"].dims == ("I", "K")
    np.testing.assert_array_equal(got["regime"], want["regime"])
    assert set(np.unique(got["regime"])) == {EQ, LC}
    for v in ("n_equilibria", "n_cycles", "n_undecided", "n_attractors"):
        np.testing.assert_array_equal(got[v], want[v])
    np.testing.assert_allclose(got["frequency"], want["frequency"], rtol=1e-6)
    # amplitude: largest peak-to-peak of v over the nodes; in-phase cycles here
    np.testing.assert_allclose(got["amplitude"], want["amplitude"], rtol=1e-5)
    assert got["regime"].attrs["flag_meanings"] == want["regime"].attrs["flag_meanings"]


def test_plot_draws_the_network_result(fhn):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    net = nma.Network(fhn, W, coupling="diffusive", source="v", target="I")
    ds = regime_map(net, {"I": np.array([0.0, 1.0]), "K": np.array([0.1, 0.2])},
                    t=(0, 600), dt=0.05, method="rk4", n_initial=1)
    artists = nma.plot.regime_map(ds)
    words = {t.get_text() for t in artists["legend"].get_texts()}
    assert len(words) == len(np.unique(ds["regime"]))
    plt.close("all")


def test_delay_induced_hopf_from_the_characteristic_equation(feedback):
    """x' = -x - tanh(K x(t - tau)): lambda = -1 - K exp(-lambda tau) has roots i omega
    when K cos(omega tau) = -1, K sin(omega tau) = omega, i.e. tan(omega tau) = -omega,
    K_c = sqrt(1 + omega^2); the Hopf bifurcation is supercritical (tanh saturates)."""
    net, tau = feedback
    w = brentq(lambda x: np.tan(x * tau) + x, np.pi / (2 * tau) + 1e-9, np.pi / tau - 1e-9)
    Kc = np.hypot(1.0, w)
    K = Kc * np.array([0.85, 0.95, 1.05, 1.15])
    ds = regime_map(net, {"K": K}, t=(0, 1500), dt=0.02, sampling=0.1, n_initial=3,
                    method="rk4")
    assert ds["regime"].values.tolist() == [EQ, EQ, LC, LC]
    assert ds["n_undecided"].values.tolist() == [0, 0, 0, 0]
    f = ds["frequency"].values
    np.testing.assert_allclose(f[2], w / (2 * np.pi), rtol=2e-3)
    assert abs(f[3] - w / (2 * np.pi)) > abs(f[2] - w / (2 * np.pi))
    # square-root law of the amplitude near a supercritical Hopf point
    amp = ds["amplitude"].values
    assert 2.0 < (amp[3] / amp[2]) ** 2 < 3.5
    assert np.all(amp[:2] == 0)


def test_damped_oscillation_is_not_called_a_cycle(feedback):
    """Just below the Hopf point the decay is slow; with a short run the trajectories
    oscillate with a constant period (linear decay) but have not settled: undecided."""
    net, tau = feedback
    w = brentq(lambda x: np.tan(x * tau) + x, np.pi / (2 * tau) + 1e-9, np.pi / tau - 1e-9)
    ds = regime_map(net, {"K": np.array([0.98, 1.02]) * np.hypot(1.0, w)}, t=(0, 200),
                    dt=0.02, sampling=0.1, n_initial=3, method="rk4")
    assert ds["regime"].values.tolist() == [UNDECIDED, UNDECIDED]
    assert ds["n_cycles"].values.tolist() == [0, 0]


def test_bistable_mpr_network_against_the_characteristic_roots():
    """Montbrio-Pazo-Roxin nodes below their lower fold, coupled additively from r into
    eta: quiet and active states coexist. Without delays both are stable equilibria;
    with 2 ms delays the active equilibrium is unstable (characteristic roots of
    fixed_points) and the active state oscillates."""
    mpr = nma.get_model("montbrio_pazo_roxin")
    N = 4
    W = (np.ones((N, N)) - np.eye(N)) / (N - 1)
    opts = dict(t=(0, 200), dt=0.005, n_initial=4, method="rk4")
    quick = nma.Network(mpr, W, coupling="additive", source="r", target="eta")
    slow = nma.Network(mpr, W, distances=2.0 * (W > 0), speed=1.0, coupling="additive",
                       source="r", target="eta")
    for net, want in ((quick, MULTI_EQ), (slow, LC_EQ)):
        sweep = {"K": np.array([4.0]), "eta": -6.0}
        if net is slow:
            sweep["speed"] = np.array([1.0])
        ds = regime_map(net, sweep, **opts)
        assert ds["regime"].values.ravel().tolist() == [want]
        assert int(ds["n_attractors"].values.ravel()[0]) >= 2
        fp = nma.fixed_points(net, params={"K": 4.0, "eta": -6.0})
        n_stable = int(np.sum(fp["stable"].values))
        assert int(ds["n_equilibria"].values.ravel()[0]) == n_stable
    assert "speed" in ds.dims and ds.attrs["fixed_params"].count('"eta": -6.0') == 1


def test_mackey_glass_cycle_and_chaos():
    """The Mackey-Glass equation as a one-node network with a delayed self-loop: a
    limit cycle at tau = 8, chaos at tau = 17 (a sustained aperiodic oscillation)."""
    node = nma.Model(name="mackey_glass", states={"x": 0.5},
                     params={"I": 0.0, "beta": 0.2, "gamma": 0.1, "n": 10.0},
                     equations={"x": "beta*I/(1 + I^n) - gamma*x"})
    codes = []
    for tau in (8.0, 17.0):
        net = nma.Network(node, [[1.0]], delays=[[tau]], coupling="additive", source="x",
                          target="I")
        ds = regime_map(net, {"K": np.array([1.0])}, y0={"x": [0.5, 1.2]}, t=(0, 6000),
                        transient=1000,
                        dt=0.05, sampling=0.25, method="rk4")
        codes.append(int(ds["regime"][0]))
    assert codes == [LC, IRREGULAR]


def test_classify_samples_closed_forms():
    t = np.arange(0, 80, 0.05)
    T = 2 * np.pi / 1.3
    X = np.stack([np.stack([np.sin(1.3 * t), np.cos(1.3 * t)], axis=1),       # cycle
                  np.stack([np.exp(-t), -np.exp(-t)], axis=1),                 # equilibrium
                  np.stack([np.exp(-0.02 * t) * np.sin(t)] * 2, axis=1)], axis=2)  # damped
    out = classify_samples(X, t, np.ones(2), tol=1e-4, eq_tol=1e-4)
    assert out["regime"].tolist() == [1, 0, -1]
    np.testing.assert_allclose(out["period"][0], T, rtol=1e-7)
    np.testing.assert_allclose(out["min"][0], [-1, -1], atol=1e-7)
    np.testing.assert_allclose(out["max"][0], [1, 1], atol=1e-7)


@pytest.mark.parametrize("kwargs, match", [
    (dict(rtol=1e-6), "rtol"),
    (dict(atol=1e-6), "atol"),
    (dict(lyapunov=True), "lyapunov"),
    (dict(chunks=2), "chunks"),
    (dict(method="dopri5"), "method"),
    (dict(params={"Kx": np.array([1.0])}), "unknown name 'Kx'"),
    (dict(params={"K": 1.0}), "sweep at least one"),
    (dict(amplitude_of="y"), "amplitude_of"),
    (dict(y0={"x": np.zeros((2, 3))}), "y0"),
    (dict(y0={"z": 1.0}), "unknown state 'z'"),
    (dict(n_initial=0), "n_initial"),
    (dict(dt=5.0, t=(0, 500)), "shorter than dt"),
])
def test_errors(feedback, kwargs, match):
    net, _ = feedback
    args = dict(params={"K": np.array([1.0])}, t=(0, 50), dt=0.1)
    args.update(kwargs)
    with pytest.raises(OptionsError, match=match):
        regime_map(net, args.pop("params"), **args)


def test_signal_inputs_are_refused():
    node = nma.get_model("montbrio_pazo_roxin")
    net = nma.Network(node, [[0, 1], [1, 0]], coupling="additive", source="r", target="eta")
    with pytest.raises(OptionsError, match="autonomous"):
        regime_map(net, {"K": np.array([1.0])}, t=(0, 20), dt=0.01,
                   inputs={"u": nma.Pulse(amplitude=1.0, start=1.0, stop=2.0)})


def test_coarse_sampling_is_reported_not_guessed(feedback):
    """Fewer than 16 samples per oscillation: undecided (never irregular), with a warning
    that names `sampling`."""
    net, tau = feedback
    with pytest.warns(RuntimeWarning, match="sampling"):
        ds = regime_map(net, {"K": np.array([3.0])}, t=(0, 600), dt=0.02, sampling=0.5,
                        n_initial=2, method="rk4", tol=1e-9)
    assert ds["regime"].values.tolist() == [UNDECIDED]
