"""fixed_points, stability and phase_plane: closed forms, layouts and bad input."""

import numpy as np
import pytest
import xarray as xr

import nmanalysis as nma
from nmanalysis.analysis.stability import KINDS, classify

LINEAR = nma.Model(name="test_linear2", states={"x": 0.0, "y": 0.0},
                   params={"a": -1.0, "b": 2.0, "c": -2.0, "d": -1.0, "u": 1.0, "v": 0.5},
                   equations={"x": "a*x + b*y + u", "y": "c*x + d*y + v"})
PITCH = nma.Model(name="test_pitchfork", states={"x": {"value": 0.1, "bounds": (-3, 3)}},
                  params={"mu": 1.0}, equations={"x": "mu*x - x^3"})


def test_linear_system_equilibrium_and_eigenvalues():
    fp = nma.fixed_points(LINEAR, bounds={"x": (-5, 5), "y": (-5, 5)})
    A = np.array([[-1.0, 2.0], [-2.0, -1.0]])
    x = np.linalg.solve(A, -np.array([1.0, 0.5]))
    assert int(fp["n_fp"]) == 1
    np.testing.assert_allclose([float(fp["x"][0]), float(fp["y"][0])], x, atol=1e-14)
    lam = fp["eig_real"].values[0] + 1j * fp["eig_imag"].values[0]
    np.testing.assert_allclose(lam, [-1 + 2j, -1 - 2j], atol=1e-14)
    assert fp["kind"].values[0] == "stable focus" and bool(fp["stable"][0])


def test_pitchfork_counts_and_padding():
    fp = nma.fixed_points(PITCH, params={"mu": [-1.0, 1.0, 4.0]})
    assert fp["n_fp"].values.tolist() == [1, 3, 3]
    # sorted by the state, padded with NaN and converged=False
    assert np.isnan(fp["x"].sel(mu=-1.0).values[1:]).all()
    assert not fp["converged"].sel(mu=-1.0).values[1:].any()
    np.testing.assert_allclose(fp["x"].sel(mu=4.0).values, [-2, 0, 2], atol=1e-14)
    assert fp["kind"].sel(mu=4.0).values.tolist() == ["stable node", "unstable node",
                                                       "stable node"]
    assert fp["n_unstable"].sel(mu=4.0).values.tolist() == [0, 1, 0]


def test_box_excludes_outside_equilibria():
    fp = nma.fixed_points(PITCH, params={"mu": 4.0}, bounds={"x": (-1, 3)})
    assert int(fp["n_fp"]) == 2


def test_netcdf_round_trip(tmp_path):
    fp = nma.fixed_points(PITCH, params={"mu": [-1.0, 1.0]})
    fp.to_netcdf(tmp_path / "fp.nc")
    with xr.open_dataset(tmp_path / "fp.nc") as back:
        xr.testing.assert_identical(fp, back.load())


def test_classify_kinds():
    lam = np.array([[-1, -2], [-1 + 1j, -1 - 1j], [1, 2], [1 + 1j, 1 - 1j], [1, -1],
                    [0 + 1j, 0 - 1j]], dtype=complex)
    kind, stable, nu = classify(lam)
    assert [KINDS[k] for k in kind] == ["stable node", "stable focus", "unstable node",
                                        "unstable focus", "saddle", "center / non-hyperbolic"]
    assert stable.tolist() == [True, True, False, False, False, False]
    lam3 = np.array([[1.0, -1 + 2j, -1 - 2j]])
    assert KINDS[classify(lam3)[0][0]] == "saddle-focus"


def test_stability_of_one_point():
    out = nma.stability(PITCH, {"x": 0.0}, {"mu": 2.0}, jacobian=True)
    assert out["kind"] == "unstable node" and out["n_unstable"] == 1
    np.testing.assert_allclose(out["jacobian"], [[2.0]])
    np.testing.assert_allclose(out["eigenvalues"], [2.0])
    with pytest.raises(nma.OptionsError, match="every state"):
        nma.stability(PITCH, {"y": 0.0})


def test_non_autonomous_model_is_refused():
    m = nma.Model(name="test_forced", states={"x": 0.0}, params={}, equations={"x": "-x + t"})
    with pytest.raises(nma.OptionsError, match="autonomous"):
        nma.fixed_points(m)


@pytest.mark.parametrize("kwargs, match", [
    (dict(params={"nope": 1.0}), "unknown name 'nope'"),
    (dict(bounds={"x": (1, 0)}), "low < high"),
    (dict(bounds={"z": (0, 1)}), "unknown name 'z'"),
    (dict(n_starts=0), "n_starts"),
])
def test_fixed_points_bad_input(kwargs, match):
    with pytest.raises(nma.OptionsError, match=match):
        nma.fixed_points(PITCH, **kwargs)


def test_phase_plane_nullclines_on_the_curves(wc):
    pp = nma.phase_plane(wc, "rE", "rI", params={"IE": 0.0}, resolution=51)
    assert pp["fp_kind"].values.tolist() == ["stable node", "saddle", "stable node"]
    sys_ = nma.compile.compile_model(wc)
    p = sys_.parameter_vector({"IE": 0.0}, None, wc.params)
    for k, s in enumerate(("rE", "rI")):
        xs, ys = pp[f"nullcline_{s}_x"].values, pp[f"nullcline_{s}_y"].values
        assert xs.size > 20
        res = [abs(sys_.f([a, b], p)[k]) for a, b in zip(xs, ys)]
        assert max(res) <= 1e-10
    # equilibria agree with fixed_points
    fp = nma.fixed_points(wc, params={"IE": 0.0})
    np.testing.assert_allclose(pp["fp_x"].values, fp["rE"].values[:3], atol=1e-10)


def test_phase_plane_qss_slaves_the_other_states():
    m = nma.Model(name="test_slaved", states={"x": 0.0, "y": 0.0, "z": 0.0}, params={},
                  equations={"x": "-x + z", "y": "-y + 0.5", "z": "-z + x*y + 1"})
    pp = nma.phase_plane(m, "x", "y", ranges={"x": (-3, 3), "y": (-3, 3)}, mode="qss",
                         resolution=21)
    # z = x*y + 1 on its nullcline, so the x-nullcline is x = x*y + 1
    xs, ys = pp["nullcline_x_x"].values, pp["nullcline_x_y"].values
    np.testing.assert_allclose(xs, xs * ys + 1, atol=1e-10)
    assert pp["fp_x"].size == 1 and abs(float(pp["fp_x"][0]) - 2.0) < 1e-10


@pytest.mark.parametrize("kwargs, match", [
    (dict(x="rE", y="rE"), "different states"),
    (dict(x="q", y="rI"), "`x` must be a state"),
    (dict(x="rE", y="rI", ranges={"rE": (1, 0)}), "low < high"),
    (dict(x="rE", y="rI", ranges={"rE": ()}), "pair"),
    (dict(x="rE", y="rI", mode="slow"), "`mode`"),
    (dict(x="rE", y="rI", resolution=2), "resolution"),
    (dict(x="rE", y="rI", trajectories=[1, 2, 3]), "pairs"),
])
def test_phase_plane_bad_input(wc, kwargs, match):
    with pytest.raises(nma.OptionsError, match=match):
        nma.phase_plane(wc, **kwargs)


def test_saddle_manifolds_separate_the_basins(wc):
    pp = nma.phase_plane(wc, "rE", "rI", params={"IE": 0.0}, resolution=21,
                         ranges={"rE": (-0.05, 0.6), "rI": (-0.05, 0.35)}, manifolds=True,
                         t=(0, 60))
    seg, stable = pp["manifold_segment"].values, pp["manifold_stable"].values
    nodes = np.column_stack([pp["fp_x"].values, pp["fp_y"].values])[[0, 2]]
    ends = []
    for k in np.unique(seg):
        sel = seg == k
        if not stable[sel][0]:
            end = np.array([pp["manifold_x"].values[sel][-1], pp["manifold_y"].values[sel][-1]])
            ends.append(np.min(np.linalg.norm(nodes - end, axis=1)))
    # the two branches of the unstable manifold run into the two stable nodes
    assert len(ends) == 2 and max(ends) < 1e-3
    assert stable.any()
