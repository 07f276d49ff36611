"""Named quantities of a model: states, parameters, inputs, observables.

Each is a small frozen dataclass built from what a user writes in a model
definition: either a bare number (the default value) or a mapping with
``value`` and optional ``bounds``, ``range``, ``units``, ``description``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..errors import ModelError

__all__ = ["State", "Parameter", "Input", "Observable", "make_spec"]

_SPEC_KEYS = {"value", "bounds", "range", "units", "description"}


def _pair(value, what: str):
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ModelError(f"{what} must be a pair (low, high) of numbers, got {value!r}") from None
    if math.isnan(lo) or math.isnan(hi) or not lo < hi:
        raise ModelError(f"{what} must satisfy low < high, got ({lo}, {hi})")
    return (lo, hi)


@dataclass(frozen=True)
class _Quantity:
    name: str
    value: float
    units: str = ""
    description: str = ""
    bounds: tuple[float, float] | None = None
    range: tuple[float, float] | None = None

    kind = "quantity"

    def __post_init__(self):
        try:
            value = float(self.value)
        except (TypeError, ValueError):
            raise ModelError(f"{self.kind} {self.name!r}: default value must be a number, "
                             f"got {self.value!r}") from None
        if not math.isfinite(value):
            raise ModelError(f"{self.kind} {self.name!r}: default value must be finite, "
                             f"got {value!r}")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "bounds", _pair(self.bounds, f"{self.kind} {self.name!r} bounds"))
        object.__setattr__(self, "range", _pair(self.range, f"{self.kind} {self.name!r} range"))
        object.__setattr__(self, "units", str(self.units or ""))
        object.__setattr__(self, "description", str(self.description or ""))

    def with_value(self, value):
        """Return a copy with a new default value."""
        return replace(self, value=value)

    def to_dict(self) -> dict:
        """Plain-data form (as written in a model file)."""
        out = {"value": self.value}
        for key in ("units", "description"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key in ("bounds", "range"):
            if getattr(self, key) is not None:
                out[key] = list(getattr(self, key))
        return out


@dataclass(frozen=True)
class State(_Quantity):
    """A state variable: default initial value, optional search box ``bounds``."""

    kind = "state"


@dataclass(frozen=True)
class Parameter(_Quantity):
    """A parameter: default value, optional hard ``bounds`` and a typical ``range``."""

    kind = "parameter"


@dataclass(frozen=True)
class Input(_Quantity):
    """A time-dependent input: its value at run time is supplied by ``simulate``."""

    kind = "input"


@dataclass(frozen=True)
class Observable:
    """A derived quantity: an expression in states, parameters, inputs and ``t``."""

    name: str
    expression: str
    units: str = ""
    description: str = ""

    def to_dict(self) -> dict:
        out = {"expression": self.expression}
        for key in ("units", "description"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def make_spec(cls, name: str, spec):
    """Build a State / Parameter / Input from a number or a mapping."""
    if isinstance(spec, cls):
        return spec if spec.name == name else replace(spec, name=name)
    if isinstance(spec, Mapping):
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise ModelError(f"{cls.kind} {name!r}: unknown keys {sorted(unknown)}; "
                             f"allowed are {sorted(_SPEC_KEYS)}")
        if "value" not in spec:
            raise ModelError(f"{cls.kind} {name!r}: missing 'value'")
        return cls(name=name, **dict(spec))
    if isinstance(spec, bool):
        raise ModelError(f"{cls.kind} {name!r}: default value must be a number, got {spec!r}")
    return cls(name=name, value=spec)
