"""The ``diagram2`` command (fold and Hopf curves in two parameters), run through ``main``."""

import json
import re
from pathlib import Path

import pytest

from .test_cli import PNG_MAGIC, run, user_error

xr = pytest.importorskip("xarray")

REF = Path(__file__).resolve().parents[1] / "reference" / "data" / "wc_bm.json"


def _cusp_reference():
    """The cusp of the Wilson-Cowan model in (IE, wEE), 30-digit values."""
    if not REF.exists():
        pytest.skip("reference files not available")
    data = json.loads(REF.read_text())
    for curve in data["two_parameter"]["curves"]:
        for key in ("special_points", "codim2_points"):
            for point in curve.get(key, []):
                if point.get("type") == "CP":
                    return point["crosscheck"]["param"]
    pytest.skip("no cusp in the reference file")


def test_wilson_cowan_cusp_table_netcdf_and_plot(capsys, tmp_path):
    out_nc, out_png = tmp_path / "wc2.nc", tmp_path / "wc2.png"
    code, out, err = run(capsys, "diagram2", "wilson_cowan", "--free", "IE", "wEE",
                         "--range", "IE", "-15", "5", "--range", "wEE", "5", "40",
                         "-o", out_nc, "--plot", out_png)
    assert code == 0, err
    cusps = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s+CP\s", line)]
    assert len(cusps) == 1
    ie, wee = float(cusps[0][2]), float(cusps[0][3])
    cusp = _cusp_reference()            # AUTO-07p's cusp, re-solved with 30 digits
    assert ie == pytest.approx(cusp["IE"], rel=1e-9)
    assert wee == pytest.approx(cusp["wEE"], rel=1e-9)
    assert "c = -" in out and "fold/branch_0" in out
    tree = xr.open_datatree(out_nc)
    assert tree.attrs["free_parameters"] == "IE wEE"
    assert str(tree["special_points"]["type"].values[0]) == "CP"
    data = out_png.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


@pytest.mark.parametrize("argv, words", [
    (["--free", "IE", "IE", "--range", "IE", "-1", "1"], "must differ"),
    (["--free", "IE", "rE"], "'rE' is a state"),
    (["--free", "IE", "wEE", "--range", "IE", "1", "-1", "--range", "wEE", "5", "40"],
     "LO < HI"),
    (["--free", "IE", "wEE", "--range", "wII", "1", "2"], "not one of the free parameters"),
    (["--free", "IE", "wEE", "--range", "IE", "a", "2", "--range", "wEE", "5", "40"],
     "must be numbers"),
    (["--free", "IE", "wEE", "--range", "IE", "-1", "1", "--range", "wEE", "5", "40",
      "--regimes", "20"], "give --plot"),
    (["--free", "IE", "wEE", "--range", "IE", "-1", "1", "--range", "wEE", "5", "40",
      "--set", "wEE=100"], "outside --range wEE"),
])
def test_bad_input_is_one_line(capsys, argv, words):
    err = user_error(capsys, "diagram2", "wilson_cowan", *argv)
    assert words in err
