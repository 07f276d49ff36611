"""Branches of equilibria as a problem of the continuation engine.

Points carry scaled coordinates ``z = u / S`` (:class:`Scaled`); the
corrector is Newton on the bordered system, the test functions are the
tangent's parameter component (LP), the determinant of the bordered Jacobian
(BP) and the real part of the critical complex pair (HB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..stability import eigen_sorted
from .engine import Stop, locate, trace

__all__ = ["Point", "Scaled", "EquilibriumBranch", "trace_equilibria", "correct", "tangent",
           "make_point", "bordered"]


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


def _is_hopf(pt):
    """A complex pair really sits on the imaginary axis at the located point."""
    scale = max(1.0, float(np.max(np.abs(pt.eig))))
    pair = pt.eig[np.abs(pt.eig.imag) > 1e-8 * scale]
    if pair.size == 0:
        return False
    return bool(np.min(np.abs(pair.real)) <= 1e-7 * scale)


def _inside(sp_, opts, z):
    u = z * sp_.S
    lo, hi = opts.p_range
    if not (lo <= u[-1] <= hi):
        return False
    for s, (a, b) in opts.state_bounds.items():
        i = sp_.model.state_names.index(s)
        if not (a <= u[i] <= b):
            return False
    return True


class EquilibriumBranch:
    """The equilibrium branch through a point, as the engine traces it (see :mod:`.engine`).

    ``sp_`` a :class:`Scaled` problem, ``algorithm`` a ``PseudoArclength``,
    ``opts`` ``ContinuationOptions``.
    """

    insert_located = False
    locate_iterations = 80
    zero_value = 0.0
    located_value = 0.0
    reasons = {"max_points": "max_points", "underflow": "step size underflow (corrector failed)"}

    def __init__(self, sp_, start, algorithm, opts):
        self.sp, self.algorithm, self.opts, self.start = sp_, algorithm, opts, start
        self.max_points, self.ds_min = opts.max_points, opts.ds_min
        self.locate_tol = opts.locate_tol

    def step(self, cur, ds):
        """Predict from ``cur`` by arclength ds and correct; the new Point or None."""
        opts = self.opts
        u, it = correct(self.sp, cur.u + ds * cur.t, cur.t, opts.tol, opts.max_newton)
        if u is None:
            return None, it
        t, M = tangent(self.sp, u, cur.t)
        if t is None:
            return None, it
        return make_point(self.sp, u, t, M), it

    def smooth(self, cur, new, ds):
        """Tangents turn by less than ``max_angle``, and so does the chord.

        The corrector moves orthogonally to the tangent, so ``drift / ds`` is the
        tangent of the angle between chord and predictor. On one smooth piece of
        branch that angle is about half the tangents' turn; a corrector that lands
        on another sheet of the branch (past a fold the step went beyond, where
        the tangents on both sheets can be parallel) leaves a larger one.
        """
        max_angle = self.algorithm.max_angle
        if float(new.t @ cur.t) < np.cos(max_angle):
            return False
        drift = np.linalg.norm(new.u - (cur.u + ds * cur.t))
        return bool(drift <= np.tan(max_angle) * abs(ds))

    def crossing(self, branch, cur, new, ds):
        """The branch leaves the box inside the step: end on its boundary."""
        if _inside(self.sp, self.opts, new.u):
            return None
        lo, hi = self.opts.p_range
        p_out = new.u[-1] * self.sp.S[-1]
        reason = "left p_range" if not lo <= p_out <= hi else "left state bounds"
        end, _ = _locate_boundary(self, cur, ds)
        if end is None or np.linalg.norm(end.u - cur.u) <= 1e-9 * max(1.0, ds):
            return Stop(reason)
        return Stop(reason, last=end, ds=float((end.u - cur.u) @ cur.t), detect=self.opts.detect)

    def events(self, cur, new):
        if not self.opts.detect:
            return []
        return [(kind, _test(key)) for kind, key in _events(cur, new)]

    def confirm(self, kind, pt):
        # the HB test jumps where a pair forms or splits off the axis: not a Hopf point
        return kind != "HB" or _is_hopf(pt)

    def finished(self, branch, new, ds):
        # closed loop: back near the start after going round
        if len(branch.points) > 10 and np.linalg.norm(new.u - self.start.u) < 0.5 * ds \
                and new.t @ self.start.t > 0:
            return "closed loop"
        return None

    def refresh(self, pt):
        return pt

    def next_ds(self, ds, it):
        if it <= self.algorithm.easy_iterations:
            return min(self.opts.ds_max, ds * self.algorithm.grow)
        return ds


def _test(key):
    return lambda pt: getattr(pt, key)


def _locate_boundary(problem, cur, ds):
    """The branch point on the boundary of the box crossed between cur and cur + ds."""
    sp_, opts = problem.sp, problem.opts
    lo, hi = opts.p_range
    n = sp_.n

    def g(pt):
        u = pt.u * sp_.S
        vals = [u[n] - lo, hi - u[n]]
        for s, (a, b) in opts.state_bounds.items():
            i = sp_.model.state_names.index(s)
            vals += [u[i] - a, b - u[i]]
        return min(vals)

    return locate(problem, cur, ds, g)


def trace_equilibria(sp_, start, direction, algorithm, opts):
    """Follow the branch from Point ``start`` with initial direction +1/-1 in its tangent."""
    first = Point(u=start.u, t=direction * start.t, eig=start.eig,
                  psi_lp=direction * start.psi_lp, psi_bp=direction * start.psi_bp,
                  psi_hb=start.psi_hb, n_unstable=start.n_unstable,
                  n_cplx_unstable=start.n_cplx_unstable)
    return trace(EquilibriumBranch(sp_, first, algorithm, opts), first, opts.ds)
