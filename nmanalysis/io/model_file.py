"""Model files: a :class:`~nmanalysis.Model` written as YAML or TOML.

A model file holds exactly the keyword arguments of :class:`~nmanalysis.Model`,
i.e. what :meth:`Model.to_dict() <nmanalysis.Model.to_dict>` returns. The
format is chosen by the file's suffix: ``.yaml`` / ``.yml`` (YAML) or
``.toml`` (TOML).

Top-level keys
--------------
``name`` (required)
    Identifier of the model (letters, digits, ``_``).
``states`` (required)
    State name -> default initial value, *in state order*. A value is a
    number or a mapping with ``value`` and optionally ``bounds`` (the box
    searched for equilibria, ``[low, high]``), ``units``, ``description``.
``params``
    Parameter name -> a number or a mapping with ``value`` and optionally
    ``bounds`` (hard limits), ``range`` (typical range), ``units``,
    ``description``. May be left out when the model has no parameters.
``equations`` (required)
    State name -> right-hand side of ``d(state)/dt`` (a string; ``^`` and
    ``**`` both mean power).
``functions``
    Helper functions, ``"name(arg, ...)"`` -> body.
``inputs``
    Time-dependent inputs, name -> default constant (number or mapping, as
    for ``params``); their time course is given at run time.
``observables``
    Derived quantities, name -> expression, or a mapping with
    ``expression`` and optionally ``units``, ``description``.
``description``, ``reference``, ``time_units``, ``variant``
    Strings.

No other key is accepted. Expressions are parsed by the package's safe
parser, never evaluated as Python, and YAML is read with a safe loader (tags
such as ``!!python/object`` are refused).

Limits
------
A model file is refused (with a :class:`~nmanalysis.errors.ModelError`) if it
is larger than :data:`MAX_FILE_BYTES` (10 MB), nests lists and mappings deeper
than :data:`MAX_DEPTH` levels, or holds more than :data:`MAX_NODES` values once
YAML aliases (``*name``) are expanded, which bounds the memory and time taken
by files built from nested aliases ("billion laughs"). A YAML alias may not
refer to the node that contains it, and every integer must fit in a float.

YAML example
------------
.. code-block:: yaml

    name: fhn
    description: FitzHugh-Nagumo neuron written with a helper function
    reference: FitzHugh, Biophys. J. 1:445 (1961)
    time_units: "1"
    states:
      v: {value: -1.0, bounds: [-3.0, 3.0], description: membrane potential}
      w: {value: 1.0, bounds: [-2.0, 3.0], description: recovery variable}
    params:
      I: {value: 0.5, range: [0.0, 2.0], description: external current}
      a: 0.7
      b: 0.8
      tau: {value: 12.5, range: [1.0, 50.0], description: recovery time scale}
    functions:
      cubic(x): x - x^3/3
    equations:
      v: cubic(v) - w + I
      w: (v + a - b*w)/tau
    observables:
      v_minus_w: {expression: v - w, description: distance from the diagonal}

In YAML, quote an expression that starts with ``-``, ``*``, ``&``, ``!``,
``[`` or ``{``, or that contains ``": "`` or ``" #"``; quote a unit such as
``"1"`` and names such as ``on``/``off``/``yes``/``no``, which YAML would read
as numbers or booleans.

TOML example
------------
The same model. Keys that are not bare words (function signatures) are
quoted; ``[states.v]`` sub-tables may be used instead of inline tables.

.. code-block:: toml

    name = "fhn"
    description = "FitzHugh-Nagumo neuron written with a helper function"
    reference = "FitzHugh, Biophys. J. 1:445 (1961)"
    time_units = "1"

    [states]
    v = {value = -1.0, bounds = [-3.0, 3.0], description = "membrane potential"}
    w = {value = 1.0, bounds = [-2.0, 3.0], description = "recovery variable"}

    [params]
    I = {value = 0.5, range = [0.0, 2.0], description = "external current"}
    a = 0.7
    b = 0.8
    tau = {value = 12.5, range = [1.0, 50.0], description = "recovery time scale"}

    [functions]
    "cubic(x)" = "x - x^3/3"

    [equations]
    v = "cubic(v) - w + I"
    w = "(v + a - b*w)/tau"

    [observables]
    v_minus_w = {expression = "v - w", description = "distance from the diagonal"}
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import ModelError, OptionsError
from ..model import Model
from .bounded import (MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, check_tree, one_line,
                      parse_text, read_text, short)
from .writing import compact, dump_toml, dump_yaml

__all__ = ["load_model", "save_model", "FORMATS", "TOP_LEVEL_KEYS", "MAX_FILE_BYTES",
           "MAX_DEPTH", "MAX_NODES"]

#: file suffix -> format name
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}
#: every key a model file may hold at the top level
TOP_LEVEL_KEYS = ("name", "states", "params", "equations", "functions", "inputs",
                  "observables", "description", "reference", "time_units", "variant")
_REQUIRED = ("name", "states", "equations")
_MAPPINGS = ("states", "params", "equations", "functions", "inputs", "observables")
_STRINGS = ("name", "description", "reference", "time_units", "variant")

# -- reading ------------------------------------------------------------------------------
def _format_of(path: Path, error=ModelError) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise error(f"{path}: unknown model file type {path.suffix or '(no suffix)'!r}; "
                    f"use one of {sorted(FORMATS)}")
    return fmt


def _check_keys(data, path: Path) -> None:
    if data is None:
        raise ModelError(f"{path}: the file is empty; a model needs at least "
                         f"{list(_REQUIRED)}")
    if not isinstance(data, Mapping):
        raise ModelError(f"{path}: expected a mapping of model keys at the top level, got "
                         f"{type(data).__name__}")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(str(key)[:100], TOP_LEVEL_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ModelError(f"{path}: unknown top-level key {short(key)}{hint}; valid keys "
                             f"are {list(TOP_LEVEL_KEYS)}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ModelError(f"{path}: missing required key {missing[0]!r}; required keys are "
                         f"{list(_REQUIRED)}")


def _check_types(data: Mapping, path: Path) -> dict:
    kwargs = {}
    for key, value in data.items():
        if key in _MAPPINGS:
            if value is None and key not in _REQUIRED:
                value = {}
            if not isinstance(value, Mapping):
                raise ModelError(f"{path}: {key!r} must be a mapping of name -> value, got "
                                 f"{type(value).__name__} {short(value)}")
            for name in value:
                if not isinstance(name, str):
                    raise ModelError(f"{path}: {key!r} has a key {short(name)} of type "
                                     f"{type(name).__name__}; names must be strings (quote "
                                     "it: YAML reads yes/no/on/off and numbers as such)")
        elif value is None:
            value = ""
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ModelError(f"{path}: {key!r} must be a string, got "
                             f"{type(value).__name__} {short(value)}")
        kwargs[key] = value if key in _MAPPINGS else str(value)
    kwargs.setdefault("params", {})
    return kwargs


def load_model(path, *, template=None) -> Model:
    """Read a model from a YAML (``.yaml``, ``.yml``), TOML (``.toml``) or XPPAUT (``.ode``) file.

    Parameters
    ----------
    path : str or os.PathLike
        The model file; its suffix selects the format. The format is
        documented in :mod:`nmanalysis.io.model_file`.
    template : str, optional
        For a file of PyRates YAML templates (:mod:`nmanalysis.io.pyrates`,
        recognised by its ``base:`` keys): the template to read, e.g. ``"WC"``.

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        If the file is missing or unreadable, is not valid YAML/TOML, is beyond
        the limits (:data:`MAX_FILE_BYTES`, :data:`MAX_DEPTH`, :data:`MAX_NODES`),
        has an unknown or missing top-level key, a value of the wrong type, or an
        invalid model definition; the message (one line) starts with the path.

    See Also
    --------
    save_model, nmanalysis.Model

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nmanalysis as nma
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "decay.yaml"
    >>> _ = path.write_text("name: decay\\nstates: {x: 1.0}\\nparams: {k: 0.5}\\n"
    ...                     "equations: {x: -k*x}\\n")
    >>> m = nma.load_model(path)
    >>> m.state_names, m.params["k"], m.equations["x"]
    (('x',), 0.5, '-k*x')
    """
    path = Path(os.fspath(path))
    if path.suffix.lower() == ".ode":         # XPPAUT: nmanalysis.io.xpp
        from .xpp import read_ode
        return read_ode(path).model
    fmt = _format_of(path)
    data = parse_text(read_text(path), fmt, path)
    check_tree(data, path)
    from .pyrates import load_pyrates, looks_like_pyrates
    if template is not None or looks_like_pyrates(data):
        return load_pyrates(path, template, data=data)
    _check_keys(data, path)
    kwargs = _check_types(data, path)
    try:
        return Model(**kwargs)
    except ModelError as exc:
        raise ModelError(f"{path}: {one_line(exc)}") from None
    except RecursionError:
        raise ModelError(f"{path}: an expression is nested too deeply to be read") from None


def save_model(model: Model, path) -> None:
    """Write a model to a YAML (``.yaml``, ``.yml``) or TOML (``.toml``) file.

    The file holds the model's definition (:meth:`Model.to_dict`) in the
    format of :mod:`nmanalysis.io.model_file`, without empty entries; a state
    or parameter with no metadata is written as a bare number.
    ``load_model(path)`` gives back an equal model.

    Parameters
    ----------
    model : Model
        The model to write.
    path : str or os.PathLike
        Destination; its suffix selects the format. An existing file is
        overwritten.

    Raises
    ------
    OptionsError
        If ``model`` is not a :class:`~nmanalysis.Model` or the suffix is not
        one of ``.yaml``, ``.yml``, ``.toml``.
    OSError
        If the file cannot be written.

    See Also
    --------
    load_model

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fhn.toml"
    >>> nma.save_model(m, path)
    >>> nma.load_model(path) == m
    True
    >>> print(path.read_text().splitlines()[0])
    name = "fitzhugh_nagumo"
    """
    if not isinstance(model, Model):
        raise OptionsError(f"`model` must be an nmanalysis Model; got {type(model).__name__}")
    path = Path(os.fspath(path))
    fmt = _format_of(path, OptionsError)
    data = compact(model.to_dict())
    text = dump_yaml(data) if fmt == "yaml" else dump_toml(data)
    path.write_text(text, encoding="utf-8")
