"""``nmanalysis regimes``: a regime map over two swept parameters.

Argument helpers (model loading, numbers, time spans, outputs) are those of
:mod:`nmanalysis.cli._args`. User errors raise
:class:`~nmanalysis.errors.OptionsError` or the command line's ``UsageError``,
reported on one line with exit status 2.
"""

from __future__ import annotations

import time

from ._args import PLOT_SUFFIXES, check_output, read_model, read_number, read_time_span
from ._report import prepare_run, write_results


def _err(message):
    from ..errors import OptionsError
    return OptionsError(message)


def _settings(model, sets, sweeps):
    import numpy as np

    params, inputs, swept, seen = {}, {}, [], set()
    for flag, item in [("--set", s) for s in sets] + [("--sweep", s) for s in sweeps]:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _err(f"{flag} {item!r} is malformed; expected NAME=VALUE"
                       + ("" if flag == "--set" else ":STOP:NUM"))
        if name in model.state_names:
            raise _err(f"regimes: initial states are chosen per grid point; {flag} takes "
                       f"parameters and inputs only, not the state {name!r}")
        if name not in model.param_names and name not in model.input_names:
            raise _err(f"unknown parameter {name!r} for model {model.name!r} in {flag}; "
                       f"parameters are {list(model.param_names)}")
        if name in seen:
            raise _err(f"{name!r} is given twice")
        seen.add(name)
        group = params if name in model.param_names else inputs
        if flag == "--set":
            group[name] = read_number(text, f"--set {item}")
            continue
        parts = text.split(":")
        if len(parts) != 3 or not parts[2].strip().isdigit() or int(parts[2]) < 1:
            raise _err(f"--sweep {item!r} is malformed; expected NAME=START:STOP:NUM with NUM "
                       ">= 1, e.g. p=0:300:50")
        lo, hi = (read_number(v, f"--sweep {item}") for v in parts[:2])
        group[name] = np.linspace(lo, hi, int(parts[2]))
        swept.append(name)
    return params, inputs, swept


def register(sub) -> None:
    p = sub.add_parser(
        "regimes", help="map the regimes (equilibria, cycles) over swept parameters",
        description="Classify the attractors reached from a few initial states at every "
                    "point of a parameter grid: one or several stable equilibria, limit "
                    "cycles, their coexistence, or undecided.")
    p.add_argument("model", metavar="MODEL", help="library name or path to a model file")
    p.add_argument("--variant", default=None, help="variant of a library model")
    p.add_argument("--set", dest="sets", metavar="NAME=VALUE", nargs="+", action="extend",
                   default=[], help="fix a parameter or a constant input")
    p.add_argument("--sweep", dest="sweeps", metavar="NAME=START:STOP:NUM", nargs="+",
                   action="extend", default=[],
                   help="sweep a parameter over NUM values (one or two sweeps)")
    p.add_argument("--t", dest="t", metavar="START:STOP", default=None,
                   help="time span of each trajectory, or just STOP (default 0:4 for models "
                        "in seconds, 0:2000 in milliseconds, else 0:1000)")
    p.add_argument("--transient", type=float, default=None, metavar="T",
                   help="time left out of the analysis (default half the span)")
    p.add_argument("--method", default="dopri5",
                   help="integration method (default dopri5; rk4 with --dt is faster)")
    p.add_argument("--dt", type=float, default=None, help="step of fixed-step methods")
    p.add_argument("--n-initial", dest="n_initial", type=int, default=4, metavar="N",
                   help="initial states per grid point (default 4)")
    p.add_argument("-o", "--output", metavar="OUT.nc", default=None,
                   help="write the result as netCDF")
    p.add_argument("--plot", metavar="OUT.png", default=None,
                   help="draw the map to this image file")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=_cmd_regimes)


def _cmd_regimes(args) -> int:
    import numpy as np

    from ..integrate.tableaux import METHODS

    model = read_model(args.model, args.variant)
    params, inputs, swept = _settings(model, args.sets, args.sweeps)
    if not 1 <= len(swept) <= 2:
        raise _err(f"regimes needs one or two --sweep NAME=START:STOP:NUM; got {len(swept)}")
    t_span = read_time_span(args.t) if args.t is not None else None
    method = args.method
    if method not in METHODS or method == "exp_euler":
        raise _err(f"--method {method!r} is unknown; methods are "
                   f"{[m for m in METHODS if m != 'exp_euler']}")
    if args.n_initial < 1:
        raise _err(f"--n-initial must be >= 1; got {args.n_initial}")
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None

    from ..analysis.regimes import regime_map
    prepare_run()
    start = time.perf_counter()
    ds = regime_map(model, params, inputs=inputs or None, t=t_span,
                    transient=args.transient, method=method, dt=args.dt,
                    n_initial=args.n_initial, progress=not args.quiet)
    wall = time.perf_counter() - start
    if not args.quiet:
        flags = dict(zip(ds["regime"].attrs["flag_values"],
                         ds["regime"].attrs["flag_meanings"].split()))
        codes, counts = np.unique(ds["regime"].values, return_counts=True)
        grid = " x ".join(f"{d} ({ds.sizes[d]} values from {float(ds[d].min()):g} to "
                          f"{float(ds[d].max()):g})" for d in ds["regime"].dims)
        print(f"model         {model.name}")
        print(f"grid          {grid}")
        print(f"method        {ds.attrs.get('method')}, t = {ds.attrs['t_start']:g} .. "
              f"{ds.attrs['t_end']:g}, "
              f"{args.n_initial} initial states per point")
        print(f"wall time     {wall:.2f} s")
        print("regimes:")
        for c, n in zip(codes, counts):
            print(f"  {int(c):>3}  {flags.get(int(c), '?').replace('_', ' '):<36} {int(n)}")

    def draw():
        from ..plot.regimes import save_regime_map
        data = ds if len(swept) > 1 else ds.expand_dims({"_": [0.0]})
        save_regime_map(data, plot, title=f"{model.name}: regimes", x=swept[0],
                        y=swept[1] if len(swept) > 1 else "_")
    write_results(ds, output, plot, draw, args.quiet)
    return 0
