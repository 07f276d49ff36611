"""``nmanalysis fixed-points``: every equilibrium in a box, optionally over sweeps."""

from __future__ import annotations

import argparse
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_set,
                    add_sweep, check_output, model_from_lists, portrait_of, read_count,
                    read_intervals, read_model, read_settings, read_state)
from ._report import (elide, equilibrium_rows, equilibrium_table, prepare_run, table_lines,
                      write_results)

__all__ = ["register"]

_EXAMPLES = """\
examples:
  nmanalysis fixed-points wilson_cowan --set IE=0
  nmanalysis fixed-points wilson_cowan --sweep IE=-1:3:81 -o fp.nc --plot fp.png
  nmanalysis fixed-points fitzhugh_nagumo --bounds v=-3:3 w=-2:3 --plot fhn.png
  nmanalysis fixed-points jansen_rit --sweep p=0:400:41 --plot jr.png --y y1

The search box of a state defaults to its declared bounds (see 'nmanalysis info
MODEL'), else -10:10. Equilibria outside the box are not found.
"""


def register(sub) -> None:
    p = sub.add_parser("fixed-points", help="all equilibria in a box (optionally over sweeps)",
                       description="Find every equilibrium in a box of the state space by "
                                   "Newton's method from many starts, classify it by the "
                                   "eigenvalues of the Jacobian, and print a table; optionally "
                                   "write the result as netCDF and plot it.",
                       epilog=_EXAMPLES, usage="%(prog)s MODEL [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p, optional=True)
    add_set(p, "set a parameter or a constant input")
    add_sweep(p, "parameter NAME")
    p.add_argument("--bounds", metavar="STATE=LOW:HIGH", nargs="+", action="extend",
                   default=[], help="search box of STATE (default its declared bounds, "
                                    "else -10:10)")
    p.add_argument("--n-starts", dest="n_starts", metavar="N", default=None,
                   help="Newton starting points in the box (default max(128, 32 x states))")
    add_outputs(p, "plot the equilibria against the swept parameter (one --sweep), or the "
                   "phase portrait of a 2-state model (no --sweep)",
                "no progress bar and no table (errors are still reported)")
    p.add_argument("--y", dest="y", metavar="STATE", default=None,
                   help="state drawn by --plot (default the first state)")
    p.set_defaults(func=_cmd_fixed_points)


def _cmd_fixed_points(args) -> int:
    import numpy as np
    model = read_model(model_from_lists(args), args.variant)
    groups, swept = read_settings(model, args)
    if groups["y0"]:
        name = next(iter(groups["y0"]))
        raise UsageError(f"{name!r} is a state: fixed-points solves for the states; limit "
                         f"the search with --bounds {name}=LOW:HIGH")
    swept_inputs = [k for k, v in groups["inputs"].items() if np.ndim(v)]
    if swept_inputs:
        raise UsageError(f"--sweep {swept_inputs[0]}: inputs are constant for fixed-points; "
                         f"set one value with --set {swept_inputs[0]}=VALUE")
    bounds = read_intervals(model, args.bounds, "--bounds")
    n_starts = read_count(args.n_starts, "--n-starts", 1) if args.n_starts is not None else None
    y = read_state(model, args.y, "--y") if args.y is not None else None
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None
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

    from ..analysis.equilibria import fixed_points
    prepare_run()
    start = time.perf_counter()
    ds = fixed_points(model, params=groups["params"], inputs=groups["inputs"],
                      bounds=bounds, n_starts=n_starts,
                      progress=False if args.quiet else None)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_fixed_points_report(model, ds, args, swept, wall)))

    def draw():
        from ..plot.figures import save_equilibria, save_phase_portrait
        if swept:
            save_equilibria(model, ds, plot, y=y)
        else:
            save_phase_portrait(model, portrait_of(model, groups, bounds, *portrait), plot)
    write_results(ds, output, plot, draw, args.quiet)
    return 0


def _box_text(ds, states) -> str:
    import json
    box = json.loads(ds.attrs.get("search_box", "{}"))
    return ", ".join(f"{s} in [{box[s][0]:g}, {box[s][1]:g}]" for s in states if s in box)


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
            rows = equilibrium_rows(
                states, [str(k) for k in ds["kind"].values[:n]], ds["stable"].values[:n],
                ds["eig_real"].values[:n], ds["residual"].values[:n],
                {s: ds[s].values[:n] for s in states})
            lines += equilibrium_table(model, states, rows)
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
             *table_lines(heads, elide(rows, len(heads)))]
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
