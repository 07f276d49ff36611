"""Exception and warning classes raised by nmanalysis.

Every user-facing error derives from :class:`NMAError`, so callers (and the
command line) can tell a mistake in the input from a bug.
"""

__all__ = ["NMAError", "ModelError", "CompileError", "SimulationError", "OptionsError",
           "ConvergenceWarning"]


class NMAError(Exception):
    """Base class of every error nmanalysis raises on purpose."""


class ModelError(NMAError, ValueError):
    """A model definition is invalid: unknown name, bad expression, bad default, ..."""


class CompileError(NMAError, RuntimeError):
    """Generated kernels could not be written, imported or compiled."""


class OptionsError(NMAError, ValueError):
    """An option or argument has an invalid value; the message names it and what is valid."""


class SimulationError(NMAError, RuntimeError):
    """A simulation failed as a whole (single trajectories failing are flagged, not raised)."""


class ConvergenceWarning(UserWarning):
    """An iterative method stopped without meeting its tolerance."""
