"""The one predictor-corrector engine: trace a branch of any continuation problem.

A *branch problem* knows how to take one predictor-corrector step from a point
and what its test functions are; the engine owns the loop around it, the same
for equilibria (:mod:`.equilibrium`) and periodic orbits
(:mod:`.periodic.engine`), and next for curves of folds and Hopf points:

- a step that fails (corrector diverged, tangent turned too sharply) is retried
  at half the length, down to ``ds_min``;
- each accepted step is checked for the end of the branch (left the box, back
  onto a Hopf point, ...), then for sign changes of the test functions, whose
  zeros are located on the step by :func:`.events.illinois`;
- the step length then adapts to the corrector's effort.

The protocol (methods of a branch problem)::

    step(cur, ds) -> (point or None, newton_iterations)
    smooth(cur, new, ds) -> bool          # accept the step (angle, drift)
    crossing(branch, cur, new, ds) -> None or Stop   # the branch ends inside the step
    events(cur, new) -> [(kind, g)]       # g(point) -> test value, sign change on the step
    confirm(kind, point) -> bool          # the located zero is a true event
    finished(branch, new, ds) -> reason or None  # the branch ends after appending new
    refresh(point) -> point               # e.g. redistribute a mesh
    next_ds(ds, iterations) -> ds
    insert_located: bool                  # located events become branch points too,
    order(cur, new, located) -> points    # in the order they lie on the step
    max_points, ds_min: int, float
    locate_tol, locate_iterations: float, int   # bracket width (times max(1, |ds|)), iterations
    zero_value, located_value: float      # |g| that ends the search / that counts as located
    reasons: {"max_points": ..., "underflow": ...}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .events import illinois

__all__ = ["Branch", "Stop", "trace", "locate"]


@dataclass
class Branch:
    """Points traced from a start, the special points located on the way and why it ended."""

    points: list = field(default_factory=list)
    special: list = field(default_factory=list)   # (type, point, info dict)
    stop_reason: str = ""
    end: dict = field(default_factory=dict)        # details of how the branch ends


@dataclass
class Stop:
    """The branch ends inside the step just taken.

    ``last`` replaces the step's point as the branch's last point (None: the step
    is dropped); ``ds`` is the step length from the current point to ``last``
    (events between them are located first when ``detect``).
    """

    reason: str
    last: object = None
    ds: float = 0.0
    end: dict = field(default_factory=dict)
    detect: bool = True


def locate(problem, cur, ds, g):
    """Zero of the test function ``g`` on the step of length ``ds`` from ``cur``.

    Returns ``(point, {"status", "precision"})`` or ``(None, ...)`` when the step
    to the far end fails. A step that fails inside the bracket (a singular
    corrector exactly at a branch point) is retried just beside it.
    """
    end, _ = problem.step(cur, ds)
    if end is None:
        return None, {"status": "bracketed", "precision": abs(ds)}
    scale = max(1.0, abs(ds))

    def evaluate(s):
        pt, _ = problem.step(cur, s)
        nudge = 1e-10 * scale
        while pt is None and nudge < 1e-6 * scale:
            s2 = s + nudge if abs(s + nudge) < abs(s) + abs(ds) else s - nudge
            pt, _ = problem.step(cur, s2)
            if pt is not None:
                s = s2
            nudge *= 10
        return None if pt is None else (s, g(pt), pt)

    best, width, how = illinois(evaluate, ds, g(cur), g(end), end,
                                tol=problem.locate_tol * scale,
                                max_iter=problem.locate_iterations,
                                is_zero=lambda v: abs(v) <= problem.zero_value,
                                stop_on_nonfinite=True)
    located = (how in ("converged", "zero") or width <= problem.locate_tol * scale
               or abs(g(best)) <= problem.located_value)
    return best, {"status": "located" if located else "bracketed", "precision": width}


def _detect(problem, branch, cur, new, ds):
    """Locate every event between ``cur`` and ``new``; return the located points."""
    located = []
    for kind, g in problem.events(cur, new):
        pt, info = locate(problem, cur, ds, g)
        if pt is None or not problem.confirm(kind, pt):
            continue
        branch.special.append((kind, pt, info))
        located.append(pt)
    return located


def trace(problem, start, ds, progress=None):
    """Follow the branch of ``problem`` from ``start`` (a point with its tangent).

    Returns a :class:`Branch`; its points start with ``start``.
    """
    branch = Branch(points=[start])
    cur = start
    ds = float(ds)
    while True:
        if len(branch.points) >= problem.max_points:
            branch.stop_reason = problem.reasons["max_points"]
            break
        new, it = problem.step(cur, ds)
        if new is not None and not problem.smooth(cur, new, ds):
            new = None
        if new is None:
            ds *= 0.5
            if ds < problem.ds_min:
                branch.stop_reason = problem.reasons["underflow"]
                break
            continue
        stop = problem.crossing(branch, cur, new, ds)
        if stop is not None:
            if stop.last is not None:
                if stop.detect:
                    _detect(problem, branch, cur, stop.last, stop.ds)
                branch.points.append(stop.last)
            branch.stop_reason, branch.end = stop.reason, stop.end
            break
        located = _detect(problem, branch, cur, new, ds)
        if problem.insert_located and located:
            branch.points.extend(problem.order(cur, new, located))
        branch.points.append(new)
        if progress is not None:
            progress.update(1)
        reason = problem.finished(branch, new, ds)
        if reason is not None:
            branch.stop_reason = reason
            break
        cur = problem.refresh(new)
        ds = problem.next_ds(ds, it)
    return branch
