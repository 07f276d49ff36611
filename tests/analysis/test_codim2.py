"""Two-parameter continuation: fold and Hopf curves and their codim-2 points.

Truth: the AUTO-07p cusp points and fold curves of the reference files (with
their 30-digit cross-checks), normal-form systems whose curves, codim-2 points
and coefficients are derived by hand below, and, for Jansen-Rit, the
one-parameter diagram (a second implementation of the Hopf test and of l1).
"""

import numpy as np
import pytest
import sympy as sp
import xarray as xr

import nmanalysis as nma
from nmanalysis.analysis.continuation.codim2.curve import ScaledCurve
from nmanalysis.analysis.continuation.codim2.problem import TwoParameterProblem
from nmanalysis.analysis.continuation.codim2.systems import FoldSystem
from nmanalysis.analysis.continuation.normal_forms import fold_coefficient
from nmanalysis.analysis.continuation.problem import ContinuationProblem

from ..reference.models import load, wc_bm

_TREES = {}


def _tree(key, make):
    if key not in _TREES:
        _TREES[key] = make()
    return _TREES[key]


def _curves(tree, kind):
    if kind not in tree:
        return []
    return [tree[kind][c].to_dataset() for c in tree[kind].children]


def _rows(sp_, kind):
    return [i for i, t in enumerate(sp_["type"].values) if t == kind]


# --- normal-form systems (shifted so that the codim-2 point is not at the origin) ----------

def _bt_model():
    # x' = y, y' = b1' + b2' y + x^2 + s x y with b1' = b1 - 0.3, b2' = b2 + 0.4.
    # Equilibria y = 0, x = +-sqrt(-b1'); fold curve b1' = 0; at x = 0 the Jacobian
    # [[0, 1], [0, b2']] is a Jordan block for b2' = 0: BT at (b1, b2) = (0.3, -0.4).
    # Trace b2' + s x = 0 with det = -2x: Hopf (x < 0) for b2' > 0, omega^2 = 2 b2'/s,
    # neutral saddle (x > 0) for b2' < 0; both on b1' = -(b2'/s)^2.
    # q0 = (1, 0), q1 = (0, 1), p1 = (0, 1), p0 = (1, 0): a = 1, b = s.
    return nma.Model(name="t_c2_bt", states={"x": {"value": 0.0, "bounds": (-3, 3)},
                                             "y": {"value": 0.0, "bounds": (-3, 3)}},
                     params={"b1": -1.0, "b2": 0.5, "s": 0.7},
                     equations={"x": "y", "y": "(b1 - 0.3) + (b2 + 0.4)*y + x^2 + s*x*y"})


def _cp_model():
    # x' = a' + b' x - 2 x^3 + x y, y' = -y + x^2 (a' = a - 0.3, b' = b + 0.2).
    # Centre manifold y = x^2 + ...: x' = a' + b' x - x^3, so the cusp is at a' = b' = 0
    # with c = -2 + 1 = -1, and the fold curve is b' = 3 x^2, a' = -2 x^3.
    return nma.Model(name="t_c2_cp", states={"x": {"value": 0.0, "bounds": (-2, 2)},
                                             "y": {"value": 0.0, "bounds": (-1, 5)}},
                     params={"a": 0.0, "b": 1.0},
                     equations={"x": "(a - 0.3) + (b + 0.2)*x - 2*x^3 + x*y", "y": "-y + x^2"})


GH_OMEGA, GH_C = 1.7, -0.8


def _gh_model():
    # z' = (b1' + i w) z + (b2' + 0.3 i) z|z|^2 + c z|z|^4, z = x + i y, then x = u,
    # y = v + 0.6 u^2 (tangent to the identity, so l1 and, where l1 = 0, l2 keep their
    # values). In <q, q> = 1 coordinates w = z / sqrt(2): w' = ... + 2 (b2' + 0.3 i) w|w|^2
    # + 4 c w|w|^4, so along the Hopf curve b1' = 0: l1 = 2 b2'/w; GH at b2' = 0 with
    # l2 = 4 c / w.
    u, v, b1, b2 = sp.symbols("u v b1 b2", real=True)
    x, y = u, v + 0.6 * u ** 2
    r2 = x ** 2 + y ** 2
    B1, B2 = b1 - 0.2, b2 + 0.3
    F1 = B1 * x - GH_OMEGA * y + (B2 * x - 0.3 * y) * r2 + GH_C * x * r2 ** 2
    F2 = GH_OMEGA * x + B1 * y + (0.3 * x + B2 * y) * r2 + GH_C * y * r2 ** 2
    return nma.Model(name="t_c2_gh", states={"u": {"value": 0.0, "bounds": (-1, 1)},
                                             "v": {"value": 0.0, "bounds": (-1, 1)}},
                     params={"b1": 0.0, "b2": 0.5},
                     equations={"u": str(F1), "v": str(F2 - 1.2 * u * F1)})


def _zh_model():
    # x' = b1' + x^2 + (y^2 + z^2), (y, z) rotating at 1.3 with growth b2' + 0.8 x.
    # Fold curve b1' = 0 (x = 0, eigenvalues 0 and b2' +- 1.3 i): ZH at b2' = 0.
    # With q0 = p0 = (1, 0, 0), q1 = (0, 1, -i)/sqrt(2): B = 1/2 <p0, B(q0, q0)> = 1,
    # C = <p0, B(q1, conj q1)> = 2, D = <p1, B(q0, q1)> = 0.8: s = 1, theta = 0.8.
    return nma.Model(name="t_c2_zh", states={k: {"value": 0.0, "bounds": (-2, 2)}
                                             for k in "xyz"},
                     params={"b1": -1.0, "b2": 0.5},
                     equations={"x": "(b1 - 0.2) + x^2 + y^2 + z^2",
                                "y": "(b2 + 0.3)*y - 1.3*z + 0.8*x*y",
                                "z": "1.3*y + (b2 + 0.3)*z + 0.8*x*z"})


HH_A = (-1.0, -0.5, 0.7, -1.3)


def _hh_model():
    # Two oscillators z_k' = (m_k + i w_k) z_k + (a_k1 |z1|^2 + a_k2 |z2|^2) z_k with
    # m1 = b1 - 0.1, m2 = b2 + 0.2, w = (1, 1.618), then y2 = v + 0.5 x1^2 - 0.3 x1 x2
    # (tangent to the identity). In <q, q> = 1 coordinates |z|^2 = 2 |w|^2, so
    # p_jk = 2 a_jk, theta = a12/a22, delta = a21/a11; HH at (b1, b2) = (0.1, -0.2).
    x1, y1, x2, v, b1, b2 = sp.symbols("x1 y1 x2 v b1 b2", real=True)
    y2 = v + 0.5 * x1 ** 2 - 0.3 * x1 * x2
    r1, r2 = x1 ** 2 + y1 ** 2, x2 ** 2 + y2 ** 2
    a11, a12, a21, a22 = HH_A
    m1, m2 = b1 - 0.1, b2 + 0.2
    F = [m1 * x1 - y1 + (a11 * r1 + a12 * r2) * x1, x1 + m1 * y1 + (a11 * r1 + a12 * r2) * y1,
         m2 * x2 - 1.618 * y2 + (a21 * r1 + a22 * r2) * x2,
         1.618 * x2 + m2 * y2 + (a21 * r1 + a22 * r2) * y2]
    F[3] = F[3] - (x1 - 0.3 * x2) * F[0] + 0.3 * x1 * F[2]
    names = ["x1", "y1", "x2", "v"]
    return nma.Model(name="t_c2_hh", states={k: {"value": 0.0, "bounds": (-1, 1)} for k in names},
                     params={"b1": 0.0, "b2": 0.5}, equations=dict(zip(names, map(str, F))))


def _bt_tree():
    return nma.codim2_continuation(_bt_model(), ("b1", "b2"),
                                   ranges={"b1": (-2, 2), "b2": (-1.5, 1.5)})


def test_bogdanov_takens_normal_form():
    tree = _tree("bt", _bt_tree)
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["BT"]          # no HB label on the neutral saddle
    assert str(sp_["status"].values[0]) == "located"
    np.testing.assert_allclose([float(sp_["b1"][0]), float(sp_["b2"][0])], [0.3, -0.4],
                               rtol=1e-9)
    np.testing.assert_allclose(float(sp_["bt_a"][0]), 1.0, rtol=1e-9)
    np.testing.assert_allclose(float(sp_["bt_b"][0]), 0.7, rtol=1e-9)
    assert set(str(sp_["branch"].values[0]).split(",")) == {"fold/branch_0", "hopf/branch_0"}
    (fold,), (hopf,) = _curves(tree, "fold"), _curves(tree, "hopf")
    np.testing.assert_allclose(fold["b1"].values, 0.3, rtol=1e-10)
    # the Hopf curve and its neutral-saddle continuation: b1' = -(b2'/s)^2
    b2p = hopf["b2"].values + 0.4
    np.testing.assert_allclose(hopf["b1"].values - 0.3, -(b2p / 0.7) ** 2, atol=1e-9)
    assert np.array_equal(hopf["neutral_saddle"].values, b2p <= 0)
    hopf_part = b2p > 1e-6
    np.testing.assert_allclose(hopf["omega"].values[hopf_part] ** 2,
                               2 * b2p[hopf_part] / 0.7, rtol=1e-9)
    assert np.all(np.isnan(hopf["omega"].values[~hopf_part & (b2p < 0)]))
    assert fold.attrs["status"] == hopf.attrs["status"] == "complete"


def test_hopf_curve_ends_at_bt_without_neutral_saddles():
    tree = nma.codim2_continuation(_bt_model(), ("b1", "b2"),
                                   ranges={"b1": (-2, 2), "b2": (-1.5, 1.5)},
                                   neutral_saddles=False)
    (hopf,) = _curves(tree, "hopf")
    assert "Bogdanov-Takens" in hopf.attrs["stop_reason_start_side"] + \
        hopf.attrs["stop_reason_end_side"]
    assert np.all(hopf["kappa"].values > -1e-9)          # no neutral saddle on it
    end = int(np.argmin(hopf["kappa"].values))               # it ends on the BT point
    np.testing.assert_allclose([hopf["b1"].values[end], hopf["b2"].values[end]], [0.3, -0.4],
                               atol=1e-9)


def test_cusp_normal_form_and_fold_curve():
    tree = nma.codim2_continuation(_cp_model(), ("a", "b"),
                                   ranges={"a": (-1, 1), "b": (-1.5, 1.5)})
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["CP"]
    np.testing.assert_allclose([float(sp_["a"][0]), float(sp_["b"][0])], [0.3, -0.2],
                               rtol=1e-9)
    np.testing.assert_allclose(float(sp_["cusp_coefficient"][0]), -1.0, rtol=1e-9)
    (fold,) = _curves(tree, "fold")                # both LPs of b = 1 lie on one curve
    x = fold["x"].values
    np.testing.assert_allclose(fold["b"].values + 0.2, 3 * x ** 2, atol=1e-9)
    np.testing.assert_allclose(fold["a"].values - 0.3, -2 * x ** 3, atol=1e-9)
    np.testing.assert_allclose(fold["y"].values, x ** 2, atol=1e-9)


def test_generalised_hopf_second_lyapunov_coefficient():
    tree = nma.codim2_continuation(_gh_model(), ("b1", "b2"),
                                   ranges={"b1": (-1, 1), "b2": (-1, 1.5)})
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["GH"]
    np.testing.assert_allclose([float(sp_["b1"][0]), float(sp_["b2"][0])], [0.2, -0.3],
                               rtol=1e-9)
    np.testing.assert_allclose(float(sp_["second_lyapunov"][0]), 4 * GH_C / GH_OMEGA,
                               rtol=1e-8)
    np.testing.assert_allclose(float(sp_["angular_frequency"][0]), GH_OMEGA, rtol=1e-10)
    (hopf,) = _curves(tree, "hopf")
    np.testing.assert_allclose(hopf["b1"].values, 0.2, rtol=1e-10)
    np.testing.assert_allclose(hopf["first_lyapunov"].values,
                               2 * (hopf["b2"].values + 0.3) / GH_OMEGA, atol=1e-9)


def test_zero_hopf_and_no_false_generalised_hopf_at_the_pole_of_l1():
    tree = nma.codim2_continuation(_zh_model(), ("b1", "b2"),
                                   ranges={"b1": (-2, 1), "b2": (-1.5, 1.5)})
    sp_ = nma.special_points(tree)
    # l1 changes sign through a pole at the ZH point of the Hopf curve: not a GH point
    assert sp_["type"].values.tolist() == ["ZH"]
    np.testing.assert_allclose([float(sp_["b1"][0]), float(sp_["b2"][0])], [0.2, -0.3],
                               rtol=1e-9)
    assert float(sp_["zh_s"][0]) == 1.0
    np.testing.assert_allclose(float(sp_["zh_theta"][0]), 0.8, rtol=1e-9)
    np.testing.assert_allclose(float(sp_["angular_frequency"][0]), 1.3, rtol=1e-9)
    (hopf,) = _curves(tree, "hopf")
    # Hopf curve: x = -b2'/0.8, b1' = -x^2
    x = -(hopf["b2"].values + 0.3) / 0.8
    np.testing.assert_allclose(hopf["x"].values, x, atol=1e-9)
    np.testing.assert_allclose(hopf["b1"].values - 0.2, -x ** 2, atol=1e-9)


def test_hopf_hopf_coefficients():
    tree = nma.codim2_continuation(_hh_model(), ("b1", "b2"),
                                   ranges={"b1": (-1, 1), "b2": (-1, 1.5)})
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["HH"]
    np.testing.assert_allclose([float(sp_["b1"][0]), float(sp_["b2"][0])], [0.1, -0.2],
                               rtol=1e-9)
    a11, a12, a21, a22 = HH_A
    got = [float(sp_[k][0]) for k in ("hh_p11", "hh_p12", "hh_p21", "hh_p22")]
    np.testing.assert_allclose(got, [2 * a11, 2 * a12, 2 * a21, 2 * a22], rtol=1e-8)
    np.testing.assert_allclose(float(sp_["hh_theta"][0]), a12 / a22, rtol=1e-8)
    np.testing.assert_allclose(float(sp_["hh_delta"][0]), a21 / a11, rtol=1e-8)
    np.testing.assert_allclose([float(sp_["angular_frequency"][0]),
                                float(sp_["second_angular_frequency"][0])], [1.0, 1.618],
                               rtol=1e-9)


# --- reference: brainmass Wilson-Cowan, AUTO-07p fold curves and cusp -----------------------

@pytest.mark.parametrize("docform", [False, True])
def test_wilson_cowan_cusp_and_fold_curve_against_auto(docform):
    ref = load("wc_bm_docform" if docform else "wc_bm")
    model = wc_bm(docform)
    tree = nma.codim2_continuation(model, ("IE", "wEE"), ranges={"IE": (-30, 30),
                                                                 "wEE": (0, 40)},
                                   params={"wEE": 12.0})
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["CP"]
    curves = ref["two_parameter"]["curves"]
    cp = [s for c in curves for s in c["special_points"] if s["type"] == "CP"][0]["crosscheck"]
    for name in ("IE", "wEE"):
        assert abs(float(sp_[name][0]) / cp["param"][name] - 1) <= 1e-9
    np.testing.assert_allclose([float(sp_["rE"][0]), float(sp_["rI"][0])], cp["state"],
                               rtol=1e-9)
    assert str(sp_["status"].values[0]) == "located"
    assert np.isfinite(float(sp_["cusp_coefficient"][0]))
    folds = _curves(tree, "fold")
    assert len(folds) == 1             # both LPs at wEE = 12 lie on the one fold curve
    fold = folds[0]
    # every AUTO point lies on our curve: Newton from our nearest point onto the AUTO
    # point's wEE (the defining system of the curve) lands on its IE, rE, rI
    problem = TwoParameterProblem(model, ("IE", "wEE"), params={"wEE": 12.0})
    ours = np.column_stack([fold[v].values for v in ("rE", "rI", "IE", "wEE")])
    S = np.array([1.4, 1.4, 60.0, 40.0])
    pts = np.array(curves[0]["points"])[:, [2, 3, 0, 1]]
    for ref_pt in pts[::10]:
        k = int(np.argmin(np.linalg.norm((ours - ref_pt) / S, axis=1)))
        assert np.linalg.norm((ours[k] - ref_pt) / S) < 0.05
        guess = ours[k].copy()
        guess[3] = ref_pt[3]
        curve = ScaledCurve(FoldSystem(problem, guess), S)
        e = np.zeros(4)
        e[3] = 1.0
        z, _ = curve.correct(guess / S, e, 1e-13, 30)
        np.testing.assert_allclose(z * S, ref_pt, rtol=2e-9, atol=1e-10)


# --- Jansen-Rit in (p, C) --------------------------------------------------------------------

def _jr_tree():
    return nma.codim2_continuation(nma.get_model("jansen_rit"), ("p", "C"),
                                   ranges={"p": (-100, 500), "C": (50, 300)})


def test_jansen_rit_curves_and_codim2_points():
    model = nma.get_model("jansen_rit")
    tree = _tree("jr", _jr_tree)
    sp_ = nma.special_points(tree)
    types = sorted(sp_["type"].values.tolist())
    assert types == ["BT", "CP", "GH"], types
    assert set(sp_["status"].values.tolist()) == {"located"}
    assert np.all(sp_["precision"].values <= 1e-9)
    folds, hopfs = _curves(tree, "fold"), _curves(tree, "hopf")
    assert len(folds) == 1 and len(hopfs) == 1           # the Hopf curve from HB passes BT
    assert hopfs[0].attrs["start_point"].startswith("HB")
    states = model.state_names
    problem = TwoParameterProblem(model, ("p", "C"))
    for i in range(sp_.sizes["special"]):
        x = np.array([float(sp_[s][i]) for s in states])
        P = (float(sp_["p"][i]), float(sp_["C"][i]))
        assert np.max(np.abs(problem.f(x, P))) < 1e-8
        eig = np.sort_complex(np.linalg.eigvals(problem.jac(x, P)))
        scale = np.max(np.abs(eig))
        kind = str(sp_["type"][i])
        small = np.sort(np.abs(eig))
        if kind == "BT":                         # a double zero eigenvalue
            assert small[1] < 1e-5 * scale
        elif kind == "CP":                        # one zero eigenvalue, fold coefficient 0
            assert small[0] < 1e-9 * scale and small[1] > 1e-3 * scale
        elif kind == "GH":                        # a pair on the axis
            k = np.argmin(np.abs(eig - 1j * float(sp_["angular_frequency"][i])))
            assert abs(eig[k].real) < 1e-9 * scale
    # the one-parameter Hopf points at C = 135 all lie on the traced Hopf curves
    one = nma.special_points(nma.continuation(model, "p", p_range=(-100, 500)))
    hb = one["p"].values[one["type"].values == "HB"]
    on_curve = np.concatenate([h["p"].values[np.abs(h["C"].values - 135) < 5] for h in hopfs])
    for p in hb:
        assert np.min(np.abs(on_curve - p)) < 20


def _nearest(one, kind, C):
    rows = np.where(one["type"].values == kind)[0]
    return int(rows[np.argmin(np.abs(one["C"].values[rows] - C))])


def test_jansen_rit_codim2_points_bracketed_by_one_parameter_diagrams():
    """Second method: one-parameter diagrams in C at p = p*(1 -+ 1e-9) (their own Hopf and
    fold location, l1 and fold coefficient) put the GH and BT points between them."""
    model = nma.get_model("jansen_rit")
    sp_ = nma.special_points(_tree("jr", _jr_tree))
    gh, bt, cp = (_rows(sp_, k)[0] for k in ("GH", "BT", "CP"))
    p_gh, C_gh = float(sp_["p"][gh]), float(sp_["C"][gh])
    p_bt, C_bt = float(sp_["p"][bt]), float(sp_["C"][bt])
    l1, trace2 = [], []
    for sign in (-1, 1):
        m = model.with_params(p=p_gh * (1 + sign * 1e-9))
        one = nma.special_points(nma.continuation(m, "C", p_range=(120, 160)))
        l1.append(float(one["first_lyapunov"][_nearest(one, "HB", C_gh)]))
        m = model.with_params(p=p_bt * (1 + sign * 1e-9))
        one = nma.special_points(nma.continuation(m, "C", p_range=(100, 140),
                                                  params={"C": 135.0}))
        k = _nearest(one, "LP", C_bt)
        x = np.array([float(one[s][k]) for s in model.state_names])
        eig = np.linalg.eigvals(ContinuationProblem(m, "C").jac(x, float(one["C"][k])))
        trace2.append(float(np.sum(eig[np.argsort(np.abs(eig))[:2]]).real))
    assert l1[0] * l1[1] < 0          # l1 changes sign within 1e-9 relative of our GH
    assert trace2[0] * trace2[1] < 0  # the second zero eigenvalue crosses within 1e-9 of BT
    # the fold coefficient of the one-parameter code vanishes at our cusp point
    x = np.array([float(sp_[s][cp]) for s in model.state_names])
    m = model.with_params(p=float(sp_["p"][cp]))
    a_cp = fold_coefficient(ContinuationProblem(m, "C"), x, float(sp_["C"][cp]))
    one = nma.special_points(nma.continuation(model, "p", p_range=(-100, 500)))
    a_lp = np.abs(one["fold_coefficient"].values[one["type"].values == "LP"])
    assert abs(a_cp) < 1e-10 * a_lp.min()


def test_jansen_rit_generalised_hopf_count_matches_l1_sign_changes():
    """GH points = sign changes of l1 along the Hopf curve, with l1 taken from
    one-parameter diagrams in p at several values of C (a separate Hopf detection and
    l1), ordered along the curve; neutral saddles never appear as Hopf points there."""
    model = nma.get_model("jansen_rit")
    tree = _tree("jr", _jr_tree)
    sp_ = nma.special_points(tree)
    hopfs = _curves(tree, "hopf")
    found = []
    for C in (115.0, 125.0, 135.0, 200.0, 280.0):
        one = nma.special_points(nma.continuation(model.with_params(C=C), "p",
                                                  p_range=(-100, 500)))
        for i in np.where(one["type"].values == "HB")[0]:
            found.append((float(one["p"][i]), C, float(one["first_lyapunov"][i])))
    assert len(found) >= 5
    total_changes = 0
    for k, h in enumerate(hopfs):
        pts = np.column_stack([h["p"].values / 600, h["C"].values / 250])
        on = []
        for p, C, l1 in found:
            d = np.linalg.norm(pts - [p / 600, C / 250], axis=1)
            j = int(np.argmin(d))
            if d[j] < 0.01:
                assert not bool(h["neutral_saddle"].values[j])
                np.testing.assert_allclose(h["first_lyapunov"].values[j], l1, rtol=0.05)
                on.append((float(h["arclength"].values[j]), l1))
        signs = np.sign([l1 for _, l1 in sorted(on)])
        changes = int(np.sum(signs[1:] != signs[:-1]))
        total_changes += changes
        n_gh = sum(1 for i in _rows(sp_, "GH") if f"hopf/branch_{k}" in str(sp_["branch"][i]))
        assert n_gh == changes
    assert total_changes == len(_rows(sp_, "GH")) >= 1


def test_tree_layout_and_round_trip(tmp_path):
    tree = _tree("bt", _bt_tree)
    assert tree.attrs["free_parameters"] == "b1 b2"
    sp_ = nma.special_points(tree)
    for name, var in sp_.data_vars.items():
        assert "long_name" in var.attrs, name
    hopf = tree["hopf/branch_0"].to_dataset()
    for name in ("b1", "b2", "x", "y", "omega", "n_unstable", "stable", "neutral_saddle"):
        assert name in hopf and "long_name" in hopf[name].attrs
    assert hopf.attrs["model"] == "t_c2_bt" and "nmanalysis_version" in hopf.attrs
    path = tmp_path / "c2.nc"
    tree.to_netcdf(path)
    back = xr.open_datatree(path)
    assert nma.special_points(back)["type"].values.tolist() == ["BT"]


def test_start_from_a_one_parameter_tree_and_bad_input():
    model = _bt_model()
    one = nma.continuation(model, "b1", p_range=(-2, 2))
    tree = nma.codim2_continuation(model, ("b1", "b2"), ranges={"b1": (-2, 2),
                                                                "b2": (-1.5, 1.5)}, start=one)
    assert nma.special_points(tree)["type"].values.tolist() == ["BT"]
    hb_only = nma.special_points(one).where(lambda d: d["type"] == "HB", drop=True)
    tree = nma.codim2_continuation(model, ("b1", "b2"), ranges={"b1": (-2, 2),
                                                                "b2": (-1.5, 1.5)},
                                   start=hb_only)
    assert "fold" not in tree and len(_curves(tree, "hopf")) == 1
    with pytest.raises(nma.OptionsError, match="ranges"):
        nma.codim2_continuation(model, ("b1", "b2"), ranges={"b1": (-2, 2)})
    with pytest.raises(nma.OptionsError, match="differ"):
        nma.codim2_continuation(model, ("b1", "b1"), ranges={"b1": (-2, 2)})
    with pytest.raises(nma.OptionsError, match="parameter"):
        nma.codim2_continuation(model, ("b1", "nope"), ranges={"b1": (-2, 2), "nope": (0, 1)})


def test_closed_hopf_curve():
    # z' = (m + i) z - z|z|^2 with m = 1 - b1^2 - b2^2: the Hopf curve is the unit circle,
    # both Hopf points of b2 = 0.5 lie on it, and in <q, q> = 1 coordinates (z = sqrt(2) w)
    # the cubic term is -2 w|w|^2, so l1 = -2 / omega = -2 all round
    m = nma.Model(name="t_c2_circle", states={"x": {"value": 0.0, "bounds": (-2, 2)},
                                              "y": {"value": 0.0, "bounds": (-2, 2)}},
                  params={"b1": -2.0, "b2": 0.5},
                  equations={"x": "(1 - b1^2 - b2^2)*x - y - x*(x^2 + y^2)",
                             "y": "x + (1 - b1^2 - b2^2)*y - y*(x^2 + y^2)"})
    tree = nma.codim2_continuation(m, ("b1", "b2"), ranges={"b1": (-2, 2), "b2": (-2, 2)})
    assert nma.special_points(tree).sizes["special"] == 0
    (hopf,) = _curves(tree, "hopf")
    assert "closed curve" in (hopf.attrs["stop_reason_start_side"],
                              hopf.attrs["stop_reason_end_side"])
    assert hopf.attrs["status"] == "complete"
    np.testing.assert_allclose(hopf["b1"] ** 2 + hopf["b2"] ** 2, 1.0, rtol=1e-9)
    np.testing.assert_allclose(hopf["omega"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(hopf["first_lyapunov"], -2.0, rtol=1e-9)
    angle = np.unwrap(np.arctan2(hopf["b2"].values, hopf["b1"].values))
    assert 2 * np.pi - 0.2 < np.ptp(angle) < 2 * np.pi + 0.2      # once round, not twice
    assert tree.attrs["failed_starts"] == ""


def test_hopf_curve_started_at_a_bogdanov_takens_point():
    """At b2 = -1 the diagram in b1 has an LP and no HB (only a neutral saddle): the Hopf
    curve comes from the BT point on the fold curve. Truth: sympy's Jacobian of the model
    equations (equilibrium, trace = 0, det = omega^2 > 0)."""
    model = _bt_model()
    box = {"b1": (-2, 2), "b2": (-1.5, 1.5)}
    one = nma.continuation(model, "b1", p_range=box["b1"], params={"b2": -1.0})
    types = nma.special_points(one)["type"].values.tolist()
    assert "HB" not in types and "LP" in types
    tree = nma.codim2_continuation(model, ("b1", "b2"), ranges=box, params={"b2": -1.0})
    assert tree.attrs["failed_starts"] == ""
    sp_ = nma.special_points(tree)
    assert sp_["type"].values.tolist() == ["BT"]
    assert set(str(sp_["branch"].values[0]).split(",")) == {"fold/branch_0", "hopf/branch_0"}
    (hopf,) = _curves(tree, "hopf")
    assert hopf.attrs["start_point"].startswith("BT #0 at b1 = 0.3")
    assert hopf.attrs["status"] == "complete"
    x, y, b1, b2 = sp.symbols("x y b1 b2")
    f = sp.Matrix([y, (b1 - sp.Rational(3, 10)) + (b2 + sp.Rational(2, 5)) * y + x ** 2
                   + sp.Rational(7, 10) * x * y])
    J = f.jacobian([x, y])
    num = sp.lambdify((x, y, b1, b2), [f[0], f[1], J.trace(), J.det()], "numpy")
    F0, F1, tr, det = (np.broadcast_to(np.asarray(v, float), hopf["b1"].shape) for v in
                       num(hopf["x"].values, hopf["y"].values, hopf["b1"].values,
                           hopf["b2"].values))
    np.testing.assert_allclose(F0, 0.0, atol=1e-9)
    np.testing.assert_allclose(F1, 0.0, atol=1e-9)
    hopf_part = ~hopf["neutral_saddle"].values
    assert hopf_part.sum() > 20 and (~hopf_part).sum() > 20
    np.testing.assert_allclose(tr[hopf_part], 0.0, atol=1e-9)   # Hopf: trace 0, det > 0
    assert np.all(det[hopf_part] >= -1e-12)
    np.testing.assert_allclose(hopf["omega"].values[hopf_part] ** 2, det[hopf_part],
                               atol=1e-9)
    assert np.nanmax(det[hopf_part]) > 1.0                       # it goes well off BT
    ns = ~hopf_part                                              # neutral saddle: det < 0
    assert np.all(det[ns] <= 1e-12) and np.all(np.isnan(hopf["omega"].values[ns]))
    np.testing.assert_allclose(hopf["kappa"].values, det, atol=1e-9)
    # without the option no Hopf curve; without neutral saddles only the Hopf part
    off = nma.codim2_continuation(model, ("b1", "b2"), ranges=box, params={"b2": -1.0},
                                  from_bt=False)
    assert "hopf" not in off
    only = nma.codim2_continuation(model, ("b1", "b2"), ranges=box, params={"b2": -1.0},
                                   neutral_saddles=False)
    (h2,) = _curves(only, "hopf")
    assert np.all(h2["kappa"].values >= 0) and h2.attrs["status"] == "complete"
    assert "Bogdanov-Takens" in h2.attrs["stop_reason_start_side"]
    np.testing.assert_allclose(h2["b1"].values - 0.3, -((h2["b2"].values + 0.4) / 0.7) ** 2,
                               atol=1e-9)
