"""Delayed integration: the cheaper delay reads, the block-summed coupling, the sparse edge
lists and the noise generator, each against an independent truth or the plain loop."""

import numpy as np
import pytest
from scipy import stats

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.integrate import delayed
from nmanalysis.model.network import Network

LIN = nma.Model("lin", states={"x": 1.0}, params={"I": 0.0}, equations={"x": "I"})
FLAT = nma.Model("flat", states={"x": 0.0}, params={"I": 0.0}, equations={"x": "I"})


def _exp_error(method, interp, dt, frac):
    """|x(4) - exp(4 lam)| for x' = a x(t - tau), a = lam exp(lam tau), history exp(lam t).

    tau is ``n + frac`` steps (n the nearest whole number to 0.737 / dt), so that the
    position of the delayed time between grid points is the same for every dt and the
    error of a read shrinks like its order (for any tau the exact solution is exp(lam t)).
    """
    lam = -0.7
    tau = (round(0.737 / dt) + frac) * dt
    a = lam * np.exp(lam * tau)
    net = Network(LIN, [[a]], delays=[[tau]], coupling="additive", source="x", target="I")
    ds = nma.simulate(net, t=(0, 4), dt=dt, method=method, record="final",
                      history=lambda t: np.exp(lam * t), delay_interpolation=interp)
    return abs(float(ds["x"][0]) - np.exp(lam * 4))


@pytest.mark.parametrize("method, interp, order", [
    ("rk4", "linear", 2), ("heun", "linear", 2), ("rk4", "nearest", 1),
    ("heun", "nearest", 1), ("euler", "nearest", 1)])
def test_cheaper_reads_converge_at_their_order(method, interp, order):
    dts = [0.02, 0.01, 0.005]
    errs = [_exp_error(method, interp, dt, 0.3) for dt in dts]
    observed = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(observed - order) < 0.3, (errs, observed)
    if {"euler": 1, "heun": 2, "rk4": 4}[method] > order:
        # the read lowers the method's order; the default (Hermite) read does not
        assert _exp_error(method, "hermite", dts[-1], 0.3) < 0.1 * errs[-1]


def test_reads_agree_when_delays_are_on_the_grid():
    rng = np.random.default_rng(4)
    W = rng.uniform(0.2, 1.0, (5, 5))
    np.fill_diagonal(W, 0)
    steps = rng.integers(3, 40, (5, 5))
    net = Network(nma.get_model("wilson_cowan"), W, delays=0.1 * steps * (W > 0))
    kw = dict(t=(0, 30), dt=0.1, y0={"rE": np.linspace(0.05, 0.4, 5)}, params={"K": 1.5},
              history=lambda t: 0.1 + 0.05 * np.sin(t + np.arange(5)))
    for method in ("euler", "heun", "exp_euler"):          # stages at whole steps only
        runs = [nma.simulate(net, method=method, delay_interpolation=i, **kw)["rE"].values
                for i in ("hermite", "linear", "nearest")]
        assert np.array_equal(runs[0], runs[1]) and np.array_equal(runs[0], runs[2])


def _random_net(coupling="diffusive", zero_delays=False):
    rng = np.random.default_rng(7)
    W = rng.uniform(0, 1, (6, 6)) * (rng.uniform(size=(6, 6)) > 0.4)
    np.fill_diagonal(W, 0)
    D = rng.uniform(0.35, 4.0, (6, 6))
    if zero_delays:
        D[0, 1] = D[3, 2] = 0.0
    return Network(nma.get_model("wilson_cowan"), W, delays=D * (W > 0), coupling=coupling)


@pytest.mark.parametrize("interp", ["hermite", "linear", "nearest"])
def test_block_sums_equal_per_step_reads(monkeypatch, interp):
    # delays from 3.5 steps up: blocks of up to 2 steps; a callable history (slopes
    # at t0), noise, several stages and two sweep rows of different speed
    W = _random_net().weights
    rng = np.random.default_rng(2)
    dist = rng.uniform(0.7, 8.0, W.shape) * (W > 0)
    net = Network(nma.get_model("wilson_cowan"), W, distances=dist, speed=2.0)
    kw = dict(t=(0, 25), dt=0.1, params={"K": [0.5, 2.0], "speed": [1.0, 2.0]},
              history=lambda t: 0.1 + 0.05 * np.cos(2 * t + np.arange(6)), seed=3,
              delay_interpolation=interp)
    for method, noise in (("rk4", None), ("heun", {"rE": 0.01}),
                          ("exp_euler", {"rE": {"sigma": 0.01, "tau": 2.0}})):
        a = nma.simulate(net, method=method, noise=noise, **kw)
        monkeypatch.setattr(delayed, "_BLOCKS", False)
        b = nma.simulate(net, method=method, noise=noise, **kw)
        monkeypatch.setattr(delayed, "_BLOCKS", True)
        assert np.array_equal(a["rE"].values, b["rE"].values), method
        assert int(a["status"].max()) == 0


def _all_edges(weights):
    """Every ordered pair (i, j) as an edge, zero weights included."""
    n = weights.shape[0]
    ii, jj = np.divmod(np.arange(n * n), n)
    return ii, jj, np.arange(0, n * n + 1, n, dtype=np.int64)


@pytest.mark.parametrize("coupling", ["diffusive", "additive", "tanh(pre) - post"])
def test_skipping_zero_weights_equals_the_dense_loop(monkeypatch, coupling):
    net = _random_net(coupling, zero_delays=True)
    assert (net.weights == 0).sum() > 10
    kw = dict(t=(0, 20), dt=0.1, method="heun", params={"K": [0.7, 1.4]},
              y0={"rE": np.linspace(0.05, 0.5, 6)}, record=["full", "minmax"])
    sparse = nma.simulate(net, **kw)
    monkeypatch.setattr(delayed, "_edge_lists", _all_edges)
    dense = nma.simulate(net, **kw)
    for v in ("rE", "rI", "rE_max"):
        assert np.array_equal(sparse[v].values, dense[v].values), v


def test_expression_coupling_equals_diffusive_for_every_read():
    kw = dict(t=(0, 20), dt=0.1, method="rk4", params={"K": [0.5, 1.5]},
              y0={"rE": np.linspace(0.05, 0.5, 6)}, record="final")
    for interp in ("hermite", "linear", "nearest"):
        a = nma.simulate(_random_net("diffusive", True), delay_interpolation=interp, **kw)
        b = nma.simulate(_random_net("pre - post", True), delay_interpolation=interp, **kw)
        assert np.allclose(a["rE"].values, b["rE"].values, rtol=0, atol=1e-12), interp


def _noise_paths(noise, n_nodes=50, steps=4000, dt=1.0, seed=11):
    net = Network(FLAT, np.zeros((n_nodes, n_nodes)), source="x", target="I")
    ds = nma.simulate(net, t=(0, steps * dt), dt=dt, method="euler", noise={"x": noise},
                      seed=seed)
    return np.diff(ds["x"].values, axis=0)            # (steps, node)


def test_white_noise_increments_are_standard_normal():
    z = _noise_paths(1.0)                              # sigma sqrt(dt) xi with sigma = dt = 1
    flat = z.ravel()
    assert stats.kstest(flat, "norm").pvalue > 1e-3
    assert abs(flat.mean()) < 5 / np.sqrt(flat.size) and abs(flat.var() - 1) < 0.01
    # tail beyond the ziggurat's base layer (r = 3.654) and further out
    for a in (2.0, 3.654, 4.0):
        expected = 2 * stats.norm.sf(a) * flat.size
        assert abs((np.abs(flat) > a).sum() - expected) < 5 * np.sqrt(expected) + 1, a
    # independent over time and across nodes
    lag1 = np.corrcoef(z[:-1].ravel(), z[1:].ravel())[0, 1]
    cross = np.corrcoef(z.T)[~np.eye(z.shape[1], dtype=bool)]
    assert abs(lag1) < 5 / np.sqrt(flat.size) and np.abs(cross).max() < 0.08


def test_ou_noise_has_its_exact_variance_and_correlation():
    sigma, tau, dt = 0.3, 5.0, 0.5
    z = _noise_paths({"sigma": sigma, "tau": tau}, dt=dt)[200:] / dt   # the OU values
    var = sigma ** 2 * tau / 2
    assert abs(z.var() / var - 1) < 0.05
    r1 = np.mean([np.corrcoef(z[:-1, i], z[1:, i])[0, 1] for i in range(z.shape[1])])
    assert abs(r1 - np.exp(-dt / tau)) < 0.01


def test_bad_delay_interpolation():
    net = _random_net()
    with pytest.raises(OptionsError, match="`delay_interpolation` must be one of"):
        nma.simulate(net, t=(0, 1), dt=0.1, delay_interpolation="cubic")


_WARM = """
import json, sys
import numpy as np
import nmanalysis as nma
from nmanalysis.model.network import Network
W = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.3, 0.7, 0.0]])
net = Network(nma.get_model("wilson_cowan"), W, delays=2.0 * W)
ds = nma.simulate(net, t=(0, 10), dt=0.1, method="exp_euler", params={"K": [0.5, 1.0]},
                  noise={"rE": {"sigma": 0.01, "tau": 2.0}}, seed=2, sampling=1.0)
modules = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "sympy"))
x = ds["rE"].values[5:, :, 1]            # (xarray's own label indexing may import dask)
print(json.dumps({"modules": modules, "x": x.tolist(), "dims": list(ds["rE"].dims)}))
"""


def test_a_warm_network_simulation_loads_neither_dask_nor_sympy():
    import json
    import os
    import subprocess
    import sys

    def child():
        out = subprocess.run([sys.executable, "-c", _WARM], capture_output=True, text=True,
                             env=dict(os.environ), check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    child()                                            # fill the caches
    warm = child()
    assert warm["modules"] == []
    assert warm["dims"] == ["time", "node", "K"]
    W = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.3, 0.7, 0.0]])
    net = Network(nma.get_model("wilson_cowan"), W, delays=2.0 * W)
    ds = nma.simulate(net, t=(0, 10), dt=0.1, method="exp_euler", params={"K": [0.5, 1.0]},
                      noise={"rE": {"sigma": 0.01, "tau": 2.0}}, seed=2, sampling=1.0)
    assert np.array_equal(warm["x"], ds["rE"].sel(time=slice(5, None), K=1.0).values)
    assert float(ds["time"][5]) == 5.0
