"""Text reports shared by the sub-commands: numbers, units, aligned tables, files written;
and how the Datasets they write are built without importing dask."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from ..results.dask_probes import lazy_dask_probes
from ._args import UsageError


def num_or_dash(value) -> str:
    """``-`` for None, else ``%g``."""
    return "-" if value is None else f"{value:g}"


def pair_or_dash(pair) -> str:
    """``[a, b]`` (``%g``), or ``-`` for None.

    >>> pair_or_dash((0, 1.5)), pair_or_dash(None)
    ('[0, 1.5]', '-')
    """
    return "-" if pair is None else f"[{pair[0]:g}, {pair[1]:g}]"


def unit_suffix(units: str, fmt: str = " [{}]") -> str:
    """Units for a label ('' when unknown or dimensionless).

    >>> unit_suffix("ms"), unit_suffix("1"), unit_suffix("ms", " {}")
    (' [ms]', '', ' ms')
    """
    return fmt.format(units) if units and units != "1" else ""


def fmt_value(value, spec: str = ".6g") -> str:
    value = float(value)
    return "nan" if math.isnan(value) else format(value, spec)


def table_lines(headers, rows, indent: str = "  ") -> list[str]:
    """Rows aligned in columns; the last column is not padded.

    >>> print("\\n".join(table_lines(("name", "value"), [("a", 1), ("long", 22)])))
      name  value
      a     1
      long  22
    """
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [list(headers), *rows]) for i in range(len(headers))]

    def line(cells):
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths)] + [cells[-1]]
        return (indent + "  ".join(padded)).rstrip()
    return [line(list(headers)), *(line(r) for r in rows)]


def elide(rows, ncols: int, keep: int = 10) -> list:
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


def equilibrium_rows(states, kinds, stable, eig_real, residual, coords) -> list[tuple]:
    """Rows #, states..., kind, stable, max Re, residual of the table of equilibria."""
    import numpy as np
    rows = []
    for k, kind in enumerate(kinds):
        re = eig_real[k]
        rows.append((k, *(fmt_value(coords[s][k]) for s in states), kind,
                     "yes" if stable[k] else "no",
                     fmt_value(np.nanmax(re), ".4g") if np.isfinite(re).any() else "-",
                     fmt_value(residual[k], ".1e")))
    return rows


def equilibrium_table(model, states, rows) -> list[str]:
    rate = unit_suffix(f"1/{model.time_units}" if model.time_units and model.time_units != "1"
                         else "")
    return table_lines(("#", *states, "kind", "stable", f"max Re(eig){rate}", "residual"), rows)


def failures_text(ds) -> str:
    """How many runs of a simulate Dataset failed, and why ('0' when none did)."""
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


def write_output(action, path: Path, flag: str, quiet: bool) -> None:
    """Run ``action`` (which writes ``path``); an OSError becomes a one-line UsageError."""
    try:
        action()
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
    if not quiet:
        print(f"wrote {path}")


def write_results(result, output, plot, draw, quiet: bool) -> None:
    """Write ``result`` as netCDF to ``output`` (``-o``) and ``draw()`` ``plot`` (``--plot``).

    Either may be None (not asked for); failures are one-line usage errors.
    """
    if output is not None:
        write_output(lambda: result.to_netcdf(output), output, "-o", quiet)
    if plot is not None:
        write_output(draw, plot, "--plot", quiet)


# -- start-up -------------------------------------------------------------------------------
# Set by main() when it is the process's program (called without arguments).
_PROCESS = {"command_line": False}


def mark_command_line() -> None:
    """Note that this process is the command line itself (not a caller of main())."""
    _PROCESS["command_line"] = True


def prepare_run() -> None:
    """Start-up for a command about to run an analysis: the numba functions already
    imported load their cached machine code without numba's compiler refresh, and
    xarray tells numpy arrays from dask arrays without importing dask.

    In the command-line process, the objects made so far (the imported modules, a
    few hundred thousand of them) live until the process exits: they are moved out
    of the cyclic garbage collector's view (:func:`gc.freeze`), which spares its
    passes over them during the run and at exit (0.1-0.25 s of a ``diagram``).
    """
    from ..compile.cache import load_package_without_refresh
    load_package_without_refresh()
    lazy_dask_probes()
    if _PROCESS["command_line"]:
        import gc
        gc.freeze()
