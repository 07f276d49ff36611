"""``nmanalysis simulate``: integrate a model, optionally over parameter sweeps."""

from __future__ import annotations

import argparse
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_set,
                    add_sweep, check_output, model_from_lists, read_model, read_number,
                    read_settings, read_time_span, split_item)
from ._report import (failures_text, lazy_dask_probes, num_or_dash, table_lines, unit_suffix,
                      write_results)

__all__ = ["register"]

_RECORDS = ("full", "minmax", "min", "max", "mean", "final")

_EXAMPLES = """\
examples:
  nmanalysis simulate wilson_cowan --t 0:100 --dt 0.01 -o wc.nc --plot wc.png
  nmanalysis simulate wilson_cowan --set wEE=10 rE=0.3 --t 0:50
  nmanalysis simulate fitzhugh_nagumo --sweep I=0:2:41 --record minmax --plot fhn.png
  nmanalysis simulate my_model.yaml --noise rE=0.01 --seed 1 --t 0:200

A negative start time must be attached with '=':  --t=-10:100
"""


def register(sub) -> None:
    p = sub.add_parser("simulate", help="integrate a model (optionally over parameter sweeps)",
                       description="Integrate a model and print a summary; optionally write "
                                   "the result as netCDF and plot it.",
                       epilog=_EXAMPLES, usage="%(prog)s MODEL [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p, optional=True)
    add_set(p, "set a parameter, an initial state or a constant input")
    add_sweep(p)
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
    add_outputs(p, "plot a single run, or a sweep over one name, to an image file",
                "no progress bar and no summary (errors are still reported)")
    p.set_defaults(func=_cmd_simulate)


# -- reading the options ------------------------------------------------------------------
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
        name, text = split_item(item, "--noise", "STATE=SIGMA or STATE=SIGMA:TAU, e.g. rE=0.01")
        if name not in model.state_names:
            raise UsageError(f"--noise {item}: {name!r} is not a state of model "
                             f"{model.name!r}; states are {list(model.state_names)}")
        parts = text.split(":")
        if len(parts) > 2:
            raise UsageError(f"--noise {item!r} is malformed; expected STATE=SIGMA[:TAU]")
        sigma = read_number(parts[0], f"--noise {item}")
        out[name] = sigma if len(parts) == 1 else \
            {"sigma": sigma, "tau": read_number(parts[1], f"--noise {item}")}
    return out


def _check_method(method: str) -> str:
    from ..integrate.tableaux import METHODS
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is unknown; methods are {list(METHODS)}")
    return method


def _check_plot(swept, records):
    if len(swept) > 1:
        raise UsageError(f"--plot draws a single run or a sweep over one name; got sweeps "
                         f"over {swept}")
    if not swept and "full" not in records:
        raise UsageError("--plot of a single run needs --record full (reductions of one "
                         "trajectory are single numbers)")


# -- running and reporting ----------------------------------------------------------------
def _cmd_simulate(args) -> int:
    model = read_model(model_from_lists(args), args.variant)
    groups, swept = read_settings(model, args)
    t_span = read_time_span(args.t)
    records = _records(args.record)
    noise = _noise(model, args.noise)
    method = _check_method(args.method or ("heun" if noise else "rk4"))
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None
    if plot is not None:
        _check_plot(swept, records)

    from ..integrate.simulate import simulate, simulate_arrays
    from ..model.network import Network
    options = dict(t=t_span, dt=args.dt, method=method, params=groups["params"],
                   y0=groups["y0"], inputs=groups["inputs"], noise=noise or None,
                   record=records, sampling=args.sampling, transient=args.transient,
                   seed=args.seed, progress=not args.quiet)
    if output or plot or isinstance(model, Network):
        lazy_dask_probes()
    start = time.perf_counter()
    if isinstance(model, Network):
        ds = simulate(model, **options)
    else:
        # the Dataset (and with it the import of xarray, most of a short run's time) only
        # when it is written or drawn; the summary reads the arrays
        run = simulate_arrays(model, **options)
        ds = run.dataset() if (output or plot) else _Arrays(run.parts())
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_summary(model, ds, args, swept, wall)))

    def draw():
        from ..plot.simulation import save_simulation
        save_simulation(model, ds, plot, dim=swept[0] if swept else None)
    write_results(ds, output, plot, draw, args.quiet)
    return 0


class _Arrays:
    """A simulate result's parts (``name -> (dims, values, attrs)``, see
    :func:`nmanalysis.integrate.simulate.simulate_arrays`) answering the few Dataset look-ups
    of the summary: ``ds[name]`` (values, ``.attrs``, ``.size``, ``.min()``, ``.max()``),
    ``name in ds``, ``ds.dims``, ``ds.sizes`` and ``ds.attrs``."""

    def __init__(self, parts):
        import numpy as np
        data, coords, self.attrs = parts
        self._vars, self.sizes = {}, {}
        for name, entry in {**coords, **data}.items():
            dims, values, *attrs = entry if isinstance(entry, tuple) else ((name,), entry)
            dims = (dims,) if isinstance(dims, str) else tuple(dims)
            values = np.asarray(values)
            self._vars[name] = _Array(values, attrs[0] if attrs else {})
            self.sizes.update(zip(dims, values.shape))
        self.dims = self.sizes

    def __contains__(self, name) -> bool:
        return name in self._vars

    def __getitem__(self, name):
        return self._vars[name]


class _Array:
    """One variable of :class:`_Arrays`: its values and attributes."""

    def __init__(self, values, attrs):
        self.values, self.attrs, self.size = values, attrs, values.size

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.asarray(self.values, dtype=dtype)

    def min(self):
        return self.values.min()

    def max(self):
        return self.values.max()


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
    tu = unit_suffix(model.time_units, " {}")
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
             ("failed", failures_text(ds)), ("wall time", f"{wall:.2f} s")]
    lines = [f"{k:<13} {v}" for k, v in rows]
    ranges = [(s, *(num_or_dash(v) for v in _state_range(ds, s)), model.units_of(s) or "-")
              for s in model.state_names]
    lines += ["", "range of the recorded values:",
              *table_lines(("state", "min", "max", "units"), ranges)]
    if set(args.record.split(",")) & {"minmax", "min", "max", "mean"} and not args.transient:
        lines.append("note: the reductions include the initial transient; leave it out "
                     "with --transient T")
    return lines
