"""Every analysis result follows the shared conventions (results.validate_dataset).

One run of each public analysis on a small model; each Dataset of the result
(every node of a DataTree) must carry the provenance attributes, names and
units on every variable and coordinate, coordinates on every dim, netCDF-safe
attributes, and the shared vocabulary of dims.
"""

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.results.validate import validate_dataset


def _datasets(result):
    """(path, Dataset) of a Dataset or of every non-empty node of a DataTree."""
    if hasattr(result, "subtree"):
        for node in result.subtree:
            ds = node.to_dataset()
            if ds.data_vars:
                yield node.path, ds
    else:
        yield "/", result


RUNS = {
    "simulate": lambda m: nma.simulate(m, t=(0, 20), dt=0.01, params={"I": [0.3, 0.5]},
                                       record="full", sampling=1.0),
    "simulate_minmax": lambda m: nma.simulate(m, t=(0, 20), dt=0.01, record="minmax"),
    "fixed_points": lambda m: nma.fixed_points(m, params={"I": [0.0, 0.5, 1.0]}),
    "phase_plane": lambda m: nma.phase_plane(m, "v", "w", resolution=11),
    "continuation": lambda m: nma.continuation(m, "I", p_range=(0, 2)),
    "continuation_cycles": lambda m: nma.continuation(m, "I", p_range=(0, 2), cycles=True,
                                                      cycle_options={"max_points": 40}),
    "find_cycles": lambda m: nma.find_cycles(m, params={"I": [0.0, 0.5]}, t=(0, 400)),
    "largest_lyapunov": lambda m: nma.largest_lyapunov(m, params={"I": [0.0, 0.5]},
                                                       t=(0, 50), dt=0.01),
    "lyapunov_spectrum": lambda m: nma.lyapunov_spectrum(m, params={"I": [0.0, 0.5]},
                                                         t=(0, 50), dt=0.01),
    "brute_force_diagram": lambda m: nma.brute_force_diagram(
        m, "I", np.linspace(0, 1, 4), t=(0, 100), transient=50),
    "regime_map": lambda m: nma.regime_map(m, {"I": np.linspace(0, 1, 3),
                                               "a": np.linspace(0.6, 0.8, 2)}, t=(0, 300)),
    "basin_map": lambda m: nma.basin_map(m, grid={"v": np.linspace(-2, 2, 5),
                                                  "w": np.linspace(-1, 2, 5)},
                                         params={"I": 0.0}),
    "response_metrics": lambda m: nma.response_metrics(
        nma.simulate(m, t=(0, 50), dt=0.01, params={"I": [0.0, 0.2]},
                     y0={"v": -1.2, "w": -0.6}, record="full", sampling=0.5), "v",
        input_onset=0.0),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_result_follows_the_conventions(fhn, name):
    try:
        result = RUNS[name](fhn)
    except TypeError as exc:          # an analysis whose call differs: say so plainly
        pytest.fail(f"{name}: {exc}")
    problems = {path: validate_dataset(ds) for path, ds in _datasets(result)}
    assert {p: v for p, v in problems.items() if v} == {}
    for path, ds in _datasets(result):
        # the shared vocabulary: 'search_box' (the box searched) and 'stop_bounds'
        # (where trajectories stop), never a 'bounds' or 'box' meaning either
        assert "bounds" not in ds.attrs and "box" not in ds.attrs, path
        assert not {d for d in ds.dims if d in ("point", "special", "eig")} - set(ds.coords)


def test_status_codes_mean_the_same_in_every_analysis(fhn):
    # 1 diverged, 2 left the bounds, 3 out of steps/time: in simulate and in basin_map
    sim = nma.simulate(fhn, t=(0, 1), dt=0.01, record="final")
    bas = nma.basin_map(fhn, grid={"v": np.linspace(-2, 2, 3), "w": np.linspace(-1, 2, 3)},
                        params={"I": 0.0})
    words = [dict(zip(ds["status"].attrs["flag_values"],
                      ds["status"].attrs["flag_meanings"].split())) for ds in (sim, bas)]
    assert words[0][1] == words[1][1] == "diverged"
    assert words[0][2] == words[1][2] == "left_bounds"
    assert words[1][3] == "undecided" and words[0][3] == "max_steps_reached"


def test_stop_bounds_and_search_box_attrs(fhn):
    sim = nma.simulate(fhn, t=(0, 1), dt=0.01, bounds={"v": (-5, 5)}, record="final")
    assert "stop_bounds" in sim.attrs
    fp = nma.fixed_points(fhn)
    assert "search_box" in fp.attrs


def test_eigenvalues_have_rate_units_everywhere():
    jr = nma.get_model("jansen_rit")            # time in seconds
    fp = nma.fixed_points(jr)
    tree = nma.continuation(jr, "p", p_range=(0, 200))
    pp = nma.phase_plane(nma.get_model("wilson_cowan"), "rE", "rI", resolution=11)
    assert fp["eig_real"].attrs["units"] == "1/s"
    assert tree["equilibria/branch_0"]["eig_imag"].attrs["units"] == "1/s"
    assert pp["fp_eig_real"].attrs["units"] == "1/" + nma.get_model("wilson_cowan").time_units
    spec = nma.lyapunov_spectrum(jr, t=(0, 1), dt=1e-3)
    assert spec["lyapunov"].attrs["units"] == "1/s"
