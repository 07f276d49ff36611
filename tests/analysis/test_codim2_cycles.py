"""Two-parameter curves of folds of cycles (LPC), period doublings (PD) and tori (NS).

Truth: models built so that the curves, the period and the critical Floquet
multipliers are known in closed form (derived below), and, for a library
model (qif_sfa), the folds of cycles that the one-parameter continuation
(Floquet multipliers by periodic QR, a fold located as a turning point of the
branch: a different test from the bordered collocation operator used here)
locates at several fixed values of the second parameter.
"""

import numpy as np
import pytest
import xarray as xr

import nmanalysis as nma

_CACHE = {}


def _cached(key, make):
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def _curves(tree, kind):
    if kind not in tree:
        return []
    return [tree[kind][c].to_dataset() for c in tree[kind].children]


def _at(ds, p1, p2, value, order=5):
    """p1 and the period where the curve crosses p2 = value: a local polynomial in p2
    through the ``order + 1`` curve points nearest the crossing."""
    a, b, T = ds[p2].values, ds[p1].values, ds["period"].values
    out = []
    for i in np.where((a[:-1] - value) * (a[1:] - value) <= 0)[0]:
        lo = max(0, min(i - order // 2, a.size - order - 1))
        sl = slice(lo, lo + order + 1)
        s = a[sl] - value
        out.append((float(np.polyfit(s, b[sl], order)[-1]),
                    float(np.polyfit(s, T[sl], order)[-1])))
    return out


# --- the Bautin normal form: LPC curve b1' = -b2'^2 / 4 ------------------------------------

W_B = 1.3                    # angular frequency: every cycle has the period 2 pi / W_B
X0, Y0 = 0.3, -0.2           # the centre of the cycles


def _bautin():
    # r' = r (b1' + b2' r^2 - r^4), theta' = W_B about (X0, Y0), with b1' = b1 - 0.1,
    # b2' = b2 + 0.2. Cycles: r^2 = (b2' +- sqrt(b2'^2 + 4 b1')) / 2; they meet in a fold
    # where b2'^2 + 4 b1' = 0 with r^2 = b2' / 2 > 0. Hopf curve b1' = 0, l1 ~ b2', GH at
    # (b1, b2) = (0.1, -0.2) with l2 < 0.
    X, Y = f"(x - {X0})", f"(y - {Y0})"
    r2 = f"({X}^2 + {Y}^2)"
    g = f"((b1 - 0.1) + (b2 + 0.2)*{r2} - {r2}^2)"
    return nma.Model(name="t_c2c_bautin",
                     states={"x": {"value": X0, "bounds": (-1, 1)},
                             "y": {"value": Y0, "bounds": (-1, 1)}},
                     params={"b1": -0.05, "b2": -0.4},
                     equations={"x": f"{X}*{g} - {W_B}*{Y}", "y": f"{Y}*{g} + {W_B}*{X}"})


_B_RANGES = {"b1": (-0.3, 0.3), "b2": (-0.5, 1.0)}


def _bautin_tree():
    return nma.codim2_continuation(_bautin(), ("b1", "b2"), ranges=_B_RANGES, cycles=True)


def _check_bautin_lpc(ds):
    b1, b2 = ds["b1"].values - 0.1, ds["b2"].values + 0.2
    np.testing.assert_allclose(b1, -b2 ** 2 / 4, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ds["period"].values, 2 * np.pi / W_B, rtol=1e-9)
    # the folding cycle is the circle r^2 = b2'/2 about (X0, Y0)
    np.testing.assert_allclose(ds["x_max"].values - X0, np.sqrt(b2 / 2), rtol=0, atol=1e-7)
    np.testing.assert_allclose(Y0 - ds["y_min"].values, np.sqrt(b2 / 2), rtol=0, atol=1e-7)
    # the trivial multiplier and the critical one are both 1 at a fold of cycles
    mu = ds["floquet_real"].values + 1j * ds["floquet_imag"].values
    np.testing.assert_allclose(np.abs(mu - 1).max(axis=1), 0, atol=1e-6)


def test_lpc_curve_from_gh_matches_the_bautin_normal_form():
    tree = _cached("bautin", _bautin_tree)
    sp = nma.special_points(tree)
    assert sp["type"].values.tolist() == ["GH"]
    np.testing.assert_allclose([float(sp["b1"][0]), float(sp["b2"][0])], [0.1, -0.2],
                               atol=1e-9)
    assert sp["branch"].values[0].split(",") == ["hopf/branch_0", "lpc/branch_0"]
    (lpc,) = _curves(tree, "lpc")
    _check_bautin_lpc(lpc)
    assert lpc.attrs["status"] == "complete"
    assert lpc.attrs["start_point"].startswith("GH #0")
    reasons = {lpc.attrs["stop_reason_start_side"], lpc.attrs["stop_reason_end_side"]}
    assert reasons == {"left the box", "reached zero amplitude (generalised Hopf point)"}
    # from GH (zero amplitude) up to the top of the box
    b2 = lpc["b2"].values + 0.2
    assert b2.min() < 0.01 and lpc["b2"].values.max() == pytest.approx(1.0, abs=1e-9)
    assert np.all(np.isfinite(lpc["arclength"].values))
    for name, var in lpc.data_vars.items():
        assert "long_name" in var.attrs, name


def test_lpc_curve_from_a_one_parameter_cycle_diagram():
    model = _bautin()
    one = nma.continuation(model, "b1", p_range=(-0.3, 0.3), params={"b2": 0.3},
                           cycles=True)
    assert "LPC" in nma.special_points(one)["type"].values
    tree = nma.codim2_continuation(model, ("b1", "b2"), ranges=_B_RANGES, start=one)
    (lpc,) = _curves(tree, "lpc")
    _check_bautin_lpc(lpc)
    assert lpc.attrs["start_point"].startswith("LPC at b1 = ")
    # the same curve from the GH point of a two-parameter tree, and the LPC of the
    # one-parameter diagram lies on it: one curve, not two
    both = nma.codim2_continuation(model, ("b1", "b2"), ranges=_B_RANGES,
                                   start=[_cached("bautin", _bautin_tree), one])
    assert len(_curves(both, "lpc")) == 1
    assert _curves(both, "lpc")[0].attrs["start_point"].startswith("GH")
    # a start that is no bifurcation of its kind is flagged, not raised: a planar cycle
    # has no multiplier -1, so no period doubling near this fold
    sp = nma.special_points(one)
    wrong = sp.where(sp["type"] == "LPC", drop=True)
    wrong["type"] = ("special", np.array(["PD"] * wrong.sizes["special"]))
    tree = nma.codim2_continuation(model, ("b1", "b2"), ranges=_B_RANGES, start=wrong)
    assert "pd" not in tree and tree.attrs["failed_starts"].startswith("PD at b1 = ")


# --- period doubling: a cycle whose normal bundle turns by half a revolution ----------------

PD_D = 0.8


def _pd_model():
    # (x, y): the Hopf normal form, cycle r = sqrt(a), theta = t, period 2 pi.
    # (u, w): q' = [J/2 + m I + d (x [[1, 0], [0, -1]] + y [[0, 1], [1, 0]])] q + cubic
    # terms. On the cycle this is R(theta/2) diag(m + d sqrt(a), m - d sqrt(a)) R(-theta/2)
    # in the frame turning at half the cycle's speed, so over one period (R(pi) = -I) the
    # multipliers are -exp(2 pi (m +- d sqrt(a))): a period doubling where
    # m + d sqrt(a) = 0, i.e. a = (m / d)^2 with m < 0.
    B = {"value": 0.0, "bounds": (-1.5, 1.5)}
    return nma.Model(
        name="t_c2c_pd", states={"x": {"value": 0.5, "bounds": (-1.5, 1.5)}, "y": B,
                                 "u": B, "w": B},
        params={"a": 0.5, "m": -0.3, "d": PD_D},
        equations={"x": "x*(a - x^2 - y^2) - y", "y": "y*(a - x^2 - y^2) + x",
                   "u": "m*u - 0.5*w + d*(x*u + y*w) - (u^2 + w^2)*u",
                   "w": "0.5*u + m*w + d*(y*u - x*w) - (u^2 + w^2)*w"})


def test_pd_curve_closed_form_and_one_parameter_detection():
    model = _pd_model()
    one = nma.continuation(model, "a", p_range=(-0.2, 1.0), params={"m": -0.3},
                           cycles=True)
    tree = nma.codim2_continuation(model, ("a", "m"), ranges={"a": (-0.2, 1.0),
                                                              "m": (-0.9, 0.1)},
                                   start=one, ds_max=0.02)
    (pd,) = _curves(tree, "pd")
    a, m = pd["a"].values, pd["m"].values
    assert m.min() < -0.75 and m.max() > -0.05           # most of the box
    np.testing.assert_allclose(a, (m / PD_D) ** 2, rtol=0, atol=1e-9)
    np.testing.assert_allclose(pd["period"].values, 2 * np.pi, rtol=1e-10)
    mu = pd["floquet_real"].values + 1j * pd["floquet_imag"].values
    np.testing.assert_allclose(np.abs(mu + 1).min(axis=1), 0, atol=1e-8)
    # the one-parameter diagrams at other values of m locate their PD on the curve
    for m_k in (-0.6, -0.15):
        sp = nma.special_points(nma.continuation(model, "a", p_range=(-0.2, 1.0),
                                                 params={"m": m_k}, cycles=True))
        a_one = float(sp["a"][sp["type"] == "PD"][0])
        ((a_two, T_two),) = _at(pd, "a", "m", m_k)
        assert abs(a_one - (m_k / PD_D) ** 2) < 1e-8
        assert abs(a_two - a_one) < 1e-7
        assert abs(T_two - 2 * np.pi) < 1e-7


# --- Neimark-Sacker: a transverse rotation with a phase-dependent growth rate ----------------

NS_G = 0.3


def _ns_model():
    # (x, y) as above (x = sqrt(a) cos t on the cycle); (u, w) grow at beta - x^2 and turn
    # at g: over one period the transverse multipliers are
    # exp(2 pi beta - pi a) exp(+-2 pi i g): a torus bifurcation on beta = a / 2 with
    # kappa = cos(2 pi g).
    B = {"value": 0.0, "bounds": (-1.5, 1.5)}
    return nma.Model(
        name="t_c2c_ns", states={"x": {"value": 0.5, "bounds": (-1.5, 1.5)}, "y": B,
                                 "u": B, "w": B},
        params={"a": 0.5, "beta": 0.2, "g": NS_G},
        equations={"x": "x*(a - x^2 - y^2) - y", "y": "y*(a - x^2 - y^2) + x",
                   "u": "(beta - x^2)*u - g*w - (u^2 + w^2)*u",
                   "w": "g*u + (beta - x^2)*w - (u^2 + w^2)*w"})


def test_ns_curve_closed_form_and_one_parameter_detection():
    model = _ns_model()
    one = nma.continuation(model, "a", p_range=(-0.2, 1.0), params={"beta": 0.2},
                           cycles=True)
    tree = nma.codim2_continuation(model, ("a", "beta"), ranges={"a": (-0.2, 1.0),
                                                                 "beta": (-0.1, 0.45)},
                                   start=one, ds_max=0.02)
    (ns,) = _curves(tree, "ns")
    a, beta = ns["a"].values, ns["beta"].values
    assert a.min() < 0.01 and beta.max() > 0.44
    np.testing.assert_allclose(beta, a / 2, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ns["period"].values, 2 * np.pi, rtol=1e-10)
    np.testing.assert_allclose(ns["kappa"].values, np.cos(2 * np.pi * NS_G), atol=1e-9)
    np.testing.assert_allclose(ns["theta"].values, 2 * np.pi * NS_G, atol=1e-8)
    assert not ns["neutral_saddle"].values.any()
    assert ns.attrs["status"] == "complete"
    mu = ns["floquet_real"].values + 1j * ns["floquet_imag"].values
    crit = np.abs(mu - np.exp(2j * np.pi * NS_G)).min(axis=1)
    np.testing.assert_allclose(crit, 0, atol=1e-8)
    for beta_k in (0.1, 0.3):
        sp = nma.special_points(nma.continuation(model, "a", p_range=(-0.2, 1.0),
                                                 params={"beta": beta_k}, cycles=True))
        a_one = float(sp["a"][sp["type"] == "NS"][0])
        ((a_two, _),) = _at(ns, "a", "beta", beta_k)
        assert abs(a_one - 2 * beta_k) < 1e-8
        assert abs(a_two - a_one) < 1e-7


# --- a library model: folds of cycles from a GH point vs one-parameter diagrams ------------

def test_lpc_curve_of_qif_sfa_passes_through_one_parameter_folds():
    qs = nma.get_model("qif_sfa")
    ranges = {"eta": (-12.0, 2.0), "J": (0.0, 30.0)}
    eq = nma.codim2_continuation(qs, ("eta", "J"), ranges=ranges)
    sp = nma.special_points(eq)
    gh = [i for i, t in enumerate(sp["type"].values) if t == "GH"]
    first = min(gh, key=lambda i: float(sp["eta"][i]))       # the GH near eta = -8.4
    tree = nma.codim2_continuation(qs, ("eta", "J"), ranges=ranges,
                                   start=sp.isel(special=[first]), ds_max=0.01)
    (lpc,) = _curves(tree, "lpc")
    assert lpc.attrs["status"] == "complete", lpc.attrs
    J = lpc["J"].values
    for J_k in np.linspace(J.min(), J.max(), 4)[1:3]:
        ((eta_two, T_two),) = _at(lpc, "eta", "J", float(J_k))
        # the cycles of the Hopf point nearest the fold, in a window around it
        eq1 = nma.special_points(nma.continuation(qs, "eta", p_range=ranges["eta"],
                                                  params={"J": float(J_k)}))
        hb = eq1.where(eq1["type"] == "HB", drop=True)
        row = hb.isel(special=int(np.argmin(np.abs(hb["eta"].values - eta_two))))
        one = nma.special_points(nma.cycle_continuation(
            qs, "eta", row, p_range=(eta_two - 0.5, eta_two + 0.5), params={"J": float(J_k)},
            max_points=150, switch_pd=0))
        lpcs = one.where(one["type"] == "LPC", drop=True)
        k = int(np.argmin(np.abs(lpcs["eta"].values - eta_two)))
        assert abs(float(lpcs["eta"][k]) - eta_two) < 1e-7 * 14      # of the box
        assert abs(float(lpcs["period"][k]) - T_two) < 1e-7 * T_two


# --- options, errors, plotting ---------------------------------------------------------------

def test_cycle_options_are_checked():
    model = _bautin()
    with pytest.raises(nma.OptionsError, match="ntst"):
        nma.codim2_continuation(model, ("b1", "b2"), ranges=_B_RANGES, ntst=2)
    with pytest.raises(nma.OptionsError, match="max_period"):
        nma.codim2_continuation(model, ("b1", "b2"), ranges=_B_RANGES, max_period=-1.0)
    tree = _cached("bautin", _bautin_tree)
    with pytest.raises(nma.OptionsError, match="two-parameter diagram"):
        nma.codim2_continuation(model, ("b2", "b1"), ranges=_B_RANGES, start=tree)


def test_two_parameter_plot_draws_cycle_curves(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    tree = _cached("bautin", _bautin_tree)
    art = nma.plot.two_parameter(tree)
    labels = [ln.get_label() for ln in art["curves"]]
    assert "fold of cycles (LPC)" in labels and "Hopf (HB) curve" in labels
    path = tmp_path / "t.nc"
    tree.to_netcdf(path)
    back = xr.open_datatree(path)
    assert back["lpc/branch_0"].attrs["curve"] == "lpc"
