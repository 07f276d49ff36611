"""Option readers and argument helpers shared by the sub-commands.

A reader turns the text of one option into a value or raises
:class:`UsageError`, whose message names the option, what was wrong and what
would be valid; :func:`nmanalysis.cli.main` prints it on one line and exits
with status 2. The ``add_*`` helpers add the options that several
sub-commands share, so that they read the same everywhere.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".svgz", ".jpg", ".jpeg", ".eps", ".ps", ".tif",
                 ".tiff", ".webp")


class UsageError(Exception):
    """A mistake on the command line (exit status 2, one line, no traceback)."""


# -- options shared by several sub-commands -----------------------------------------------
def add_model_args(p, optional: bool = False) -> None:
    # optional for simulate: `simulate --set IE=1 MODEL` lets --set swallow MODEL, and
    # model_from_lists takes it back
    p.add_argument("model", metavar="MODEL", nargs="?" if optional else None,
                   help="library name or path to a model file")
    p.add_argument("--variant", default=None, help="variant of a library model")


def add_set(p, help: str) -> None:
    p.add_argument("--set", dest="sets", metavar="NAME=VALUE", nargs="+", action="extend",
                   default=[], help=help)


def add_sweep(p, what: str = "NAME") -> None:
    p.add_argument("--sweep", dest="sweeps", metavar="NAME=START:STOP:NUM", nargs="+",
                   action="extend", default=[],
                   help=f"sweep {what} over NUM values from START to STOP (inclusive); "
                        "several sweeps form an outer product")


def add_outputs(p, plot_help: str, quiet_help: str) -> None:
    p.add_argument("-o", "--output", metavar="OUT.nc", default=None,
                   help="write the result as netCDF")
    p.add_argument("--plot", metavar="OUT.png", default=None, help=plot_help)
    p.add_argument("-q", "--quiet", action="store_true", help=quiet_help)


def protect_negative(argv: list) -> list:
    """Keep ``--range -4e2 -1e-3``: argparse takes only plain negative numbers as values.

    A leading space makes argparse read a token as a value, and :func:`float`
    ignores it.

    >>> protect_negative(["diagram", "m", "--range", "-4e2", "-1e-3"])
    ['diagram', 'm', '--range', ' -4e2', ' -1e-3']
    >>> protect_negative(["diagram2", "m", "--range", "p", "-100", "400"])
    ['diagram2', 'm', '--range', 'p', ' -100', '400']
    """
    argv = list(argv)
    command = next((c for c in ("diagram", "diagram2") if c in argv), None)
    if command is None:
        return argv
    # diagram: --range LO HI; diagram2: --range P LO HI
    values = (1, 2) if command == "diagram" else (1, 2, 3)
    for i, item in enumerate(argv[:-1]):
        if item != "--range" or i < argv.index(command):
            continue
        for j in (i + k for k in values):
            if j < len(argv) and isinstance(argv[j], str) and argv[j].startswith("-"):
                try:
                    float(argv[j])
                except ValueError:
                    continue
                argv[j] = " " + argv[j]
    return argv


# -- the model --------------------------------------------------------------------------
_MODEL_EXAMPLES = {"simulate": "nmanalysis simulate wilson_cowan --t 0:100",
                   "fixed-points": "nmanalysis fixed-points wilson_cowan --set IE=0",
                   "phase-plane": "nmanalysis phase-plane wilson_cowan --x rE --y rI",
                   "diagram": "nmanalysis diagram wilson_cowan --free IE --range -2 2",
                   "diagram2": "nmanalysis diagram2 jansen_rit --free p C --range p -100 400 "
                               "--range C 50 300"}
# the list options that may swallow a MODEL written after them, and how their items look
_LIST_OPTIONS = (("sets", "="), ("sweeps", "="), ("noise", "="), ("bounds", "="),
                 ("ranges", "="), ("traj", ","))


def read_model(spec: str, variant):
    """A library model by name, or a model file by path."""
    from ..models import get_model, list_models
    if spec in list_models():
        return get_model(spec, variant or "")
    from ..io.model_file import FORMATS, load_model
    path = Path(spec)
    if path.suffix.lower() in FORMATS or path.suffix.lower() == ".ode" or path.exists():
        if variant:
            raise UsageError(f"--variant applies to library models only; {spec!r} is a file")
        return load_model(path)
    raise UsageError(f"unknown model {spec!r}; library models are {list_models()}, or give "
                     f"a path to a {'/'.join(sorted([*FORMATS, '.ode']))} model file")


def model_from_lists(args) -> str:
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


def with_inputs(model, values: dict):
    """The model with other constant values of its inputs (phase_plane takes none)."""
    if not values:
        return model
    from ..model import Model
    spec = model.to_dict()
    for name, value in values.items():
        spec["inputs"][name]["value"] = float(value)
    return Model(**spec)


def portrait_of(model, groups, ranges, x, y, **options):
    """:func:`~nmanalysis.phase_plane` of (x, y) with the --set values in ``groups``."""
    from ..analysis.phase_plane import phase_plane
    return phase_plane(with_inputs(model, groups["inputs"]), x, y, params=groups["params"],
                       ranges={s: r for s, r in ranges.items() if s in (x, y)}, **options)


# -- values -------------------------------------------------------------------------------
def split_item(item: str, flag: str, example: str):
    """``NAME=VALUE`` -> (name, value), both stripped.

    >>> split_item("IE = 1.5", "--set", "NAME=VALUE")
    ('IE', '1.5')
    """
    name, sep, value = item.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"{flag} {item!r} is malformed; expected {example}")
    return name.strip(), value.strip()


def read_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"{what}: {text!r} must be finite")
    return value


def read_count(text: str, flag: str, minimum: int) -> int:
    if not text.strip().isdigit() or int(text) < minimum:
        raise UsageError(f"{flag} {text!r}: must be a whole number >= {minimum}")
    return int(text)


def read_time_span(text: str):
    """``START:STOP`` or ``STOP`` -> (start, stop).

    >>> read_time_span("100"), read_time_span("-10:50")
    ((0.0, 100.0), (-10.0, 50.0))
    """
    parts = text.split(":")
    if len(parts) == 1:
        parts = ["0", parts[0]]
    if len(parts) != 2:
        raise UsageError(f"--t {text!r} is malformed; expected START:STOP (e.g. 0:100) or STOP")
    t0, t1 = (read_number(p, f"--t {text}") for p in parts)
    if not t1 > t0:
        raise UsageError(f"--t {text}: STOP must be greater than START")
    return t0, t1


def read_state(model, name: str, flag: str) -> str:
    if name not in model.state_names:
        raise UsageError(f"{flag} {name!r} is not a state of model {model.name!r}; states "
                         f"are {list(model.state_names)}")
    return name


def read_intervals(model, items, flag: str, allowed=None) -> dict:
    """STATE=LOW:HIGH items -> {state: (low, high)}."""
    out = {}
    for item in items:
        name, text = split_item(item, flag, "STATE=LOW:HIGH, e.g. rE=0:1")
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
        lo, hi = (read_number(part, f"{flag} {item}") for part in parts)
        if not lo < hi:
            raise UsageError(f"{flag} {item}: LOW must be less than HIGH")
        out[name] = (lo, hi)
    return out


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


def read_settings(model, args):
    """--set / --sweep -> {'params': ..., 'y0': ..., 'inputs': ...} and the swept names."""
    import numpy as np
    groups, seen, swept = {"params": {}, "y0": {}, "inputs": {}}, {}, []
    items = [("--set", s) for s in args.sets] + \
            [("--sweep", s) for s in getattr(args, "sweeps", [])]
    for flag, item in items:
        example = "NAME=VALUE, e.g. IE=1.5" if flag == "--set" else \
            "NAME=START:STOP:NUM, e.g. IE=0:2:5"
        name, text = split_item(item, flag, example)
        group = _group(model, name, flag)
        if name in seen:
            raise UsageError(f"{name!r} is given twice ({seen[name]} and {flag} {item})")
        seen[name] = f"{flag} {item}"
        if flag == "--set":
            groups[group][name] = read_number(text, f"{flag} {item}")
            continue
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--sweep {item!r} is malformed; expected {example}")
        lo, hi = (read_number(p, f"--sweep {item}") for p in parts[:2])
        if not parts[2].strip().isdigit() or int(parts[2]) < 1:
            raise UsageError(f"--sweep {item}: NUM must be a whole number >= 1; "
                             f"got {parts[2]!r}")
        groups[group][name] = np.linspace(lo, hi, int(parts[2]))
        swept.append(name if group != "y0" else f"{name}_0")
    return groups, swept


# -- outputs ------------------------------------------------------------------------------
def check_output(path, flag: str, suffixes=None) -> Path:
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


def add_plane_axes(p, y_help: str, set_help: str) -> None:
    """``--x``, ``--y``, ``--set`` and ``--range`` of the commands on a plane of two states."""
    p.add_argument("--x", dest="x", metavar="STATE", default=None,
                   help="state on the horizontal axis")
    p.add_argument("--y", dest="y", metavar="STATE", default=None, help=y_help)
    add_set(p, set_help)
    p.add_argument("--range", dest="ranges", metavar="STATE=LOW:HIGH", nargs="+",
                   action="extend", default=[],
                   help="extent of an axis (default the state's declared bounds, else -10:10)")
