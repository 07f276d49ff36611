"""Periodic orbits: collocation, Floquet multipliers, continuation of cycle branches."""

from .run import cycle_continuation

__all__ = ["cycle_continuation"]
