"""``nmanalysis basins``: basins of attraction on a grid of two states."""

from __future__ import annotations

import argparse
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_plane_axes,
                    check_output, model_from_lists, read_count, read_intervals, read_model,
                    read_number, read_settings, read_state, with_inputs)
from ._report import fmt_value, prepare_run, table_lines, unit_suffix, write_results

__all__ = ["register"]

_EXAMPLES = """\
examples:
  nmanalysis basins wilson_cowan --x rE --y rI --set IE=0 --plot wc_basins.png
  nmanalysis basins wilson_cowan --x rE --y rI --range rE=0:1 rI=0:0.8 --n 400 -o wc.nc
  nmanalysis basins montbrio_pazo_roxin --x r --y v --range r=0:2 v=-3:1 --plot mpr.png

Each initial state on the N x N grid is integrated until it settles within a
tolerance of a stable equilibrium (early stopping); trajectories still running
at --t-max are checked for cycles by recurrence; the rest are undecided (-1).
States off the grid start at their defaults or at values given with --set.
"""


def register(sub) -> None:
    p = sub.add_parser("basins", help="basins of attraction on a grid of two states",
                       description="Map which attractor (stable equilibrium or cycle) each "
                                   "initial state on a grid of two states reaches; print the "
                                   "attractors with their basin fractions; optionally write "
                                   "the map as netCDF and draw it.",
                       epilog=_EXAMPLES, usage="%(prog)s MODEL --x STATE --y STATE [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p, optional=True)
    add_plane_axes(p, "state on the vertical axis (optional for a 1-state model)",
                   "set a parameter, a constant input, or the initial value of a state off "
                   "the grid")
    p.add_argument("--n", dest="n", metavar="N", default="200",
                   help="grid points per axis (default 200)")
    p.add_argument("--t-max", dest="t_max", metavar="T", default=None,
                   help="longest integration before the cycle check (default 50 / slowest "
                        "eigenvalue rate of the equilibria)")
    p.add_argument("--dt", dest="dt", metavar="DT", default=None,
                   help="fixed RK4 step (default from the Jacobian's largest eigenvalue)")
    p.add_argument("--tol", dest="tol", metavar="TOL", default="1e-3",
                   help="arrival tolerance relative to each axis span (default 1e-3)")
    add_outputs(p, "draw the basins (with nullclines and the saddles' stable manifolds for "
                   "a 2-state model) to an image file",
                "no progress bar and no table (errors are still reported)")
    p.set_defaults(func=_cmd_basins)


def _positive(text, flag):
    value = read_number(text, flag)
    if not value > 0:
        raise UsageError(f"{flag} {text}: must be positive")
    return value


def _axes(model, args):
    states = list(model.state_names)
    if args.x is None or (args.y is None and len(states) > 1):
        second = states[1] if len(states) > 1 else states[0]
        raise UsageError(f"basins needs --x and --y: two states of model {model.name!r} "
                         f"{states}; e.g. --x {states[0]} --y {second}")
    x = read_state(model, args.x, "--x")
    axes = [x]
    if args.y is not None:
        y = read_state(model, args.y, "--y")
        if x == y:
            raise UsageError(f"--x and --y must be different states; both are {x!r}")
        axes.append(y)
    return axes


def _cmd_basins(args) -> int:
    model = read_model(model_from_lists(args), args.variant)
    axes = _axes(model, args)
    groups, _ = read_settings(model, args)
    on_grid = [s for s in groups["y0"] if s in axes]
    if on_grid:
        raise UsageError(f"--set {on_grid[0]}: {on_grid[0]!r} is an axis of the grid; choose "
                         f"its extent with --range {on_grid[0]}=LOW:HIGH")
    ranges = read_intervals(model, args.ranges, "--range", allowed=tuple(axes))
    n = read_count(args.n, "--n", 2)
    t_max = _positive(args.t_max, "--t-max") if args.t_max is not None else None
    dt = _positive(args.dt, "--dt") if args.dt is not None else None
    tol = _positive(args.tol, "--tol")
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None

    import numpy as np

    from ..analysis.basins import basin_map
    from ..analysis.scales import state_interval
    prepare_run()
    lims = {s: ranges.get(s) or state_interval(model, s, {}, "--range") for s in axes}
    grid = {s: np.linspace(lo, hi, n) for s, (lo, hi) in lims.items()}
    start = time.perf_counter()
    tree = basin_map(with_inputs(model, groups["inputs"]), grid, params=groups["params"],
                     y0=groups["y0"], t_max=t_max, dt=dt, tol=tol,
                     progress=False if args.quiet else None)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_report(model, tree, args, axes, wall)))
    write_results(tree, output, plot, lambda: _draw(model, tree, groups, lims, axes, plot),
                  args.quiet)
    return 0


def _report(model, tree, args, axes, wall) -> list[str]:
    import numpy as np

    ds = tree.to_dataset()
    cat = tree["attractors"].to_dataset(inherit=False)
    variant = f" (variant {model.variant!r})" if model.variant else ""
    tu = unit_suffix(model.time_units, " {}")
    rows = [("model", f"{model.name}{variant}")]
    if args.sets:
        rows.append(("set", ", ".join(args.sets)))
    rows.append(("grid", " x ".join(f"{s} in [{float(ds[s][0]):g}, {float(ds[s][-1]):g}] "
                                    f"({ds.sizes[s]})" for s in axes)))
    rows.append(("integration", f"rk4, dt = {ds.attrs['dt']:g}{tu}, t_max = "
                                f"{ds.attrs['t_max']:.4g}{tu}, tol = {ds.attrs['tol_used']:.3g}"))
    rows.append(("wall time", f"{wall:.2f} s"))
    lines = [f"{k:<13} {v}" for k, v in rows]
    label = ds["attractor"].values
    K = cat.sizes["attractor"]
    lines += ["", f"{K} attractor{'s' if K != 1 else ''}" + (":" if K else "")]
    if K:
        states = list(model.state_names)
        table = [(k, str(cat["label"].values[k]),
                  *(fmt_value(cat[f"{s}_point"].values[k]) for s in states),
                  fmt_value(cat["period"].values[k]) if cat["kind"].values[k] == "cycle" else "-",
                  f"{cat['fraction'].values[k]:.4f}") for k in range(K)]
        lines += table_lines(("#", "attractor", *states, "period", "basin fraction"), table)
    undecided = float(np.mean(label < 0)) if label.size else 0.0
    lines.append(f"undecided (-1): {undecided:.4f} of {label.size} initial states")
    return lines


def _draw(model, tree, groups, lims, axes, path) -> None:
    from ..plot.figures import save_basins
    pp = None
    if len(axes) == 2 and model.n_states == 2:
        from ..analysis.phase_plane import phase_plane
        pp = phase_plane(with_inputs(model, groups["inputs"]), axes[0], axes[1],
                         params=groups["params"], ranges=lims, resolution=81, manifolds=True,
                         t=(0.0, 10.0 * float(tree.attrs["t_max"])))
    save_basins(model, tree, path, nullclines=pp)
