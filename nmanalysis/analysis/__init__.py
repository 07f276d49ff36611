"""Layer 4: questions asked of a model (equilibria, stability, ...)."""

from .equilibria import fixed_points
from .stability import KINDS, classify, stability

__all__ = ["fixed_points", "stability", "classify", "KINDS"]
