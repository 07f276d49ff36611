"""Names shared by every result Dataset (one place, used by analyses and plots)."""

from __future__ import annotations

__all__ = ["DIMS", "TIME", "STATUS", "initial_state_dim", "input_field_dim", "REDUCTIONS"]

TIME = "time"
STATUS = "status"
#: dimension names with a fixed meaning
DIMS = {
    "time": "simulation time",
    "point": "index along a continuation branch",
    "fp": "index of an equilibrium at one sweep point",
    "eig": "index of an eigenvalue",
    "attractor": "index in an attractor catalogue",
    "floquet": "index of a Floquet multiplier",
    "special": "index of a special point",
}
#: reductions simulate(record=...) can keep, and the suffix of their variables
REDUCTIONS = {"min": "_min", "max": "_max", "mean": "_mean"}


def initial_state_dim(state: str) -> str:
    """Sweep dimension for an initial value of ``state`` (``E`` -> ``E_0``)."""
    return f"{state}_0"


def input_field_dim(input_name: str, field: str) -> str:
    """Sweep dimension for a field of an input signal (``u``, ``amplitude`` -> ``u_amplitude``)."""
    return input_name if field == "value" else f"{input_name}_{field}"
