"""Constant inputs of network nodes move the equilibria: the structured solver against the
compiled flat model."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network


def _net():
    W = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]])
    return Network(nma.get_model("montbrio_pazo_roxin"), W, source="r", target="eta",
                   params={"K": 0.5})


def _sorted_states(ds, n):
    ok = ds["converged"].values
    X = np.stack([ds[f"{s}_{i}"].values[ok] for i in range(n) for s in ("r", "v")], axis=1)
    return X[np.lexsort(X.T[::-1])]


def test_inputs_by_node_name_match_the_flat_model():
    net = _net()
    got = nma.fixed_points(net, inputs={"u": [2.0, 0.0, -1.0]})
    ref = nma.fixed_points(net.to_model(), inputs={"u_0": 2.0, "u_1": 0.0, "u_2": -1.0})
    a, b = _sorted_states(got, 3), _sorted_states(ref, 3)
    assert a.shape == b.shape and a.shape[0] >= 1
    assert np.allclose(a, b, atol=1e-10, rtol=0)
    same = nma.fixed_points(net, inputs={"u_0": 2.0, "u_2": -1.0})     # flat names work too
    assert np.allclose(_sorted_states(same, 3), a, atol=1e-10, rtol=0)
    plain = nma.fixed_points(net)
    assert not (plain["n_fp"].item() == got["n_fp"].item()
                and np.allclose(_sorted_states(plain, 3), a))


def test_an_input_equilibrium_is_at_rest_in_a_simulation():
    net = _net()
    fp = nma.fixed_points(net, inputs={"u": 1.5})
    k = int(np.flatnonzero(fp["stable"].values)[0])
    y0 = {s: [float(fp[f"{s}_{i}"][k]) for i in range(3)] for s in ("r", "v")}
    ds = nma.simulate(net, t=(0, 5), dt=0.01, method="rk4", y0=y0, inputs={"u": 1.5},
                      record="final")
    assert np.allclose(ds["r"].values, y0["r"], atol=1e-9)


def test_bad_network_input_shapes():
    with pytest.raises(OptionsError, match="one number or 3"):
        nma.fixed_points(_net(), inputs={"u": [1.0, 2.0]})
