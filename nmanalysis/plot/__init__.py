"""Figures from result Datasets (matplotlib is imported here and nowhere else).

Every function takes a Dataset and an optional ``ax`` and returns the artists.
"""

from .basins import basins
from .bifurcation import bifurcation, orbit, period
from .codim2 import two_parameter
from .equilibria import equilibria
from .network import connectivity_matrices, fc_matrix, fc_vs_sc, node_timeseries
from .phase_plane import phase_portrait
from .regimes import regime_map, save_regime_map
from .sweeps import brute_force
from .timeseries import sweep_envelope, timeseries

__all__ = ["bifurcation", "period", "orbit", "phase_portrait", "equilibria", "timeseries",
           "sweep_envelope", "brute_force", "regime_map", "save_regime_map", "basins",
           "two_parameter", "fc_matrix", "connectivity_matrices", "node_timeseries", "fc_vs_sc"]
