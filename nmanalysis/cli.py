"""The ``nmanalysis`` command line: ``models``, ``info`` and ``simulate``.

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


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Dynamical-systems analysis of neural mass models.",
        epilog="MODEL is a library name (see 'nmanalysis models') or a path to a "
               ".yaml/.yml/.toml model file.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    return parser


def _add_model_args(p, optional: bool = False) -> None:
    # optional for simulate: `simulate --set IE=1 MODEL` lets --set swallow MODEL, and
    # _model_from_lists takes it back
    p.add_argument("model", metavar="MODEL", nargs="?" if optional else None,
                   help="library name or path to a model file")
    p.add_argument("--variant", default=None, help="variant of a library model")


def _add_simulate_args(p) -> None:
    p.add_argument("--set", dest="sets", metavar="NAME=VALUE", nargs="+", action="extend",
                   default=[], help="set a parameter, an initial state or a constant input")
    p.add_argument("--sweep", dest="sweeps", metavar="NAME=START:STOP:NUM", nargs="+",
                   action="extend", default=[],
                   help="sweep NAME over NUM values from START to STOP (inclusive); several "
                        "sweeps form an outer product")
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
    p.add_argument("-o", "--output", metavar="OUT.nc", default=None,
                   help="write the result as netCDF")
    p.add_argument("--plot", metavar="OUT.png", default=None,
                   help="plot a single run, or a sweep over one name, to an image file")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no summary (errors are still reported)")


# -- entry point --------------------------------------------------------------------------
def main(argv=None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for a mistake in the input (reported on one line of
        standard error), 130 when interrupted.

    Examples
    --------
    >>> from nmanalysis.cli import main
    >>> main(["info", "fitzhugh_nagumo"])  # doctest: +ELLIPSIS
    fitzhugh_nagumo: FitzHugh-Nagumo ...
    0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, argparse usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return args.func(args) or 0
    except (UsageError, NMAError) as exc:
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        _silence_stdout()
        return 141


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
    items = [("--set", s) for s in args.sets] + [("--sweep", s) for s in args.sweeps]
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
def _model_from_lists(args) -> str:
    """MODEL, also when written after --set/--sweep/--noise values (which swallow it)."""
    if args.model is not None:
        return args.model
    for items in (args.sets, args.sweeps, args.noise):
        bare = [i for i, item in enumerate(items) if "=" not in item]
        if bare:
            return items.pop(bare[-1])
    raise UsageError("simulate needs a MODEL: a library name (see 'nmanalysis models') or "
                     "a model file; e.g. nmanalysis simulate wilson_cowan --t 0:100")


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


def _plot(model, ds, dim, path: Path) -> None:
    """Time series (full record) and/or reductions against the swept value."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    states = list(model.state_names)
    reductions = [r for r in ("max", "min", "mean") if f"{states[0]}_{r}" in ds]
    if dim is not None and "time" not in ds.dims and not reductions:
        reductions = ["final"]
    columns = (["series"] if "time" in ds.dims else []) + \
              (["reductions"] if dim is not None and reductions else [])
    fig = Figure(figsize=(6.5 * len(columns) + (1.5 if dim else 0.5), 1.2 + 2.2 * len(states)),
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(states), len(columns), squeeze=False, sharex="col")
    for col, kind in enumerate(columns):
        for row, state in enumerate(states):
            ax = axes[row, col]
            if kind == "series":
                _plot_series(ax, ds, state, dim, first=row == 0)
            else:
                _plot_reductions(ax, ds, state, dim, reductions, first=row == 0)
            ax.set_ylabel(_label(model, ds, state))
            ax.set_title(model.state_info[state].description, fontsize=9, loc="left")
            ax.grid(alpha=0.3)
        axes[-1, col].set_xlabel(_label(model, ds, "time" if kind == "series" else dim, True))
    if "series" in columns and dim is not None:
        _colorbar(fig, axes[:, 0], model, ds, dim)
    fig.suptitle(_plot_title(model, ds), fontsize=10)
    fig.savefig(path, dpi=120)


def _plot_title(model, ds) -> str:
    import json
    fixed = json.loads(ds.attrs.get("fixed_params", "{}"))
    changed = [f"{k}={v:g}" for k, v in fixed.items() if v != model.params.get(k)]
    title = f"{model.name}{' ' + model.variant if model.variant else ''}: " \
            f"{ds.attrs.get('method')}"
    if ds.attrs.get("dt") is not None:
        title += f", dt={ds.attrs['dt']:g}{_unit(model.time_units, ' {}')}"
    if changed:
        title += "; " + ", ".join(changed)
    n_failed = ds.attrs.get("n_failed", 0)
    return title + (f"; {n_failed} failed trajectories (gaps)" if n_failed else "")


def _shown(n: int):
    """Indices of at most _MAX_LINES evenly spread sweep values."""
    import numpy as np
    return np.unique(np.linspace(0, n - 1, min(n, _MAX_LINES)).round().astype(int))


def _norm_cmap(values):
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    lo, hi = float(values.min()), float(values.max())
    return Normalize(lo, hi if hi > lo else lo + 1), colormaps["viridis"]


def _plot_series(ax, ds, state, dim, *, first):
    import numpy as np
    if dim is None:
        ax.plot(ds["time"], ds[state], lw=1.2, color="C0")
        return
    values = np.asarray(ds[dim], dtype=float)
    norm, cmap = _norm_cmap(values)
    shown = _shown(values.size)
    for i in shown:
        ax.plot(ds["time"], ds[state].isel({dim: i}), lw=1.0, color=cmap(norm(values[i])))
    if first and shown.size < values.size:
        ax.set_title(f"{shown.size} of {values.size} values shown", fontsize=8, loc="right")


def _colorbar(fig, axes, model, ds, dim):
    import numpy as np
    from matplotlib.cm import ScalarMappable
    norm, cmap = _norm_cmap(np.asarray(ds[dim], dtype=float))
    fig.colorbar(ScalarMappable(norm, cmap), ax=list(axes), label=_label(model, ds, dim, True))


def _plot_reductions(ax, ds, state, dim, reductions, *, first):
    x = ds[dim]
    styles = {"max": ("C3", "^"), "min": ("C0", "v"), "mean": ("C2", "o"),
              "final": ("C1", "o")}
    if "max" in reductions and "min" in reductions:
        ax.fill_between(x, ds[f"{state}_min"], ds[f"{state}_max"], color="0.85", lw=0,
                        label="min-max envelope")
    for r in reductions:
        var = state if r == "final" else f"{state}_{r}"
        color, marker = styles[r]
        ax.plot(x, ds[var], color=color, marker=marker, ms=3, lw=1.0,
                label="final value" if r == "final" else r)
    if first:
        ax.legend(fontsize=8, loc="best")


if __name__ == "__main__":
    sys.exit(main())
