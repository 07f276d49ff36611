"""Time-dependent inputs of network nodes: against the flat model and a method-of-steps solution."""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.model.network import Network

# x' = I + u: the target parameter I carries the coupling, the input u a stimulus
LIN = nma.Model("lin_u", states={"x": 1.0}, params={"I": 0.0}, inputs={"u": 0.0},
                equations={"x": "I + u"})


def _mpr_net(delays=None):
    W = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]])
    return Network(nma.get_model("montbrio_pazo_roxin"), W, delays=delays, source="r",
                   target="eta", gain="K", labels=["a", "b", "c"])


@pytest.mark.parametrize("method", ["euler", "heun", "rk4", "exp_euler"])
def test_zero_delays_equal_the_flat_model_with_the_same_inputs(method):
    net = _mpr_net()
    pulse = nma.Pulse(amplitude=3.0, start=2.0, stop=4.5)
    ramp = nma.Ramp(start=1.0, stop=6.0, start_value=0.0, stop_value=-1.0)
    inputs = {"u": {0: pulse, "c": ramp}}            # by index and by label; b keeps 0
    run = dict(t=(0.0, 10.0), dt=0.01, method=method, params={"K": 0.7}, sampling=0.1)
    ds = nma.simulate(net, inputs=inputs, **run)
    flat = net.to_model()
    ref = nma.simulate(flat, inputs={"u_0": pulse, "u_2": ramp}, **run)
    for i in range(3):
        for s in ("r", "v"):
            assert np.allclose(ds[s].isel(node=i).values, ref[f"{s}_{i}"].values,
                               atol=1e-10, rtol=0), (s, i)
    quiet = nma.simulate(net, **run)                 # the pulse changed node a
    assert np.abs(ds["r"].isel(node=0).values - quiet["r"].isel(node=0).values).max() > 1e-2


def test_sequence_and_single_signal_forms():
    net = _mpr_net(delays=0.5 * (np.ones((3, 3)) - np.eye(3)))
    run = dict(t=(0.0, 8.0), dt=0.01, method="rk4", params={"K": 0.5}, record="final")
    step = nma.Step(amplitude=1.0, start=3.0)
    every = nma.simulate(net, inputs={"u": step}, **run)
    listed = nma.simulate(net, inputs={"u": [step, step, step]}, **run)
    mapped = nma.simulate(net, inputs={"u": {0: step, 1: step, 2: step}}, **run)
    assert np.array_equal(every["r"].values, listed["r"].values)
    assert np.array_equal(every["r"].values, mapped["r"].values)
    const = nma.simulate(net, inputs={"u": [0.0, 0.2, 0.0]}, **run)
    zero = nma.simulate(net, **run)
    assert not np.allclose(const["r"].values, zero["r"].values)
    assert "Step" in every.attrs["inputs"]


def test_delayed_self_loop_with_a_ramp_matches_the_method_of_steps():
    # x' = -x(t - 1) + t, x = 1 for t <= 0: on [0, 1] x = 1 - t + t^2/2; on [1, 2], with
    # s = t - 1, x' = 2 s - s^2/2, so x = 1/2 + s^2 - s^3/6
    net = Network(LIN, [[-1.0]], delays=[[1.0]], coupling="additive", source="x", target="I")
    ramp = nma.Ramp(start=0.0, stop=2.0, start_value=0.0, stop_value=2.0)
    ds = nma.simulate(net, t=(0.0, 2.0), dt=0.01, method="rk4", inputs={"u": ramp},
                      sampling=0.25)
    t = ds["time"].values
    s = t - 1
    exact = np.where(t <= 1, 1 - t + t ** 2 / 2, 0.5 + s ** 2 - s ** 3 / 6)
    assert np.abs(ds["x"].values[:, 0] - exact).max() < 1e-12


def test_a_jump_falls_on_the_step_edge():
    # x' = u with u a unit step at t = 0.5: x(t) = max(0, t - 0.5) for every method
    net = Network(LIN, [[0.0]], delays=[[0.0]], coupling="additive", source="x", target="I")
    for method in ("euler", "heun", "rk4"):
        ds = nma.simulate(net, t=(0.0, 1.0), dt=0.1, method=method, y0={"x": 0.0},
                          inputs={"u": nma.Step(amplitude=1.0, start=0.5)}, sampling=0.1)
        t = ds["time"].values
        assert np.allclose(ds["x"].values[:, 0], np.maximum(0.0, t - 0.5), atol=1e-14), method


@pytest.mark.parametrize("inputs, match", [
    ({"v": 1.0}, "unknown name 'v'; the node model's inputs are \\['u'\\]"),
    ({"u": {7: 1.0}}, "node 7 is neither a node index"),
    ({"u": {"zz": 1.0}}, "node 'zz' is neither"),
    ({"u": [1.0, 2.0]}, "one value or signal per node, 3 of them; got 2"),
    ({"u": nma.Pulse(amplitude=np.array([1.0, 2.0]), start=1.0, stop=2.0)},
     "sweeps of inputs are not available"),
    ({"u": "loud"}, "expected a number"),
])
def test_bad_inputs_are_named(inputs, match):
    with pytest.raises(OptionsError, match=match):
        nma.simulate(_mpr_net(), t=(0, 1), dt=0.1, inputs=inputs)


def test_a_node_model_without_inputs_says_so():
    W = np.ones((2, 2)) - np.eye(2)
    net = Network(nma.get_model("wilson_cowan"), W)
    with pytest.raises(OptionsError, match="has no inputs"):
        nma.simulate(net, t=(0, 1), dt=0.1, inputs={"IE": 1.0})


@pytest.mark.parametrize("kwargs", [dict(rtol=1e-3), dict(dtype="float32"),
                                    dict(observables=False), dict(max_steps=10)])
def test_options_of_single_models_are_refused_not_ignored(kwargs):
    with pytest.raises(OptionsError, match="simulate of a network does not take"):
        nma.simulate(_mpr_net(), t=(0, 1), dt=0.1, **kwargs)


def test_flat_model_keeps_inputs_and_observables():
    d = LIN.to_dict()
    d["observables"] = {"drive": {"expression": "I + u"}}
    node = nma.Model(**d)
    flat = Network(node, [[0.0, 1.0], [1.0, 0.0]], source="x", target="I").to_model()
    assert flat.input_names == ("u_0", "u_1")
    assert {"drive_0", "drive_1", "coupling_0", "coupling_1"} <= set(flat.observable_names)
