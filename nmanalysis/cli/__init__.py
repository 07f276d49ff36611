"""The ``nmanalysis`` command line: ``models``, ``info``, ``simulate``, ``fixed-points``,
``phase-plane``, ``diagram``, ``diagram2``, ``basins`` and ``regimes``.

Run ``nmanalysis --help`` or ``nmanalysis COMMAND --help``. MODEL is a library
name (``nmanalysis models``) or a path to a ``.yaml``/``.yml``/``.toml`` model
file (see :mod:`nmanalysis.io.model_file`).

Mistakes in the input (unknown model or name, malformed option, invalid
value, unwritable output) end with exit status 2 and one line on standard
error naming what was wrong and what would be valid. numpy, xarray, numba and
the plotting library are imported only inside the commands, so ``--help`` is
instant.

Layout: this module assembles the parser and runs :func:`main`; each module
named in :data:`COMMANDS` holds one sub-command (or a few related ones) and
has ``register(sub)``, which adds its sub-parser(s) and sets ``func``.
Command modules share only :mod:`._args` (option readers) and
:mod:`._report` (text reports); figures come from :mod:`nmanalysis.plot`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .._version import __version__
from ..errors import NMAError
from ._args import UsageError, protect_negative
from ._report import mark_command_line

__all__ = ["main"]

PROG = "nmanalysis"

COMMANDS: tuple[str, ...] = ("models", "simulate", "fixed_points", "phase_plane", "diagram",
                             "diagram2",
                             "basins", "regimes")
"""The command modules of this package, registered in this order."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Dynamical-systems analysis of neural mass models.",
        epilog="MODEL is a library name (see 'nmanalysis models') or a path to a "
               ".yaml/.yml/.toml model file or an XPPAUT .ode file.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full Python traceback of an unexpected error (also "
                             "with NMANALYSIS_TRACEBACK=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv=None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for a mistake in the input or a file that cannot be
        read or written (reported on one line of standard error), 1 for an
        unexpected error (one line; ``--traceback`` shows the traceback), 130
        when interrupted.

    Examples
    --------
    >>> from nmanalysis.cli import main
    >>> main(["info", "fitzhugh_nagumo"])  # doctest: +ELLIPSIS
    fitzhugh_nagumo: FitzHugh-Nagumo ...
    0
    """
    if argv is None:
        mark_command_line()
    parser = _build_parser()
    argv = protect_negative(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, argparse usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    show_traceback = args.traceback or os.environ.get("NMANALYSIS_TRACEBACK", "") not in ("", "0")
    try:
        return args.func(args) or 0
    except (UsageError, NMAError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        _silence_stdout()
        return 141
    except OSError as exc:  # a file that cannot be read or written, a full disk, ...
        if show_traceback:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}")
    except MemoryError:
        if show_traceback:
            raise
        return _fail("not enough memory for this request; ask for less (fewer sweep values, "
                     "--record minmax, a coarser --sampling) or set NMANALYSIS_MAX_MEMORY")
    except Exception as exc:  # a bug: one line here, the traceback on request
        if show_traceback:
            raise
        return _fail(f"unexpected {type(exc).__name__}: {exc} (this is a bug in nmanalysis; "
                     "rerun with --traceback for the details)", status=1)


def _fail(message: str, status: int = 2) -> int:
    """Print ``message`` on one line of standard error; return ``status``."""
    line = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    if len(line) > 2000:
        line = line[:2000] + " ..."
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return status


def _silence_stdout() -> None:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass
