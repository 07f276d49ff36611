"""Basins of attraction: ``basin_map`` on a grid or a sample of initial states,
``basin_fractions`` by random sampling.

Method (proximity and recurrence mappers, as in Datseris & Wagemakers, Chaos
32:023104, 2022, with early stopping per trajectory):

1. The equilibria in a box around the grid and their stability come from
   :func:`~nmanalysis.analysis.equilibria.fixed_points`; the stable ones are
   the first attractors of the catalogue.
2. All initial states are integrated with a fixed-step Runge-Kutta method in
   SIMD blocks (kernel template ``kernels_template.py`` beside this package),
   in threads over chunks of rows. A trajectory stops as soon as it has stayed
   within ``tol`` of a stable equilibrium, in the scaled max-norm
   ``max_i |y_i - y*_i| / s_i``, for the dwell time.
3. Trajectories still running after ``t_max`` are followed further: if every
   state moves by less than ``tol`` (scaled) the end point is polished by
   Newton's method and labelled only if it is a *stable* equilibrium (new ones
   join the catalogue); otherwise upward crossings of a hyperplane through the
   middle of the widest state's range are recorded and a cycle is confirmed when
   a crossing point returns within ``tol`` of an earlier one with the same
   period twice in a row. Cycles of different trajectories are one attractor
   when their periods and canonical Poincare points agree.
4. Everything else (slow passages near saddles, chaos, too little time) is
   ``-1``: a trajectory is never labelled by a saddle or an unstable point.

Modules: :mod:`.inputs` (arguments checked, search box and state scales),
:mod:`.catalogue` (equilibria found, merged and polished; cycles clustered),
:mod:`.run` (the kernels run and :func:`basin_map`), :mod:`.datasets` (the map
and the catalogue as Datasets), :mod:`.fractions` (:func:`basin_fractions`).
"""

from .datasets import STATUS_MEANINGS
from .fractions import basin_fractions
from .run import basin_map

__all__ = ["basin_map", "basin_fractions", "STATUS_MEANINGS"]
