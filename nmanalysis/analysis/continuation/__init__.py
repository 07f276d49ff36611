"""Continuation of equilibria: problem, algorithm and options kept separate.

``continuation(model, param, p_range=...)`` is the one-call form;
``continue_from(ContinuationProblem(...), x0, p0, PseudoArclength(),
ContinuationOptions(...))`` the object form beneath it.
"""

from .problem import ContinuationOptions, ContinuationProblem, PseudoArclength
from .run import continuation, continue_from, special_points

__all__ = ["continuation", "special_points", "continue_from", "ContinuationProblem",
           "ContinuationOptions", "PseudoArclength"]
