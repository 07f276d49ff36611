"""``nmanalysis diagram2``: fold and Hopf curves in two parameters, with codim-2 points."""

from __future__ import annotations

import argparse
import math
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_set,
                    check_output, model_from_lists, read_model, read_settings)
from ._report import fmt_value, prepare_run, table_lines, unit_suffix, write_results

__all__ = ["register"]

_EXAMPLES = """\
examples:
  nmanalysis diagram2 jansen_rit --free p C --range p -100 400 --range C 50 300
  nmanalysis diagram2 wilson_cowan --free IE wEE --range IE -15 5 --range wEE 5 40 --plot wc2.png
  nmanalysis diagram2 jansen_rit --free p C --range p -100 400 --range C 50 300 \\
      --regimes 60 --plot jr2.png -o jr2.nc

The one-parameter diagram in the first parameter (at the model's value of the
second, or the value given with --set) gives the folds (LP) and Hopf points (HB)
from which the fold and Hopf curves start; each curve is followed both ways
until it leaves the box of the two --range intervals, closes, or ends (a Hopf
curve ends at a Bogdanov-Takens point). Cusps (CP), Bogdanov-Takens (BT),
generalised Hopf (GH), zero-Hopf (ZH) and double-Hopf (HH) points are located
on the curves, with their normal-form coefficients.
"""


def register(sub) -> None:
    p = sub.add_parser("diagram2", help="two-parameter diagram: fold and Hopf curves with "
                                        "their codim-2 points",
                       description="Follow the curves of folds and Hopf points in two "
                                   "parameters, locate their codimension-2 points (CP, BT, GH, "
                                   "ZH, HH) with normal forms, print them, and optionally "
                                   "write the diagram as netCDF and plot it.",
                       epilog=_EXAMPLES,
                       usage="%(prog)s MODEL --free P1 P2 --range P1 LO HI --range P2 LO HI "
                             "[options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p)
    p.add_argument("--free", dest="free", metavar=("P1", "P2"), nargs=2, default=None,
                   help="the two free parameters")
    p.add_argument("--range", dest="ranges", metavar=("P", "LO", "HI"), nargs=3,
                   action="append", default=[],
                   help="interval of a free parameter, e.g. --range p -100 400 (default its "
                        "typical range)")
    add_set(p, "set another parameter or a constant input; P2=V starts the one-parameter "
               "diagram at P2 = V (default the model's value)")
    p.add_argument("--regimes", type=int, default=None, metavar="N",
                   help="with --plot: draw a regime map of N x N simulated points underneath "
                        "the curves")
    add_outputs(p, "draw the fold and Hopf curves with the codim-2 points labelled",
                "no table (errors are still reported)")
    p.set_defaults(func=_cmd_diagram2)


def _free(model, names):
    params = list(model.param_names)
    if names is None:
        raise UsageError(f"diagram2 needs --free P1 P2: two parameters of model "
                         f"{model.name!r} {params}")
    for name in names:
        if name not in params:
            what = ("a state" if name in model.state_names else
                    "an input (set an input with --set)" if name in model.input_names
                    else "unknown")
            raise UsageError(f"--free {name!r} is {what}; the parameters of model "
                             f"{model.name!r} are {params}")
    if names[0] == names[1]:
        raise UsageError(f"--free {names[0]} {names[1]}: the two parameters must differ")
    return tuple(names)


def _ranges(model, free, items):
    out = {}
    for name, lo, hi in items:
        if name not in free:
            raise UsageError(f"--range {name} {lo} {hi}: {name!r} is not one of the free "
                             f"parameters {list(free)}")
        if name in out:
            raise UsageError(f"--range {name} is given twice")
        try:
            lo, hi = float(lo), float(hi)
        except ValueError:
            raise UsageError(f"--range {name} {lo} {hi}: LO and HI must be numbers") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
            raise UsageError(f"--range {name} {lo:g} {hi:g}: LO and HI must be finite with "
                             "LO < HI")
        out[name] = (lo, hi)
    for name in free:
        if name not in out:
            declared = model.param_info[name].range
            if declared is None:
                raise UsageError(f"--range {name} LO HI is needed: parameter {name!r} of "
                                 f"model {model.name!r} declares no typical range")
            out[name] = (float(declared[0]), float(declared[1]))
    return out


def _cmd_diagram2(args) -> int:
    model = read_model(model_from_lists(args), args.variant)
    free = _free(model, args.free)
    ranges = _ranges(model, free, args.ranges)
    groups, _ = read_settings(model, args)
    if groups["y0"]:
        raise UsageError(f"{next(iter(groups['y0']))!r} is a state: diagram2 starts from the "
                         "equilibria of the one-parameter diagram")
    for name in free:
        if name in groups["params"]:
            lo, hi = ranges[name]
            if not lo <= groups["params"][name] <= hi:
                raise UsageError(f"--set {name}={groups['params'][name]:g} lies outside "
                                 f"--range {name} {lo:g} {hi:g}")
    if args.regimes is not None and not 2 <= args.regimes <= 1000:
        raise UsageError(f"--regimes {args.regimes}: must be between 2 and 1000")
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None
    if args.regimes is not None and plot is None:
        raise UsageError("--regimes draws a map under the curves of --plot; give --plot "
                         "OUT.png too")

    from ..analysis.continuation.codim2 import codim2_continuation
    prepare_run()
    clock = time.perf_counter()
    tree = codim2_continuation(model, free, ranges=ranges, params=groups["params"] or None,
                               inputs=groups["inputs"] or None)
    wall = time.perf_counter() - clock
    if not args.quiet:
        print("\n".join(_report(model, tree, free, ranges, wall)))
    regimes = None
    if args.regimes is not None:
        import numpy as np

        from ..analysis.regimes import regime_map
        grid = {name: np.linspace(*ranges[name], args.regimes) for name in free}
        fixed = {k: v for k, v in groups["params"].items() if k not in free}
        regimes = regime_map(model, params={**fixed, **grid}, inputs=groups["inputs"] or None,
                             progress=not args.quiet)

    def draw():
        from ..plot.figures import save_two_parameter
        save_two_parameter(model, tree, plot, regimes=regimes)
    write_results(tree, output, plot, draw, args.quiet)
    return 0


def _report(model, tree, free, ranges, wall) -> list[str]:
    from ..results.trees import CURVE_KINDS, tree_curves
    p1, p2 = free
    rows = [("model", model.name + (f" (variant {model.variant!r})" if model.variant else "")),
            ("free", ", ".join(f"{n} in [{ranges[n][0]:g}, {ranges[n][1]:g}]"
                               f"{unit_suffix(model.param_info[n].units, ' {}')}"
                               for n in free))]
    curves = tree_curves(tree)
    counts = {kind: sum(1 for k in curves if k.split("/")[0] == kind) for kind in CURVE_KINDS}
    named = {"fold": "fold", "hopf": "Hopf", "lpc": "LPC", "pd": "PD", "ns": "NS"}
    listed = [f"{counts[k]} {named[k]}" for k in CURVE_KINDS if counts[k] or k in ("fold", "hopf")]
    rows.append(("curves", f"{', '.join(listed)} "
                           f"({sum(ds.sizes['point'] for ds in curves.values())} points)"))
    rows.append(("wall time", f"{wall:.2f} s"))
    lines = [f"{k:<13} {v}" for k, v in rows]
    table = []
    for name, ds in curves.items():
        a, b = ds[p1].values, ds[p2].values
        table.append((name, ds.sizes["point"], f"{a.min():.6g} .. {a.max():.6g}",
                      f"{b.min():.6g} .. {b.max():.6g}", ds.attrs.get("status", "?")))
    if table:
        lines += ["", "curves:", *table_lines(("curve", "points", f"{p1} from .. to",
                                               f"{p2} from .. to", "ended"), table)]
    sp = tree["special_points"].to_dataset() if "special_points" in tree else None
    m = 0 if sp is None else sp.sizes.get("special", 0)
    lines += ["", f"{m} codim-2 point{'s' if m != 1 else ''}" + (":" if m else "")]
    if m:
        trows = []
        for k in range(m):
            trows.append((k, str(sp["type"].values[k]), fmt_value(sp[p1].values[k], ".12g"),
                          fmt_value(sp[p2].values[k], ".12g"),
                          str(sp["branch"].values[k]) if "branch" in sp else "-",
                          _normal_form(sp, k)))
        lines += table_lines(("#", "type", p1, p2, "curve", "normal form"), trows)
    return lines


def _normal_form(sp, k) -> str:
    kind = str(sp["type"].values[k])
    fields = {"CP": [("c", "cusp_coefficient")], "BT": [("a", "bt_a"), ("b", "bt_b")],
              "GH": [("l2", "second_lyapunov"), ("omega", "angular_frequency")],
              "ZH": [("omega", "angular_frequency")], "HH": [("omega", "angular_frequency")]}
    parts = [f"{label} = {fmt_value(sp[var].values[k], '.6g')}"
             for label, var in fields.get(kind, []) if var in sp]
    status = str(sp["status"].values[k]) if "status" in sp else "located"
    text = ", ".join(parts) or "-"
    return text + ("" if status == "located" else f" [{status}]")
