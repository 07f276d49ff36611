"""Names shared by every result Dataset (one place, used by analyses and plots)."""

from __future__ import annotations

__all__ = ["DIMS", "TIME", "STATUS", "initial_state_dim", "input_field_dim", "REDUCTIONS",
           "DEFAULT_SPAN", "unit_span", "default_span", "rate_units", "eigenvalue_attrs"]

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


#: default length of an analysis run (regime maps, trajectories drawn over a
#: diagram) by the model's time units: long enough for tens of periods of slow
#: oscillators (FitzHugh-Nagumo's ~40 time units, an alpha rhythm at 0.1 s)
DEFAULT_SPAN = {"s": 4.0, "ms": 2000.0, "1": 1000.0, "": 1000.0}


def unit_span(time_units) -> float | None:
    """The default run length for ``time_units`` (None for units not in the table)."""
    return DEFAULT_SPAN.get(time_units or "")


def default_span(model) -> tuple:
    """Default ``t`` of long analyses: 4 s, 2000 ms, else 1000 time units.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> default_span(nma.get_model("jansen_rit")), default_span(nma.get_model("fitzhugh_nagumo"))
    ((0.0, 4.0), (0.0, 1000.0))
    """
    return (0.0, unit_span(model.time_units) or 1000.0)


def rate_units(model) -> str:
    """Units of a rate (an eigenvalue, a Lyapunov exponent): one over the time units."""
    tu = model.time_units
    return f"1/{tu}" if tu and tu != "1" else "1"


def eigenvalue_attrs(model, part: str) -> dict:
    """Attributes of ``eig_real`` (part "real") or ``eig_imag`` (part "imaginary")."""
    return {"long_name": f"{part} part of Jacobian eigenvalue", "units": rate_units(model)}
