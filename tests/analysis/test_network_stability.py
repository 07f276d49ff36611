"""Stability of delayed network equilibria: exact characteristic roots, Hopf points, simulation."""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import lambertw

import nmanalysis as nma
from nmanalysis.analysis.delay_stability import characteristic_matrix, delay_eigenvalues
from nmanalysis.errors import OptionsError
from nmanalysis.analysis.continuation.problem import ContinuationOptions
from nmanalysis.model.network import Network

from .network_models import WC_TWO

# a leaky node x' = (-x + I)/T; the coupling enters through I
LEAK = nma.Model("leak", states={"x": 0.3}, params={"I": 0.0, "T": 1.0},
                 equations={"x": "(-x + I)/T"})
BOX1 = {"x_0": (-1.0, 1.0)}
BOX2 = {"x_0": (-1.0, 1.0), "x_1": (-1.0, 1.0)}


def self_loop(g, tau):
    """x' = -x + g x(t - tau) as a one-node network (equilibrium x = 0), g the gain K."""
    return Network(LEAK, [[1.0]], delays=[[tau]], coupling="additive", source="x", target="I",
                   params={"K": g})


def lambert_roots(coefficients, tau, count):
    """Roots of lambda = -1 + c e^{-lambda tau} for every c: -1 + W_k(c tau e^tau) / tau."""
    k = np.arange(-40, 41)
    lam = np.concatenate([-1 + lambertw(c * tau * np.exp(tau), k) / tau for c in coefficients])
    lam = np.unique(np.round(lam, 13))
    return lam[np.lexsort((-lam.imag, -lam.real))][:count]


def roots_of(ds, **sel):
    row = ds.sel(**sel) if sel else ds
    return (row["eig_real"] + 1j * row["eig_imag"]).isel(fp=0).values


def nearest_error(got, ref):
    return max(np.min(np.abs(ref - z)) for z in got)


# -- exact characteristic roots ---------------------------------------------------------------

@pytest.mark.parametrize("g, tau", [(-2.0, 1.0), (0.5, 2.0), (-5.0, 0.3), (-0.3, 4.0)])
def test_fixed_points_report_lambert_w_roots(g, tau):
    fp = nma.fixed_points(self_loop(g, tau), bounds=BOX1, n_roots=8)
    assert fp.sizes["eig"] == 8 and abs(float(fp["x_0"].isel(fp=0))) < 1e-12
    got = roots_of(fp)
    ref = lambert_roots([g], tau, 8)
    assert nearest_error(got, ref) < 1e-10
    np.testing.assert_allclose(got.real, ref.real, atol=1e-10)
    assert bool(fp["roots_converged"].isel(fp=0))
    stable = bool(ref[0].real < 0)
    assert bool(fp["stable"].isel(fp=0)) == stable
    assert int(fp["n_unstable"].isel(fp=0)) == int(np.sum(ref.real > 0))
    assert fp.attrs["delays"] == "[[" + repr(float(tau)) + "]]"
    assert "characteristic root" in fp["eig_real"].attrs["long_name"]
    # the same through stability(), with null vectors of the characteristic matrix
    out = nma.stability(self_loop(g, tau), [0.0], n_roots=8)
    np.testing.assert_allclose(out["eigenvalues"], got, atol=1e-12)
    for z, v in zip(out["eigenvalues"], out["eigenvectors"].T):
        A0, taus, As = self_loop(g, tau).delay_linearization([0.0])
        assert np.max(np.abs(characteristic_matrix(z, A0, taus, As) @ v)) < 1e-10


def test_scalar_hopf_in_the_delay_by_sweep_and_by_continuation():
    # x' = -x - 2 x(t - tau) loses stability at tau* = 2 pi / (3 sqrt 3), omega = sqrt 3.
    # With T x' = -x - 2 x(t - 1) the delay in units of T is 1/T: the Hopf points are at
    # 1/T = (2 pi / 3 + 2 pi k) / sqrt 3 with omega = sqrt(3) / T.
    tau_star = 2 * np.pi / (3 * np.sqrt(3))
    net = self_loop(-2.0, 1.0)
    T = 1 / tau_star
    fp = nma.fixed_points(net, params={"T": [T * 1.01, T * 0.99]}, bounds=BOX1)
    assert fp["stable"].values[:, 0].tolist() == [True, False]
    assert fp["n_unstable"].values[:, 0].tolist() == [0, 2]
    assert fp["kind"].values[1, 0] == "saddle-focus"     # infinitely many stable roots

    tree = nma.continuation(net, "T", p_range=(0.15, 2.0), state_bounds=BOX1)
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["HB", "HB"]
    T_hb = 1 / ((2 * np.pi / 3 + 2 * np.pi * np.array([1, 0])) / np.sqrt(3))
    np.testing.assert_allclose(sp["T"].values, T_hb, rtol=1e-11)
    np.testing.assert_allclose(sp["angular_frequency"].values, np.sqrt(3) / T_hb, rtol=1e-11)
    assert np.all(sp["status"].values == "located") and np.all(np.isnan(sp["first_lyapunov"]))
    br = tree["equilibria/branch_0"]
    assert br["n_unstable"].values[0] == 4 and br["n_unstable"].values[-1] == 0
    assert br.sizes["eig"] == 6 and np.all(br["roots_converged"].values)


def test_hopf_in_the_gain_of_a_self_loop():
    # x' = -x + K x(t - 1): Hopf where i w = -1 + K e^{-i w}, i.e. tan w = -w, K = -w / sin w
    w = brentq(lambda w: np.tan(w) + w, np.pi / 2 + 1e-9, np.pi - 1e-9)
    tree = nma.continuation(self_loop(1.0, 1.0), "K", p_range=(-3.0, 0.5),
                            params={"K": -0.5}, state_bounds=BOX1)
    sp = nma.special_points(tree)
    hb = sp.isel(special=np.flatnonzero(sp["type"].values == "HB"))
    assert hb.sizes["special"] == 1
    assert abs(float(hb["K"][0]) + w / np.sin(w)) < 1e-11
    assert abs(float(hb["angular_frequency"][0]) - w) < 1e-11


def test_hopf_points_in_speed_of_an_excitatory_inhibitory_loop():
    # x0' = -x0 + r x1(t - tau), x1' = -x1 - r x0(t - tau), tau = d / speed:
    # (lambda + 1) = +-i r e^{-lambda tau}, roots -1 + W_k(+-i r tau e^tau)/tau; the
    # Hopf points are at tau_k = (atan(1/w) + k pi)/w with w = sqrt(r^2 - 1)
    r, d = 2.0, 1.0
    W = np.array([[0.0, 1.0], [-1.0, 0.0]])
    net = Network(LEAK, W, distances=d * (W != 0), speed=1.0, coupling="additive",
                  source="x", target="I", params={"K": r})
    fp = nma.fixed_points(net, params={"speed": [0.5, 2.0, 4.0]}, bounds=BOX2, n_roots=8)
    for s in (0.5, 2.0, 4.0):
        ref = lambert_roots([1j * r, -1j * r], d / s, 8)
        assert nearest_error(roots_of(fp, speed=s), ref) < 1e-10
    assert fp["stable"].values[:, 0].tolist() == [False, False, True]

    tree = nma.continuation(net, "speed", p_range=(0.2, 5.0), state_bounds=BOX2)
    sp = nma.special_points(tree)
    w = np.sqrt(r * r - 1)
    taus = (np.arctan(1 / w) + np.pi * np.arange(3)) / w
    assert sp["type"].values.tolist() == ["HB"] * 3
    np.testing.assert_allclose(np.sort(sp["speed"].values), np.sort(d / taus), rtol=1e-11)
    np.testing.assert_allclose(sp["angular_frequency"].values, w, rtol=1e-11)
    br = tree["equilibria/branch_0"]
    assert np.all(br["x_0"].values == 0.0)                 # a line of constant state
    # unstable below the last Hopf speed, stable above it
    s_last = d / taus[0]
    assert np.all(br["stable"].values == (br["speed"].values > s_last))


# -- zero delays: the ODE -------------------------------------------------------------------

WC2 = WC_TWO


def test_zero_delays_equal_the_same_system_written_as_one_model():
    W = np.array([[0.0, 1.0], [0.5, 0.0]])
    net = Network(nma.get_model("wilson_cowan"), W)
    sweep = {"K": [0.0, 0.8], "IE": [-0.3, 0.2]}
    a = nma.fixed_points(net, params=sweep)
    b = nma.fixed_points(WC2, params=sweep)
    assert a.attrs["stability"].startswith("Jacobian eigenvalues")
    # every equilibrium of the hand-written model is one of the network's, with the same
    # eigenvalues and kind (the network's search also starts nodes in equal states, so it
    # may find more)
    matched = 0
    for K in sweep["K"]:
        for IE in sweep["IE"]:
            ra, rb = a.sel(K=K, IE=IE), b.sel(K=K, IE=IE)
            Xa = np.stack([ra[s].values for s in net.state_names], axis=1)
            for f in np.flatnonzero(rb["converged"].values):
                xb = np.array([float(rb[s][f]) for s in WC2.state_names])
                k = int(np.nanargmin(np.abs(Xa - xb).max(axis=1)))
                assert np.abs(Xa[k] - xb).max() < 1e-10
                np.testing.assert_allclose(ra["eig_real"].values[k], rb["eig_real"].values[f],
                                           atol=1e-10)
                np.testing.assert_allclose(ra["eig_imag"].values[k], rb["eig_imag"].values[f],
                                           atol=1e-10)
                assert ra["kind"].values[k] == rb["kind"].values[f]
                matched += 1
    assert matched >= 4
    # tiny delays: the n rightmost characteristic roots tend to the ODE eigenvalues
    tiny = Network(nma.get_model("wilson_cowan"), W, delays=1e-6 * (W > 0))
    c = nma.fixed_points(tiny, params=sweep, n_roots=4)
    assert c.attrs["stability"].startswith("characteristic roots")
    assert c["n_fp"].values.tolist() == a["n_fp"].values.tolist()
    for name in net.state_names:
        np.testing.assert_allclose(c[name].values, a[name].values, atol=1e-12)
    lam_c = c["eig_real"].values + 1j * c["eig_imag"].values
    lam_a = a["eig_real"].values + 1j * a["eig_imag"].values
    ok = a["converged"].values
    assert np.max(np.abs(lam_c - lam_a)[ok]) < 1e-4
    assert (c["n_unstable"].values == a["n_unstable"].values).all()


def test_continuation_without_delays_is_the_models_and_delays_keep_folds():
    W = np.array([[0.0, 1.0], [0.5, 0.0]])
    net = Network(nma.get_model("wilson_cowan"), W, params={"K": 0.8})
    # the synchronous branch only (its crossing branch: test_network_continuation.py)
    opts = ContinuationOptions(p_range=(-1, 1), robust_switch=False)
    a = nma.special_points(nma.continuation(net, "IE", options=opts))
    b = nma.special_points(nma.continuation(WC2, "IE", options=opts, params={"K": 0.8}))
    assert a["type"].values.tolist() == b["type"].values.tolist() == ["LP", "BP", "BP", "LP"]
    lp = a["type"].values == "LP"           # folds to Newton's tolerance, branch points less
    np.testing.assert_allclose(a["IE"].values[lp], b["IE"].values[lp], rtol=1e-10)
    np.testing.assert_allclose(a["IE"].values, b["IE"].values, rtol=1e-7)
    # with delays the folds and branch points (zero roots) stay; stability comes from the
    # characteristic roots (here no Hopf point: the delays are short)
    slow = Network(nma.get_model("wilson_cowan"), W, delays=0.5 * (W > 0), params={"K": 0.8})
    tree = nma.continuation(slow, "IE", options=opts)
    c = nma.special_points(tree)
    assert c["type"].values.tolist() == ["LP", "BP", "BP", "LP"]
    np.testing.assert_allclose(c["IE"].values[lp], a["IE"].values[lp], rtol=1e-10)
    np.testing.assert_allclose(c["IE"].values, a["IE"].values, rtol=1e-7)
    assert tree.attrs["stability"].startswith("characteristic roots")


# -- a Wilson-Cowan pair: Hopf in K and in speed, checked by simulation ------------------------

WC_OSC = nma.get_model("wilson_cowan").with_params(
    wEE=16.0, wIE=12.0, wEI=15.0, wII=3.0, aE=1.3, thE=4.0, aI=2.0, thI=3.7, IE=3.0)
PAIR = np.array([[0.0, 1.0], [1.0, 0.0]])


def wc_pair(speed=2.0):
    """Two E-I nodes, each a stable focus, E of one driving I of the other (delay 10/speed)."""
    return Network(WC_OSC, PAIR, distances=10.0 * PAIR, speed=speed, coupling="diffusive",
                   target="II")


def perturbation_rate(net, params, xe, t_end=500.0):
    """Exponential rate of a small perturbation of the equilibrium, from a delayed simulation."""
    eps = 1e-6
    ds = nma.simulate(net, t=(0, t_end), dt=0.05, method="rk4", params=params,
                      y0={"rE": [xe[0] + eps, xe[0] - 0.5 * eps], "rI": [xe[1], xe[1]]},
                      history=[xe[0], xe[0]], sampling=0.5)
    dev = np.abs(ds["rE"].values.reshape(ds.sizes["time"], -1) - xe[0]).max(axis=1)
    t = ds["time"].values
    first = dev[(t >= 100) & (t < 150)].max()
    last = dev[t >= t_end - 50].max()
    return np.log(last / first) / (t_end - 125.0)


def test_wilson_cowan_hopf_in_gain_matches_simulation():
    net = wc_pair()
    tree = nma.continuation(net, "K", p_range=(1.0, 2.0))
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["HB"]
    K_hb = float(sp["K"][0])
    xe = [float(sp["rE_0"][0]), float(sp["rI_0"][0])]
    # at the Hopf point the characteristic equation has the root i omega
    A0, taus, As = net.delay_linearization(np.tile(xe, 2), {"K": K_hb})
    lam = 1j * float(sp["angular_frequency"][0])
    assert np.linalg.svd(characteristic_matrix(lam, A0, taus, As), compute_uv=False)[-1] < 1e-10
    # branch stability from the roots: stable before, two unstable roots after
    br = tree["equilibria/branch_0"]
    assert np.all(br["n_unstable"].values == np.where(br["K"].values < K_hb, 0, 2))
    # a perturbation decays below and grows above, at the rate of the rightmost root
    for K in (K_hb - 0.1, K_hb + 0.1):
        fp = nma.fixed_points(net, params={"K": K})
        re = float(fp["eig_real"].isel(fp=0, eig=0))
        rate = perturbation_rate(net, {"K": K}, xe)
        assert np.sign(rate) == np.sign(re) == (1 if K > K_hb else -1)
        assert abs(rate - re) < 0.2 * abs(re)


def test_wilson_cowan_stability_switches_in_speed():
    net = wc_pair()
    tree = nma.continuation(net, "speed", p_range=(1.5, 8.0), params={"K": 1.5})
    sp = nma.special_points(tree)
    assert np.all(sp["type"].values == "HB") and np.all(sp["status"].values == "located")
    s = sp["speed"].values
    omega = sp["angular_frequency"].values
    # one delay, two symmetric modes: crossings of one frequency recur every pi / omega in
    # the delay 10 / speed
    for w in np.unique(np.round(omega, 8)):
        tau = np.sort(10.0 / s[np.abs(omega - w) < 1e-8])
        assert tau.size >= 2
        np.testing.assert_allclose(np.diff(tau), np.pi / w, rtol=1e-9)
    # simulate on either side of the fastest Hopf point: unstable below, stable above
    top = int(np.argmax(s))
    xe = [float(sp["rE_0"][top]), float(sp["rI_0"][top])]
    below = perturbation_rate(net, {"K": 1.5, "speed": s[top] * 0.9}, xe)
    above = perturbation_rate(net, {"K": 1.5, "speed": min(8.0, s[top] * 1.1)}, xe)
    assert below > 0 > above
    fp = nma.fixed_points(net, params={"K": 1.5, "speed": [s[top] * 0.9, s[top] * 1.1]})
    assert fp["stable"].values[:, 0].tolist() == [False, True]


def test_sweep_over_gain_and_speed_agrees_with_direct_roots():
    net = wc_pair()
    fp = nma.fixed_points(net, params={"K": [0.5, 1.5], "speed": [1.0, 4.0]}, n_roots=4)
    assert fp["eig_real"].dims == ("K", "speed", "fp", "eig") and fp.sizes["eig"] == 4
    assert fp.attrs["n_roots"] == 4 and fp.attrs["delays_from"] == "distances / speed"
    assert fp.attrs["distances"] == "[[0.0, 10.0], [10.0, 0.0]]"
    assert fp.attrs["delay_range_at_network_speed"] == "[5.0, 5.0]"
    for K in (0.5, 1.5):
        for s in (1.0, 4.0):
            row = fp.sel(K=K, speed=s).isel(fp=0)
            x = np.array([float(row[n]) for n in net.state_names])
            spec = delay_eigenvalues(*net.delay_linearization(x, {"K": K, "speed": s}),
                                     count=4)
            np.testing.assert_allclose(row["eig_real"].values, spec.roots.real, atol=1e-10)
            assert bool(row["stable"]) == (spec.roots[0].real < 0)
    # the continuation branch carries the same roots at the same parameters
    tree = nma.continuation(net, "speed", p_range=(1.0, 4.0), params={"K": 1.5}, n_roots=4)
    br = tree["equilibria/branch_0"]
    for s in (1.0, 4.0):
        k = int(np.argmin(np.abs(br["speed"].values - s)))
        np.testing.assert_allclose(br["eig_real"].values[k],
                                   fp["eig_real"].sel(K=1.5, speed=s).isel(fp=0), atol=1e-10)


# -- bad input --------------------------------------------------------------------------------

def test_bad_input_names_the_argument():
    net = self_loop(-2.0, 1.0)
    with pytest.raises(OptionsError, match="n_roots"):
        nma.fixed_points(LEAK, n_roots=4)
    with pytest.raises(OptionsError, match="n_roots"):
        nma.fixed_points(net, bounds=BOX1, n_roots=0)
    with pytest.raises(OptionsError, match="periodic orbits of a network with delays"):
        nma.continuation(net, "K", p_range=(-1, 1), cycles=True)
    W = np.array([[0.0, 1.0], [-1.0, 0.0]])
    loop = Network(LEAK, W, distances=W != 0, speed=1.0, coupling="additive", source="x",
                   target="I")
    with pytest.raises(OptionsError, match="must be positive"):
        nma.continuation(loop, "speed", p_range=(0.0, 2.0))
    with pytest.raises(OptionsError, match="free parameter"):
        nma.continuation(net, "speed", p_range=(0.5, 2.0))


def test_repeated_roots_of_a_symmetric_network_are_counted_twice():
    # two uncoupled copies of x' = -x + g x(t - tau) (self-loops only): every root is double
    g, tau = 1.5, 1.0
    net = Network(LEAK, np.eye(2), delays=tau * np.eye(2), coupling="additive", source="x",
                  target="I", params={"K": g})
    fp = nma.fixed_points(net, bounds=BOX2, n_roots=6)
    ref = lambert_roots([g], tau, 3)
    np.testing.assert_allclose(roots_of(fp), np.repeat(ref, 2), atol=1e-10)
    assert int(fp["n_unstable"].isel(fp=0)) == 2 and ref[0].real > 0 > ref[1].real


def test_hopf_on_a_moving_equilibrium_solves_the_equilibrium_and_the_root():
    # additive coupling: the equilibrium moves with K; at the located Hopf point both the
    # equilibrium equations and the characteristic equation at i omega hold
    net = Network(WC_OSC, PAIR, distances=10.0 * PAIR, speed=2.0, coupling="additive",
                  target="II")
    tree = nma.continuation(net, "K", p_range=(0.5, 2.0))
    sp = nma.special_points(tree)
    hb = sp.isel(special=np.flatnonzero(sp["type"].values == "HB"))
    assert hb.sizes["special"] >= 1 and np.all(hb["status"].values == "located")
    br = tree["equilibria/branch_0"]
    assert np.ptp(br["rE_0"].values) > 1e-3                    # the equilibrium moves
    flat = net.to_model()
    system = nma.compile.compile_model(flat)
    for k in range(hb.sizes["special"]):
        K = float(hb["K"][k])
        x = np.array([float(hb[s][k]) for s in net.state_names])
        p = system.parameter_vector({"K": K}, None, {**flat.params, **flat.inputs})
        assert np.max(np.abs(system.f(x, p))) < 1e-12
        D = characteristic_matrix(1j * float(hb["angular_frequency"][k]),
                                  *net.delay_linearization(x, {"K": K}))
        assert np.linalg.svd(D, compute_uv=False)[-1] < 1e-10
        # and the branch changes stability there
        i = int(np.searchsorted(br["K"].values, K))
        assert br["n_unstable"].values[i - 1] != br["n_unstable"].values[i]


def test_large_network_takes_the_sparse_way_in_fixed_points():
    # 27 regions of the connectome, 351 distinct delays: n^2 (1 + m) is about a million
    # dense entries, so fixed_points counts and computes the roots the sparse way
    from nmanalysis.analysis.delay_spectrum_sparse import count_roots_right
    from nmanalysis.analysis.network_stability import network_delay_system

    conn = nma.load_connectome()
    idx = np.arange(0, 80, 3)
    net = Network(nma.get_model("wilson_cowan"), conn.weights[np.ix_(idx, idx)],
                  distances=conn.lengths[np.ix_(idx, idx)], speed=2.0, coupling="diffusive",
                  source="rE", target="IE", params={"K": 60.0})
    box = {s: (-0.01, 0.01) for s in net.state_names}
    fp = nma.fixed_points(net, bounds=box, n_roots=4)
    assert "argument principle" in fp.attrs["stability"]
    assert int(fp["n_fp"]) == 1 and bool(fp["roots_converged"].isel(fp=0))
    x = np.array([float(fp[s].isel(fp=0)) for s in net.state_names])
    assert np.max(np.abs(x)) < 1e-12                     # rest
    system = network_delay_system(net, x, {"K": 60.0})
    lam = roots_of(fp)
    for z in lam:
        assert np.linalg.svd(system.matrix(z), compute_uv=False)[-1] < 1e-9
    assert int(fp["n_unstable"].isel(fp=0)) == count_roots_right(system, 0.0)[0] == 0
    line = float(fp["roots_complete_right_of"].isel(fp=0))
    assert line < lam[0].real and count_roots_right(system, line)[0] == np.sum(lam.real > line)
