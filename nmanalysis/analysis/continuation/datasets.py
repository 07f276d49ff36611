"""Result layouts shared by equilibrium and periodic-orbit branches."""

from __future__ import annotations

import numpy as np

from ...errors import OptionsError

__all__ = ["special_dataset", "special_points", "tree_with_provenance"]


def special_dataset(model, param, rows):
    """The ``special_points`` Dataset (dim ``special``) from rows of special points.

    Each row is a dict with ``type``, ``p``, ``x`` (states), ``branch``,
    ``status``, ``precision`` and, where they apply, ``l1``, ``omega`` (HB),
    ``a`` (LP), ``crit`` (HB) and ``period`` (cycles; HB: ``2 pi / omega``).
    Equilibrium and cycle branches share this one layout.
    """
    import xarray as xr

    m = len(rows)
    info = model.param_info[param]

    def col(key, default=np.nan):
        return np.array([r.get(key, default) for r in rows], float)

    omega = col("omega")
    period = np.array([r["period"] if "period" in r else 2 * np.pi / o
                       for r, o in zip(rows, omega)], float)
    data = {
        "type": ("special", np.array([r["type"] for r in rows], dtype=str),
                 {"long_name": "kind of special point", "units": "1",
                  "description": "LP fold, HB Hopf, BP branch point; on cycle branches LPC "
                                 "fold of cycles, PD period doubling, NS torus, SNIC / HOM end "
                                 "of the branch, UZ user value"}),
        param: ("special", col("p"), {"long_name": info.description or param,
                                      "units": info.units}),
    }
    for i, s in enumerate(model.state_names):
        data[s] = ("special", np.array([r["x"][i] for r in rows], float),
                   {"long_name": model.state_info[s].description or s,
                    "units": model.state_info[s].units})
    data.update({
        "branch": ("special", np.array([r["branch"] for r in rows], dtype=str),
                   {"long_name": "branch the point lies on", "units": "1"}),
        "status": ("special", np.array([r["status"] for r in rows], dtype=str),
                   {"long_name": "located (test function zero found) or bracketed",
                    "units": "1"}),
        "precision": ("special", col("precision"),
                      {"long_name": "final arclength bracket of the location", "units": "1"}),
        "first_lyapunov": ("special", col("l1"),
                           {"long_name": "first Lyapunov coefficient (HB)", "units": "1"}),
        "angular_frequency": ("special", omega, {"long_name": "angular frequency at HB",
                                                 "units": f"rad/{model.time_units or '1'}"}),
        "period": ("special", period,
                   {"long_name": "period (HB: at onset 2 pi / omega; cycles: of the orbit)",
                    "units": model.time_units or "1"}),
        "fold_coefficient": ("special", col("a"),
                             {"long_name": "quadratic normal-form coefficient (LP)",
                              "units": "1"}),
        "criticality": ("special", np.array([r.get("crit", "") for r in rows], dtype=str),
                        {"long_name": "HB criticality from the sign of l1", "units": "1"}),
    })
    ds = xr.Dataset(data, coords={"special": ("special", np.arange(m),
                                              {"long_name": "special point index",
                                               "units": "1"})})
    ds.attrs["free_parameter"] = param
    return ds


def special_points(tree):
    """The special-points Dataset (dim ``special``) of a continuation tree.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> tree = nma.continuation(nma.get_model("fitzhugh_nagumo"), "I", p_range=(0, 2))
    >>> sp = nma.special_points(tree)
    >>> [round(float(v), 6) for v in sp["I"].values]
    [0.331281, 1.418719]
    """
    try:
        return tree["special_points"].to_dataset()
    except KeyError:
        raise OptionsError("`tree` has no special_points node; pass the result of "
                           "nma.continuation") from None


def tree_with_provenance(nodes, attrs):
    """The DataTree of ``nodes`` (path -> Dataset); every Dataset and the root carry ``attrs``.

    A branch taken out of its tree (``tree["equilibria/branch_0"].to_dataset()``,
    or written to its own file) still names its model, fixed parameters and method.
    """
    import xarray as xr

    for ds in nodes.values():
        ds.attrs.update({k: v for k, v in attrs.items() if k not in ds.attrs})
    tree = xr.DataTree.from_dict(nodes)
    tree.attrs.update(attrs)
    return tree
