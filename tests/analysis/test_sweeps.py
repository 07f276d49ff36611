"""brute_force_diagram: hysteresis at known folds, oscillation between known Hopf points."""

import json
from pathlib import Path

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.sweeps import brute_force_diagram

REF = Path(__file__).parents[1] / "reference" / "data"


def _ref_params(name, kind):
    ref = json.loads((REF / f"{name}.json").read_text())
    fixed = {k: float(v) for k, v in ref["parameters"].items() if v != "continued"}
    return fixed, sorted(p["crosscheck"]["param"] for p in ref["special_points"]
                         if p["type"] == kind)


def _jump(values, high):
    """Midpoint between the last low and the first high value along the sweep order."""
    k = int(np.argmax(high))
    assert k > 0 and high[k:].all() and not high[:k].any(), high
    return 0.5 * (values[k - 1] + values[k])


def test_mpr_hysteresis_jumps_at_the_folds():
    fixed, (lp_low, lp_high) = _ref_params("mpr_qif", "LP")
    model = nma.get_model("montbrio_pazo_roxin")
    step = 0.1
    eta = np.round(np.arange(-7.0, -1.95, step), 10)
    ds = brute_force_diagram(model, "eta", eta, params=fixed, t=(0, 100), transient=80,
                             dt=0.01, progress=False)
    assert ds["r_mean"].dims == ("direction", "eta", "start")
    assert (ds["status"] == 0).all()
    # high-activity branch: r ~ 0.8-1.4, low one: r < 0.15 (a clean split)
    high = ds["r_mean"].isel(start=0).values > 0.5
    assert np.all((ds["r_mean"].values < 0.15) | (ds["r_mean"].values > 0.5))
    fwd = _jump(eta, high[0])
    bwd = _jump(eta[::-1], ~high[1][::-1])   # backward: high until the jump down
    # each jump lies within one grid step of a fold of the reference (AUTO + mpmath)
    assert abs(fwd - lp_high) <= step, (fwd, lp_high)
    assert abs(bwd - lp_low) <= step, (bwd, lp_low)
    # hysteresis: inside the bistable window the two directions disagree
    inside = (eta > lp_low + step) & (eta < lp_high - step)
    assert inside.sum() > 10
    assert not high[0][inside].any() and high[1][inside].all()
    # outside it they agree (one attractor)
    outside = (eta < lp_low - step) | (eta > lp_high + step)
    np.testing.assert_allclose(ds["r_mean"].values[0][outside], ds["r_mean"].values[1][outside],
                               rtol=1e-6)
    # equilibria: min = max after the transient
    assert float(abs(ds["r_max"] - ds["r_min"]).max()) < 1e-6


def test_several_starts_follow_their_own_attractor():
    fixed, (lp_low, lp_high) = _ref_params("mpr_qif", "LP")
    eta = np.linspace(-5.0, -4.0, 5)     # inside the bistable window
    assert lp_low < eta.min() and eta.max() < lp_high
    ds = brute_force_diagram(nma.get_model("montbrio_pazo_roxin"), "eta", eta, params=fixed,
                             y0=[{"r": 0.05, "v": -2.0}, (1.0, 0.0)], t=(0, 60), dt=0.01)
    assert ds.sizes["start"] == 2
    np.testing.assert_allclose(ds["r_0"].values, [0.05, 1.0])
    r = ds["r_mean"].values
    assert np.all(r[:, :, 0] < 0.15) and np.all(r[:, :, 1] > 0.5)


def test_fitzhugh_nagumo_oscillates_between_the_hopf_points(fhn):
    fixed, (hb1, hb2) = _ref_params("fhn", "HB")
    I = np.round(np.arange(0.0, 1.81, 0.1), 10)
    # keep clear of the narrow bistable (canard) windows next to each Hopf point
    # (between a Hopf point and the cycle fold 0.007 beyond it)
    assert np.min(np.abs(I - hb1)) > 0.015 and np.min(np.abs(I - hb2)) > 0.015
    ds = brute_force_diagram(fhn, "I", I, params=fixed, t=(0, 600), transient=400, dt=0.05)
    amp = (ds["v_max"] - ds["v_min"]).values
    between = (I > hb1) & (I < hb2)
    assert between.sum() >= 10 and (~between).sum() >= 6
    assert np.all(amp[:, between] > 3.0)          # relaxation oscillation
    assert np.all(amp[:, ~between] < 1e-4)        # stable equilibrium
    mean = ds["v_mean"].values
    assert np.all((mean >= ds["v_min"].values - 1e-12) & (mean <= ds["v_max"].values + 1e-12))


def test_memory_does_not_grow_with_the_run():
    model = nma.get_model("stuart_landau")
    mu = np.array([-1.0, 0.5, 1.0])
    short = brute_force_diagram(model, "mu", mu, t=(0, 10), dt=0.01)
    long = brute_force_diagram(model, "mu", mu, t=(0, 200), dt=0.01)
    assert "time" not in long.dims and long.nbytes == short.nbytes
    assert dict(long.sizes) == {"direction": 2, "mu": 3, "start": 1}
    # closed form: the Stuart-Landau cycle has radius sqrt(mu), so x_max = sqrt(mu)
    # (backward: from mu = 1 down; forward, the run at mu = 0.5 starts at the
    # equilibrium reached at mu = -1, within 1e-40 of it, and stays for ~200 time units)
    np.testing.assert_allclose(long["x_max"].sel(direction="backward", mu=[0.5, 1.0]).values,
                               np.sqrt([[0.5], [1.0]]), rtol=1e-4)
    assert float(abs(long["x_max"].sel(mu=-1.0)).max()) < 1e-6


def test_observables_are_reduced_too():
    jr = nma.get_model("jansen_rit")
    ds = brute_force_diagram(jr, "p", [120.0, 220.0], t=(0, 2), transient=1, dt=1e-4,
                             directions="forward")
    assert ds.sizes["direction"] == 1 and "v_pc_max" in ds and "v_pc_mean" in ds
    # v_pc = y1 - y2 is linear, so its mean is the difference of the means
    np.testing.assert_allclose(ds["v_pc_mean"], ds["y1_mean"] - ds["y2_mean"], rtol=1e-9)


def test_failed_runs_are_flagged_and_the_sweep_restarts():
    # x' = k + x^2: blows up for k > 0, settles at -sqrt(-k) for k < 0
    model = nma.Model(name="test_saddle_node", states={"x": 0.0}, params={"k": -1.0},
                      equations={"x": "k + x^2"})
    ds = brute_force_diagram(model, "k", [-1.0, 1.0, -4.0], t=(0, 20), dt=0.001,
                             directions=["forward"])
    assert ds["status"].values.ravel().tolist() == [0, 1, 0]
    np.testing.assert_allclose(ds["x_final"].values.ravel()[[0, 2]], [-1.0, -2.0], rtol=1e-9)
    assert np.isnan(ds["x_max"].values.ravel()[1]) and ds.attrs["n_failed"] == 1


def test_bad_input_names_the_argument(fhn):
    with pytest.raises(nma.OptionsError, match="`param` must be a parameter"):
        brute_force_diagram(fhn, "v", [0.0, 1.0])
    with pytest.raises(nma.OptionsError, match="`directions`"):
        brute_force_diagram(fhn, "I", [0.0, 1.0], directions=["up"])
    with pytest.raises(nma.OptionsError, match="same length"):
        brute_force_diagram(fhn, "I", [0.0, 1.0], y0={"v": [0.0, 1.0], "w": [0.0, 1.0, 2.0]})
    with pytest.raises(nma.OptionsError, match="must be a number"):
        brute_force_diagram(fhn, "I", [0.0, 1.0], params={"a": [0.6, 0.7]})
    with pytest.raises(nma.OptionsError, match="swept parameter"):
        brute_force_diagram(fhn, "I", [0.0, 1.0], params={"I": 0.3})


def test_plot_over_a_bifurcation_diagram(fhn):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nmanalysis.plot.sweeps import SWEEP_STYLES, brute_force

    I = np.array([0.0, 0.8, 1.6])
    ds = brute_force_diagram(fhn, "I", I, t=(0, 300), dt=0.05)
    tree = nma.continuation(fhn, "I", p_range=(0, 2))
    fig, ax = plt.subplots()
    nma.plot.bifurcation(tree, "v", ax=ax)
    artists = brute_force(ds, "v", ax=ax)
    assert set(artists) == {"forward", "backward"}
    fwd_max, fwd_min = artists["forward"]
    np.testing.assert_array_equal(fwd_max.get_xdata(), I)
    np.testing.assert_allclose(fwd_max.get_ydata(), ds["v_max"].sel(direction="forward")
                               .values.ravel())
    assert fwd_max.get_marker() != artists["backward"][0].get_marker()
    assert artists["forward"][0].get_marker() == SWEEP_STYLES["forward"]["marker"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "forward sweep" in labels and "backward sweep" in labels
    # a plain simulate sweep is drawn the way bifurcation(overlay=...) draws it
    sim = nma.simulate(fhn, t=(0, 100), dt=0.05, params={"I": I}, record="minmax")
    plain = brute_force(sim, "v", ax=ax, legend=False)
    assert plain[None][0].get_marker() == "."
    with pytest.raises(nma.OptionsError, match="no variable w_mean"):
        brute_force(sim, "w", reductions=("mean",))
    plt.close("all")
