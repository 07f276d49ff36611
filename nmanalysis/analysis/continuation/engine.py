"""Tracing one branch: predictor, corrector, step control, detection and location."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..stability import eigen_sorted
from .events import illinois

__all__ = ["Point", "Branch", "trace", "correct", "tangent"]


@dataclass
class Point:
    """One corrected point of a branch, with its test functions."""

    u: np.ndarray               # (x, p)
    t: np.ndarray               # unit tangent
    eig: np.ndarray             # eigenvalues (sorted by real part)
    psi_lp: float               # p-component of the tangent
    psi_bp: float               # det of the bordered Jacobian
    psi_hb: float               # real part of the critical complex pair (or nan)
    n_unstable: int
    n_cplx_unstable: int = 0    # complex eigenvalues with Re > 0


@dataclass
class Branch:
    points: list = field(default_factory=list)
    special: list = field(default_factory=list)   # (type, Point, info dict)
    stop_reason: str = ""


class Scaled:
    """The problem in scaled coordinates z = u / S (states by their box, p by its range).

    Arclength, tangents and step sizes live in z, so a step moves every
    coordinate by a similar fraction of its natural range.
    """

    def __init__(self, problem, S):
        self.problem, self.S, self.n, self.model = problem, np.asarray(S, float), problem.n, \
            problem.model

    def x_p(self, z):
        u = z * self.S
        return u[:self.n], u[self.n]

    def f(self, z):
        x, p = self.x_p(z)
        return self.problem.f(x, p)

    def jac_unscaled(self, z):
        x, p = self.x_p(z)
        return self.problem.jac(x, p)


def bordered(sp_, z, t):
    """The bordered Jacobian [f_x S_x, f_p S_p; t] of the scaled problem at z."""
    n = sp_.n
    x, p = sp_.x_p(z)
    M = np.empty((n + 1, n + 1))
    M[:n, :n] = sp_.problem.jac(x, p) * sp_.S[:n]
    M[:n, n] = sp_.problem.jac_p(x, p) * sp_.S[n]
    M[n] = t
    return M


def tangent(problem, u, t_prev):
    """Unit tangent at u, oriented along ``t_prev`` (solves [f_x f_p; t_prev] t = e_{n+1})."""
    M = bordered(problem, u, t_prev)
    rhs = np.zeros(problem.n + 1)
    rhs[-1] = 1.0
    try:
        t = np.linalg.solve(M, rhs)
    except np.linalg.LinAlgError:
        return None, M
    nrm = np.linalg.norm(t)
    if not np.isfinite(nrm) or nrm == 0:
        return None, M
    return t / nrm, M


def correct(problem, u_pred, t, tol, max_iter):
    """Newton on [f(u) = 0, t.(u - u_pred) = 0]; returns (u, iterations) or (None, it)."""
    n = problem.n
    u = u_pred.copy()
    for it in range(1, max_iter + 1):
        F = np.empty(n + 1)
        F[:n] = problem.f(u)
        F[n] = t @ (u - u_pred)
        M = bordered(problem, u, t)
        try:
            du = np.linalg.solve(M, -F)
        except np.linalg.LinAlgError:
            return None, it
        if not np.all(np.isfinite(du)):
            return None, it
        u = u + du
        if np.max(np.abs(du)) <= tol * (1 + np.max(np.abs(u))):
            if np.max(np.abs(problem.f(u))) <= max(tol, 1e-9) * (1 + _fscale(problem, u)):
                return u, it
    res = np.max(np.abs(problem.f(u)))
    if res <= tol * (1 + _fscale(problem, u)) and np.all(np.isfinite(u)):
        return u, max_iter
    return None, max_iter


def _hb_test(eig):
    """Real part of the complex pair closest to the imaginary axis (nan if none)."""
    cplx = eig[np.abs(eig.imag) > 1e-12 * max(1.0, np.max(np.abs(eig)))]
    if cplx.size == 0:
        return np.nan
    return float(cplx.real[np.argmin(np.abs(cplx.real))])


def _fscale(sp_, z):
    """Typical size of the terms of f (for a residual test relative to it)."""
    x, p = sp_.x_p(z)
    J = sp_.problem.jac(x, p)
    return float(np.max(np.abs(J) @ np.abs(x)))


def make_point(problem, u, t, M=None):
    n = problem.n
    if M is None:
        M = bordered(problem, u, t)
    J = M[:n, :n] / problem.S[:n]
    if np.all(np.isfinite(J)):
        eig = np.linalg.eigvals(J).astype(complex)
        eig = eig[np.lexsort((-eig.imag, -eig.real))]     # as eigen_sorted, for one matrix
    else:
        eig = eigen_sorted(J[None])[0]
    thr = 1e-12 * max(1.0, float(np.max(np.abs(eig))))
    cplx = np.abs(eig.imag) > thr
    return Point(u=u, t=t, eig=eig, psi_lp=float(t[n]), psi_bp=float(np.linalg.det(M)),
                 psi_hb=_hb_test(eig), n_unstable=int(np.sum(eig.real > thr)),
                 n_cplx_unstable=int(np.sum((eig.real > thr) & cplx)))


def _step_to(problem, base, ds, opts):
    """Predict from Point ``base`` by arclength ds and correct; new Point or None."""
    u_pred = base.u + ds * base.t
    u, it = correct(problem, u_pred, base.t, opts.tol, opts.max_newton)
    if u is None:
        return None, it
    t, M = tangent(problem, u, base.t)
    if t is None:
        return None, it
    return make_point(problem, u, t, M), it


def _locate(problem, base, ds_hi, key, opts):
    """Zero of a test function between ``base`` (s = 0) and s = ds_hi (Illinois secant)."""
    def g(pt):
        return getattr(pt, key) if isinstance(key, str) else key(pt)

    end, _ = _step_to(problem, base, ds_hi, opts)
    if end is None:
        return None, "bracketed", abs(ds_hi)
    scale = max(1.0, abs(ds_hi))

    def evaluate(c):
        pc, _ = _step_to(problem, base, c, opts)
        nudge = 1e-10 * scale
        while pc is None and nudge < 1e-6 * scale:
            # the corrector is singular exactly at a branch point: step just beside it
            c2 = c + nudge if abs(c + nudge) < abs(c) + abs(ds_hi) else c - nudge
            pc, _ = _step_to(problem, base, c2, opts)
            if pc is not None:
                c = c2
            nudge *= 10
        return None if pc is None else (c, g(pc), pc)

    best, width, how = illinois(evaluate, ds_hi, g(base), g(end), end,
                                tol=opts.locate_tol * scale, max_iter=80)
    return best, ("bracketed" if how == "failed" else "located"), width


def _events(prev, cur):
    """Special points between two consecutive points: list of (type, test key)."""
    out = []
    if np.sign(prev.psi_bp) != np.sign(cur.psi_bp) and prev.psi_bp != 0:
        if np.sign(prev.psi_lp) == np.sign(cur.psi_lp):
            out.append(("BP", "psi_bp"))
    if np.sign(prev.psi_lp) != np.sign(cur.psi_lp) and prev.psi_lp != 0:
        out.append(("LP", "psi_lp"))
    # a complex pair crossing: the test changes sign AND the number of unstable
    # complex eigenvalues changes (a neutral saddle has real eigenvalues, and a
    # switch between two pairs leaves the count alone)
    if np.isfinite(prev.psi_hb) and np.isfinite(cur.psi_hb) and \
            np.sign(prev.psi_hb) != np.sign(cur.psi_hb) and \
            prev.n_cplx_unstable != cur.n_cplx_unstable:
        out.append(("HB", "psi_hb"))
    return out


def _inside(problem, opts, z):
    u = z * problem.S
    lo, hi = opts.p_range
    if not (lo <= u[-1] <= hi):
        return False
    for s, (a, b) in opts.state_bounds.items():
        i = problem.model.state_names.index(s)
        if not (a <= u[i] <= b):
            return False
    return True


def trace(problem, start, direction, algorithm, opts):
    """Follow the branch from Point ``start`` with initial direction +1/-1 in its tangent."""
    branch = Branch(points=[start])
    cur = Point(u=start.u, t=direction * start.t, eig=start.eig, psi_lp=direction * start.psi_lp,
                psi_bp=direction * start.psi_bp, psi_hb=start.psi_hb,
                n_unstable=start.n_unstable, n_cplx_unstable=start.n_cplx_unstable)
    branch.points[0] = cur
    ds = opts.ds
    u0 = start.u
    while len(branch.points) < opts.max_points:
        nxt, it = _step_to(problem, cur, ds, opts)
        if nxt is not None and not _smooth(cur, nxt, ds, algorithm):
            nxt = None                      # turned too sharply: maybe jumped branches
        if nxt is None:
            ds *= 0.5
            if ds < opts.ds_min:
                branch.stop_reason = "step size underflow (corrector failed)"
                break
            continue
        if not _inside(problem, opts, nxt.u):
            end = _to_boundary(problem, cur, ds, opts)
            if end is not None and np.linalg.norm(end.u - cur.u) > 1e-9 * max(1.0, ds):
                if opts.detect:
                    _detect(problem, branch, cur, end, None, opts)
                branch.points.append(end)
            p_out = nxt.u[-1] * problem.S[-1]
            branch.stop_reason = "left p_range" if not (
                opts.p_range[0] <= p_out <= opts.p_range[1]) else "left state bounds"
            break
        if opts.detect:
            _detect(problem, branch, cur, nxt, ds, opts)
        branch.points.append(nxt)
        # closed loop: back near the start after going round
        if len(branch.points) > 10 and np.linalg.norm(nxt.u - u0) < 0.5 * ds and \
                nxt.t @ start.t * direction > 0:
            branch.stop_reason = "closed loop"
            break
        cur = nxt
        if it <= algorithm.easy_iterations:
            ds = min(opts.ds_max, ds * algorithm.grow)
    else:
        branch.stop_reason = "max_points"
    return branch


def _smooth(cur, nxt, ds, algorithm):
    """Step control: tangents turn by less than ``max_angle``; the corrector moved < ds/2."""
    if float(nxt.t @ cur.t) < np.cos(algorithm.max_angle):
        return False
    drift = np.linalg.norm(nxt.u - (cur.u + ds * cur.t))
    return bool(drift <= 0.5 * abs(ds))


def _detect(problem, branch, cur, nxt, ds, opts):
    if ds is None:
        ds = float((nxt.u - cur.u) @ cur.t)
    for kind, key in _events(cur, nxt):
        pt, status, prec = _locate(problem, cur, ds, key, opts)
        if pt is None:
            continue
        if kind == "HB" and not _is_hopf(pt):
            # the test jumped (a pair formed or split off the axis): not a Hopf point
            continue
        branch.special.append((kind, pt, {"status": status, "precision": prec}))


def _is_hopf(pt):
    """A complex pair really sits on the imaginary axis at the located point."""
    scale = max(1.0, float(np.max(np.abs(pt.eig))))
    pair = pt.eig[np.abs(pt.eig.imag) > 1e-8 * scale]
    if pair.size == 0:
        return False
    return bool(np.min(np.abs(pair.real)) <= 1e-7 * scale)


def _to_boundary(problem, cur, ds, opts):
    """The branch point on the boundary of the box crossed between cur and cur + ds."""
    lo, hi = opts.p_range
    n = problem.n

    def g(pt):
        u = pt.u * problem.S
        vals = [u[n] - lo, hi - u[n]]
        for s, (a, b) in opts.state_bounds.items():
            i = problem.model.state_names.index(s)
            vals += [u[i] - a, b - u[i]]
        return min(vals)

    pt, status, _ = _locate(problem, cur, ds, g, opts)
    return pt
