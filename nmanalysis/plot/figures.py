"""Whole figures saved to files: one titled page per analysis, outside pyplot.

Each ``save_*`` function draws one of the plots of this package on a new
figure (no pyplot state, no GUI backend), titles it with the model and the
parameters that differ from the model's defaults, and saves it; the command
line's ``--plot`` uses them. ``model`` is the :class:`~nmanalysis.Model` that
produced the result.
"""

from __future__ import annotations

import json

__all__ = ["new_figure", "model_title", "changed_params", "save_equilibria",
           "save_phase_portrait", "save_diagram", "save_basins", "save_two_parameter"]

DPI = 120


def new_figure(figsize):
    """A matplotlib Figure outside pyplot (no global state, no GUI backend).

    >>> new_figure((4.0, 3.0)).get_size_inches().tolist()
    [4.0, 3.0]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def model_title(model) -> str:
    """The model's name, followed by its variant if any."""
    return f"{model.name}{' ' + model.variant if model.variant else ''}"


def changed_params(model, ds) -> list[str]:
    """``name=value`` of the fixed parameters of ``ds`` that differ from the model's defaults.

    ``ds`` is a result Dataset or DataTree with a ``fixed_params`` attribute
    (a JSON object).
    """
    fixed = json.loads(ds.attrs.get("fixed_params", "{}"))
    return [f"{k}={v:g}" for k, v in fixed.items() if v != model.params.get(k)]


def _title(model, ds, what: str) -> str:
    changed = changed_params(model, ds)
    return f"{model_title(model)}: {what}" + ("; " + ", ".join(changed) if changed else "")


def save_equilibria(model, ds, path, *, y=None) -> None:
    """Save :func:`~nmanalysis.plot.equilibria` of a one-parameter ``fixed_points`` sweep.

    ``y`` is the state drawn (default the first).
    """
    from .equilibria import equilibria
    fig = new_figure((7.0, 4.5))
    ax = fig.subplots()
    equilibria(ds, y=y, ax=ax)
    ax.grid(alpha=0.3)
    ax.set_title(_title(model, ds, "equilibria"), fontsize=10)
    fig.savefig(path, dpi=DPI)


def save_phase_portrait(model, ds, path, *, note: str = "") -> None:
    """Save :func:`~nmanalysis.plot.phase_portrait` of a ``phase_plane`` Dataset.

    The legend goes beside the plane; ``note`` is a second line of the title.
    """
    from .phase_plane import phase_portrait
    fig = new_figure((8.0, 5.0))
    ax = fig.subplots()
    phase_portrait(ds, ax=ax, legend=False)
    # beside the plane, where it hides neither nullclines nor equilibria
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small",
              borderaxespad=0.0)
    title = _title(model, ds, "phase plane")
    ax.set_title(title + (f"\n{note}" if note else ""), fontsize=10)
    fig.savefig(path, dpi=DPI)


def save_diagram(model, tree, path, *, y=None, overlay=None) -> None:
    """Save :func:`~nmanalysis.plot.bifurcation` of a ``continuation`` tree.

    ``overlay``: a ``simulate`` Dataset with min/max records over the free
    parameter, drawn as markers (a brute-force diagram).
    """
    from .bifurcation import bifurcation
    fig = new_figure((7.0, 4.5))
    ax = fig.subplots()
    bifurcation(tree, y=y, ax=ax, overlay=overlay)
    ax.grid(alpha=0.3)
    free = tree["special_points"].attrs["free_parameter"]
    what = "equilibria and cycles" if "periodic" in tree else "equilibria"
    title = _title(model, tree, f"{what} along {free}")
    if overlay is not None:
        title += "\nmarkers: min/max of simulations after the transient"
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=DPI)


def save_basins(model, tree, path, *, nullclines=None) -> None:
    """Save :func:`~nmanalysis.plot.basins` of a ``basin_map`` tree, the legend outside.

    ``nullclines``: a ``phase_plane`` Dataset of the same two states, whose
    nullclines and saddle manifolds are drawn over the map.
    """
    from .basins import basins
    fig = new_figure((7.5, 5.5))
    ax = fig.subplots()
    basins(tree, ax=ax, nullclines=nullclines, legend="outside")
    ax.set_title(_title(model, tree.to_dataset(), "basins of attraction"), fontsize=10)
    fig.savefig(path, dpi=DPI)


def save_two_parameter(model, tree, path, *, regimes=None) -> None:
    """Save :func:`~nmanalysis.plot.two_parameter` of a ``codim2_continuation`` tree.

    ``regimes``: a ``regime_map`` Dataset over the same two parameters, drawn
    underneath the curves.
    """
    from .codim2 import two_parameter
    fig = new_figure((8.0, 5.0) if regimes is not None else (7.0, 4.8))
    ax = fig.subplots()
    two_parameter(tree, ax=ax, regimes=regimes,
                  legend=True)
    ax.grid(alpha=0.3)
    ax.set_title(_title(model, tree, "fold and Hopf curves"), fontsize=10)
    fig.savefig(path, dpi=DPI)
