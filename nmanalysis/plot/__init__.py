"""Figures from result Datasets (matplotlib is imported here and nowhere else).

Every function takes a Dataset and an optional ``ax`` and returns the artists.
"""

from .bifurcation import bifurcation
from .equilibria import equilibria
from .phase_plane import phase_portrait
from .timeseries import sweep_envelope, timeseries

__all__ = ["bifurcation", "phase_portrait", "equilibria", "timeseries", "sweep_envelope"]
