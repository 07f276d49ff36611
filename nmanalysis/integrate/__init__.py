"""Layer 3: trajectories (one batched ``simulate`` over tableau-driven steppers)."""

from .controller import PIController
from .inputs import Constant, Pulse, Ramp, Sampled, Step
from .simulate import simulate
from .tableaux import METHODS, TABLEAUX, ButcherTableau

__all__ = ["simulate", "ButcherTableau", "TABLEAUX", "METHODS", "PIController", "Constant",
           "Step", "Pulse", "Ramp", "Sampled"]
