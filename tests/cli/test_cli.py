"""The command line, run in-process through ``main`` (plus one real subprocess)."""

import subprocess
import sys

import pytest

from nmanalysis.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def user_error(capsys, *argv) -> str:
    """Run a command that must fail as a user error: status 2, one line, no traceback."""
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert err.startswith("nmanalysis: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# -- models / info ------------------------------------------------------------------------
def test_models_lists_the_library(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert "wilson_cowan" in out and "fitzhugh_nagumo" in out
    assert "variants: docstring" in out and "reference: Wilson & Cowan" in out


def test_info_shows_parameters_units_and_equations(capsys):
    code, out, _ = run(capsys, "info", "wilson_cowan")
    assert code == 0
    for text in ("IE", "wEE", "tauE", "ms", "[-2, 6]", "external input to E", "rE", "[-0.1, 1.1]",
                 "F(x, a, th) = ", "drE/dt = ", "drI/dt = ", "Reference:", "variants: docstring"):
        assert text in out, text


def test_info_variant_and_model_file(capsys, tmp_path):
    code, out, _ = run(capsys, "info", "wilson_cowan", "--variant", "docstring")
    assert code == 0 and "variant 'docstring'" in out and "wEI*rI" in out
    path = tmp_path / "decay.toml"
    path.write_text('name = "decay"\nstates = {x = 1.0}\nparams = {k = 0.5}\n'
                    '[equations]\nx = "-k*x"\n')
    code, out, _ = run(capsys, "info", path)
    assert code == 0 and "dx/dt = -k*x" in out


def test_help_and_usage_errors(capsys):
    assert run(capsys, "--help")[0] == 0
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


# -- user errors --------------------------------------------------------------------------
def test_unknown_model(capsys):
    err = user_error(capsys, "simulate", "no_such_model")
    assert "unknown model 'no_such_model'" in err and "wilson_cowan" in err
    assert "not found" in user_error(capsys, "info", "missing.yaml")
    assert "no variant 'x'" in user_error(capsys, "info", "wilson_cowan", "--variant", "x")


def test_unknown_parameter_in_set(capsys):
    err = user_error(capsys, "simulate", "wilson_cowan", "--set", "J=1")
    assert "unknown parameter 'J' for model 'wilson_cowan'" in err
    assert "'wEE'" in err and "'rE'" in err


@pytest.mark.parametrize("args,expected", [
    (["--sweep", "IE=0:2"], "--sweep 'IE=0:2' is malformed; expected NAME=START:STOP:NUM"),
    (["--sweep", "IE=0:2:x"], "NUM must be a whole number"),
    (["--sweep", "IE=0:2:0"], "NUM must be a whole number"),
    (["--sweep", "IE=a:2:3"], "'a' is not a number"),
    (["--t", "abc"], "--t abc: 'abc' is not a number"),
    (["--t", "5:1"], "STOP must be greater than START"),
    (["--t", "0:1:2"], "--t '0:1:2' is malformed"),
    (["--set", "IE"], "expected NAME=VALUE"),
    (["--set", "IE=nan"], "must be finite"),
    (["--set", "IE=1", "--sweep", "IE=0:1:2"], "'IE' is given twice"),
    (["--record", "everything"], "--record 'everything'"),
    (["--method", "rk5"], "--method 'rk5' is unknown"),
    (["--noise", "q=1"], "'q' is not a state"),
    (["--noise", "rE=0.1", "--method", "rk4"], "noise needs `method`"),
    (["--t", "0:10", "--dt", "0.3"], "whole multiple of dt"),
    (["--plot", "out.gif"], "unsupported file type '.gif'"),
    (["--record", "final", "--plot", "out.png"], "needs --record full"),
    (["--sweep", "IE=0:1:2", "II=0:1:2", "--plot", "out.png"], "sweep over one name"),
    (["-o", "no/such/dir/out.nc"], "does not exist"),
])
def test_bad_simulate_options(capsys, args, expected):
    assert expected in user_error(capsys, "simulate", "wilson_cowan", *args)


def test_output_is_a_directory(capsys, tmp_path):
    assert "is a directory" in user_error(capsys, "simulate", "wilson_cowan", "-o", tmp_path)


# -- simulate -----------------------------------------------------------------------------
def test_simulate_writes_netcdf_and_png(capsys, tmp_path):
    xr = pytest.importorskip("xarray")
    nc, png = tmp_path / "out.nc", tmp_path / "out.png"
    code, out, err = run(capsys, "simulate", "wilson_cowan", "--t", "0:20", "--dt", "0.01",
                         "-o", nc, "--plot", png)
    assert code == 0, err
    for text in ("model         wilson_cowan", "rk4, dt = 0.01 ms", "2001 samples",
                 "trajectories  1", "failed        0", "wall time", f"wrote {nc}"):
        assert text in out, text
    assert png.read_bytes()[:8] == PNG_MAGIC
    with xr.open_dataset(nc) as ds:
        assert {"rE", "rI", "status"} <= set(ds.data_vars)
        assert ds.sizes["time"] == 2001 and ds.attrs["model"] == "wilson_cowan"
        assert float(ds["rE"][0]) == pytest.approx(0.1)


def test_sweep_minmax_plot(capsys, tmp_path):
    png = tmp_path / "sweep.png"
    code, out, err = run(capsys, "simulate", "wilson_cowan", "--sweep", "IE=0:2:5", "--record",
                         "minmax", "--t", "0:20", "--dt", "0.01", "--plot", png)
    assert code == 0, err
    assert "trajectories  5 (sweep IE: 5 values from 0 to 2)" in out
    assert "--transient" in out  # the hint about reductions including the transient
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_sweep_full_plot_and_states(capsys, tmp_path):
    xr = pytest.importorskip("xarray")
    nc, png = tmp_path / "s.nc", tmp_path / "s.png"
    # MODEL after the --set values: taken back from them
    code, _, err = run(capsys, "simulate", "--set", "rE=0.3", "wEE=10", "wilson_cowan",
                       "--sweep", "II=0:1:12", "--t", "0:5", "--dt", "0.01",
                       "--record", "full,minmax", "-o", nc, "--plot", png, "--quiet")
    assert code == 0, err
    assert png.read_bytes()[:8] == PNG_MAGIC
    with xr.open_dataset(nc) as ds:
        assert ds.sizes["II"] == 12 and "rE_max" in ds
        assert float(ds["rE"].isel(time=0, II=0)) == pytest.approx(0.3)
        assert '"wEE": 10.0' in ds.attrs["fixed_params"]


def test_descending_sweep_mean_plot(capsys, tmp_path):
    # time series through nma.plot.timeseries, the mean (no min/max) through cli's own code
    png = tmp_path / "mean.png"
    code, _, err = run(capsys, "simulate", "wilson_cowan", "--sweep", "IE=2:0:5", "--record",
                       "full,mean", "--t", "0:5", "--dt", "0.01", "--plot", png, "--quiet")
    assert code == 0, err
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_noise_and_model_file(capsys, tmp_path, fhn):
    import nmanalysis as nma
    path = tmp_path / "fhn.yaml"
    nma.save_model(fhn, path)
    code, out, err = run(capsys, "simulate", path, "--noise", "v=0.1", "--seed", "3",
                         "--t", "0:5", "--dt", "0.01", "--record", "final")
    assert code == 0, err
    assert "heun" in out and "trajectories  1" in out


def test_set_and_sweep_an_input(capsys, tmp_path):
    xr = pytest.importorskip("xarray")
    path, nc = tmp_path / "driven.yaml", tmp_path / "driven.nc"
    path.write_text("name: driven\nstates: {x: 0.0}\nparams: {k: 1.0}\n"
                    "inputs: {u: {value: 0.0, units: nA}}\nequations: {x: -k*x + u}\n")
    code, _, err = run(capsys, "simulate", path, "--sweep", "u=0:2:3", "--t", "0:20",
                       "--dt", "0.01", "--record", "final", "-o", nc, "--quiet")
    assert code == 0, err
    with xr.open_dataset(nc) as ds:
        assert ds["x"].values == pytest.approx([0.0, 1.0, 2.0], abs=1e-6)
    code, out, err = run(capsys, "simulate", path, "--set", "u=0.5", "--t", "0:1", "--dt",
                         "0.01", "--record", "final")
    assert code == 0 and "u=0.5" in out, err
    # failed trajectories are reported, not raised: x grows like exp(-k t)
    code, out, err = run(capsys, "simulate", path, "--sweep", "k=-100:1:3", "--set", "x=1",
                         "--t", "0:20", "--dt", "0.01", "--record", "minmax")
    assert code == 0, err
    assert "failed        2 of 3 (2 diverged)" in out
    assert "inputs are ['u']" in user_error(capsys, "simulate", path, "--set", "v=1")
    assert "--variant applies to library models only" in user_error(
        capsys, "simulate", path, "--variant", "x")


def test_quiet_prints_nothing(capsys):
    code, out, err = run(capsys, "simulate", "fitzhugh_nagumo", "--t", "0:1", "--dt", "0.01",
                         "--quiet")
    assert (code, out, err) == (0, "", "")


# -- the real entry point -----------------------------------------------------------------
def test_python_m_nmanalysis_is_light():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "nmanalysis", "info",
                           "wilson_cowan"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "drE/dt" in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert not imported & {"numpy", "xarray", "numba", "sympy", "matplotlib"}
