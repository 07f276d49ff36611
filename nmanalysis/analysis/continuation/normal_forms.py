"""Normal-form coefficients of folds and Hopf points, from exact derivatives.

Projection formulas of Kuznetsov, *Elements of Applied Bifurcation Theory*
(3rd ed., sections 3.5 and 5.4), with ``A = f_x`` and the multilinear forms
``B``, ``C`` of the second and third derivatives computed from the symbolic
model (no finite differences). ``<u, v> = conj(u) . v``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fold_coefficient", "hopf_coefficients"]


def _null_vector(M):
    """Unit vector spanning the (numerical) null space of M (smallest singular value)."""
    _, _, vh = np.linalg.svd(M)
    return vh[-1].conj()


def fold_coefficient(problem, x, p):
    """``a = 1/2 <p, B(q, q)>`` with ``A q = 0``, ``A^T p = 0``, ``<p, q> = 1``, ``|q| = 1``.

    The sign of ``a`` depends on the orientation of ``q``; it is fixed by making
    the largest component of ``q`` positive, so the same fold always gets the
    same value.
    """
    A = problem.jac(x, p)
    q = _null_vector(A).real
    q /= np.linalg.norm(q)
    q *= np.sign(q[np.argmax(np.abs(q))])     # fixed orientation: largest component > 0
    w = _null_vector(A.T).real
    w = w / (w @ q)
    return 0.5 * float(w @ problem.B(x, p, q, q).real)


def hopf_coefficients(problem, x, p):
    """Angular frequency and first Lyapunov coefficient at a Hopf point.

    ``A q = i w q``, ``A^T p = -i w p``, ``<q, q> = 1``, ``<p, q> = 1``::

        l1 = 1/(2w) Re[<p, C(q, q, conj q)> - 2 <p, B(q, A^-1 B(q, conj q))>
                       + <p, B(conj q, (2 i w I - A)^-1 B(q, q))>]

    Returns
    -------
    (omega, l1) : (float, float)
        ``l1 < 0``: supercritical (stable cycles are born); ``l1 > 0``: subcritical.
    """
    A = problem.jac(x, p)
    n = A.shape[0]
    lam = np.linalg.eigvals(A)
    cand = lam[lam.imag > 0]
    k = int(np.argmin(np.abs(cand.real)))
    omega = float(cand[k].imag)
    I = np.eye(n)
    q = _null_vector(A - 1j * omega * I)
    q = q / np.linalg.norm(q)
    pv = _null_vector(A.T + 1j * omega * I)
    pv = pv / np.vdot(pv, q).conj()          # <p, q> = conj(p) . q = 1
    qb = q.conj()
    Bqq = problem.B(x, p, q, q)
    Bqqb = problem.B(x, p, q, qb)
    h11 = np.linalg.solve(A, Bqqb)
    h20 = np.linalg.solve(2j * omega * I - A, Bqq)
    term = (np.vdot(pv, problem.C(x, p, q, q, qb))
            - 2 * np.vdot(pv, problem.B(x, p, q, h11))
            + np.vdot(pv, problem.B(x, p, qb, h20)))
    return omega, float(term.real / (2 * omega))
