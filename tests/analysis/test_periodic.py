"""Periodic orbits by collocation: closed forms, Floquet accuracy, PD switching, starts."""

import numpy as np
import pytest
import scipy.linalg as sla

import nmanalysis as nma
from nmanalysis.analysis.continuation.periodic.floquet import floquet_multipliers


# -- Floquet multipliers without forming the product ---------------------------------------
def test_periodic_qr_resolves_multipliers_spanning_eighty_orders_of_magnitude():
    rng = np.random.default_rng(1)
    lam = np.array([0.0, -3.0, -60.0, -180.0])          # exponents; period 1
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    A = Q @ np.diag(lam) @ Q.T + 0.3 * (Q @ np.triu(rng.normal(size=(4, 4)), 1) @ Q.T)
    N = 80
    Ts = np.array([sla.expm(A / N)] * N)
    mu, _ = floquet_multipliers(Ts)
    exact = np.sort(np.exp(np.linalg.eigvals(A).real))[::-1]
    np.testing.assert_allclose(np.abs(mu), exact, rtol=1e-9)
    # the plain product of the blocks cannot see the small ones
    M = np.linalg.multi_dot(list(Ts))
    assert np.abs(np.sort(np.abs(np.linalg.eigvals(M)))[0] / exact[-1] - 1) > 1.0


def test_periodic_qr_complex_pair():
    w = 2 * np.pi * 0.3
    A = np.array([[-0.1, -w, 0.0], [w, -0.1, 0.0], [0.0, 0.0, -40.0]])
    Ts = np.array([sla.expm(A / 50)] * 50)
    mu, _ = floquet_multipliers(Ts)
    np.testing.assert_allclose(np.sort_complex(mu[:2]),
                               np.sort_complex(np.exp(-0.1 + np.array([-1j, 1j]) * w)),
                               rtol=1e-10)
    np.testing.assert_allclose(abs(mu[2]), np.exp(-40.0), rtol=1e-10)


# -- closed forms: the Stuart-Landau oscillator ---------------------------------------------
def test_stuart_landau_branch_matches_closed_form():
    m = nma.get_model("stuart_landau").with_params(b=0.5, omega=2.0)
    tree = nma.continuation(m, "mu", p_range=(-1.0, 2.0), params={"mu": -1.0}, cycles=True,
                            cycle_options={"values": [0.25, 1.0, 1.5],
                                           "store_orbits": True})
    sp = nma.special_points(tree)
    uz = sp.where(sp["type"] == "UZ", drop=True)
    mu = uz["mu"].values
    np.testing.assert_allclose(np.sort(mu), [0.25, 1.0, 1.5], rtol=1e-12)
    np.testing.assert_allclose(uz["period"].values, 2 * np.pi / (2.0 - 0.5 * mu), rtol=1e-9)
    b = tree["periodic/branch_0"].to_dataset()
    r = np.sqrt(b["x_orbit"] ** 2 + b["y_orbit"] ** 2)
    want = np.broadcast_to(np.sqrt(b["mu"].values[1:])[:, None], r.values[1:].shape)
    np.testing.assert_allclose(r.values[1:], want, rtol=1e-8)
    # nontrivial multiplier exp(-2 mu T); trivial one 1
    T = b["period"].values
    mult = b["floquet_real"].values
    np.testing.assert_allclose(np.sort(mult, axis=1)[1:, 0], np.exp(-2 * b["mu"].values * T)[1:],
                               rtol=1e-6, atol=1e-12)
    assert float(b["trivial_multiplier_error"].max()) < 1e-9
    assert bool(b["stable"][1:].all())
    np.testing.assert_allclose(b["x_max"].values, np.sqrt(np.maximum(b["mu"].values, 0)),
                               rtol=1e-3, atol=1e-6)


# -- period doubling: the Rossler system ------------------------------------------------------
def _rossler():
    return nma.Model(
        name="rossler",
        states={"x": {"value": 0.0, "bounds": (-15, 15)}, "y": {"value": 0.0, "bounds": (-15, 15)},
                "z": {"value": 0.0, "bounds": (0, 30)}},
        params={"a": 0.2, "b": 0.2, "c": 1.0},
        equations={"x": "-y - z", "y": "x + a*y", "z": "b + z*(x - c)"})


@pytest.fixture(scope="module")
def rossler_tree():
    return nma.continuation(_rossler(), "c", p_range=(0.3, 4.3), params={"c": 1.0}, cycles=True,
                            cycle_options={"switch_pd": 1})


def test_rossler_period_doubling_located_and_switched(rossler_tree):
    sp = nma.special_points(rossler_tree)
    pd = sp.where(sp["type"] == "PD", drop=True)
    # the first doubling of the cascade (a = b = 0.2): c = 2.832 (e.g. Kuznetsov's examples)
    first = pd.where(pd["branch"] == "periodic/branch_0", drop=True)
    assert first.sizes["special"] == 1
    c_pd = float(first["c"][0])
    assert abs(c_pd - 2.8324) < 2e-3
    T1 = float(first["period"][0])
    # the doubled branch starts there with twice the period, and doubles again
    b1 = rossler_tree["periodic/branch_1"].to_dataset()
    assert abs(float(b1["c"][0]) - c_pd) < 1e-6
    assert abs(float(b1["period"][0]) - 2 * T1) < 1e-6 * T1
    second = pd.where(pd["branch"] == "periodic/branch_1", drop=True)
    assert second.sizes["special"] == 1 and abs(float(second["c"][0]) - 3.8374) < 2e-3
    # the parent orbit is stable before the doubling and unstable after, the child stable
    b0 = rossler_tree["periodic/branch_0"].to_dataset()
    before = b0.where((b0["c"] > 1.5) & (b0["c"] < c_pd - 0.05), drop=True)
    after = b0.where(b0["c"] > c_pd + 0.05, drop=True)
    assert bool(before["stable"].all()) and not bool(after["stable"].any())
    assert bool(b1["stable"].values[2:].any())


def test_rossler_doubling_against_shooting(rossler_tree):
    """An independent check: Newton shooting with scipy's DOP853 on both sides of the PD."""
    sp = nma.special_points(rossler_tree)
    c_pd = float(sp["c"].values[(sp["type"].values == "PD")
                                & (sp["branch"].values == "periodic/branch_0")][0])
    m = _rossler()
    for dc, outside in ((-0.03, False), (0.03, True)):
        c = c_pd + dc
        # the simple orbit at c, polished by shooting (unstable beyond the PD)
        tree = nma.continuation(m, "c", p_range=(0.3, 4.3), params={"c": 1.0}, cycles=True,
                                cycle_options={"values": [c], "switch_pd": 0})
        uz = nma.special_points(tree)
        uz = uz.where(uz["type"] == "UZ", drop=True)
        T = float(uz["period"][0])
        x_start = [float(uz[s][0]) for s in ("x", "y", "z")]
        shot = nma.polish_cycle(m, x_start, T, params={"c": c})
        assert shot["converged"]
        mu = np.asarray(shot["floquet"])
        assert abs(float(shot["period"]) - T) < 1e-7 * T
        smallest_real = np.min(mu.real[np.abs(mu.imag) < 1e-9])
        assert (smallest_real < -1) == outside, (c, mu)


# -- a cycle found by simulation, continued ---------------------------------------------------
def test_cycle_from_simulation_continued_and_periods_agree():
    m = nma.get_model("jansen_rit")
    zeros = {s: 0.0 for s in m.state_names}
    found = nma.find_cycles(m, params={"p": np.array([120.0, 130.0])}, y0=zeros, t=(0, 6))
    assert (found["regime"].values == 1).all()
    start = nma.cycle_start(found, p=120.0)
    tree = nma.cycle_continuation(m, "p", start, p_range=(100.0, 140.0), values=[120.0, 130.0])
    sp = nma.special_points(tree)
    for p in (120.0, 130.0):
        uz = sp.where((sp["type"] == "UZ") & (abs(sp["p"] - p) < 1e-8), drop=True)
        T_sim = float(found["period"].sel(p=p))
        T = uz["period"].values
        assert np.min(np.abs(T - T_sim)) <= 1e-6 * T_sim, (p, T, T_sim)
    # the branch through the found orbit reaches the fold of cycles on one side
    lpc = sp["p"].values[sp["type"].values == "LPC"]
    assert lpc.size == 1 and abs(lpc[0] - 137.3792672) < 1e-5


def test_bad_starts_are_reported():
    m = nma.get_model("fitzhugh_nagumo")
    with pytest.raises(nma.OptionsError, match="purely imaginary"):
        nma.cycle_continuation(m, "I", {"I": 0.0, "v": -1.2, "w": -0.6}, p_range=(0, 2))
    with pytest.raises(nma.OptionsError, match="shape"):
        nma.cycle_continuation(m, "I", {"period": 10.0, "phase": np.linspace(0, 1, 5,
                                                                            endpoint=False),
                                        "orbit": np.zeros((3, 5))}, p_range=(0, 2))
    with pytest.raises(nma.OptionsError, match="free parameter"):
        nma.cycle_continuation(m, "nope", {"I": 0.3}, p_range=(0, 2))


def test_bogdanov_takens_cycles_end_in_a_homoclinic_orbit():
    """Cycles born at the Hopf point of the Bogdanov-Takens normal form die in a homoclinic
    orbit at mu1 = -(6/25) mu2^2 + O(mu2^(5/2)) (Kuznetsov, Elements, sec. 8.4)."""
    mu2 = -0.1
    m = nma.Model(name="bt_normal_form",
                  states={"x": {"value": 0.0, "bounds": (-1, 1)},
                          "y": {"value": 0.0, "bounds": (-1, 1)}},
                  params={"m1": -0.005, "m2": mu2},
                  equations={"x": "y", "y": "m1 + m2*x + x^2 + x*y"})
    tree = nma.continuation(m, "m1", p_range=(-0.01, 0.01), cycles=True)
    sp = nma.special_points(tree)
    assert sorted(set(sp["type"].values.tolist())) == ["HB", "HOM", "LP"]
    hom = float(sp["m1"].values[sp["type"].values == "HOM"][0])
    assert abs(hom - (-6 / 25 * mu2**2)) <= 0.03 * (6 / 25 * mu2**2)
    b = tree["periodic/branch_0"].to_dataset()
    assert "homoclinic" in b.attrs["stop_reason"]
    assert float(b["period"][-1]) > 50 * float(b["period"][0])


def test_torus_bifurcation_of_a_closed_form_cycle():
    """A cycle of z1' = (1 + i) z1 - |z1|^2 z1 with a transverse oscillator z2' = (nu + i w) z2
    - |z2|^2 z2: the multipliers exp((nu +- i w) 2 pi) leave the unit circle at nu = 0 (NS)."""
    w = 0.7
    m = nma.Model(name="torus_test",
                  states={"x": 1.0, "y": 0.0, "u": 0.0, "v": 0.0},
                  params={"nu": -0.5, "w": w},
                  equations={"x": "x - y - (x^2 + y^2)*x", "y": "x + y - (x^2 + y^2)*y",
                             "u": "nu*u - w*v - (u^2 + v^2)*u",
                             "v": "w*u + nu*v - (u^2 + v^2)*v"})
    phase = np.arange(200) / 200
    start = {"period": 2 * np.pi, "phase": phase,
             "orbit": np.stack([np.cos(2 * np.pi * phase), np.sin(2 * np.pi * phase),
                                0 * phase, 0 * phase]),
             "params": {"nu": -0.5}}
    tree = nma.cycle_continuation(m, "nu", start, p_range=(-0.5, 0.5))
    sp = nma.special_points(tree)
    ns = sp.where(sp["type"] == "NS", drop=True)
    assert ns.sizes["special"] == 1
    assert abs(float(ns["nu"][0])) < 1e-8
    b = tree["periodic/branch_0"].to_dataset()
    np.testing.assert_allclose(b["period"].values, 2 * np.pi, rtol=1e-9)
    mu = b["floquet_real"].values + 1j * b["floquet_imag"].values
    k = int(np.argmin(np.abs(b["nu"].values + 0.25)))
    pair = mu[k][np.abs(mu[k].imag) > 1e-6]
    np.testing.assert_allclose(np.sort_complex(pair), np.sort_complex(
        np.exp((b["nu"].values[k] + np.array([-1j, 1j]) * w) * 2 * np.pi)), rtol=1e-7)
    assert bool(b["stable"].values[b["nu"].values < -0.01].all())
    assert not bool(b["stable"].values[b["nu"].values > 0.01].any())
