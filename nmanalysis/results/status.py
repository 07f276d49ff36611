"""Status codes of results, with their words and messages: one vocabulary for all analyses.

A :class:`Flags` set names every code a categorical variable can take, with a
CF ``flag_meanings`` word and a sentence. The codes of a trajectory mean the
same everywhere (simulate, Lyapunov exponents, cycle detection, basin maps):
0 fine, 1 diverged, 2 left the bounds, 3 ran out of steps (or time), 4 step
size underflow; an analysis adds codes above those, never reuses one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Flags", "TRAJECTORY", "OK", "DIVERGED", "OUT_OF_BOUNDS", "MAX_STEPS", "DT_MIN",
           "STATUS_MEANINGS", "status_attrs"]

OK = 0
DIVERGED = 1
OUT_OF_BOUNDS = 2
MAX_STEPS = 3
DT_MIN = 4


@dataclass(frozen=True)
class Flags:
    """The codes of one categorical variable: ``(code, word, message)`` triples.

    Examples
    --------
    >>> TRAJECTORY.word(2), TRAJECTORY.message(1)
    ('left_bounds', 'a state became NaN or infinite')
    >>> TRAJECTORY.summary([0, 0, 1, 2, 1])
    '2 diverged, 1 left bounds'
    """

    long_name: str
    codes: tuple

    def word(self, code) -> str:
        """The ``flag_meanings`` word of ``code``."""
        return self._row(code)[1]

    def message(self, code) -> str:
        """A sentence saying what ``code`` means."""
        return self._row(code)[2]

    def _row(self, code):
        for row in self.codes:
            if row[0] == int(code):
                return row
        valid = [row[0] for row in self.codes]
        raise KeyError(f"no status code {code!r} in {self.long_name!r}; codes are {valid}")

    @property
    def meanings(self) -> dict:
        """code -> word."""
        return {c: w for c, w, _ in self.codes}

    def attrs(self, description: str = "") -> dict:
        """CF attributes of the variable (``flag_values``, ``flag_meanings``, messages)."""
        text = "; ".join(f"{c} {m}" for c, _, m in self.codes)
        return {"long_name": self.long_name, "units": "1",
                "flag_values": [int(c) for c, _, _ in self.codes],
                "flag_meanings": " ".join(w for _, w, _ in self.codes),
                "description": f"{text}.{(' ' + description) if description else ''}"}

    def summary(self, values, skip=(0,)) -> str:
        """Counts of the codes in ``values`` other than ``skip``, e.g. ``'2 diverged'``."""
        values = np.asarray(values).ravel()
        parts = []
        for c, w, _ in self.codes:
            if c in skip:
                continue
            k = int(np.sum(values == c))
            if k:
                parts.append(f"{k} {w.replace('_', ' ')}")
        return ", ".join(parts) or "none"


#: a trajectory's outcome: simulate, Lyapunov exponents, cycle detection
TRAJECTORY = Flags("integration status", (
    (OK, "ok", "the integration reached the end"),
    (DIVERGED, "diverged", "a state became NaN or infinite"),
    (OUT_OF_BOUNDS, "left_bounds", "a state left the bounds given"),
    (MAX_STEPS, "max_steps_reached", "the method hit its step limit before the end"),
    (DT_MIN, "step_size_underflow", "the adaptive step size fell below its floor"),
))

#: code -> meaning (words joined by '_' as CF flag_meanings require)
STATUS_MEANINGS = TRAJECTORY.meanings


def status_attrs() -> dict:
    """CF-style attributes for a trajectory ``status`` variable."""
    return TRAJECTORY.attrs("Values after a failure are NaN.")
