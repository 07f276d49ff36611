"""Exception and warning classes raised by nmanalysis.

Every user-facing error derives from :class:`NMAError`, so callers (and the
command line) can tell a mistake in the input from a bug.
"""

__all__ = ["NMAError", "ModelError", "CompileError", "SimulationError", "OptionsError",
           "ResourceError", "NoStartError", "ConvergenceWarning", "CacheWarning"]


class NMAError(Exception):
    """Base class of every error nmanalysis raises on purpose."""


class ModelError(NMAError, ValueError):
    """A model definition is invalid: unknown name, bad expression, bad default, ..."""


class CompileError(NMAError, RuntimeError):
    """Generated kernels could not be written, imported or compiled."""


class OptionsError(NMAError, ValueError):
    """An option or argument has an invalid value; the message names it and what is valid."""


class ResourceError(OptionsError):
    """A request would need more memory (or steps) than this machine can give.

    Raised before anything is allocated; the message names the size needed and
    the ways to ask for less (a reduced ``record=``, fewer steps, smaller chunks).
    """


class NoStartError(OptionsError):
    """A continuation found no equilibrium to start from at the given parameters."""


class SimulationError(NMAError, RuntimeError):
    """A simulation failed as a whole (single trajectories failing are flagged, not raised)."""


class ConvergenceWarning(UserWarning):
    """An iterative method stopped without meeting its tolerance."""


class CacheWarning(UserWarning):
    """The kernel cache could not be used as configured (for instance it is not
    writable) and a fallback location was used instead."""
