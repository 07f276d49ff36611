"""Networks assembled from the compiled node model: the same numbers as the flat model, fast."""

import time

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.network_linear import network_linear
from nmanalysis.compile import compile_model
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network

WC = nma.get_model("wilson_cowan")
W3 = np.array([[0.0, 1.0, 0.4], [0.6, 0.0, 0.0], [0.3, 0.8, 0.0]])


def small(coupling, delays=None):
    return Network(WC, W3, delays=delays, coupling=coupling,
                   params={"K": 1.3, "IE": [-0.2, 0.4, 1.1]})


@pytest.mark.parametrize("coupling", ["diffusive", "additive", "tanh(pre) - 0.5*pre*post"])
def test_structured_rhs_jacobian_and_delay_split_equal_the_flat_model(coupling):
    rng = np.random.default_rng(3)
    net = small(coupling, delays=rng.integers(0, 3, (3, 3)) * 1.5)
    lin = network_linear(net)
    flat = net.to_model()
    system = compile_model(flat)            # the flat model, compiled: independent truth
    p = system.parameter_vector(None, None, flat.params)
    for x in rng.random((4, 6)):
        F, J = lin.rhs_jac(x)
        np.testing.assert_allclose(F, system.f(x, p), rtol=0, atol=1e-13)
        np.testing.assert_allclose(J, system.jacobian(x, p), rtol=0, atol=1e-13)
        A0, taus, As = net.delay_linearization(x)   # symbolic, evaluated per edge
        B0, taus2, Bs = lin.delay_split(x)
        np.testing.assert_array_equal(taus, taus2)
        np.testing.assert_allclose(B0, A0, atol=1e-13)
        np.testing.assert_allclose(Bs, As, atol=1e-13)


@pytest.mark.parametrize("coupling", ["diffusive", "tanh(pre) - 0.5*pre*post"])
def test_fixed_points_equal_those_of_the_flat_model(coupling):
    net = small(coupling)
    sweep = {"K": [0.5, 1.3, 2.5]}
    got = nma.fixed_points(net, params=sweep)
    ref = nma.fixed_points(net.to_model(), params=sweep)    # the compiled flat model
    assert got["n_fp"].values.tolist() == ref["n_fp"].values.tolist()
    assert got["n_fp"].values.min() >= 1
    for s in net.state_names:
        np.testing.assert_allclose(got[s].values, ref[s].values, atol=1e-10, equal_nan=True)
    for v in ("eig_real", "eig_imag"):
        np.testing.assert_allclose(got[v].values, ref[v].values, atol=1e-10, equal_nan=True)
    assert (got["kind"].values == ref["kind"].values).all()
    assert np.nanmax(got["residual"].values) < 1e-12
    out = nma.stability(net, [float(got[s].isel(K=1, fp=0)) for s in net.state_names])
    flat_out = nma.stability(net.to_model(), [float(ref[s].isel(K=1, fp=0))
                                              for s in net.state_names])
    np.testing.assert_allclose(out["eigenvalues"], flat_out["eigenvalues"], atol=1e-10)


def test_heterogeneous_parameters_sweep_per_node_values():
    net = small("diffusive")
    got = nma.fixed_points(net, params={"IE_1": [0.0, 0.8]})
    ref = nma.fixed_points(net.to_model(), params={"IE_1": [0.0, 0.8]})
    for s in net.state_names:
        np.testing.assert_allclose(got[s].values, ref[s].values, atol=1e-10, equal_nan=True)


def connectome_network():
    conn = nma.load_connectome()
    return conn.network(WC, speed=2.0, params={"K": 30.0})


def test_connectome_fixed_points_are_exact_with_their_delayed_stability():
    net = connectome_network()
    fp = nma.fixed_points(net, n_starts=64)
    assert int(fp["n_fp"]) >= 1
    # 3160 distinct delays: the sparse way, every reported root confirmed and the
    # unstable roots counted by the argument principle
    ok = np.isfinite(fp["rE_0"].values)
    assert bool(fp["roots_converged"].values[ok].all())
    nu = fp["n_unstable"].values[ok]
    seen = (fp["eig_real"].values[ok] > 0).sum(-1)          # among the roots reported
    assert (nu >= seen).all()
    inside = seen < fp.sizes["eig"]                          # all unstable roots reported
    assert (nu[inside] == seen[inside]).all()
    lin = network_linear(net)
    x = np.array([float(fp[s].isel(fp=0)) for s in net.state_names])
    F, J = lin.rhs_jac(x)
    assert np.max(np.abs(F)) < 1e-10
    h = 1e-6
    cols = np.random.default_rng(0).choice(net.n_states, 12, replace=False)
    for k in cols:
        e = np.zeros(net.n_states)
        e[k] = h
        fd = (lin.rhs(x + e) - lin.rhs(x - e)) / (2 * h)
        np.testing.assert_allclose(J[:, k], fd, atol=1e-6 * (1 + np.abs(J[:, k]).max()))


def test_continuation_of_a_large_network_is_refused_at_once():
    net = connectome_network()
    t = time.perf_counter()
    with pytest.raises(OptionsError, match="fixed_points"):
        nma.continuation(net, "K", p_range=(0.0, 40.0))
    assert time.perf_counter() - t < 10
