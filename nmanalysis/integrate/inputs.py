"""Time-dependent inputs: constants, steps, pulses, ramps and sampled signals.

Every input is reduced to the same form: knot times ``T`` (ascending, repeats
allowed) and values ``V``; between knots the value is interpolated linearly,
at a repeated knot it jumps (right-continuous: the value *at* a step time is
the value after the step), and outside the knots it is held. Value fields
(``amplitude``, ``base``, ``value``, ...) may be arrays, which makes them
sweep dimensions named ``<input>_<field>`` (``<input>`` for a constant);
times are shared by the whole batch.

Examples
--------
>>> import numpy as np
>>> from nmanalysis.integrate.inputs import Pulse
>>> T, V = Pulse(amplitude=1.0, start=25.0, stop=100.0).knots({})
>>> T.tolist(), V.tolist()
([25.0, 25.0, 100.0, 100.0], [0.0, 1.0, 1.0, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..errors import OptionsError

__all__ = ["InputSignal", "Constant", "Step", "Pulse", "Ramp", "Sampled", "as_signal",
           "evaluate"]


class InputSignal:
    """Base class. Subclasses list their value fields in ``value_fields``.

    To add a signal: make a frozen dataclass subclass, list the fields that may
    be swept in ``value_fields`` and implement ``knots(values)`` returning
    ``(T, V)`` with ``V`` of shape (k,) + batch shape, given a dict of (broadcast)
    value-field arrays.
    """

    value_fields: tuple[str, ...] = ()

    def field_values(self) -> dict:
        return {f: getattr(self, f) for f in self.value_fields}

    def knots(self, values: dict):  # pragma: no cover - interface
        raise NotImplementedError

    def _value(self, values, name):
        return np.asarray(values.get(name, getattr(self, name)), dtype=float)

    def _check_time(self, *names):
        for name in names:
            v = getattr(self, name)
            if np.ndim(v) != 0 or not np.isfinite(v):
                raise OptionsError(f"{type(self).__name__}.{name} must be one finite number "
                                   f"(times cannot be swept); got {v!r}")


@dataclass(frozen=True)
class Constant(InputSignal):
    """A constant input ``value`` (an array sweeps it)."""

    value: object = 0.0
    value_fields = ("value",)

    def knots(self, values):
        return np.zeros(1), self._value(values, "value")[None]


@dataclass(frozen=True)
class Step(InputSignal):
    """``base`` before ``start``, ``base + amplitude`` from ``start`` on."""

    amplitude: object = 1.0
    start: float = 0.0
    base: object = 0.0
    value_fields = ("amplitude", "base")

    def knots(self, values):
        self._check_time("start")
        a, b = self._value(values, "amplitude"), self._value(values, "base")
        a, b = np.broadcast_arrays(a, b)
        return np.array([self.start, self.start], float), np.stack([b, b + a])


@dataclass(frozen=True)
class Pulse(InputSignal):
    """``base + amplitude`` for ``start <= t < stop``, ``base`` elsewhere."""

    amplitude: object = 1.0
    start: float = 0.0
    stop: float = 1.0
    base: object = 0.0
    value_fields = ("amplitude", "base")

    def knots(self, values):
        self._check_time("start", "stop")
        if not self.start < self.stop:
            raise OptionsError(f"Pulse needs start < stop; got start={self.start}, "
                               f"stop={self.stop}")
        a, b = np.broadcast_arrays(self._value(values, "amplitude"), self._value(values, "base"))
        T = np.array([self.start, self.start, self.stop, self.stop], float)
        return T, np.stack([b, b + a, b + a, b])


@dataclass(frozen=True)
class Ramp(InputSignal):
    """Linear from ``start_value`` at ``start`` to ``stop_value`` at ``stop``, held outside."""

    start: float = 0.0
    stop: float = 1.0
    start_value: object = 0.0
    stop_value: object = 1.0
    value_fields = ("start_value", "stop_value")

    def knots(self, values):
        self._check_time("start", "stop")
        if not self.start < self.stop:
            raise OptionsError(f"Ramp needs start < stop; got start={self.start}, "
                               f"stop={self.stop}")
        v0, v1 = np.broadcast_arrays(self._value(values, "start_value"),
                                     self._value(values, "stop_value"))
        return np.array([self.start, self.stop], float), np.stack([v0, v1])


@dataclass(frozen=True)
class Sampled(InputSignal):
    """A sampled signal: ``values`` at ascending ``times``.

    ``interpolation="linear"`` joins the samples; ``"hold"`` keeps each value
    until the next sample (zero-order hold). ``scale`` multiplies the signal
    and may be swept.
    """

    times: object = None
    values: object = None
    interpolation: str = "linear"
    scale: object = 1.0
    value_fields = ("scale",)

    def knots(self, values):
        T = np.asarray(self.times, float)
        V = np.asarray(self.values, float)
        if T.ndim != 1 or V.shape != T.shape or T.size == 0:
            raise OptionsError("Sampled needs 1-D `times` and `values` of the same length; "
                               f"got shapes {T.shape} and {V.shape}")
        if not np.all(np.isfinite(T)) or np.any(np.diff(T) <= 0):
            raise OptionsError("Sampled `times` must be finite and strictly increasing")
        if self.interpolation not in ("linear", "hold"):
            raise OptionsError("Sampled `interpolation` must be 'linear' or 'hold'; "
                               f"got {self.interpolation!r}")
        if self.interpolation == "hold":
            T = np.concatenate([T[:1], np.repeat(T[1:], 2)])
            V = np.repeat(V, 2)[:-1]
        scale = self._value(values, "scale")
        return T, V.reshape((-1,) + (1,) * scale.ndim) * scale[None]


def as_signal(name: str, spec) -> InputSignal:
    """Turn a user's input value (number, array, signal, mapping) into a signal."""
    if isinstance(spec, InputSignal):
        return spec
    if isinstance(spec, dict):
        kinds = {"constant": Constant, "step": Step, "pulse": Pulse, "ramp": Ramp,
                 "sampled": Sampled}
        kind = spec.get("kind")
        if kind not in kinds:
            raise OptionsError(f"input {name!r}: a mapping needs 'kind', one of {list(kinds)}; "
                               f"got {kind!r}")
        args = {k: v for k, v in spec.items() if k != "kind"}
        allowed = {f.name for f in fields(kinds[kind])}
        bad = set(args) - allowed
        if bad:
            raise OptionsError(f"input {name!r}: unknown fields {sorted(bad)} for {kind}; "
                               f"allowed are {sorted(allowed)}")
        return kinds[kind](**args)
    try:
        arr = np.asarray(spec, dtype=float)
    except (TypeError, ValueError):
        raise OptionsError(f"input {name!r}: expected a number, an array of numbers or an "
                           f"input signal (Step, Pulse, Ramp, Sampled); got {spec!r}") from None
    return Constant(value=spec if arr.ndim else float(arr))


def evaluate(T: np.ndarray, V: np.ndarray, t) -> np.ndarray:
    """Value of knots ``(T, V)`` at times ``t`` (same rule as the compiled drivers)."""
    t = np.asarray(t, float)
    j = np.searchsorted(T, t, side="right") - 1
    K = T.shape[0]
    jj = np.clip(j, 0, K - 1)
    inner = (j >= 0) & (j < K - 1)
    j1 = np.clip(jj + 1, 0, K - 1)
    w = np.where(inner, (t - T[jj]) / np.where(inner, T[j1] - T[jj], 1.0), 0.0)
    return V[jj] + w * (V[j1] - V[jj])
