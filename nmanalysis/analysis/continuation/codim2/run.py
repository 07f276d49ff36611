"""``codim2_continuation``: fold and Hopf curves in two parameters, with their codim-2 points."""

from __future__ import annotations

import numpy as np

from ....errors import OptionsError
from ....results.attrs import provenance
from ...scales import state_widths
from ..datasets import tree_with_provenance
from ..engine import Stop, locate, trace
from .curve import CurveBranch, ScaledCurve
from .cycle_run import check_cycle_options, trace_cycle_curves
from .starts import all_seeds
from .datasets import curve_dataset, codim2_special_dataset, cycle_curve_dataset
from .locate import codim2_row, polish
from .problem import TwoParameterProblem
from .systems import FoldSystem, HopfSystem

__all__ = ["codim2_continuation"]

_DEFAULTS = dict(ds=0.005, ds_min=1e-9, ds_max=0.03, max_points=3000, tol=1e-10,
                 max_newton=8, locate_tol=1e-13, max_angle=0.2)


def codim2_continuation(model, free, *, ranges, start=None, params=None, inputs=None,
                        ds=None, ds_min=None, ds_max=None, max_points=None, tol=None,
                        state_bounds=None, neutral_saddles=True, from_bt=True, cycles=False,
                        ntst=50, ncol=4, max_period=None):
    """Curves of folds and Hopf points in two parameters, with CP, BT, GH, ZH and HH points,
    and curves of folds of cycles (LPC), period doublings (PD) and tori (NS).

    Each curve is continued by pseudo-arclength on a minimally augmented
    (bordered) defining system with exact derivatives (:mod:`.systems`), both
    ways from its start, until it leaves the box ``ranges``, closes, or the
    corrector fails. Zeros of test functions on the curves are bracketed,
    located by Illinois regula falsi, refined by Newton on the extended
    system, and given their normal-form coefficients (:mod:`.normal_forms`).

    Parameters
    ----------
    model : Model
    free : (str, str)
        The two free parameters ``(p1, p2)``.
    ranges : dict
        ``{p1: (low, high), p2: (low, high)}``: the box of the diagram.
    start : DataTree, Dataset, list of them, or None
        Where curves start. ``None``: the one-parameter diagram
        (:func:`nmanalysis.continuation`) in ``p1`` over ``ranges[p1]`` at the
        value of ``p2`` in ``params`` (else the model's; with its cycles when
        ``cycles=True``), a fold curve from every LP and a Hopf curve from
        every HB. A one-parameter tree in ``p1``, or its ``special_points``
        (or a selection of its rows), starts curves from its LP and HB points
        instead, and an LPC, PD or NS curve from each of its LPC, PD and NS
        points (a diagram with ``cycles=True``). A two-parameter tree of this
        function in ``(p1, p2)``, or its ``special_points``, starts an LPC curve
        from each of its GH points. A list combines several starts.
    params, inputs : dict, optional
        Values of the other parameters (and of ``p2`` at the start) / inputs.
    ds, ds_min, ds_max : float, optional
        Arclength steps in coordinates scaled by each state's box, each
        parameter's range and (Hopf curves) ``omega^2`` at the start
        (defaults 0.005, 1e-9, 0.03).
    max_points : int, optional
        Points per direction per curve (default 3000).
    tol : float, optional
        Newton tolerance on the scaled correction (default 1e-10).
    state_bounds : dict, optional
        State -> (low, high): the scales of the states (default: declared bounds).
    neutral_saddles : bool
        Follow a Hopf curve through a Bogdanov-Takens point onto its
        neutral-saddle part (real eigenvalues ``+-k``, marked
        ``neutral_saddle``, never a Hopf point); ``False`` ends it at the BT point.
    from_bt : bool
        Start a Hopf curve at every Bogdanov-Takens point located on a fold
        curve that no traced Hopf curve passes through (e.g. when the
        one-parameter start diagram has no HB point). At BT the Hopf defining
        system holds with ``kappa = 0`` and is regular there: the curve is
        corrected at ``kappa = 0`` and continued both ways, into the Hopf
        part (``kappa > 0``) and the neutral-saddle part (``kappa < 0``,
        only with ``neutral_saddles=True``). Its ``start_point`` reads
        ``"BT #k at ..."`` with ``k`` the row of the BT point in
        ``special_points``.
    cycles : bool
        With ``start=None``, compute the one-parameter diagram with its cycles
        (and so start LPC, PD and NS curves from its special points), and start
        an LPC curve from every GH point located on the Hopf curves traced here.
        (LPC, PD and NS points and GH points given in ``start`` start curves
        whatever its value.)
    ntst, ncol : int
        Mesh intervals and Gauss points per interval of the collocation of the
        cycle curves (the mesh is redistributed along a curve, its size kept).
    max_period : float, optional
        A cycle curve ends when the period exceeds this (default 20 times the
        period at its start): the orbit approaches a homoclinic orbit.

    Returns
    -------
    xarray.DataTree
        The root's attribute ``free_parameters`` is ``"p1 p2"``; ``failed_starts``
        lists the LP / HB points from which no curve could be started (empty if none).
        ``fold/branch_<k>``, ``hopf/branch_<k>``: Datasets on dim ``point``
        with both parameters, every state, ``n_unstable``, ``stable``,
        ``eig_real``, ``eig_imag`` (dims ``point``, ``eig``), ``arclength``;
        Hopf curves also ``omega`` (NaN on neutral saddles), ``kappa``
        (``omega^2``, negative on neutral saddles), ``neutral_saddle`` and
        ``first_lyapunov``. Attributes ``curve`` (fold / hopf), ``start_point``,
        ``stop_reason_start_side``, ``stop_reason_end_side`` and ``status``
        (``complete``: both ends are the box, a closed curve or a BT end;
        ``incomplete``: a step failed or max_points was reached).
        ``special_points``: a Dataset on dim ``special`` with ``type`` (CP,
        BT, GH, ZH, HH), both parameters, every state, ``branch`` (the curves it
        lies on, comma-separated), ``status`` (located / bracketed),
        ``precision``, ``cusp_coefficient`` (CP), ``bt_a``, ``bt_b`` (BT),
        ``second_lyapunov`` (GH), ``angular_frequency`` (GH, ZH, HH),
        ``second_angular_frequency`` (HH), ``zh_s``, ``zh_theta`` (ZH) and
        ``hh_p11``, ``hh_p12``, ``hh_p21``, ``hh_p22``, ``hh_theta``,
        ``hh_delta`` (HH). Normalisations: :mod:`.normal_forms`.
        ``lpc/branch_<k>``, ``pd/branch_<k>``, ``ns/branch_<k>`` (only when
        such curves were started): Datasets on dim ``point`` with both
        parameters, ``period``, ``<state>_max`` and ``<state>_min`` (and of each
        observable), ``amplitude``, the Floquet multipliers
        ``floquet_real``/``floquet_imag`` (dim ``floquet``),
        ``trivial_multiplier_error``, ``arclength``, ``ntst``; NS curves also
        ``kappa`` (``cos theta`` of the critical multipliers ``exp(+-i
        theta)``), ``theta`` and ``neutral_saddle`` (``|kappa| > 1``: real
        multipliers ``mu``, ``1/mu``, not a torus bifurcation). Attributes
        ``curve``, ``start_point``, ``stop_reason_start_side``,
        ``stop_reason_end_side``, ``status``, ``ntst``, ``ncol``. Their
        defining systems and derivatives: :mod:`.cycle_systems`; starts and
        ends: :mod:`.cycles`. A GH point that starts an LPC curve is listed in
        ``special_points`` with that curve in its ``branch``. Codim-2 points of
        cycles are not detected on these curves.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.Model(name="doc_cusp", states={"x": {"value": 0.0, "bounds": (-2, 2)}},
    ...               params={"a": 0.0, "b": 1.0}, equations={"x": "a + b*x - x^3"})
    >>> tree = nma.codim2_continuation(m, ("a", "b"), ranges={"a": (-1, 1), "b": (-1, 2)})
    >>> sp = nma.special_points(tree)
    >>> sp["type"].values.tolist(), round(float(sp["cusp_coefficient"][0]), 12)
    (['CP'], -1.0)
    """
    from ....model.network import refuse_network
    refuse_network(model, 'codim2_continuation')
    problem = TwoParameterProblem(model, free, params=params, inputs=inputs)
    p1, p2 = problem.free
    boxes = _check_ranges(ranges, (p1, p2))
    opts = dict(_DEFAULTS)
    for k, v in dict(ds=ds, ds_min=ds_min, ds_max=ds_max, max_points=max_points,
                     tol=tol).items():
        if v is not None:
            opts[k] = v
    if not (0 < opts["ds_min"] <= opts["ds"] <= opts["ds_max"]):
        raise OptionsError(f"steps must satisfy 0 < ds_min <= ds <= ds_max; got "
                           f"ds_min={opts['ds_min']}, ds={opts['ds']}, ds_max={opts['ds_max']}")
    if not (isinstance(opts["max_points"], (int, np.integer)) and opts["max_points"] >= 2):
        raise OptionsError(f"`max_points` must be a whole number >= 2; got {max_points!r}")
    check_cycle_options(ntst, ncol, max_period)
    p2_0 = problem.start_values[1]
    seeds, cycle_seeds, p2_s = all_seeds(model, problem, start, boxes, params, inputs,
                                          state_bounds, p2_0, cycles)
    # (only a two-parameter start: its points carry their own p2)
    p2_0 = p2_0 if p2_s is None else p2_s
    if p2_s is not None and not boxes[1][0] <= p2_0 <= boxes[1][1]:
        raise OptionsError(f"the start value {p2} = {p2_0} lies outside ranges[{p2!r}] = "
                           f"{boxes[1]}")
    widths = np.append(state_widths(model, state_bounds),
                       [boxes[0][1] - boxes[0][0], boxes[1][1] - boxes[1][0]])
    curves = {"fold": [], "hopf": []}
    failed = []
    for kind, x0, p1_0, omega, p2_s in seeds:
        u0 = np.concatenate([x0, [p1_0, p2_s]] + ([[omega ** 2]] if kind == "hopf" else []))
        if any(_passes_through(c, u0, p2_s) for c in curves[kind]):
            continue
        try:
            res = _trace_curve(problem, kind, u0, widths, opts, boxes, neutral_saddles)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError) as err:
            res = f"{type(err).__name__}: {err}"
        if isinstance(res, dict):
            curves[kind].append(res)
        else:
            failed.append(f"{'LP' if kind == 'fold' else 'HB'} at {p1} = {p1_0:.12g}: "
                          f"{res or 'Newton failed at the start'}")
    if from_bt:
        _hopf_from_bt(problem, curves, widths, opts, boxes, neutral_saddles, failed)
    rows = []
    for kind in ("fold", "hopf"):
        for k, c in enumerate(curves[kind]):
            rows += [dict(r, branch=f"{kind}/branch_{k}") for r in c["rows"]]
    if cycles:
        cycle_seeds += [{"kind": "gh", "row": r} for r in _merge(rows, widths)
                        if r["type"] == "GH" and r["status"] == "located"]
    cyc, gh_rows = trace_cycle_curves(model, problem, cycle_seeds, widths, opts, boxes,
                                      params, inputs, ntst, ncol, max_period, failed)
    merged = _merge(rows + gh_rows, widths)
    nodes = {}
    for kind in ("fold", "hopf"):
        for k, c in enumerate(curves[kind]):
            if "bt_start" in c:
                c["start_point"] = _point_label("BT", c["bt_start"], merged, widths, (p1, p2))
            nodes[f"{kind}/branch_{k}"] = curve_dataset(model, problem, c, kind)
    for kind in ("lpc", "pd", "ns"):
        for k, (pb, res, label) in enumerate(cyc[kind]):
            if isinstance(label, np.ndarray):
                label = _point_label("GH", label, merged, widths, (p1, p2))
            nodes[f"{kind}/branch_{k}"] = cycle_curve_dataset(model, pb, res, kind, label)
    nodes["special_points"] = codim2_special_dataset(model, problem, merged)
    attrs = provenance(
        model, analysis="codim2_continuation", fixed_params=problem.fixed,
        method="pseudo-arclength on minimally augmented fold and Hopf systems "
               "(exact derivatives); codim-2 points by regula falsi and Newton; LPC, PD "
               "and NS curves by orthogonal collocation with bordered conditions",
        options={"free_parameters": f"{p1} {p2}", "ranges": {p1: list(boxes[0]),
                                                             p2: list(boxes[1])},
                 "start_value": p2_0, "ds": opts["ds"], "ds_min": opts["ds_min"],
                 "ds_max": opts["ds_max"], "tol": opts["tol"],
                 "max_points": opts["max_points"],
                 "neutral_saddles": bool(neutral_saddles), "from_bt": bool(from_bt),
                 "cycles": bool(cycles), "ntst": int(ntst), "ncol": int(ncol),
                 "max_period": "20 x start period" if max_period is None
                 else float(max_period)})
    tree = tree_with_provenance(nodes, attrs)
    tree.attrs["failed_starts"] = "; ".join(failed)
    return tree


def _check_ranges(ranges, names):
    if not isinstance(ranges, dict) or set(ranges) != set(names):
        got = sorted(ranges) if isinstance(ranges, dict) else ranges
        raise OptionsError(f"`ranges` must be a dict giving (low, high) for both free "
                           f"parameters {list(names)}; got {got!r}")
    out = []
    for name in names:
        try:
            lo, hi = (float(v) for v in ranges[name])
        except (TypeError, ValueError):
            raise OptionsError(f"`ranges[{name!r}]` must be (low, high); got "
                               f"{ranges[name]!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise OptionsError(f"`ranges[{name!r}]` must be finite with low < high; got "
                               f"{ranges[name]!r}")
        out.append((lo, hi))
    return tuple(out)


def _make_curve(problem, kind, u0, widths, kappa_scale=None):
    if kind == "fold":
        S = widths
    else:
        S = np.append(widths, kappa_scale or max(abs(u0[-1]), 1e-12))
    system = (FoldSystem if kind == "fold" else HopfSystem)(problem, u0)
    return ScaledCurve(system, S)


def _reset(curve, z):
    curve.system.set_borders(curve.u(z))
    if curve.kind == "hopf":
        curve.system.choose_pick(curve.u(z), curve.S)


def _trace_curve(problem, kind, u0, widths, opts, boxes, neutral_saddles, at_bt=False):
    """Both halves of the curve through the seed u0; None when Newton fails at the start.

    ``at_bt``: u0 is a Bogdanov-Takens point with ``kappa = 0`` (a Hopf curve).
    """
    kappa_scale = _bt_kappa_scale(problem, u0, widths) if at_bt else None
    curve = _make_curve(problem, kind, u0, widths, kappa_scale)
    z0 = u0 / curve.S
    _reset(curve, z0)
    e = np.zeros(z0.size)
    # hold p2 while correcting the seed (kappa = 0 at a BT point)
    e[curve.n + (2 if at_bt else 1)] = 1.0
    z, _ = curve.correct(z0, e, opts["tol"], 30)
    if z is None:
        return None
    _reset(curve, z)
    _, _, vh = np.linalg.svd(curve.jacobian(z))
    t0 = vh[-1]
    halves = []
    directions = (1.0, -1.0)
    if at_bt:
        t0 = t0 if t0[-1] > 0 else -t0                # first into the Hopf part (kappa > 0)
        if not neutral_saddles:
            directions = (1.0,)
    for direction in directions:
        _reset(curve, z)
        first = curve.point(z.copy(), direction * t0)
        branch_problem = CurveBranch(curve, first, opts, boxes)
        if kind == "hopf" and not neutral_saddles:
            branch_problem = _EndAtBT(branch_problem)
        halves.append((branch_problem, trace(branch_problem, first, opts["ds"])))
        if halves[-1][1].stop_reason == "closed curve":
            break
    fwd = halves[0][1]
    back = halves[1][1] if len(halves) > 1 else None
    points = (back.points[::-1] if back else []) + fwd.points[(1 if back else 0):]
    if back is None and at_bt:
        reasons = (_EndAtBT.reason, fwd.stop_reason)
    else:
        reasons = (back.stop_reason if back else "closed curve", fwd.stop_reason)
    rows = []
    for _, half in halves:
        for kind2, pt, info in half.special:
            rows.append(_located(curve, kind2, pt, info))
    return {"curve": curve, "points": points, "reasons": reasons,
            "rows": [r for r in rows if r is not None], "seed": u0}


def _bt_kappa_scale(problem, u0, widths):
    """A scale of kappa for a Hopf curve from a BT point (where kappa = 0): the change
    of kappa along the curve's tangent while the other coordinates move by one box."""
    system = HopfSystem(problem, u0)
    S = np.append(widths, 1.0)
    _, _, vh = np.linalg.svd(system.jacobian(u0) * S)
    t = vh[-1]
    rest = np.linalg.norm(t[:-1])
    scale = abs(t[-1]) / rest if rest > 0 else np.nan
    return float(scale) if np.isfinite(scale) and scale > 0 else 1.0


def _hopf_from_bt(problem, curves, widths, opts, boxes, neutral_saddles, failed):
    """Hopf curves from the BT points of the fold curves that no Hopf curve passes through."""
    p1, p2 = problem.free
    scale = widths[-2:]
    seen = []
    for fold in list(curves["fold"]):
        for r in fold["rows"]:
            if r["type"] != "BT" or r["status"] != "located":
                continue
            P = np.asarray(r["P"], float)
            if any(np.all(np.abs(P - Q) <= 1e-6 * scale) for Q in seen):
                continue
            seen.append(P)
            if any(_hopf_through(c, P, scale) for c in curves["hopf"]):
                continue
            u0 = np.concatenate([np.asarray(r["x"], float), P, [0.0]])
            try:
                res = _trace_curve(problem, "hopf", u0, widths, opts, boxes, neutral_saddles,
                                   at_bt=True)
            except (np.linalg.LinAlgError, FloatingPointError, ValueError) as err:
                res = f"{type(err).__name__}: {err}"
            if isinstance(res, dict):
                res["bt_start"] = P
                res["rows"].append({k: v for k, v in r.items() if k != "branch"})
                curves["hopf"].append(res)
            else:
                failed.append(f"BT at {p1} = {P[0]:.12g}, {p2} = {P[1]:.12g}: "
                              f"{res or 'Newton failed at the start'}")


def _hopf_through(c, P, scale, tol=1e-6):
    """Whether the Hopf curve ``c`` passes through (or ends at) the parameter point P."""
    for r in c["rows"]:
        if r["type"] == "BT" and np.all(np.abs(np.asarray(r["P"]) - P) <= tol * scale):
            return True
    curve = c["curve"]
    for pt in c["points"]:
        if np.all(np.abs(curve.params(pt.z) - P) <= tol * scale):
            return True
    return False


def _point_label(kind, P, merged, widths, names):
    """``"<kind> #k at p1 = ..., p2 = ..."``: the codim-2 point of ``kind`` at ``P``, numbered
    as in ``special_points`` when it is there."""
    scale = widths[-2:]
    k = next((i for i, r in enumerate(merged) if r["type"] == kind
              and np.all(np.abs(np.asarray(r["P"]) - P) <= 1e-6 * scale)), None)
    where = f"at {names[0]} = {P[0]:.12g}, {names[1]} = {P[1]:.12g}"
    return f"{kind} #{k} {where}" if k is not None else f"{kind} {where}"


class _EndAtBT:
    """A Hopf curve that ends where omega -> 0 (BT) instead of going on as a neutral saddle."""

    reason = "Bogdanov-Takens point (omega -> 0)"

    def __init__(self, inner):
        self.__dict__["inner"] = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def crossing(self, branch, cur, new, ds):
        stop = self.inner.crossing(branch, cur, new, ds)
        if stop is not None or new.tests["bt"] > 0:
            return stop
        end, _ = locate(self.inner, cur, ds, lambda pt: pt.tests["bt"])
        if end is None:
            return Stop(self.reason)
        return Stop(self.reason, last=end, ds=float((end.z - cur.z) @ cur.t))


def _located(curve, kind, pt, info):
    """Newton-refined codim-2 point and its normal form (a row), or None if it is not one."""
    _reset(curve, pt.z)
    z, corr, ok = polish(curve, pt.z, kind)
    status = info["status"]
    n = curve.n
    precision = float(info["precision"])           # arclength bracket (scaled)
    if ok and np.linalg.norm(z - pt.z) <= 1e-3:
        if curve.kind == "hopf" and kind != "BT" and not np.isfinite(curve.omega(z)):
            return None
        status = "located"
        P = curve.u(z)[n:n + 2]
        precision = float(np.max(corr * curve.S[n:n + 2] / np.maximum(np.abs(P), 1.0)))
    else:
        z = pt.z
    return codim2_row(curve, kind, z, {"status": status, "precision": precision})


def _passes_through(c, u0, p2_0, tol=1e-6):
    """Whether the traced curve ``c`` passes through the seed u0 (on the plane p2 = p2_0)."""
    curve = c["curve"]
    n = curve.n
    Z = np.array([p.z for p in c["points"]])
    z_seed = u0 / curve.S
    d = Z[:, n + 1] - z_seed[n + 1]
    idx = np.where((np.sign(d[:-1]) != np.sign(d[1:])) | (d[:-1] == 0))[0]
    e = np.zeros(z_seed.size)
    e[n + 1] = 1.0
    for i in idx:
        a, b = Z[i], Z[i + 1]
        s = d[i] / (d[i] - d[i + 1]) if d[i] != d[i + 1] else 0.0
        guess = a + s * (b - a)
        if np.linalg.norm(guess - z_seed) > 0.1:
            continue
        guess[n + 1] = z_seed[n + 1]
        _reset(curve, guess)
        z, _ = curve.correct(guess, e, 1e-12, 20)
        if z is not None and np.linalg.norm(z - z_seed) <= tol * (1 + np.linalg.norm(z_seed)):
            return True
    return False


def _merge(rows, widths, tol=1e-7):
    """One row per codim-2 point (a BT or ZH lies on a fold and on a Hopf curve)."""
    out = []
    scale = widths[-2:]
    for r in rows:
        for o in out:
            if o["type"] == r["type"] and np.all(np.abs(o["P"] - r["P"]) <= tol * scale):
                if r["branch"] not in o["branch"].split(","):
                    o["branch"] += "," + r["branch"]
                if o["status"] != "located" and r["status"] == "located":
                    o.update({k: v for k, v in r.items() if k != "branch"})
                break
        else:
            out.append(dict(r))
    out.sort(key=lambda r: (r["type"], float(r["P"][0]), float(r["P"][1])))
    return out
