"""basin_map / basin_fractions against closed forms and an independent scipy computation."""

import math

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.analysis.basins import basin_fractions, basin_map
from nmanalysis.results.validate import validate_dataset

MU = -0.5                                   # Bautin normal form below the fold of cycles
R_UNSTABLE = math.sqrt(1 - math.sqrt(1 + MU))    # separatrix: the unstable cycle
R_STABLE = math.sqrt(1 + math.sqrt(1 + MU))      # the attracting cycle (period 2 pi)


@pytest.fixture(scope="module")
def cubic():
    return nma.Model(name="cubic", states={"x": 0.0}, params={}, equations={"x": "x - x**3"})


@pytest.fixture(scope="module")
def bautin():
    # polar form: r' = r (mu + 2 r^2 - r^4), theta' = 1
    rho = "(x^2 + y^2)"
    g = f"(mu + 2*{rho} - {rho}^2)"
    return nma.Model(name="bautin", states={"x": 0.0, "y": 0.0}, params={"mu": MU},
                     equations={"x": f"x*{g} - y", "y": f"y*{g} + x"})


def _catalogue(tree):
    return tree["attractors"].to_dataset(inherit=False)


# -- x' = x - x^3 ------------------------------------------------------------------------
def test_cubic_boundary_exactly_at_zero(cubic):
    xs = np.linspace(-2.0, 2.0, 401)                      # contains 0.0 exactly
    assert xs[200] == 0.0
    tree = basin_map(cubic, {"x": xs}, progress=False)
    cat = _catalogue(tree)
    # the catalogue: the two stable equilibria +-1 with eigenvalue f'(+-1) = -2
    order = np.argsort(cat["x_point"].values)
    np.testing.assert_allclose(cat["x_point"].values[order], [-1.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(cat["max_real_eig"].values, -2.0, rtol=1e-10)
    assert list(cat["kind"].values) == ["equilibrium"] * 2
    low, high = order
    lab = tree["attractor"].values
    assert np.all(lab[xs < 0] == low)
    assert np.all(lab[xs > 0] == high)
    # x = 0 is the unstable equilibrium: never labelled by it
    assert lab[200] == -1
    assert int(tree["status"].values[200]) == 3
    assert np.isnan(tree["time_to_converge"].values[200])


def test_cubic_time_to_converge_matches_closed_form(cubic):
    xs = np.array([0.05, 0.3, 1.7, -0.6])
    tree = basin_map(cubic, {"x": xs}, progress=False, tol=1e-3)
    T = tree["time_to_converge"].values
    tol = tree.attrs["tol_used"] * json_scale(tree)["x"]
    dt = tree.attrs["dt"]
    # x(t)^2 = 1 / (1 + (1/x0^2 - 1) e^{-2t}): first time with | |x| - 1 | <= tol
    for x0, t in zip(xs, T):
        c = 1 / x0 ** 2 - 1
        target = 1 - tol if abs(x0) < 1 else 1 + tol
        t_exact = 0.5 * math.log(c / (1 / target ** 2 - 1))
        # arrival is checked every 4 steps
        assert t_exact - 1e-9 <= t <= t_exact + 4 * dt + 1e-9, (x0, t, t_exact)


def json_scale(tree):
    import json
    return json.loads(tree.attrs["scale"])


def test_diverging_and_leaving_the_domain():
    m = nma.Model(name="blowup", states={"x": 0.0}, params={}, equations={"x": "x**2"})
    xs = np.array([-1.0, 0.5, 2.0])
    tree = basin_map(m, {"x": xs}, t_max=40.0, progress=False)
    # x' = x^2 has no attractor: x0 > 0 blows up at t = 1/x0, x0 < 0 creeps to the
    # non-hyperbolic x = 0, which is not a stable equilibrium
    assert tree["attractor"].values.tolist() == [-1, -1, -1]
    assert tree["status"].values.tolist() == [3, 1, 1]
    assert _catalogue(tree).sizes["attractor"] == 0
    tree = basin_map(m, {"x": xs}, t_max=40.0, domain={"x": (-5.0, 5.0)}, progress=False)
    assert tree["status"].values.tolist() == [3, 2, 2]


# -- a 2-D system with a closed-form separatrix and a cycle --------------------------------
def test_bautin_separatrix_is_the_unstable_cycle(bautin):
    g = np.linspace(-1.5, 1.5, 81)
    tree = basin_map(bautin, {"x": g, "y": g}, t_max=40.0, progress=False)
    assert tree["attractor"].dims == ("y", "x")
    cat = _catalogue(tree)
    kinds = list(cat["kind"].values)
    assert sorted(kinds) == ["cycle", "equilibrium"]       # one cycle: matched across rows
    eq, cyc = kinds.index("equilibrium"), kinds.index("cycle")
    np.testing.assert_allclose([cat["x_point"][eq], cat["y_point"][eq]], 0.0, atol=1e-12)
    # the attracting cycle: radius sqrt(1 + sqrt(1 + mu)), period 2 pi
    assert abs(float(cat["period"][cyc]) - 2 * math.pi) < 1e-3
    for s in ("x", "y"):
        assert abs(float(cat[f"{s}_max"][cyc]) - R_STABLE) < 2e-3
        assert abs(float(cat[f"{s}_min"][cyc]) + R_STABLE) < 2e-3
    r_point = math.hypot(float(cat["x_point"][cyc]), float(cat["y_point"][cyc]))
    assert abs(r_point - R_STABLE) < 1e-3
    orbit_r = np.hypot(cat["orbit_x"][cyc].values, cat["orbit_y"][cyc].values)
    np.testing.assert_allclose(orbit_r, R_STABLE, atol=1e-3)
    # basins: inside the unstable cycle -> origin, outside -> the cycle
    Y, X = np.meshgrid(g, g, indexing="ij")
    r = np.hypot(X, Y)
    lab = tree["attractor"].values
    h = g[1] - g[0]
    assert np.all(lab[r < R_UNSTABLE - h] == eq)
    assert np.all(lab[r > R_UNSTABLE + h] == cyc)
    assert np.all(lab >= 0)


def test_fractions_against_exact_areas(cubic, bautin):
    bf = basin_fractions(cubic, box={"x": (-1.0, 3.0)}, n_samples=2000, seed=1,
                         progress=False)
    high = int(np.argmax(bf["x_point"].values))
    assert abs(float(bf["fraction"][high]) - 0.75) <= 3 * float(bf["fraction_se"][high])
    np.testing.assert_allclose(bf["fraction_se"].values,
                               np.sqrt(bf["fraction"] * (1 - bf["fraction"]) / 2000))
    bf = basin_fractions(bautin, box={"x": (-1.5, 1.5), "y": (-1.5, 1.5)}, n_samples=3000,
                         t_max=40.0, progress=False)
    eq = list(bf["kind"].values).index("equilibrium")
    exact = math.pi * R_UNSTABLE ** 2 / 9.0                 # disc inside the unstable cycle
    assert abs(float(bf["fraction"][eq]) - exact) <= 3 * float(bf["fraction_se"][eq])
    assert abs(float(bf["fraction"].sum()) + float(bf["undecided_fraction"]) - 1) < 1e-12
    # seeded: the same seed gives the same answer
    again = basin_fractions(bautin, box={"x": (-1.5, 1.5), "y": (-1.5, 1.5)},
                            n_samples=3000, t_max=40.0, progress=False)
    np.testing.assert_array_equal(again["count"].values, bf["count"].values)


# -- Wilson-Cowan: boundary against the saddle's stable manifold (scipy, independent) ------
WC = dict(wEE=12.0, wIE=4.0, wEI=13.0, wII=11.0, aE=1.2, aI=1.0, thE=2.8, thI=4.0, IE=0.0)


def _wc_rhs(_, z):
    e, i = z
    F = lambda x, a, th: 1 / (1 + np.exp(-a * (x - th))) - 1 / (1 + np.exp(a * th))  # noqa
    return [-e + (1 - e) * F(WC["wEE"] * e - WC["wIE"] * i + WC["IE"], WC["aE"], WC["thE"]),
            -i + (1 - i) * F(WC["wEI"] * e - WC["wII"] * i, WC["aI"], WC["thI"])]


def _wc_stable_manifold(box):
    from scipy.integrate import solve_ivp
    from scipy.optimize import approx_fprime, fsolve
    saddle = fsolve(lambda z: _wc_rhs(0, z), [0.17, 0.06], xtol=1e-14)
    J = np.array([approx_fprime(saddle, lambda z, k=k: _wc_rhs(0, z)[k], 1e-8)
                  for k in range(2)])
    lam, vec = np.linalg.eig(J)
    assert lam.real.min() < 0 < lam.real.max()
    v = vec[:, np.argmin(lam.real)].real

    def leave(_, z):
        return min(z[0] - box[0][0], box[0][1] - z[0], z[1] - box[1][0], box[1][1] - z[1])
    leave.terminal = True
    pieces = []
    for sign in (1, -1):
        sol = solve_ivp(_wc_rhs, (0, -60), saddle + sign * 1e-7 * v, method="DOP853",
                        rtol=1e-11, atol=1e-13, events=leave, max_step=0.05)
        pieces.append(sol.y)
    curve = np.hstack([pieces[0][:, ::-1], pieces[1]])
    return saddle, curve


def test_wilson_cowan_boundary_is_the_saddles_stable_manifold(wc):
    box = ((0.0, 1.0), (0.0, 0.8))
    saddle, curve = _wc_stable_manifold(box)
    rE, rI = np.linspace(0, 1, 201), np.linspace(0, 0.8, 81)
    tree = basin_map(wc, {"rE": rE, "rI": rI}, params={"IE": 0.0}, progress=False)
    cat = _catalogue(tree)
    assert cat.sizes["attractor"] == 2                        # the saddle is never one
    low = int(np.argmin(cat["rE_point"].values))
    lab = tree["attractor"].transpose("rI", "rE").values
    # the manifold is a graph rE = g(rI) across the box
    order = np.argsort(curve[1])
    g = np.interp(rI, curve[1][order], curve[0][order])
    assert np.all(np.diff(curve[1][order]) >= 0)
    h = rE[1] - rE[0]
    for k, gk in enumerate(g):
        left, right = rE < gk - h, rE > gk + h
        assert np.all(lab[k, left] == low), (rI[k], gk)
        assert np.all(lab[k, right] == 1 - low), (rI[k], gk)
    # started exactly on the saddle: undecided, never labelled by it
    on = basin_map(wc, {"rE": [saddle[0]], "rI": [saddle[1]]}, sampled=True,
                   params={"IE": 0.0}, progress=False)
    assert on["attractor"].values.tolist() == [-1]


def test_too_little_time_is_undecided(wc):
    grid = {"rE": np.linspace(0, 1, 7), "rI": np.linspace(0, 0.8, 5)}
    tree = basin_map(wc, grid, params={"IE": 0.0}, t_max=0.2, cycles=False, progress=False)
    assert np.all(tree["attractor"].values == -1)
    assert np.all(tree["status"].values == 3)
    assert np.all(np.isnan(tree["time_to_converge"].values))
    full = basin_map(wc, grid, params={"IE": 0.0}, progress=False)
    assert np.all(full["attractor"].values >= 0)


# -- layout, round trip, plotting, errors ----------------------------------------------------
def test_layout_and_netcdf_round_trip(wc, tmp_path):
    import xarray as xr
    grid = {"rE": np.linspace(0, 1, 6), "rI": np.linspace(0, 0.8, 4)}
    tree = basin_map(wc, grid, params={"IE": 0.0}, progress=False)
    root, cat = tree.to_dataset(), _catalogue(tree)
    assert root["attractor"].dims == ("rI", "rE")
    np.testing.assert_array_equal(root["rE"].values, grid["rE"])
    assert validate_dataset(root) == [] and validate_dataset(cat) == []
    path = tmp_path / "basins.nc"
    tree.to_netcdf(path)
    back = xr.open_datatree(path)
    xr.testing.assert_identical(back.to_dataset().load(), root)
    xr.testing.assert_identical(back["attractors"].to_dataset(inherit=False).load(), cat)
    # a sampled map has dim `sample` and the same labels at the same states
    pts = {"rE": root["rE"].values[[1, 4]], "rI": root["rI"].values[[0, 3]]}
    smp = basin_map(wc, pts, sampled=True, params={"IE": 0.0}, progress=False)
    assert smp["attractor"].dims == ("sample",)
    assert smp["attractor"].values.tolist() == [int(root["attractor"][0, 1]),
                                                int(root["attractor"][3, 4])]


def test_plot_draws_the_labels(wc):
    import matplotlib
    matplotlib.use("Agg")
    from nmanalysis.plot.basins import basins
    grid = {"rE": np.linspace(0, 1, 12), "rI": np.linspace(0, 0.8, 9)}
    tree = basin_map(wc, grid, params={"IE": 0.0}, progress=False)
    pp = nma.phase_plane(wc, "rE", "rI", params={"IE": 0.0},
                         ranges={"rE": (0, 1), "rI": (0, 0.8)}, manifolds=True)
    out = basins(tree, nullclines=pp)
    np.testing.assert_array_equal(np.asarray(out["image"].get_array()).reshape(9, 12),
                                  tree["attractor"].values)
    assert len(out["attractors"]) == 2 and out["manifolds"]
    texts = [t.get_text() for t in out["image"].axes.get_legend().get_texts()]
    assert texts[:2] == [str(s) for s in tree["attractors"]["label"].values]


def test_errors_name_the_bad_input(cubic, wc):
    with pytest.raises(nma.OptionsError, match="unknown name 'z'"):
        basin_map(cubic, {"z": [0.0]})
    with pytest.raises(nma.OptionsError, match="same length"):
        basin_map(wc, {"rE": [0.0, 1.0], "rI": [0.0]}, sampled=True)
    with pytest.raises(nma.OptionsError, match="both `grid` and `y0`"):
        basin_map(wc, {"rE": [0.0]}, y0={"rE": 0.1})
    with pytest.raises(nma.OptionsError, match="`method` must be one of"):
        basin_map(cubic, {"x": [0.0]}, method="dopri")
    with pytest.raises(nma.OptionsError, match=r"`params\['IE'\]` must be one finite"):
        basin_map(wc, {"rE": [0.0]}, params={"IE": [0.0, 1.0]})
    timed = nma.Model(name="forced", states={"x": 0.0}, params={},
                      equations={"x": "-x + sin(t)"})
    with pytest.raises(nma.OptionsError, match="autonomous"):
        basin_map(timed, {"x": [0.0]})
    with pytest.raises(nma.OptionsError, match="n_samples"):
        basin_fractions(cubic, n_samples=0)
