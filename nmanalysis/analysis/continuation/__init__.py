"""Continuation: equilibria, periodic orbits, and the diagram that joins them.

``continuation(model, param, p_range=...)`` is the one-call form (module
:mod:`.diagram`, above both kinds of branch); ``continue_from(
ContinuationProblem(...), x0, p0, PseudoArclength(), ContinuationOptions(...))``
the object form beneath it for equilibria (:mod:`.run`), and
:mod:`.periodic` holds the periodic orbits (collocation, Floquet multipliers).
Events on either kind of branch are located by :mod:`.events`; result
layouts shared by both are in :mod:`.datasets`.
"""

from .datasets import special_points
from .diagram import continuation
from .problem import ContinuationOptions, ContinuationProblem, PseudoArclength
from .run import continue_from, equilibrium_branches

__all__ = ["continuation", "special_points", "continue_from", "equilibrium_branches",
           "ContinuationProblem", "ContinuationOptions", "PseudoArclength"]
