"""``regime_map``: what the attractors are, over a grid of two (or more) parameters.

At every grid point a few initial states are integrated; each trajectory is
classified by :func:`nmanalysis.analysis.cycles.find_cycles`' machinery
(equilibrium / cycle / undecided), equilibria are grouped by position and
cycles by period and amplitude, and the point gets one regime code from the
attractors found. Large grids are split along their dims and can run through
dask. :func:`bifurcation_curves` locates the boundaries exactly by continuation.

Modules: :mod:`.attractors` (initial states, the attractors of a grid point
grouped, regime codes), :mod:`.map` (:func:`regime_map`), :mod:`.curves`
(:func:`bifurcation_curves`).
"""

from .attractors import REGIMES
from .curves import bifurcation_curves
from .map import DEFAULT_SPAN, default_span, regime_map

__all__ = ["regime_map", "REGIMES", "bifurcation_curves", "default_span"]
