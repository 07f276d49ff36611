"""The command line with XPPAUT .ode files as MODEL."""

import re
from pathlib import Path

import pytest

from .test_cli import run, user_error

DATA = Path(__file__).parent.parent / "io" / "data"


def test_info_of_an_ode_file(capsys):
    code, out, err = run(capsys, "info", DATA / "morris_lecar.ode")
    assert code == 0, err
    assert out.startswith("morris_lecar: Morris-Lecar model")
    for text in ("iapp", "gca", "dV/dt", "dw/dt", "tanh", "[-75, 45]"):
        assert text in out, text
    assert "gcabar" not in out and "cm " not in out      # derived / number: replaced


def test_diagram_of_an_ode_file(capsys):
    """The Hopf points of FitzHugh-Nagumo read from fhn.ode, against their closed form."""
    code, out, err = run(capsys, "diagram", DATA / "fhn.ode", "--free", "I", "--range",
                         "0", "2", "--no-cycles")
    assert code == 0, err
    hopf = sorted(float(line.split()[2]) for line in out.splitlines()
                  if re.match(r"\s+\d+\s+HB\s", line))
    # trace zero: 1 - v^2 = b/tau; on the equilibrium curve I = (v + a)/b - v + v^3/3
    a, b, tau = 0.7, 0.8, 12.5
    v = (1 - b / tau) ** 0.5
    exact = sorted((x + a) / b - x + x ** 3 / 3 for x in (-v, v))
    assert len(hopf) == 2
    assert all(abs(h - e) < 1e-9 for h, e in zip(hopf, exact)), (hopf, exact)


@pytest.mark.parametrize("name, match", [
    ("bad_table.ode", "line 2: lookup tables ('table') are not supported"),
    ("bad_wiener.ode", "line 3: white-noise variables ('wiener') are not supported"),
    ("bad_injection.ode", "line 3: character"),
])
def test_bad_ode_files_exit_2_with_one_line(capsys, name, match):
    for command in (["info"], ["diagram", "--free", "k", "--range", "0", "1"]):
        err = user_error(capsys, command[0], DATA / name, *command[1:])
        assert match in err and name in err


def test_missing_ode_file_exits_2(capsys, tmp_path):
    err = user_error(capsys, "info", tmp_path / "absent.ode")
    assert "absent.ode" in err
