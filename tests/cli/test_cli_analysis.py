"""The ``fixed-points`` and ``phase-plane`` commands, run in-process through ``main``."""

import pytest

from nmanalysis.cli._report import elide

from .test_cli import PNG_MAGIC, run, user_error

xr = pytest.importorskip("xarray")


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


@pytest.fixture
def driven(tmp_path):
    """A 2-state model file with a constant input u: the equilibrium is x = y = u."""
    path = tmp_path / "driven.yaml"
    path.write_text("name: driven\nstates: {x: 0.0, y: 0.0}\nparams: {k: 1.0}\n"
                    "inputs: {u: {value: 0.0, units: nA}}\n"
                    "equations: {x: -k*x + u, y: x - y}\n")
    return path


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "fixed-points" in out and "phase-plane" in out
    code, out, _ = run(capsys, "phase-plane", "--help")
    assert code == 0 and "--traj=-1,0.5" in out and "--mode fixed|qss" in out


# -- fixed-points -------------------------------------------------------------------------
def test_fixed_points_single_point(capsys, tmp_path):
    nc, png = tmp_path / "fp.nc", tmp_path / "fp.png"
    code, out, err = run(capsys, "fixed-points", "wilson_cowan", "--set", "IE=0", "-o", nc,
                         "--plot", png)
    assert code == 0, err
    for text in ("model         wilson_cowan", "set           IE=0",
                 "search box    rE in [-0.1, 1.1], rI in [-0.1, 1.1]; 128 Newton starts",
                 "3 equilibria:", "max Re(eig) [1/ms]", "residual", f"wrote {nc}",
                 f"wrote {png}"):
        assert text in out, text
    # one row per equilibrium, in order of rE: stable node, saddle, stable node
    table = out[out.index("3 equilibria:"):].splitlines()
    header, rows = table[1].split(), table[2:5]
    assert header[:3] == ["#", "rE", "rI"]
    assert ["stable node" in rows[0], "saddle" in rows[1], "stable node" in rows[2]] == [True] * 3
    assert [r.split()[5 if "node" in r else 4] for r in rows] == ["yes", "no", "yes"]
    assert_png(png)
    with xr.open_dataset(nc) as ds:
        assert {"rE", "rI", "kind", "stable", "eig_real", "residual", "n_fp"} <= set(ds)
        assert int(ds["n_fp"]) == 3
        assert [str(k) for k in ds["kind"].values] == ["stable node", "saddle", "stable node"]
        assert ds.attrs["analysis"] == "fixed_points"


def test_fixed_points_sweep(capsys, tmp_path):
    nc, png = tmp_path / "sweep.nc", tmp_path / "sweep.png"
    code, out, err = run(capsys, "fixed-points", "wilson_cowan", "--sweep", "IE=-1:3:41",
                         "-o", nc, "--plot", png, "--y", "rI")
    assert code == 0, err
    for text in ("sweep         IE: 41 values from -1 to 3", "equilibria per sweep point:",
                 "IE    n  kinds", "-1    1  stable node", "3     1  stable node",
                 "3  stable node, saddle, stable node", "more rows alike",
                 "sweep points with 1 equilibrium: ", "3 equilibria: ",
                 "the number changes between IE = "):
        assert text in out, text
    # long runs of alike rows are shortened
    assert len(out.splitlines()) < 30
    assert_png(png)
    with xr.open_dataset(nc) as ds:
        assert ds.sizes["IE"] == 41 and ds["n_fp"].dims == ("IE",)
        assert set(ds["n_fp"].values.tolist()) == {1, 3}
        assert "saddle" in {str(k) for k in ds["kind"].values.ravel()}


def test_fixed_points_bounds_starts_and_two_sweeps(capsys):
    code, out, err = run(capsys, "fixed-points", "wilson_cowan", "--set", "IE=0", "--bounds",
                         "rE=0.1:1.1", "--n-starts", "16")
    assert code == 0, err
    assert "rE in [0.1, 1.1]" in out and "16 Newton starts" in out
    assert "2 equilibria:" in out and "saddle" in out
    code, out, err = run(capsys, "fixed-points", "wilson_cowan", "--sweep", "IE=-1:1:3",
                         "II=0:1:2")
    assert code == 0, err
    assert "  IE  II  n  kinds" in out
    assert "-1  0   1  stable node" in out
    assert "the number changes" not in out  # only for one sweep


def test_fixed_points_quiet_and_model_after_set(capsys, tmp_path):
    nc = tmp_path / "q.nc"
    code, out, err = run(capsys, "fixed-points", "--set", "IE=0", "wilson_cowan", "-o", nc,
                         "--quiet")
    assert (code, out, err) == (0, "", "")
    with xr.open_dataset(nc) as ds:
        assert int(ds["n_fp"]) == 3


def test_fixed_points_with_an_input(capsys, driven):
    code, out, err = run(capsys, "fixed-points", driven, "--set", "u=2", "k=2")
    assert code == 0, err
    assert "1 equilibrium:" in out
    assert out.splitlines()[-1].split()[:4] == ["0", "1", "1", "stable"]
    assert "inputs are constant" in user_error(capsys, "fixed-points", driven, "--sweep",
                                               "u=0:1:3")


@pytest.mark.parametrize("args,expected", [
    (["--set", "rE=0.3"], "'rE' is a state: fixed-points solves for the states"),
    (["--sweep", "rE=0:1:3"], "'rE' is a state"),
    (["--set", "J=1"], "unknown parameter 'J'"),
    (["--bounds", "rE=1:0"], "--bounds rE=1:0: LOW must be less than HIGH"),
    (["--bounds", "rE=0:1:2"], "expected STATE=LOW:HIGH"),
    (["--bounds", "q=0:1"], "'q' is not a state of model 'wilson_cowan'"),
    (["--bounds", "rE=a:1"], "'a' is not a number"),
    (["--n-starts", "0"], "--n-starts '0': must be a whole number >= 1"),
    (["--y", "rE"], "--y chooses the state drawn by --plot"),
    (["--plot", "x.png", "--y", "q"], "--y 'q' is not a state"),
    (["--plot", "x.gif"], "unsupported file type '.gif'"),
    (["--sweep", "IE=0:1:2", "II=0:1:2", "--plot", "x.png"], "a sweep over one parameter"),
    (["-o", "no/such/dir/out.nc"], "does not exist"),
])
def test_bad_fixed_points_options(capsys, args, expected):
    assert expected in user_error(capsys, "fixed-points", "wilson_cowan", *args)


def test_fixed_points_plot_needs_two_states_or_a_sweep(capsys):
    err = user_error(capsys, "fixed-points", "jansen_rit", "--plot", "x.png")
    assert "'jansen_rit' has 6 states" in err and "phase-plane" in err
    assert "needs a MODEL" in user_error(capsys, "fixed-points", "--set", "IE=0")


# -- phase-plane --------------------------------------------------------------------------
def test_phase_plane(capsys, tmp_path):
    nc, png = tmp_path / "pp.nc", tmp_path / "pp.png"
    code, out, err = run(capsys, "phase-plane", "wilson_cowan", "--x", "rE", "--y", "rI",
                         "--set", "IE=0", "--resolution", "21", "--traj", "0.1,0.1",
                         "0.6,0.4", "--t", "0:5", "-o", nc, "--plot", png)
    assert code == 0, err
    for text in ("plane         rE in [-0.1, 1.1] x rI in [-0.1, 1.1]; 21 x 21 grid",
                 "nullclines    rE: ", "              rI: ", "vertices", "max |drE/dt| = ",
                 "trajectories  2, t = 0 .. 5 ms",
                 "3 equilibria in the plane (kind from the full Jacobian):",
                 "saddle", "stable node", f"wrote {png}"):
        assert text in out, text
    assert "other states" not in out  # a 2-state model
    assert_png(png)
    with xr.open_dataset(nc) as ds:
        assert {"dx", "dy", "fp_x", "fp_y", "fp_kind", "nullcline_rE_x", "nullcline_rI_y",
                "traj_x", "traj_y"} <= set(ds)
        assert ds.sizes["rE"] == 21 and ds.sizes["traj"] == 2
        assert [str(k) for k in ds["fp_kind"].values] == ["stable node", "saddle",
                                                          "stable node"]


def test_phase_plane_other_states_and_negative_start(capsys, tmp_path):
    code, out, err = run(capsys, "phase-plane", "jansen_rit", "--x", "y1", "--y", "y2",
                         "--set", "y0=0.2", "--resolution", "9", "--range", "y1=-20:40",
                         "y2=-20:40")
    assert code == 0, err
    assert "other states  held at y0=0.2, y3=0, y4=0, y5=0" in out
    assert "equilibria of the slice, not of the model" in out
    png = tmp_path / "fhn.png"
    code, out, err = run(capsys, "phase-plane", "--x", "v", "--y", "w", "--traj=-1,0.5",
                         "fitzhugh_nagumo", "--resolution", "9", "--t", "2", "--plot", png,
                         "-q")
    assert (code, out) == (0, ""), err
    assert_png(png)


def test_phase_plane_with_an_input(capsys, driven):
    code, out, err = run(capsys, "phase-plane", driven, "--x", "x", "--y", "y", "--set",
                         "u=2", "--resolution", "5")
    assert code == 0, err
    assert out.splitlines()[-1].split()[:4] == ["0", "2", "2", "stable"]


@pytest.mark.parametrize("args,expected", [
    (["--x", "rE", "--y", "rE"], "--x and --y must be different states; both are 'rE'"),
    (["--x", "q", "--y", "rI"], "--x 'q' is not a state of model 'wilson_cowan'"),
    (["--x", "rE"], "phase-plane needs --x and --y"),
    (["--range", "rE=1:0"], "--range rE=1:0: LOW must be less than HIGH"),
    (["--range", "rE=0:1:2"], "expected STATE=LOW:HIGH"),
    (["--traj", "0.1"], "--traj '0.1' is malformed; expected X0,Y0"),
    (["--traj", "0.1,"], "--traj '0.1,' is malformed"),
    (["--traj", "a,0.1"], "--traj a,0.1: 'a' is not a number"),
    (["--mode", "slow"], "--mode 'slow': must be 'fixed'"),
    (["--resolution", "2"], "--resolution '2': must be a whole number >= 3"),
    (["--resolution", "x"], "must be a whole number"),
    (["--set", "rE=0.3"], "'rE' is an axis of the plane"),
    (["--set", "J=1"], "unknown parameter 'J'"),
    (["--t", "5:1"], "STOP must be greater than START"),
    (["--plot", "x.gif"], "unsupported file type '.gif'"),
])
def test_bad_phase_plane_options(capsys, args, expected):
    base = [] if "--x" in args else ["--x", "rE", "--y", "rI"]
    assert expected in user_error(capsys, "phase-plane", "wilson_cowan", *base, *args)


def test_range_of_a_state_off_the_plane(capsys):
    err = user_error(capsys, "phase-plane", "jansen_rit", "--x", "y1", "--y", "y2", "--range",
                     "y0=0:1")
    assert "'y0' is not an axis of the plane; the axes are ['y1', 'y2']" in err


# -- the shortened sweep table ------------------------------------------------------------
def test_elide_keeps_changes_and_ends():
    rows = [(str(i), 1, "stable node") for i in range(30)] + \
           [(str(i), 3, "stable node, saddle, stable node") for i in range(30, 32)]
    out = elide(rows, 3)
    assert out == [rows[0], ("...", "", "(28 more rows alike)"), rows[29], rows[30], rows[31]]
    alternating = [(str(i), i % 2, "k") for i in range(50)]  # nothing alike: first/last 10
    out = elide(alternating, 3)
    assert out[:10] == alternating[:10] and out[-10:] == alternating[-10:]
    assert out[10] == ("...", "", "(30 more rows)") and len(out) == 21
    assert elide(rows[:21], 3) == rows[:21]
