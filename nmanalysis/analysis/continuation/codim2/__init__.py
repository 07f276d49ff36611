"""Two-parameter continuation: curves of folds and Hopf points and their codim-2 points.

``codim2_continuation(model, ("p1", "p2"), ranges=...)`` (:mod:`.run`) starts
a curve from every fold (LP) and Hopf point (HB) of a one-parameter diagram,
continues it on a minimally augmented defining system (:mod:`.systems`) with
the shared engine (:mod:`..engine`, branch problem in :mod:`.curve`), locates
cusp, Bogdanov-Takens, generalised Hopf, zero-Hopf and Hopf-Hopf points
(:mod:`.locate`) and computes their normal forms (:mod:`.normal_forms`) from
the exact derivatives of :class:`.problem.TwoParameterProblem`.

Curves of bifurcations of cycles (folds of cycles LPC, period doublings PD,
tori NS) start from the special points of a one-parameter cycle diagram or,
for LPC, from GH points (:mod:`.cycle_run`, :mod:`.cycles`); their defining
systems are the periodic collocation problem plus bordered conditions
(:mod:`.cycle_systems`).
"""

from .problem import TwoParameterProblem
from .run import codim2_continuation

__all__ = ["codim2_continuation", "TwoParameterProblem"]
