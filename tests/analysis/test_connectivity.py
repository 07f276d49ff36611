"""Functional connectivity: against numpy, the exact covariance of a linear network, filters."""

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import scipy.stats
import xarray as xr

import nmanalysis as nma
from nmanalysis.analysis.connectivity import fc_dynamics, sc_fc_correlation
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network

# a leaky node: x' = -x + I; with coupling into I and white noise, the network is linear
LEAK = nma.Model("leak", states={"x": 0.0}, params={"I": 0.0}, equations={"x": "-x + I"},
                 time_units="ms")


def _da(x, dt=1.0, units="ms", sweep=None):
    coords = {"time": ("time", np.arange(x.shape[0]) * dt, {"units": units}),
              "node": np.arange(x.shape[1])}
    dims = ["time", "node"]
    if sweep:
        name, vals = sweep
        dims.append(name)
        coords[name] = vals
    return xr.DataArray(x, dims=dims, coords=coords, name="rE")


def test_fc_equals_numpy_corrcoef_per_sweep_point():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 5, 3))
    x[:, 1] += 0.7 * x[:, 0]
    da = _da(x, sweep=("K", [0.1, 0.2, 0.3]))
    fc = nma.functional_connectivity(da.to_dataset(), "rE", transient=100.0)
    assert fc.dims == ("node", "node_other", "K") and list(fc["K"].values) == [0.1, 0.2, 0.3]
    for k in range(3):
        assert np.allclose(fc.values[:, :, k], np.corrcoef(x[100:, :, k].T), atol=1e-13)
    assert fc.attrs["units"] == "1" and "long_name" in fc.attrs


def test_independent_nodes_give_identity_and_coupled_ones_the_lyapunov_covariance():
    # x' = -x + K W x + sigma dW: stationary covariance C solves A C + C A^T + sigma^2 I = 0
    n, sigma = 5, 0.5
    rng = np.random.default_rng(4)
    W = rng.uniform(0.2, 1.0, (n, n))
    np.fill_diagonal(W, 0)
    W /= W.sum(1, keepdims=True)
    net = Network(LEAK, W, coupling="additive", source="x", target="I")
    ds = nma.simulate(net, t=(0, 4000), dt=0.05, method="euler", noise={"x": sigma},
                      params={"K": [0.0, 0.8]}, sampling=0.5, seed=11)
    fc = nma.functional_connectivity(ds, "x", transient=20.0)
    off = ~np.eye(n, dtype=bool)
    # independent OU nodes (correlation time 1, ~2000 independent samples): sd ~ 0.02
    assert np.abs(fc.sel(K=0.0).values[off]).max() < 0.1
    assert np.allclose(np.diag(fc.sel(K=0.0).values), 1.0)
    A = -np.eye(n) + 0.8 * W
    C = scipy.linalg.solve_continuous_lyapunov(A, -sigma ** 2 * np.eye(n))
    exact = C / np.sqrt(np.outer(np.diag(C), np.diag(C)))
    assert exact[off].min() > 0.3                      # the coupling is visible ...
    assert np.abs(fc.sel(K=0.8).values - exact).max() < 0.08   # ... and matches the theory
    var = ds["x"].sel(K=0.8).isel(time=slice(40, None)).var("time").values
    assert np.allclose(var, np.diag(C), rtol=0.15)


def test_band_pass_removes_an_out_of_band_sine():
    rng = np.random.default_rng(2)
    n_t, n = 4000, 4
    t_s = np.arange(n_t) * 1e-3                          # 1 kHz sampling
    noise = rng.normal(size=(n_t, n))
    common = 3.0 * np.sin(2 * np.pi * 4.0 * t_s)          # 4 Hz, shared by every node
    x = noise + common[:, None]
    raw = nma.functional_connectivity(_da(x))
    assert raw.values[0, 1] > 0.7                         # the sine dominates
    band = (20.0, 80.0)
    fc = nma.functional_connectivity(_da(x), band=band)
    # reference: the noise alone, filtered by scipy directly
    sos = scipy.signal.butter(4, band, "bandpass", fs=1000.0, output="sos")
    ref = np.corrcoef(scipy.signal.sosfiltfilt(sos, noise, axis=0).T)
    assert np.abs(fc.values - ref).max() < 0.03
    # the same data with time in seconds: the same filter
    fc_s = nma.functional_connectivity(_da(x, dt=1e-3, units="s"), band=band)
    assert np.allclose(fc_s.values, fc.values, atol=1e-12)
    # a low-pass keeps the sine
    lo = nma.functional_connectivity(_da(x), band=(None, 10.0))
    assert lo.values[0, 1] > 0.95


def test_fcd_against_direct_windows():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1200, 6, 2))
    x[600:, 1] += x[600:, 0]                              # FC changes half way
    da = _da(x, dt=0.5, sweep=("speed", [1.0, 2.0]))
    window, step = 100.0, 50.0                            # 200 and 100 samples
    fcw = nma.functional_connectivity(da, window=window, step=step)
    fcd = fc_dynamics(da, window=window, step=step)
    starts = np.arange(0, 1200 - 200 + 1, 100)
    assert fcw.dims == ("window", "node", "node_other", "speed")
    assert fcd.dims == ("window", "window_other", "speed")
    assert fcd.shape == (len(starts), len(starts), 2)
    assert np.allclose(fcd["window"].values, (starts + 99.5) * 0.5)
    iu = np.triu_indices(6, 1)
    for b in range(2):
        tri = np.array([np.corrcoef(x[s:s + 200, :, b].T)[iu] for s in starts])
        assert np.allclose(fcw.values[:, :, :, b][:, iu[0], iu[1]], tri, atol=1e-12)
        assert np.allclose(fcd.values[:, :, b], np.corrcoef(tri), atol=1e-12)
    # windows on either side of the change are less alike than windows on one side
    f = fcd.values[:, :, 0]
    assert f[0, 1] > f[0, -1]


def test_sc_fc_correlation_against_scipy():
    rng = np.random.default_rng(5)
    n = 7
    W = rng.uniform(0, 1, (n, n))
    W[rng.uniform(size=(n, n)) < 0.3] = 0
    fcs = np.stack([np.corrcoef(rng.normal(size=(n, 50))) for _ in range(3)], axis=-1)
    fc = xr.DataArray(fcs, dims=("node", "node_other", "K"), coords={"K": [1.0, 2.0, 3.0]})
    iu = np.triu_indices(n, 1)
    S = ((W + W.T) / 2)[iu]
    r = sc_fc_correlation(fc, W)
    rs = sc_fc_correlation(fc, W, method="spearman")
    rnz = sc_fc_correlation(fc, W, nonzero=True)
    assert r.dims == ("K",)
    for k in range(3):
        y = fcs[:, :, k][iu]
        assert np.isclose(r.values[k], scipy.stats.pearsonr(S, y)[0], atol=1e-12)
        assert np.isclose(rs.values[k], scipy.stats.spearmanr(S, y)[0], atol=1e-12)
        assert np.isclose(rnz.values[k], scipy.stats.pearsonr(S[S != 0], y[S != 0])[0])


def test_constant_or_failed_series_give_nan_not_errors():
    x = np.random.default_rng(0).normal(size=(300, 3))
    x[:, 2] = 1.0
    fc = nma.functional_connectivity(_da(x))
    assert np.isnan(fc.values[2, 0]) and np.isnan(fc.values[2, 2]) and np.isfinite(fc.values[0, 1])
    x[150:, 1] = np.nan
    fc = nma.functional_connectivity(_da(x), band=(10.0, 100.0))
    assert np.isnan(fc.values[1, 0]) and fc.values[0, 0] == pytest.approx(1.0)


def test_network_simulation_carries_labels_and_provenance():
    W = np.ones((3, 3)) - np.eye(3)
    net = Network(nma.get_model("wilson_cowan"), W, delays=2.0 * W, labels=["a", "b", "c"])
    ds = nma.simulate(net, t=(0, 200), dt=0.1, method="euler", seed=1, sampling=1.0,
                      noise={"rE": {"sigma": 0.05, "tau": 5.0}}, params={"K": [0.0, 1.0]})
    fc = nma.functional_connectivity(ds, band=(10.0, 200.0))
    assert fc.dims == ("node", "node_other", "K")
    assert list(fc["label_other"].values) == ["a", "b", "c"]
    assert fc.attrs["model"] == "wilson_cowan" and fc.attrs["analysis"] == \
        "functional_connectivity"
    assert "Hz" in fc.attrs["long_name"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(var="nope"), "`var` 'nope' is not a variable"),
    (dict(band=(10.0, 600.0)), "Nyquist"),
    (dict(band=(50.0, 20.0)), "low < high"),
    (dict(band="alpha"), "`band` must be"),
    (dict(window=1e6), "`window`"),
    (dict(transient=1e6), "`transient`"),
    (dict(step=10.0), "`step` needs `window`"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    ds = _da(np.random.default_rng(0).normal(size=(400, 3))).to_dataset()
    with pytest.raises(OptionsError, match=match):
        nma.functional_connectivity(ds, **{"var": "rE", **kwargs})


def test_band_needs_time_units():
    da = _da(np.random.default_rng(0).normal(size=(400, 3)))
    da["time"].attrs.clear()
    with pytest.raises(OptionsError, match="time_units="):
        nma.functional_connectivity(da, band=(10, 50))
    fc = nma.functional_connectivity(da, band=(10, 50), time_units="ms")
    assert fc.shape == (3, 3)
    with pytest.raises(OptionsError, match="`window` is required"):
        fc_dynamics(da)


def test_network_figures_return_their_artists():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nmanalysis.plot.network import (connectivity_matrices, fc_matrix, fc_vs_sc,
                                         node_timeseries)
    rng = np.random.default_rng(6)
    n = 6
    W = rng.uniform(0.01, 1, (n, n))
    W = (W + W.T) / 2
    np.fill_diagonal(W, 0)
    x = rng.normal(size=(400, n)) @ (np.eye(n) + 0.5 * W)
    da = _da(x).assign_coords(label=("node", [f"r{i}" for i in range(n)]))
    fc = nma.functional_connectivity(da)
    fig, axes = plt.subplots(2, 2)
    im, cb = fc_matrix(fc, axes[0, 0], vlim=None)
    off = np.abs(fc.values[~np.eye(n, dtype=bool)]).max()
    assert im.get_clim() == pytest.approx((-off, off))
    assert [t.get_text() for t in axes[0, 0].get_xticklabels()][:2] == ["r0", "r1"]
    lines = node_timeseries(da, ax=axes[0, 1], nodes=[0, 2, 4])
    assert len(lines) == 3 and np.allclose(lines[1].get_ydata(),
                                           x[:, 2] - x[:, 2].mean() + lines[1].get_ydata().mean())
    pts, txt = fc_vs_sc(fc, W, ax=axes[1, 0], log_sc=False)
    assert len(pts.get_offsets()) == n * (n - 1) // 2
    assert txt.get_text() == f"r = {float(sc_fc_correlation(fc, W)):.3f}"
    parts = connectivity_matrices(fc, xr.Dataset({"weights": (("node", "node_other"), W)}))
    assert set(parts) == {"fc", "sc"}
    with pytest.raises(ValueError, match="select one sweep point"):
        node_timeseries(_da(rng.normal(size=(50, 3, 2)), sweep=("K", [1, 2])))
    plt.close("all")
