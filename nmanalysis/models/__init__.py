"""The model library: one short module per model, each with a ``build(variant)``.

A library module defines ``DESCRIPTION`` (one line), ``REFERENCE``,
``VARIANTS`` (tuple of variant names, ``""`` = default) and
``build(variant="") -> Model``. Register it in :data:`LIBRARY`.
"""

from __future__ import annotations

import importlib

from ..errors import ModelError

__all__ = ["list_models", "get_model", "describe_models", "LIBRARY"]

#: library name -> module (imported on first use)
LIBRARY = {
    "fitzhugh_nagumo": "nmanalysis.models.fitzhugh_nagumo",
    "jansen_rit": "nmanalysis.models.jansen_rit",
    "montbrio_pazo_roxin": "nmanalysis.models.montbrio_pazo_roxin",
    "qif_sfa": "nmanalysis.models.qif_sfa",
    "stuart_landau": "nmanalysis.models.stuart_landau",
    "van_der_pol": "nmanalysis.models.van_der_pol",
    "wilson_cowan": "nmanalysis.models.wilson_cowan",
    "wilson_cowan_pyrates": "nmanalysis.models.wilson_cowan_pyrates",
}


def list_models() -> list[str]:
    """Names of the library models.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> "wilson_cowan" in nma.list_models()
    True
    """
    return sorted(LIBRARY)


def _module(name: str):
    if name not in LIBRARY:
        raise ModelError(f"unknown model {name!r}; library models are {list_models()}")
    return importlib.import_module(LIBRARY[name])


def get_model(name: str, variant: str = "", **params):
    """A library model by name (optionally a variant, and with parameters changed).

    Parameters
    ----------
    name : str
        One of :func:`list_models`.
    variant : str, optional
        A variant the model offers (see ``nmanalysis info MODEL``).
    **params
        Default parameter values to change (as :meth:`Model.with_params`).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.get_model("wilson_cowan", IE=0.5)
    >>> m.params["IE"], m.state_names
    (0.5, ('rE', 'rI'))
    """
    mod = _module(name)
    variants = getattr(mod, "VARIANTS", ("",))
    if variant not in variants:
        raise ModelError(f"model {name!r} has no variant {variant!r}; variants are "
                         f"{[v for v in variants if v] or 'none'}")
    model = mod.build(variant)
    return model.with_params(**params) if params else model


def describe_models() -> dict[str, tuple[str, str, tuple]]:
    """name -> (one-line description, reference, variants)."""
    out = {}
    for name in list_models():
        mod = _module(name)
        out[name] = (mod.DESCRIPTION, mod.REFERENCE, tuple(v for v in mod.VARIANTS if v))
    return out
