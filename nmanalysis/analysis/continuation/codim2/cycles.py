"""Curves of folds of cycles (LPC), period doublings (PD) and tori (NS) in two parameters.

Each curve is traced by the shared engine (:mod:`..engine`) on the defining
systems of :mod:`.cycle_systems`: Newton's method on the collocation
equations, the bordered condition(s) and the pseudo-arclength row (tangent
predictor; the phase condition's reference is the previous orbit), all
assembled sparse. The mesh is redistributed every ``adapt_every`` points to
follow the orbit (de Boor's monitor, as in the one-parameter code), and gets
more intervals where the collocation error estimate exceeds ``MESH_TOL``
(long periods near a homoclinic orbit, fast jumps); the borders are replaced
by the current null vectors after every accepted step.

Starts
    * a special point of a one-parameter cycle diagram (LPC, PD or NS): the
      orbit is rebuilt by integrating the model over one period from the
      point's state (scipy's LSODA, tolerance 1e-11), polished by Newton on
      the periodic problem at fixed parameters, then corrected onto the curve
      with ``p2`` held;
    * a generalised Hopf (GH) point: the Hopf curve is stepped away from GH to
      the side where ``l1 l2 < 0`` (there a subcritical and a supercritical
      cycle meet in a fold), the cycle family born at that Hopf point is
      continued in ``p1`` until its fold (LPC) is located, and the LPC curve is
      traced from it both ways: one way it shrinks onto GH (where the curve
      ends, tangent to the Hopf curve), the other way it grows.

Ends of curves: the box of the two parameters, a closed curve, the period
exceeding ``max_period``, the amplitude shrinking to zero (a GH point ends an
LPC curve), or a failed corrector (``status`` ``incomplete``). Codim-2 points
of cycles (cusps of cycles, strong resonances, ...) are not detected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Stop, locate, trace
from .cycle_systems import CycleCondition, CycleCurveProblem, factor

__all__ = ["CyclePoint", "CycleCurve", "CycleCurveBranch", "trace_cycle_curve",
           "seed_from_row", "lpc_from_hopf", "COMPLETE_ENDS"]

_GH_END = "reached zero amplitude (generalised Hopf point)"
_ZERO_END = "reached zero amplitude (the curve ends on a Hopf curve)"
#: reasons that end a curve where it should end (status "complete")
COMPLETE_ENDS = ("left the box", "closed curve", _GH_END, _ZERO_END,
                 "period exceeded max_period")
_AMP_END = 1e-3
#: largest collocation error estimate (relative to the state weights) before the mesh
#: gets more intervals, and how many times the ``ntst`` asked for it may get at most
MESH_TOL = 1e-6
MAX_NTST_FACTOR = 4


@dataclass
class CyclePoint:
    """One corrected point of a cycle curve."""

    y: np.ndarray
    t: np.ndarray
    mesh: np.ndarray
    mu: np.ndarray
    amplitude: float
    Q: np.ndarray = None


class CycleCurve:
    """The defining system of one curve (problem + condition) with Newton and tangents."""

    def __init__(self, pb: CycleCurveProblem, kind, tol=1e-10, max_newton=8):
        self.pb, self.kind = pb, kind
        self.cond = CycleCondition(kind, pb)
        self.n_extra = self.cond.n_extra
        self.tol, self.max_newton = tol, max_newton

    # helpers ----------------------------------------------------------------------------------
    def split(self, y, mesh):
        return self.pb.split(y, mesh)

    def params(self, y, mesh):
        return self.pb.split(y, mesh)[2]

    def period(self, y, mesh):
        return self.pb.split(y, mesh)[1]

    def scale(self, mesh):
        return self.pb.scale(mesh, self.n_extra)

    def grad(self, v, mesh):
        return self.pb.grad(v, mesh)

    def norm(self, v, mesh):
        return self.pb.norm(v, mesh)

    def ref(self, y, mesh):
        return self.pb.col_for(mesh).slope(self.pb.split(y, mesh)[0])

    def amplitude(self, y, mesh):
        U = self.pb.split(y, mesh)[0]
        return float(np.max((U.max(0) - U.min(0)) / self.pb.S_base))

    # Newton -------------------------------------------------------------------------------
    def system(self, y, mesh, ref):
        """Residual (without the extra row) and its sparse Jacobian."""
        import scipy.sparse as sps
        JR = self.pb.jacobian(y, mesh, ref)
        vals, grads, V, W = self.cond.equations(y, mesh, JR)
        R = np.concatenate([self.pb.residual(y, mesh, ref), vals])
        if self.n_extra:
            JR = sps.hstack([JR, sps.csc_matrix((JR.shape[0], self.n_extra))])
        return R, sps.vstack([JR, sps.csr_matrix(grads)]).tocsc(), (V, W)

    def newton(self, y, mesh, ref, row, target, max_iter=None):
        """Newton on [system(y) = 0, row @ y = target]; ``(y, iterations, Jacobian)`` or
        ``(None, iterations, None)``."""
        import scipy.sparse as sps
        y = y.copy()
        sc = self.scale(mesh)
        max_iter = self.max_newton if max_iter is None else max_iter
        prev = np.inf
        for it in range(1, max_iter + 1):
            try:
                R, J, _ = self.system(y, mesh, ref)
                F = np.append(R, row @ y - target)
                M = sps.vstack([J, sps.csr_matrix(row[None, :])]).tocsc()
                dy = factor(M).solve(-F)
            except (np.linalg.LinAlgError, RuntimeError, ValueError, FloatingPointError):
                return None, it, None
            if not np.all(np.isfinite(dy)):
                return None, it, None
            y = y + dy
            T = self.pb.split(y, mesh)[1]
            if not T > 0:
                return None, it, None
            step = float(np.max(np.abs(dy) / sc))
            res = float(np.max(np.abs(F)))
            if step <= self.tol:
                return y, it, J
            # rounding-limited (stiff models): the residual no longer decreases while the
            # corrections are tiny
            if it >= 3 and res >= 0.25 * prev and step <= 1e3 * self.tol:
                return y, it, J
            prev = res
            if step > 1e3:
                return None, it, None
        return None, max_iter, None

    def tangent(self, y, mesh, J, t_prev):
        """Unit tangent (inner product of :meth:`grad`) oriented along ``t_prev``."""
        import scipy.sparse as sps
        g = self.grad(t_prev, mesh)
        M = sps.vstack([J, sps.csr_matrix(g[None, :])]).tocsc()
        rhs = np.zeros(M.shape[0])
        rhs[-1] = 1.0
        try:
            t = factor(M).solve(rhs)
        except RuntimeError:
            return None
        nrm = self.norm(t, mesh)
        if not (np.isfinite(nrm) and nrm > 0):
            return None
        t = t / nrm
        return t if g @ t >= 0 else -t

    def point(self, y, t, mesh, Q0=None):
        mu, Q = self.pb.multipliers(y, mesh, Q0)
        return CyclePoint(y=y, t=t, mesh=mesh, mu=mu, amplitude=self.amplitude(y, mesh), Q=Q)

    def remesh_point(self, pt, ntst=None):
        """The point and its tangent on a mesh of ``ntst`` intervals (default: as many as
        now) that equidistributes the orbit's monitor."""
        c = self.pb.col_for(pt.mesh)
        U = self.pb.split(pt.y, pt.mesh)[0]
        self.pb.rescale(pt.y, pt.mesh)
        new = c.adapted_mesh(U, pt.mesh, self.pb.S, ntst)
        y = self.pb.remesh(pt.y, pt.mesh, new)
        t = self.pb.remesh(pt.t, pt.mesh, new)
        t = t / self.norm(t, new)
        return CyclePoint(y=y, t=t, mesh=new, mu=pt.mu, amplitude=pt.amplitude, Q=pt.Q)


class CycleCurveBranch:
    """A cycle curve as the engine traces it (the protocol of :mod:`..engine`)."""

    insert_located = False
    locate_iterations = 60
    zero_value = 0.0
    located_value = 0.0
    reasons = {"max_points": "max_points", "underflow": "step size underflow (corrector failed)"}

    def __init__(self, curve: CycleCurve, start, opts, boxes, max_period, adapt_every=3):
        self.curve, self.start, self.opts, self.boxes = curve, start, opts, boxes
        self.max_points, self.ds_min = opts["max_points"], opts["ds_min"]
        self.locate_tol = opts["locate_tol"]
        self.max_period, self.adapt_every = max_period, adapt_every
        self._since = 0

    def step(self, cur, ds):
        cv = self.curve
        ref = cv.ref(cur.y, cur.mesh)
        g = cv.grad(cur.t, cur.mesh)
        pred = cur.y + ds * cur.t
        y, it, J = cv.newton(pred, cur.mesh, ref, g, g @ pred)
        if y is None:
            return None, it
        t = cv.tangent(y, cur.mesh, J, cur.t)
        if t is None:
            return None, it
        return cv.point(y, t, cur.mesh, cur.Q), it

    def smooth(self, cur, new, ds):
        cv = self.curve
        cosang = float(cv.grad(cur.t, cur.mesh) @ new.t)
        return cosang >= np.cos(self.opts["max_angle"])

    def _box_gap(self, pt):
        P = self.curve.params(pt.y, pt.mesh)
        return min(min(p - lo, hi - p) for p, (lo, hi) in zip(P, self.boxes))

    def crossing(self, branch, cur, new, ds):
        if self._box_gap(new) < 0:
            end, _ = locate(self, cur, ds, self._box_gap)
            if end is None:
                return Stop("left the box")
            return Stop("left the box", last=end, detect=False)
        if self.curve.period(new.y, new.mesh) > self.max_period:
            return Stop("period exceeded max_period")
        if new.amplitude < _AMP_END and new.amplitude < cur.amplitude:
            return Stop(self._zero_end(), last=new, detect=False)
        if self._through_zero(cur, new):
            return Stop(self._zero_end(), last=None, detect=False)
        return None

    def _zero_end(self):
        return _GH_END if self.curve.kind == "lpc" else _ZERO_END

    def _through_zero(self, cur, new):
        """Whether the step passed through a zero-amplitude orbit: the orbit's deviation
        from its mean changes sign (the same circle half a period on, as at a GH point)."""
        cv = self.curve
        a = cv.split(cur.y, cur.mesh)[0]
        b = cv.split(cv.pb.remesh(new.y, new.mesh, cur.mesh), cur.mesh)[0]
        a, b = (a - a.mean(0)) / cv.pb.S, (b - b.mean(0)) / cv.pb.S
        return bool(np.sum(a * b) < 0)

    def events(self, cur, new):
        return []

    def confirm(self, kind, pt):
        return True

    def _key(self, pt):
        cv = self.curve
        U, T, P, _ = cv.split(pt.y, pt.mesh)
        return np.concatenate([P / cv.pb.p_scales, [T / cv.pb.T_scale],
                               U[0] / cv.pb.S_base])

    def finished(self, branch, new, ds):
        """A closed curve: the last step passed through the start again."""
        if len(branch.points) > 3:
            a, b, s = (self._key(p) for p in (branch.points[-2], new, self.start))
            d = b - a
            L2 = float(d @ d)
            tau = float((s - a) @ d) / L2 if L2 > 0 else 0.0
            if 0.0 < tau <= 1.0 and np.linalg.norm(a + tau * d - s) <= 0.05 * np.sqrt(L2):
                return "closed curve"
        return None

    def mesh_size(self, pt):
        """Intervals for the orbit of ``pt``: the collocation error estimate (largest over
        the mesh, relative to the state weights) is held below ``MESH_TOL``: above it the
        intervals grow (at most doubling, up to ``MAX_NTST_FACTOR`` times the ``ntst``
        asked for) to bring it to a fifth; far below it they shrink again, never below
        ``ntst``."""
        cv = self.curve
        c = cv.pb.col_for(pt.mesh)
        U = cv.pb.split(pt.y, pt.mesh)[0]
        err = float(np.max(c.error_estimate(U, pt.mesh, cv.pb.S)))
        N, q = c.N, c.m + 1
        if not np.isfinite(err):
            return N
        lo, hi = cv.pb.base.col.N, MAX_NTST_FACTOR * cv.pb.base.col.N
        want = N * (err / (0.2 * MESH_TOL)) ** (1.0 / q) if err > 0 else 0.0
        if err > MESH_TOL:
            return int(min(max(np.ceil(want), N + 1), 2 * N, max(hi, N)))
        if N > lo and err < 0.01 * MESH_TOL and want < 0.75 * N:
            return int(max(lo, np.ceil(want)))
        return N

    def refresh(self, pt):
        """New borders from the point's null vectors; every ``adapt_every`` points, or when
        the mesh needs more or fewer intervals (:meth:`mesh_size`), the mesh is
        redistributed first (and the borders found anew on it). Where that fails the
        point and the borders stay as they are."""
        cv = self.curve
        self._since += 1
        try:
            N = self.mesh_size(pt)
            if self._since >= self.adapt_every or N != len(pt.mesh) - 1:
                moved = cv.remesh_point(pt, N)
                cv.cond.set_borders(moved.y, moved.mesh)
                self._since = 0
                return moved
            JR = cv.pb.jacobian(pt.y, pt.mesh, cv.ref(pt.y, pt.mesh))
            V, W, _ = cv.cond.solve(pt.y, pt.mesh, JR)
            cv.cond.refresh_borders(V, W)
        except (np.linalg.LinAlgError, RuntimeError, ValueError, FloatingPointError):
            pass
        return pt

    def next_ds(self, ds, it):
        if it <= 3:
            return min(self.opts["ds_max"], ds * 1.5)
        if it >= 6:
            return max(ds * 0.6, self.opts["ds_min"])
        return ds


# -- starting and tracing --------------------------------------------------------------------
def _axis_row(y_size, index):
    e = np.zeros(y_size)
    e[index] = 1.0
    return e


def correct_seed(curve, y, mesh, rounds=2):
    """Newton onto the curve with ``p2`` held, the mesh redistributed in between.

    Returns ``(y, mesh)`` or ``(None, mesh)``.
    """
    pb = curve.pb
    pb.rescale(y, mesh)
    for r in range(rounds + 1):
        nU = pb.n_nodes(mesh) * pb.n
        row = _axis_row(y.size, nU + 2)
        target = float(y[nU + 2])
        try:
            curve.cond.set_borders(y, mesh)
            if curve.kind == "ns" and r == 0:
                curve.cond.choose_pick(y, mesh, pb.jacobian(y, mesh, curve.ref(y, mesh)),
                                       curve.scale(mesh))
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            return None, mesh
        ynew, _, _ = curve.newton(y, mesh, curve.ref(y, mesh), row, target, max_iter=30)
        if ynew is None:
            return None, mesh
        y = ynew
        if r < rounds:
            c = pb.col_for(mesh)
            new = c.adapted_mesh(pb.split(y, mesh)[0], mesh, pb.S)
            y, mesh = pb.remesh(y, mesh, new), new
    return y, mesh


def _initial_tangent(curve, y, mesh):
    """The curve's tangent at y: the null vector of the Jacobian, normalised with the
    parameter row (p1 or p2) that conditions the bordered system best."""
    import scipy.sparse as sps
    pb = curve.pb
    _, J, _ = curve.system(y, mesh, curve.ref(y, mesh))
    nU = pb.n_nodes(mesh) * pb.n
    best = None
    for k in (nU + 1, nU + 2):
        M = sps.vstack([J, sps.csr_matrix(_axis_row(y.size, k)[None, :])]).tocsc()
        rhs = np.zeros(M.shape[0])
        rhs[-1] = 1.0
        try:
            t = factor(M).solve(rhs)
        except RuntimeError:
            continue
        nrm = curve.norm(t, mesh)
        if np.isfinite(nrm) and nrm > 0 and (best is None or nrm < best[0]):
            best = (nrm, t / nrm)
    return None if best is None else best[1]


def trace_cycle_curve(curve, y, mesh, opts, boxes, max_period, directions=(1.0, -1.0)):
    """Both halves of the curve through the seed ``(y, mesh)``.

    Returns ``{"points", "reasons", "seed"}``, or a string saying why the
    start failed.
    """
    y, mesh = correct_seed(curve, y, mesh)
    if y is None:
        return "Newton on the defining system failed at the start"
    P = curve.params(y, mesh)
    if not all(lo <= p <= hi for p, (lo, hi) in zip(P, boxes)):
        return "the start lies outside the box"
    t0 = _initial_tangent(curve, y, mesh)
    if t0 is None:
        return "no tangent at the start (singular defining system)"
    halves = []
    seed = curve.point(y, t0, mesh)
    S0 = curve.pb.S.copy()
    for d in directions:
        curve.pb.S = S0.copy()                   # the weights the seed's tangent was made with
        curve.cond.set_borders(y, mesh)
        first = CyclePoint(y=y.copy(), t=d * t0, mesh=mesh, mu=seed.mu,
                           amplitude=seed.amplitude, Q=seed.Q)
        bp = CycleCurveBranch(curve, first, opts, boxes, max_period)
        halves.append(trace(bp, first, opts["ds"]))
        if halves[-1].stop_reason == "closed curve":
            break
    fwd = halves[0]
    back = halves[1] if len(halves) > 1 else None
    points = (back.points[::-1] if back else []) + fwd.points[(1 if back else 0):]
    reasons = (back.stop_reason if back else "closed curve"
               if fwd.stop_reason == "closed curve" else "start", fwd.stop_reason)
    return {"points": points, "reasons": reasons, "seed": seed}


def orbit_guess(pb, x, T, P, ntst):
    """Node values of the orbit through x over one period T at P (by integration)."""
    from scipy.integrate import solve_ivp
    sysm = pb.base.system
    pv = pb.pv(P)

    def fun(t, u):
        return sysm.f(np.ascontiguousarray(u), pv)

    def jac(t, u):
        return sysm.jacobian(np.ascontiguousarray(u), pv)

    c = pb.col_for(ntst)
    mesh = np.linspace(0.0, 1.0, ntst + 1)
    tn = c.node_times(mesh) * T
    sol = solve_ivp(fun, (0.0, T), np.asarray(x, float), method="LSODA", jac=jac,
                    t_eval=tn, rtol=1e-11, atol=1e-13 * pb.S)
    if not sol.success or sol.y.shape[1] != tn.size:
        raise FloatingPointError(f"integration over one period failed: {sol.message}")
    U = sol.y.T.copy()
    U[-1] = U[0]                     # close the orbit (the drift is corrected by Newton)
    return U, mesh


def seed_from_row(pb, kind, x, P, T, ntst):
    """``(y, mesh)`` at a special point of a one-parameter cycle diagram."""
    U, mesh = orbit_guess(pb, x, T, P, ntst)
    c = pb.col_for(mesh)
    new = c.adapted_mesh(U, mesh, pb.S)
    U = c.remesh(U, mesh, new)
    mesh = new
    extra = ()
    if kind == "ns":
        mu, _ = pb.multipliers(pb.pack(U, T, P), mesh)
        cplx = mu[np.abs(mu.imag) > 1e-8 * np.maximum(1.0, np.abs(mu))]
        if cplx.size == 0:
            raise ValueError("no complex pair of Floquet multipliers at the NS start")
        z = cplx[np.argmin(np.abs(np.abs(cplx) - 1.0))]
        extra = (float(z.real / abs(z)),)
    return pb.pack(U, T, P, extra), mesh


def lpc_from_hopf(pb, x, P, omega, q, p1_box, ntst, max_points=300):
    """The fold of the cycle family born at the Hopf point (x, P): ``(y, mesh)`` or None.

    The family is continued in ``p1`` at fixed ``p2 = P[1]`` by the one-parameter
    code (:mod:`..periodic.engine`) until its first LPC is located.
    """
    from ..periodic.engine import CycleFamily, CycleOptions, hopf_start
    from ..periodic.problem import CycleProblem

    model = pb.model
    p1, p2 = pb.free
    values = {k: float(pb.pvec[i]) for i, k in enumerate(model.param_names) if k != p1}
    values[p2] = float(P[1])
    params = {k: v for k, v in values.items() if k in model.param_names}
    one = CycleProblem(model, p1, params=params, inputs=pb.inputs, ntst=ntst,
                       ncol=pb.base.col.m, scales=pb.S_base, p_scale=p1_box[1] - p1_box[0])
    one.T_base = one.T_scale = 2 * np.pi / omega
    opts = CycleOptions(p_range=tuple(p1_box), max_points=max_points,
                        max_period=100 * 2 * np.pi / omega)

    class _UntilFold(CycleFamily):
        def finished(self, branch, new, ds):
            if any(k == "LPC" for k, _, _ in branch.special):
                return "LPC located"
            return super().finished(branch, new, ds)

    start = hopf_start(one, x, float(P[0]), omega, q)
    br = trace(_UntilFold(one, opts), start, opts.ds)
    folds = [o for k, o, info in br.special if k == "LPC"]
    if not folds:
        return None
    o = folds[0]
    U, T, p = one.split(o.z)
    c = one.col_for(o.mesh)
    new = c.adapted_mesh(U, o.mesh, pb.S, ntst)
    return pb.pack(c.remesh(U, o.mesh, new), T, (p, P[1])), new
