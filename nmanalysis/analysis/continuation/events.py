"""Locating events on a branch: the zero of a test function along one step.

Both the equilibrium and the periodic-orbit continuation bracket a sign
change of a test function between a point (step 0) and the next (step
``hi``), then search the step length ``s`` for the zero by the Illinois
variant of regula falsi: superlinear, and safe because the bracket is kept.
"""

from __future__ import annotations

import numpy as np

__all__ = ["illinois"]


def illinois(evaluate, hi, f_lo, f_hi, first, *, tol, max_iter, is_zero=None,
             stop_on_nonfinite=False):
    """Zero of a test function along a step, by Illinois regula falsi.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(s) -> (s_used, value, payload)`` for a step of length ``s``
        (``s_used`` may differ slightly, e.g. to step beside a singular point),
        or ``None`` when the step fails.
    hi : float
        The step length at the far end of the bracket (the near end is 0).
    f_lo, f_hi : float
        Test function at 0 and at ``hi`` (of opposite signs).
    first : object
        Payload at ``hi`` (returned if no iteration improves on it).
    tol : float
        Stop when the bracket is at most this wide.
    max_iter : int
    is_zero : callable, optional
        ``is_zero(value)`` ends the search at once (default ``value == 0``).
    stop_on_nonfinite : bool
        Stop when a bracket value is not finite.

    Returns
    -------
    payload, width, how
        The last point evaluated, the final bracket width and why the search
        ended: ``"converged"``, ``"zero"``, ``"failed"`` (a step failed),
        ``"nonfinite"`` or ``"max_iter"``.

    Examples
    --------
    >>> best, width, how = illinois(lambda s: (s, s * s - 2.0, s), 2.0, -2.0, 2.0, 2.0,
    ...                             tol=1e-12, max_iter=100)
    >>> round(best, 12), how
    (1.414213562373, 'converged')
    """
    zero = (lambda v: v == 0) if is_zero is None else is_zero
    lo, best, side = 0.0, first, 0
    how = "max_iter"
    for _ in range(max_iter):
        if abs(hi - lo) <= tol:
            how = "converged"
            break
        if stop_on_nonfinite and not (np.isfinite(f_lo) and np.isfinite(f_hi)):
            how = "nonfinite"
            break
        s = hi - f_hi * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else 0.5 * (lo + hi)
        if not (min(lo, hi) < s < max(lo, hi)):
            s = 0.5 * (lo + hi)
        out = evaluate(s)
        if out is None:
            how = "failed"
            break
        s, f_s, best = out
        if zero(f_s):
            lo = hi = s
            how = "zero"
            break
        if np.sign(f_s) == np.sign(f_hi):
            hi, f_hi = s, f_s
            if side == -1:
                f_lo *= 0.5
            side = -1
        else:
            lo, f_lo = s, f_s
            if side == 1:
                f_hi *= 0.5
            side = 1
    return best, abs(hi - lo), how
