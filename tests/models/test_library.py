"""The model library: metadata, the command line, short runs and closed-form checks.

The right-hand sides of the models added for issue 4 are compared with numpy
transcriptions written here from the papers / templates, at random states and
parameters, so a typo in a library module cannot hide behind a matching test.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.cli import main
from nmanalysis.compile import compile_model
from nmanalysis.models import LIBRARY, describe_models

REF_DIRS = [Path(__file__).resolve().parents[1] / "reference" / "data"]


def reference(name):
    for d in REF_DIRS:
        if (d / name).exists():
            return json.loads((d / name).read_text())
    raise FileNotFoundError(f"reference file {name} missing from {REF_DIRS}")


def _variants():
    out = []
    for name in sorted(LIBRARY):
        _, _, variants = describe_models()[name]
        out += [(name, "")] + [(name, v) for v in variants]
    return out


VARIANTS = _variants()
IDS = [f"{n}-{v}" if v else n for n, v in VARIANTS]


# -- metadata --------------------------------------------------------------------------------
@pytest.mark.parametrize("name,variant", VARIANTS, ids=IDS)
def test_model_builds_with_full_metadata(name, variant):
    m = nma.get_model(name, variant)
    assert m.variant == variant
    assert m.description and m.reference and m.time_units
    problems = []
    for key, p in m.param_info.items():
        if not p.units:
            problems.append(f"{key}: no units")
        if p.range is None:
            problems.append(f"{key}: no range")
        elif not p.range[0] <= p.value <= p.range[1]:
            problems.append(f"{key}: default {p.value} outside its range {p.range}")
        if not p.description:
            problems.append(f"{key}: no description")
    for key, s in m.state_info.items():
        if not s.description:
            problems.append(f"state {key}: no description")
    for key, i in m.input_info.items():
        if not (i.units and i.description):
            problems.append(f"input {key}: units or description missing")
    assert not problems, f"{name} {variant!r}: " + "; ".join(problems)


@pytest.mark.parametrize("name,variant", VARIANTS, ids=IDS)
def test_info_command(name, variant, capsys):
    argv = ["info", name] + (["--variant", variant] if variant else [])
    assert main(argv) == 0
    out = capsys.readouterr().out
    m = nma.get_model(name, variant)
    for key in (*m.param_names, *m.state_names, *m.input_names):
        assert key in out
    assert "Reference:" in out


def test_models_listed():
    for name in ("wilson_cowan_pyrates", "montbrio_pazo_roxin", "qif_sfa", "stuart_landau",
                 "van_der_pol"):
        assert name in nma.list_models()
    assert describe_models()["montbrio_pazo_roxin"][2] == ("synaptic",)


# -- every model runs ------------------------------------------------------------------------
_SPAN = {"jansen_rit": 0.1}   # seconds; the others run 5 of their time units


@pytest.mark.parametrize("name,variant", VARIANTS, ids=IDS)
def test_short_simulation(name, variant):
    m = nma.get_model(name, variant)
    T = _SPAN.get(name, 5.0)
    ds = nma.simulate(m, t=(0, T), dt=T / 2000, method="rk4", sampling=T / 100)
    assert int(ds["status"]) == 0
    for s in m.state_names:
        assert np.all(np.isfinite(ds[s].values))
    assert ds.time.size == 101


# -- right-hand sides against numpy transcriptions ------------------------------------------
def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _wc_pyrates(y, p, u):
    re, ri = y
    me = _sig(p["s_e"] * (p["w_ee"] * re - p["w_ei"] * ri + p["r_ext_e"] + u["u_e"]
                          - p["theta_e"])) - _sig(-p["s_e"] * p["theta_e"])
    mi = _sig(p["s_i"] * (p["w_ie"] * re - p["w_ii"] * ri + p["r_ext_i"] + u["u_i"]
                          - p["theta_i"])) - _sig(-p["s_i"] * p["theta_i"])
    return [(-re + (1 - p["k"] * re) * me) / p["tau_e"],
            (-ri + (1 - p["k"] * ri) * mi) / p["tau_i"]]


def _mpr(y, p, u, synaptic=False):
    r, v = y[:2]
    tau = p["tau"]
    rec = p["J"] * tau * (y[2] if synaptic else r)
    out = [(p["Delta"] / (np.pi * tau) + 2 * r * v) / tau,
           (v ** 2 + p["eta"] + p["I"] + u["u"] + rec - (np.pi * tau * r) ** 2) / tau]
    if synaptic:
        out.append((r - y[2]) / p["tau_s"])
    return out


def _qif_sfa(y, p, u):
    r, v, a, x = y
    tau, ta = p["tau"], p["tau_a"]
    return [(p["Delta"] / (np.pi * tau) + 2 * r * v) / tau,
            (v ** 2 + p["eta"] + p["I_ext"] + u["u"] - a + p["J"] * tau * r
             - (np.pi * tau * r) ** 2) / tau,
            x / ta,
            p["alpha"] * r - 2 * x / ta - a / ta]


def _stuart_landau(y, p, u):
    x, yy = y
    z = complex(x, yy)
    dz = (p["mu"] + 1j * p["omega"]) * z - (1 + 1j * p["b"]) * abs(z) ** 2 * z
    return [dz.real, dz.imag]


def _van_der_pol(y, p, u):
    x, v = y
    return [v, p["mu"] * (1 - x ** 2) * v - x]


HAND = {
    ("wilson_cowan_pyrates", ""): _wc_pyrates,
    ("montbrio_pazo_roxin", ""): _mpr,
    ("montbrio_pazo_roxin", "synaptic"): lambda y, p, u: _mpr(y, p, u, synaptic=True),
    ("qif_sfa", ""): _qif_sfa,
    ("stuart_landau", ""): _stuart_landau,
    ("van_der_pol", ""): _van_der_pol,
}


@pytest.mark.parametrize("key", sorted(HAND), ids=lambda k: "-".join(x for x in k if x))
def test_rhs_matches_hand_written_numpy(key):
    m = nma.get_model(*key)
    system = compile_model(m)
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = {k: rng.uniform(*info.range) for k, info in m.param_info.items()}
        u = {k: rng.normal() for k in m.input_names}
        y = np.array([rng.uniform(*info.bounds) for info in m.state_info.values()])
        got = system.f(y, system.parameter_vector(p, u))
        want = np.array(HAND[key](y, p, u), dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * (1 + np.abs(want).max()))


# -- closed forms ----------------------------------------------------------------------------
def test_stuart_landau_radius_and_frequency():
    m = nma.get_model("stuart_landau")
    mus, bs = np.array([0.25, 1.0, 2.0]), np.array([0.0, 0.5])
    ds = nma.simulate(m, t=(0, 80), method="dopri5", rtol=1e-10, atol=1e-12, sampling=0.05,
                      params={"mu": mus, "b": bs, "omega": 2.0})
    assert int(ds["status"].max()) == 0
    ds = ds.sel(time=slice(60, None))
    x, y = ds["x"], ds["y"]
    radius = np.hypot(x, y)
    phase = np.unwrap(np.arctan2(y, x).values, axis=0)
    t = ds.time.values
    for i, mu in enumerate(mus):
        for j, b in enumerate(bs):
            np.testing.assert_allclose(radius.values[:, i, j], math.sqrt(mu), rtol=1e-8)
            slope = np.polyfit(t, phase[:, i, j], 1)[0]
            assert slope == pytest.approx(2.0 - b * mu, rel=1e-8)


def test_stuart_landau_equilibrium_changes_stability_at_mu_zero():
    m = nma.get_model("stuart_landau")
    fp = nma.fixed_points(m, params={"mu": [-0.5, 0.5]})
    assert fp["n_fp"].values.tolist() == [1, 1]
    assert bool(fp["stable"].sel(mu=-0.5, fp=0)) and not bool(fp["stable"].sel(mu=0.5, fp=0))
    np.testing.assert_allclose(fp["eig_real"].sel(mu=0.5, fp=0), [0.5, 0.5], atol=1e-12)


def _period(t, x):
    """Mean period from linearly interpolated upward zero crossings."""
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    tc = t[i] - x[i] * (t[i + 1] - t[i]) / (x[i + 1] - x[i])
    return np.diff(tc).mean(), np.diff(tc)


def test_van_der_pol_period():
    m = nma.get_model("van_der_pol")
    # small mu: 2 pi (1 + mu^2/16 - 5 mu^4/3072 + ...); mu = 1: 6.6632868593
    ds = nma.simulate(m, t=(0, 400), method="dopri5", rtol=1e-11, atol=1e-12, sampling=0.002,
                      params={"mu": [0.1, 1.0]}, y0={"x": 2.0, "y": 0.0})
    ds = ds.sel(time=slice(300, None))
    x = ds["x"].values
    t = ds.time.values
    small, steps = _period(t, x[:, 0])
    assert np.ptp(steps) < 1e-5
    mu = 0.1
    assert small == pytest.approx(2 * math.pi * (1 + mu ** 2 / 16 - 5 * mu ** 4 / 3072),
                                  rel=1e-7)
    assert small == pytest.approx(2 * math.pi, rel=1e-3)
    one, _ = _period(t, x[:, 1])
    assert one == pytest.approx(6.6632868593, rel=1e-6)
    assert x[:, 0].max() == pytest.approx(2.0, abs=2e-3)


def test_mpr_equilibria_between_the_folds():
    ref = reference("mpr_qif.json")
    lp = sorted(p["crosscheck"]["param"] for p in ref["special_points"] if p["type"] == "LP")
    assert lp == pytest.approx([-5.7435271617, -3.1361340862], abs=1e-9)
    inside = [lp[0] + 0.02, -5.0, -4.0, lp[1] - 0.02]
    outside = [-8.0, lp[0] - 0.02, lp[1] + 0.02, -1.0]
    m = nma.get_model("montbrio_pazo_roxin")
    fp = nma.fixed_points(m, params={"eta": inside + outside})
    assert fp["n_fp"].values.tolist() == [3] * 4 + [1] * 4
    for eta in inside:
        f = fp.sel(eta=eta)
        assert f["stable"].values[:3].tolist() == [True, False, True]
        assert f["kind"].values[1] == "saddle"
    assert bool(fp["stable"].sel(fp=0).sel(eta=outside).all())


def _assert_folds_singular(m, ref, param, tol_f, tol_det):
    """At each 30-digit fold of ``ref``: |f| <= tol_f and |det J| <= tol_det."""
    system = compile_model(m)
    for sp in ref["special_points"]:
        cc = sp["crosscheck"]
        p = system.parameter_vector({param: cc["param"]}, defaults={**m.params, **m.inputs})
        y = np.array(cc["state"])
        assert np.abs(system.f(y, p)).max() < tol_f
        assert abs(np.linalg.det(system.jacobian(y, p))) < tol_det


def test_mpr_folds_are_singular_equilibria():
    """At the 30-digit fold points f = 0 and the Jacobian is singular."""
    _assert_folds_singular(nma.get_model("montbrio_pazo_roxin"), reference("mpr_qif.json"),
                           "eta", 1e-10, 1e-8)


def test_mpr_synaptic_variant_shares_the_equilibria():
    base = nma.fixed_points(nma.get_model("montbrio_pazo_roxin"), params={"eta": -5.0})
    syn = nma.fixed_points(nma.get_model("montbrio_pazo_roxin", "synaptic", tau_s=3.0),
                           params={"eta": -5.0})
    assert int(base["n_fp"]) == int(syn["n_fp"]) == 3
    np.testing.assert_allclose(syn["r"].values[:3], base["r"].values[:3], rtol=1e-9)
    np.testing.assert_allclose(syn["s"].values[:3], syn["r"].values[:3], rtol=1e-9)


def test_qif_sfa_reduces_to_mpr_and_adapts():
    q = nma.get_model("qif_sfa")
    fp0 = nma.fixed_points(q.with_params(alpha=0.0), params={"eta": -5.0})
    mpr = nma.fixed_points(nma.get_model("montbrio_pazo_roxin"), params={"eta": -5.0})
    assert int(fp0["n_fp"]) == 3
    np.testing.assert_allclose(fp0["r"].values[:3], mpr["r"].values[:3], rtol=1e-9)
    fp = nma.fixed_points(q)            # defaults: adaptation removes the bistability
    assert int(fp["n_fp"]) == 1 and bool(fp["stable"].sel(fp=0))
    r, a = float(fp["r"].sel(fp=0)), float(fp["a"].sel(fp=0))
    assert a == pytest.approx(q.params["alpha"] * q.params["tau_a"] * r, rel=1e-10)


def test_wilson_cowan_pyrates_folds_are_singular_equilibria():
    ref = reference("wc_pyrates.json")
    m = nma.get_model("wilson_cowan_pyrates")
    for k, v in ref["parameters"].items():
        if v != "continued":
            assert m.params[k] == v, k
    _assert_folds_singular(m, ref, "r_ext_e", 1e-12, 1e-10)
