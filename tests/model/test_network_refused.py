"""Analyses of ordinary differential equations refuse a Network with a clear message."""

import numpy as np
import pytest

import nmanalysis as nma

WC = nma.get_model("wilson_cowan")
DELAYED = nma.Network(WC, [[0, 1], [1, 0]], delays=[[0, 2.0], [2.0, 0]], params={"K": 1.0})
PLAIN = nma.Network(WC, [[0, 1], [1, 0]], params={"K": 1.0})

CALLS = {
    "phase_plane": lambda net: nma.phase_plane(net, "rE_0", "rE_1"),
    "basin_map": lambda net: nma.basin_map(net, {"rE_0": np.linspace(0, 1, 3),
                                                 "rE_1": np.linspace(0, 1, 3)}),
    "basin_fractions": lambda net: nma.basin_fractions(net),
    "brute_force_diagram": lambda net: nma.brute_force_diagram(net, "K", [0.0, 1.0]),
    "find_cycles": lambda net: nma.find_cycles(net),
    "polish_cycle": lambda net: nma.polish_cycle(net, np.zeros(4), 10.0),
    "cycle_continuation": lambda net: nma.cycle_continuation(net, "K", None, p_range=(0, 1)),
    "largest_lyapunov": lambda net: nma.largest_lyapunov(net),
    "lyapunov_spectrum": lambda net: nma.lyapunov_spectrum(net),
    "codim2_continuation": lambda net: nma.codim2_continuation(
        net, ("K", "IE"), ranges={"K": (0, 1), "IE": (0, 1)}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_delayed_network_refused_by_name(name):
    with pytest.raises(nma.OptionsError, match=rf"^{name} takes a Model, not a Network with "
                                               r"delays.*nma\.simulate"):
        CALLS[name](DELAYED)


@pytest.mark.parametrize("name", ["phase_plane", "find_cycles", "largest_lyapunov"])
def test_network_without_delays_points_to_its_flat_model(name):
    with pytest.raises(nma.OptionsError, match=rf"{name}\(net\.to_model\(\), \.\.\.\)"):
        CALLS[name](PLAIN)
