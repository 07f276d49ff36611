"""Characteristic roots of large delay equations with sparse delayed terms.

A network of ``N`` nodes linearised at an equilibrium is a delay equation

    x'(t) = A0 x(t) + sum_e v_e x_{c_e}(t - tau_{k_e}) e_{r_e},

one entry ``(r_e, c_e, tau_{k_e}, v_e)`` per edge (and per receiving state):
thousands of distinct delays, each multiplying a matrix with one or two
nonzero entries. Written as ``(A0, taus, As)`` with dense ``As`` it takes
``n^2 (1 + m)`` numbers (more than a gigabyte for the 80-region connectome).
Here the delayed part stays a list of entries (:class:`SparseDelaySystem`), and
everything costs ``O(n^2 + entries)`` per evaluation:

* the characteristic matrix ``Delta(lambda) = lambda I - A0 - sum_e v_e
  e^{-lambda tau_e} E_{r_e c_e}``, its determinant and logarithmic derivative
  ``trace(Delta^{-1} Delta')``, reduced to the columns read with a delay (a
  Schur complement over the others, when ``A0`` restricted to them is block
  diagonal, as for a network with all delays positive);
* the infinitesimal generator discretised by Chebyshev collocation (Breda,
  Maset & Vermiglio, SIAM J. Sci. Comput. 27, 2005), never formed, and with
  a past only for the ``t`` states read with a delay (size ``n + N t``
  instead of ``n (N + 1)``, the same eigenvalues but the fixed ones of the
  unread past): its shifted inverse is applied through an ``n x n`` solve, so
  ARPACK's shift-and-invert Arnoldi (:func:`scipy.sparse.linalg.eigs`) finds
  the generator eigenvalues near a shift; each is polished by Newton's method
  on the exact equation;
* the number of roots right of a vertical line ``Re lambda = a``, counted by
  the argument principle: every root with ``Re lambda >= a`` lies in
  ``|lambda| <= ||A0|| + || sum_k |A_k| e^{-a tau_k} ||`` (entrywise
  absolute values), so the roots right of the line are the zeros inside a
  rectangle, and the winding of ``det Delta`` (divided by ``det(lambda I -
  A0)``, whose zeros are known) around it counts them. Steps along the
  contour adapt so that the phase increment predicted by the logarithmic
  derivative and the one measured agree; a count that is not an integer, or
  a contour that does not close, is reported as failed, never rounded.

The counts make the results checkable: the number of unstable roots is the
count right of ``Re lambda = 0``, and it is compared with the roots found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import OptionsError
from .delay_stability import OneBlasThread

__all__ = ["SparseDelaySystem", "SparseDelaySpectrum", "count_roots_right",
           "sparse_delay_roots"]

#: largest diagonal block of ``A0`` (columns not read with a delay) for the reduced evaluation
_MAX_BLOCK = 16
#: first collocation degree and its growth factor (as in delay_stability)
_START = 12
_GROWTH = 1.5


@dataclass(frozen=True, eq=False)
class SparseDelaySystem:
    """A linear delay equation whose delayed part is a list of matrix entries.

    ``x_r'(t) = sum_c A0[r, c] x_c(t) + sum_{e: rows[e] = r} values[e]
    x_{cols[e]}(t - taus[which[e]])``.

    Parameters
    ----------
    A0 : ndarray of shape (n, n)
        The undelayed part.
    taus : ndarray of shape (m,)
        Distinct positive delays.
    rows, cols, which : ndarray of shape (E,), int
        Row, column and delay index of each delayed entry (repeats add up).
    values : ndarray of shape (E,)
        The entries.

    Examples
    --------
    ``x' = -x + 0.5 x(t - 1) - 2 x(t - 3)`` written with two entries:

    >>> import numpy as np
    >>> s = SparseDelaySystem.from_entries([[-1.0]], [1.0, 3.0], [0, 0], [0, 0], [0.5, -2.0])
    >>> s.n, s.taus.tolist(), s.values.tolist()
    (1, [1.0, 3.0], [0.5, -2.0])
    >>> A0, taus, As = s.to_dense()
    >>> As[:, 0, 0].tolist()
    [0.5, -2.0]
    """

    A0: np.ndarray
    taus: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    which: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        A0 = np.asarray(self.A0, dtype=float)
        if A0.ndim != 2 or A0.shape[0] != A0.shape[1] or A0.shape[0] == 0:
            raise OptionsError(f"`A0` must be a square matrix of shape (n, n); got shape "
                               f"{A0.shape}")
        n = A0.shape[0]
        taus = np.asarray(self.taus, dtype=float).reshape(-1)
        rows, cols, which = (np.asarray(a, dtype=np.int64).reshape(-1)
                             for a in (self.rows, self.cols, self.which))
        values = np.asarray(self.values, dtype=float).reshape(-1)
        if not (rows.size == cols.size == which.size == values.size):
            raise OptionsError("`rows`, `cols`, `which` and `values` must have the same length")
        for name, arr in (("A0", A0), ("taus", taus), ("values", values)):
            if not np.all(np.isfinite(arr)):
                raise OptionsError(f"`{name}` must be finite; it has NaN or infinite entries")
        if np.any(taus <= 0):
            raise OptionsError("`taus` must be > 0 (zero delays belong in `A0`)")
        for name, arr, hi in (("rows", rows, n), ("cols", cols, n), ("which", which, taus.size)):
            if arr.size and (arr.min() < 0 or arr.max() >= hi):
                raise OptionsError(f"`{name}` must index [0, {hi}); got values in "
                                   f"[{arr.min()}, {arr.max()}]")
        keep = values != 0
        for name, arr in (("A0", A0), ("taus", taus), ("rows", rows[keep]),
                          ("cols", cols[keep]), ("which", which[keep]),
                          ("values", values[keep])):
            object.__setattr__(self, name, arr)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_entries(cls, A0, delays, rows, cols, values):
        """From one delay per entry (``delays`` of shape (E,), ``>= 0``); zero delays go to ``A0``.

        Parameters
        ----------
        A0 : array_like of shape (n, n)
        delays, rows, cols, values : array_like of shape (E,)

        Returns
        -------
        SparseDelaySystem
        """
        A0 = np.array(A0, dtype=float)
        d = np.asarray(delays, dtype=float).reshape(-1)
        rows, cols = (np.asarray(a, dtype=np.int64).reshape(-1) for a in (rows, cols))
        values = np.asarray(values, dtype=float).reshape(-1)
        if not (d.size == rows.size == cols.size == values.size):
            raise OptionsError("`delays`, `rows`, `cols` and `values` must have the same length")
        if not np.all(np.isfinite(d)) or np.any(d < 0):
            raise OptionsError("`delays` must be finite and >= 0")
        zero = d == 0
        if np.any(zero):
            if A0.ndim != 2 or rows[zero].max() >= A0.shape[0] or cols[zero].max() >= A0.shape[1]:
                raise OptionsError("`rows` and `cols` must index `A0`")
            np.add.at(A0, (rows[zero], cols[zero]), values[zero])
        taus, which = np.unique(d[~zero], return_inverse=True)
        return cls(A0, taus, rows[~zero], cols[~zero], which.reshape(-1), values[~zero])

    @classmethod
    def from_dense(cls, A0, taus, As):
        """From ``(A0, taus, As)`` as :func:`~.delay_stability.delay_eigenvalues` takes them."""
        from .delay_stability import check_system

        A0, taus, As = check_system(A0, taus, As)
        k, r, c = np.nonzero(As)
        return cls.from_entries(A0, taus[k], r, c, As[k, r, c])

    def to_dense(self):
        """``(A0, taus, As)`` with dense ``As`` of shape (m, n, n) (small systems only)."""
        n, m = self.n, self.taus.size
        if n * n * (m + 1) > 50_000_000:
            raise OptionsError(f"`to_dense` of {m} delays and {n} states would need "
                               f"{n * n * (m + 1)} numbers")
        As = np.zeros((m, n, n))
        np.add.at(As, (self.which, self.rows, self.cols), self.values)
        return self.A0.copy(), self.taus.copy(), As

    # -- evaluation -----------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of states."""
        return self.A0.shape[0]

    def matrix(self, lam, derivative=False):
        """``Delta(lambda)`` (and ``Delta'(lambda)``), dense complex ``(n, n)``.

        Examples
        --------
        >>> import numpy as np
        >>> s = SparseDelaySystem.from_entries([[0.0]], [1.0], [0], [0], [-np.pi / 2])
        >>> bool(abs(s.matrix(1j * np.pi / 2)[0, 0]) < 1e-15)
        True
        """
        lam = complex(lam)
        e = np.exp(-lam * self.taus)[self.which] * self.values
        D = lam * np.eye(self.n, dtype=complex) - self.A0
        np.subtract.at(D, (self.rows, self.cols), e)
        if not derivative:
            return D
        dD = np.eye(self.n, dtype=complex)
        np.add.at(dD, (self.rows, self.cols), self.taus[self.which] * e)
        return D, dD

    def bound(self, a) -> float:
        """Radius ``||A0|| + || sum_k |A_k| e^{-a tau_k} ||`` holding every root with ``Re >= a``.

        Each 2-norm is bounded by ``sqrt(||.||_1 ||.||_inf)``.

        Examples
        --------
        >>> s = SparseDelaySystem.from_entries([[-1.0]], [1.0], [0], [0], [-2.0])
        >>> s.bound(0.0)
        3.0
        """
        B = np.zeros((self.n, self.n))
        np.add.at(B, (self.rows, self.cols),
                  np.abs(self.values) * np.exp(-float(a) * self.taus[self.which]))
        return _norm2_bound(self.A0) + _norm2_bound(B)


def _norm2_bound(A):
    """``sqrt(||A||_1 ||A||_inf) >= ||A||_2``."""
    A = np.abs(A)
    return float(np.sqrt(A.sum(axis=0).max() * A.sum(axis=1).max()))


class _Reduced:
    """``log det Delta(lambda)`` and its derivative, batched over ``lambda``.

    With ``T`` the columns read with a delay and ``U`` the others, ``Delta_TU =
    -A0_TU`` and ``Delta_UU = lambda I - A0_UU`` do not depend on the delays, so

        det Delta = det(Delta_UU) det(S),  S = Delta_TT - Delta_TU Delta_UU^{-1} Delta_UT,

    and when ``A0_UU`` is block diagonal with small blocks (a network: the
    node Jacobians without the sent state) only ``S`` (``|T| x |T|``) needs a
    dense factorisation. Otherwise the full ``n x n`` matrix is used.
    """

    def __init__(self, system: SparseDelaySystem):
        from scipy.sparse.csgraph import connected_components

        s = system
        self.s = s
        n = s.n
        T = np.unique(s.cols)
        U = np.setdiff1d(np.arange(n), T)
        blocks = []
        if U.size:
            AUU = s.A0[np.ix_(U, U)]
            ncomp, label = connected_components((AUU != 0) | (AUU.T != 0), directed=False)
            sizes = np.bincount(label, minlength=ncomp)
            if sizes.max() > _MAX_BLOCK:
                T, U = np.arange(n), np.zeros(0, np.int64)
            else:
                for b in np.unique(sizes):
                    members = [np.flatnonzero(label == c) for c in np.flatnonzero(sizes == b)]
                    idx = np.array(members, dtype=np.int64).reshape(-1, b)
                    blocks.append((idx, AUU[idx[:, :, None], idx[:, None, :]]))
        if T.size == 0:                      # no delayed entry: a plain matrix
            T = np.arange(n)
        self.T, self.U, self.blocks = T, U, blocks
        t, u = T.size, U.size
        posT = np.full(n, -1)
        posT[T] = np.arange(t)
        posU = np.full(n, -1)
        posU[U] = np.arange(u)
        inT = posT[s.rows] >= 0
        E = s.values.size
        # scatter matrices: entry e -> flat position of E1_TT (t*t) or E1_UT (u*t)
        self.PT = _scatter_matrix(posT[s.rows[inT]] * t + posT[s.cols[inT]],
                                  np.flatnonzero(inT), t * t, E)
        self.PU = (_scatter_matrix(posU[s.rows[~inT]] * t + posT[s.cols[~inT]],
                                   np.flatnonzero(~inT), u * t, E) if np.any(~inT) else None)
        self.ATT = s.A0[np.ix_(T, T)]
        self.ATU = _csr(s.A0[np.ix_(T, U)])
        self.AUT = s.A0[np.ix_(U, T)]
        self.tau_e = s.taus[s.which]
        self.eyeT = np.eye(t)

    def evaluate(self, lams, derivative=True):
        """``(log det Delta, d/dlambda log det Delta)`` at each ``lambda`` (complex arrays).

        The log-determinant's imaginary part is a phase modulo ``2 pi``; a
        singular matrix gives ``-inf`` and a NaN derivative.
        """
        lam = np.atleast_1d(np.asarray(lams, dtype=complex)).reshape(-1)
        if lam.size > 1:             # one at a time: stacked small matrices cost more per item
            out = [self.evaluate(lam[i:i + 1], derivative) for i in range(lam.size)]
            return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])
        k, t, u = lam.size, self.T.size, self.U.size
        with np.errstate(all="ignore"):
            ev = _exp_delays(lam, self.s.taus)[:, self.s.which] * self.s.values
            evt = ev * self.tau_e if derivative else None
            S = lam[:, None, None] * self.eyeT - self.ATT - _apply(self.PT, ev, (t, t))
            if derivative:
                dS = self.eyeT + _apply(self.PT, evt, (t, t))
            logdet = np.zeros(k, complex)
            dlog = np.zeros(k, complex)
            if u:
                DUT = -self.AUT - (_apply(self.PU, ev, (u, t)) if self.PU is not None else 0.0)
                DUT = np.broadcast_to(DUT, (k, u, t))
                F2 = (_apply(self.PU, evt, (u, t)) if self.PU is not None and derivative
                      else np.zeros((k, u, t)))
                W = np.empty((k, u, t), complex)
                W2 = np.empty((k, u, t), complex) if derivative else None
                for idx, blk in self.blocks:
                    b = idx.shape[1]
                    if b == 1:
                        inv = 1.0 / (lam[:, None] - blk[None, :, 0, 0])          # (k, nb)
                        logdet -= np.sum(np.log(inv), axis=1)
                        rows = idx[:, 0]
                        W[:, rows] = inv[:, :, None] * DUT[:, rows]
                        if derivative:
                            dlog += inv.sum(axis=1)
                            W2[:, rows] = inv[:, :, None] * (F2[:, rows] - W[:, rows])
                        continue
                    M = lam[:, None, None, None] * np.eye(b) - blk[None]         # (k, nb, b, b)
                    sign, lad = np.linalg.slogdet(M)
                    logdet += np.sum(np.log(sign) + lad, axis=1)
                    Minv = np.linalg.inv(M)
                    W[:, idx] = Minv @ DUT[:, idx]
                    if derivative:
                        dlog += np.trace(Minv, axis1=-2, axis2=-1).sum(axis=1)
                        W2[:, idx] = Minv @ (F2[:, idx] - W[:, idx])
                S = S + _left(self.ATU, W)
                if derivative:
                    dS = dS + _left(self.ATU, W2)
            sign, lad = np.linalg.slogdet(S)
            logdet += np.log(sign) + lad
            if derivative:
                try:
                    dlog += np.einsum("kij,kji->k", np.linalg.inv(S), dS)
                except np.linalg.LinAlgError:
                    dlog[:] = np.nan
        return logdet, dlog


def _exp_delays(lam, taus):
    """``exp(-lam[k] taus[j])``, shape (k, m), from real exponentials and sines."""
    arg = lam.real[:, None] * taus
    mag = np.exp(-arg)
    ph = lam.imag[:, None] * taus
    out = np.empty(arg.shape, complex)
    out.real = mag * np.cos(ph)
    out.imag = -mag * np.sin(ph)
    return out


def _scatter_matrix(target, source, size, E):
    import scipy.sparse as sp

    return sp.csr_matrix((np.ones(target.size), (target, source)), shape=(size, E))


def _csr(A):
    import scipy.sparse as sp

    return sp.csr_matrix(A.astype(complex))


def _apply(P, coef, shape):
    """``(P @ coef[k])`` for each row ``k`` of ``coef``, reshaped to ``(k, *shape)``."""
    out = P @ coef.T                                     # (size, k)
    return np.ascontiguousarray(out.T).reshape(coef.shape[0], *shape)


def _left(A, W):
    """``A @ W[k]`` for each ``k`` with a sparse ``A``: shape (k, A.shape[0], W.shape[2])."""
    k, u, t = W.shape
    out = A @ W.transpose(1, 0, 2).reshape(u, k * t)
    return out.reshape(A.shape[0], k, t).transpose(1, 0, 2)


def _reduced(system):
    red = getattr(system, "_red", None)
    if red is None:
        red = _Reduced(system)
        object.__setattr__(system, "_red", red)
    return red


def _poles(system):
    mu = getattr(system, "_mu", None)
    if mu is None:
        from scipy.sparse.csgraph import connected_components

        A0 = system.A0
        ncomp, label = connected_components((A0 != 0) | (A0.T != 0), directed=False)
        mu = np.concatenate([np.linalg.eigvals(A0[np.ix_(m, m)]) for m in
                             (np.flatnonzero(label == c) for c in range(ncomp))]).astype(complex)
        object.__setattr__(system, "_mu", mu)
    return mu


def _phase_along(red, mu, z0, z1, max_evals, batch=1):
    """Change of ``log h``, ``h = det Delta / prod(lambda - mu)``, along the segment ``z0 -> z1``.

    Each step is accepted when the trapezoidal prediction of the change of
    ``log h`` (from the logarithmic derivatives at both ends) agrees with the
    measured change to 0.25 and the phase moves by at most 1 radian; the
    measured phase is taken on the branch nearest the prediction. The pole
    factor's change is exact (a segment sees each ``mu`` under an angle below
    ``pi``). Returns ``(increment, evaluations)``; ``increment`` is NaN when
    the steps shrink below ``1e-13 |z1 - z0|`` (a root on the segment) or the
    budget runs out.
    """
    length = abs(z1 - z0)
    u = (z1 - z0) / length
    pos = 0.0
    L0, d0 = red.evaluate([z0])
    L0, h0 = L0[0], d0[0] - np.sum(1.0 / (z0 - mu))
    evals = 1
    total = 0.0 + 0.0j
    step = length if not np.isfinite(h0) or h0 == 0 else min(length, 0.3 / abs(h0))
    while pos < length:
        if evals > max_evals or step < 1e-13 * length or not np.isfinite(h0):
            return complex(np.nan, np.nan), evals
        m = min(batch, max(1, int(math.ceil((length - pos) / step))))
        offs = np.minimum(pos + step * np.arange(1, m + 1), length)
        zs = z0 + u * offs
        zs[offs >= length] = z1
        Ls, ds = red.evaluate(zs)
        evals += m
        zprev, Lprev, hprev = z0 + u * pos, L0, h0
        shrink = False
        for zk, Lk, dk, ok in zip(zs, Ls, ds, offs):
            hk = dk - np.sum(1.0 / (zk - mu))
            poles = np.sum(np.log((zk - mu) / (zprev - mu)))
            pred = (zk - zprev) * (hprev + hk) / 2
            raw = Lk - Lprev - poles
            if not (np.isfinite(raw.real) and np.isfinite(hk)):
                shrink = True
                break
            j = np.round((pred.imag - raw.imag) / (2 * np.pi))
            actual = complex(raw.real, raw.imag + 2 * np.pi * j)
            err = abs(actual - pred)
            if err > 0.25 or abs(pred.imag) > 1.0:
                shrink = True
                break
            total += actual
            zprev, Lprev, hprev, pos = zk, Lk, hk, ok
            shrink = err > 0.05 or abs(pred.imag) > 0.5
        L0, h0 = Lprev, hprev
        step = step * 0.3 if shrink else step * 1.6
    return total, evals


def count_roots_right(system, a, *, max_evals=40_000):
    """Number of characteristic roots with ``Re lambda > a``, by the argument principle.

    Parameters
    ----------
    system : SparseDelaySystem
    a : float
        The vertical line.
    max_evals : int
        Most evaluations of ``det Delta`` spent.

    Returns
    -------
    count : int
        Roots (with multiplicity) right of the line; ``-1`` when the count
        failed (a root on or too near the line, the budget exhausted, or a
        winding number that is not an integer to 0.05).
    evaluations : int

    Notes
    -----
    Every root with ``Re lambda >= a`` satisfies ``|lambda| <= R(a) =
    ||A0|| + || sum_k |A_k| e^{-a tau_k} ||``. The function ``h = det Delta /
    det(lambda I - A0)`` has the roots as zeros and the eigenvalues of ``A0``
    as poles, and tends to 1 far away; its winding number around the
    rectangle ``[a, 1.1 R] x [-1.1 R, 1.1 R]`` is zeros minus poles inside. A
    real equation has conjugate roots, so the upper half of the contour is
    followed and its phase change doubled.

    Examples
    --------
    ``x' = -x + 3 x(t - 1)`` has one real root right of the axis (``g > 1``),
    and its complex roots all lie left of it:

    >>> s = SparseDelaySystem.from_entries([[-1.0]], [1.0], [0], [0], [3.0])
    >>> count_roots_right(s, 0.0)[0]
    1
    """
    with OneBlasThread():
        return _count_right(system, float(a), max_evals)


def _count_right(system, a, max_evals):
    red = _reduced(system)
    R = 1.1 * system.bound(a) + 1e-9 * (1.0 + abs(a))
    # the reference det(lambda I - A0) = prod(lambda - mu): its zeros moved off the line
    mu = _poles(system).copy()
    near = np.abs(mu.real - a) < 1e-3 * R
    mu[near] = mu[near] - 2e-3 * R
    X = max(R, a + 0.1 * R + 1e-9)
    Y = R
    path = [complex(X, 0.0), complex(X, Y), complex(a, Y), complex(a, 0.0)]
    total, evals = 0.0 + 0.0j, 0
    for z0, z1 in zip(path[:-1], path[1:]):
        inc, e = _phase_along(red, mu, z0, z1, max_evals - evals)
        evals += e
        if not np.isfinite(inc):
            return -1, evals
        total += inc
    winding = total.imag / np.pi
    poles = int(np.sum((mu.real > a) & (np.abs(mu.imag) < Y) & (mu.real < X)))
    count = winding + poles
    if abs(count - round(count)) > 0.05 or round(count) < 0:
        return -1, evals
    return int(round(count)), evals


# -- the discretised generator, applied and shift-inverted without forming it -------------------

def _lagrange_rows(x, xs):
    """Values at ``xs`` of the Lagrange basis on the Chebyshev points ``x`` (barycentric)."""
    N = x.size - 1
    w = (-1.0) ** np.arange(N + 1)
    w[0] *= 0.5
    w[-1] *= 0.5
    diff = xs[:, None] - x[None, :]
    hit = np.abs(diff) < 1e-15
    with np.errstate(divide="ignore", invalid="ignore"):
        t = w / diff
        rows = t / t.sum(axis=1, keepdims=True)
    for i in np.flatnonzero(hit.any(axis=1)):
        rows[i] = 0.0
        rows[i, int(np.argmax(hit[i]))] = 1.0
    return rows


@njit(cache=True, nogil=True)
def _tap_dots(ell, Z, col, start, out):
    """``out[p] = sum_j ell[p, start + j] Z[j, col[p]]``."""
    for p in range(col.size):
        c = col[p]
        acc = Z[0, c] * 0.0
        for j in range(Z.shape[0]):
            acc += ell[p, start + j] * Z[j, c]
        out[p] = acc


class _Generator:
    """The infinitesimal generator of degree ``N``, reduced to the states read with a delay.

    As :func:`~.delay_stability.generator_matrix`, the history is kept on the
    ``N + 1`` Chebyshev points of ``[-tau_max, 0]``; but only the ``t`` states
    that some delayed entry reads need a past (the others' past is never
    used, and in the full matrix it only adds the fixed eigenvalues of the
    differentiation block). A vector is ``(u, H)``: the ``n`` current values
    and the ``N x t`` past values (point-major), ``n + N t`` numbers. The
    delayed entries are grouped into taps (one per distinct delay and
    column), so ``(M - sigma I)^{-1}`` costs one ``n x n`` solve plus ``O(N^2
    t + N taps)``: with ``H = Z + p u_T`` (``p`` the collocation solution of
    ``y' = sigma y``, ``y(0) = 1``, at the past points) the first block row
    reduces to ``-Delta_N(sigma) u = b_0 - sum_k A_k (Z^T ell_k)``.
    """

    def __init__(self, system: SparseDelaySystem, N: int):
        import scipy.sparse as sp

        from .delay_stability import chebyshev

        s = system
        n = s.n
        self.s, self.N, self.n = s, int(N), n
        tau_max = float(s.taus.max())
        x, D = chebyshev(self.N)
        self.Dt = (2.0 / tau_max) * D
        self.ell = _lagrange_rows(x, 1.0 - 2.0 * s.taus / tau_max)          # (m, N + 1)
        self.T = np.unique(s.cols)
        posT = np.full(n, -1)
        posT[self.T] = np.arange(self.T.size)
        key = s.which * n + s.cols
        uk, tap = np.unique(key, return_inverse=True)
        self.tap_col = posT[uk % n]
        self.ell_tap = np.ascontiguousarray(self.ell[uk // n])               # (P, N + 1)
        self.C = sp.csr_matrix((s.values, (s.rows, tap.reshape(-1))), shape=(n, uk.size))

    @property
    def dim(self) -> int:
        return self.n + self.N * self.T.size

    def _taps(self, Z, start=0):
        """``sum_j ell_tap[p, start + j] Z[j, tap_col[p]]`` for every tap ``p``."""
        out = np.empty(self.tap_col.size, dtype=Z.dtype)
        _tap_dots(self.ell_tap, np.ascontiguousarray(Z), self.tap_col, start, out)
        return out

    def matvec(self, v):
        v = np.asarray(v)
        n, N, t = self.n, self.N, self.T.size
        u, H = v[:n], v[n:].reshape(N, t)
        full = np.vstack([u[self.T][None, :], H])                           # (N + 1, t)
        out = np.empty_like(v)
        out[:n] = self.s.A0 @ u + self.C @ self._taps(full)
        out[n:] = (self.Dt[1:] @ full).reshape(-1)
        return out

    def shift_invert(self, sigma):
        """``(M - sigma I)^{-1}`` as a :class:`scipy.sparse.linalg.LinearOperator`."""
        import scipy.linalg as sla
        from scipy.sparse.linalg import LinearOperator

        real = np.imag(sigma) == 0
        sigma = float(np.real(sigma)) if real else complex(sigma)
        dtype = float if real else complex
        N, n, t = self.N, self.n, self.T.size
        Sinv = np.linalg.inv(self.Dt[1:, 1:] - sigma * np.eye(N))
        p = np.concatenate([[1.0], -Sinv @ self.Dt[1:, 0]])
        e = self.ell @ p                                # ~ exp(-sigma tau_k)
        D = sigma * np.eye(n, dtype=dtype) - self.s.A0
        np.subtract.at(D, (self.s.rows, self.s.cols), self.s.values * e[self.s.which])
        lu = sla.lu_factor(D, check_finite=False)
        T = self.T

        def solve(v):
            v = np.asarray(v, dtype=dtype)
            Z = Sinv @ v[n:].reshape(N, t)
            rhs = v[:n] - self.C @ self._taps(Z, start=1)
            u = -sla.lu_solve(lu, rhs, check_finite=False)
            out = np.empty(self.dim, dtype=dtype)
            out[:n] = u
            out[n:] = (p[1:, None] * u[T][None, :] + Z).reshape(-1)
            return out

        return LinearOperator((self.dim, self.dim), matvec=solve, dtype=dtype)


def _eigs_near(gen, sigma, k):
    """Generator eigenvalues nearest ``sigma`` (about ``k`` of them) and the radius searched."""
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs

    k = int(min(k, gen.dim - 3))
    op = gen.shift_invert(sigma)
    v0 = np.random.default_rng(12345).normal(size=gen.dim).astype(op.dtype)   # reproducible
    try:
        mu = eigs(op, k=k, which="LM", tol=1e-5, return_eigenvectors=False, v0=v0,
                  ncv=min(gen.dim - 1, max(2 * k + 1, 20)), maxiter=max(300, 30 * k))
    except ArpackNoConvergence as err:
        mu = err.eigenvalues
    except ArpackError:
        return np.zeros(0, complex), 0.0
    mu = mu[np.isfinite(mu) & (mu != 0)]
    lam = sigma + 1.0 / mu
    radius = float(np.max(np.abs(lam - sigma))) if mu.size >= k else 0.0
    return lam, radius


# -- roots: search, Newton, confirmation ------------------------------------------------------

@dataclass(frozen=True)
class SparseDelaySpectrum:
    """Rightmost characteristic roots of a :class:`SparseDelaySystem`, with counts.

    Attributes
    ----------
    roots : ndarray of shape (count,), complex
        Sorted by descending real part (a complex pair: positive imaginary
        part first), repeated by geometric multiplicity.
    residual : ndarray of shape (count,)
        ``sigma_min(Delta(lambda))`` relative to the size of the terms.
    converged : ndarray of shape (count,), bool
        Newton converged on the exact equation, the root was found at two
        successive collocation degrees, and the counts below agree with the
        roots found.
    degree : int
        Collocation degree used last.
    n_unstable : int
        Roots with ``Re lambda > 0``: the argument-principle count when it
        succeeded (``unstable_counted`` True), else the number found.
    unstable_counted : bool
        The count right of the imaginary axis succeeded and equals the number
        of roots found there.
    complete_right_of : float
        The leftmost line ``Re lambda = a`` right of which every root was
        found, as confirmed by the argument principle (NaN when none was).
    """

    roots: np.ndarray
    residual: np.ndarray
    converged: np.ndarray
    degree: int
    n_unstable: int
    unstable_counted: bool
    complete_right_of: float

    @property
    def rightmost(self) -> complex:
        return complex(self.roots[0])


def _polish(red, lams, tol, max_iter=60):
    """Newton ``lambda -= 1 / (d/dlambda log det Delta)`` on many starts; (roots, converged)."""
    lam = np.array(lams, dtype=complex).reshape(-1)
    ok = np.zeros(lam.size, bool)
    act = np.arange(lam.size)
    for _ in range(max_iter):
        if act.size == 0:
            break
        _, d = red.evaluate(lam[act])
        with np.errstate(all="ignore"):
            step = 1.0 / d
        bad = ~np.isfinite(step)
        step[bad] = 0.0
        lam[act] -= step
        done = bad | (np.abs(step) <= tol * (1.0 + np.abs(lam[act])))
        ok[act[done & ~bad]] = True
        ok[act[bad]] = np.isfinite(lam[act[bad]])            # an exactly singular matrix
        act = act[~done & np.isfinite(lam[act])]
    return lam, ok


def _scale(system, lam):
    e = np.abs(np.exp(-lam * system.taus))
    return 1.0 + abs(lam) + _norm2_bound(system.A0) + float(
        np.sum(np.abs(system.values) * e[system.which]))


def _singular_values(system, lam):
    with np.errstate(all="ignore"):
        D = system.matrix(lam)
        if not np.all(np.isfinite(D)):
            return np.array([np.inf])
        return np.linalg.svd(D, compute_uv=False) / _scale(system, lam)


def _collect(system, red, cands, tol, found=None, keep=None):
    """Polish candidates, keep those with ``Im >= 0``, merge into ``found`` (dict root -> mult).

    With ``keep``, only candidates among the ``keep`` rightmost (together with
    the roots already found) are polished.
    """
    found = {} if found is None else found
    cands = np.asarray(cands, complex)
    cands = cands[np.isfinite(cands) & (cands.imag >= -1e-9 * (1 + np.abs(cands)))]
    if keep is not None and cands.size:
        re = np.sort(np.concatenate([cands.real, [z.real for z in found]]))[::-1]
        cands = cands[cands.real >= re[min(keep, re.size) - 1]]
    if found and cands.size:            # seen from an earlier shift: already polished
        known = np.array(list(found), dtype=complex)
        near = np.abs(cands[:, None] - known[None, :]) <= 1e-6 * (1.0 + np.abs(known))
        cands = cands[~near.any(axis=1)]
    if cands.size == 0:
        return found
    roots, ok = _polish(red, cands, tol)
    for z, good in zip(roots, ok):
        if not good or not np.isfinite(z):
            continue
        z = complex(z)
        if abs(z.imag) <= 10 * tol * (1.0 + abs(z)):
            z = complex(z.real, 0.0)
        elif z.imag < 0:
            z = z.conjugate()
        if any(abs(z - f) <= 1e3 * tol * (1.0 + abs(z)) for f in found):
            continue
        sv = _singular_values(system, z)
        if sv[-1] > 1e-8:
            continue
        found[z] = max(1, int(np.sum(sv <= 1e-8)))
    return found


def _expand(found):
    """Sorted roots with conjugates and multiplicities from a dict root -> multiplicity."""
    roots = [z for z, m in found.items() for _ in range(m)]
    roots += [z.conjugate() for z in roots if z.imag != 0.0]
    roots = np.asarray(roots, dtype=complex)
    return roots[np.lexsort((-roots.imag, -roots.real))] if roots.size else roots


def _search(system, red, N, count, tol, alpha, max_shifts=6):
    """Roots from shift-and-invert Arnoldi on the generator of degree ``N``.

    The first shift is real, just right of ``alpha`` (the rightmost root known,
    or 0); more shifts go up the middle of the strip between the ``count``-th
    root and the first shift until the disks searched cover the strip up to
    the frequencies the degree resolves (``N / tau_max``), or ``max_shifts``
    is reached.
    """
    gen = _Generator(system, N)
    tau_max = float(system.taus.max())
    pad = max(0.25 * abs(alpha), 2.0 / tau_max)
    sr = alpha + pad
    found = {}
    y, covered, shifts = 0.0, 0.0, 0
    top = N / tau_max
    xc = sr                                 # real part of the complex shifts
    while shifts < max_shifts:
        # the real shift (real arithmetic, cheaper) looks further
        k = 2 * count + 8 if y == 0.0 else count + 8
        lam, radius = _eigs_near(gen, complex(xc, y) if y else sr, k)
        shifts += 1
        found = _collect(system, red, lam, tol, found, keep=count + 4)
        roots = _expand(found)
        a = roots[min(count, roots.size) - 1].real if roots.size else sr - radius
        if y == 0.0:                        # later shifts: in the middle of the strip
            xc = 0.5 * (sr + min(a, sr))
        width = max(sr - xc, xc - min(a, sr))
        reach = math.sqrt(max(radius * radius - width * width, 0.0))
        if y - reach > covered + 1e-12:                # a gap below this disk: search it
            y = 0.5 * (covered + y - reach)
            continue
        covered = max(covered, y + reach)
        if covered >= top or radius == 0.0:
            break
        y = covered + max(0.8 * reach, 0.05 * top)
    return _expand(found)


def _same(a, b, count, tol):
    count = min(count, a.size, b.size)
    if count == 0:
        return a.size == b.size
    return bool(np.all(np.abs(a[:count] - b[:count]) <= 1e4 * tol * (1.0 + np.abs(a[:count]))))


def _degrees(system, red, count, tol, N, max_degree, alpha, max_shifts=6):
    """Search at growing degrees until the ``count`` rightmost agree at two successive ones.

    Returns ``(roots, degree, ok)`` with ``ok[i]`` True for roots found at both
    of the last two degrees.
    """
    prev = None
    while True:
        roots = _search(system, red, N, count, tol, alpha, max_shifts)
        if roots.size:
            alpha = roots[0].real
        if prev is not None and _same(roots, prev, count, tol):
            return roots, N, np.ones(roots.size, bool)
        if N >= max_degree:
            break
        prev, N = roots, int(min(max_degree, math.ceil(_GROWTH * N)))
    ok = np.array([prev is not None and bool(np.any(np.abs(prev - z) <= 1e4 * tol * (1 + abs(z))))
                   for z in roots], dtype=bool)
    return roots, N, ok


def sparse_delay_roots(system, *, count=6, tol=1e-12, min_degree=None, max_degree=None,
                       count_lines=True):
    """Rightmost characteristic roots of a large delay equation, with confirmed counts.

    Parameters
    ----------
    system : SparseDelaySystem
    count : int
        Roots returned (more when more are unstable: every root right of the
        imaginary axis and the first one left of it).
    tol : float
        Newton stops when its step is below ``tol * (1 + |lambda|)``.
    min_degree : int, optional
        Collocation degree the search starts from (default 12).
    max_degree : int, optional
        Largest degree tried (default: ``300`` or fewer, at most ``100000 / n``).
    count_lines : bool
        Count the roots right of the imaginary axis (and right of a line just
        left of the rightmost root) by the argument principle and compare.

    Returns
    -------
    SparseDelaySpectrum

    Raises
    ------
    OptionsError
        ``count`` or ``tol`` out of range.

    Notes
    -----
    At each degree ``N`` (12, then growing by 1.5) the generator's eigenvalues
    nearest a few shifts are computed by shift-and-invert Arnoldi (the first
    shift real, just right of the rightmost root known, the others up the same
    vertical line), each is polished by Newton on the exact equation, and the
    search stops when the ``count`` rightmost roots are the same at two
    successive degrees, as :func:`~.delay_stability.delay_eigenvalues` does
    with the full spectrum. Then the argument principle counts the roots right
    of ``Re lambda = 0`` and, when the rightmost root is stable, right of the
    middle of the gap between it and the next root: where a count exceeds the
    roots found, the search is repeated with more shifts at twice the degree;
    a count that still disagrees leaves ``converged`` False (and
    ``n_unstable`` the count, which is exact).

    Examples
    --------
    ``x' = -x - 2 x(t - 3)``: one unstable pair, as the Lambert W function says
    (``-1 + W_k(-6 e^3) / 3``):

    >>> import numpy as np
    >>> s = SparseDelaySystem.from_entries([[-1.0]], [3.0], [0], [0], [-2.0])
    >>> spec = sparse_delay_roots(s, count=3)
    >>> np.round(spec.roots, 8).tolist()[:2], spec.n_unstable, spec.unstable_counted
    ([(0.11980697+0.83384511j), (0.11980697-0.83384511j)], 2, True)
    """
    import warnings

    from ..errors import ConvergenceWarning

    if not isinstance(system, SparseDelaySystem):
        raise OptionsError(f"`system` must be a SparseDelaySystem; got {type(system).__name__}")
    if not (isinstance(count, (int, np.integer)) and not isinstance(count, bool) and count >= 1):
        raise OptionsError(f"`count` must be a whole number >= 1; got {count!r}")
    if not (isinstance(tol, float | int) and 0 < tol < 1e-3):
        raise OptionsError(f"`tol` must be a number in (0, 1e-3); got {tol!r}")
    with OneBlasThread():
        spec = _sparse_roots(system, count, tol, min_degree, max_degree, count_lines)
    if not np.all(spec.converged):
        warnings.warn(f"sparse_delay_roots: {int(np.sum(~spec.converged))} of the "
                      f"{spec.roots.size} rightmost roots were not confirmed (two collocation "
                      "degrees and the counts of roots right of a line) up to degree "
                      f"{spec.degree}", ConvergenceWarning, stacklevel=2)
    return spec


def _sparse_roots(system, count, tol, min_degree, max_degree, count_lines):
    n = system.n
    if system.taus.size == 0:
        lam = np.linalg.eigvals(system.A0).astype(complex)
        lam = lam[np.lexsort((-lam.imag, -lam.real))]
        nu = int(np.sum(lam.real > 0))
        lam = lam[:max(count, nu + 1)]
        res = np.array([_singular_values(system, z)[-1] for z in lam])
        return SparseDelaySpectrum(lam, res, np.ones(lam.size, bool), 0, nu, True, -np.inf)
    red = _reduced(system)
    N0 = _START if min_degree is None else int(min_degree)
    if max_degree is None:
        max_degree = int(min(300, max(N0 + 1, 100_000 // n)))
    if N0 < 2 or max_degree < N0:
        raise OptionsError(f"`min_degree` must be >= 2 and <= `max_degree`; got {min_degree!r}, "
                           f"{max_degree!r}")
    roots, N, ok = _degrees(system, red, count, tol, N0, max_degree, 0.0)
    nu, counted, line = int(np.sum(roots.real > 0)), False, np.nan
    if count_lines:
        a0 = 0.0
        near = np.abs(roots.real) <= 1e-9 * (1.0 + np.abs(roots))
        if np.any(near):
            a0 = 1e-6 * (1.0 + float(np.max(np.abs(roots[near]))))
        c0, _ = count_roots_right(system, a0)
        if c0 >= 0 and (c0 + 1 > count or np.sum(roots.real > a0) < c0):
            # missing roots: search again from the right, starting at the rightmost
            # eigenvalue of A0 when that is unstable (a node unstable on its own)
            start = max(0.0, float(_poles(system).real.max()))
            roots2, N2, ok2 = _degrees(system, red, max(count, c0 + 1), tol,
                                       int(math.ceil(_GROWTH * N)), max(max_degree, 3 * N),
                                       start, max_shifts=12)
            if np.sum(roots2.real > a0) > np.sum(roots.real > a0) or c0 + 1 > count:
                roots, N, ok = roots2, N2, ok2
        found0 = int(np.sum(roots.real > a0))
        counted = c0 == found0
        nu = c0 if c0 >= 0 else found0
        if counted:
            line = a0
        if counted and roots.size and roots[0].real < a0:
            r0 = roots[0].real
            left = roots.real[roots.real < r0 - 1e-6 * (1.0 + abs(roots[0]))]
            a1 = 0.5 * (r0 + left[0]) if left.size else r0 - 0.5 * max(abs(r0), 1e-3)
            if system.bound(a1) <= 4.0 * system.bound(a0) + 1.0:
                c1, _ = count_roots_right(system, a1)
                if c1 == int(np.sum(roots.real > a1)):
                    line = a1
                elif c1 >= 0:
                    ok[:] = False                   # a root right of the rightmost is missing
        ok &= counted
    need = max(count, nu + 1) if nu >= 0 else count
    roots, ok = roots[:need], ok[:need]
    res = np.array([_singular_values(system, z)[-1] for z in roots])
    ok = ok & (res < 1e-8)
    return SparseDelaySpectrum(roots, res, ok, int(N), int(nu), bool(counted), float(line))
