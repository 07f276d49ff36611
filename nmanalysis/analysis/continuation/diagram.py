"""``continuation``: the bifurcation diagram of equilibria (and cycles) as a DataTree.

The top of the continuation package: it runs the equilibrium branches
(:mod:`.run`), then the periodic orbits from every Hopf point
(:mod:`.periodic`), and assembles both into one tree.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...errors import OptionsError
from ...results.attrs import provenance
from .datasets import special_dataset, tree_with_provenance
from .periodic.run import periodic_branches
from .problem import ContinuationOptions
from .run import equilibrium_branches

__all__ = ["continuation"]


def continuation(model, param, *, p_range=None, params=None, inputs=None, start=None,
                 ds=None, ds_min=None, ds_max=None, max_points=None, tol=None,
                 state_bounds=None, switch_branches=True, detect=True, cycles=False,
                 cycle_options=None, options=None, progress=None, n_roots=None):
    """Bifurcation diagram of equilibria in one parameter (pseudo-arclength continuation).

    Parameters
    ----------
    model : Model
    param : str
        The free parameter.
    p_range : (float, float)
        Interval of the free parameter; branches stop at its ends (default
        ``options.p_range``, i.e. (0, 1) without ``options``).
    params, inputs : dict, optional
        Values of the other parameters / constant inputs.
    start : dict, sequence, Dataset or None
        A starting equilibrium (state values, or one row of a
        :func:`fixed_points` result; Newton polishes it) at the start value of
        ``param``: ``params[param]`` if given, else ``p_range[0]``.
        ``None`` finds every equilibrium there with :func:`fixed_points`, each
        seeding a branch (unless an earlier branch already passed through it).
    ds, ds_min, ds_max : float, optional
        Arclength steps, in coordinates scaled by each state's box width and
        by the width of ``p_range`` (defaults: those of
        :class:`ContinuationOptions`, 0.01, 1e-8 and 0.02).
    max_points : int, optional
        Points per direction per branch (default 2000).
    tol : float, optional
        Newton tolerance (default 1e-11).
    state_bounds : dict, optional
        State -> (low, high): branches stop on leaving the box; also the
        scales of the coordinates (default: the declared bounds).
    switch_branches : bool
        At every branch point (BP), also trace the crossing branch.
    detect : bool
        Detect and locate special points.
    cycles : bool
        Also continue the periodic orbits born at every Hopf point (orthogonal
        collocation, see :func:`nmanalysis.cycle_continuation`); a branch that
        ends on another Hopf point is not traced again from there.
    cycle_options : dict, optional
        Keyword arguments for the cycle branches: ``ntst``, ``ncol``, ``ds``,
        ``ds_max``, ``max_points``, ``max_period``, ``tol``, ``store_orbits``,
        ``n_phase``, ``values``, ``switch_pd``, ``mesh_tol`` (defaults: those of
        :func:`nmanalysis.cycle_continuation`).
    options : ContinuationOptions, optional
        All limits and tolerances as one object (the single source of the
        defaults); the keywords above, when given, override its fields.
    progress : bool, optional
        Progress bar over the periodic-orbit points (equilibria take well
        under a second).
    n_roots : int, optional
        A :class:`~nmanalysis.model.network.Network` with delays only: the
        ``n_roots`` rightmost characteristic roots of the delayed
        linearisation as ``eig_real`` / ``eig_imag`` and the Hopf points of
        the delay equation (see :mod:`nmanalysis.analysis.continuation.network`;
        ``speed`` may be the free parameter). A Network of any size is
        continued from its assembled F and J, without compiling its flat model.

    Returns
    -------
    xarray.DataTree
        ``equilibria/branch_<k>``: Datasets on dim ``point`` with the free
        parameter and every state, ``stable``, ``n_unstable``, ``eig_real``,
        ``eig_imag`` (dims ``point``, ``eig``), ``arclength``;
        ``special_points``: a Dataset on dim ``special`` with ``type`` (LP,
        HB, BP), the parameter, the states, ``branch``, ``status``
        (located / bracketed), ``precision`` (arclength bracket),
        ``first_lyapunov`` and ``angular_frequency`` (HB), ``period`` (HB,
        2 pi / omega), ``fold_coefficient`` (LP), ``criticality`` (HB).
        With ``cycles=True`` also ``periodic/branch_<k>`` (see
        :func:`nmanalysis.cycle_continuation`) and their special points (LPC,
        PD, NS; SNIC or HOM where a branch ends with an unbounded period).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("wilson_cowan"), "IE", p_range=(-2, 2))
    >>> sp = nma.special_points(tree)
    >>> sorted(sp["type"].values.tolist())
    ['LP', 'LP']
    """
    from ...model.network import Network

    opts = _options(options, p_range=p_range, ds=ds, ds_min=ds_min, ds_max=ds_max,
                    max_points=max_points, tol=tol, detect=detect, state_bounds=state_bounds)
    if isinstance(model, Network):      # delayed stability along the flat model's branches
        from .network import delayed_diagram
        net, model = model, model.to_model()
        tree, start = delayed_diagram(net, model, param, opts, params=params, inputs=inputs,
                                      start=start, switch_branches=switch_branches,
                                      cycles=cycles, n_roots=n_roots, progress=progress)
        if tree is not None:            # else no delay: the flat model's diagram
            return tree
    elif n_roots is not None:
        raise OptionsError("`n_roots` applies to networks with delays only")
    tree, problem, p0 = equilibrium_branches(model, param, opts, params=params, inputs=inputs,
                                             start=start, switch_branches=switch_branches)
    if cycles:
        _add_cycles(model, param, tree, opts, params, inputs, opts.state_bounds or None,
                    cycle_options or {}, detect, progress)
    return tree_with_provenance(tree, provenance(
        model, analysis="continuation", fixed_params=problem.fixed,
        method="pseudo-arclength (tangent predictor, bordered Newton)",
        options={"free_parameter": param, "p_range": list(opts.p_range), "ds": opts.ds,
                 "ds_min": opts.ds_min, "ds_max": opts.ds_max, "tol": opts.tol,
                 "max_points": opts.max_points, "start_value": p0}))


def _options(options, *, detect, state_bounds, **given):
    """ContinuationOptions from ``options`` (or the defaults) with the given keywords."""
    if options is not None and not isinstance(options, ContinuationOptions):
        raise OptionsError(f"`options` must be a ContinuationOptions; got "
                           f"{type(options).__name__}")
    fields = {k: v for k, v in given.items() if v is not None}
    if state_bounds is not None:
        fields["state_bounds"] = dict(state_bounds)
    if options is None:
        return ContinuationOptions(detect=detect, **fields)
    if not detect:
        fields["detect"] = False
    return dataclasses.replace(options, **fields)


_CYCLE_KEYS = {"ntst", "ncol", "ds", "ds_max", "max_points", "max_period", "tol",
               "store_orbits", "n_phase", "values", "switch_pd", "mesh_tol"}


def _add_cycles(model, param, tree, opts, params, inputs, state_bounds, cycle_options,
                detect, progress):
    """Continue the cycles from every Hopf point; add branches and special points."""
    import xarray as xr

    bad = set(cycle_options) - _CYCLE_KEYS
    if bad:
        raise OptionsError(f"unknown cycle_options {sorted(bad)}; valid are "
                           f"{sorted(_CYCLE_KEYS)}")
    sp = tree["special_points"]
    types = sp["type"].values
    hb = [int(i) for i in np.where(types == "HB")[0]]
    if not hb:
        return
    hopfs = [float(sp[param].values[i]) for i in hb]
    folds = [(float(sp[param].values[i]), np.array([float(sp[s].values[i])
                                                   for s in model.state_names]))
             for i in np.where(types == "LP")[0]]
    others = {k: v for k, v in (params or {}).items() if k != param}
    datasets, rows, _ = periodic_branches(
        model, param, [("hopf", sp.isel(special=i)) for i in hb], p_range=opts.p_range,
        params=others, inputs=inputs, state_bounds=state_bounds, detect=detect,
        hopfs=hopfs, folds=folds, progress=progress, **cycle_options)
    for k, d in enumerate(datasets):
        tree[f"periodic/branch_{k}"] = d
    if rows:
        extra = special_dataset(model, param, rows)
        both = xr.concat([sp, extra], dim="special", data_vars="all", coords="minimal",
                         combine_attrs="override")
        tree["special_points"] = both.assign_coords(special=(
            "special", np.arange(both.sizes["special"]),
            {"long_name": "special point index", "units": "1"}))
