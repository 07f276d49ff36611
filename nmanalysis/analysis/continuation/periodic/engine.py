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
from ..engine import Stop, locate, trace
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
    mesh_tol : float
        Tolerance on the estimated relative error of the period at fixed
        parameter (see :meth:`CycleProblem.period_error`) where the period is a
        well-conditioned function of the parameter; where it is not (relative
        sensitivity ``|d ln T / d(p / p_scale)| = A`` above ``max_sensitivity``:
        at folds of cycles, in canard explosions, in the last approach to a
        homoclinic orbit), the estimate is scaled by ``max_sensitivity / A``,
        i.e. the parameter error at fixed period is held below
        ``mesh_tol / max_sensitivity``. The number of mesh intervals is raised
        when the estimate of a new orbit exceeds half of ``mesh_tol``, and
        lowered again (not below the ``ntst`` asked for) when it falls far
        below (``inf``: keep ``ntst`` fixed).
    max_sensitivity : float
        See ``mesh_tol``. A parameter error below ``1e-11`` times the larger of
        ``|p|`` and ``p_scale`` (rounding level) asks for no more intervals.
    max_ntst : int
        The most mesh intervals the error control may use.
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
    mesh_tol: float = 1e-7
    max_sensitivity: float = 1e5
    max_ntst: int = 2000
    max_period: float = np.inf
    locate_tol: float = 1e-10
    detect: bool = True
    values: tuple = ()

    def __post_init__(self):
        lo, hi = (float(v) for v in self.p_range)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise OptionsError(f"`p_range` must be finite with low < high; got {self.p_range!r}")
        check_steps(self, "cycle steps")
        if not self.mesh_tol > 0:
            raise OptionsError(f"`mesh_tol` must be positive (inf: a fixed mesh); got "
                               f"{self.mesh_tol!r}")


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
    # estimates on branch points (nan elsewhere): collocation error relative to the state
    # scales (largest over the mesh), relative error of the period (see CycleOptions)
    mesh_error: float = np.nan
    period_error: float = np.nan

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
    nU = len(z) - 2
    scale = np.concatenate([np.tile(pb.S, nU // pb.n), [pb.T_scale, pb.p_scale]])
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
    rhs = np.zeros(len(z))
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


def _scales(pb, U):
    """State scales of an orbit: its range, at least the states' natural sizes."""
    return np.maximum(pb.S_base, U.max(0) - U.min(0))


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
    return pb.col_for(orbit.mesh).slope(U)


def _remesh(pb, orbit, ntst=None):
    """The orbit and its tangent on an equidistributed mesh of ``ntst`` intervals."""
    from dataclasses import replace
    U = pb.split(orbit.z)[0]
    new = pb.col_for(orbit.mesh).adapted_mesh(U, orbit.mesh, pb.S, ntst)
    z, t = pb.on_mesh(orbit.z, orbit.mesh, new, orbit.t)
    t /= pb.norm(t, new)
    return replace(orbit, z=z, mesh=new, t=t)


def _step(pb, orbit, ds, opts, ref=None):
    """Predict and correct from ``orbit`` by ``ds``; the new Orbit (no Floquet yet) or None."""
    ref = _ref(pb, orbit) if ref is None else ref
    z_pred = orbit.z + ds * orbit.t
    z, it = correct(pb, z_pred, orbit.mesh, ref, orbit.z, orbit.t, ds, opts.tol,
                    opts.max_newton)
    if z is None:
        return None, it
    t = tangent(pb, z, orbit.mesh, pb.col_for(orbit.mesh).slope(pb.split(z)[0]), orbit.t)
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
        self.ntst_min = pb.col.N            # the ntst asked for: the error control's floor
        self._last_size = 0.0
        self._quiet = (False, 0.0, 0.0, 0)

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
        out = self.user_values(cur, new)
        if self.opts.detect:
            out += [(kind, _psi_of(kind)) for kind in _events(cur, new)]
        return out

    def user_values(self, cur, new):
        """Test functions of the user values ``opts.values`` crossed on the step.

        A sign change of ``p - v`` between the two points finds an odd number of
        crossings; where the parameter turns inside the step (a fold: the
        tangent's ``p`` component changes sign) a value beyond both ends can be
        crossed twice with no sign change. Then the fold is located (the
        extremum ``p_e`` of ``p`` on the step) and each crossing gets its own test
        function, ``p - v`` on its side of the fold and ``2 p_e - p - v`` (``p``
        mirrored at the extremum) on the other: continuous along the step, with
        exactly one zero each.
        """
        vals = self.opts.values
        out = [("UZ", _psi_of(("UZ", v))) for v in vals
               if (cur.p - v) * (new.p - v) < 0 or new.p == v]
        side = np.sign(cur.t[-1])
        if not vals or side == 0 or np.sign(new.t[-1]) == side:
            return out
        edge = max(cur.p, new.p) if side > 0 else min(cur.p, new.p)
        beyond = [v for v in vals if side * (v - edge) > 0]
        if not beyond:
            return out
        ds = float(self.pb.grad(cur.t, cur.mesh) @ (new.z - cur.z))
        fold, _ = locate(self, cur, ds, lambda o: float(o.t[-1]))
        if fold is None:
            return out
        pe = fold.p
        for v in beyond:
            if side * (pe - v) > 0:
                out.append(("UZ", _mirrored(v, pe, side, first=True)))
                out.append(("UZ", _mirrored(v, pe, side, first=False)))
        return out

    def confirm(self, kind, orbit):
        if kind == "UZ":
            self.polish(orbit)
        return True

    def polish(self, orbit):
        """Refine the mesh of a user-value orbit whose period error estimate exceeds
        ``mesh_tol`` (the error can grow faster along a step than the control follows)
        and solve again at the same parameter; the orbit is updated in place."""
        pb, tol = self.pb, self.opts.mesh_tol
        if not np.isfinite(tol):
            return
        for _ in range(3):
            eT, ep = pb.period_error(orbit.z, orbit.mesh, orbit.t)
            err = min(eT, self.opts.max_sensitivity * ep)
            N = len(orbit.mesh) - 1
            if not err > 0.5 * tol or N >= self.opts.max_ntst:
                return
            err = min(err, 1e3 * tol)
            new_N = min(max(math.ceil(N * (err / (0.2 * tol)) ** (1.0 / (2 * pb.col.m))),
                            N + 1), 4 * N, self.opts.max_ntst)
            if not pb.fits(new_N):
                return
            moved = _remesh(pb, orbit, new_N)
            fix_p = np.zeros(len(moved.z))
            fix_p[-1] = pb.p_scale                   # <z - z0, fix_p> = p - p0 (scaled)
            ref = pb.col_for(moved.mesh).slope(pb.split(moved.z)[0])
            z, _ = correct(pb, moved.z, moved.mesh, ref, moved.z, fix_p, 0.0, self.opts.tol,
                           self.opts.max_newton)
            if z is None:
                return
            t = tangent(pb, z, moved.mesh, pb.col_for(moved.mesh).slope(pb.split(z)[0]),
                        moved.t)
            if t is None:
                return
            done = make_orbit(pb, z, moved.mesh, t, orbit.Q)
            for f in ("z", "mesh", "t", "mu", "trivial_error", "n_unstable", "counts",
                      "amplitude", "Q"):
                setattr(orbit, f, getattr(done, f))
            orbit.period_error = np.nan

    def order(self, cur, new, located):
        # by the step length along the current tangent (the corrector's constraint)
        g = self.pb.grad(cur.t, cur.mesh)
        return sorted(located, key=lambda o: float(
            g @ (self.pb.on_mesh(o.z, o.mesh, cur.mesh) - cur.z)))

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
        U = self.pb.split(orbit.z)[0]
        orbit.mesh_error = float(np.max(self.pb.col_for(orbit.mesh).error_estimate(
            U, orbit.mesh, _scales(self.pb, U))))
        ntst = self.mesh_size(orbit)
        due = self.opts.adapt_every and self._since_mesh >= self.opts.adapt_every
        if not due and ntst == len(orbit.mesh) - 1:
            return orbit
        # rescale the norm to the orbit's current size (states by their range, the
        # period by itself), then redistribute the mesh (with more or fewer intervals)
        pb = self.pb
        pb.S = _scales(pb, pb.split(orbit.z)[0])
        pb.T_scale = max(getattr(pb, "T_base", pb.T_scale), orbit.T)
        self._since_mesh = 0
        return _remesh(pb, orbit, ntst)

    def mesh_size(self, orbit):
        """Intervals for the next steps, from the period error estimate of ``orbit``.

        The estimate is stored on the orbit (a branch point). The period error
        goes as ``ntst^(-2 ncol)``: intervals are added when the estimate, or
        the estimate one step ahead where it grows (times its growth over the
        last step at equal ``ntst``: the branch moves on before the next check),
        exceeds half of ``mesh_tol``, to bring it to a fifth, at most doubling at
        once; they are removed when the estimate is below a hundredth and a
        quarter fewer would do. Never below the ``ntst`` asked for, nor above
        ``max_ntst`` or what fits in memory.
        """
        N, tol = len(orbit.mesh) - 1, self.opts.mesh_tol
        if not np.isfinite(tol):
            return N
        # far below the tolerance, the estimate is skipped while the period and the
        # parameter change little (at most three points in a row)
        quiet, T0, p0, skipped = self._quiet
        if (quiet and skipped < 3 and abs(orbit.T - T0) <= 0.05 * T0
                and abs(orbit.p - p0) <= 0.02 * self.pb.p_scale):
            self._quiet = (quiet, T0, p0, skipped + 1)
            return N
        eT, ep = self.pb.period_error(orbit.z, orbit.mesh, orbit.t)
        err = orbit.period_error = min(eT, self.opts.max_sensitivity * ep)
        self._quiet = (bool(err < 1e-3 * tol), orbit.T, orbit.p, 0)
        if not err == err:
            return N
        if not np.isfinite(err):                    # singular coarse system
            err = 1e3 * tol
        q = 2 * self.pb.col.m
        # a parameter error at rounding level (in a canard explosion, in the last
        # approach to a homoclinic orbit: p no longer moves) asks for no more
        # intervals; fewer are tried gradually
        if err < eT and ep <= 1e-11 * max(1.0, abs(orbit.p) / self.pb.p_scale):
            self._last_size = 0.0
            return max(self.ntst_min, min(N, math.ceil(0.75 * N)))
        size = err * N ** q                         # the error's ntst-free factor
        last, self._last_size = self._last_size, size
        if 0 < last < size and err > 0.01 * tol:
            err *= min(size / last, 100.0)          # expected at the next point
        want = N * (err / (0.2 * tol)) ** (1.0 / q) if err > 0 else 0.0
        if err > 0.5 * tol:
            new = int(min(math.ceil(want), 2 * N, self.opts.max_ntst))
            while new > N and not self.pb.fits(new):
                new = (new + N) // 2
            return max(new, N)
        if N > self.ntst_min and err < 0.01 * tol and want < 0.75 * N:
            return max(self.ntst_min, math.ceil(want))
        return N

    def next_ds(self, ds, it):
        if it <= 3:
            return min(ds * 1.4, self.opts.ds_max)
        if it >= 6:
            return max(ds * 0.6, self.opts.ds_min)
        return ds


def _psi_of(kind):
    return lambda orbit: _psi(kind, orbit)


def _mirrored(v, pe, side, first):
    """``p - v`` on one side of the fold at ``p = pe`` and ``2 pe - p - v`` on the other.

    ``side`` is the sign of the parameter's direction before the fold; the
    first crossing lies before it (``first``), the second after it.
    """
    def g(orbit):
        before = np.sign(orbit.t[-1]) == side
        return orbit.p - v if before == first else 2 * pe - orbit.p - v
    return g


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
    c = pb.col_for(orbit.mesh)
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
