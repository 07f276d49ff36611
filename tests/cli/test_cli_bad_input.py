"""Bad input on the command line: status 2 and one line, never a traceback."""

import pytest

import nmanalysis.cli as cli
from nmanalysis.cli import main


def one_line_error(capsys, argv, status=2) -> str:
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    assert code == status, err
    assert err.startswith("nmanalysis: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("argv, match", [
    ("simulate wilson_cowan --dt 1e-300", "1e+15 allowed"),
    ("simulate wilson_cowan --dt nan", "`dt` must be a positive finite number"),
    ("simulate wilson_cowan --transient nan", "`transient` must be a finite number"),
    ("simulate wilson_cowan --sampling inf", "`sampling` must be a positive finite number"),
    ("simulate wilson_cowan --t 0:1e300 --dt 1e-3", "larger dt"),
    ("simulate wilson_cowan --sweep IE=0:1:100000 --sweep wEE=0:1:100000 --record final",
     "GB of memory"),
    ("simulate wilson_cowan --seed 99999999999999999999999 --noise rE=0.1 --method euler",
     "`seed` must be a whole number"),
    ("simulate wilson_cowan -o /dev/full", "not a regular file"),
    ("fixed-points wilson_cowan --n-starts 1000000000000", "GB of memory"),
    ("fixed-points wilson_cowan --sweep IE=0:1:1000000000", "GB of memory"),
    ("phase-plane wilson_cowan --x rE --y rI --resolution 1000000", "GB of memory"),
    ("diagram wilson_cowan --free IE --range -1e308 1e308", "finite width"),
    ("diagram jansen_rit --free p --range 0 400 --ntst 100000000", "smaller `ntst`"),
    ("basins wilson_cowan --x rE --y rI --n 100000", "coarser grid"),
    ("basins wilson_cowan --x rE --y rI --dt 1e-300 --n 5", "larger `dt`"),
    ("regimes wilson_cowan --sweep IE=0:1:100000000", "GB of memory"),
])
def test_bad_input_gives_one_line(capsys, argv, match):
    err = one_line_error(capsys, argv.split())
    assert match in err


def _raising(exc):
    def command(args):
        raise exc
    return command


def _with_command(monkeypatch, exc):
    """Make `models` raise ``exc`` (stands for a failure deep inside any command)."""
    real = cli._build_parser

    def build():
        parser = real()
        for action in parser._subparsers._group_actions:
            action.choices["models"].set_defaults(func=_raising(exc))
        return parser
    monkeypatch.setattr(cli, "_build_parser", build)


def test_os_error_names_the_reason_and_file(capsys, monkeypatch):
    _with_command(monkeypatch, PermissionError(13, "Permission denied", "/data/x.nc"))
    err = one_line_error(capsys, ["models"])
    assert "Permission denied: /data/x.nc" in err


def test_full_disk_is_reported_as_such(capsys, monkeypatch):
    _with_command(monkeypatch, OSError(28, "No space left on device"))
    assert "No space left on device" in one_line_error(capsys, ["models"])


def test_memory_error_is_one_line_with_the_way_out(capsys, monkeypatch):
    _with_command(monkeypatch, MemoryError())
    assert "NMANALYSIS_MAX_MEMORY" in one_line_error(capsys, ["models"])


def test_unexpected_error_is_one_line_and_traceback_on_request(capsys, monkeypatch):
    _with_command(monkeypatch, TypeError("boom\nsecond line"))
    err = one_line_error(capsys, ["models"], status=1)
    assert "unexpected TypeError: boom second line" in err and "--traceback" in err
    with pytest.raises(TypeError, match="boom"):
        main(["--traceback", "models"])
    monkeypatch.setenv("NMANALYSIS_TRACEBACK", "1")
    with pytest.raises(TypeError, match="boom"):
        main(["models"])
