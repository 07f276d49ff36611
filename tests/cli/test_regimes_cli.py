"""The ``regimes`` command, run in-process through ``main``."""

import numpy as np
import pytest

import nmanalysis.cli as cli_pkg
from nmanalysis.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
xr = pytest.importorskip("xarray")


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    if "regimes" not in cli_pkg.COMMANDS:
        monkeypatch.setattr(cli_pkg, "COMMANDS", (*cli_pkg.COMMANDS, "regimes"))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stuart_landau_map(capsys, tmp_path):
    out_nc, out_png = tmp_path / "r.nc", tmp_path / "r.png"
    code, out, err = run(capsys, "regimes", "stuart_landau", "--sweep", "mu=-0.5:0.5:2",
                         "--sweep", "omega=1:2:2", "--t", "0:100", "--n-initial", "2",
                         "-o", out_nc, "--plot", out_png)
    assert code == 0, err
    assert "single stable equilibrium" in out and "limit cycle" in out
    ds = xr.open_dataset(out_nc)
    assert ds["regime"].dims == ("mu", "omega")
    assert ds["regime"].values.tolist() == [[0, 0], [2, 2]]
    # frequency of the cycle: omega / (2 pi) (b = 0)
    np.testing.assert_allclose(ds["frequency"].sel(mu=0.5), [1 / (2 * np.pi), 2 / (2 * np.pi)],
                               rtol=1e-6)
    assert out_png.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("argv, words", [
    (["regimes", "stuart_landau", "--t", "0:10"], "one or two --sweep"),
    (["regimes", "stuart_landau", "--sweep", "nope=0:1:2"], "nope"),
    (["regimes", "stuart_landau", "--sweep", "mu=0:1:2", "--set", "x=1"], "initial states"),
    (["regimes", "stuart_landau", "--sweep", "mu=0:1:2", "--method", "bad"], "--method"),
])
def test_user_errors(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith("nmanalysis: error: ") and err.count("\n") == 1, err
    assert words in err
