"""Step-size controllers for adaptive methods (separate from the stepper)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import OptionsError

__all__ = ["PIController"]


@dataclass(frozen=True)
class PIController:
    """Proportional-integral step-size control.

    After an accepted step with scaled error ``err`` (previous ``err_prev``),
    the next step is ``h * safety * err**(-beta1) * err_prev**beta2``, clipped
    to ``[min_factor, max_factor]``. A rejected step shrinks by
    ``max(min_factor, safety * err**(-1/(q+1)))``. ``beta1=None`` means
    ``0.7/(q+1)`` with ``q`` the embedded order, ``beta2=None`` ``0.4/(q+1)``
    (Gustafsson's choice); ``beta2=0`` gives the classical I-controller.
    """

    safety: float = 0.9
    beta1: float | None = None
    beta2: float | None = None
    min_factor: float = 0.2
    max_factor: float = 10.0

    def __post_init__(self):
        if not 0 < self.safety <= 1:
            raise OptionsError(f"PIController(safety=...) must be in (0, 1]; got {self.safety}")
        if not 0 < self.min_factor < 1 < self.max_factor:
            raise OptionsError("PIController needs 0 < min_factor < 1 < max_factor; got "
                               f"min_factor={self.min_factor}, max_factor={self.max_factor}")

    def as_array(self, tableau) -> np.ndarray:
        q1 = tableau.error_order + 1
        b1 = 0.7 / q1 if self.beta1 is None else self.beta1
        b2 = 0.4 / q1 if self.beta2 is None else self.beta2
        return np.array([self.safety, b1, b2, self.min_factor, self.max_factor], dtype=float)
