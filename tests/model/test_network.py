"""Network: validation, the flat delay-free model and the delay linearisation."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.compile import compile_model
from nmanalysis.errors import ModelError, OptionsError
from nmanalysis.model.network import Network

WC = nma.get_model("wilson_cowan")


def _ring(n=4, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.uniform(0.2, 1.0, (n, n))
    np.fill_diagonal(W, 0.0)
    D = rng.uniform(1.0, 3.0, (n, n))
    return W, D


@pytest.mark.parametrize("coupling", ["diffusive", "additive", "tanh(pre) - 0.5*post*aE"])
def test_linearization_sums_to_flat_jacobian(coupling):
    W, dist = _ring()
    net = Network(WC, W, distances=dist, speed=2.0, coupling=coupling,
                  params={"K": 0.7, "IE": np.linspace(0.1, 0.9, 4)})
    x = np.random.default_rng(1).uniform(0.05, 0.4, net.n_states)
    A0, taus, As = net.delay_linearization(x, {"speed": 4.0})
    flat = net.to_model()
    sysm = compile_model(flat)
    p = sysm.parameter_vector(defaults=flat.params, params={"speed": 4.0})
    J = sysm.jacobian(x, p)
    assert np.allclose(A0 + As.sum(0), J, atol=1e-12)
    # the delays are the distances / speed, grouped
    assert np.allclose(np.sort(taus), np.unique((dist / 4.0)[W > 0]))
    # delayed blocks only act through the source state rE of the sending node
    assert np.all(As[:, :, 1::2] == 0)


def test_zero_delays_fold_into_a0():
    W, _ = _ring()
    net = Network(WC, W)
    A0, taus, As = net.delay_linearization(np.full(8, 0.1))
    assert taus.shape == (0,) and As.shape == (0, 8, 8)
    J = compile_model(net.to_model()).jacobian(
        np.full(8, 0.1), [1.0] + list(WC.params.values()))
    assert np.allclose(A0, J)


def test_flat_model_equilibrium_has_no_coupling_at_uniform_state_diffusive():
    W, _ = _ring()
    net = Network(WC, W, params={"K": 2.0})
    c = net.coupling_input(np.tile([0.3, 0.1], 4))
    assert np.allclose(c, 0.0)
    c = Network(WC, W, coupling="additive").coupling_input(np.tile([0.3, 0.1], 4))
    assert np.allclose(c, 0.3 * W.sum(1))


def test_fixed_points_of_a_network():
    W, D = _ring(3)
    net = Network(WC, W, delays=D, params={"K": 0.5})
    fp = nma.fixed_points(net)
    x = np.array([[float(fp[s].isel(fp=k)) for s in net.state_names]
                  for k in range(fp.sizes["fp"]) if bool(fp["converged"].isel(fp=k))])
    assert len(x) >= 1
    sysm = compile_model(net.to_model())
    p = sysm.parameter_vector(defaults=net.to_model().params)
    for row in x:
        assert np.max(np.abs(sysm.f(row, p))) < 1e-8


@pytest.mark.parametrize("kwargs, match", [
    (dict(weights=np.ones((2, 3))), "square"),
    (dict(weights=[[0, np.nan], [1, 0]]), "finite"),
    (dict(weights=np.ones((2, 2)), delays=-np.ones((2, 2))), ">= 0"),
    (dict(weights=np.ones((2, 2)), delays=np.ones((3, 3))), "must match"),
    (dict(weights=np.ones((2, 2)), distances=np.ones((2, 2))), "speed"),
    (dict(weights=np.ones((2, 2)), source="x"), "`source` must be a state"),
    (dict(weights=np.ones((2, 2)), target="zz"), "`target` must be a parameter"),
    (dict(weights=np.ones((2, 2)), params={"IE": [1, 2, 3]}), r"shape \(2,\)"),
    (dict(weights=np.ones((2, 2)), params={"nope": 1}), "unknown name 'nope'"),
    (dict(weights=np.ones((2, 2)), distances=np.ones((2, 2)), speed=0), "positive"),
])
def test_bad_inputs_name_the_argument(kwargs, match):
    with pytest.raises(OptionsError, match=match):
        Network(WC, **kwargs)


def test_bad_coupling_expression_is_a_model_error():
    with pytest.raises(ModelError, match="coupling"):
        Network(WC, np.ones((2, 2)), coupling="__import__('os')")
    with pytest.raises(ModelError, match="unknown_name"):
        Network(WC, np.ones((2, 2)), coupling="pre*unknown_name")
