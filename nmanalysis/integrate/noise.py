"""Additive noise specifications (white or Ornstein-Uhlenbeck per state)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import OptionsError

__all__ = ["NoiseSpec", "parse_noise", "NOISE_METHODS"]

#: methods that accept noise (Euler-Maruyama, stochastic Heun, exponential Euler)
NOISE_METHODS = ("euler", "heun", "exp_euler")


@dataclass
class NoiseSpec:
    """Arrays the drivers read: kind 0 none / 1 white / 2 OU, sigma and tau per state."""

    kind: int
    sigma: np.ndarray
    tau: np.ndarray
    states: tuple

    def describe(self) -> dict:
        if not self.kind:
            return {}
        out = {}
        for i, s in enumerate(self.states):
            if self.sigma[i] != 0:
                out[s] = ({"sigma": float(self.sigma[i])} if self.kind == 1 else
                          {"sigma": float(self.sigma[i]), "tau": float(self.tau[i])})
        return {"kind": "white" if self.kind == 1 else "ornstein_uhlenbeck", "states": out}


def _positive(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise OptionsError(f"{what} must be a number; got {value!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise OptionsError(f"{what} must be finite and >= 0; got {value!r}")
    return v


def parse_noise(noise, states, method) -> NoiseSpec:
    """Validate ``simulate(noise=...)``."""
    n = len(states)
    sigma, tau = np.zeros(n), np.ones(n)
    if not noise:
        return NoiseSpec(0, sigma, tau, tuple(states))
    if not isinstance(noise, Mapping):
        raise OptionsError("`noise` must be a dict state -> sigma or -> {'sigma': s, 'tau': t}")
    if method not in NOISE_METHODS:
        raise OptionsError(f"noise needs `method` in {list(NOISE_METHODS)} "
                           f"(Euler-Maruyama, stochastic Heun, exponential Euler); got {method!r}")
    kinds = set()
    for key, spec in noise.items():
        if key not in states:
            raise OptionsError(f"`noise` got unknown state {key!r}; states are {list(states)}")
        i = states.index(key)
        if isinstance(spec, Mapping):
            extra = set(spec) - {"sigma", "tau"}
            if extra or "sigma" not in spec:
                raise OptionsError(f"`noise[{key!r}]` takes keys 'sigma' and optionally 'tau'; "
                                   f"got {sorted(spec)}")
            sigma[i] = _positive(spec["sigma"], f"noise[{key!r}]['sigma']")
            if "tau" in spec:
                tau[i] = _positive(spec["tau"], f"noise[{key!r}]['tau']")
                if tau[i] == 0:
                    raise OptionsError(f"noise[{key!r}]['tau'] must be > 0")
                kinds.add(2)
            else:
                kinds.add(1)
        else:
            sigma[i] = _positive(spec, f"noise[{key!r}]")
            kinds.add(1)
    if len(kinds) > 1:
        raise OptionsError("`noise` mixes white and Ornstein-Uhlenbeck states; use one kind")
    return NoiseSpec(kinds.pop(), sigma, tau, tuple(states))
