"""Characteristic roots of large delay equations (sparse delayed terms) against closed forms,
the dense spectral method and argument-principle counts checked independently."""

import numpy as np
import pytest
from scipy.special import lambertw

import nmanalysis as nma
from nmanalysis import OptionsError
from nmanalysis.analysis.delay_spectrum_sparse import (OneBlasThread, SparseDelaySystem,
                                                       _Generator, count_roots_right,
                                                       sparse_delay_roots)
from nmanalysis.analysis.delay_stability import delay_eigenvalues, generator_matrix
from nmanalysis.analysis.network_stability import (characteristic_roots, network_delay_system,
                                                   network_stability)
from nmanalysis.model.network import Network


def lambert_roots(g, tau, count, a=1.0, branches=60):
    """Roots of lambda = -a + g e^{-lambda tau}, all branches, rightmost first."""
    k = np.arange(-branches, branches + 1)
    lam = -a + lambertw(g * tau * np.exp(a * tau), k) / tau
    lam = np.unique(np.round(lam, 13))
    return lam[np.lexsort((-lam.imag, -lam.real))][:count]


def scalar(g, tau, a=1.0):
    return SparseDelaySystem.from_entries([[-a]], [tau], [0], [0], [g])


# -- closed forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("g, tau", [(-2.0, 1.0), (-2.0, 3.0), (0.5, 2.0), (-5.0, 0.3),
                                    (3.0, 0.1), (-20.0, 1.0)])
def test_scalar_feedback_matches_lambert_w(g, tau):
    spec = sparse_delay_roots(scalar(g, tau), count=6)
    ref = lambert_roots(g, tau, 40)
    assert max(np.min(np.abs(ref - z)) for z in spec.roots) < 1e-10 * (1 + np.abs(ref).max())
    np.testing.assert_allclose(spec.roots.real, ref[:spec.roots.size].real, atol=1e-10)
    assert spec.converged.all() and np.all(spec.residual < 1e-12)
    assert spec.n_unstable == int(np.sum(ref.real > 0)) and spec.unstable_counted


@pytest.mark.parametrize("g, tau", [(-2.0, 3.0), (-5.0, 2.0), (-20.0, 1.0), (3.0, 1.0),
                                    (0.5, 2.0)])
def test_argument_principle_counts_match_lambert_w(g, tau):
    ref = lambert_roots(g, tau, 400, branches=200)
    for a in (0.0, -0.3, -1.0, -1.7):
        count, evals = count_roots_right(scalar(g, tau), a)
        assert count == int(np.sum(ref.real > a)), (a, count)
        assert evals > 0


def test_hopf_of_the_scalar_loop_in_the_delay():
    # x' = -x - 2 x(t - tau): the pair crosses at tau* = 2 pi / (3 sqrt 3) with omega = sqrt 3
    tau_star = 2 * np.pi / (3 * np.sqrt(3))
    for tau, nu in ((tau_star * 0.999, 0), (tau_star * 1.001, 2)):
        spec = sparse_delay_roots(scalar(-2.0, tau), count=2)
        assert spec.n_unstable == nu and spec.unstable_counted
        assert abs(spec.rightmost.imag - np.sqrt(3)) < 2e-3
    at = sparse_delay_roots(scalar(-2.0, tau_star), count=2, count_lines=False).rightmost
    assert abs(at.real) < 1e-12 and abs(at.imag - np.sqrt(3)) < 1e-12


def test_hutchinson_threshold():
    # x' = -r x(t - tau) loses stability at r tau = pi / 2, where the roots are +-i pi / (2 tau)
    tau = 4.0
    for r, nu in ((0.99 * np.pi / (2 * tau), 0), (1.01 * np.pi / (2 * tau), 2)):
        spec = sparse_delay_roots(scalar(-r, tau, a=0.0), count=3)
        assert spec.n_unstable == nu and spec.unstable_counted and spec.converged.all()
    at = sparse_delay_roots(scalar(-np.pi / (2 * tau), tau, a=0.0), count=2,
                            count_lines=False)
    np.testing.assert_allclose(at.roots, [1j * np.pi / (2 * tau), -1j * np.pi / (2 * tau)],
                               atol=1e-12)


# -- the generator without forming it ----------------------------------------------------------

def random_system(seed, n=6, entries=14):
    rng = np.random.default_rng(seed)
    A0 = rng.normal(size=(n, n)) - 2 * np.eye(n)
    d = rng.choice([0.0, 0.4, 1.1, 2.5], entries)
    return SparseDelaySystem.from_entries(A0, d, rng.integers(0, n, entries),
                                          rng.integers(0, n, entries),
                                          rng.normal(size=entries))


@pytest.mark.parametrize("sigma", [0.3, -0.2 + 1.5j])
def test_structured_generator_equals_the_dense_one(sigma):
    s = random_system(0)
    assert np.unique(s.cols).size == s.n              # every column read: the full generator
    M = generator_matrix(*s.to_dense(), 9)
    gen = _Generator(s, 9)
    v = np.random.default_rng(1).normal(size=M.shape[0])
    np.testing.assert_allclose(gen.matvec(v), M @ v, atol=1e-12)
    w = gen.shift_invert(sigma).matvec(v)
    np.testing.assert_allclose((M - sigma * np.eye(M.shape[0])) @ w, v, atol=1e-11)


def test_generator_without_the_unread_past_keeps_the_spectrum():
    rng = np.random.default_rng(4)
    n = 6
    s = SparseDelaySystem.from_entries(rng.normal(size=(n, n)), rng.choice([0.5, 1.0, 2.0], 10),
                                       rng.integers(0, n, 10), rng.integers(0, 3, 10),
                                       rng.normal(size=10))
    gen = _Generator(s, 10)
    assert gen.dim == n + 10 * np.unique(s.cols).size < n * 11
    Mr = np.column_stack([gen.matvec(e) for e in np.eye(gen.dim)])
    full = np.linalg.eigvals(generator_matrix(*s.to_dense(), 10))
    assert max(np.min(np.abs(full - z)) for z in np.linalg.eigvals(Mr)) < 1e-9
    v = rng.normal(size=gen.dim)
    for sigma in (0.3, 0.3 + 0.2j):
        w = gen.shift_invert(sigma).matvec(v)
        np.testing.assert_allclose((Mr - sigma * np.eye(gen.dim)) @ w, v, atol=1e-11)


def test_characteristic_matrix_and_conversions():
    s = random_system(2)
    A0, taus, As = s.to_dense()
    assert np.all(taus > 0)                               # zero delays went into A0
    back = SparseDelaySystem.from_dense(A0, taus, As)
    for z in (0.3 + 0.1j, -1.0 + 4.0j):
        D = z * np.eye(s.n) - A0 - np.tensordot(np.exp(-z * taus), As, axes=1)
        np.testing.assert_allclose(s.matrix(z), D, atol=1e-13)
        np.testing.assert_allclose(back.matrix(z), D, atol=1e-13)


# -- against the dense method ------------------------------------------------------------------

WC_OSC = nma.get_model("wilson_cowan").with_params(
    wEE=16.0, wIE=12.0, wEI=15.0, wII=3.0, aE=1.3, thE=4.0, aI=2.0, thI=3.7, IE=3.0)


def random_network(seed, N=10, K=1.0):
    """Diffusively coupled identical nodes: every node at the node's equilibrium is one."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(0, 1, (N, N)) * (rng.uniform(size=(N, N)) < 0.5)
    np.fill_diagonal(W, 0.0)
    D = rng.uniform(1.0, 12.0, (N, N))                  # all distinct delays
    net = Network(WC_OSC, W, delays=D, coupling="diffusive", target="II", params={"K": K})
    fp = nma.fixed_points(WC_OSC)
    node = [float(fp[s].isel(fp=0)) for s in WC_OSC.state_names]
    x = np.tile(node, N)
    assert np.max(np.abs(net.delay_linearization(x)[0] @ np.zeros(2 * N))) == 0.0
    return net, x


@pytest.mark.parametrize("seed, K", [(3, 0.5), (5, 2.0)])
def test_sparse_roots_equal_dense_roots_on_an_eight_node_network(seed, K):
    net, x = random_network(seed, N=8, K=K)
    A0, taus, As = net.delay_linearization(x)
    assert taus.size > 20
    with OneBlasThread():                # the reference: dense eigenvalues, one BLAS thread
        dense = delay_eigenvalues(A0, taus, As, count=24)
    system = network_delay_system(net, x, {"K": K})
    sparse = sparse_delay_roots(system, count=16)
    assert dense.converged.all() and sparse.converged.all()
    np.testing.assert_allclose(sparse.roots[:16], dense.roots[:16], atol=1e-10)
    # the unstable count by the argument principle equals the dense count
    nu_dense = int(np.sum(dense.roots.real > 0))
    assert nu_dense < 24
    assert count_roots_right(system, 0.0)[0] == nu_dense == sparse.n_unstable
    assert sparse.unstable_counted
    # and through characteristic_roots: the same roots, count and kind both ways
    with OneBlasThread():
        a = characteristic_roots(A0, taus, As, 8)
    b = characteristic_roots(system, n_roots=8)
    np.testing.assert_allclose(b[0], a[0], atol=1e-10)
    assert a[1:] == b[1:]


def test_network_stability_sparse_equals_dense_way():
    net, x = random_network(6, N=8, K=1.5)
    with OneBlasThread():
        a = network_stability(net, x, {"K": 1.5}, n_roots=6, roots_method="dense")
    b = network_stability(net, x, {"K": 1.5}, n_roots=6, roots_method="sparse",
                          jacobian=True)
    np.testing.assert_allclose(b["eigenvalues"], a["eigenvalues"], atol=1e-10)
    assert (a["kind"], a["n_unstable"]) == (b["kind"], b["n_unstable"])
    assert b["unstable_counted"] and b["As"] is None
    for z, v in zip(b["eigenvalues"], b["eigenvectors"].T):
        assert np.max(np.abs(b["system"].matrix(z) @ v)) < 1e-10
    with pytest.raises(OptionsError, match="roots_method"):
        network_stability(net, x, {"K": 1.5}, roots_method="fast")


# -- a sub-network of the connectome at rest ----------------------------------------------------

def test_connectome_subnetwork_unstable_count_and_rightmost_root():
    conn = nma.load_connectome()
    idx = np.arange(0, 80, 3)                                    # 27 regions
    W, L = conn.weights[np.ix_(idx, idx)], conn.lengths[np.ix_(idx, idx)]
    net = Network(nma.get_model("wilson_cowan"), W, distances=L, speed=2.0,
                  coupling="diffusive", source="rE", target="IE", params={"K": 60.0})
    x = np.zeros(net.n_states)                                   # rest is an equilibrium
    out = network_stability(net, x, n_roots=6, jacobian=True)
    s = out["system"]
    assert s.taus.size > 300                                     # dense: 54^2 * 350 entries
    assert out["converged"] and out["unstable_counted"]
    lam = out["eigenvalues"]
    # every root reported solves the characteristic equation
    for z in lam:
        assert np.linalg.svd(s.matrix(z), compute_uv=False)[-1] < 1e-9 * (1 + abs(z))
    # the count right of the axis, and right of a line just left of the rightmost root
    assert count_roots_right(s, 0.0)[0] == out["n_unstable"]
    a = out["complete_right_of"]
    assert np.isfinite(a) and a < lam[0].real
    assert count_roots_right(s, a)[0] == int(np.sum(lam.real > a))
