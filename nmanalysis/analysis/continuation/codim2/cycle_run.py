"""LPC, PD and NS curves of :func:`.run.codim2_continuation`: their starts, one after another.

Seeds are dicts: ``{"kind": "lpc" | "pd" | "ns", "x", "P", "T"}`` (a special
point of a one-parameter cycle diagram: its state at phase 0, both parameters
and the period) or ``{"kind": "gh", "row"}`` (a generalised Hopf point as a
special-points row of a two-parameter diagram). GH seeds go first (their LPC
curves are traced from GH outwards); a seed on a curve already traced (the
curve crosses its ``p2`` within 1e-3 of the box and of the period) is skipped.
"""

from __future__ import annotations

import numpy as np

from ....errors import OptionsError
from .cycle_systems import CycleCurveProblem
from .cycles import CycleCurve, lpc_from_hopf, seed_from_row, trace_cycle_curve

__all__ = ["check_cycle_options", "trace_cycle_curves"]

_ERRORS = (np.linalg.LinAlgError, FloatingPointError, ValueError, RuntimeError)


def check_cycle_options(ntst, ncol, max_period):
    if not (isinstance(ntst, (int, np.integer)) and ntst >= 4):
        raise OptionsError(f"`ntst` must be a whole number >= 4; got {ntst!r}")
    if not (isinstance(ncol, (int, np.integer)) and 2 <= ncol <= 7):
        raise OptionsError(f"`ncol` must be a whole number from 2 to 7; got {ncol!r}")
    if max_period is not None and not (np.isfinite(max_period) and max_period > 0):
        raise OptionsError(f"`max_period` must be None or a positive number; got "
                           f"{max_period!r}")


def _problem(model, problem, widths, boxes, params, inputs, ntst, ncol, P):
    p1, p2 = problem.free
    values = dict(problem.fixed)
    values[p2] = float(P[1])
    return CycleCurveProblem(model, (p1, p2), params=values, inputs=inputs, ntst=ntst,
                             ncol=ncol, scales=widths[:model.n_states],
                             p_scales=(boxes[0][1] - boxes[0][0], boxes[1][1] - boxes[1][0]))


def _on_curve(pb, res, P, T, tol=1e-3):
    """Whether the traced curve ``res`` passes through parameters P with period T."""
    w = pb.p_scales
    Q = np.array([pb.split(o.y, o.mesh)[2] for o in res["points"]])
    Ts = np.array([pb.split(o.y, o.mesh)[1] for o in res["points"]])
    close = (np.abs(Q - P) <= 1e-6 * w).all(axis=1) & (np.abs(Ts - T) <= tol * T)
    if close.any():
        return True
    d = Q[:, 1] - P[1]
    for i in np.where(d[:-1] * d[1:] <= 0)[0]:
        s = d[i] / (d[i] - d[i + 1]) if d[i] != d[i + 1] else 0.0
        p1 = Q[i, 0] + s * (Q[i + 1, 0] - Q[i, 0])
        Ti = Ts[i] + s * (Ts[i + 1] - Ts[i])
        if abs(p1 - P[0]) <= tol * w[0] and abs(Ti - T) <= tol * T:
            return True
    return False


def _ends_at(pb, res, P, tol=1e-3):
    """Whether the LPC curve ``res`` ends (zero amplitude) at the parameters P."""
    for side, o in (("start", res["points"][0]), ("end", res["points"][-1])):
        reason = res["reasons"][0 if side == "start" else 1]
        if reason.startswith("reached zero amplitude"):
            Q = pb.split(o.y, o.mesh)[2]
            if np.all(np.abs(Q - P) <= tol * pb.p_scales):
                return True
    return False


def hopf_near_gh(problem, row, widths, opts, boxes):
    """``(x, P, omega, q)`` of a Hopf point near the GH point ``row`` where ``l1 l2 < 0``.

    The Hopf curve through GH is corrected and stepped both ways by growing
    scaled arclengths until ``l1`` has the sign opposite to ``l2`` (there a
    small unstable cycle and a large stable one, or the reverse, meet in a
    fold of cycles near the Hopf curve).
    """
    from .curve import CurveBranch, ScaledCurve
    from .systems import HopfSystem

    n = problem.n
    x, P = np.asarray(row["x"], float), np.asarray(row["P"], float)
    omega, l2 = float(row.get("angular_frequency", np.nan)), float(row.get("second_lyapunov",
                                                                           np.nan))
    if not (np.isfinite(omega) and omega > 0):
        A = problem.jac(x, P)
        ev = np.linalg.eigvals(A)
        omega = float(np.max(np.abs(ev.imag)))
    u0 = np.concatenate([x, P, [omega ** 2]])
    system = HopfSystem(problem, u0)
    curve = ScaledCurve(system, np.append(widths, omega ** 2))
    z0 = u0 / curve.S
    system.set_borders(u0)
    system.choose_pick(u0, curve.S)
    e = np.zeros(z0.size)
    e[n + 1] = 1.0
    z, _ = curve.correct(z0, e, opts["tol"], 30)
    if z is None:
        return None
    t0 = np.linalg.svd(curve.jacobian(z))[2][-1]
    first = curve.point(z, t0)
    if not np.isfinite(l2):
        return None
    branch = CurveBranch(curve, first, opts, boxes)
    for ds in (0.02, 0.01, 0.04, 0.005, 0.08):
        for d in (1.0, -1.0):
            system.set_borders(curve.u(z))
            pt, _ = branch.step(first, d * ds)
            if pt is None or not (pt.tests["bt"] > 0 and np.isfinite(pt.l1)) \
                    or pt.l1 * l2 >= 0:
                continue
            u = curve.u(pt.z)
            xh, Ph, om = u[:n], u[n:n + 2], float(np.sqrt(u[-1]))
            if not all(lo <= p <= hi for p, (lo, hi) in zip(Ph, boxes)):
                continue
            ev, V = np.linalg.eig(problem.jac(xh, Ph))
            k = int(np.argmin(np.abs(ev - 1j * om)))
            return xh, Ph, om, V[:, k]
    return None


def trace_cycle_curves(model, problem, seeds, widths, opts, boxes, params, inputs, ntst, ncol,
                       max_period, failed):
    """Trace the curve of every seed; ``({kind: [(pb, result, label)]}, GH rows)``.

    ``label`` is the start's description, or the GH point's parameters (an
    array; the caller names it after its row in ``special_points``).
    ``failed`` gets one line per seed from which no curve could be started.
    """
    p1, p2 = problem.free
    out = {"lpc": [], "pd": [], "ns": []}
    gh_rows = []
    copts = dict(opts)
    order = sorted(seeds, key=lambda s: s["kind"] != "gh")
    for seed in order:
        kind = seed["kind"]
        if kind == "gh":
            row = seed["row"]
            P = np.asarray(row["P"], float)
            where = f"GH at {p1} = {P[0]:.12g}, {p2} = {P[1]:.12g}"
            done = [(pb, res) for pb, res, _ in out["lpc"]]
            if any(_ends_at(pb, res, P) for pb, res in done):
                continue
            try:
                hop = hopf_near_gh(problem, row, widths, opts, boxes)
                if hop is None:
                    failed.append(f"{where}: no Hopf point with l1 l2 < 0 found near it")
                    continue
                xh, Ph, om, q = hop
                pb = _problem(model, problem, widths, boxes, params, inputs, ntst, ncol, Ph)
                pb.T_scale = 2 * np.pi / om
                got = lpc_from_hopf(pb, xh, Ph, om, q, boxes[0], ntst)
                if got is None:
                    failed.append(f"{where}: the cycles of the Hopf point at {p1} = "
                                  f"{Ph[0]:.12g}, {p2} = {Ph[1]:.12g} showed no LPC")
                    continue
                y, mesh = got
                _, T, Py, _ = pb.split(y, mesh)
                if any(_on_curve(q_pb, res, Py, T) for q_pb, res in done):
                    continue
                res = _trace(pb, "lpc", y, mesh, copts, boxes, max_period)
            except _ERRORS as err:
                res = f"{type(err).__name__}: {err}"
            if isinstance(res, str):
                failed.append(f"{where}: {res}")
                continue
            _near_gh(pb, res, P)
            k = len(out["lpc"])
            out["lpc"].append((pb, res, P))
            gh_rows.append(dict(row, branch=f"lpc/branch_{k}"))
            continue
        P, T = np.asarray(seed["P"], float), float(seed["T"])
        where = f"{kind.upper()} at {p1} = {P[0]:.12g}, {p2} = {P[1]:.12g}"
        if any(_on_curve(pb, res, P, T) for pb, res, _ in out[kind]):
            continue
        try:
            pb = _problem(model, problem, widths, boxes, params, inputs, ntst, ncol, P)
            pb.T_scale = T
            y, mesh = seed_from_row(pb, kind, seed["x"], P, T, ntst)
            res = _trace(pb, kind, y, mesh, copts, boxes, max_period)
        except _ERRORS as err:
            res = f"{type(err).__name__}: {err}"
        if isinstance(res, str):
            failed.append(f"{where}: {res}")
            continue
        out[kind].append((pb, res, f"{where} (period {T:.12g})"))
    return out, gh_rows


def _near_gh(pb, res, P, tol=1e-3):
    """A side of an LPC curve from GH whose corrector failed within ``tol`` of the box
    from the GH point ends there (the orbit shrinks to zero amplitude at GH, where the
    fold of cycles is too weakly determined to go on)."""
    reasons = list(res["reasons"])
    for i, o in ((0, res["points"][0]), (1, res["points"][-1])):
        Q = pb.split(o.y, o.mesh)[2]
        gap = float(np.max(np.abs(Q - P) / pb.p_scales))
        if reasons[i].startswith("step size underflow") and gap <= tol:
            reasons[i] = (f"reached the generalised Hopf point (the corrector stopped "
                          f"{gap:.1g} of the box from it)")
    res["reasons"] = tuple(reasons)


def _trace(pb, kind, y, mesh, opts, boxes, max_period):
    curve = CycleCurve(pb, kind, tol=opts["tol"], max_newton=opts["max_newton"])
    T0 = pb.split(y, mesh)[1]
    limit = 20 * T0 if max_period is None else float(max_period)
    return trace_cycle_curve(curve, y, mesh, opts, boxes, limit)
