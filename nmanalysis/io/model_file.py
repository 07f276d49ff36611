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
import math
import os
import re
import reprlib
import sys
from collections.abc import Mapping
from pathlib import Path

from ..errors import ModelError, OptionsError
from ..model import Model

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

#: largest model file read, in bytes
MAX_FILE_BYTES = 10 * 1024 * 1024
#: deepest nesting of lists and mappings accepted (a model file needs about 4)
MAX_DEPTH = 50
#: most values (scalars, lists, mappings) accepted, YAML aliases counted expanded
MAX_NODES = 100_000
#: longest error message built from a file's content
_MAX_MESSAGE = 1000
#: integers with more bits than this cannot be converted to a float
_FLOAT_BITS = 1024


class _ShortRepr(reprlib.Repr):
    """``reprlib`` with bounded output for every type, huge integers and bytes included."""

    def __init__(self, width):
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = width
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 6

    def repr_int(self, x, level):
        if x.bit_length() > 128:   # repr() of a huge integer is slow or refused
            return f"<integer of about {int(x.bit_length() * math.log10(2)) + 1} digits>"
        return super().repr_int(x, level)

    def repr_bytes(self, x, level):
        return repr(x[:self.maxstring]) + ("..." if len(x) > self.maxstring else "")

    def repr_instance(self, x, level):
        try:
            return super().repr_instance(x, level)
        except Exception:
            return f"<{type(x).__name__}>"


def _short(value, width: int = 60) -> str:
    """A repr of a value read from a file, at most about ``width`` characters long."""
    text = _ShortRepr(width).repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _value_problem(exc: Exception) -> str:
    """What Python's converters said about a value, in the file's terms."""
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return (f"an integer may have at most {sys.get_int_max_str_digits()} digits (and "
                "must fit in a float)")
    return _one_line(exc, 200)


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


# -- reading ------------------------------------------------------------------------------
def _format_of(path: Path, error=ModelError) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise error(f"{path}: unknown model file type {path.suffix or '(no suffix)'!r}; "
                    f"use one of {sorted(FORMATS)}")
    return fmt


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
            size = max(size, len(data))
    except FileNotFoundError:
        raise ModelError(f"{path}: model file not found") from None
    except IsADirectoryError:
        raise ModelError(f"{path}: is a directory, not a model file") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ModelError(f"{path}: model file is {size} bytes, larger than the limit of "
                         f"{MAX_FILE_BYTES} bytes ({MAX_FILE_BYTES / 2**20:g} MB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _yaml_loader():
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.composer import ComposerError
    from yaml.events import AliasEvent

    class StrictSafeLoader(yaml.SafeLoader):
        """The safe loader with limits.

        Refuses duplicate keys (instead of keeping the last one), more than
        ``MAX_NODES`` nodes with aliases counted at their expanded size, nesting
        deeper than ``MAX_DEPTH``, aliases to a node that contains them, and
        turns errors of Python's converters (a 5000-digit integer, a date such
        as 2020-13-45) into YAML errors with a line and column.
        """

        def __init__(self, stream):
            super().__init__(stream)
            self._nodes = 0          # nodes composed so far, aliases expanded
            self._depth = 0
            self._weights = {}       # anchor -> expanded size of the anchored node

        def _count(self, n, mark):
            self._nodes += n
            if self._nodes > MAX_NODES:
                raise ComposerError(None, None, f"more than {MAX_NODES} values (aliases "
                                    "counted expanded); a model file needs far fewer",
                                    mark)

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, AliasEvent):
                anchor = event.anchor
                if anchor in self.anchors and anchor not in self._weights:
                    raise ComposerError(None, None, f"alias {_short(anchor)} refers to a "
                                        "node that contains it", event.start_mark)
                self._count(self._weights.get(anchor, 0), event.start_mark)
                return super().compose_node(parent, index)
            if self._depth >= MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                    event.start_mark)
            start = self._nodes
            self._count(1, event.start_mark)
            self._depth += 1
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            if event.anchor is not None:
                self._weights[event.anchor] = self._nodes - start
            return node

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, OverflowError, TypeError) as exc:
                raise ConstructorError(None, None, f"cannot read the value "
                                       f"{_short(node.value)}: {_value_problem(exc)}",
                                       node.start_mark) from None

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue         # "<<: *base" merges; its keys may be overridden
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:    # unhashable: the base class reports it
                    break
                if duplicate:
                    raise ConstructorError(None, None, f"duplicate key {_short(key)}",
                                           key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictSafeLoader


def _one_line_yaml_error(exc) -> str:
    problem = getattr(exc, "problem", None)
    if problem is None:
        return _one_line(exc)
    context = getattr(exc, "context", None)
    text = f"{context}: {problem}" if context else problem
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        text = f"{_one_line(text, 400)} (line {mark.line + 1}, column {mark.column + 1})"
    return _one_line(text)


def _parse(text: str, fmt: str, path: Path):
    language = fmt.upper()
    try:
        if fmt == "toml":
            import tomllib
            try:
                return tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ModelError(f"{path}: invalid TOML: {_one_line(exc)}") from None
            except (ValueError, OverflowError) as exc:   # e.g. a 5000-digit integer
                raise ModelError(f"{path}: invalid TOML: a value cannot be read: "
                                 f"{_value_problem(exc)}") from None
        import yaml
        try:
            # a SafeLoader subclass: builds only plain data, never Python objects
            return yaml.load(text, Loader=_yaml_loader())  # noqa: S506
        except yaml.YAMLError as exc:
            raise ModelError(f"{path}: invalid YAML: {_one_line_yaml_error(exc)}") from None
    except RecursionError:
        raise ModelError(f"{path}: invalid {language}: lists or mappings are nested too "
                         f"deeply (at most {MAX_DEPTH} levels)") from None


def _where(trail) -> str:
    """``states.x.bounds[0]`` from a trail of mapping keys and ``(index,)`` list steps."""
    parts = []
    for step in trail:
        if isinstance(step, tuple):
            parts.append(f"[{step[0]}]")
        else:
            text = step if isinstance(step, str) and step.isprintable() else _short(step, 30)
            text = text if len(text) <= 30 else text[:27] + "..."
            parts.append(("." if parts else "") + text)
    return "".join(parts) or "the top level"


def _check_tree(data, path: Path) -> None:
    """Depth, size and number checks over the whole file, without recursion."""
    stack = [(data, ())]
    count = 0
    while stack:
        value, trail = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ModelError(f"{path}: more than {MAX_NODES} values; a model file needs "
                             "far fewer")
        if len(trail) > MAX_DEPTH:
            raise ModelError(f"{path}: {_where(trail[:3])}...: lists or mappings are nested "
                             f"deeper than {MAX_DEPTH} levels")
        if isinstance(value, int) and not isinstance(value, bool) \
                and value.bit_length() > _FLOAT_BITS:
            raise ModelError(f"{path}: {_where(trail)}: {_short(value)} is too large for a "
                             "number (at most about 1.8e308)")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, int) and not isinstance(key, bool) \
                        and key.bit_length() > _FLOAT_BITS:
                    raise ModelError(f"{path}: {_where(trail)}: key {_short(key)} is too "
                                     "large")
                stack.append((item, (*trail, key)))
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((item, (*trail, (i,))) for i, item in enumerate(value))


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
            raise ModelError(f"{path}: unknown top-level key {_short(key)}{hint}; valid keys "
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
                                 f"{type(value).__name__} {_short(value)}")
            for name in value:
                if not isinstance(name, str):
                    raise ModelError(f"{path}: {key!r} has a key {_short(name)} of type "
                                     f"{type(name).__name__}; names must be strings (quote "
                                     "it: YAML reads yes/no/on/off and numbers as such)")
        elif value is None:
            value = ""
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ModelError(f"{path}: {key!r} must be a string, got "
                             f"{type(value).__name__} {_short(value)}")
        kwargs[key] = value if key in _MAPPINGS else str(value)
    kwargs.setdefault("params", {})
    return kwargs


def load_model(path) -> Model:
    """Read a model from a YAML (``.yaml``, ``.yml``) or TOML (``.toml``) file.

    Parameters
    ----------
    path : str or os.PathLike
        The model file; its suffix selects the format. The format is
        documented in :mod:`nmanalysis.io.model_file`.

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
    fmt = _format_of(path)
    data = _parse(_read_text(path), fmt, path)
    _check_tree(data, path)
    _check_keys(data, path)
    kwargs = _check_types(data, path)
    try:
        return Model(**kwargs)
    except ModelError as exc:
        raise ModelError(f"{path}: {_one_line(exc)}") from None
    except RecursionError:
        raise ModelError(f"{path}: an expression is nested too deeply to be read") from None


# -- writing ------------------------------------------------------------------------------
class _Flow(dict):
    """A mapping written on one line (YAML flow style / TOML inline table)."""


def _compact_spec(spec: dict, key: str = "value"):
    return spec[key] if set(spec) == {key} else _Flow(spec)


def _compact(d: dict) -> dict:
    """``Model.to_dict()`` without empty entries; bare numbers where only a value is set."""
    out = {"name": d["name"]}
    for key in ("description", "reference", "time_units", "variant"):
        if d.get(key):
            out[key] = d[key]
    for key in ("states", "params", "inputs"):
        if d.get(key) or key == "states":
            out[key] = {k: _compact_spec(v) for k, v in d[key].items()}
    if d.get("functions"):
        out["functions"] = dict(d["functions"])
    out["equations"] = dict(d["equations"])
    if d.get("observables"):
        out["observables"] = {k: _compact_spec(v, "expression")
                              for k, v in d["observables"].items()}
    return out


def _dump_yaml(data: dict) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_mapping(
        "tag:yaml.org,2002:map", value, flow_style=True))
    Dumper.add_representer(list, lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", value, flow_style=True))
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                 "\f": "\\f", "\r": "\\r"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise OptionsError(f"cannot write a value of type {type(value).__name__} to TOML: "
                       f"{value!r:.60}")


def _dump_toml(data: dict) -> str:
    """TOML for the flat model schema: top-level strings, then one table per mapping."""
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items()
             if not isinstance(v, Mapping)]
    for key, table in data.items():
        if isinstance(table, Mapping):
            lines += ["", f"[{_toml_key(key)}]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


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
    data = _compact(model.to_dict())
    text = _dump_yaml(data) if fmt == "yaml" else _dump_toml(data)
    path.write_text(text, encoding="utf-8")
