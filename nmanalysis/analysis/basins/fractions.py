"""``basin_fractions``: the fractions of a box of initial states in each basin."""

from __future__ import annotations

import math

import numpy as np

from ..._checks import check_names
from ...errors import OptionsError
from ...results.attrs import json_attr
from ..scales import state_interval
from .run import basin_map

__all__ = ["basin_fractions"]


def basin_fractions(model, states=None, *, n_samples=10000, seed=0, box=None, params=None,
                    inputs=None, y0=None, progress=None, **options):
    """Fractions of a box of initial states that reach each attractor.

    Initial states are drawn uniformly (seeded) from ``box``; each is mapped
    with :func:`basin_map`. The fraction ``f`` of an attractor has the binomial
    standard error ``sqrt(f (1 - f) / n_samples)``.

    Parameters
    ----------
    model : Model
    states : sequence of str, optional
        States drawn at random (default all); the others start at ``y0`` (else
        their defaults).
    n_samples : int
        Number of initial states.
    seed : int
        Seed of the random generator (results are reproducible).
    box : dict, optional
        State -> (low, high) for the sampled states (default their declared
        bounds, else (-10, 10)).
    params, inputs, y0 : dict, optional
        As in :func:`basin_map`.
    progress : bool, optional
    **options
        Passed to :func:`basin_map` (``t_max``, ``dt``, ``tol``, ...).

    Returns
    -------
    xarray.Dataset
        The attractor catalogue (dim ``attractor``) with ``fraction``,
        ``fraction_se`` (standard error) and ``count``; scalar variables
        ``undecided_fraction`` and ``undecided_fraction_se``. ``attrs`` record
        the box, ``n_samples`` and ``seed``.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> from nmanalysis.analysis.basins import basin_fractions
    >>> m = nma.Model(name="bistable", states={"x": 0.0}, params={},
    ...               equations={"x": "x - x**3"})
    >>> bf = basin_fractions(m, box={"x": (-1.0, 3.0)}, n_samples=400, progress=False)
    >>> bf["x_point"].values.round(3).tolist()
    [-1.0, 1.0]
    >>> abs(float(bf["fraction"][1]) - 0.75) < 3 * float(bf["fraction_se"][1])
    True
    """
    from ...model.network import refuse_network
    refuse_network(model, 'basin_fractions')
    states = list(model.state_names) if states is None else list(states)
    unknown = [s for s in states if s not in model.state_names]
    if unknown or not states:
        raise OptionsError(f"`states` must name states of {model.name!r} "
                           f"{list(model.state_names)}; got {states!r}")
    n_samples = int(n_samples)
    if n_samples < 1:
        raise OptionsError(f"`n_samples` must be >= 1; got {n_samples}")
    box = check_names(box, states, "box")
    lims = {s: state_interval(model, s, box, "box") for s in states}
    rng = np.random.default_rng(seed)
    grid = {s: rng.uniform(lo, hi, n_samples) for s, (lo, hi) in lims.items()}
    tree = basin_map(model, grid, sampled=True, params=params, inputs=inputs, y0=y0,
                     progress=progress, **options)
    ds = tree["attractors"].to_dataset(inherit=False)
    label = tree["attractor"].values
    f = ds["count"].values / n_samples
    ds["count"].attrs["long_name"] = "samples in the basin"
    ds["fraction"] = ("attractor", f, {"long_name": "fraction of the box in the basin",
                                       "units": "1"})
    ds["fraction_se"] = ("attractor", np.sqrt(f * (1 - f) / n_samples),
                         {"long_name": "binomial standard error of the fraction",
                          "units": "1"})
    u = float(np.mean(label < 0))
    ds["undecided_fraction"] = ((), u, {"long_name": "fraction left undecided (-1)",
                                        "units": "1"})
    ds["undecided_fraction_se"] = ((), math.sqrt(u * (1 - u) / n_samples),
                                   {"long_name": "binomial standard error of the undecided "
                                                 "fraction", "units": "1"})
    ds.attrs.update(tree.attrs)
    ds.attrs.update(analysis="basin_fractions", n_samples=n_samples, seed=seed,
                    sample_box=json_attr({s: list(v) for s, v in lims.items()}))
    return ds
