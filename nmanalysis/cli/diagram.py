"""``nmanalysis diagram``: bifurcation diagram by continuation in one parameter."""

from __future__ import annotations

import argparse
import math
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_set,
                    check_output, model_from_lists, read_intervals, read_model, read_settings,
                    read_time_span)
from ._report import (failures_text, fmt_value, prepare_run, table_lines, unit_suffix,
                      write_results)

__all__ = ["register"]

_EXAMPLES = """\
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

_TABLE_STATES = 4          # states shown in the table of special points


def register(sub) -> None:
    p = sub.add_parser("diagram", help="bifurcation diagram of equilibria (continuation "
                                       "in one parameter)",
                       description="Trace the branches of equilibria as one parameter varies "
                                   "(pseudo-arclength continuation), locate folds (LP), Hopf "
                                   "points (HB) and branch points (BP) with their normal-form "
                                   "coefficients, and print them; optionally write the "
                                   "diagram as netCDF and plot it.",
                       epilog=_EXAMPLES,
                       usage="%(prog)s MODEL --free P --range LO HI [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p, optional=True)
    p.add_argument("--free", dest="free", metavar="P", default=None,
                   help="the free parameter")
    p.add_argument("--range", dest="p_range", metavar=("LO", "HI"), nargs=2, type=float,
                   default=None, help="interval of the free parameter, e.g. --range -100 400 "
                                      "(default its typical range)")
    add_set(p, "set another parameter or a constant input; P=V starts the continuation at "
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
    add_outputs(p, "draw the diagram (stable solid, unstable dashed, special points "
                   "labelled) to an image file",
                "no table (errors are still reported)")
    p.set_defaults(func=_cmd_diagram)


# -- reading the options ------------------------------------------------------------------
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


# -- running ------------------------------------------------------------------------------
def _cmd_diagram(args) -> int:
    model = read_model(model_from_lists(args), args.variant)
    free = _free_parameter(model, args.free)
    lo, hi = _diagram_range(model, free, args.p_range)
    groups, _ = read_settings(model, args)
    if groups["y0"]:
        name = next(iter(groups["y0"]))
        raise UsageError(f"{name!r} is a state: diagram starts from every equilibrium at the "
                         f"start value of {free!r}; limit the branches with --bounds "
                         f"{name}=LOW:HIGH")
    start = groups["params"].get(free, lo)
    if not lo <= start <= hi:
        raise UsageError(f"--set {free}={start:g}: the start value lies outside --range "
                         f"{lo:g} {hi:g}")
    bounds = read_intervals(model, args.bounds, "--bounds")
    y = _diagram_y(model, args.y)
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None
    if args.overlay and plot is None:
        raise UsageError("--overlay draws simulations on the --plot figure; give --plot "
                         "OUT.png too")
    timing = [f for f, v in (("--t", args.t), ("--transient", args.transient),
                             ("--dt", args.dt)) if v is not None]
    if timing and not args.overlay:
        raise UsageError(f"{timing[0]} sets the simulations of --overlay; give --overlay too")
    t_span = read_time_span(args.t) if args.t is not None else None
    if args.dt is not None and not (math.isfinite(args.dt) and args.dt > 0):
        raise UsageError(f"--dt {args.dt:g}: must be positive")
    if args.transient is not None:
        if not (math.isfinite(args.transient) and args.transient >= 0):
            raise UsageError(f"--transient {args.transient:g}: must be >= 0")
        if t_span is not None and args.transient >= t_span[1] - t_span[0]:
            raise UsageError(f"--transient {args.transient:g} leaves nothing of --t {args.t} "
                             "to record")

    from ..analysis.continuation import continuation
    from ..analysis.diagram_extras import add_observable
    prepare_run()
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
        add_observable(model, tree, y, free, groups["params"], groups["inputs"])
    if not args.quiet:
        print("\n".join(_diagram_report(model, tree, args, free, (lo, hi), y, wall)))
    overlay = None
    if args.overlay:
        overlay = _overlay(model, tree, free, (lo, hi), groups, t_span, args)

    def draw():
        from ..plot.figures import save_diagram
        save_diagram(model, tree, plot, y=y, overlay=overlay)
    write_results(tree, output, plot, draw, args.quiet)
    return 0


def _overlay(model, tree, free, p_range, groups, t_span, args):
    """A brute-force diagram: min/max after the transient over 100 values of ``free``."""
    import numpy as np

    from ..analysis.diagram_extras import overlay_times
    from ..integrate.simulate import simulate
    t_span, transient, dt = overlay_times(model, tree, t_span, args.transient, args.dt)
    if transient >= t_span[1] - t_span[0]:
        raise UsageError(f"--transient {transient:g} leaves nothing of the span "
                         f"{t_span[0]:g}:{t_span[1]:g} to record; shorten it or lengthen --t")
    params = {**{k: v for k, v in groups["params"].items() if k != free},
              free: np.linspace(p_range[0], p_range[1], 100)}
    clock = time.perf_counter()
    ds = simulate(model, t=t_span, dt=dt, method="rk4", params=params, inputs=groups["inputs"],
                  record="minmax", transient=transient, progress=not args.quiet)
    if not args.quiet:
        tu = unit_suffix(model.time_units, " {}")
        print(f"\noverlay       100 runs of rk4 over {free}, t = {t_span[0]:g} .. "
              f"{t_span[1]:g}{tu}, dt = {dt:g}, transient {transient:g}; failed "
              f"{failures_text(ds)}; {time.perf_counter() - clock:.2f} s")
        if int(ds.attrs.get("n_failed", 0)):
            print("note: failed runs leave gaps in the overlay; a smaller --dt may help")
    return ds


# -- reporting ----------------------------------------------------------------------------
def _normal_form_text(model, sp, k) -> str:
    """Normal-form coefficients of special point k as text."""
    tu = model.time_units if model.time_units and model.time_units != "1" else ""
    kind = str(sp["type"].values[k])
    if kind == "HB":
        omega = float(sp["angular_frequency"].values[k])
        text = (f"omega = {fmt_value(omega)}{' rad/' + tu if tu else ''}, period = "
                f"{fmt_value(sp['period'].values[k])}{' ' + tu if tu else ''}, l1 = "
                f"{fmt_value(sp['first_lyapunov'].values[k], '.5g')}, "
                f"{sp['criticality'].values[k] or 'criticality unknown'}")
    elif kind == "LP":
        text = f"a = {fmt_value(sp['fold_coefficient'].values[k], '.6g')}"
    elif kind in ("LPC", "PD", "NS", "UZ"):
        text = f"period = {fmt_value(sp['period'].values[k])}{' ' + tu if tu else ''}"
    elif kind in ("SNIC", "HOM"):
        text = "end of a cycle branch (period -> infinity)"
    else:
        text = "-"
    status = str(sp["status"].values[k])
    return text + ("" if status == "located" else f" [{status}]")


def _diagram_report(model, tree, args, free, p_range, y, wall) -> list[str]:
    import numpy as np

    from ..results.trees import tree_cycles, tree_equilibria
    variant = f" (variant {model.variant!r})" if model.variant else ""
    pu = unit_suffix(model.param_info[free].units, " {}")
    start = float(tree.attrs.get("start_value", p_range[0]))
    rows = [("model", f"{model.name}{variant}"),
            ("free", f"{free} in [{p_range[0]:g}, {p_range[1]:g}]{pu}, starting at "
                     f"{start:g}")]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    if args.bounds:
        rows.append(("bounds", ", ".join(args.bounds)))
    branches = tree_equilibria(tree)
    n_points = sum(ds.sizes["point"] for ds in branches.values())
    rows.append(("branches", f"{len(branches)} ({n_points} points)"))
    cycles = tree_cycles(tree)
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
              *table_lines(("branch", "points", f"{free} from .. to", "stable points",
                            "stopped at (start side; end side)"), table)]
    if cycles:
        tu = unit_suffix(model.time_units, " {}")
        ctab = []
        for name, ds in cycles.items():
            p = ds[free].values
            T = ds["period"].values
            ctab.append((name.split("/")[-1], ds.sizes["point"],
                         f"{p.min():.6g} .. {p.max():.6g}", f"{T.min():.4g} .. {T.max():.4g}",
                         int(np.count_nonzero(ds["stable"].values)),
                         ds.attrs.get("stop_reason", "?")))
        lines += ["", "cycle branches (periodic orbits):",
                  *table_lines(("branch", "orbits", f"{free} from .. to", f"period{tu}",
                                "stable orbits", "stopped"), ctab)]
    return lines + _special_point_lines(model, tree, free, y, several=len(branches) > 1)


def _special_point_lines(model, tree, free, y, several) -> list[str]:
    """The table of special points and the notes on their normal forms."""
    sp = tree["special_points"].to_dataset()
    m = sp.sizes["special"]
    states = list(model.state_names)[:_TABLE_STATES]
    extra = [y] if y is not None and y in sp and y not in states else []
    head = f"{m} special point{'s' if m != 1 else ''}" + (":" if m else
                                                        " (no fold, Hopf or branch point)")
    if m and model.n_states > _TABLE_STATES:
        head = head[:-1] + f" (first {_TABLE_STATES} of {model.n_states} states):"
    lines = ["", head]
    if m:
        rows = []
        for k in range(m):
            rows.append((k, str(sp["type"].values[k]),
                         fmt_value(sp[free].values[k], ".12g"),
                         *(fmt_value(sp[s].values[k]) for s in [*states, *extra]),
                         *((str(sp["branch"].values[k]).split("/")[-1],) if several else ()),
                         _normal_form_text(model, sp, k)))
        heads = ("#", "type", free, *states, *extra, *(("branch",) if several else ()),
                 "normal form")
        lines += table_lines(heads, rows)
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
