"""``nmanalysis basins``: output files, the printed table, and one-line errors."""

import numpy as np
import pytest

import nmanalysis.cli as cli_pkg
from nmanalysis.cli import main


@pytest.fixture(autouse=True)
def _basins_registered(monkeypatch):
    # the command is registered through nmanalysis.cli.COMMANDS
    monkeypatch.setattr(cli_pkg, "COMMANDS", tuple(dict.fromkeys((*cli_pkg.COMMANDS,
                                                                  "basins"))))


def test_writes_netcdf_and_plot(tmp_path, capsys):
    import xarray as xr

    out, png = tmp_path / "wc.nc", tmp_path / "wc.png"
    code = main(["basins", "wilson_cowan", "--x", "rE", "--y", "rI", "--set", "IE=0",
                 "--range", "rE=0:1", "rI=0:0.8", "--n", "30", "-o", str(out),
                 "--plot", str(png)])
    text = capsys.readouterr().out
    assert code == 0
    tree = xr.open_datatree(out)
    lab = tree["attractor"].values
    assert lab.shape == (30, 30) and tree["attractor"].dims == ("rI", "rE")
    np.testing.assert_allclose(tree["rE"].values, np.linspace(0, 1, 30))
    cat = tree["attractors"].to_dataset(inherit=False)
    # the printed fractions are those of the file
    assert "2 attractors:" in text
    for frac in cat["fraction"].values:
        assert f"{frac:.4f}" in text
    assert np.isclose(cat["fraction"].sum(), np.mean(lab >= 0))
    # the two stable states of the brainmass form at IE = 0 (the saddle is no attractor)
    assert sorted(np.round(cat["rE_point"].values, 4).tolist()) == [0.0, 0.4625]
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("args, message", [
    (["--x", "rE", "--y", "rE"], "--x and --y must be different states"),
    (["--x", "rE", "--y", "foo"], "--y 'foo' is not a state"),
    (["--x", "rE"], "basins needs --x and --y"),
    (["--x", "rE", "--y", "rI", "--n", "1"], "--n '1': must be a whole number >= 2"),
    (["--x", "rE", "--y", "rI", "--set", "IQ=3"], "unknown parameter 'IQ'"),
    (["--x", "rE", "--y", "rI", "--range", "rE=1:0"], "LOW must be less than HIGH"),
    (["--x", "rE", "--y", "rI", "--range", "rE=0"], "malformed"),
    (["--x", "rE", "--y", "rI", "--set", "rE=0.3"], "'rE' is an axis of the grid"),
    (["--x", "rE", "--y", "rI", "--tol", "0"], "--tol 0: must be positive"),
    (["--x", "rE", "--y", "rI", "--plot", "out.xyz"], "unsupported file type"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    code = main(["basins", "wilson_cowan", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unknown_model(capsys):
    assert main(["basins", "no_such_model", "--x", "a", "--y", "b"]) == 2
    assert "unknown model 'no_such_model'" in capsys.readouterr().err
