"""``fixed_points``: every equilibrium in a box, at every point of a parameter sweep."""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_names
from ..errors import OptionsError
from ..integrate.batch import make_grid
from ..integrate.parallel import run_pieces
from ..integrate.sizing import check_memory
from ..results.attrs import fixed_params, json_attr, label_sweep_dims, provenance
from ..results.conventions import eigenvalue_attrs
from .scales import search_box
from .stability import KINDS, classify, eigen_sorted

__all__ = ["fixed_points", "low_discrepancy", "synchronous_starts"]

#: most multi-starts (besides the synchronous ones) a network gets by default
_NET_STARTS = 512
#: most dims of the Halton set of :func:`low_discrepancy`
_HALTON_DIM = 30

def low_discrepancy(n_points, dim, seed=0):
    """Points in [0, 1)^dim: the Halton sequence with a seeded random shift (mod 1).

    Space-filling like a Sobol set, in a few lines of numpy (``scipy.stats``
    takes seconds to import).
    """
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
              73, 79, 83, 89, 97, 101, 103, 107, 109, 113]
    if dim > len(primes):
        raise OptionsError(f"low-discrepancy starts support up to {len(primes)} states")
    idx = np.arange(1, n_points + 1)
    out = np.empty((n_points, dim))
    for d in range(dim):
        b, f, r, i = primes[d], 1.0, np.zeros(n_points), idx.copy()
        while np.any(i > 0):
            f /= b
            r += f * (i % b)
            i //= b
        out[:, d] = r
    shift = np.random.default_rng(seed).random(dim)
    return (out + shift) % 1.0


def _starts(lo, hi, n_starts, seed):
    return lo + low_discrepancy(n_starts, lo.shape[0], seed) * (hi - lo)


def _polish(evaluate, X, ok, rows, widths, iterations=6):
    """More Newton steps for states in small units, in place; returns the new ``ok``.

    The compiled Newton stops at ``max|f| <= tol`` or a step below ``1e-14 (1 +
    |x|)``: absolute tests, loose for states whose sizes are far below 1 (a model
    in volts rather than millivolts). Here converged solutions take further steps
    until every step is below ``1e-13`` of its state's search width.
    """
    small = widths < 0.1
    if not np.any(small):
        return ok
    idx = np.flatnonzero(ok)
    for _ in range(iterations):
        if idx.size == 0:
            break
        f, J = evaluate(X[:, idx].T, rows[idx])
        with np.errstate(all="ignore"):
            try:
                dx = np.linalg.solve(J, f[..., None])[..., 0]
            except np.linalg.LinAlgError:
                break
        good = np.all(np.isfinite(dx), axis=1)
        X[:, idx[good]] -= dx[good].T
        done = np.all(np.abs(dx) <= 1e-13 * widths, axis=1)
        idx = idx[good & ~done]
    return ok


class _Solver:
    """Runs the compiled batched Newton on (guess, sweep-row) pairs."""

    def __init__(self, system, P, tol, max_iter, progress):
        self.system, self.P, self.tol, self.max_iter = system, P, tol, max_iter
        self.progress = progress
        self.n_solves = 0

    def solve(self, X, rows):
        X = np.ascontiguousarray(X, dtype=float)
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        K = X.shape[1]
        conv = np.zeros(K, np.int8)
        res = np.full(K, np.inf)
        nit = np.zeros(K, np.int64)

        def run(lo, hi):
            self.system.newton_batch(X, self.P, rows, self.tol, self.max_iter, lo, hi, conv,
                                     res, nit)

        run_pieces(run, K, 20 * X.shape[0] ** 2, self.progress, "fixed points")
        self.n_solves += K
        return X, conv == 1, res


def _node_inputs(net, inputs):
    """A network's ``inputs`` by node-model name (one number for every node, or N of
    them) spelled out as the flat model's ``<input>_<node>``; other names pass."""
    out = {}
    for k, v in dict(inputs or {}).items():
        if k in net.node_model.input_names:
            vals = np.asarray(v, dtype=float) if not isinstance(v, str) else np.array(np.nan)
            if vals.ndim == 0:
                vals = np.full(net.n_nodes, float(vals))
            if vals.shape != (net.n_nodes,):
                raise OptionsError(f"`inputs[{k!r}]` of a network must be one number or "
                                   f"{net.n_nodes} (one per node) for equilibria; got {v!r}")
            out.update({f"{k}_{i}": float(x) for i, x in enumerate(vals)})
        else:
            out[k] = v
    return out


class _NetworkSolver:
    """Newton on a network's structured ``F`` / ``J`` (no flat model compiled).

    Same interface as :class:`_Solver`; the starts run in batches sized so that
    their Jacobians stay within a few tens of MB.
    """

    def __init__(self, lin, net, model, P, tol, max_iter):
        from .network_stability import network_values

        self.lin, self.tol, self.max_iter = lin, tol, max_iter
        names = list(model.param_names)
        K, Pn = [], []
        for b in range(P.shape[1]):
            k, pn = lin.parameters(network_values(net, {m: P[i, b] for i, m in
                                                        enumerate(names)}))
            K.append(k)
            Pn.append(pn)
        self.K, self.Pn = np.array(K), np.array(Pn)
        # constant inputs of the flat model (``<input>_<node>``) into the node columns
        n_np, N = len(net.node_model.param_names), net.n_nodes
        flat_inputs = list(model.input_names)
        for k, u in enumerate(net.node_model.input_names):
            for i in range(N):
                row = len(names) + flat_inputs.index(f"{u}_{i}")
                self.Pn[:, i, n_np + k] = P[row]
        self.n_solves = 0

    def evaluate(self, X, rows, jac=True):
        """``F`` (k, n) and ``J`` (k, n, n) at states X (k, n) of sweep rows ``rows``."""
        return self.lin.batch(X, self.K[rows], self.Pn[rows], jac)

    def solve(self, X, rows):
        from .network_linear import newton_batch

        n, M = X.shape
        out = np.array(X, dtype=float, copy=True)
        ok = np.zeros(M, bool)
        res = np.full(M, np.inf)
        chunk = int(max(1, min(4096, 4e6 // (n * n))))
        for a in range(0, M, chunk):
            r = np.asarray(rows[a:a + chunk], np.int64)
            x, status, norm = newton_batch(
                lambda Y, idx, jac, r=r: self.evaluate(Y, r[idx], jac),
                out[:, a:a + chunk].T, self.tol, self.max_iter)
            out[:, a:a + chunk] = x.T
            ok[a:a + chunk] = status == 1
            res[a:a + chunk] = norm
        self.n_solves += M
        return out, ok, res


def synchronous_starts(net, lo, hi, seed):
    """Starts with every node of a network in the same state (Halton set in one node's box).

    Equilibria of networks of identical nodes often lie in (or near) this
    subspace, which a multi-start in the full box samples thinly.
    """
    ns = len(net.node_state_names)
    k = max(32, 16 * ns)
    node = lo[:ns] + low_discrepancy(k, ns, seed + 1) * (hi[:ns] - lo[:ns])
    return np.tile(node, (1, net.n_nodes))


def _dedup(sol, row, dedup_tol, widths=None):
    """Unique solutions per row: (sol (M, n), row (M,)), sorted by row then state.

    Two solutions are one when every state agrees to ``dedup_tol * max(1, |x|)``,
    or to ``dedup_tol * max(w, |x|)`` with ``w`` the state's search width when
    that is smaller (states in small units are compared in their own units).
    Copies that agree to rounding are dropped first (binned on a grid whose
    step is the tolerance at the size of the number, rounded to a power of
    two); what is left of each row is compared pairwise.
    """
    if sol.shape[0] == 0:
        return sol, row
    unit = np.ones(sol.shape[1]) if widths is None else np.minimum(1.0, widths)
    size = np.maximum(unit, np.abs(sol))
    step = dedup_tol * np.exp2(np.ceil(np.log2(size)))
    keys = np.column_stack([row, np.round(sol / step).astype(np.int64)])
    _, first = np.unique(keys, axis=0, return_index=True)
    sol, row = sol[first], row[first]
    order = np.lexsort((*sol.T[::-1], row))
    sol, row = sol[order], row[order]
    # pairwise within each row: keep a solution unless an earlier kept one is the same
    start = np.searchsorted(row, row, side="left")
    slot = np.arange(row.size) - start
    urow, inv = np.unique(row, return_inverse=True)
    width = int(slot.max()) + 1
    pad = np.full((urow.size, width, sol.shape[1]), np.nan)
    pad[inv, slot] = sol
    tol = dedup_tol * np.maximum(unit, np.abs(pad))
    kept = np.zeros((urow.size, width), bool)
    kept[:, 0] = True
    for i in range(1, width):
        close = np.all(np.abs(pad[:, :i] - pad[:, i:i + 1]) <= tol[:, i:i + 1], axis=2)
        kept[:, i] = np.isfinite(pad[:, i, 0]) & ~np.any(close & kept[:, :i], axis=1)
    keep = kept[inv, slot]
    return sol[keep], row[keep]


def _merge(found, X, ok, rows, lo, hi, dedup_tol):
    """Add converged, in-box solutions to ``found`` = (sol, row); return (found, n_added)."""
    widths = hi - lo
    margin = 1e-9 * np.maximum(1.0, np.abs(hi - lo))
    inside = np.all((X.T >= lo - margin) & (X.T <= hi + margin), axis=1)
    keep = ok & inside & np.all(np.isfinite(X), axis=0)
    sol = np.concatenate([found[0], X[:, keep].T])
    row = np.concatenate([found[1], rows[keep]])
    before = found[0].shape[0]
    sol, row = _dedup(sol, row, dedup_tol, widths)
    return (sol, row), sol.shape[0] - before


def _neighbour_guesses(found, shape):
    """Solutions of each sweep point's neighbours along every sweep dim, as new guesses."""
    sol, row = found
    if not shape or sol.shape[0] == 0:
        return np.zeros((0, 0)), np.zeros(0, np.int64)
    idx = np.array(np.unravel_index(row, shape))          # (ndim, M)
    guesses, rows = [], []
    for axis in range(len(shape)):
        for shift in (-1, 1):
            nb = idx.copy()
            nb[axis] += shift
            valid = (nb[axis] >= 0) & (nb[axis] < shape[axis])
            if valid.any():
                guesses.append(sol[valid])
                rows.append(np.ravel_multi_index(tuple(nb[:, valid]), shape))
    if not guesses:
        return np.zeros((0, 0)), np.zeros(0, np.int64)
    return np.concatenate(guesses).T, np.concatenate(rows).astype(np.int64)


def fixed_points(model, *, params=None, bounds=None, inputs=None, n_starts=None, tol=1e-12,
                 max_iter=60, seed=0, dedup_tol=1e-7, kind_tol=1e-9, n_roots=None,
                 progress=None):
    """All equilibria inside a box, for every point of a parameter sweep.

    Parameters
    ----------
    model : Model
    params : dict, optional
        Parameter name -> number or 1-D array (sweep), as in :func:`simulate`.
    bounds : dict, optional
        State -> (low, high): the box searched. States left out use their
        declared bounds, else ``(-10, 10)``.
    inputs : dict, optional
        Constant values of the model's inputs (defaults otherwise).
    n_starts : int, optional
        Starting points of the multi-start (a randomly shifted Halton set in the box);
        default ``max(128, 32 * n_states)`` (a network: at most 512 of them,
        uniformly random rather than Halton beyond 30 states).
        A network also gets ``max(32, 16 * n_node_states)`` starts with every
        node in the same state.
    tol : float
        Newton stops when ``max|f| <= tol`` or when a full Newton step is below
        ``1e-14 (1 + max|x|)`` (machine precision for badly scaled models).
    max_iter : int
        Newton iterations per start.
    seed : int
        Seed of the random shift of the Halton set (results are reproducible).
    dedup_tol : float
        Two solutions closer than ``dedup_tol * max(1, |x|)`` in every state are one.
    kind_tol : float
        Relative tolerance on eigenvalue real parts for "center / non-hyperbolic".
    n_roots : int, optional
        Networks with delays only: how many of the rightmost characteristic
        roots to report on dim ``eig`` (default: the number of states, at
        least 6, at most 16).
    progress : bool, optional
        Progress bar on long runs.

    Returns
    -------
    xarray.Dataset
        Dims: the sweep dims, ``fp`` (equilibria of one sweep point, sorted by
        the first state, NaN-padded), ``eig``. Variables: one per state,
        ``eig_real``, ``eig_imag`` (sorted by descending real part), ``stable``,
        ``n_unstable``, ``kind`` (str), ``converged``, ``residual`` (``max |f|``),
        and ``n_fp`` (number found per sweep point).

        For a :class:`~nmanalysis.model.network.Network` the states are the
        flat ones (``rE_0, rI_0, rE_1, ...``) and parameters those of
        ``net.to_model()`` (network parameters such as ``K`` and ``speed`` can
        be swept); constant ``inputs`` of the node model are given by their
        node-model name (one number for every node, or one per node) or as
        ``<input>_<node>``. The flat model is not compiled: ``F`` and its Jacobian are
        assembled from the compiled node model and the coupling
        (:mod:`nmanalysis.analysis.network_linear`). When some edge has a positive delay, ``eig_real`` /
        ``eig_imag`` are the ``n_roots`` rightmost roots of the characteristic
        equation ``det(lambda I - A0 - sum_k A_k exp(-lambda tau_k)) = 0`` of
        the delayed linearisation, not Jacobian eigenvalues; ``stable``,
        ``n_unstable`` (every root with Re > 0, however many) and ``kind`` come
        from them, ``roots_converged`` flags roots confirmed at two
        collocation degrees, and ``attrs`` record the delays (see
        :mod:`nmanalysis.analysis.network_stability`).

    Notes
    -----
    *Complete* here means: every equilibrium in the box that Newton reaches
    from some start or from an equilibrium of a neighbouring sweep point
    (sweep points are revisited until no new solution appears). It can miss
    equilibria outside the box, equilibria whose basin of attraction under
    Newton is tiny compared with the spacing of the starts, and the two
    members of a pair that are about to merge at a fold (closer than
    ``dedup_tol``). Increase ``n_starts`` or refine the sweep near folds when
    in doubt; continuation is the tool that follows branches exactly.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> m = nma.get_model("fitzhugh_nagumo")
    >>> fp = nma.fixed_points(m, params={"I": [0.0, 1.0]})
    >>> fp["n_fp"].values.tolist(), fp["kind"].sel(I=0.0, fp=0).item()
    ([1, 1], 'stable focus')
    """
    from ..compile import compile_model
    from ..model.network import Network

    net = None
    if isinstance(model, Network):      # equilibria do not depend on the delays
        net, model = model, model.to_model()    # names only: never compiled
    elif n_roots is not None:
        raise OptionsError("`n_roots` applies to networks with delays only; a Model's "
                           "eigenvalues are all reported")
    if model.uses_time():
        raise OptionsError(f"model {model.name!r} depends explicitly on time `t`; equilibria "
                           "are defined for autonomous models only")
    params = check_names(params, model.param_names, "params", {"inputs": model.input_names})
    if net is not None:
        inputs = _node_inputs(net, inputs)
    inputs = check_names(inputs, model.input_names, "inputs")
    for k, v in inputs.items():
        if np.ndim(v) != 0:
            raise OptionsError(f"`inputs[{k!r}]` must be one constant number for equilibria")
    lo, hi = search_box(model, bounds)
    n = model.n_states
    if n_starts is None:
        n_starts = max(128, 32 * n) if net is None else max(128, min(32 * n, _NET_STARTS))
    elif not (isinstance(n_starts, numbers.Integral) and not isinstance(n_starts, bool)
              and n_starts >= 1):
        raise OptionsError(f"`n_starts` must be a whole number >= 1; got {n_starts!r}")
    grid = make_grid([(k, k, v) for k, v in params.items()])
    B = grid.size
    # Newton runs on every (row, start) pair at once: states, steps, Jacobians
    check_memory(8.0 * B * (len(model.param_names) + len(model.input_names) + 8)
                 + 8.0 * B * n_starts * (4 * n + n * n + 4),
                 f"fixed_points of {B} sweep rows x {n_starts} starts",
                 "use fewer `n_starts` or fewer sweep values per call")
    P = np.empty((len(model.param_names) + len(model.input_names), B))
    for i, name in enumerate(model.param_names):
        P[i] = grid.flat(name, model.params[name])
    for j, name in enumerate(model.input_names):
        P[len(model.param_names) + j] = float(inputs.get(name, model.inputs[name]))

    if net is None:
        system = compile_model(model)
        solver = _Solver(system, P, float(tol), int(max_iter), progress)

        def evaluate(X, rows):
            Xc = np.ascontiguousarray(X.T)
            J = np.empty((X.shape[0], n, n))
            f = np.empty((n, X.shape[0]))
            system.jac_batch(Xc, P, rows, 0, X.shape[0], J)
            system.rhs_batch(Xc, P, rows, 0, X.shape[0], f)
            return f.T, J
    else:                               # F and J assembled from the compiled node model
        from .network_linear import network_linear
        solver = _NetworkSolver(network_linear(net), net, model, P, float(tol), int(max_iter))
        evaluate = solver.evaluate
    if net is None or n <= _HALTON_DIM:
        starts = _starts(lo, hi, n_starts, seed)
    else:                               # beyond the Halton set's dims: seeded uniform starts
        starts = lo + np.random.default_rng(seed).random((n_starts, n)) * (hi - lo)
    if net is not None:                 # also every node in the same state
        starts = np.vstack([starts, synchronous_starts(net, lo, hi, seed)])
    X = np.repeat(starts.T[:, None, :], B, axis=1).reshape(n, B * starts.shape[0])
    rows = np.repeat(np.arange(B), starts.shape[0])
    found = (np.zeros((0, n)), np.zeros(0, np.int64))
    Xs, ok, _ = solver.solve(X, rows)
    ok = _polish(evaluate, Xs, ok, rows, hi - lo)
    found, _ = _merge(found, Xs, ok, rows, lo, hi, dedup_tol)
    passes = 0
    while passes < 6:
        G, grow = _neighbour_guesses(found, grid.shape)
        if G.size == 0:
            break
        Gs, gok, _ = solver.solve(G, grow)
        gok = _polish(evaluate, Gs, gok, grow, hi - lo)
        passes += 1
        found, added = _merge(found, Gs, gok, grow, lo, hi, dedup_tol)
        if added == 0:
            break
    ds = _dataset(model, grid, evaluate, found, tol, kind_tol, dict(
        n_starts=n_starts, seed=seed, max_iter=max_iter, dedup_tol=dedup_tol,
        neighbour_passes=passes, newton_solves=solver.n_solves,
        search_box=json_attr({s: [float(a), float(b)]
                              for s, a, b in zip(model.state_names, lo, hi)}),
    ), params)
    if net is not None:                 # stability: the delayed characteristic roots
        from .network_stability import network_fixed_points_stability
        ds = network_fixed_points_stability(net, model, ds, P, n_roots=n_roots,
                                            kind_tol=kind_tol)
    return ds


def _dataset(model, grid, evaluate, found, tol, kind_tol, options, params):
    import xarray as xr

    n, B = model.n_states, grid.size
    sol, row = found                       # sorted by row, then by the states
    count = np.bincount(row, minlength=B)
    F = max(1, int(count.max(initial=0)))
    X = np.full((B, F, n), np.nan)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    slot = np.arange(row.size) - start[row]
    X[row, slot] = sol
    flat = np.ascontiguousarray(X.reshape(B * F, n).T)
    rows = np.repeat(np.arange(B), F)
    J = np.full((B * F, n, n), np.nan)
    fx = np.full((n, B * F), np.nan)
    have = np.isfinite(flat[0])
    idx = np.flatnonzero(have)
    if idx.size:
        fsub, Jsub = evaluate(flat[:, idx].T, rows[idx].astype(np.int64))
        J[idx], fx[:, idx] = Jsub, fsub.T
    lam = eigen_sorted(J)
    kind, stable, nu = classify(lam, kind_tol)
    residual = np.where(have, np.max(np.abs(fx), axis=0), np.nan)
    converged = have
    kind_str = np.array(KINDS, dtype=object)[kind]
    kind_str[~converged] = ""

    dims = grid.dims
    shape = grid.shape
    fdims = (*dims, "fp")
    coords = {d: grid.coords[d] for d in dims}
    coords["fp"] = ("fp", np.arange(F), {"long_name": "equilibrium index", "units": "1"})
    coords["eig"] = ("eig", np.arange(n), {"long_name": "eigenvalue index (by real part)",
                                           "units": "1"})
    data = {}
    for i, s in enumerate(model.state_names):
        info = model.state_info[s]
        data[s] = (fdims, X[:, :, i].reshape(*shape, F),
                   {"long_name": f"{info.description or s} at equilibrium", "units": info.units})
    data["eig_real"] = ((*fdims, "eig"), lam.real.reshape(*shape, F, n),
                        eigenvalue_attrs(model, "real"))
    data["eig_imag"] = ((*fdims, "eig"), lam.imag.reshape(*shape, F, n),
                        eigenvalue_attrs(model, "imaginary"))
    data["stable"] = (fdims, (stable & converged).reshape(*shape, F),
                      {"long_name": "linearly stable (all Re < 0)", "units": "1"})
    data["n_unstable"] = (fdims, np.where(converged, nu, -1).reshape(*shape, F).astype(np.int16),
                          {"long_name": "number of eigenvalues with Re > 0 (-1: none)",
                           "units": "1"})
    data["kind"] = (fdims, kind_str.reshape(*shape, F).astype(str),
                    {"long_name": "kind of equilibrium", "units": "1",
                     "description": f"one of {', '.join(KINDS[:-1])}; '' for padding",
                     "kind_tol": kind_tol})
    data["converged"] = (fdims, converged.reshape(*shape, F),
                         {"long_name": "Newton converged (False: padding)", "units": "1"})
    data["residual"] = (fdims, residual.reshape(*shape, F),
                        {"long_name": "max |f| at the equilibrium", "units": "1"})
    data["n_fp"] = (dims, count.reshape(shape),
                    {"long_name": "number of equilibria found", "units": "1"})
    ds = xr.Dataset(data, coords=coords)
    label_sweep_dims(ds, model, dims)
    ds.attrs.update(provenance(model, analysis="fixed_points",
                               fixed_params=fixed_params(model, params),
                               method="damped Newton, Halton multi-start + neighbour seeding",
                               options={"tol": tol, "kind_tol": kind_tol, **options}))
    return ds
