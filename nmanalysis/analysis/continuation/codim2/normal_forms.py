"""Normal-form coefficients of codimension-two points of equilibria, from exact derivatives.

Projection formulas of Kuznetsov, *Elements of Applied Bifurcation Theory*
(3rd ed., ch. 8) and Kuznetsov, SIAM J. Numer. Anal. 36 (1999), as MatCont
evaluates them, with ``A = f_x`` and the multilinear forms ``B, C, D, E`` (second
to fifth derivatives) taken from the generated kernels of the symbolic model.
``<u, v> = conj(u) . v``. Every eigenvector is normalised by ``<q, q> = 1`` and
its adjoint by ``<p, q> = 1``; real null vectors get the orientation that makes
their largest component positive, so a point always gets the same numbers.

- cusp (CP): ``c = 1/6 <p, C(q, q, q) + 3 B(q, h2)>``, ``A h2 = -B(q, q)``; the
  normal form on the centre manifold is ``w' = b1 + b2 w + c w^3``.
- Bogdanov-Takens (BT): ``A q0 = 0``, ``A q1 = q0``, ``A^T p1 = 0``,
  ``A^T p0 = p1``, ``<q0, q0> = 1``, ``<q0, q1> = 0``, ``<p1, q1> = <p0, q0> = 1``,
  ``<p0, q1> = 0``; ``a = 1/2 <p1, B(q0, q0)>``, ``b = <p0, B(q0, q0)> +
  <p1, B(q0, q1)>`` in ``w0' = w1``, ``w1' = b1 + b2 w0 + a w0^2 + b w0 w1``
  (``x' = y, y' = b1 + b2 y + x^2 + s x y`` gives ``a = 1``, ``b = s``).
- generalised Hopf (GH): the second Lyapunov coefficient
  ``l2 = Re G32 / (12 omega)`` of ``w' = i omega w + 1/2 G21 w|w|^2 +
  1/12 G32 w|w|^4`` (the first is ``l1 = Re G21 / (2 omega)``, as in the
  one-parameter diagram; MatCont prints ``Re G32 / 12``, i.e. ``omega l2``).
- zero-Hopf (ZH): with ``A q0 = 0``, ``A q1 = i omega q1`` the quadratic
  coefficients ``B = 1/2 <p0, B(q0, q0)>``, ``C = <p0, B(q1, conj q1)>``,
  ``D = <p1, B(q0, q1)>``, and the invariants of the normal form
  ``xi' = b1 + xi^2 + s |zeta|^2``, ``zeta' = (b2 + i omega) zeta + (theta + i ...)
  xi zeta``: ``s = sign(B C)``, ``theta = Re D / B``.
- Hopf-Hopf (HH): the amplitude equations ``r1' = r1 (m1 + p11 r1^2 + p12 r2^2)``,
  ``r2' = r2 (m2 + p21 r1^2 + p22 r2^2)`` with ``p11 = Re G2100 / 2``,
  ``p12 = Re G1011``, ``p21 = Re G1110``, ``p22 = Re G0021 / 2``, and
  ``theta = p12 / p22``, ``delta = p21 / p11``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cusp_coefficient", "bt_coefficients", "hopf_vectors", "first_lyapunov",
           "second_lyapunov", "zero_hopf_coefficients", "hopf_hopf_coefficients"]


def _null(M):
    _, _, vh = np.linalg.svd(M)
    return vh[-1].conj()


def _oriented(q):
    q = q / np.linalg.norm(q)
    return q * np.sign(q[np.argmax(np.abs(q))])


def _fold_vectors(A):
    q = _oriented(_null(A).real)
    p = _null(A.T).real
    return q, p / (p @ q)


def _bordered_solve(M, p, r):
    """``h`` with ``M h = r`` and ``<p, h> = 0`` (``M`` singular, ``r`` in its range, ``p``
    spanning the null space of ``M^H``)."""
    n = M.shape[0]
    K = np.zeros((n + 1, n + 1), complex)
    K[:n, :n] = M
    K[:n, n] = p
    K[n, :n] = p.conj()
    return np.linalg.solve(K, np.append(r, 0.0))[:n]


def cusp_coefficient(problem, x, P):
    """Cubic coefficient ``c`` of the cusp normal form (see the module notes).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> from nmanalysis.analysis.continuation.codim2 import TwoParameterProblem
    >>> m = nma.Model(name="doc_cusp", states={"x": {"value": 0.0, "bounds": (-2, 2)}},
    ...               params={"a": 0.0, "b": 1.0}, equations={"x": "a + b*x - x^3"})
    >>> cusp_coefficient(TwoParameterProblem(m, ("a", "b")), [0.0], (0.0, 0.0))
    -1.0
    """
    A = problem.jac(x, P)
    q, p = _fold_vectors(A)
    Bqq = problem.B(x, P, q, q).real
    h2 = _bordered_solve(A, p, -Bqq).real
    val = p @ (problem.C(x, P, q, q, q).real + 3 * problem.B(x, P, q, h2).real)
    return float(val / 6.0)


def bt_coefficients(problem, x, P):
    """``(a, b)`` of the Bogdanov-Takens normal form (see the module notes)."""
    A = problem.jac(x, P)
    n = A.shape[0]
    q0 = _oriented(_null(A).real)
    p1 = _null(A.T).real
    K = np.zeros((n + 1, n + 1))
    K[:n, :n], K[:n, n], K[n, :n] = A, p1, q0
    q1 = np.linalg.solve(K, np.append(q0, 0.0))[:n]           # A q1 = q0, q1 . q0 = 0
    p1 = p1 / (p1 @ q1)
    K[:n, :n], K[:n, n], K[n, :n] = A.T, q0, q1
    p0 = np.linalg.solve(K, np.append(p1, 0.0))[:n]           # A^T p0 = p1, p0 . q1 = 0
    B00 = problem.B(x, P, q0, q0).real
    a = 0.5 * p1 @ B00
    b = p0 @ B00 + p1 @ problem.B(x, P, q0, q1).real
    return float(a), float(b)


def hopf_vectors(A, omega):
    """``(q, p)``: ``A q = i omega q``, ``A^T p = -i omega p``, ``<q, q> = 1``, ``<p, q> = 1``."""
    n = A.shape[0]
    q = _null(A - 1j * omega * np.eye(n))
    q = q / np.linalg.norm(q)
    p = _null(A.T + 1j * omega * np.eye(n))
    p = p / np.vdot(p, q).conj()
    return q, p


def _hopf_terms(problem, x, P, omega, A=None):
    A = problem.jac(x, P) if A is None else A
    n = A.shape[0]
    I = np.eye(n)
    q, p = hopf_vectors(A, omega)
    qb = q.conj()
    h20 = np.linalg.solve(2j * omega * I - A, problem.B(x, P, q, q))
    h11 = -np.linalg.solve(A, problem.B(x, P, q, qb))
    r21 = problem.C(x, P, q, q, qb) + problem.B(x, P, qb, h20) + 2 * problem.B(x, P, q, h11)
    G21 = np.vdot(p, r21)
    return dict(A=A, I=I, q=q, p=p, qb=qb, h20=h20, h11=h11, r21=r21, G21=G21)


def first_lyapunov(problem, x, P, omega, A=None):
    """``l1 = Re G21 / (2 omega)`` at a Hopf point with frequency ``omega``."""
    t = _hopf_terms(problem, x, P, omega, A)
    return float(t["G21"].real / (2 * omega))


def second_lyapunov(problem, x, P, omega):
    """``l2 = Re G32 / (12 omega)`` at a generalised Hopf point (see the module notes)."""
    t = _hopf_terms(problem, x, P, omega)
    A, I, q, p, qb = t["A"], t["I"], t["q"], t["p"], t["qb"]
    h20, h11, G21 = t["h20"], t["h11"], t["G21"]
    B = lambda u, v: problem.B(x, P, u, v)                     # noqa: E731
    C = lambda u, v, w: problem.C(x, P, u, v, w)               # noqa: E731
    D = lambda u, v, w, s: problem.D(x, P, u, v, w, s)         # noqa: E731
    h30 = np.linalg.solve(3j * omega * I - A, C(q, q, q) + 3 * B(q, h20))
    h21 = _bordered_solve(1j * omega * I - A, p, t["r21"] - G21 * q)
    h20b, h21b = h20.conj(), h21.conj()
    r31 = (D(q, q, q, qb) + 3 * C(q, q, h11) + 3 * C(q, qb, h20) + 3 * B(h20, h11)
           + B(qb, h30) + 3 * B(q, h21))
    h31 = np.linalg.solve(2j * omega * I - A, r31 - 3 * G21 * h20)
    r22 = (D(q, q, qb, qb) + 4 * C(q, qb, h11) + C(qb, qb, h20) + C(q, q, h20b)
           + 2 * B(h11, h11) + 2 * B(q, h21b) + 2 * B(qb, h21) + B(h20b, h20))
    h22 = -np.linalg.solve(A, r22 - 4 * G21.real * h11)
    r32 = (problem.E(x, P, q, q, q, qb, qb) + D(q, q, q, h20b) + 3 * D(q, qb, qb, h20)
           + 6 * D(q, q, qb, h11) + C(qb, qb, h30) + 3 * C(q, q, h21b) + 6 * C(q, qb, h21)
           + 3 * C(q, h20b, h20) + 6 * C(q, h11, h11) + 6 * C(qb, h20, h11)
           + 2 * B(qb, h31) + 3 * B(q, h22) + B(h20b, h30) + 3 * B(h21b, h20)
           + 6 * B(h11, h21))
    G32 = np.vdot(p, r32)
    return float(G32.real / (12 * omega))


def zero_hopf_coefficients(problem, x, P, omega):
    """``{"B", "C", "D", "s", "theta"}`` at a zero-Hopf point (see the module notes)."""
    A = problem.jac(x, P)
    q0, p0 = _fold_vectors(A)
    q1, p1 = hopf_vectors(A, omega)
    Bc = 0.5 * float(p0 @ problem.B(x, P, q0, q0).real)
    Cc = float((p0 @ problem.B(x, P, q1, q1.conj())).real)
    Dc = complex(np.vdot(p1, problem.B(x, P, q0, q1)))
    return {"B": Bc, "C": Cc, "D": Dc.real, "s": float(np.sign(Bc * Cc)),
            "theta": Dc.real / Bc}


def hopf_hopf_coefficients(problem, x, P, omega1, omega2):
    """``{"p11", "p12", "p21", "p22", "theta", "delta"}`` at a Hopf-Hopf point.

    ``omega1`` is the frequency of the pair continued along the Hopf curve,
    ``omega2`` that of the second pair.
    """
    A = problem.jac(x, P)
    n = A.shape[0]
    I = np.eye(n)
    B = lambda u, v: problem.B(x, P, u, v)                     # noqa: E731
    C = lambda u, v, w: problem.C(x, P, u, v, w)               # noqa: E731
    q1, p1 = hopf_vectors(A, omega1)
    q2, p2 = hopf_vectors(A, omega2)
    q1b, q2b = q1.conj(), q2.conj()
    h1100 = -np.linalg.solve(A, B(q1, q1b))
    h0011 = -np.linalg.solve(A, B(q2, q2b))
    h2000 = np.linalg.solve(2j * omega1 * I - A, B(q1, q1))
    h0020 = np.linalg.solve(2j * omega2 * I - A, B(q2, q2))
    h1010 = np.linalg.solve(1j * (omega1 + omega2) * I - A, B(q1, q2))
    h1001 = np.linalg.solve(1j * (omega1 - omega2) * I - A, B(q1, q2b))
    h0110 = h1001.conj()
    G2100 = np.vdot(p1, C(q1, q1, q1b) + B(h2000, q1b) + 2 * B(h1100, q1))
    G1011 = np.vdot(p1, C(q1, q2, q2b) + B(h1001, q2) + B(h1010, q2b) + B(h0011, q1))
    G1110 = np.vdot(p2, C(q1, q1b, q2) + B(h1100, q2) + B(h1010, q1b) + B(h0110, q1))
    G0021 = np.vdot(p2, C(q2, q2, q2b) + B(h0020, q2b) + 2 * B(h0011, q2))
    p11, p12 = 0.5 * G2100.real, G1011.real
    p21, p22 = G1110.real, 0.5 * G0021.real
    return {"p11": float(p11), "p12": float(p12), "p21": float(p21), "p22": float(p22),
            "theta": float(p12 / p22), "delta": float(p21 / p11)}
