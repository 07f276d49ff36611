"""Sweeps of delayed networks on a dask cluster give the in-process result, bit for bit."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.integrate.delayed import _window
from nmanalysis.model.network import Network

W = np.ones((4, 4)) - np.eye(4)
NET = Network(nma.get_model("wilson_cowan"), W, distances=5.0 * W, speed=1.0)
# noise and a random history: their streams are keyed by the sweep row, whatever the task
KW = dict(t=(0, 20), dt=0.1, method="heun", noise={"rE": {"sigma": 0.05, "tau": 1.0}},
          history={"uniform": (0.0, 0.05)}, seed=5, sampling=1.0,
          params={"K": [0.0, 0.5, 1.0], "speed": [1.0, 2.0, 5.0]},
          record=["full", "minmax", "mean", "final"])


def assert_same(a, b):
    assert set(a.data_vars) == set(b.data_vars)
    for v in a.data_vars:
        assert a[v].dims == b[v].dims
        assert np.array_equal(a[v].values, b[v].values, equal_nan=True), v
    for c in a.coords:
        assert np.array_equal(a[c].values, b[c].values)


def test_window_stores_only_its_rows():
    lo, hi = 5, 8
    arr = _window((2, 3), lo, hi, np.nan)
    assert arr.shape == (2, 3, hi) and arr.base.size == 2 * 3 * (hi - lo) + lo
    arr[..., lo:hi] = np.arange(18.0).reshape(2, 3, 3)
    assert np.array_equal(arr[..., lo:hi].ravel(), np.arange(18.0))


def test_local_cluster_equals_in_process_run():
    distributed = pytest.importorskip("distributed")
    ref = nma.simulate(NET, **KW)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        for chunks in (None, 1, 4):
            got = nma.simulate(NET, client=client, chunks=chunks, **KW)
            assert_same(ref, got)
    assert_same(ref, nma.simulate(NET, client="local", **KW))
    assert ref["rE"].dims == ("time", "node", "K", "speed") and int(ref["status"].max()) == 0


def test_client_arguments_are_checked():
    pytest.importorskip("distributed")
    with pytest.raises(OptionsError, match="`client` must be"):
        nma.simulate(NET, client="remote", **KW)
    with pytest.raises(OptionsError, match="`chunks` must be"):
        nma.simulate(NET, client="local", chunks=0, **KW)
    with pytest.raises(OptionsError, match="`chunks` applies with `client` only"):
        nma.simulate(NET, chunks=2, **KW)
