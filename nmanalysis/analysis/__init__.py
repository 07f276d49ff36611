"""Layer 4: questions asked of a model (equilibria, stability, ...)."""

from .equilibria import fixed_points
from .phase_plane import phase_plane
from .responses import response_metrics
from .stability import KINDS, classify, stability

__all__ = ["fixed_points", "phase_plane", "stability", "classify", "KINDS", "response_metrics"]
