"""States without declared bounds: sizes come from the model, and steps cannot jump a fold.

Truth is the 30-digit crosscheck of the reference files (tests/reference/data),
independent of this package. A model written in other units (x -> s x) must
give the same special points in the parameter.
"""

import re

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.scales import natural_sizes, search_box, state_widths

from ..reference.models import load


def _unbounded(name):
    d = nma.get_model(name).to_dict()
    for s in d["states"].values():
        s.pop("bounds", None)
    d["name"] = f"{name}_unbounded"
    return nma.Model(**d)


def _rescaled_wc(s):
    """Wilson-Cowan (PyRates form, no bounds) in states x = s * r: dx/dt = s f(x / s)."""
    d = _unbounded("wilson_cowan_pyrates").to_dict()
    sub = lambda e: re.sub(r"\b(re|ri)\b", lambda m: f"({m.group(1)}/{s!r})", e)  # noqa: E731
    d["equations"] = {k: f"{s!r}*({sub(v)})" for k, v in d["equations"].items()}
    d["observables"] = {k: dict(v, expression=sub(v["expression"]))
                        for k, v in d["observables"].items()}
    d["name"] = "wc_rescaled"
    return nma.Model(**d)


def _check_special(tree, ref, param, p_range, state_factor=1.0):
    want = sorted((s for s in ref["special_points"]
                   if p_range[0] < s["crosscheck"]["param"] < p_range[1]),
                  key=lambda s: s["crosscheck"]["param"])
    sp = nma.special_points(tree)
    order = np.argsort(sp[param].values)
    assert [str(sp["type"].values[k]) for k in order] == [w["type"] for w in want]
    for k, w in zip(order, want):
        p_ref = w["crosscheck"]["param"]
        assert abs(float(sp[param].values[k]) - p_ref) <= 1e-8 * max(1.0, abs(p_ref))
        x = np.array([float(sp[v].values[k]) for v in ref["state_variables"]]) / state_factor
        np.testing.assert_allclose(x, np.array(w["crosscheck"]["state"], float),
                                   rtol=1e-7, atol=1e-9)
        assert str(sp["status"].values[k]) == "located"


def test_wilson_cowan_without_bounds_finds_both_folds():
    ref = load("wc_pyrates")
    tree = nma.continuation(_unbounded("wilson_cowan_pyrates"), "r_ext_e", p_range=(-0.5, 1.5))
    _check_special(tree, ref, "r_ext_e", (-0.5, 1.5))


def test_pyrates_template_finds_both_folds():
    from pathlib import Path

    path = Path(__file__).parents[1] / "io" / "data" / "pyrates" / "wilsoncowan.yaml"
    m = nma.load_model(path, template="model_templates.neural_mass_models.wilsoncowan.WC")
    assert all(m.state_info[s].bounds is None for s in m.state_names)
    sp = nma.special_points(nma.continuation(m, "r_ext_e", p_range=(-0.5, 1.5)))
    want = sorted(s["crosscheck"]["param"] for s in load("wc_pyrates")["special_points"])
    assert sp["type"].values.tolist() == ["LP", "LP"]
    np.testing.assert_allclose(np.sort(sp["r_ext_e"].values), want, rtol=1e-8)


@pytest.mark.parametrize("name, ref_name, param, p_range", [
    ("jansen_rit", "jansen_rit", "p", (-100.0, 500.0)),
    ("montbrio_pazo_roxin", "mpr_qif", "eta", (-10.0, 0.0)),
    ("fitzhugh_nagumo", "fhn", "I", (-1.0, 3.0)),
])
def test_library_models_without_bounds(name, ref_name, param, p_range):
    tree = nma.continuation(_unbounded(name), param, p_range=p_range)
    _check_special(tree, load(ref_name), param, p_range)


@pytest.mark.parametrize("s", [1e-3, 1e3])
def test_rescaled_states_leave_the_folds_unchanged(s):
    tree = nma.continuation(_rescaled_wc(s), "r_ext_e", p_range=(-0.5, 1.5))
    _check_special(tree, load("wc_pyrates"), "r_ext_e", (-0.5, 1.5), state_factor=s)


def test_step_control_alone_does_not_jump_the_folds():
    """With a 20-wide box as scale (about 70 times the branch's extent), the chord
    test still refuses the step that lands on the far sheet past both folds."""
    m = _unbounded("wilson_cowan_pyrates")
    box = {"re": (-10.0, 10.0), "ri": (-10.0, 10.0)}
    assert np.all(state_widths(m, box) == 20.0)
    tree = nma.continuation(m, "r_ext_e", p_range=(-0.5, 1.5), state_bounds=box)
    _check_special(tree, load("wc_pyrates"), "r_ext_e", (-0.5, 1.5))


def test_natural_sizes_follow_the_units():
    base = natural_sizes(_unbounded("wilson_cowan_pyrates"))
    assert np.all(np.isfinite(base)) and np.all(base > 0)
    for s in (1e-3, 1e3):
        np.testing.assert_allclose(natural_sizes(_rescaled_wc(s)), s * base, rtol=1e-6)
    # declared bounds keep their widths; the sizes of such states are not needed
    lib = nma.get_model("wilson_cowan_pyrates")
    assert np.all(np.isnan(natural_sizes(lib)))
    assert state_widths(lib).tolist() == [0.8, 0.8]


def test_search_box_holds_the_equilibria_in_any_units():
    # at r_ext_e = 20 the only equilibrium has re = 0.468 (declared-bounds model as truth)
    lib = nma.fixed_points(nma.get_model("wilson_cowan_pyrates"), params={"r_ext_e": 20.0})
    assert lib.sizes["fp"] == 1
    for s in (1e-3, 1.0, 1e3):
        m = _rescaled_wc(s)
        lo, hi = search_box(m, None)
        assert np.all(lo < s * lib["re"].values[0]) and np.all(s * lib["re"].values[0] < hi)
        fp = nma.fixed_points(m, params={"r_ext_e": 20.0})
        np.testing.assert_allclose(fp["re"].values / s, lib["re"].values, rtol=1e-8)


@pytest.mark.parametrize("s", [1e-6, 1e3, 1e6])
def test_fixed_points_in_any_units(s):
    # the same model in units scaled by s: the same equilibria (in the bistable range
    # three of them, the middle one with all states of one sign and |x| > 1 for s >= 1e3)
    ps = np.linspace(-0.1, 0.15, 11)
    ref = nma.fixed_points(_rescaled_wc(1.0), params={"r_ext_e": ps})
    got = nma.fixed_points(_rescaled_wc(s), params={"r_ext_e": ps})
    assert got["n_fp"].values.tolist() == ref["n_fp"].values.tolist()
    assert max(ref["n_fp"].values) == 3
    for v in ("re", "ri"):
        np.testing.assert_allclose(got[v].values / s, ref[v].values, rtol=0, atol=1e-10)


def test_duplicates_are_merged_by_size_not_by_sign():
    from nmanalysis.analysis.equilibria import _dedup

    sol = np.array([[-81.2, -6.1], [-18.4, -2.7], [-81.2 * (1 + 1e-12), -6.1], [-18.4, -2.7],
                    [5.0, 1.0], [5.0 + 1e-3, 1.0], [2.0 ** 3 * (1 - 1e-15), 1.0],
                    [2.0 ** 3, 1.0]])
    row = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    out, r = _dedup(sol, row, 1e-7)
    assert r.tolist() == [0, 0, 1, 1, 1]          # 8 (1 - 1e-15) and 8 straddle a power of 2
    np.testing.assert_allclose(out[:, 0], [-81.2, -18.4, 5.0, 5.001, 8.0], rtol=1e-9)
