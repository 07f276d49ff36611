"""Branches of periodic orbits as a problem of the continuation engine.

Predictor, corrector (collocation Newton with the phase and arclength
conditions), Floquet multipliers, test functions of LPC / PD / NS and user
values, the return onto a Hopf point, and the mesh that follows the orbit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ....errors import OptionsError
from ..engine import Stop, trace
from ..problem import check_steps

__all__ = ["Orbit", "CycleOptions", "CycleFamily", "correct", "tangent", "make_orbit",
           "trace_cycles"]


@dataclass(frozen=True)
class CycleOptions:
    """Limits and tolerances of a periodic-orbit continuation.

    Attributes
    ----------
    p_range : (float, float)
        The branch stops when the free parameter leaves it.
    ds, ds_min, ds_max : float
        Initial, smallest and largest step (in the scaled norm).
    max_points : int
        Points on the branch.
    tol : float
        Newton tolerance (max-norm of the residual and of the scaled correction).
    max_newton : int
        Corrector iterations before a step is halved.
    adapt_every : int
        Redistribute the mesh every this many points (0: never).
    max_period : float
        Stop (homoclinic orbit or SNIC) when the period exceeds this.
    locate_tol : float
        Special points are located until the step bracket is below this.
    detect : bool
        Detect and locate LPC, PD and NS points.
    values : tuple of float
        Parameter values where the orbit is located exactly (special points
        of type ``"UZ"``), e.g. to compare with a simulation.
    """

    p_range: tuple = (0.0, 1.0)
    ds: float = 0.02
    ds_min: float = 1e-9
    ds_max: float = 0.5
    max_points: int = 600
    tol: float = 1e-9
    max_newton: int = 8
    adapt_every: int = 2
    max_period: float = np.inf
    locate_tol: float = 1e-10
    detect: bool = True
    values: tuple = ()

    def __post_init__(self):
        lo, hi = (float(v) for v in self.p_range)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise OptionsError(f"`p_range` must be finite with low < high; got {self.p_range!r}")
        check_steps(self, "cycle steps")


@dataclass
class Orbit:
    """One corrected periodic orbit with its tangent and Floquet data."""

    z: np.ndarray
    mesh: np.ndarray
    t: np.ndarray               # unit tangent (scaled norm)
    mu: np.ndarray              # Floquet multipliers, decreasing modulus
    trivial_error: float
    n_unstable: int
    counts: tuple               # (real > 1, real < -1, complex outside) among nontrivial
    amplitude: float            # max over states of (max - min) / scale
    Q: np.ndarray = None

    @property
    def T(self):
        return float(self.z[-2])

    @property
    def p(self):
        return float(self.z[-1])


def correct(pb, z, mesh, ref_slope, z_prev, t_prev, ds, tol, max_newton):
    """Newton on the collocation system plus ``<z - z_prev, t_prev> = ds``.

    Returns ``(z, iterations)``, or ``(None, iterations)`` on failure.
    """
    g = pb.grad(t_prev, mesh)
    nU = pb.col.n_nodes * pb.n
    scale = np.concatenate([np.repeat(pb.S[None, :], pb.col.n_nodes, 0).ravel(),
                            [pb.T_scale, pb.p_scale]])
    z = z.copy()
    prev = np.inf
    for it in range(1, max_newton + 1):
        R = pb.residual(z, mesh, ref_slope)
        R = np.concatenate([R, [g @ (z - z_prev) - ds]])
        A, _, _ = pb.jacobian(z, mesh, ref_slope, g)
        dz = pb.solve(A, -R)
        if dz is None:
            return None, it
        z += dz
        if not np.all(np.isfinite(z)) or z[-2] <= 0:
            return None, it
        step = np.max(np.abs(dz) / scale)
        if step <= tol and np.max(np.abs(R[:nU])) <= 1e3 * tol * max(1.0, z[-2]):
            return z, it
        # quadratic convergence: after a correction this small the next one is below tol
        if it >= 2 and 100 * step * step <= tol and step <= 1e-3 * prev:
            return z, it
        prev = step
        if step > 1e3:
            return None, it
    # accept when the last correction was tiny (rounding-level residuals)
    return (z, max_newton) if step <= 10 * tol else (None, max_newton)


def tangent(pb, z, mesh, ref_slope, t_prev):
    """Unit tangent at z (scaled norm), oriented along t_prev."""
    g = pb.grad(t_prev, mesh)
    A, _, _ = pb.jacobian(z, mesh, ref_slope, g)
    rhs = np.zeros(pb.col.size)
    rhs[-1] = 1.0
    t = pb.solve(A, rhs)
    if t is None:
        return None
    nrm = pb.norm(t, mesh)
    if not np.isfinite(nrm) or nrm == 0:
        return None
    t = t / nrm
    if g @ t < 0:
        t = -t
    return t


def _classify(mu, trivial_tol):
    """Index of the trivial multiplier, its error, counts of multipliers outside."""
    k = int(np.argmin(np.abs(mu - 1.0)))
    err = float(abs(mu[k] - 1.0))
    rest = np.delete(mu, k)
    eps = max(1e-7, 10 * err, trivial_tol)
    real = np.abs(rest.imag) <= 1e-8 * np.maximum(1.0, np.abs(rest))
    pos = int(np.sum(real & (rest.real > 1 + eps)))
    neg = int(np.sum(real & (rest.real < -1 - eps)))
    cplx = int(np.sum(~real & (np.abs(rest) > 1 + eps)))
    return k, err, (pos, neg, cplx)


def make_orbit(pb, z, mesh, t, Q0=None):
    mu, Q = pb.multipliers(z, mesh, Q0)
    _, err, counts = _classify(mu, 0.0)
    U, _, _ = pb.split(z)
    amp = float(np.max((U.max(0) - U.min(0)) / pb.S_base))
    return Orbit(z=z, mesh=mesh, t=t, mu=mu, trivial_error=err, n_unstable=sum(counts),
                 counts=counts, amplitude=amp, Q=Q)


def _ref(pb, orbit):
    """Phase reference: the orbit's slope (the tangent's at a zero-amplitude start)."""
    U, _, _ = pb.split(orbit.z if orbit.amplitude > 0 else orbit.t)
    return pb.col.slope(U)


def _remesh(pb, orbit):
    c = pb.col
    U, T, p = pb.split(orbit.z)
    new = c.adapted_mesh(U, orbit.mesh, pb.S)
    Un = c.remesh(U, orbit.mesh, new)
    Vt, tT, tp = pb.split(orbit.t)
    Vn = c.remesh(Vt, orbit.mesh, new)
    z = pb.pack(Un, T, p)
    t = pb.pack(Vn, tT, tp)
    t /= pb.norm(t, new)
    return Orbit(z=z, mesh=new, t=t, mu=orbit.mu, trivial_error=orbit.trivial_error,
                 n_unstable=orbit.n_unstable, counts=orbit.counts, amplitude=orbit.amplitude,
                 Q=orbit.Q)


def _step(pb, orbit, ds, opts, ref=None):
    """Predict and correct from ``orbit`` by ``ds``; the new Orbit (no Floquet yet) or None."""
    ref = _ref(pb, orbit) if ref is None else ref
    z_pred = orbit.z + ds * orbit.t
    z, it = correct(pb, z_pred, orbit.mesh, ref, orbit.z, orbit.t, ds, opts.tol,
                    opts.max_newton)
    if z is None:
        return None, it
    t = tangent(pb, z, orbit.mesh, pb.col.slope(pb.split(z)[0]), orbit.t)
    if t is None:
        return None, it
    return (z, t), it


def _psi(kind, orbit):
    """Test function whose sign change marks the event."""
    if kind == "LPC":
        return float(orbit.t[-1])
    if isinstance(kind, tuple):                  # ("UZ", value): a user parameter value
        return orbit.p - kind[1]
    mu = np.delete(orbit.mu, int(np.argmin(np.abs(orbit.mu - 1.0))))
    if kind == "PD":
        real = mu[np.abs(mu.imag) <= 1e-8 * np.maximum(1, np.abs(mu))].real
        if real.size == 0:
            return np.nan
        return float(np.abs(real[np.argmin(np.abs(real + 1))]) - 1)
    cplx = mu[np.abs(mu.imag) > 1e-8 * np.maximum(1, np.abs(mu))]
    if cplx.size == 0:
        return np.nan
    return float(np.abs(cplx[np.argmin(np.abs(np.abs(cplx) - 1))]) - 1)


def _events(a, b):
    out = []
    if np.sign(a.t[-1]) != np.sign(b.t[-1]) and a.t[-1] != 0:
        out.append("LPC")
    # multiplier events only where the multipliers can be trusted (|mu_trivial - 1| small)
    trusted = max(a.trivial_error, b.trivial_error) < 1e-3
    if trusted and a.counts[1] != b.counts[1]:
        out.append("PD")
    if trusted and a.counts[2] != b.counts[2]:
        out.append("NS")
    return out


def _hopf_return(cur, new, amax, events, hopfs, span):
    """Whether the branch has shrunk back onto a Hopf point (and which)."""
    small = min(cur.amplitude, new.amplitude) < 0.3 * amax
    passing = "LPC" in events and small          # through zero amplitude: p turns back
    vanishing = new.amplitude < 0.02 * amax and new.amplitude < cur.amplitude
    if not (passing or vanishing):
        return None
    lo, hi = min(cur.p, new.p), max(cur.p, new.p)
    width = max(4 * (hi - lo), 0.01 * span)
    near = [h for h in hopfs if lo - width <= h <= hi + width]
    if passing and not near and cur.amplitude > 0.05 * amax:
        return None
    p = min(near, key=lambda h: abs(h - new.p)) if near else new.p
    return {"type": "HB", "p": p}


class CycleFamily:
    """The branch of periodic orbits through an orbit, as the engine traces it.

    ``hopfs``: parameter values of Hopf points, where a branch that shrinks back
    to zero amplitude ends. The problem is stateful: the norm's scales and the
    mesh follow the orbit (every ``opts.adapt_every`` points).
    """

    insert_located = True
    locate_iterations = 30
    zero_value = 1e-14
    located_value = 1e-10

    def __init__(self, pb, opts, hopfs=()):
        self.pb, self.opts, self.hopfs = pb, opts, tuple(hopfs)
        self.max_points, self.ds_min = opts.max_points, opts.ds_min
        self.locate_tol = opts.locate_tol
        self.reasons = {"max_points": f"max_points ({opts.max_points}) reached",
                        "underflow": "step size underflow (the corrector failed)"}
        self._since_mesh = 0

    def step(self, cur, ds):
        res, it = _step(self.pb, cur, ds, self.opts)
        if res is None:
            return None, it
        return make_orbit(self.pb, res[0], cur.mesh, res[1], cur.Q), it

    def smooth(self, cur, new, ds):
        cosang = float(self.pb.grad(cur.t, cur.mesh) @ new.t)
        return not (cosang < np.cos(0.3) and ds > 4 * self.opts.ds_min)

    def crossing(self, branch, cur, new, ds):
        if len(branch.points) <= 3:
            return None
        amax = max(o.amplitude for o in branch.points[-50:] + [new])
        lo, hi = self.opts.p_range
        back = _hopf_return(cur, new, amax, _events(cur, new), self.hopfs, hi - lo)
        if back is None:
            return None
        return Stop(f"returned onto the Hopf point at {self.pb.param} = {back['p']:.10g}",
                    end=back)

    def events(self, cur, new):
        out = [("UZ", _psi_of(("UZ", v))) for v in self.opts.values
               if (cur.p - v) * (new.p - v) < 0 or new.p == v]
        if self.opts.detect:
            out += [(kind, _psi_of(kind)) for kind in _events(cur, new)]
        return out

    def confirm(self, kind, orbit):
        return True

    def order(self, cur, new, located):
        step = new.z - cur.z
        g = self.pb.grad(step, cur.mesh)
        return sorted(located, key=lambda o: float(g @ (o.z - cur.z)))

    def finished(self, branch, new, ds):
        lo, hi = self.opts.p_range
        if not lo <= new.p <= hi:
            return f"left p_range at {self.pb.param} = {new.p:.10g}"
        if new.T > self.opts.max_period:
            branch.end = {"type": "period"}
            return "period exceeded max_period"
        return None

    def refresh(self, orbit):
        self._since_mesh += 1
        if not (self.opts.adapt_every and self._since_mesh >= self.opts.adapt_every):
            return orbit
        # rescale the norm to the orbit's current size (states by their range, the
        # period by itself), then redistribute the mesh
        pb = self.pb
        U = pb.split(orbit.z)[0]
        pb.S = np.maximum(pb.S_base, U.max(0) - U.min(0))
        pb.T_scale = max(getattr(pb, "T_base", pb.T_scale), orbit.T)
        self._since_mesh = 0
        return _remesh(pb, orbit)

    def next_ds(self, ds, it):
        if it <= 3:
            return min(ds * 1.4, self.opts.ds_max)
        if it >= 6:
            return max(ds * 0.6, self.opts.ds_min)
        return ds


def _psi_of(kind):
    return lambda orbit: _psi(kind, orbit)


def trace_cycles(pb, start, opts, ds, hopfs=(), progress=None, mark_start=True):
    """Follow the branch from ``start`` (an Orbit with a tangent) in the tangent direction.

    Returns the engine's :class:`~nmanalysis.analysis.continuation.engine.Branch`.
    """
    special = []
    if mark_start and start.amplitude > 0:
        for v in opts.values:
            if abs(start.p - v) <= 1e-12 * max(1.0, abs(v)):
                special.append(("UZ", start, {"status": "located", "precision": 0.0}))
    br = trace(CycleFamily(pb, opts, hopfs), start, ds, progress)
    br.special[:0] = special
    return br


def hopf_start(pb, x, p, omega, q, mesh=None):
    """Zero-amplitude orbit at a Hopf point and the tangent into the cycle family.

    ``q`` is the eigenvector of ``i omega``; the family starts along
    ``Re(q exp(2 pi i t))`` with period ``2 pi / omega``.
    """
    c = pb.col
    mesh = np.linspace(0.0, 1.0, c.N + 1) if mesh is None else mesh
    tn = c.node_times(mesh)
    U = np.repeat(np.asarray(x, float)[None, :], c.n_nodes, 0)
    q = np.asarray(q, complex) / np.linalg.norm(np.asarray(q, complex) / pb.S)
    V = (q[None, :] * np.exp(2j * np.pi * tn)[:, None]).real
    z = pb.pack(U, 2 * np.pi / omega, p)
    t = pb.pack(V, 0.0, 0.0)
    t /= pb.norm(t, mesh)
    o = make_orbit(pb, z, mesh, t)
    o.amplitude = 0.0
    return o


def pd_start(pb, orbit):
    """The doubled orbit at a period-doubling point and the direction onto its branch.

    The eigenfunction of the multiplier -1 is propagated across the mesh with
    the transfer matrices; it changes sign over one period, so over two periods
    it is periodic and points from the doubled orbit onto the new branch.
    """
    from .collocation import Collocation
    c = pb.col
    U, T, p = pb.split(orbit.z)
    X = c.at_gauss(U)
    _, J, _ = pb.evaluate(X, p, jac=True)
    Ts = c.transfer_matrices(orbit.mesh, T, J.reshape(c.N, c.m, pb.n, pb.n))
    M = np.eye(pb.n)
    for Tj in Ts:
        M = Tj @ M
    ev, V = np.linalg.eig(M)
    k = int(np.argmin(np.abs(ev + 1.0)))
    if abs(ev[k] + 1.0) > 0.05:
        return None
    v = np.real(V[:, k])
    xs = [v]
    for Tj in Ts:
        xs.append(Tj @ xs[-1])
    xs = np.array(xs)                                   # at the mesh points
    tn = c.node_times(orbit.mesh)
    Vn = np.stack([np.interp(tn, orbit.mesh, xs[:, i]) for i in range(pb.n)], axis=1)
    # the doubled orbit on a mesh of 2N intervals, then back onto N intervals
    big = Collocation(pb.n, 2 * c.N, c.m)
    mesh2 = np.concatenate([orbit.mesh / 2, 0.5 + orbit.mesh[1:] / 2])
    U2 = np.vstack([U[:-1], U])
    V2 = np.vstack([Vn[:-1], -Vn])
    new_mesh = c.adapted_mesh(c.remesh(U, orbit.mesh, orbit.mesh), orbit.mesh, pb.S)
    new_mesh = np.concatenate([new_mesh / 2, 0.5 + new_mesh[1:] / 2])[::2]
    tnew = c.node_times(new_mesh)
    Ud = big.evaluate(U2, mesh2, tnew)
    Vd = big.evaluate(V2, mesh2, tnew)
    z = pb.pack(Ud, 2 * T, p)
    t = pb.pack(Vd, 0.0, 0.0)
    t /= pb.norm(t, new_mesh)
    return make_orbit(pb, z, new_mesh, t, orbit.Q)
