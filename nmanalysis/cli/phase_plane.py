"""``nmanalysis phase-plane``: nullclines, vector field and equilibria of a 2-D slice."""

from __future__ import annotations

import argparse
import time

from ._args import (PLOT_SUFFIXES, UsageError, add_model_args, add_outputs, add_plane_axes,
                    check_output, model_from_lists, portrait_of, read_count, read_intervals,
                    read_model, read_number, read_settings, read_state, read_time_span)
from ._report import (equilibrium_rows, equilibrium_table, prepare_run, unit_suffix,
                      write_results)

__all__ = ["register"]

_EXAMPLES = """\
examples:
  nmanalysis phase-plane wilson_cowan --x rE --y rI --set IE=0 --plot wc_pp.png
  nmanalysis phase-plane fitzhugh_nagumo --x v --y w --set I=0.5 --traj 0,0 2,1 --plot fhn.png
  nmanalysis phase-plane jansen_rit --x y1 --y y2 --mode qss --range y1=-20:40 y2=-20:40

A trajectory starting at a negative X0 must be attached with '=':  --traj=-1,0.5
"""


def register(sub) -> None:
    p = sub.add_parser("phase-plane", help="nullclines, vector field and equilibria of a "
                                           "2-D slice",
                       description="Compute the vector field, the nullclines and the "
                                   "equilibria in the plane of two states (optionally with "
                                   "trajectories), print the equilibria; optionally write the "
                                   "result as netCDF and plot the phase portrait.",
                       epilog=_EXAMPLES,
                       usage="%(prog)s MODEL --x STATE --y STATE [options]",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(p, optional=True)
    add_plane_axes(p, "state on the vertical axis",
                   "set a parameter, a constant input, or the value at which another state is "
                   "held (--mode fixed) or its starting guess (--mode qss)")
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
    add_outputs(p, "draw the phase portrait to an image file",
                "no table (errors are still reported)")
    p.set_defaults(func=_cmd_phase_plane)


def _trajectories(items) -> list[tuple[float, float]]:
    out = []
    for item in items:
        parts = item.split(",")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise UsageError(f"--traj {item!r} is malformed; expected X0,Y0, e.g. --traj "
                             "0.1,0.2 (a negative X0 attached with '=': --traj=-1,0.5)")
        out.append(tuple(read_number(p, f"--traj {item}") for p in parts))
    return out


def _cmd_phase_plane(args) -> int:
    model = read_model(model_from_lists(args), args.variant)
    states = list(model.state_names)
    if args.x is None or args.y is None:
        raise UsageError(f"phase-plane needs --x and --y: two states of model "
                         f"{model.name!r} {states}; e.g. --x {states[0]} --y "
                         f"{states[1] if len(states) > 1 else states[0]}")
    x, y = read_state(model, args.x, "--x"), read_state(model, args.y, "--y")
    if x == y:
        raise UsageError(f"--x and --y must be different states; both are {x!r}")
    groups, _ = read_settings(model, args)
    axes = [s for s in groups["y0"] if s in (x, y)]
    if axes:
        raise UsageError(f"--set {axes[0]}: {axes[0]!r} is an axis of the plane; choose its "
                         f"extent with --range {axes[0]}=LOW:HIGH or start a trajectory "
                         "with --traj X0,Y0")
    ranges = read_intervals(model, args.ranges, "--range", allowed=(x, y))
    resolution = read_count(args.resolution, "--resolution", 3)
    if args.mode not in ("fixed", "qss"):
        raise UsageError(f"--mode {args.mode!r}: must be 'fixed' (other states held) or "
                         "'qss' (other states slaved to their nullclines)")
    traj = _trajectories(args.traj)
    t_span = read_time_span(args.t)
    output = check_output(args.output, "-o") if args.output else None
    plot = check_output(args.plot, "--plot", PLOT_SUFFIXES) if args.plot else None

    prepare_run()
    start = time.perf_counter()
    ds = portrait_of(model, groups, ranges, x, y, resolution=resolution,
                     others=groups["y0"], mode=args.mode, trajectories=traj or None,
                     t=t_span)
    wall = time.perf_counter() - start
    if not args.quiet:
        print("\n".join(_phase_plane_report(model, ds, args, x, y, wall)))

    def draw():
        from ..plot.figures import save_phase_portrait
        note = _others_text(model, ds)
        save_phase_portrait(model, ds, plot, note=note and f"other states {note}")
    write_results(ds, output, plot, draw, args.quiet)
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
        units = unit_suffix(ds[f"nullcline_{s}_residual"].attrs.get("units", ""), " {}")
        if res.size:
            pieces = np.unique(ds[f"nullcline_{s}_segment"].values).size
            text = (f"{s}: {res.size} vertices in {pieces} "
                    f"piece{'s' if pieces > 1 else ''}, max |d{s}/dt| = {res.max():.1e}{units}")
        else:
            text = f"{s}: none in the plane"
        rows.append(("nullclines" if k == 0 else "", text))
    if "traj_x" in ds:
        failed = int(np.count_nonzero(ds["traj_status"].values))
        tu = unit_suffix(model.time_units, " {}")
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
        lines += equilibrium_table(model, (x, y), equilibrium_rows(
            (x, y), [str(k) for k in ds["fp_kind"].values], ds["fp_stable"].values,
            ds["fp_eig_real"].values, ds["fp_residual"].values,
            {x: ds["fp_x"].values, y: ds["fp_y"].values}))
    if model.n_states > 2 and ds.attrs.get("mode") == "fixed":
        lines.append("note: with the other states held fixed these are equilibria of the "
                     "slice, not of the model; --mode qss gives true equilibria")
    return lines
