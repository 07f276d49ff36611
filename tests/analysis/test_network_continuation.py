"""Continuation of network equilibria from the assembled F and J (no flat model compiled)."""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import lambertw

import nmanalysis as nma
from nmanalysis.analysis.continuation import ContinuationOptions
from nmanalysis.analysis.continuation import network as netcont
from nmanalysis.compile import compile_model
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network

from .network_models import WC_TWO

WC_OSC = nma.get_model("wilson_cowan").with_params(
    wEE=16.0, wIE=12.0, wEI=15.0, wII=3.0, aE=1.3, thE=4.0, aI=2.0, thI=3.7)
LEAK = nma.Model("leak", states={"x": 0.3}, params={"I": 0.0, "T": 1.0},
                 equations={"x": "(-x + I)/T"})


def seven_nodes():
    """Seven heterogeneous Wilson-Cowan nodes (14 states), additive coupling."""
    rng = np.random.default_rng(5)
    W = rng.random((7, 7)) * (rng.random((7, 7)) < 0.5)
    np.fill_diagonal(W, 0.0)
    return Network(WC_OSC, W, coupling="additive",
                   params={"IE": np.linspace(0.5, 2.0, 7), "K": 1.0})


def test_numeric_path_equals_the_compiled_flat_model():
    net = seven_nodes()
    flat = net.to_model()
    assert flat.n_states > netcont.MAX_FLAT_STATES
    tree = nma.continuation(net, "K", p_range=(-2.0, 3.0), params={"K": 0.0})
    a = nma.special_points(tree)
    # the same diagram from the flat model, compiled symbolically: an independent F, J,
    # and exact second and third derivatives for the normal forms
    b = nma.special_points(nma.continuation(flat, "K", p_range=(-2.0, 3.0),
                                            params={"K": 0.0}))
    types = a["type"].values.tolist()
    assert types == b["type"].values.tolist()
    assert types.count("LP") >= 4 and types.count("HB") >= 4
    np.testing.assert_allclose(a["K"].values, b["K"].values, rtol=0, atol=1e-9)
    for s in flat.state_names:
        np.testing.assert_allclose(a[s].values, b[s].values, rtol=0, atol=1e-9)
    hb = a["type"].values == "HB"
    np.testing.assert_allclose(a["angular_frequency"].values[hb],
                               b["angular_frequency"].values[hb], rtol=1e-9)
    # normal-form coefficients from differences of the assembled Jacobian
    np.testing.assert_allclose(a["first_lyapunov"].values[hb], b["first_lyapunov"].values[hb],
                               rtol=1e-4)
    assert (a["criticality"].values == b["criticality"].values).all()
    lp = a["type"].values == "LP"
    np.testing.assert_allclose(a["fold_coefficient"].values[lp],
                               b["fold_coefficient"].values[lp], rtol=1e-6)
    br = tree["equilibria/branch_0"]
    assert br.sizes["eig"] == 14 and tree.attrs["stability"].startswith("Jacobian")
    assert "assembled" in tree.attrs["method"]


def test_per_node_parameter_and_exact_parameter_derivatives():
    net = seven_nodes()
    x = np.random.default_rng(0).random(14)
    for name, p in (("IE_3", 0.4), ("K", 0.7), ("wEE", 15.0)):
        pb = netcont.NetworkProblem(net, name)
        fd = (pb.f(x, p + 1e-6) - pb.f(x, p - 1e-6)) / 2e-6
        np.testing.assert_allclose(pb.jac_p(x, p), fd, atol=1e-8)
        if name == "IE_3":                  # only node 3 depends on it
            assert np.all(pb.jac_p(x, p)[np.r_[0:6, 8:14]] == 0)
    # a per-node parameter as the free one: the diagram is the flat model's
    tree = nma.continuation(net, "IE_3", p_range=(-1.0, 4.0), params={"K": 0.5})
    sp = nma.special_points(tree)
    assert sp.sizes["special"] >= 1 and np.all(sp["status"].values == "located")
    for k in range(sp.sizes["special"]):
        x = np.array([float(sp[s][k]) for s in net.state_names])
        F = netcont.NetworkProblem(net, "IE_3", params={"K": 0.5}).f(x, float(sp["IE_3"][k]))
        assert np.max(np.abs(F)) < 1e-10


WC2 = WC_TWO.with_params(K=0.8)


def test_robust_switch_follows_the_crossing_branch_in_network_and_model_alike():
    # the synchronous branch has two branch points; their crossing branch (nodes in
    # different states) is traced only when the switch does not trust the tangent at the
    # sharply located point
    net = Network(nma.get_model("wilson_cowan"), [[0.0, 1.0], [0.5, 0.0]], params={"K": 0.8})
    opts = ContinuationOptions(p_range=(-1.0, 1.0), robust_switch=True)
    a = nma.special_points(nma.continuation(net, "IE", options=opts))
    b = nma.special_points(nma.continuation(WC2, "IE", options=opts))
    assert a["type"].values.tolist() == b["type"].values.tolist()
    assert a["type"].values.tolist().count("BP") >= 4 and a.sizes["special"] > 4
    assert set(a["branch"].values) == {"equilibria/branch_0", "equilibria/branch_1"}
    np.testing.assert_allclose(a["IE"].values, b["IE"].values, rtol=0, atol=1e-6)  # BP: det
    lp = a["type"].values == "LP"
    np.testing.assert_allclose(a["IE"].values[lp], b["IE"].values[lp], rtol=0, atol=1e-10)
    default = nma.special_points(nma.continuation(WC2, "IE", p_range=(-1.0, 1.0)))
    assert default["type"].values.tolist() == b["type"].values.tolist()   # the default
    trusting = ContinuationOptions(p_range=(-1.0, 1.0), robust_switch=False)
    plain = nma.special_points(nma.continuation(WC2, "IE", options=trusting))
    assert plain["type"].values.tolist() == ["LP", "BP", "BP", "LP"]      # crossing missed


# -- delays: the Hopf points of a ring, in closed form --------------------------------------

def ring(n, tau):
    """x_i' = -x_i + K x_{i-1}(t - tau): node i hears node i - 1 (mod n) after tau."""
    W = np.roll(np.eye(n), 1, axis=1).T
    return Network(LEAK, W, delays=tau * W, coupling="additive", source="x", target="I")


def ring_hopf_gains(n, tau, k_range):
    """Negative gains where lambda = -1 + K w e^{-lambda tau} (w an n-th root of unity) has a
    root i omega: |K| = sqrt(1 + omega^2), omega tau + atan(omega) = pi + theta (mod 2 pi)."""
    out = []
    top = np.sqrt(k_range[0] ** 2 - 1) * tau + np.arctan(np.sqrt(k_range[0] ** 2 - 1))
    for j in range(n):
        for m in range(-2, 3):
            c = np.pi + 2 * np.pi * j / n + 2 * np.pi * m
            if 0 < c < top:
                w = brentq(lambda w: w * tau + np.arctan(w) - c, 0.0, c / tau + 10)
                out.append((-np.sqrt(1 + w * w), w))
    return sorted(o for o in out if k_range[0] < o[0] < k_range[1])


def test_hopf_points_of_a_delayed_ring_match_the_closed_form():
    n, tau = 15, 1.0
    net = ring(n, tau)
    assert net.n_states > netcont.MAX_FLAT_STATES
    box = {s: (-1.0, 1.0) for s in net.state_names}
    tree = nma.continuation(net, "K", p_range=(-2.2, -1.1), params={"K": -1.1},
                            state_bounds=box, n_roots=4)
    sp = nma.special_points(tree)
    ref = ring_hopf_gains(n, tau, (-2.2, -1.1))
    assert len(ref) == 5
    assert sp["type"].values.tolist() == ["HB"] * len(ref)
    np.testing.assert_allclose(sp["K"].values, [r[0] for r in ref], rtol=1e-10)
    np.testing.assert_allclose(sp["angular_frequency"].values, [r[1] for r in ref],
                               rtol=1e-10)
    assert np.all(sp["status"].values == "located")
    br = tree["equilibria/branch_0"]
    assert np.all(br["x_0"].values == 0)
    # stability from the roots: -1 + W_m(K w tau e^tau) / tau over the modes w of the ring
    w = np.exp(2j * np.pi * np.arange(n) / n)

    def unstable(K):
        lam = [-1 + lambertw(K * wj * tau * np.exp(tau), m) / tau
               for wj in w for m in range(-20, 21)]
        return int(np.sum(np.real(lam) > 1e-9))

    counts = np.array([unstable(K) for K in br["K"].values])
    assert np.all(br["n_unstable"].values == counts) and counts.min() < counts.max()
    for i in (0, br.sizes["point"] // 2, br.sizes["point"] - 1):
        K = float(br["K"][i])
        z = np.concatenate([-1 + lambertw(K * wj * tau * np.exp(tau), np.arange(-3, 4)) / tau
                            for wj in w])
        np.testing.assert_allclose(br["eig_real"].values[i], np.sort(z.real)[::-1][:4],
                                   atol=1e-10)
    assert tree.attrs["stability"].startswith("characteristic roots")


# -- the 80-node connectome ----------------------------------------------------------------

def test_connectome_in_the_gain_without_delays_matches_the_laplacian_modes():
    conn = nma.load_connectome()
    node = nma.get_model("wilson_cowan")
    net = Network(node, conn.weights, coupling="diffusive", source="rE", target="IE")
    # the middle (saddle) equilibrium of one node; every node there is an equilibrium for
    # every K (diffusive coupling vanishes), with J = I (x) A - K L (x) g e_rE^T
    fp = nma.fixed_points(node)
    k = int(np.argsort(fp["rE"].values[fp["converged"].values])[1])
    xm = np.array([float(fp[s].values[fp["converged"].values][k]) for s in node.state_names])
    system = compile_model(node)
    p = system.parameter_vector(None, None, dict(node.params))
    A = system.jacobian(xm, p)
    jp = np.empty((2, len(node.param_names)))
    system.jac_p(0.0, xm, p, jp)
    g = jp[:, node.param_names.index("IE")]
    L = np.diag(conn.weights.sum(axis=1)) - conn.weights
    mu = np.linalg.eigvalsh(L)[1:]                       # the synchronous mode mu = 0 aside
    bp = 1.0 / (mu * np.linalg.solve(A, g)[0])           # det(A - K mu g e^T) = 0
    tree = nma.continuation(net, "K", p_range=(12.5, 30.0), params={"K": 20.0},
                            start=np.tile(xm, 80), switch_branches=False, ds_max=0.05)
    sp = nma.special_points(tree)
    inside = np.sort(bp[(bp > 12.5) & (bp < 30.0)])
    assert inside.size == 2                             # the two largest of 79
    assert sp["type"].values.tolist() == ["BP", "BP"]
    np.testing.assert_allclose(sp["K"].values, inside, rtol=1e-6)   # BP: det test
    # the eigenvalues along the branch are those of the 2 x 2 blocks
    br = tree["equilibria/branch_0"]
    i = br.sizes["point"] // 2
    K = float(br["K"][i])
    lam = np.concatenate([np.linalg.eigvals(A - K * m * np.outer(g, [1.0, 0.0]))
                          for m in np.linalg.eigvalsh(L)])
    got = br["eig_real"].values[i] + 1j * br["eig_imag"].values[i]
    np.testing.assert_allclose(np.sort(got.real), np.sort(lam.real), atol=1e-9)
    assert tree.attrs["stability"].startswith("Jacobian")


# -- what cannot work ------------------------------------------------------------------------

def test_periodic_orbits_refused_with_delays_and_for_large_flat_models():
    with pytest.raises(OptionsError, match="periodic orbits of a network with delays"):
        nma.continuation(ring(15, 1.0), "K", p_range=(-2, -1), cycles=True)
    big = Network(LEAK, np.roll(np.eye(15), 1, axis=1), coupling="additive", source="x",
                  target="I")
    with pytest.raises(OptionsError, match="cycles=False"):
        nma.continuation(big, "K", p_range=(-0.5, 0.5), cycles=True)
    with pytest.raises(OptionsError, match="free parameter"):
        nma.continuation(big, "speed", p_range=(0.5, 2.0))
    with pytest.raises(OptionsError, match="n_roots"):
        nma.continuation(big, "K", p_range=(-0.5, 0.5), n_roots=3)
    # the connectome with its 3160 distinct delays: refused before any work
    conn = nma.load_connectome()
    delayed = conn.network(nma.get_model("wilson_cowan"), speed=2.0)
    with pytest.raises(OptionsError, match="3160 distinct delays.*without delays"):
        nma.continuation(delayed, "K", p_range=(0.0, 40.0))
