"""Writing model files: compact YAML and a small TOML writer (no dependency)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ..errors import OptionsError

__all__ = ["dump_yaml", "dump_toml", "compact"]


class Flow(dict):
    """A mapping written on one line (YAML flow style / TOML inline table)."""


def compact_spec(spec: dict, key: str = "value"):
    return spec[key] if set(spec) == {key} else Flow(spec)


def compact(d: dict) -> dict:
    """``Model.to_dict()`` without empty entries; bare numbers where only a value is set."""
    out = {"name": d["name"]}
    for key in ("description", "reference", "time_units", "variant"):
        if d.get(key):
            out[key] = d[key]
    for key in ("states", "params", "inputs"):
        if d.get(key) or key == "states":
            out[key] = {k: compact_spec(v) for k, v in d[key].items()}
    if d.get("functions"):
        out["functions"] = dict(d["functions"])
    out["equations"] = dict(d["equations"])
    if d.get("observables"):
        out["observables"] = {k: compact_spec(v, "expression")
                              for k, v in d["observables"].items()}
    return out


def dump_yaml(data: dict) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(Flow, lambda dumper, value: dumper.represent_mapping(
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


def dump_toml(data: dict) -> str:
    """TOML for the flat model schema: top-level strings, then one table per mapping."""
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items()
             if not isinstance(v, Mapping)]
    for key, table in data.items():
        if isinstance(table, Mapping):
            lines += ["", f"[{_toml_key(key)}]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
