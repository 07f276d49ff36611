"""Characteristic roots of linear delay equations, and Hopf points in a parameter.

The linearisation of a delay equation at an equilibrium,

    x'(t) = A0 x(t) + sum_k A_k x(t - tau_k),

has solutions ``v e^{lambda t}`` exactly where ``lambda`` solves the
characteristic equation ``det Delta(lambda) = 0`` with

    Delta(lambda) = lambda I - A0 - sum_k A_k exp(-lambda tau_k).

There are infinitely many roots, but only finitely many to the right of any
vertical line, and the equilibrium is stable when every root has negative
real part. The roots are computed in two stages:

1. the infinitesimal generator of the solution semigroup is discretised by
   Chebyshev collocation on ``[-tau_max, 0]`` (Breda, Maset & Vermiglio, SIAM J.
   Sci. Comput. 27, 2005; the method DDE-BIFTOOL uses); the eigenvalues of the
   resulting ``n (N + 1)`` square matrix approximate the rightmost roots;
2. each approximation is polished by Newton's method on the exact equation
   ``det Delta(lambda) = 0``, whose logarithmic derivative is
   ``trace(Delta(lambda)^{-1} Delta'(lambda))`` with
   ``Delta'(lambda) = I + sum_k tau_k A_k exp(-lambda tau_k)``.

Only numpy and scipy are used; models and networks build ``(A0, taus, As)`` and
call in here.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceWarning, OptionsError

__all__ = ["DelaySpectrum", "DelayHopf", "delay_eigenvalues", "characteristic_matrix",
           "generator_matrix", "delay_hopf", "locate_hopf", "OneBlasThread"]

#: first collocation degree of the automatic choice, its growth factor, and the
#: largest discretised generator (rows) it builds by default
_START_DEGREE = 12
_GROWTH = 1.5
_MAX_ROWS = 2400


class OneBlasThread:
    """Run OpenBLAS on one thread inside the block (restored afterwards).

    The matrices of the root finders have tens to a few thousand rows: on a
    machine with few, busy cores OpenBLAS's threads make their factorisations,
    SVDs and eigenvalue solves several to tens of times slower while they wait
    for a free core (the generator eigenvalues of an 8-node network: 30 s
    against 2 s measured on 2 loaded cores). The thread count of every
    OpenBLAS loaded in the process (numpy's and scipy's) is set through its
    ``*_set_num_threads`` entry point; without OpenBLAS this does nothing.
    """

    _libs = None

    @classmethod
    def _find(cls):
        if cls._libs is None:
            import ctypes

            found = []
            try:
                with open("/proc/self/maps") as fh:
                    paths = {ln.split()[-1] for ln in fh if "openblas" in ln.lower()}
            except OSError:
                paths = set()
            for path in sorted(p for p in paths if p.startswith("/")):
                try:
                    lib = ctypes.CDLL(path)
                except OSError:
                    continue
                for prefix in ("scipy_openblas_", "openblas_"):
                    for suffix in ("64_", ""):
                        get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                        put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                        if get is not None and put is not None:
                            found.append((get, put))
                            break
                    else:
                        continue
                    break
            cls._libs = found
        return cls._libs

    def __enter__(self):
        self._saved = []
        for get, put in self._find():
            self._saved.append((put, int(get())))
            put(1)
        return self

    def __exit__(self, *exc):
        for put, k in self._saved:
            put(k)
        return False


@dataclass(frozen=True)
class DelaySpectrum:
    """Rightmost characteristic roots of a linear delay equation.

    Attributes
    ----------
    roots : ndarray of shape (count,), complex
        Sorted by descending real part (within a complex pair the root with
        positive imaginary part first); a repeated root (e.g. of a symmetric
        network) appears as often as it has independent null vectors of
        ``Delta(lambda)``. Fewer than ``count`` only when the
        equation has fewer roots (delayed terms that vanish from the
        determinant, or no delays and ``count > n``).
    residual : ndarray of shape (count,)
        ``sigma_min(Delta(lambda)) / (1 + |lambda| + ||A0|| + sum_k ||A_k|| |e^{-lambda tau_k}|)``:
        the smallest singular value of the characteristic matrix, relative to its size.
    converged : ndarray of shape (count,), bool
        Newton converged on the exact equation and the root was found, to the
        tolerance, at two successive collocation degrees.
    degree : int
        Collocation degree ``N`` of the discretised generator used last
        (0 when there are no nonzero delays).
    """

    roots: np.ndarray
    residual: np.ndarray
    converged: np.ndarray
    degree: int

    @property
    def rightmost(self) -> complex:
        """The root with the largest real part (its spectral abscissa is ``rightmost.real``)."""
        return complex(self.roots[0])

    @property
    def stable(self) -> bool:
        """True when the rightmost root has negative real part."""
        return bool(self.roots[0].real < 0)


def check_system(A0, taus, As):
    """``(A0, taus, As)`` as float arrays of shapes (n, n), (m,), (m, n, n), else OptionsError."""
    try:
        A0 = np.asarray(A0, dtype=float)
        taus = np.asarray(taus if taus is not None else [], dtype=float).reshape(-1)
        As = np.asarray(As if As is not None else [], dtype=float)
    except (TypeError, ValueError):
        raise OptionsError("`A0`, `taus` and `As` must be real numeric arrays") from None
    if A0.ndim != 2 or A0.shape[0] != A0.shape[1] or A0.shape[0] == 0:
        raise OptionsError(f"`A0` must be a square matrix of shape (n, n); got shape {A0.shape}")
    n, m = A0.shape[0], taus.size
    if m == 0 and As.size == 0:
        As = np.zeros((0, n, n))
    if As.shape != (m, n, n):
        raise OptionsError(f"`As` must have shape (len(taus), n, n) = ({m}, {n}, {n}); "
                           f"got shape {As.shape}")
    for name, arr in (("A0", A0), ("taus", taus), ("As", As)):
        if not np.all(np.isfinite(arr)):
            raise OptionsError(f"`{name}` must be finite; it has NaN or infinite entries")
    if np.any(taus < 0):
        raise OptionsError(f"`taus` must be >= 0 (delays look into the past); got "
                           f"{taus[taus < 0][0]!r}")
    return A0, taus, As


def characteristic_matrix(lam, A0, taus, As, derivative=False):
    """``Delta(lambda) = lambda I - A0 - sum_k A_k e^{-lambda tau_k}`` (and ``Delta'``).

    Parameters
    ----------
    lam : complex
    A0 : ndarray of shape (n, n)
    taus : ndarray of shape (m,)
    As : ndarray of shape (m, n, n)
    derivative : bool
        Also return ``Delta'(lambda) = I + sum_k tau_k A_k e^{-lambda tau_k}``.

    Returns
    -------
    ndarray of shape (n, n), complex (a pair of them with ``derivative``)

    Examples
    --------
    >>> import numpy as np
    >>> D = characteristic_matrix(1j * np.pi / 2, [[0.0]], [1.0], [[[-np.pi / 2]]])
    >>> bool(abs(D[0, 0]) < 1e-15)
    True
    """
    A0, taus, As = (np.asarray(a, dtype=float) for a in (A0, taus, As))
    n = A0.shape[0]
    e = np.exp(-lam * taus)
    delayed = np.tensordot(e, As, axes=1) if taus.size else np.zeros((n, n))
    D = lam * np.eye(n) - A0 - delayed
    if not derivative:
        return D
    dD = np.eye(n) + (np.tensordot(e * taus, As, axes=1) if taus.size else 0.0)
    return D, dD


def chebyshev(N):
    """Chebyshev points ``cos(j pi / N)`` on [-1, 1] and their differentiation matrix."""
    x = np.cos(np.pi * np.arange(N + 1) / N)
    c = np.ones(N + 1)
    c[0] = c[-1] = 2.0
    c *= (-1.0) ** np.arange(N + 1)
    dx = x[:, None] - x[None, :] + np.eye(N + 1)
    D = np.outer(c, 1.0 / c) / dx
    D -= np.diag(D.sum(axis=1))
    return x, D


def _lagrange_row(x, xs):
    """Values at ``xs`` of the Lagrange basis on the Chebyshev points ``x`` (barycentric)."""
    N = x.size - 1
    w = (-1.0) ** np.arange(N + 1)
    w[0] *= 0.5
    w[-1] *= 0.5
    rows = np.empty((len(xs), N + 1))
    for i, xi in enumerate(xs):
        diff = xi - x
        hit = np.flatnonzero(np.abs(diff) < 1e-15)
        if hit.size:
            rows[i] = 0.0
            rows[i, hit[0]] = 1.0
        else:
            t = w / diff
            rows[i] = t / t.sum()
    return rows


def generator_matrix(A0, taus, As, degree):
    """The infinitesimal generator discretised by Chebyshev collocation of degree ``N``.

    The state is the history on ``N + 1`` Chebyshev points of ``[-tau_max, 0]``
    (``theta_0 = 0`` first), ``n`` values each. Rows ``1..N`` differentiate the
    interpolating polynomial; row block 0 is the equation itself, with
    ``x(-tau_k)`` read from the interpolant.

    Returns
    -------
    ndarray of shape (n (N + 1), n (N + 1))

    Examples
    --------
    >>> import numpy as np
    >>> M = generator_matrix([[-1.0]], [1.0], [[[0.5]]], 4)
    >>> M.shape
    (5, 5)
    """
    A0, taus, As = check_system(A0, taus, As)
    n, N = A0.shape[0], int(degree)
    tau_max = float(taus.max(initial=0.0))
    if tau_max == 0.0 or N < 1:
        raise OptionsError("`generator_matrix` needs a positive delay and a degree >= 1")
    x, D = chebyshev(N)
    ell = _lagrange_row(x, 1.0 - 2.0 * taus / tau_max)       # theta = tau_max (x - 1) / 2
    M = np.kron((2.0 / tau_max) * D, np.eye(n))
    M[:n] = 0.0
    block = np.tensordot(ell.T, As, axes=1)                    # (N + 1, n, n)
    block[0] += A0
    M[:n] = block.transpose(1, 0, 2).reshape(n, (N + 1) * n)
    return M


def _polish(lam, A0, taus, As, tol, max_iter=60):
    """Newton on ``det Delta = 0`` from ``lam``; return (root, converged)."""
    n = A0.shape[0]
    for _ in range(max_iter):
        with np.errstate(all="ignore"):
            D, dD = characteristic_matrix(lam, A0, taus, As, derivative=True)
            if not (np.all(np.isfinite(D)) and np.all(np.isfinite(dD))):
                return lam, False
            try:
                trace = np.trace(np.linalg.solve(D, dD))
            except np.linalg.LinAlgError:
                return lam, True                      # exactly singular: a root
        if not np.isfinite(trace) or trace == 0:
            return lam, bool(np.linalg.cond(D) > 1e14) if n else False
        step = 1.0 / trace
        lam = lam - step
        if abs(step) <= tol * (1.0 + abs(lam)):
            return lam, True
    return lam, False


def _polish_batch(lams, A0, taus, As, tol, max_iter=60):
    """:func:`_polish` of many starts at once (batched linear algebra); (roots, converged).

    Starts whose batched step fails (a singular or non-finite characteristic
    matrix) finish one by one in :func:`_polish`, so the outcome is the same.
    """
    lam = np.asarray(lams, dtype=complex).copy()
    k, n = lam.size, A0.shape[0]
    done = np.zeros(k, bool)
    ok = np.zeros(k, bool)
    eye = np.eye(n)
    single = np.zeros(k, bool)
    for _ in range(max_iter):
        act = np.flatnonzero(~done & ~single)
        if act.size == 0:
            break
        z = lam[act]
        with np.errstate(all="ignore"):
            e = np.exp(-z[:, None] * taus[None, :])                    # (a, m)
            D = z[:, None, None] * eye - A0 - np.einsum("am,mij->aij", e, As)
            dD = eye + np.einsum("am,mij->aij", e * taus, As)
            finite = np.all(np.isfinite(D), axis=(1, 2)) & np.all(np.isfinite(dD), axis=(1, 2))
            try:
                trace = np.where(finite, np.trace(np.linalg.solve(
                    np.where(finite[:, None, None], D, eye), dD), axis1=1, axis2=2), np.nan)
            except np.linalg.LinAlgError:
                single[act] = True                  # finish these one by one
                break
        bad = ~np.isfinite(trace) | (trace == 0)
        single[act[bad]] = True                     # let the scalar version decide
        good = act[~bad]
        step = 1.0 / trace[~bad]
        lam[good] = lam[good] - step
        conv = np.abs(step) <= tol * (1.0 + np.abs(lam[good]))
        done[good[conv]] = True
        ok[good[conv]] = True
    for i in np.flatnonzero(single & ~done):
        lam[i], ok[i] = _polish(complex(lam[i]), A0, taus, As, tol, max_iter)
    return lam, ok


def _residual(lam, A0, taus, As):
    with np.errstate(all="ignore"):
        D = characteristic_matrix(lam, A0, taus, As)
        if not np.all(np.isfinite(D)):
            return np.inf
        scale = 1.0 + abs(lam) + np.linalg.norm(A0, 2) + sum(
            np.linalg.norm(Ak, 2) * abs(np.exp(-lam * tk)) for tk, Ak in zip(taus, As))
        return float(np.linalg.svd(D, compute_uv=False)[-1] / scale)


def _sort(roots):
    roots = np.asarray(roots, dtype=complex)
    order = np.lexsort((-roots.imag, -roots.real))
    return roots[order]


def _unique_upper(candidates, A0, taus, As, tol):
    """Polish candidates with Im >= 0; drop duplicates; add the conjugates (real system)."""
    found = []
    polished, good = _polish_batch(candidates, A0, taus, As, tol)
    for root, ok in zip(polished, good):
        root = complex(root)
        if not ok or not np.isfinite(root):
            continue
        if abs(root.imag) <= 10 * tol * (1.0 + abs(root)):
            root = complex(root.real, 0.0)
        elif root.imag < 0:
            root = root.conjugate()
        if all(abs(root - f) > 1e3 * tol * (1.0 + abs(root)) for f in found):
            found.append(root)
    found = [r for r in found for _ in range(_multiplicity(r, A0, taus, As))]
    roots = found + [r.conjugate() for r in found if r.imag != 0.0]
    return _sort(roots)


def _multiplicity(lam, A0, taus, As, rel=1e-8):
    """Geometric multiplicity of a root: singular values of ``Delta(lambda)`` near zero.

    Symmetric networks (identical nodes, equal delays) have repeated roots,
    each with as many independent null vectors as its multiplicity; they are
    counted that many times, so ``n_unstable`` and the ``count`` rightmost
    roots are right for them. (A defective root, with fewer null vectors than
    its algebraic multiplicity, counts by its null vectors.)
    """
    with np.errstate(all="ignore"):
        D = characteristic_matrix(lam, A0, taus, As)
        if not np.all(np.isfinite(D)):
            return 1
        scale = 1.0 + abs(lam) + np.linalg.norm(A0, 2) + sum(
            np.linalg.norm(Ak, 2) * abs(np.exp(-lam * tk)) for tk, Ak in zip(taus, As))
        sv = np.linalg.svd(D, compute_uv=False)
    return max(1, int(np.sum(sv <= rel * scale)))


def _same(a, b, count, tol):
    """The ``count`` rightmost of ``a`` and ``b`` agree root for root.

    Two sets with the same number (fewer than ``count``) of roots that agree
    also count: the equation then has only those roots (delayed terms that
    drop out of the determinant leave a polynomial).
    """
    if a.size < count or b.size < count:
        if a.size != b.size or a.size == 0:
            return False
        count = a.size
    return bool(np.all(np.abs(a[:count] - b[:count]) <= 1e4 * tol * (1.0 + np.abs(a[:count]))))


def delay_eigenvalues(A0, taus=(), As=None, *, count=6, degree=None, tol=1e-12,
                      max_degree=None, min_degree=None):
    """Rightmost roots of ``det(lambda I - A0 - sum_k A_k e^{-lambda tau_k}) = 0``.

    Parameters
    ----------
    A0 : array_like of shape (n, n)
        The undelayed part of the linearisation.
    taus : array_like of shape (m,)
        Delays, ``>= 0`` (empty: an ordinary linear ODE).
    As : array_like of shape (m, n, n)
        The matrix multiplying ``x(t - taus[k])``.
    count : int
        How many of the rightmost roots to return (at most ``n`` without delays).
    degree : int, optional
        Chebyshev collocation degree ``N`` of the discretised generator. By
        default it is chosen automatically (see Notes).
    tol : float
        Newton stops when its step is below ``tol * (1 + |lambda|)``.
    max_degree : int, optional
        Largest degree the automatic choice tries; default such that the
        generator has at most 2400 rows (and ``N <= 400``).
    min_degree : int, optional
        Degree the automatic choice starts from (default 12); e.g. the
        ``degree`` of an earlier spectrum of the same equation.

    Returns
    -------
    DelaySpectrum
        ``roots`` (sorted by descending real part), ``residual``, ``converged``
        and the ``degree`` used.

    Raises
    ------
    OptionsError
        Bad shapes, negative delays, non-finite entries, ``count < 1``.

    Notes
    -----
    Automatic degree: starting at ``N = 12`` the degree grows by a factor 1.5;
    at each degree the eigenvalues of the discretised generator (rightmost
    first) are polished by Newton on the exact characteristic equation, and
    the choice stops when the ``count`` rightmost polished roots are the same
    at two successive degrees. Then the roots are exact to Newton's tolerance
    and no root to their right was missing at either degree. If the largest
    degree is reached first, a :class:`~nmanalysis.ConvergenceWarning` is issued
    and the roots not confirmed are flagged ``converged=False``.

    Delays equal to zero are allowed (their matrices add to ``A0``); with no
    nonzero delay the roots are the eigenvalues of ``A0 + sum_k A_k``.

    References
    ----------
    D. Breda, S. Maset, R. Vermiglio, "Pseudospectral differencing methods for
    characteristic roots of delay differential equations", SIAM J. Sci.
    Comput. 27 (2005) 482-495.

    Examples
    --------
    The delayed negative feedback ``x' = -(pi/2) x(t - 1)`` sits exactly at its
    Hopf point: its rightmost roots are ``+-i pi/2``.

    >>> import numpy as np
    >>> spec = delay_eigenvalues([[0.0]], [1.0], [[[-np.pi / 2]]], count=2)
    >>> [complex(round(z.real, 12) + 0.0, round(z.imag, 9)) for z in spec.roots]
    [1.570796327j, -1.570796327j]

    Without delays the roots are ordinary eigenvalues:

    >>> delay_eigenvalues([[-1.0, 0.0], [0.0, -3.0]]).roots
    array([-1.+0.j, -3.+0.j])
    """
    with OneBlasThread():
        return _delay_eigenvalues(A0, taus, As, count, degree, tol, max_degree, min_degree)


def _delay_eigenvalues(A0, taus, As, count, degree, tol, max_degree, min_degree):
    A0, taus, As = check_system(A0, taus, As)
    n = A0.shape[0]
    if not (isinstance(count, (int, np.integer)) and not isinstance(count, bool) and count >= 1):
        raise OptionsError(f"`count` must be a whole number >= 1; got {count!r}")
    if not (isinstance(tol, float | int) and 0 < tol < 1e-3):
        raise OptionsError(f"`tol` must be a number in (0, 1e-3); got {tol!r}")
    delayed = taus > 0
    if not np.any(delayed):
        return _ordinary(A0 + As.sum(axis=0), count)
    if degree is not None:
        if not (isinstance(degree, (int, np.integer)) and degree >= 2):
            raise OptionsError(f"`degree` must be a whole number >= 2; got {degree!r}")
        roots = _at_degree(A0, taus, As, int(degree), count, tol)
        return _finish(roots, count, A0, taus, As, int(degree), np.ones(count, bool))
    if max_degree is None:
        max_degree = int(min(400, max(_START_DEGREE + 1, _MAX_ROWS // n - 1)))
    N, prev = _START_DEGREE, None
    if min_degree is not None:
        if not (isinstance(min_degree, (int, np.integer)) and min_degree >= 2):
            raise OptionsError(f"`min_degree` must be a whole number >= 2; got {min_degree!r}")
        N = int(min(max(min_degree, 2), max_degree))
    while True:
        roots = _at_degree(A0, taus, As, N, count, tol)
        if prev is not None and _same(roots, prev, count, tol):
            return _finish(roots, count, A0, taus, As, N, np.ones(count, bool))
        if N >= max_degree:
            break
        prev, N = roots, min(max_degree, int(math.ceil(_GROWTH * N)))
    warnings.warn(f"delay_eigenvalues: the {count} rightmost roots were not confirmed at two "
                  f"successive degrees up to degree {N}; pass a larger `max_degree` or a "
                  "smaller `count`", ConvergenceWarning, stacklevel=3)
    ok = np.zeros(count, bool)
    if prev is not None:
        for i, r in enumerate(roots[:count]):
            ok[i] = bool(np.any(np.abs(prev - r) <= 1e4 * tol * (1 + abs(r))))
    return _finish(roots, count, A0, taus, As, N, ok)


def _ordinary(A, count):
    lam = _sort(np.linalg.eigvals(A).astype(complex))[:count]
    res = np.array([_residual(z, A, np.zeros(0), np.zeros((0,) + A.shape)) for z in lam])
    return DelaySpectrum(lam, res, np.ones(lam.size, bool), 0)


def _at_degree(A0, taus, As, N, count, tol):
    """Polished, de-duplicated roots from the generator of degree ``N`` (rightmost first)."""
    import scipy.linalg

    ev = scipy.linalg.eigvals(generator_matrix(A0, taus, As, N))
    ev = ev[np.isfinite(ev) & (ev.imag >= -1e-9 * (1 + np.abs(ev)))]
    ev = ev[np.argsort(-ev.real, kind="stable")]
    return _unique_upper(ev[:count + 4], A0, taus, As, tol)


def _finish(roots, count, A0, taus, As, N, ok):
    roots = roots[:count]
    res = np.array([_residual(z, A0, taus, As) for z in roots])
    ok = np.resize(ok, roots.size) & (res < 1e-8)
    return DelaySpectrum(roots, res, ok, int(N))


@dataclass(frozen=True)
class DelayHopf:
    """A Hopf point of a delay equation: a root pair ``+-i omega`` at parameter ``p``.

    Attributes
    ----------
    p : float
        The parameter value.
    omega : float
        Angular frequency (``> 0``) of the root on the imaginary axis.
    vector : ndarray of shape (n,), complex
        Null vector of ``Delta(i omega; p)``.
    residual : float
        ``max |Delta(i omega; p) v|`` with ``max |v| = 1``.
    converged : bool
    direction : float
        ``sign d Re(lambda)/dp`` at the crossing (+1: the pair becomes unstable
        as ``p`` grows), 0 when not determined.
    """

    p: float
    omega: float
    vector: np.ndarray
    residual: float
    converged: bool
    direction: float


def delay_hopf(system, values, *, count=4, tol=1e-12, fd_step=None, progress=None):
    """Hopf points of a delayed equilibrium branch in one parameter.

    Parameters
    ----------
    system : callable
        ``system(p) -> (A0, taus, As)``: the linearisation at the equilibrium
        for parameter value ``p`` (the number of delays must not change with ``p``).
    values : array_like of shape (k,)
        Increasing parameter values scanned for a sign change of the real part
        of the rightmost root.
    count : int
        Roots computed per scan point (passed to :func:`delay_eigenvalues`).
    tol : float
        Tolerance of the roots and of the final Newton solve.
    fd_step : float, optional
        Step of the central difference in ``p`` used in the Newton matrix
        (default ``1e-6 (1 + |p|)``; it affects only the speed of convergence).
    progress : bool, optional
        Progress bar over the scan.

    Returns
    -------
    list of DelayHopf
        One per bracket in which a complex pair crosses the imaginary axis, in
        order of ``p``.

    Notes
    -----
    Each bracket's crossing is first approximated by linear interpolation of
    the rightmost real part; then Newton's method solves the ``2n + 2`` real
    equations ``Delta(i omega; p) v = 0``, ``c^H v = 1`` for ``(Re v, Im v, omega, p)``,
    with ``c`` the starting null vector. The derivative in ``v`` and ``omega`` is
    exact; the one in ``p`` is a central difference of ``Delta(i omega; p) v``.
    Crossings by a real root (``omega = 0``) are not Hopf points and are left out.

    Examples
    --------
    ``x' = -r x(t - 1)`` (the delayed logistic equation linearised at ``x = 1``)
    loses stability at ``r = pi/2`` with ``omega = pi/2``:

    >>> import numpy as np
    >>> hopf = delay_hopf(lambda r: ([[0.0]], [1.0], [[[-r]]]), np.linspace(1, 2, 3))
    >>> [round(h.p, 12) for h in hopf], round(hopf[0].omega, 12), hopf[0].direction
    ([1.570796326795], 1.570796326795, 1.0)
    """
    from ..progress import progress_bar

    values = np.asarray(values, dtype=float).reshape(-1)
    if values.size < 2 or not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise OptionsError("`values` must be at least two finite, increasing parameter values")
    spectra = []
    with progress_bar(values.size, "delay spectrum scan", progress) as bar:
        for p in values:
            spectra.append(delay_eigenvalues(*system(float(p)), count=count, tol=tol))
            bar.update(1)
    re = np.array([s.roots[0].real for s in spectra])
    out = []
    for i in np.flatnonzero(np.sign(re[:-1]) * np.sign(re[1:]) < 0):
        h = _locate(system, values[i], values[i + 1], re[i], re[i + 1], spectra[i],
                    spectra[i + 1], count, tol, fd_step)
        if h is not None:
            out.append(h)
    return out


def _null_vector(D):
    _, _, vh = np.linalg.svd(D)
    v = vh[-1].conj()
    return v / v[np.argmax(np.abs(v))]


def _locate(system, p0, p1, r0, r1, s0, s1, count, tol, fd_step, nearest=False):
    """Newton on (v, omega, p) for the crossing between p0 and p1; None for a real crossing.

    The start is the root at the interpolated crossing that is rightmost, or
    (``nearest``) the one nearest the imaginary axis (a second pair crossing
    while another is already unstable).
    """
    p = p0 + (p1 - p0) * r0 / (r0 - r1)
    roots = delay_eigenvalues(*system(p), count=count, tol=tol).roots
    lam = roots[int(np.argmin(np.abs(roots.real)))] if nearest else roots[0]
    if abs(lam.imag) <= 1e-8 * (1 + abs(lam)):
        return None
    omega = abs(lam.imag)
    A0, taus, As = (np.asarray(a, float) for a in system(p))
    v = _null_vector(characteristic_matrix(1j * omega, A0, taus, As))
    c = v / np.vdot(v, v)                         # c^H v = 1
    n = v.size
    converged = False
    for _ in range(40):
        A0, taus, As = (np.asarray(a, float) for a in system(p))
        D, dD = characteristic_matrix(1j * omega, A0, taus, As, derivative=True)
        h = fd_step if fd_step is not None else 1e-6 * (1 + abs(p))
        Dp = (characteristic_matrix(1j * omega, *system(p + h))
              - characteristic_matrix(1j * omega, *system(p - h))) / (2 * h)
        F = np.concatenate([D @ v, [np.vdot(c, v) - 1]])
        Jv = np.vstack([D, c.conj()[None, :]])
        jw = np.concatenate([1j * dD @ v, [0]])
        jp = np.concatenate([Dp @ v, [0]])
        J = np.block([[Jv.real, -Jv.imag, jw.real[:, None], jp.real[:, None]],
                      [Jv.imag, Jv.real, jw.imag[:, None], jp.imag[:, None]]])
        try:
            step = np.linalg.solve(J, -np.concatenate([F.real, F.imag]))
        except np.linalg.LinAlgError:
            break
        v = v + step[:n] + 1j * step[n:2 * n]
        omega, p = omega + step[2 * n], p + step[2 * n + 1]
        if np.max(np.abs(step)) <= tol * (1 + abs(omega) + abs(p) + np.max(np.abs(v))):
            converged = True
            break
    A0, taus, As = (np.asarray(a, float) for a in system(p))
    vn = v / np.max(np.abs(v))
    res = float(np.max(np.abs(characteristic_matrix(1j * omega, A0, taus, As) @ vn)))
    lo, hi = min(p0, p1), max(p0, p1)
    span = hi - lo
    converged = converged and res < 1e-8 and lo - 1e-3 * span <= p <= hi + 1e-3 * span
    direction = float(np.sign((r1 - r0) * (p1 - p0)))
    return DelayHopf(float(p), float(abs(omega)), vn, res, bool(converged), direction)


def locate_hopf(system, p0, p1, r0, r1, *, count=4, tol=1e-12, fd_step=None):
    """The Hopf point on ``[p0, p1]`` where a root pair crosses the imaginary axis.

    Parameters
    ----------
    system : callable
        ``system(p) -> (A0, taus, As)``, as for :func:`delay_hopf`.
    p0, p1 : float
        Ends of the bracket.
    r0, r1 : float
        Real parts (of opposite signs) of the crossing root at ``p0`` and ``p1``.
    count : int
        Roots computed at the interpolated start.
    tol, fd_step : float
        As for :func:`delay_hopf`.

    Returns
    -------
    DelayHopf or None
        None when the root nearest the imaginary axis at the interpolated
        crossing is real (a fold or branch point, not a Hopf point).

    Examples
    --------
    ``x' = -x - 2 x(t - tau)`` loses stability at ``tau = 2 pi / (3 sqrt 3)``:

    >>> import numpy as np
    >>> h = locate_hopf(lambda tau: ([[-1.0]], [tau], [[[-2.0]]]), 1.0, 1.5, -0.1, 0.1)
    >>> bool(abs(h.p - 2 * np.pi / (3 * np.sqrt(3))) < 1e-12), round(h.omega ** 2, 12)
    (True, 3.0)
    """
    if not (np.isfinite(r0) and np.isfinite(r1) and r0 * r1 < 0):
        raise OptionsError(f"`r0` and `r1` must be finite real parts of opposite signs; got "
                           f"{r0!r}, {r1!r}")
    return _locate(system, float(p0), float(p1), float(r0), float(r1), None, None, count,
                   tol, fd_step, nearest=True)
