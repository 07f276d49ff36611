"""Size a request before allocating it.

Every analysis that allocates arrays whose size the user controls (the number
of sweep rows times recorded samples, say) asks :func:`check_memory` first, so
a request this machine cannot hold gives a :class:`~nmanalysis.ResourceError`
naming the size and the ways to ask for less, instead of a ``MemoryError``
half-way through (or the machine swapping for minutes).

The limit is 75 % of the physical memory; the environment variable
``NMANALYSIS_MAX_MEMORY`` (in GB, e.g. ``NMANALYSIS_MAX_MEMORY=64``) sets
another one.
"""

from __future__ import annotations

import math
import os

from ..errors import OptionsError, ResourceError

__all__ = ["memory_limit", "check_memory", "check_count", "whole_steps", "MAX_STEPS"]

_FRACTION = 0.75
_FALLBACK = 8 * 1024 ** 3   # when the physical memory cannot be read
MAX_STEPS = 10 ** 15        # time steps per trajectory (float64 counts stop being exact near 1e16)


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return _FALLBACK


def memory_limit() -> int:
    """The largest allocation (bytes) one request may make."""
    raw = os.environ.get("NMANALYSIS_MAX_MEMORY", "").strip()
    if raw:
        try:
            gb = float(raw)
        except ValueError:
            gb = float("nan")
        if not (math.isfinite(gb) and gb > 0):
            raise OptionsError(f"NMANALYSIS_MAX_MEMORY must be a positive number of GB; "
                               f"got {raw!r}")
        return int(gb * 1e9)
    return int(_FRACTION * _physical_memory())


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:.3g} GB"


def check_memory(nbytes: float, what: str, ways_out: str) -> None:
    """Raise :class:`ResourceError` when ``nbytes`` exceeds :func:`memory_limit`.

    Parameters
    ----------
    nbytes : float
        Estimated size of the allocations the request makes (may exceed int64).
    what : str
        The request, e.g. ``"simulate(record='full') of 1000 rows x 1e6 samples"``.
    ways_out : str
        How to ask for less, e.g. ``"use record='minmax'"``.

    Examples
    --------
    >>> check_memory(1e3, "a tiny request", "none needed")
    >>> check_memory(1e30, "a huge request", "ask for less")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nmanalysis.errors.ResourceError: a huge request would need 1e+21 GB ...
    """
    limit = memory_limit()
    if nbytes > limit:
        source = ("NMANALYSIS_MAX_MEMORY" if os.environ.get("NMANALYSIS_MAX_MEMORY", "").strip()
                  else "75% of this machine's memory; set NMANALYSIS_MAX_MEMORY=<GB> to change")
        raise ResourceError(f"{what} would need {_gb(nbytes)} of memory, more than the "
                            f"{_gb(limit)} allowed ({source}); {ways_out}")


def check_count(count: float, limit: float, what: str, ways_out: str) -> None:
    """Raise :class:`ResourceError` when a count (of steps, rows, ...) exceeds ``limit``."""
    if not count <= limit:
        raise ResourceError(f"{what} is {count:.3g}, more than the {limit:.3g} allowed; "
                            f"{ways_out}")


def whole_steps(value: float, dt: float, what: str) -> int:
    """``value / dt`` as a whole number of steps, at most :data:`MAX_STEPS`.

    Raises ResourceError for too many steps and OptionsError (naming ``what``
    and a ``dt`` that would do) when ``value`` is not a whole multiple of ``dt``.
    """
    n = value / dt
    check_count(n, MAX_STEPS, f"{what} / dt", "use a larger dt or a shorter time span")
    k = int(round(n))
    if abs(n - k) > 1e-6 * max(1.0, abs(n)):
        raise OptionsError(f"{what} ({value}) must be a whole multiple of dt ({dt}); e.g. "
                           f"dt={value / max(k, 1)!r}")
    return k
