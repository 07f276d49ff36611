"""Fold and Hopf curves as branch problems of the continuation engine.

Points carry scaled coordinates ``z = u / S`` (states by their box, each free
parameter by its range, ``kappa`` by its value at the start), so arclength
steps move every coordinate by a similar fraction of its natural size. The
corrector is Newton on the defining system of :mod:`.systems` plus the
pseudo-arclength hyperplane; test functions (all smooth where they are used):

fold curve
    ``cp = w^T B(v, v)`` (cusp), ``bt = w^T v`` (Bogdanov-Takens: the null
    vectors of a Jordan block are orthogonal), ``zh`` the real part of the
    complex pair nearest the imaginary axis (zero-Hopf; counted only when the
    number of unstable complex eigenvalues changes, so real pairs never count).
Hopf curve
    ``bt = kappa`` (omega^2 -> 0; below zero the curve is a neutral saddle,
    ``lambda = +-sqrt(-kappa)``, where no other test is evaluated), ``gh = l1``
    (first Lyapunov coefficient, exact; a sign change counts only between two
    points with kappa > 0 where l1 is finite, and a located zero must be a
    zero, not a pole: l1 has poles at zero-Hopf points), ``zh = det(A) /
    kappa`` (a real eigenvalue crosses zero), ``hh`` the real part of the
    nearest other complex pair (Hopf-Hopf).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine import Stop, locate
from .normal_forms import first_lyapunov

__all__ = ["CurvePoint", "ScaledCurve", "CurveBranch", "TESTS"]

#: test functions of each kind of curve -> the codim-2 point their zero marks
TESTS = {"fold": {"cp": "CP", "bt": "BT", "zh": "ZH"},
         "hopf": {"bt": "BT", "gh": "GH", "zh": "ZH", "hh": "HH"}}


@dataclass
class CurvePoint:
    """One corrected point of a curve with its test functions."""

    z: np.ndarray
    t: np.ndarray
    eig: np.ndarray
    tests: dict
    counts: dict = field(default_factory=dict)
    n_unstable: int = 0
    l1: float = np.nan


def _thr(eig):
    return 1e-9 * max(1.0, float(np.max(np.abs(eig)))) if eig.size else 1e-9


def _nearest_pair(eig, omega):
    """Indices of the two eigenvalues nearest +-i omega."""
    k1 = int(np.argmin(np.abs(eig - 1j * omega)))
    d = np.abs(eig - (-1j * omega))
    d[k1] = np.inf
    return k1, int(np.argmin(d))


def _complex_real_part(eig, thr):
    """Real part of the complex pair nearest the axis (nan if none), and the number of
    complex eigenvalues with positive real part."""
    cplx = eig[np.abs(eig.imag) > 1e3 * thr]
    if cplx.size == 0:
        return np.nan, 0
    return float(cplx.real[np.argmin(np.abs(cplx.real))]), int(np.sum(cplx.real > thr))


class ScaledCurve:
    """A defining system in scaled coordinates, with its test functions."""

    def __init__(self, system, S):
        self.system, self.S = system, np.asarray(S, float)
        self.problem, self.n, self.kind = system.problem, system.n, system.kind

    def u(self, z):
        return z * self.S

    def residual(self, z):
        return self.system.residual(z * self.S)

    def jacobian(self, z):
        return self.system.jacobian(z * self.S) * self.S

    def params(self, z):
        u = z * self.S
        return u[self.n:self.n + 2]

    def omega(self, z):
        if self.kind != "hopf":
            return np.nan
        kappa = z[-1] * self.S[-1]
        return float(np.sqrt(kappa)) if kappa > 0 else np.nan

    def tests_at(self, z, eig=None):
        """``(tests, counts, eig, l1)`` at the point z."""
        u = z * self.S
        n, pr = self.n, self.problem
        x, P = u[:n], u[n:n + 2]
        A = pr.jac(x, P)
        if eig is None:
            eig = np.linalg.eigvals(A).astype(complex)
            eig = eig[np.lexsort((-eig.imag, -eig.real))]
        thr = _thr(eig)
        tests, counts, l1 = {}, {}, np.nan
        if self.kind == "fold":
            v, w, _ = self.system.vectors(A)
            tests["cp"] = float(w @ pr.B(x, P, v, v).real)
            tests["bt"] = float(w @ v)
            tests["zh"], counts["zh"] = _complex_real_part(eig, thr)
        else:
            kappa = float(u[-1])
            tests["bt"] = kappa
            tests["gh"] = tests["zh"] = tests["hh"] = np.nan
            counts["hh"] = 0
            if kappa > 0:
                omega = np.sqrt(kappa)
                tests["zh"] = float(np.linalg.det(A) / kappa)
                k1, k2 = _nearest_pair(eig, omega)
                rest = np.delete(eig, [k1, k2])
                tests["hh"], counts["hh"] = _complex_real_part(rest, thr)
                if omega > 1e-6 * max(1.0, float(np.max(np.abs(eig)))):
                    try:
                        l1 = first_lyapunov(pr, x, P, omega, A)
                    except np.linalg.LinAlgError:
                        l1 = np.nan
                tests["gh"] = l1 if np.isfinite(l1) else np.nan
        return tests, counts, eig, l1

    def point(self, z, t):
        tests, counts, eig, l1 = self.tests_at(z)
        thr = _thr(eig)
        return CurvePoint(z=z, t=t, eig=eig, tests=tests, counts=counts,
                          n_unstable=int(np.sum(eig.real > 1e3 * thr)), l1=l1)

    def tangent(self, z, t_prev, J=None):
        J = self.jacobian(z) if J is None else J
        M = np.vstack([J, t_prev])
        rhs = np.zeros(M.shape[0])
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(M, rhs)
        except np.linalg.LinAlgError:
            return None
        nrm = np.linalg.norm(t)
        if not np.isfinite(nrm) or nrm == 0:
            return None
        return t / nrm

    def correct(self, z_pred, t, tol, max_iter):
        """Newton on [G(z) = 0, t.(z - z_pred) = 0]; (z, iterations) or (None, it).

        The Jacobian of the last iteration is kept in ``self.last_jacobian`` (the
        tangent at the new point is computed from it: one evaluation less per step).
        """
        z = z_pred.copy()
        for it in range(1, max_iter + 1):
            F = np.append(self.residual(z), t @ (z - z_pred))
            J = self.jacobian(z)
            self.last_jacobian = J
            M = np.vstack([J, t])
            try:
                dz = np.linalg.solve(M, -F)
            except np.linalg.LinAlgError:
                return None, it
            if not np.all(np.isfinite(dz)):
                return None, it
            z = z + dz
            if np.max(np.abs(dz)) <= tol * (1 + np.max(np.abs(z))):
                return z, it
        return None, max_iter


class CurveBranch:
    """A fold or Hopf curve as the engine traces it (the protocol of :mod:`..engine`)."""

    insert_located = False
    locate_iterations = 80
    zero_value = 0.0
    located_value = 0.0
    reasons = {"max_points": "max_points", "underflow": "step size underflow (corrector failed)"}

    def __init__(self, curve, start, opts, boxes):
        self.curve, self.start, self.opts = curve, start, opts
        self.boxes = boxes                         # ((lo1, hi1), (lo2, hi2))
        self.max_points, self.ds_min = opts["max_points"], opts["ds_min"]
        self.locate_tol = opts["locate_tol"]
        self._ends = None

    def step(self, cur, ds):
        """Predict along the tangent by ``ds``, correct; a failed step returns None (the
        engine halves the step)."""
        try:
            z, it = self.curve.correct(cur.z + ds * cur.t, cur.t, self.opts["tol"],
                                       self.opts["max_newton"])
            if z is None:
                return None, it
            t = self.curve.tangent(z, cur.t, self.curve.last_jacobian)
            if t is None:
                return None, it
            return self.curve.point(z, t), it
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            return None, self.opts["max_newton"]

    def smooth(self, cur, new, ds):
        if float(new.t @ cur.t) < np.cos(self.opts["max_angle"]):
            return False
        return bool(np.linalg.norm(new.z - (cur.z + ds * cur.t)) <= 0.5 * abs(ds))

    def _inside(self, z):
        P = self.curve.params(z)
        return all(lo <= p <= hi for p, (lo, hi) in zip(P, self.boxes))

    def crossing(self, branch, cur, new, ds):
        if self._inside(new.z):
            return None
        boxes = self.boxes

        def g(pt):
            P = self.curve.params(pt.z)
            return min(min(p - lo, hi - p) for p, (lo, hi) in zip(P, boxes))

        end, _ = locate(self, cur, ds, g)
        if end is None or np.linalg.norm(end.z - cur.z) <= 1e-9 * max(1.0, abs(ds)):
            return Stop("left the box")
        return Stop("left the box", last=end, ds=float((end.z - cur.z) @ cur.t))

    def events(self, cur, new):
        self._ends = (cur, new)
        out = []
        for key, kind in TESTS[self.curve.kind].items():
            a, b = cur.tests[key], new.tests[key]
            if not (np.isfinite(a) and np.isfinite(b)) or a == 0 or np.sign(a) == np.sign(b):
                continue
            if key in cur.counts and cur.counts[key] == new.counts[key]:
                continue                       # a pair switching, not crossing the axis
            out.append((kind, _test(key)))
        return out

    def confirm(self, kind, pt):
        """A located zero is a zero of its test function (not a jump or a pole)."""
        key = {v: k for k, v in TESTS[self.curve.kind].items()}[kind]
        cur, new = self._ends
        val = pt.tests[key]
        if not np.isfinite(val):
            return False
        ends = max(abs(cur.tests[key]), abs(new.tests[key]))
        if abs(val) > 1e-3 * ends:
            return False
        if self.curve.kind == "hopf" and kind != "BT":
            # away from the end of the Hopf curve (omega -> 0), where l1 is not defined
            return bool(pt.tests["bt"] > 0)
        return True

    def finished(self, branch, new, ds):
        """A closed curve: the last step passed through the start again."""
        if len(branch.points) > 3 and new.t @ self.start.t > 0:
            a, s = branch.points[-2].z, self.start.z
            d = new.z - a
            L2 = float(d @ d)
            tau = float((s - a) @ d) / L2 if L2 > 0 else 0.0
            if 0.0 < tau <= 1.0 and \
                    np.linalg.norm(a + tau * d - s) <= 0.05 * np.sqrt(L2) + 1e-9:
                return "closed curve"
        return None

    def refresh(self, pt):
        """New borders from the point's null vectors; its tests are unchanged in sign."""
        system = self.curve.system
        system.refresh_borders(pt.z * self.curve.S)
        if system.kind == "fold":
            tests, _, _, _ = self.curve.tests_at(pt.z, pt.eig)
            pt.tests.update({k: v for k, v in tests.items() if k in ("cp", "bt")})
        return pt

    def next_ds(self, ds, it):
        if it <= 3:
            return min(self.opts["ds_max"], ds * 1.5)
        return ds


def _test(key):
    return lambda pt: pt.tests[key]
