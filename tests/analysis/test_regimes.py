"""regime_map against closed forms and the AUTO reference files."""

import json
from pathlib import Path

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.regimes import REGIMES, regime_map
from nmanalysis.errors import OptionsError
from nmanalysis.results.validate import validate_dataset

REF = Path(__file__).resolve().parents[1] / "reference" / "data"
CODE = {v: k for k, v in REGIMES.items()}


def _ref(name):
    return json.loads((REF / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def sl():
    return nma.get_model("stuart_landau")


def test_stuart_landau_across_hopf(sl):
    mu = np.array([-0.4, -0.1, 0.1, 0.4])
    omega = np.array([1.0, 2.0])
    ds = regime_map(sl, {"mu": mu, "omega": omega}, t=(0, 150), n_initial=3)
    assert not validate_dataset(ds)
    eq, lc = CODE["single_stable_equilibrium"], CODE["limit_cycle"]
    assert ds["regime"].values.tolist() == [[eq, eq]] * 2 + [[lc, lc]] * 2
    assert ds["regime"].attrs["flag_meanings"].split() == [REGIMES[k] for k in sorted(REGIMES)]
    cyc = ds.sel(mu=mu[mu > 0])
    np.testing.assert_allclose(cyc["frequency"].transpose("mu", "omega"),
                               np.tile(omega / (2 * np.pi), (2, 1)), rtol=1e-6)
    # amplitude of x: peak to peak 2 sqrt(mu) (window samples: to ~1e-4)
    np.testing.assert_allclose(cyc["amplitude"].transpose("mu", "omega"),
                               2 * np.sqrt(mu[mu > 0])[:, None] * np.ones(2), rtol=1e-3)
    assert np.all(ds["n_attractors"] == 1)


def test_fitzhugh_nagumo_between_hopf_points(fhn):
    hb = sorted(p["crosscheck"]["param"] for p in _ref("fhn")["special_points"]
                if p["type"] == "HB")
    values = np.array([hb[0] - 0.2, hb[0] + 0.1, 0.9, hb[1] - 0.1, hb[1] + 0.2])
    ds = regime_map(fhn, {"I": values}, t=(0, 1200), n_initial=2)
    eq, lc = CODE["single_stable_equilibrium"], CODE["limit_cycle"]
    assert ds["regime"].values.tolist() == [eq, lc, lc, lc, eq]
    assert np.all(np.isnan(ds["frequency"][[0, 4]]))


def test_montbrio_bistability_between_folds():
    mpr = nma.get_model("montbrio_pazo_roxin")
    ref = _ref("mpr_qif")
    assert ref["parameters"]["J"] == 15 and ref["parameters"]["Delta"] == 1
    folds = sorted(p["crosscheck"]["param"] for p in ref["special_points"] if p["type"] == "LP")
    inside = np.linspace(folds[0] + 0.7, folds[1] - 0.3, 3)
    outside = np.array([folds[0] - 1.5, folds[1] + 0.8])
    eta = np.concatenate([outside[:1], inside, outside[1:]])
    ds = regime_map(mpr, {"eta": eta, "J": 15.0, "Delta": 1.0}, t=(0, 100), n_initial=8)
    single, multi = CODE["single_stable_equilibrium"], CODE["multiple_stable_equilibria"]
    assert ds["regime"].values.tolist() == [single, multi, multi, multi, single]
    assert ds["n_equilibria"].values.tolist() == [1, 2, 2, 2, 1]


def test_dask_gives_the_same_dataset(sl):
    pytest.importorskip("dask")
    params = {"mu": np.array([-0.3, 0.2, 0.5]), "omega": np.array([1.0, 1.5])}
    plain = regime_map(sl, params, t=(0, 80), n_initial=2)
    chunked = regime_map(sl, params, t=(0, 80), n_initial=2, chunks={"mu": 2, "omega": 1})
    import xarray as xr
    xr.testing.assert_identical(plain, chunked)


def test_lyapunov_option(sl):
    ds = regime_map(sl, {"mu": np.array([-0.5, 0.5])}, t=(0, 100), dt=0.01, method="rk4",
                    n_initial=1, lyapunov=True)
    # focus: lambda = mu; cycle: 0
    np.testing.assert_allclose(ds["lyapunov"], [-0.5, 0.0], atol=0.05)
    assert ds["regime"].values.tolist() == [CODE["single_stable_equilibrium"],
                                            CODE["limit_cycle"]]


def test_errors(sl):
    with pytest.raises(OptionsError, match="sweep at least one"):
        regime_map(sl, {"mu": 0.5}, t=(0, 10))
    with pytest.raises(OptionsError, match="amplitude_of"):
        regime_map(sl, {"mu": np.array([0.5])}, t=(0, 10), amplitude_of="z")
    with pytest.raises(OptionsError, match="y0"):
        regime_map(sl, {"mu": np.array([0.5])}, t=(0, 10), y0={"x": [0.1, 0.2], "y": [1, 2, 3]})
    with pytest.raises(OptionsError, match="chunks"):
        pytest.importorskip("dask")
        regime_map(sl, {"mu": np.array([0.5])}, t=(0, 10), chunks="big")


def test_bifurcation_curves_match_the_closed_form_hopf_points():
    """FitzHugh-Nagumo: Hopf at v = +-sqrt(1 - b/tau), I = (v + a)/b - v + v^3/3."""
    from nmanalysis.analysis.regimes import bifurcation_curves

    m = nma.get_model("fitzhugh_nagumo")
    a_values = np.array([0.6, 0.7, 0.8])
    curves = bifurcation_curves(m, "I", (0, 2.5), "a", a_values)
    b, tau = m.params["b"], m.params["tau"]
    v = np.sqrt(1 - b / tau)
    for a in a_values:
        got = np.sort(curves["I"].values[(curves["a"].values == a)
                                         & (curves["type"].values == "HB")])
        want = np.sort([(s * v + a) / b - s * v + (s * v) ** 3 / 3 for s in (-1, 1)])
        np.testing.assert_allclose(got, want, rtol=1e-9)
    with pytest.raises(nma.OptionsError, match="different"):
        bifurcation_curves(m, "I", (0, 2), "I", [0.1])


# -- bifurcation_curves: mistakes are errors, never an empty result -------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(params={"aa": 1.0}), "unknown name 'aa'"),
    (dict(params={"a": 1.0}), "must not set 'a'"),
    (dict(x_range=(2, 0)), "low < high"),
    (dict(x_range=(0, float("nan"))), "low < high"),
    (dict(y_values=[]), "non-empty"),
    (dict(y_values=[0.7, float("inf")]), "finite"),
    (dict(kinds=("HOPF",)), "`kinds`"),
])
def test_bifurcation_curves_refuses_mistakes(fhn, kwargs, match):
    from nmanalysis.analysis.regimes import bifurcation_curves
    args = dict(x_range=(0, 2), y_values=[0.6, 0.7])
    args.update(kwargs)
    with pytest.raises(nma.OptionsError, match=match):
        bifurcation_curves(fhn, "I", args.pop("x_range"), "a", args.pop("y_values"), **args)


def test_bifurcation_curves_hopf_points_are_exact(fhn):
    # FitzHugh-Nagumo v' = v - v^3/3 - w + I, w' = (v + a - b w)/tau: the trace of the
    # Jacobian vanishes where 1 - v^2 = b/tau, i.e. v = -+sqrt(1 - b/tau), and then
    # I = w - v + v^3/3 with w = (v + a)/b.
    from nmanalysis.analysis.regimes import bifurcation_curves
    b, tau = fhn.params["b"], fhn.params["tau"]
    c = bifurcation_curves(fhn, "I", (0, 2), "a", [0.6, 0.7])
    assert c["status"].values.tolist() == ["ok", "ok"]
    assert c["n_special"].values.tolist() == [2, 2]
    for a in (0.6, 0.7):
        exact = sorted((v + a) / b - v + v ** 3 / 3 for v in
                       (-np.sqrt(1 - b / tau), np.sqrt(1 - b / tau)))
        got = sorted(c["I"].values[c["a"].values == a])
        np.testing.assert_allclose(got, exact, rtol=1e-9)
    assert c["type"].dims == ("special",)
