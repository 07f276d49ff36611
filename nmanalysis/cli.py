"""The ``nmanalysis`` command line: ``models``, ``info``, ``simulate``, ``fixed-points``,
``phase-plane`` and ``diagram``.

Run ``nmanalysis --help`` or ``nmanalysis COMMAND --help``. MODEL is a library
name (``nmanalysis models``) or a path to a ``.yaml``/``.yml``/``.toml`` model
file (see :mod:`nmanalysis.io.model_file`).

Mistakes in the input (unknown model or name, malformed option, invalid
value, unwritable output) end with exit status 2 and one line on standard
error naming what was wrong and what would be valid. numpy, xarray, numba and
matplotlib are imported only inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

from ._version import __version__
from .errors import NMAError

__all__ = ["main"]

PROG = "nmanalysis"
_RECORDS = ("full", "minmax", "min", "max", "mean", "final")
_PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".svgz", ".jpg", ".jpeg", ".eps", ".ps", ".tif",
                  ".tiff", ".webp")
_MAX_LINES = 10


class UsageError(Exception):
    """A mistake on the command line (exit status 2, one line, no traceback)."""


# -- parser -------------------------------------------------------------------------------
_SIMULATE_EXAMPLES = """\
examples:
  nmanalysis simulate wilson_cowan --t 0:100 --dt 0.01 -o wc.nc --plot wc.png
  nmanalysis simulate wilson_cowan --set wEE=10 rE=0.3 --t 0:50
  nmanalysis simulate fitzhugh_nagumo --sweep I=0:2:41 --record minmax --plot fhn.png
  nmanalysis simulate my_model.yaml --noise rE=0.01 --seed 1 --t 0:200

A negative start time must be attached with '=':  --t=-10:100
"""

_FIXED_POINTS_EXAMPLES = """\
examples:
  nmanalysis fixed-points wilson_cowan --set IE=0
  nmanalysis fixed-points wilson_cowan --sweep IE=-1:3:81 -o fp.nc --plot fp.png
  nmanalysis fixed-points fitzhugh_nagumo --bounds v=-3:3 w=-2:3 --plot fhn.png
  nmanalysis fixed-points jansen_rit --sweep p=0:400:41 --plot jr.png --y y1

The search box of a state defaults to its declared bounds (see 'nmanalysis info
MODEL'), else -10:10. Equilibria outside the box are not found.
"""

_PHASE_PLANE_EXAMPLES = """\
examples:
  nmanalysis phase-plane wilson_cowan --x rE --y rI --set IE=0 --plot wc_pp.png
  nmanalysis phase-plane fitzhugh_nagumo --x v --y w --set I=0.5 --traj 0,0 2,1 --plot fhn.png
  nmanalysis phase-plane jansen_rit --x y1 --y y2 --mode qss --range y1=-20:40 y2=-20:40

A trajectory starting at a negative X0 must be attached with '=':  --traj=-1,0.5
"""

_DIAGRAM_EXAMPLES = """\
examples:
  nmanalysis diagram wilson_cowan --free IE --range -2 2
  nmanalysis diagram fitzhugh_nagumo --free I --range 0 2 --plot fhn_diagram.png --overlay
  nmanalysis diagram jansen_rit --free p --range -100 400 --y v_pc -o jr.nc --plot jr.png
  nmanalysis diagram wilson_cowan --variant docstring --free IE --set wEE=11 --range -2 2

Every equilibrium at the start value (LO, or the value given with --set P=V) seeds
a branch, traced both ways until it leaves [LO, HI]; at a branch point (BP) the
crossing branch is traced too. Every Hopf point (HB) starts a branch of periodic
orbits (drawn as their max/min; --no-cycles skips them). --range defaults to the parameter's typical range
(see 'nmanalysis info MODEL').
"""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Dynamical-systems analysis of neural mass models.",
        epilog="MODEL is a library name (see 'nmanalysis models') or a path to a "
               ".yaml/.yml/.toml model file.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full Python traceback of an unexpected error (also "
                             "with NMANALYSIS_TRACEBACK=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("models", help="list the library models",
                       description="List the library models with their descriptions, "
                                   "variants and references.")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("info", help="states, parameters and equations of a model",
                       description="Show a model's states, parameters (value, units, typical "
                                   "range, meaning), inputs, observables, helper functions "
                                   "and equations.")
    _add_model_args(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("simulate", help="integrate a model (optionally over parameter sweeps)",
                       description="Integrate a model and print a summary; optionally write "
                                   "the result as netCDF and plot it.",
                       epilog=_SIMULATE_EXAMPLES, usage="%(prog)s MODEL [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p, optional=True)
    _add_simulate_args(p)
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("fixed-points", help="all equilibria in a box (optionally over sweeps)",
                       description="Find every equilibrium in a box of the state space by "
                                   "Newton's method from many starts, classify it by the "
                                   "eigenvalues of the Jacobian, and print a table; optionally "
                                   "write the result as netCDF and plot it.",
                       epilog=_FIXED_POINTS_EXAMPLES, usage="%(prog)s MODEL [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p, optional=True)
    _add_fixed_points_args(p)
    p.set_defaults(func=_cmd_fixed_points)

    p = sub.add_parser("phase-plane", help="nullclines, vector field and equilibria of a "
                                           "2-D slice",
                       description="Compute the vector field, the nullclines and the "
                                   "equilibria in the plane of two states (optionally with "
                                   "trajectories), print the equilibria; optionally write the "
                                   "result as netCDF and plot the phase portrait.",
                       epilog=_PHASE_PLANE_EXAMPLES,
                       usage="%(prog)s MODEL --x STATE --y STATE [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p, optional=True)
    _add_phase_plane_args(p)
    p.set_defaults(func=_cmd_phase_plane)

    p = sub.add_parser("diagram", help="bifurcation diagram of equilibria (continuation "
                                       "in one parameter)",
                       description="Trace the branches of equilibria as one parameter varies "
                                   "(pseudo-arclength continuation), locate folds (LP), Hopf "
                                   "points (HB) and branch points (BP) with their normal-form "
                                   "coefficients, and print them; optionally write the "
                                   "diagram as netCDF and plot it.",
                       epilog=_DIAGRAM_EXAMPLES,
                       usage="%(prog)s MODEL --free P --range LO HI [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p, optional=True)
    _add_diagram_args(p)
    p.set_defaults(func=_cmd_diagram)
    import importlib
    from ._cli import COMMANDS
    for name in COMMANDS:
        importlib.import_module(f"nmanalysis._cli.{name}").register(sub)
    return parser


def _add_model_args(p, optional: bool = False) -> None:
    # optional for simulate: `simulate --set IE=1 MODEL` lets --set swallow MODEL, and
    # _model_from_lists takes it back
    p.add_argument("model", metavar="MODEL", nargs="?" if optional else None,
                   help="library name or path to a model file")
    p.add_argument("--variant", default=None, help="variant of a library model")


def _add_set(p, help: str) -> None:
    p.add_argument("--set", dest="sets", metavar="NAME=VALUE", nargs="+", action="extend",
                   default=[], help=help)


def _add_sweep(p, what: str = "NAME") -> None:
    p.add_argument("--sweep", dest="sweeps", metavar="NAME=START:STOP:NUM", nargs="+",
                   action="extend", default=[],
                   help=f"sweep {what} over NUM values from START to STOP (inclusive); "
                        "several sweeps form an outer product")


def _add_outputs(p, plot_help: str, quiet_help: str) -> None:
    p.add_argument("-o", "--output", metavar="OUT.nc", default=None,
                   help="write the result as netCDF")
    p.add_argument("--plot", metavar="OUT.png", default=None, help=plot_help)
    p.add_argument("-q", "--quiet", action="store_true", help=quiet_help)


def _add_simulate_args(p) -> None:
    _add_set(p, "set a parameter, an initial state or a constant input")
    _add_sweep(p)
    p.add_argument("--t", dest="t", metavar="START:STOP", default="0:100",
                   help="time span, or just STOP to start at 0 (default 0:100)")
    p.add_argument("--dt", type=float, default=None,
                   help="step size (fixed-step methods; default (STOP-START)/10000) or "
                        "initial step (adaptive methods)")
    p.add_argument("--method", default=None,
                   help="euler, heun, rk4, exp_euler, bs3 or dopri5 (default rk4; heun "
                        "with --noise)")
    p.add_argument("--record", default="full", metavar="WHAT",
                   help=f"what to keep: {', '.join(_RECORDS)}, or several joined by commas "
                        "(default full)")
    p.add_argument("--sampling", type=float, default=None, metavar="S",
                   help="recording interval (a multiple of --dt for fixed-step methods)")
    p.add_argument("--transient", type=float, default=0.0, metavar="T",
                   help="initial time left out of the record and the reductions")
    p.add_argument("--noise", metavar="STATE=SIGMA[:TAU]", nargs="+", action="extend",
                   default=[], help="additive white noise of intensity SIGMA on STATE, or "
                                    "Ornstein-Uhlenbeck noise with time constant TAU")
    p.add_argument("--seed", type=int, default=None, help="seed of the noise")
    _add_outputs(p, "plot a single run, or a sweep over one name, to an image file",
                 "no progress bar and no summary (errors are still reported)")


def _add_fixed_points_args(p) -> None:
    _add_set(p, "set a parameter or a constant input")
    _add_sweep(p, "parameter NAME")
    p.add_argument("--bounds", metavar="STATE=LOW:HIGH", nargs="+", action="extend",
                   default=[], help="search box of STATE (default its declared bounds, "
                                    "else -10:10)")
    p.add_argument("--n-starts", dest="n_starts", metavar="N", default=None,
                   help="Newton starting points in the box (default max(128, 32 x states))")
    _add_outputs(p, "plot the equilibria against the swept parameter (one --sweep), or the "
                    "phase portrait of a 2-state model (no --sweep)",
                 "no progress bar and no table (errors are still reported)")
    p.add_argument("--y", dest="y", metavar="STATE", default=None,
                   help="state drawn by --plot (default the first state)")


def _add_phase_plane_args(p) -> None:
    p.add_argument("--x", dest="x", metavar="STATE", default=None,
                   help="state on the horizontal axis")
    p.add_argument("--y", dest="y", metavar="STATE", default=None,
                   help="state on the vertical axis")
    _add_set(p, "set a parameter, a constant input, or the value at which another state is "
                "held (--mode fixed) or its starting guess (--mode qss)")
    p.add_argument("--range", dest="ranges", metavar="STATE=LOW:HIGH", nargs="+",
                   action="extend", default=[],
                   help="extent of an axis (default the state's declared bounds, else -10:10)")
    p.add_argument("--resolution", metavar="N", default="41",
                   help="grid points per axis of the vector field and the nullcline "
                        "contouring (default 41)")
    p.add_argument("--mode", default="fixed", metavar="fixed|qss",
                   help="other states (models with more than 2) held fixed, or slaved to "
                        "their own nullclines (quasi-steady state); default fixed")
    p.add_argument("--traj", dest="traj", metavar="X0,Y0", nargs="+", action="extend",
                   default=[], help="integrate a trajectory from (X0, Y0)")
    p.add_argument("--t", dest="t", metavar="START:STOP", default="0:50",
                   help="time span of the trajectories, or just STOP (default 0:50)")
    _add_outputs(p, "draw the phase portrait to an image file",
                 "no table (errors are still reported)")


def _add_diagram_args(p) -> None:
    p.add_argument("--free", dest="free", metavar="P", default=None,
                   help="the free parameter")
    p.add_argument("--range", dest="p_range", metavar=("LO", "HI"), nargs=2, type=float,
                   default=None, help="interval of the free parameter, e.g. --range -100 400 "
                                      "(default its typical range)")
    _add_set(p, "set another parameter or a constant input; P=V starts the continuation at "
                "V instead of LO")
    p.add_argument("--bounds", metavar="STATE=LOW:HIGH", nargs="+", action="extend",
                   default=[], help="box in which the starting equilibria are searched and "
                                    "which the branches may not leave (default: the declared "
                                    "bounds, else -10:10, for the search; no limit for the "
                                    "branches)")
    p.add_argument("--y", dest="y", metavar="NAME", default=None,
                   help="state or observable on the vertical axis of the plot (default the "
                        "first state); an observable is added to the diagram and the table")
    p.add_argument("--no-cycles", dest="cycles", action="store_false",
                   help="do not continue the periodic orbits born at the Hopf points "
                        "(by default every Hopf point starts a branch of cycles)")
    p.add_argument("--ntst", type=int, default=None,
                   help="mesh intervals of the periodic orbits (default 50)")
    p.add_argument("--overlay", action="store_true",
                   help="also simulate 100 values of P from LO to HI and draw the min/max "
                        "of the --y variable after the transient (a brute-force diagram)")
    p.add_argument("--t", dest="t", metavar="START:STOP", default=None,
                   help="time span of the --overlay runs (default from the model's time "
                        "units and the Hopf periods, e.g. 0:2 for seconds)")
    p.add_argument("--transient", type=float, default=None, metavar="T",
                   help="initial time left out of the --overlay min/max (default half the "
                        "span)")
    p.add_argument("--dt", type=float, default=None,
                   help="step of the --overlay runs (rk4; default a power of ten below "
                        "span/10000 and 0.1/max|eigenvalue| of the equilibria)")
    _add_outputs(p, "draw the diagram (stable solid, unstable dashed, special points "
                    "labelled) to an image file",
                 "no table (errors are still reported)")


# -- entry point --------------------------------------------------------------------------
def _protect_negative(argv: list) -> list:
    """Keep ``--range -4e2 -1e-3``: argparse takes only plain negative numbers as values.

    A leading space makes argparse read a token as a value, and :func:`float`
    ignores it.
    """
    argv = list(argv)
    if "diagram" not in argv:
        return argv
    for i, item in enumerate(argv[:-1]):
        if item != "--range" or i < argv.index("diagram"):
            continue
        for j in (i + 1, i + 2):
            if j < len(argv) and isinstance(argv[j], str) and argv[j].startswith("-"):
                try:
                    float(argv[j])
                except ValueError:
                    continue
                argv[j] = " " + argv[j]
    return argv


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
    parser = _build_parser()
    argv = _protect_negative(sys.argv[1:] if argv is None else argv)
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


# -- shared helpers -----------------------------------------------------------------------
def _load(spec: str, variant):
    """A library model by name, or a model file by path."""
    from .models import get_model, list_models
    if spec in list_models():
        return get_model(spec, variant or "")
    from .io.model_file import FORMATS, load_model
    path = Path(spec)
    if path.suffix.lower() in FORMATS or path.exists():
        if variant:
            raise UsageError(f"--variant applies to library models only; {spec!r} is a file")
        return load_model(path)
    raise UsageError(f"unknown model {spec!r}; library models are {list_models()}, or give "
                     f"a path to a {'/'.join(sorted(FORMATS))} model file")


def _num(value) -> str:
    return "-" if value is None else f"{value:g}"


def _pair(pair) -> str:
    return "-" if pair is None else f"[{pair[0]:g}, {pair[1]:g}]"


def _unit(units: str, fmt: str = " [{}]") -> str:
    """Units for a label ('' when unknown or dimensionless)."""
    return fmt.format(units) if units and units != "1" else ""


def _table(headers, rows, indent: str = "  ") -> list[str]:
    """Rows aligned in columns; the last column is not padded."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [list(headers), *rows]) for i in range(len(headers))]

    def line(cells):
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths)] + [cells[-1]]
        return (indent + "  ".join(padded)).rstrip()
    return [line(list(headers)), *(line(r) for r in rows)]


# -- models / info ------------------------------------------------------------------------
def _cmd_models(args) -> int:
    from .models import describe_models
    described = describe_models()
    width = max(map(len, described))
    for name, (desc, ref, variants) in described.items():
        extra = f"  [variants: {', '.join(variants)}]" if variants else ""
        print(f"{name.ljust(width)}  {desc}{extra}")
        print(f"{'':{width}}  reference: {ref}")
    print("\nDetails: nmanalysis info MODEL")
    return 0


def _info_lines(model) -> list[str]:
    out = []
    if model.state_info:
        out += ["", "States (default initial value):"]
        out += _table(("name", "initial", "units", "bounds", "meaning"),
                      [(k, _num(s.value), s.units or "-", _pair(s.bounds), s.description)
                       for k, s in model.state_info.items()])
    if model.param_info:
        with_bounds = any(p.bounds for p in model.param_info.values())
        heads = ("name", "value", "units", "range") + (("bounds",) if with_bounds else ())
        rows = [(k, _num(p.value), p.units or "-", _pair(p.range))
                + ((_pair(p.bounds),) if with_bounds else ()) + (p.description,)
                for k, p in model.param_info.items()]
        out += ["", "Parameters:", *_table(heads + ("meaning",), rows)]
    if model.input_info:
        out += ["", "Inputs (default constant value; set a time course with simulate):"]
        out += _table(("name", "default", "units", "meaning"),
                      [(k, _num(i.value), i.units or "-", i.description)
                       for k, i in model.input_info.items()])
    if model.observable_info:
        out += ["", "Observables:"]
        out += _table(("name", "units", "expression", "meaning"),
                      [(k, o.units or "-", o.expression, o.description)
                       for k, o in model.observable_info.items()])
    if model.functions:
        out += ["", "Helper functions:"]
        out += [f"  {sig} = {body}" for sig, body in model.functions.items()]
    width = max(len(s) for s in model.state_names)
    out += ["", "Equations:"]
    out += [f"  d{s}/dt{'':{width - len(s)}} = {eq}" for s, eq in model.equations.items()]
    return out


def _cmd_info(args) -> int:
    from .models import describe_models
    model = _load(args.model, args.variant)
    variant = f" (variant {model.variant!r})" if model.variant else ""
    lines = [f"{model.name}{variant}: {model.description or '(no description)'}"]
    library = describe_models().get(args.model)
    if library and library[2]:
        lines.append(f"variants: {', '.join(library[2])} (select with --variant)")
    lines.append(f"time units: {model.time_units or 'not given'}")
    lines += _info_lines(model)
    if model.reference:
        lines += ["", f"Reference: {model.reference}"]
    print("\n".join(lines))
    return 0


# -- simulate: reading the options --------------------------------------------------------
def _split(item: str, flag: str, example: str):
    name, sep, value = item.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"{flag} {item!r} is malformed; expected {example}")
    return name.strip(), value.strip()


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"{what}: {text!r} must be finite")
    return value


def _group(model, name: str, flag: str) -> str:
    """Which simulate argument a --set/--sweep name belongs to."""
    for group, names in (("params", model.param_names), ("y0", model.state_names),
                         ("inputs", model.input_names)):
        if name in names:
            return group
    others = f"; states (initial values) are {list(model.state_names)}"
    if model.input_names:
        others += f"; inputs are {list(model.input_names)}"
    raise UsageError(f"unknown parameter {name!r} for model {model.name!r} in {flag}; "
                     f"parameters are {list(model.param_names)}{others}")


def _settings(model, args):
    """--set / --sweep -> {'params': ..., 'y0': ..., 'inputs': ...} and the swept names."""
    import numpy as np
    groups, seen, swept = {"params": {}, "y0": {}, "inputs": {}}, {}, []
    items = [("--set", s) for s in args.sets] + \
            [("--sweep", s) for s in getattr(args, "sweeps", [])]
    for flag, item in items:
        example = "NAME=VALUE, e.g. IE=1.5" if flag == "--set" else \
            "NAME=START:STOP:NUM, e.g. IE=0:2:5"
        name, text = _split(item, flag, example)
        group = _group(model, name, flag)
        if name in seen:
            raise UsageError(f"{name!r} is given twice ({seen[name]} and {flag} {item})")
        seen[name] = f"{flag} {item}"
        if flag == "--set":
            groups[group][name] = _number(text, f"{flag} {item}")
            continue
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--sweep {item!r} is malformed; expected {example}")
        lo, hi = (_number(p, f"--sweep {item}") for p in parts[:2])
        if not parts[2].strip().isdigit() or int(parts[2]) < 1:
            raise UsageError(f"--sweep {item}: NUM must be a whole number >= 1; "
                             f"got {parts[2]!r}")
        groups[group][name] = np.linspace(lo, hi, int(parts[2]))
        swept.append(name if group != "y0" else f"{name}_0")
    return groups, swept


def _time_span(text: str):
    parts = text.split(":")
    if len(parts) == 1:
        parts = ["0", parts[0]]
    if len(parts) != 2:
        raise UsageError(f"--t {text!r} is malformed; expected START:STOP (e.g. 0:100) or STOP")
    t0, t1 = (_number(p, f"--t {text}") for p in parts)
    if not t1 > t0:
        raise UsageError(f"--t {text}: STOP must be greater than START")
    return t0, t1


def _records(text: str) -> list[str]:
    words = [w.strip() for w in text.split(",") if w.strip()]
    bad = [w for w in words if w not in _RECORDS]
    if bad or not words:
        raise UsageError(f"--record {text!r}: must be one of {list(_RECORDS)} or several "
                         "joined by commas")
    return words


def _noise(model, items):
    out = {}
    for item in items:
        name, text = _split(item, "--noise", "STATE=SIGMA or STATE=SIGMA:TAU, e.g. rE=0.01")
        if name not in model.state_names:
            raise UsageError(f"--noise {item}: {name!r} is not a state of model "
                             f"{model.name!r}; states are {list(model.state_names)}")
        parts = text.split(":")
        if len(parts) > 2:
            raise UsageError(f"--noise {item!r} is malformed; expected STATE=SIGMA[:TAU]")
        sigma = _number(parts[0], f"--noise {item}")
        out[name] = sigma if len(parts) == 1 else \
            {"sigma": sigma, "tau": _number(parts[1], f"--noise {item}")}
    return out


def _check_output(path, flag: str, suffixes=None) -> Path:
    """Refuse an output path that cannot be written, before the run."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: unsupported file type {path.suffix or '(none)'!r}; "
                         f"use one of {list(suffixes)}")
    parent = path.parent
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory; give a file name")
    if path.exists() and not path.is_file():
        raise UsageError(f"{flag} {path}: not a regular file (a device, pipe or socket); "
                         "give a file name")
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {path}: not writable")
    return path


def _check_plot(swept, records):
    if len(swept) > 1:
        raise UsageError(f"--plot draws a single run or a sweep over one name; got sweeps "
                         f"over {swept}")
    if not swept and "full" not in records:
        raise UsageError("--plot of a single run needs --record full (reductions of one "
                         "trajectory are single numbers)")


# -- simulate: running and reporting ------------------------------------------------------
_MODEL_EXAMPLES = {"simulate": "nmanalysis simulate wilson_cowan --t 0:100",
                   "fixed-points": "nmanalysis fixed-points wilson_cowan --set IE=0",
                   "phase-plane": "nmanalysis phase-plane wilson_cowan --x rE --y rI",
                   "diagram": "nmanalysis diagram wilson_cowan --free IE --range -2 2"}
# the list options that may swallow a MODEL written after them, and how their items look
_LIST_OPTIONS = (("sets", "="), ("sweeps", "="), ("noise", "="), ("bounds", "="),
                 ("ranges", "="), ("traj", ","))


def _model_from_lists(args) -> str:
    """MODEL, also when written after --set/--sweep/--noise/... values (which swallow it)."""
    if args.model is not None:
        return args.model
    for attr, mark in _LIST_OPTIONS:
        items = getattr(args, attr, None) or []
        bare = [i for i, item in enumerate(items) if mark not in item]
        if bare:
            return items.pop(bare[-1])
    raise UsageError(f"{args.command} needs a MODEL: a library name (see 'nmanalysis "
                     f"models') or a model file; e.g. {_MODEL_EXAMPLES[args.command]}")


def _check_method(method: str) -> str:
    from .integrate.tableaux import METHODS
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is unknown; methods are {list(METHODS)}")
    return method


def _cmd_simulate(args) -> int:
    model = _load(_model_from_lists(args), args.variant)
    groups, swept = _settings(model, args)
    t_span = _time_span(args.t)
    records = _records(args.record)
    noise = _noise(model, args.noise)
    method = _check_method(args.method or ("heun" if noise else "rk4"))
    output = _check_output(args.output, "-o") if args.output else None
    plot = _check_output(args.plot, "--plot", _PLOT_SUFFIXES) if args.plot else None
    if plot is not None:
        _check_plot(swept, records)

    from .integrate.simulate import simulate
    start = time.perf_counter()
    ds = simulate(model, t=t_span, dt=args.dt, method=method, params=groups["params"],
                  y0=groups["y0"], inputs=groups["inputs"], noise=noise or None,
                  record=records, sampling=args.sampling, transient=args.transient,
                  seed=args.seed, progress=not args.quiet)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_summary(model, ds, args, swept, wall)))
    if output is not None:
        _write(lambda: ds.to_netcdf(output), output, "-o", args.quiet)
    if plot is not None:
        _write(lambda: _plot(model, ds, swept[0] if swept else None, plot), plot, "--plot",
               args.quiet)
    return 0


def _write(action, path: Path, flag: str, quiet: bool) -> None:
    try:
        action()
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
    if not quiet:
        print(f"wrote {path}")


def _failures(ds) -> str:
    import numpy as np
    status = np.asarray(ds["status"]).ravel()
    bad = status[status != 0]
    if bad.size == 0:
        return "0"
    meanings = dict(zip(ds["status"].attrs["flag_values"],
                        ds["status"].attrs["flag_meanings"].split()))
    codes, counts = np.unique(bad, return_counts=True)
    detail = ", ".join(f"{n} {meanings.get(int(c), f'status {c}').replace('_', ' ')}"
                       for c, n in zip(codes, counts))
    return f"{bad.size} of {status.size} ({detail})"


def _state_range(ds, name: str):
    """Smallest and largest recorded value of a state, whatever was recorded."""
    import warnings

    import numpy as np
    arrays = [np.asarray(ds[v], dtype=float) for v in
              (name, f"{name}_min", f"{name}_max", f"{name}_mean") if v in ds]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN when every run failed
        return (float(np.nanmin([np.nanmin(a) for a in arrays])),
                float(np.nanmax([np.nanmax(a) for a in arrays])))


def _summary(model, ds, args, swept, wall) -> list[str]:
    tu = _unit(model.time_units, " {}")
    dt = ds.attrs.get("dt")
    step = f"dt = {dt:g}{tu}" if dt is not None else "adaptive step"
    variant = f" (variant {model.variant!r})" if model.variant else ""
    n_traj = int(ds["status"].size)
    sweeps = "; ".join(f"{d}: {ds.sizes[d]} values from {float(ds[d].min()):g} to "
                       f"{float(ds[d].max()):g}" for d in swept)
    rows = [("model", f"{model.name}{variant}"),
            ("method", f"{ds.attrs.get('method')}, {step}, t = {ds.attrs['t_start']:g} .. "
                       f"{ds.attrs['t_end']:g}{tu}"),
            ("recorded", args.record + (f" ({ds.sizes['time']} samples)" if "time" in ds.dims
                                        else ""))]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    rows += [("trajectories", f"{n_traj}" + (f" (sweep {sweeps})" if sweeps else "")),
             ("failed", _failures(ds)), ("wall time", f"{wall:.2f} s")]
    lines = [f"{k:<13} {v}" for k, v in rows]
    ranges = [(s, *(_num(v) for v in _state_range(ds, s)), model.units_of(s) or "-")
              for s in model.state_names]
    lines += ["", "range of the recorded values:",
              *_table(("state", "min", "max", "units"), ranges)]
    if set(args.record.split(",")) & {"minmax", "min", "max", "mean"} and not args.transient:
        lines.append("note: the reductions include the initial transient; leave it out "
                     "with --transient T")
    return lines


# -- simulate: plotting -------------------------------------------------------------------
def _label(model, ds, name: str, meaning: bool = False) -> str:
    if name == "time":
        units = model.time_units
    elif name in ds.variables:
        units = ds[name].attrs.get("units", "")
    else:
        units = model.units_of(name)
    long_name = ds[name].attrs.get("long_name", name) if meaning else name
    extra = f" ({long_name})" if long_name not in (name, "time") else ""
    return f"{name}{extra}{_unit(units)}"


def _new_figure(figsize):
    """A matplotlib Figure outside pyplot (no global state, no GUI backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _plot(model, ds, dim, path: Path) -> None:
    """Time series (full record) and/or reductions against the swept value."""
    states = list(model.state_names)
    reductions = [r for r in ("max", "min", "mean") if f"{states[0]}_{r}" in ds]
    if dim is not None and "time" not in ds.dims and not reductions:
        reductions = ["final"]
    columns = (["series"] if "time" in ds.dims else []) + \
              (["reductions"] if dim is not None and reductions else [])
    fig = _new_figure((6.5 * len(columns) + (1.5 if dim else 0.5), 1.2 + 2.2 * len(states)))
    axes = fig.subplots(len(states), len(columns), squeeze=False, sharex="col")
    for col, kind in enumerate(columns):
        for row, state in enumerate(states):
            ax = axes[row, col]
            if kind == "series":
                _plot_series(ax, ds, state, dim, first=row == 0)
            else:
                _plot_reductions(ax, ds, state, dim, reductions, first=row == 0)
            ax.set_xlabel("")
            ax.set_ylabel(_label(model, ds, state))
            ax.set_title(model.state_info[state].description, fontsize=9, loc="left")
            ax.grid(alpha=0.3)
        axes[-1, col].set_xlabel(_label(model, ds, "time" if kind == "series" else dim, True))
    if "series" in columns and dim is not None:
        _colorbar(fig, axes[:, 0], model, ds, dim)
    fig.suptitle(_plot_title(model, ds), fontsize=10)
    fig.savefig(path, dpi=120)


def _changed_params(model, ds) -> list[str]:
    """``name=value`` of the fixed parameters that differ from the model's defaults."""
    import json
    fixed = json.loads(ds.attrs.get("fixed_params", "{}"))
    return [f"{k}={v:g}" for k, v in fixed.items() if v != model.params.get(k)]


def _model_title(model) -> str:
    return f"{model.name}{' ' + model.variant if model.variant else ''}"


def _plot_title(model, ds) -> str:
    changed = _changed_params(model, ds)
    title = f"{_model_title(model)}: {ds.attrs.get('method')}"
    if ds.attrs.get("dt") is not None:
        title += f", dt={ds.attrs['dt']:g}{_unit(model.time_units, ' {}')}"
    if changed:
        title += "; " + ", ".join(changed)
    n_failed = ds.attrs.get("n_failed", 0)
    return title + (f"; {n_failed} failed trajectories (gaps)" if n_failed else "")


def _plot_series(ax, ds, state, dim, *, first):
    from .plot import timeseries
    timeseries(ds, [state], ax=ax, max_lines=_MAX_LINES)
    ax.get_legend().remove()  # one state per axes: the y label names it
    n = ds.sizes[dim] if dim is not None else 1
    if first and n > _MAX_LINES:
        ax.set_title(f"{_MAX_LINES} of {n} values shown", fontsize=8, loc="right")


def _colorbar(fig, axes, model, ds, dim):
    """Colour scale of the sweep lines; ``timeseries`` colours them by sweep position."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    values = np.asarray(ds[dim], dtype=float)
    lo, hi = float(values.min()), float(values.max())
    cmap = colormaps["viridis" if values[-1] >= values[0] else "viridis_r"]
    fig.colorbar(ScalarMappable(Normalize(lo, hi if hi > lo else lo + 1), cmap),
                 ax=list(axes), label=_label(model, ds, dim, True))


def _plot_reductions(ax, ds, state, dim, reductions, *, first):
    """min/max with ``sweep_envelope``; mean and final values as lines."""
    x = ds[dim]
    if "max" in reductions and "min" in reductions:
        from .plot import sweep_envelope
        ax.fill_between(x, ds[f"{state}_min"], ds[f"{state}_max"], color="0.88", lw=0,
                        label="min-max envelope", zorder=0)
        for artist, name in zip(sweep_envelope(ds, state, ax=ax, param=dim), ("max", "min")):
            artist.set_label(name)  # the legend is drawn once, for every row
        reductions = [r for r in reductions if r not in ("min", "max")]
    styles = {"max": ("C3", "^"), "min": ("C0", "v"), "mean": ("C2", "o"),
              "final": ("C1", "o")}
    for r in reductions:
        var = state if r == "final" else f"{state}_{r}"
        color, marker = styles[r]
        ax.plot(x, ds[var], color=color, marker=marker, ms=3, lw=1.0,
                label="final value" if r == "final" else r)
    if first:
        ax.legend(fontsize=8, loc="best")
    elif ax.get_legend() is not None:
        ax.get_legend().remove()


# -- fixed-points / phase-plane: reading the options --------------------------------------
def _count(text: str, flag: str, minimum: int) -> int:
    if not text.strip().isdigit() or int(text) < minimum:
        raise UsageError(f"{flag} {text!r}: must be a whole number >= {minimum}")
    return int(text)


def _intervals(model, items, flag: str, allowed=None) -> dict:
    """STATE=LOW:HIGH items -> {state: (low, high)}."""
    out = {}
    for item in items:
        name, text = _split(item, flag, "STATE=LOW:HIGH, e.g. rE=0:1")
        if name not in model.state_names:
            raise UsageError(f"{flag} {item}: {name!r} is not a state of model "
                             f"{model.name!r}; states are {list(model.state_names)}")
        if allowed is not None and name not in allowed:
            raise UsageError(f"{flag} {item}: {name!r} is not an axis of the plane; the axes "
                             f"are {list(allowed)}")
        if name in out:
            raise UsageError(f"{flag}: {name!r} is given twice")
        parts = text.split(":")
        if len(parts) != 2:
            raise UsageError(f"{flag} {item!r} is malformed; expected STATE=LOW:HIGH, "
                             "e.g. rE=0:1")
        lo, hi = (_number(part, f"{flag} {item}") for part in parts)
        if not lo < hi:
            raise UsageError(f"{flag} {item}: LOW must be less than HIGH")
        out[name] = (lo, hi)
    return out


def _state(model, name: str, flag: str) -> str:
    if name not in model.state_names:
        raise UsageError(f"{flag} {name!r} is not a state of model {model.name!r}; states "
                         f"are {list(model.state_names)}")
    return name


def _with_inputs(model, values: dict):
    """The model with other constant values of its inputs (phase_plane takes none)."""
    if not values:
        return model
    from .model import Model
    spec = model.to_dict()
    for name, value in values.items():
        spec["inputs"][name]["value"] = float(value)
    return Model(**spec)


def _fmt(value, spec: str = ".6g") -> str:
    value = float(value)
    return "nan" if math.isnan(value) else format(value, spec)


def _equilibrium_rows(states, kinds, stable, eig_real, residual, coords) -> list[tuple]:
    """Rows #, states..., kind, stable, max Re, residual of the table of equilibria."""
    import numpy as np
    rows = []
    for k, kind in enumerate(kinds):
        re = eig_real[k]
        rows.append((k, *(_fmt(coords[s][k]) for s in states), kind,
                     "yes" if stable[k] else "no",
                     _fmt(np.nanmax(re), ".4g") if np.isfinite(re).any() else "-",
                     _fmt(residual[k], ".1e")))
    return rows


def _equilibrium_table(model, states, rows) -> list[str]:
    rate = _unit(f"1/{model.time_units}" if model.time_units and model.time_units != "1"
                 else "")
    return _table(("#", *states, "kind", "stable", f"max Re(eig){rate}", "residual"), rows)


def _elide(rows, ncols: int, keep: int = 10) -> list:
    """A long table shortened for reading.

    Runs of rows that agree in their last ``2`` columns (number and kinds of
    equilibria) keep their first and last row around a '...' row; if that is
    still long, only the first and last ``keep`` rows are kept.
    """
    def gap(n, alike=" alike"):
        return ("...", *[""] * (ncols - 2), f"({n} more rows{alike})")

    if len(rows) <= 2 * keep + 1:
        return rows
    out, i = [], 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1][-2:] == rows[i][-2:]:
            j += 1
        out += [rows[i], gap(j - i - 1), rows[j]] if j - i > 2 else rows[i:j + 1]
        i = j + 1
    if len(out) <= 4 * keep:
        return out
    return [*rows[:keep], gap(len(rows) - 2 * keep, ""), *rows[-keep:]]


def _box_text(ds, states) -> str:
    import json
    box = json.loads(ds.attrs.get("box", "{}"))
    return ", ".join(f"{s} in [{box[s][0]:g}, {box[s][1]:g}]" for s in states if s in box)


# -- fixed-points -------------------------------------------------------------------------
def _cmd_fixed_points(args) -> int:
    import numpy as np
    model = _load(_model_from_lists(args), args.variant)
    groups, swept = _settings(model, args)
    if groups["y0"]:
        name = next(iter(groups["y0"]))
        raise UsageError(f"{name!r} is a state: fixed-points solves for the states; limit "
                         f"the search with --bounds {name}=LOW:HIGH")
    swept_inputs = [k for k, v in groups["inputs"].items() if np.ndim(v)]
    if swept_inputs:
        raise UsageError(f"--sweep {swept_inputs[0]}: inputs are constant for fixed-points; "
                         f"set one value with --set {swept_inputs[0]}=VALUE")
    bounds = _intervals(model, args.bounds, "--bounds")
    n_starts = _count(args.n_starts, "--n-starts", 1) if args.n_starts is not None else None
    y = _state(model, args.y, "--y") if args.y is not None else None
    output = _check_output(args.output, "-o") if args.output else None
    plot = _check_output(args.plot, "--plot", _PLOT_SUFFIXES) if args.plot else None
    portrait = None
    if y is not None and plot is None:
        raise UsageError("--y chooses the state drawn by --plot; give --plot OUT.png too")
    if plot is not None:
        if len(swept) > 1:
            raise UsageError(f"--plot draws a sweep over one parameter; got sweeps over "
                             f"{swept}")
        if not swept:
            if model.n_states != 2:
                raise UsageError(f"--plot without --sweep draws the phase portrait of a "
                                 f"2-state model; {model.name!r} has {model.n_states} states "
                                 f"{list(model.state_names)}: add one --sweep, or use "
                                 "'nmanalysis phase-plane MODEL --x STATE --y STATE'")
            a, b = model.state_names
            portrait = (b, a) if y == a else (a, b)  # --y picks the vertical axis

    from .analysis.equilibria import fixed_points
    start = time.perf_counter()
    ds = fixed_points(model, params=groups["params"], inputs=groups["inputs"],
                      bounds=bounds, n_starts=n_starts,
                      progress=False if args.quiet else None)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_fixed_points_report(model, ds, args, swept, wall)))
    if output is not None:
        _write(lambda: ds.to_netcdf(output), output, "-o", args.quiet)
    if plot is not None:
        def draw():
            if swept:
                _plot_equilibria(model, ds, y, plot)
            else:
                _plot_portrait(model, _portrait_of(model, groups, bounds, *portrait), plot)
        _write(draw, plot, "--plot", args.quiet)
    return 0


def _fixed_points_report(model, ds, args, swept, wall) -> list[str]:
    states = list(model.state_names)
    variant = f" (variant {model.variant!r})" if model.variant else ""
    rows = [("model", f"{model.name}{variant}")]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    rows.append(("search box", f"{_box_text(ds, states)}; "
                               f"{ds.attrs.get('n_starts')} Newton starts"))
    if swept:
        rows.append(("sweep", "; ".join(f"{d}: {ds.sizes[d]} values from "
                                        f"{float(ds[d].min()):g} to {float(ds[d].max()):g}"
                                        for d in swept)))
    rows.append(("wall time", f"{wall:.2f} s"))
    lines = [f"{k:<13} {v}" for k, v in rows]
    if not swept:
        n = int(ds["n_fp"])
        lines += ["", f"{n} equilibri{'um' if n == 1 else 'a'}" + (":" if n else
                  " in the box; widen it with --bounds or add starts with --n-starts")]
        if n:
            rows = _equilibrium_rows(
                states, [str(k) for k in ds["kind"].values[:n]], ds["stable"].values[:n],
                ds["eig_real"].values[:n], ds["residual"].values[:n],
                {s: ds[s].values[:n] for s in states})
            lines += _equilibrium_table(model, states, rows)
        return lines
    return lines + [""] + _sweep_lines(ds, swept)


def _sweep_lines(ds, swept) -> list[str]:
    """One row per sweep point: its coordinates, number and kinds of equilibria."""
    from collections import Counter

    import numpy as np
    counts = ds["n_fp"].transpose(*swept).values
    kinds = ds["kind"].transpose(*swept, "fp").values
    coords = [ds[d].values for d in swept]
    rows = []
    for idx in np.ndindex(counts.shape):
        n = int(counts[idx])
        rows.append((*(f"{coords[i][j]:g}" for i, j in enumerate(idx)), n,
                     ", ".join(str(k) for k in kinds[idx][:n]) or "-"))
    heads = (*swept, "n", "kinds (by increasing first state)")
    lines = ["equilibria per sweep point:",
             *_table(heads, _elide(rows, len(heads)))]
    tally = Counter(int(c) for c in counts.ravel())
    lines.append("")
    lines.append("sweep points with " + ", ".join(
        f"{n} equilibri{'um' if n == 1 else 'a'}: {tally[n]}" for n in sorted(tally)))
    if len(swept) == 1 and counts.size > 1:
        d, c = swept[0], counts
        changes = [f"{d} = {coords[0][i]:g} .. {coords[0][i + 1]:g} ({c[i]} -> {c[i + 1]})"
                   for i in range(c.size - 1) if c[i] != c[i + 1]]
        if changes:
            shown = changes[:6] + (["..."] if len(changes) > 6 else [])
            lines.append("the number changes between " + ", ".join(shown))
    if tally.get(0):
        lines.append("note: no equilibrium in the box at some points; widen it with --bounds "
                     "or add starts with --n-starts")
    return lines


def _plot_equilibria(model, ds, y, path: Path) -> None:
    from .plot import equilibria
    fig = _new_figure((7.0, 4.5))
    ax = fig.subplots()
    equilibria(ds, y=y, ax=ax)
    ax.grid(alpha=0.3)
    changed = _changed_params(model, ds)
    title = f"{_model_title(model)}: equilibria" + ("; " + ", ".join(changed) if changed
                                                    else "")
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=120)


def _portrait_of(model, groups, ranges, x, y, **options):
    from .analysis.phase_plane import phase_plane
    return phase_plane(_with_inputs(model, groups["inputs"]), x, y, params=groups["params"],
                       ranges={s: r for s, r in ranges.items() if s in (x, y)}, **options)


def _plot_portrait(model, ds, path: Path, note: str = "") -> None:
    from .plot import phase_portrait
    fig = _new_figure((8.0, 5.0))
    ax = fig.subplots()
    phase_portrait(ds, ax=ax, legend=False)
    # beside the plane, where it hides neither nullclines nor equilibria
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small",
              borderaxespad=0.0)
    changed = _changed_params(model, ds)
    title = f"{_model_title(model)}: phase plane" + ("; " + ", ".join(changed) if changed
                                                     else "")
    ax.set_title(title + (f"\n{note}" if note else ""), fontsize=10)
    fig.savefig(path, dpi=120)


# -- phase-plane --------------------------------------------------------------------------
def _trajectories(items) -> list[tuple[float, float]]:
    out = []
    for item in items:
        parts = item.split(",")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise UsageError(f"--traj {item!r} is malformed; expected X0,Y0, e.g. --traj "
                             "0.1,0.2 (a negative X0 attached with '=': --traj=-1,0.5)")
        out.append(tuple(_number(p, f"--traj {item}") for p in parts))
    return out


def _cmd_phase_plane(args) -> int:
    model = _load(_model_from_lists(args), args.variant)
    states = list(model.state_names)
    if args.x is None or args.y is None:
        raise UsageError(f"phase-plane needs --x and --y: two states of model "
                         f"{model.name!r} {states}; e.g. --x {states[0]} --y "
                         f"{states[1] if len(states) > 1 else states[0]}")
    x, y = _state(model, args.x, "--x"), _state(model, args.y, "--y")
    if x == y:
        raise UsageError(f"--x and --y must be different states; both are {x!r}")
    groups, _ = _settings(model, args)
    axes = [s for s in groups["y0"] if s in (x, y)]
    if axes:
        raise UsageError(f"--set {axes[0]}: {axes[0]!r} is an axis of the plane; choose its "
                         f"extent with --range {axes[0]}=LOW:HIGH or start a trajectory "
                         "with --traj X0,Y0")
    ranges = _intervals(model, args.ranges, "--range", allowed=(x, y))
    resolution = _count(args.resolution, "--resolution", 3)
    if args.mode not in ("fixed", "qss"):
        raise UsageError(f"--mode {args.mode!r}: must be 'fixed' (other states held) or "
                         "'qss' (other states slaved to their nullclines)")
    traj = _trajectories(args.traj)
    t_span = _time_span(args.t)
    output = _check_output(args.output, "-o") if args.output else None
    plot = _check_output(args.plot, "--plot", _PLOT_SUFFIXES) if args.plot else None

    start = time.perf_counter()
    ds = _portrait_of(model, groups, ranges, x, y, resolution=resolution,
                      others=groups["y0"], mode=args.mode, trajectories=traj or None,
                      t=t_span)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_phase_plane_report(model, ds, args, x, y, wall)))
    if output is not None:
        _write(lambda: ds.to_netcdf(output), output, "-o", args.quiet)
    if plot is not None:
        note = _others_text(model, ds)
        _write(lambda: _plot_portrait(model, ds, plot, note and f"other states {note}"), plot,
               "--plot", args.quiet)
    return 0


def _others_text(model, ds) -> str:
    """How the states off the plane are treated ('' for a 2-state model)."""
    import json
    if model.n_states == 2:
        return ""
    if ds.attrs.get("mode") == "qss":
        return "slaved to their nullclines (--mode qss)"
    others = json.loads(ds.attrs.get("others", "{}"))
    return "held at " + ", ".join(f"{k}={v:g}" for k, v in others.items())


def _phase_plane_report(model, ds, args, x, y, wall) -> list[str]:
    import numpy as np
    variant = f" (variant {model.variant!r})" if model.variant else ""
    rows = [("model", f"{model.name}{variant}")]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    xs, ys = ds[x].values, ds[y].values
    rows.append(("plane", f"{x} in [{xs[0]:g}, {xs[-1]:g}] x {y} in [{ys[0]:g}, {ys[-1]:g}]"
                          f"; {xs.size} x {ys.size} grid"))
    if model.n_states > 2:
        rows.append(("other states", _others_text(model, ds)))
    for k, s in enumerate((x, y)):
        res = ds[f"nullcline_{s}_residual"].values
        units = _unit(ds[f"nullcline_{s}_residual"].attrs.get("units", ""), " {}")
        if res.size:
            pieces = np.unique(ds[f"nullcline_{s}_segment"].values).size
            text = (f"{s}: {res.size} vertices in {pieces} "
                    f"piece{'s' if pieces > 1 else ''}, max |d{s}/dt| = {res.max():.1e}{units}")
        else:
            text = f"{s}: none in the plane"
        rows.append(("nullclines" if k == 0 else "", text))
    if "traj_x" in ds:
        failed = int(np.count_nonzero(ds["traj_status"].values))
        tu = _unit(model.time_units, " {}")
        rows.append(("trajectories", f"{ds.sizes['traj']}, t = {float(ds['time'][0]):g} .. "
                                     f"{float(ds['time'][-1]):g}{tu}"
                                     + (f" ({failed} failed)" if failed else "")))
    rows.append(("wall time", f"{wall:.2f} s"))
    lines = [f"{k:<13} {v}" for k, v in rows]
    n = ds.sizes.get("fp", 0)
    of = ds.attrs.get("eigenvalues_of", "")
    lines += ["", f"{n} equilibri{'um' if n == 1 else 'a'} in the plane"
              + (f" (kind from the {of}):" if n else "")]
    if n:
        lines += _equilibrium_table(model, (x, y), _equilibrium_rows(
            (x, y), [str(k) for k in ds["fp_kind"].values], ds["fp_stable"].values,
            ds["fp_eig_real"].values, ds["fp_residual"].values,
            {x: ds["fp_x"].values, y: ds["fp_y"].values}))
    if model.n_states > 2 and ds.attrs.get("mode") == "fixed":
        lines.append("note: with the other states held fixed these are equilibria of the "
                     "slice, not of the model; --mode qss gives true equilibria")
    return lines

# -- diagram ------------------------------------------------------------------------------
_TABLE_STATES = 4          # states shown in the table of special points


def _free_parameter(model, name) -> str:
    params = list(model.param_names)
    if name is None:
        raise UsageError(f"diagram needs --free P: a parameter of model {model.name!r} "
                         f"{params}; e.g. --free {params[0] if params else 'P'}")
    if name in params:
        return name
    what = ("a state" if name in model.state_names else
            "an input (continuation varies parameters; set an input with --set)"
            if name in model.input_names else "unknown")
    raise UsageError(f"--free {name!r} is {what}; the parameters of model {model.name!r} are "
                     f"{params}")


def _diagram_range(model, free, given):
    if given is None:
        declared = model.param_info[free].range
        if declared is None:
            raise UsageError(f"--range LO HI is needed: parameter {free!r} of model "
                             f"{model.name!r} declares no typical range")
        return float(declared[0]), float(declared[1])
    lo, hi = (float(v) for v in given)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise UsageError(f"--range {lo:g} {hi:g}: LO and HI must be finite")
    if not lo < hi:
        raise UsageError(f"--range {lo:g} {hi:g}: LO must be less than HI")
    return lo, hi


def _diagram_y(model, name):
    if name is None or name in model.state_names or name == "norm":
        return name
    if name in model.observable_names:
        return name
    obs = (f", observables are {list(model.observable_names)}" if model.observable_names
           else "")
    raise UsageError(f"--y {name!r} is not a state or observable of model {model.name!r}; "
                     f"states are {list(model.state_names)}{obs} (or 'norm')")


def _cmd_diagram(args) -> int:
    model = _load(_model_from_lists(args), args.variant)
    free = _free_parameter(model, args.free)
    lo, hi = _diagram_range(model, free, args.p_range)
    groups, _ = _settings(model, args)
    if groups["y0"]:
        name = next(iter(groups["y0"]))
        raise UsageError(f"{name!r} is a state: diagram starts from every equilibrium at the "
                         f"start value of {free!r}; limit the branches with --bounds "
                         f"{name}=LOW:HIGH")
    start = groups["params"].get(free, lo)
    if not lo <= start <= hi:
        raise UsageError(f"--set {free}={start:g}: the start value lies outside --range "
                         f"{lo:g} {hi:g}")
    bounds = _intervals(model, args.bounds, "--bounds")
    y = _diagram_y(model, args.y)
    output = _check_output(args.output, "-o") if args.output else None
    plot = _check_output(args.plot, "--plot", _PLOT_SUFFIXES) if args.plot else None
    if args.overlay and plot is None:
        raise UsageError("--overlay draws simulations on the --plot figure; give --plot "
                         "OUT.png too")
    timing = [f for f, v in (("--t", args.t), ("--transient", args.transient),
                             ("--dt", args.dt)) if v is not None]
    if timing and not args.overlay:
        raise UsageError(f"{timing[0]} sets the simulations of --overlay; give --overlay too")
    t_span = _time_span(args.t) if args.t is not None else None
    if args.dt is not None and not (math.isfinite(args.dt) and args.dt > 0):
        raise UsageError(f"--dt {args.dt:g}: must be positive")
    if args.transient is not None:
        if not (math.isfinite(args.transient) and args.transient >= 0):
            raise UsageError(f"--transient {args.transient:g}: must be >= 0")
        if t_span is not None and args.transient >= t_span[1] - t_span[0]:
            raise UsageError(f"--transient {args.transient:g} leaves nothing of --t {args.t} "
                             "to record")

    from .analysis.continuation import continuation
    clock = time.perf_counter()
    if args.ntst is not None and not args.ntst >= 4:
        raise UsageError(f"--ntst {args.ntst}: must be >= 4")
    tree = continuation(model, free, p_range=(lo, hi), params=groups["params"],
                        inputs=groups["inputs"], state_bounds=bounds or None,
                        cycles=args.cycles,
                        cycle_options={"ntst": args.ntst} if args.ntst else None,
                        progress=False if args.quiet else None)
    wall = time.perf_counter() - clock
    if y in model.observable_names:
        _add_observable(model, tree, y, free, groups)
    if not args.quiet:
        print("\n".join(_diagram_report(model, tree, args, free, (lo, hi), y, wall)))
    overlay = None
    if args.overlay:
        overlay = _overlay(model, tree, free, (lo, hi), groups, t_span, args)
    if output is not None:
        _write(lambda: tree.to_netcdf(output), output, "-o", args.quiet)
    if plot is not None:
        _write(lambda: _plot_diagram(model, tree, y, overlay, plot), plot, "--plot",
               args.quiet)
    return 0


def _branches(tree) -> dict:
    """Name -> Dataset of every branch of a continuation tree."""
    node = tree["equilibria"]
    return {name: node[name].to_dataset() for name in node.children}


def _cycle_branches(tree) -> dict:
    """Name -> Dataset of every periodic-orbit branch of a continuation tree."""
    if "periodic" not in tree:
        return {}
    node = tree["periodic"]
    return {f"periodic/{name}": node[name].to_dataset() for name in node.children}


def _add_observable(model, tree, name, free, groups) -> None:
    """Evaluate observable ``name`` at every branch point and special point (in place)."""
    import numpy as np

    from .compile import compile_model
    system = compile_model(model)
    k = model.observable_names.index(name)
    pvec = system.parameter_vector({q: v for q, v in groups["params"].items() if q != free},
                                   groups["inputs"], {**model.params, **model.inputs})
    ip = model.param_names.index(free)
    info = model.observable_info[name]
    attrs = {"long_name": info.description or info.expression or name,
             "units": info.units or ""}

    def values(ds):
        out = np.empty(len(model.observable_names))
        x = np.stack([ds[s].values for s in model.state_names], axis=-1)
        res = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            pvec[ip] = ds[free].values[i]
            system.observables(0.0, np.ascontiguousarray(x[i], float), pvec, out)
            res[i] = out[k]
        return res

    for branch, ds in _branches(tree).items():
        dim = ds[free].dims[0]
        tree[f"equilibria/{branch}"] = ds.assign({name: (dim, values(ds), attrs)})
    sp = tree["special_points"].to_dataset()
    tree["special_points"] = sp.assign({name: ("special", values(sp), attrs)})


def _normal_form_text(model, sp, k) -> str:
    """Normal-form coefficients of special point k as text."""
    tu = model.time_units if model.time_units and model.time_units != "1" else ""
    kind = str(sp["type"].values[k])
    if kind == "HB":
        omega = float(sp["angular_frequency"].values[k])
        text = (f"omega = {_fmt(omega)}{' rad/' + tu if tu else ''}, period = "
                f"{_fmt(sp['period'].values[k])}{' ' + tu if tu else ''}, l1 = "
                f"{_fmt(sp['first_lyapunov'].values[k], '.5g')}, "
                f"{sp['criticality'].values[k] or 'criticality unknown'}")
    elif kind == "LP":
        text = f"a = {_fmt(sp['fold_coefficient'].values[k], '.6g')}"
    elif kind in ("LPC", "PD", "NS", "UZ"):
        text = f"period = {_fmt(sp['period'].values[k])}{' ' + tu if tu else ''}"
    elif kind in ("SNIC", "HOM"):
        text = "end of a cycle branch (period -> infinity)"
    else:
        text = "-"
    status = str(sp["status"].values[k])
    return text + ("" if status == "located" else f" [{status}]")


def _diagram_report(model, tree, args, free, p_range, y, wall) -> list[str]:
    import numpy as np
    variant = f" (variant {model.variant!r})" if model.variant else ""
    pu = _unit(model.param_info[free].units, " {}")
    start = float(tree.attrs.get("start_value", p_range[0]))
    rows = [("model", f"{model.name}{variant}"),
            ("free", f"{free} in [{p_range[0]:g}, {p_range[1]:g}]{pu}, starting at "
                     f"{start:g}")]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    if args.bounds:
        rows.append(("bounds", ", ".join(args.bounds)))
    branches = _branches(tree)
    n_points = sum(ds.sizes["point"] for ds in branches.values())
    rows.append(("branches", f"{len(branches)} ({n_points} points)"))
    cycles = _cycle_branches(tree)
    if cycles:
        n_cyc = sum(ds.sizes["point"] for ds in cycles.values())
        rows.append(("cycles", f"{len(cycles)} branch{'es' if len(cycles) != 1 else ''} "
                               f"({n_cyc} orbits)"))
    rows.append(("wall time", f"{wall:.2f} s"))
    lines = [f"{k:<13} {v}" for k, v in rows]

    table = []
    for name, ds in branches.items():
        p = ds[free].values
        stable = ds["stable"].values
        table.append((name, ds.sizes["point"], f"{p.min():.6g} .. {p.max():.6g}",
                      int(np.count_nonzero(stable)),
                      f"{ds.attrs.get('stop_reason_start_side', '?')}; "
                      f"{ds.attrs.get('stop_reason_end_side', '?')}"))
    lines += ["", "branches:",
              *_table(("branch", "points", f"{free} from .. to", "stable points",
                       "stopped at (start side; end side)"), table)]
    if cycles:
        tu = _unit(model.time_units, " {}")
        ctab = []
        for name, ds in cycles.items():
            p = ds[free].values
            T = ds["period"].values
            ctab.append((name.split("/")[-1], ds.sizes["point"],
                         f"{p.min():.6g} .. {p.max():.6g}", f"{T.min():.4g} .. {T.max():.4g}",
                         int(np.count_nonzero(ds["stable"].values)),
                         ds.attrs.get("stop_reason", "?")))
        lines += ["", "cycle branches (periodic orbits):",
                  *_table(("branch", "orbits", f"{free} from .. to", f"period{tu}",
                           "stable orbits", "stopped"), ctab)]

    sp = tree["special_points"].to_dataset()
    m = sp.sizes["special"]
    states = list(model.state_names)[:_TABLE_STATES]
    extra = [y] if y is not None and y in sp and y not in states else []
    several = len(branches) > 1
    head = f"{m} special point{'s' if m != 1 else ''}" + (":" if m else
                                                        " (no fold, Hopf or branch point)")
    if m and model.n_states > _TABLE_STATES:
        head = head[:-1] + f" (first {_TABLE_STATES} of {model.n_states} states):"
    lines += ["", head]
    if m:
        rows = []
        for k in range(m):
            rows.append((k, str(sp["type"].values[k]),
                         _fmt(sp[free].values[k], ".12g"),
                         *(_fmt(sp[s].values[k]) for s in [*states, *extra]),
                         *((str(sp["branch"].values[k]).split("/")[-1],) if several else ()),
                         _normal_form_text(model, sp, k)))
        heads = ("#", "type", free, *states, *extra, *(("branch",) if several else ()),
                 "normal form")
        lines += _table(heads, rows)
        kinds = set(sp["type"].values.tolist())
        notes = []
        if "LP" in kinds:
            notes.append("a: fold coefficient 1/2 <p, B(q,q)> (null vector q oriented with "
                         "its largest component positive)")
        if "HB" in kinds:
            notes.append("l1: first Lyapunov coefficient, <q,q> = <p,q> = 1 (l1 < 0 "
                         "supercritical, > 0 subcritical)")
        if kinds & {"LPC", "PD", "NS", "SNIC", "HOM"}:
            notes.append("cycles: LPC fold of cycles, PD period doubling, NS torus; SNIC / "
                         "HOM: a cycle branch ends with its period growing without bound")
        lines += [f"  {n}" for n in notes]
    return lines


def _nice(value: float, up: bool = True) -> float:
    """1, 2 or 5 times a power of ten at or above (``up``) / below ``value``."""
    exp = math.floor(math.log10(value))
    for m in ((1, 2, 5, 10) if up else (5, 2, 1)):
        candidate = m * 10.0 ** exp
        if (candidate >= value * (1 - 1e-12)) if up else (candidate <= value * (1 + 1e-12)):
            return candidate
    return 10.0 ** (exp + (1 if up else 0))  # pragma: no cover


_SPAN_BY_UNITS = {"s": 2.0, "ms": 2000.0, "1": 1000.0, "": 1000.0}


def _overlay_times(model, tree, t_span, transient, dt):
    """Time span, transient and step of the --overlay runs.

    The span follows the model's time units (2 s, 2000 ms, 1000 dimensionless),
    else 200 relaxation times, and covers at least 10 periods of the slowest Hopf
    point; the step is a power of ten below span/10000 and 0.1/max|eigenvalue|.
    The transient is half the span.
    """
    import warnings

    import numpy as np
    lam = []
    for ds in _branches(tree).values():
        lam.append(np.abs(ds["eig_real"].values + 1j * ds["eig_imag"].values))
    lam = np.concatenate([a.reshape(a.shape[0], -1) for a in lam])
    periods = tree["special_points"]["period"].values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fast = float(np.nanmax(lam)) if np.isfinite(lam).any() else 0.0
        slow = float(np.nanmedian(np.nanmin(lam, axis=1))) if np.isfinite(lam).any() else 0.0
        period = float(np.nanmax(periods)) if np.isfinite(periods).any() else 0.0
    if t_span is None:
        span = _SPAN_BY_UNITS.get(model.time_units or "")
        if span is None:
            span = _nice(200.0 / slow) if slow > 0 else 1000.0
        if period > 0:
            span = max(span, _nice(10 * period))
        t_span = (0.0, span)
    length = t_span[1] - t_span[0]
    if transient is None:
        transient = 0.5 * length
    if dt is None:
        limit = length / 10000
        if fast > 0:            # transients are stiffer than the equilibria: margin 10
            limit = min(limit, 0.1 / fast)
        dt = 10.0 ** math.floor(math.log10(limit) + 1e-9)
        if abs(length / dt - round(length / dt)) > 1e-6 * (length / dt):
            dt = length / math.ceil(length / dt)
    return t_span, transient, dt


def _overlay(model, tree, free, p_range, groups, t_span, args):
    """A brute-force diagram: min/max after the transient over 100 values of ``free``."""
    import numpy as np

    from .integrate.simulate import simulate
    t_span, transient, dt = _overlay_times(model, tree, t_span, args.transient, args.dt)
    if transient >= t_span[1] - t_span[0]:
        raise UsageError(f"--transient {transient:g} leaves nothing of the span "
                         f"{t_span[0]:g}:{t_span[1]:g} to record; shorten it or lengthen --t")
    params = {**{k: v for k, v in groups["params"].items() if k != free},
              free: np.linspace(p_range[0], p_range[1], 100)}
    clock = time.perf_counter()
    ds = simulate(model, t=t_span, dt=dt, method="rk4", params=params, inputs=groups["inputs"],
                  record="minmax", transient=transient, progress=not args.quiet)
    if not args.quiet:
        tu = _unit(model.time_units, " {}")
        print(f"\noverlay       100 runs of rk4 over {free}, t = {t_span[0]:g} .. "
              f"{t_span[1]:g}{tu}, dt = {dt:g}, transient {transient:g}; failed "
              f"{_failures(ds)}; {time.perf_counter() - clock:.2f} s")
        if int(ds.attrs.get("n_failed", 0)):
            print("note: failed runs leave gaps in the overlay; a smaller --dt may help")
    return ds


def _plot_diagram(model, tree, y, overlay, path: Path) -> None:
    from .plot import bifurcation
    fig = _new_figure((7.0, 4.5))
    ax = fig.subplots()
    bifurcation(tree, y=y, ax=ax, overlay=overlay)
    ax.grid(alpha=0.3)
    free = tree["special_points"].attrs["free_parameter"]
    changed = _changed_params(model, tree)
    what = "equilibria and cycles" if "periodic" in tree else "equilibria"
    title = f"{_model_title(model)}: {what} along {free}" + (
        "; " + ", ".join(changed) if changed else "")
    if overlay is not None:
        title += "\nmarkers: min/max of simulations after the transient"
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    sys.exit(main())
