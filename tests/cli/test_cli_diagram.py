"""The ``diagram`` command (continuation of equilibria), run in-process through ``main``."""

import re

import pytest

from nmanalysis.cli import main
from nmanalysis.cli._args import protect_negative

from .test_cli import PNG_MAGIC, run, user_error

xr = pytest.importorskip("xarray")


def rows(out: str, kind: str) -> list[list[str]]:
    """The cells of the special-point rows of one type ('LP', 'HB', 'BP')."""
    return [line.split() for line in out.splitlines()
            if re.match(rf"\s+\d+\s+{kind}\s", line)]


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


# -- the table ----------------------------------------------------------------------------
def test_wilson_cowan_folds(capsys):
    code, out, err = run(capsys, "diagram", "wilson_cowan", "--free", "IE", "--range", "-2", "2")
    assert code == 0, err
    folds = rows(out, "LP")
    assert len(folds) == 2 and not rows(out, "HB") and not rows(out, "BP")
    values = sorted(float(r[2]) for r in folds)
    assert [f"{v:.7f}" for v in values] == ["-0.5109732", "0.2833500"]
    assert all(len(r[2].lstrip("-").replace(".", "")) >= 12 for r in folds)  # 12 digits
    assert all(re.search(r"a = -?\d", " ".join(r)) for r in folds)
    for text in ("model         wilson_cowan", "free          IE in [-2, 2], starting at -2",
                 "branch_0", "left p_range; left p_range", "wall time", "2 special points:",
                 "rE", "rI"):
        assert text in out, text


def test_fitzhugh_nagumo_subcritical_hopf(capsys):
    code, out, err = run(capsys, "diagram", "fitzhugh_nagumo", "--free", "I", "--range", "0",
                         "2")
    assert code == 0, err
    hopf = rows(out, "HB")
    assert len(hopf) == 2 and not rows(out, "LP")
    assert sorted(round(float(r[2]), 6) for r in hopf) == [0.331281, 1.418719]
    for r in hopf:
        line = " ".join(r)
        assert "subcritical" in line and "omega = 0.275507" in line
        assert "period = 22.8059" in line and "l1 = 0.97197" in line
    assert "l1: first Lyapunov coefficient" in out


def test_variant_set_and_start_value(capsys):
    code, out, err = run(capsys, "diagram", "wilson_cowan", "--variant", "docstring", "--free",
                         "IE", "--range", "-2", "2", "--set", "IE=0")
    assert code == 0, err
    assert "variant 'docstring'" in out and "starting at 0" in out
    assert sorted(round(float(r[2]), 5) for r in rows(out, "LP")) == [-0.81042, 0.27526]


def test_bounds_stop_the_branch(capsys):
    code, out, err = run(capsys, "diagram", "wilson_cowan", "--free", "IE", "--range", "-2", "2",
                         "--bounds", "rE=-0.1:0.3")
    assert code == 0, err
    assert "left p_range; left state bounds" in out
    assert [round(float(r[2]), 7) for r in rows(out, "LP")] == [0.28335]


def test_negative_range_parses():
    assert protect_negative(["diagram", "m", "--range", "-4e2", "-1e-3"]) == \
        ["diagram", "m", "--range", " -4e2", " -1e-3"]
    assert protect_negative(["simulate", "m", "--t=-1:2"]) == ["simulate", "m", "--t=-1:2"]


def test_negative_range_in_scientific_notation(capsys):
    code, out, err = run(capsys, "diagram", "wilson_cowan", "--free", "IE", "--range", "-2e0",
                         "-1e-1", "-q")
    assert code == 0 and out == "", err


# -- outputs ------------------------------------------------------------------------------
def test_output_reopens_with_the_same_special_points(capsys, tmp_path):
    nc = tmp_path / "fhn.nc"
    code, out, err = run(capsys, "diagram", "fitzhugh_nagumo", "--free", "I", "--range", "0",
                         "2", "-o", nc, "-q")
    assert code == 0 and out == "", err
    import nmanalysis as nma
    tree = nma.continuation(nma.get_model("fitzhugh_nagumo"), "I", p_range=(0, 2), cycles=True)
    with xr.open_datatree(nc) as back:
        sp = nma.special_points(back)
        expected = nma.special_points(tree)
        # the Hopf points, then the two canard folds of the cycle branch they join
        assert list(sp["type"].values) == ["HB", "HB", "LPC", "LPC"]
        xr.testing.assert_allclose(sp[["I", "v", "w", "first_lyapunov", "period"]],
                                   expected[["I", "v", "w", "first_lyapunov", "period"]])
        assert list(back["equilibria"].children) == ["branch_0"]
        assert list(back["periodic"].children) == ["branch_0"]
        xr.testing.assert_allclose(back["periodic/branch_0"].to_dataset(),
                                   tree["periodic/branch_0"].to_dataset())
        assert back.attrs["free_parameter"] == "I"


def test_plot_writes_a_png(capsys, tmp_path):
    png = tmp_path / "wc.png"
    code, out, err = run(capsys, "diagram", "wilson_cowan", "--free", "IE", "--range", "-2", "2",
                         "--plot", png)
    assert code == 0, err
    assert f"wrote {png}" in out
    assert_png(png)


def test_jansen_rit_observable(capsys, tmp_path):
    png, nc = tmp_path / "jr.png", tmp_path / "jr.nc"
    code, out, err = run(capsys, "diagram", "jansen_rit", "--free", "p", "--range", "-100",
                         "400", "--y", "v_pc", "--plot", png, "-o", nc)
    assert code == 0, err
    assert_png(png)
    assert len(rows(out, "LP")) == 2 and len(rows(out, "HB")) == 3
    assert "(first 4 of 6 states)" in out and "v_pc" in out
    crit = [r[-1] for r in rows(out, "HB")]
    assert crit == ["subcritical", "supercritical", "supercritical"]
    with xr.open_datatree(nc) as back:
        branch = back["equilibria/branch_0"].to_dataset()
        xr.testing.assert_allclose(branch["v_pc"], branch["y1"] - branch["y2"])
        sp = back["special_points"].to_dataset()
        xr.testing.assert_allclose(sp["v_pc"], sp["y1"] - sp["y2"])
        assert branch["v_pc"].attrs["units"] == "mV"


def test_overlay(capsys, tmp_path):
    png = tmp_path / "fhn.png"
    code, out, err = run(capsys, "diagram", "fitzhugh_nagumo", "--free", "I", "--range", "0",
                         "2", "--plot", png, "--overlay", "--t", "0:200", "--dt", "0.1")
    assert code == 0, err
    assert "overlay       100 runs of rk4 over I, t = 0 .. 200, dt = 0.1, transient 100" in out
    assert_png(png)


def test_overlay_times_follow_the_units():
    import nmanalysis as nma
    from nmanalysis.analysis.diagram_extras import overlay_times
    model = nma.get_model("jansen_rit")
    tree = nma.continuation(model, "p", p_range=(-100, 400))
    # the same default length as a regime map of the model (one time-scale convention)
    from nmanalysis.analysis.regimes import default_span
    assert overlay_times(model, tree, None, None, None) == ((0.0, 4.0), 2.0, 1e-4)
    assert default_span(model) == (0.0, 4.0)


def test_add_observable_takes_the_free_value_of_each_point_and_the_set_parameters():
    import numpy as np

    import nmanalysis as nma
    from nmanalysis.analysis.diagram_extras import add_observable
    from nmanalysis.results.trees import tree_equilibria
    spec = nma.get_model("fitzhugh_nagumo").to_dict()
    spec["observables"] = {"q": {"expression": "I + a*v", "units": "mV",
                                 "description": "a test quantity"}}
    model = nma.Model(**spec)
    tree = nma.continuation(model, "I", p_range=(0, 2), params={"a": 0.5}, cycles=False,
                            progress=False)
    # a value given for the free parameter is ignored: each point has its own
    add_observable(model, tree, "q", "I", params={"a": 0.5, "I": 99.0})
    branches = tree_equilibria(tree)
    assert branches
    for ds in branches.values():
        np.testing.assert_allclose(ds["q"].values, ds["I"].values + 0.5 * ds["v"].values)
        assert ds["q"].attrs == {"long_name": "a test quantity", "units": "mV"}
    sp = tree["special_points"].to_dataset()
    assert sp.sizes["special"] == 2
    np.testing.assert_allclose(sp["q"].values, sp["I"].values + 0.5 * sp["v"].values)


# -- user errors --------------------------------------------------------------------------
@pytest.mark.parametrize("args,expected", [
    (["no_such_model", "--free", "x", "--range", "0", "1"], "unknown model 'no_such_model'"),
    (["wilson_cowan", "--range", "0", "1"], "diagram needs --free P"),
    (["wilson_cowan", "--free", "J", "--range", "0", "1"],
     "--free 'J' is unknown; the parameters of model 'wilson_cowan' are"),
    (["wilson_cowan", "--free", "rE", "--range", "0", "1"], "--free 'rE' is a state"),
    (["wilson_cowan", "--free", "IE", "--range", "2", "-2"], "LO must be less than HI"),
    (["wilson_cowan", "--free", "IE", "--range", "1", "1"], "LO must be less than HI"),
    (["wilson_cowan", "--free", "IE", "--range", "0", "inf"], "must be finite"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--y", "q"],
     "--y 'q' is not a state or observable of model 'wilson_cowan'"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--set", "J=1"],
     "unknown parameter 'J'"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--set", "rE=1"],
     "'rE' is a state"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--set", "IE=5"],
     "lies outside --range"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--overlay"],
     "--overlay draws simulations on the --plot figure"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--t", "0:10"],
     "--t sets the simulations of --overlay"),
    (["wilson_cowan", "--free", "IE", "--range", "-2", "2", "--plot", "x.txt"],
     "unsupported file type"),
])
def test_user_errors(capsys, args, expected):
    err = user_error(capsys, "diagram", *args)
    assert expected in err, err


def test_malformed_range_is_a_usage_error(capsys):
    assert main(["diagram", "wilson_cowan", "--free", "IE", "--range", "a", "1"]) == 2
    assert "invalid float value: 'a'" in capsys.readouterr().err
    assert main(["diagram", "wilson_cowan", "--free", "IE", "--range", "1"]) == 2
    assert "expected 2 arguments" in capsys.readouterr().err


def test_help(capsys):
    code, out, _ = run(capsys, "diagram", "--help")
    assert code == 0
    for text in ("--free P", "--range LO HI", "--overlay", "--range -100 400"):
        assert text in out, text
