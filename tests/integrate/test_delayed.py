"""Delayed network integration: order against exact solutions, zero delays, batches, errors."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network

# x' = -x + (target input), the input being the coupling a * x(t - tau) of the node itself
LIN = nma.Model("lin", states={"x": 1.0}, params={"I": 0.0}, equations={"x": "I"})


def _self_loop(a, tau):
    return Network(LIN, [[a]], delays=[[tau]], coupling="additive", source="x", target="I")


def _steps_solution(t):
    """x' = -x(t - 1), x = 1 for t <= 0: method of steps on [0, 3]."""
    t = np.asarray(t, float)
    x1 = 1 - t
    x2 = t ** 2 / 2 - 2 * t + 1.5
    # on [2, 3]: x' = -x2(t - 1) = -((t-1)^2/2 - 2(t-1) + 1.5), x(2) = -0.5
    s = t - 1
    x3 = -0.5 - ((s ** 3 / 6 - s ** 2 + 1.5 * s) - (1 / 6 - 1 + 1.5))
    return np.where(t <= 1, x1, np.where(t <= 2, x2, x3))


def test_method_of_steps_reference_on_grid():
    net = _self_loop(-1.0, 1.0)
    for method in ("euler", "heun", "rk4"):
        ds = nma.simulate(net, t=(0, 3), dt=0.01, method=method, sampling=0.5)
        err = np.abs(ds["x"].values[:, 0] - _steps_solution(ds["time"].values)).max()
        assert err < {"euler": 2e-2, "heun": 1e-4, "rk4": 1e-10}[method]


@pytest.mark.parametrize("method, order", [("euler", 1), ("heun", 2), ("rk4", 4),
                                           ("exp_euler", 1)])
def test_observed_order_with_off_grid_delay(method, order):
    # exact solution exp(lam t) of x' = a x(t - tau) with a = lam exp(lam tau), smooth history
    lam, tau = -0.7, 0.737
    a = lam * np.exp(lam * tau)
    net = _self_loop(a, tau)
    errs = []
    dts = [0.2, 0.1, 0.05] if order == 4 else [0.02, 0.01, 0.005]
    for dt in dts:
        ds = nma.simulate(net, t=(0, 4), dt=dt, method=method, record="final",
                          history=lambda t: np.exp(lam * t))
        errs.append(abs(float(ds["x"][0]) - np.exp(lam * 4)))
    observed = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(observed - order) < 0.3, (errs, observed)


def test_zero_delays_equal_the_flat_model():
    rng = np.random.default_rng(3)
    W = rng.uniform(0, 1, (3, 3))
    np.fill_diagonal(W, 0)
    wc = nma.get_model("wilson_cowan")
    for coupling in ("diffusive", "additive", "tanh(pre) - post"):
        net = Network(wc, W, coupling=coupling, params={"K": 0.8, "IE": [0.5, 1.0, 1.5]})
        y0 = {"rE": [0.1, 0.3, 0.5], "rI": [0.2, 0.1, 0.05]}
        ds = nma.simulate(net, t=(0, 20), dt=0.01, method="rk4", y0=y0, params={"K": [0.3, 0.8]})
        flat = net.to_model()
        fy0 = {f"{s}_{i}": v[i] for s, v in y0.items() for i in range(3)}
        ref = nma.simulate(flat, t=(0, 20), dt=0.01, method="rk4", y0=fy0,
                           params={"K": [0.3, 0.8]})
        for i in range(3):
            assert np.allclose(ds["rE"].isel(node=i).values, ref[f"rE_{i}"].values, atol=1e-10)


def test_delays_change_the_dynamics_and_batches_are_independent():
    W = np.array([[0, 1.0], [1.0, 0]])
    dist = 10.0 * W
    net = Network(nma.get_model("wilson_cowan"), W, distances=dist, speed=1.0,
                  params={"IE": 1.0})
    kw = dict(t=(0, 50), dt=0.05, y0={"rE": [0.05, 0.6]})
    ds = nma.simulate(net, params={"K": [0.0, 2.0], "speed": [1.0, 5.0]},
                      record=["minmax", "mean", "final"], **kw)
    assert ds["rE_max"].dims == ("node", "K", "speed")
    # K = 0 decouples: speed has no effect
    assert np.allclose(ds["rE"].sel(K=0.0, speed=1.0), ds["rE"].sel(K=0.0, speed=5.0))
    assert not np.allclose(ds["rE_mean"].sel(K=2.0, speed=1.0),
                           ds["rE_mean"].sel(K=0.0, speed=1.0), atol=1e-3)
    assert not np.allclose(ds["rE_mean"].sel(K=2.0, speed=1.0),
                           ds["rE_mean"].sel(K=2.0, speed=5.0), atol=1e-4)
    one = nma.simulate(net, params={"K": 2.0, "speed": 5.0}, record="final", **kw)
    assert np.allclose(one["rE"], ds["rE"].sel(K=2.0, speed=5.0), atol=1e-12)


def test_divergence_is_flagged_rest_finishes():
    net = _self_loop(1.0, 1.0)
    ds = nma.simulate(net, t=(0, 40), dt=0.1, params={"I": [0.0]}, record="final",
                      bounds={"x": (-1e3, 1e3)})
    assert int(ds["status"].values[0]) == 2
    grow = Network(LIN, [[1.0]], delays=[[1.0]], coupling="additive", source="x", target="I")
    ds = nma.simulate(grow, t=(0, 40), dt=0.1, params={"K": [-0.5, 3.0]}, record="final",
                      bounds={"x": (-1e3, 1e3)})
    assert ds["status"].values.tolist() == [0, 2]


def test_ou_noise_and_random_history_reproducible():
    W = np.ones((4, 4)) - np.eye(4)
    net = Network(nma.get_model("wilson_cowan"), W, delays=2.0 * W)
    kw = dict(t=(0, 20), dt=0.1, method="heun", noise={"rE": {"sigma": 0.05, "tau": 1.0}},
              history={"uniform": (0, 0.05)}, seed=5, sampling=1.0)
    a, b = nma.simulate(net, **kw), nma.simulate(net, **kw)
    assert np.array_equal(a["rE"].values, b["rE"].values)
    assert a["rE"].sizes["time"] == 21 and list(a["label"].values) == ["0", "1", "2", "3"]
    c = nma.simulate(net, **{**kw, "seed": 6})
    assert not np.allclose(a["rE"].values, c["rE"].values)


@pytest.mark.parametrize("kwargs, match", [
    (dict(method="dopri5"), "`method` of a delayed"),
    (dict(dt=2.0), "shortest positive delay"),
    (dict(params={"nope": 1.0}), "unknown name 'nope'"),
    (dict(history="x"), "`history` must be"),
    (dict(y0={"rE": [1, 2, 3]}), r"one per node"),
    (dict(noise={"rE": 0.1}, method="rk4"), "noise needs `method`"),
])
def test_bad_arguments(kwargs, match):
    W = np.ones((2, 2)) - np.eye(2)
    net = Network(nma.get_model("wilson_cowan"), W, delays=1.0 * W)
    with pytest.raises(OptionsError, match=match):
        nma.simulate(net, **{"t": (0, 10), "dt": 0.1, **kwargs})


def test_history_only_for_networks():
    with pytest.raises(OptionsError, match="history"):
        nma.simulate(nma.get_model("wilson_cowan"), t=(0, 1), history=0.0)
