"""Status codes of a trajectory, with their fixed meanings."""

from __future__ import annotations

__all__ = ["OK", "DIVERGED", "OUT_OF_BOUNDS", "MAX_STEPS", "DT_MIN", "STATUS_MEANINGS",
           "status_attrs"]

OK = 0
DIVERGED = 1
OUT_OF_BOUNDS = 2
MAX_STEPS = 3
DT_MIN = 4

#: code -> meaning (words joined by '_' as CF flag_meanings require)
STATUS_MEANINGS = {
    OK: "ok",
    DIVERGED: "diverged",
    OUT_OF_BOUNDS: "left_bounds",
    MAX_STEPS: "max_steps_reached",
    DT_MIN: "step_size_underflow",
}


def status_attrs() -> dict:
    """CF-style attributes for a ``status`` variable."""
    codes = sorted(STATUS_MEANINGS)
    return {
        "long_name": "integration status",
        "units": "1",
        "flag_values": [int(c) for c in codes],
        "flag_meanings": " ".join(STATUS_MEANINGS[c] for c in codes),
        "description": ("0 ok; 1 a state became NaN or infinite; 2 a state left the bounds "
                        "given to simulate; 3 the adaptive method hit max_steps; 4 the "
                        "adaptive step size fell below its floor. Values after a failure "
                        "are NaN."),
    }
