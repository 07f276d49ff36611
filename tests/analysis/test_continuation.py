"""Continuation on normal forms written by hand: BP detection and branch switching."""

import numpy as np
import pytest

import nmanalysis as nma

TRANSCRITICAL = nma.Model(name="test_transcritical", states={"x": {"value": 0.0,
                                                                   "bounds": (-2, 2)}},
                          params={"mu": -1.0}, equations={"x": "mu*x - x^2"})
PITCHFORK = nma.Model(name="test_pitchfork2", states={"x": {"value": 0.0, "bounds": (-2, 2)}},
                      params={"mu": -1.0}, equations={"x": "mu*x - x^3"})
FOLD = nma.Model(name="test_fold", states={"x": {"value": 1.0, "bounds": (-3, 3)}},
                 params={"mu": 1.0}, equations={"x": "mu - x^2"})
HOPF = nma.Model(name="test_hopf_nf", states={"x": {"value": 0.0, "bounds": (-2, 2)},
                                              "y": {"value": 0.0, "bounds": (-2, 2)}},
                 params={"mu": -1.0, "w": 2.0, "c": 0.7},
                 equations={"x": "mu*x - w*y + c*x*(x^2 + y^2)",
                            "y": "w*x + mu*y + c*y*(x^2 + y^2)"})


def _branches(tree):
    return [tree["equilibria"][b].to_dataset() for b in tree["equilibria"].children]


def test_transcritical_branch_point_and_switching():
    tree = nma.continuation(TRANSCRITICAL, "mu", p_range=(-1, 1), start={"x": 0.0})
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["BP"]
    assert abs(float(sp["mu"][0])) < 1e-10 and abs(float(sp["x"][0])) < 1e-10
    branches = _branches(tree)
    assert len(branches) == 2
    other = [b for b in branches if np.ptp(b["x"].values) > 0.5][0]
    np.testing.assert_allclose(other["x"].values, other["mu"].values, atol=1e-9)
    # exchange of stability: x = 0 stable for mu < 0, x = mu stable for mu > 0
    trivial = [b for b in branches if np.ptp(b["x"].values) < 1e-9][0]
    assert bool(np.all(trivial["stable"].values[trivial["mu"].values < -0.05]))
    assert not bool(np.any(trivial["stable"].values[trivial["mu"].values > 0.05]))
    assert bool(np.all(other["stable"].values[other["mu"].values > 0.05]))


def test_pitchfork_branch_point_and_both_new_branches():
    tree = nma.continuation(PITCHFORK, "mu", p_range=(-1, 1), start={"x": 0.0})
    sp = nma.special_points(tree)
    bp = sp.where(sp["type"] == "BP", drop=True)
    assert bp.sizes["special"] >= 1
    assert abs(float(bp["mu"][0])) < 1e-10
    branches = _branches(tree)
    assert len(branches) == 2
    other = [b for b in branches if np.ptp(b["x"].values) > 0.5][0]
    mu, x = other["mu"].values, other["x"].values
    np.testing.assert_allclose(mu, x ** 2, atol=1e-9)          # mu = x^2: both signs of x
    assert x.min() < -0.9 and x.max() > 0.9
    assert bool(np.all(other["stable"].values[np.abs(x) > 0.1]))   # supercritical


def test_fold_coefficient_of_the_saddle_node_normal_form():
    # x' = mu - x^2: fold at mu = 0 with a = 1/2 <p, B(q, q)> = -1 (q = p = 1, B = -2)
    tree = nma.continuation(FOLD, "mu", p_range=(-1, 1), params={"mu": 1.0})
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["LP"]
    assert abs(float(sp["mu"][0])) < 1e-10
    assert abs(float(sp["fold_coefficient"][0]) + 1.0) < 1e-10


@pytest.mark.parametrize("c, crit", [(0.7, "subcritical"), (-0.7, "supercritical")])
def test_hopf_normal_form_lyapunov_coefficient(c, crit):
    # z = x + iy obeys z' = (mu + i w) z + c z |z|^2. With <q, q> = 1, q = (1, -i)/sqrt(2),
    # the normal-form coordinate is u = z/sqrt(2), so u' = i w u + 2c u |u|^2: l1 = 2c/w.
    tree = nma.continuation(HOPF, "mu", p_range=(-1, 1), params={"c": c}, start=[0.0, 0.0])
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["HB"]
    assert abs(float(sp["mu"][0])) < 1e-10
    assert abs(float(sp["angular_frequency"][0]) - 2.0) < 1e-10
    assert abs(float(sp["first_lyapunov"][0]) - 2 * c / 2.0) < 1e-10
    assert str(sp["criticality"].values[0]) == crit


def test_bad_arguments():
    with pytest.raises(nma.OptionsError, match="free parameter"):
        nma.continuation(FOLD, "nope", p_range=(0, 1))
    with pytest.raises(nma.OptionsError, match="p_range"):
        nma.continuation(FOLD, "mu", p_range=(1, 0))
    with pytest.raises(nma.OptionsError, match="outside p_range"):
        nma.continuation(FOLD, "mu", p_range=(0, 1), params={"mu": 2.0})
    with pytest.raises(nma.OptionsError, match="special_points"):
        nma.special_points(nma.simulate(FOLD, t=(0, 1), dt=0.1, record="final"))


def test_start_from_a_fixed_points_row(wc):
    fp = nma.fixed_points(wc, params={"IE": 0.0})
    tree = nma.continuation(wc, "IE", p_range=(-1, 1), params={"IE": 0.0},
                            start=fp.isel(fp=1), switch_branches=False)
    sp = nma.special_points(tree)
    assert sorted(sp["type"].values.tolist()) == ["LP", "LP"]
    assert len(tree["equilibria"].children) == 1


def test_fold_coefficient_does_not_depend_on_the_run(wc):
    a = [float(nma.special_points(nma.continuation(wc, "IE", p_range=r))["fold_coefficient"][0])
         for r in ((-2, 2), (-2, 6))]
    assert a[0] == pytest.approx(a[1], rel=1e-8)


# -- options objects: one source of defaults, validated -------------------------------------
def test_options_object_gives_the_same_diagram_as_keywords(fhn):
    from nmanalysis.analysis.continuation import ContinuationOptions
    a = nma.continuation(fhn, "I", p_range=(0, 2))
    b = nma.continuation(fhn, "I", options=ContinuationOptions(p_range=(0, 2)))
    np.testing.assert_array_equal(nma.special_points(a)["I"].values,
                                  nma.special_points(b)["I"].values)
    assert a.attrs["ds_max"] == b.attrs["ds_max"] == ContinuationOptions().ds_max
    # a keyword overrides the object's field
    c = nma.continuation(fhn, "I", options=ContinuationOptions(p_range=(0, 2)), ds_max=0.01)
    assert c.attrs["ds_max"] == 0.01


@pytest.mark.parametrize("kwargs, match", [
    (dict(ds=-1.0), "0 < ds_min <= ds <= ds_max"),
    (dict(ds=float("nan")), "0 < ds_min <= ds <= ds_max"),
    (dict(max_points=1), "max_points"),
    (dict(tol=0.0), "tol"),
    (dict(options={"ds": 0.1}), "ContinuationOptions"),
])
def test_continuation_options_are_validated(fhn, kwargs, match):
    with pytest.raises(nma.OptionsError, match=match):
        nma.continuation(fhn, "I", p_range=(0, 2), **kwargs)


def test_cycle_options_are_validated():
    from nmanalysis.analysis.continuation.periodic.engine import CycleOptions
    with pytest.raises(nma.OptionsError, match="0 < ds_min <= ds <= ds_max"):
        CycleOptions(p_range=(0, 1), ds=1.0, ds_max=0.5)
    with pytest.raises(nma.OptionsError, match="p_range"):
        CycleOptions(p_range=(1, 0))


def test_time_dependent_model_is_refused_by_both_problems():
    forced = nma.Model(name="forced", states={"x": 0.0}, params={"a": 1.0},
                       equations={"x": "-a*x + sin(t)"})
    with pytest.raises(nma.OptionsError, match="continuation of equilibria needs an autonomous"):
        nma.continuation(forced, "a", p_range=(0, 2))
    from nmanalysis.analysis.continuation.periodic.problem import CycleProblem
    with pytest.raises(nma.OptionsError, match="periodic orbits needs an autonomous"):
        CycleProblem(forced, "a")
    with pytest.raises(nma.OptionsError, match="free parameter must be one of"):
        CycleProblem(forced, "b")
