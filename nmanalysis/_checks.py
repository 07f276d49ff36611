"""Shared argument checks whose messages name the argument and what is valid."""

from __future__ import annotations

import math
import unicodedata
import numbers
from collections.abc import Mapping

from .errors import OptionsError

__all__ = ["check_names", "check_time_span", "check_real", "check_square_matrix"]


def check_names(given, valid, what: str, others: dict | None = None) -> dict:
    """Validate a dict argument's keys against ``valid``; return a plain dict.

    ``others`` maps another argument's name to its valid keys, to hint where a
    misplaced key belongs (a state passed in ``params``, say).
    """
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise OptionsError(f"`{what}` must be a dict name -> value; got {type(given).__name__}")
    given = {_folded(key, valid): value for key, value in given.items()}
    for key in given:
        if key not in valid:
            hint = ""
            for label, names in (others or {}).items():
                if key in names:
                    hint = f" ({key!r} is in `{label}`: pass it there)"
            raise OptionsError(f"`{what}` got unknown name {key!r}{hint}; valid names are "
                               f"{list(valid)}")
    return given


def _folded(key, valid):
    """``key`` as the model spells it: Python reads names by Unicode NFKC (``µ`` as ``μ``)."""
    if key in valid or not isinstance(key, str):
        return key
    folded = unicodedata.normalize("NFKC", key)
    return folded if folded in valid else key


def check_time_span(t) -> tuple[float, float]:
    """``t`` as ``(t_start, t_end)`` floats, finite with t_start < t_end (else OptionsError)."""
    try:
        t0, t1 = (float(v) for v in t)
    except (TypeError, ValueError):
        raise OptionsError(f"`t` must be a pair (t_start, t_end); got {t!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0):
        raise OptionsError(f"`t` must satisfy t_start < t_end, both finite; got {t!r}")
    return t0, t1


def check_real(value, what, *, positive=False, allow_none=False):
    """``value`` as a finite float (``None`` passes when allowed), else OptionsError.

    Examples
    --------
    >>> check_real(2, "dt", positive=True), check_real(None, "sampling", allow_none=True)
    (2.0, None)
    """
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = math.isfinite(value) and (value > 0 if positive else True)
    if not ok:
        kind = "a positive finite number" if positive else "a finite number"
        raise OptionsError(f"`{what}` must be {kind}; got {value!r}")
    return value


def check_square_matrix(value, label: str, n=None):
    """``value`` as a finite, non-empty square float matrix, or an OptionsError.

    ``label`` names the input in the messages (e.g. ``"`delays`"`` or a file and
    its key); ``n``, when given, is the size the matrix must have (that of the
    weights).

    >>> check_square_matrix([[0, 1], [1, 0]], "`weights`").shape
    (2, 2)
    >>> check_square_matrix([[0, 1]], "`weights`")
    Traceback (most recent call last):
    ...
    nmanalysis.errors.OptionsError: `weights` must be a non-empty square (N, N) matrix; got shape (1, 2)
    """
    import numpy as np
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise OptionsError(f"{label} must be a square matrix of numbers; got "
                           f"{type(value).__name__}") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise OptionsError(f"{label} must be a non-empty square (N, N) matrix; got shape "
                           f"{arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise OptionsError(f"{label} has shape {arr.shape} but the weights are ({n}, {n}); "
                           "they must match")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise OptionsError(f"{label} must be finite; entry {bad} is {arr[bad]}")
    return arr
