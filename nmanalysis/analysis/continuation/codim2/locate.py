"""Codimension-two points: Newton on the extended system, then their normal forms.

A zero of a test function bracketed on a step of a curve (Illinois regula
falsi, :func:`..engine.locate`) is refined by Newton's method on the curve's
defining system with the test function appended as the last equation: the
system is square, regular at a generic codim-2 point, and its solution does
not depend on the step on which the zero was bracketed. The defining system's
rows are exact; the gradient of the test function is taken by central
differences, which only slows the convergence, never moves the solution.
"""

from __future__ import annotations

import numpy as np

from .curve import TESTS
from .normal_forms import (bt_coefficients, cusp_coefficient, hopf_hopf_coefficients,
                           second_lyapunov, zero_hopf_coefficients)

__all__ = ["polish", "codim2_row"]


def polish(curve, z0, kind, *, tol=1e-13, max_iter=12, h=1e-7):
    """Newton on ``[G(z) = 0, phi(z) = 0]`` from ``z0``.

    Returns ``(z, correction, converged)``: the final point, the size of the
    last Newton correction (scaled coordinates) and whether it converged.
    """
    key = {v: k for k, v in TESTS[curve.kind].items()}[kind]

    def phi(z):
        return curve.tests_at(z)[0][key]

    z = np.array(z0, float)
    m = z.size
    last = np.inf
    for _ in range(max_iter):
        val = phi(z)
        if not np.isfinite(val):
            return z0, np.inf, False
        grad = np.empty(m)
        for k in range(m):
            e = np.zeros(m)
            e[k] = h
            grad[k] = (phi(z + e) - phi(z - e)) / (2 * h)
        M = np.vstack([curve.jacobian(z), grad])
        F = np.append(curve.residual(z), val)
        try:
            dz = np.linalg.solve(M, -F)
        except np.linalg.LinAlgError:
            return z0, np.inf, False
        if not np.all(np.isfinite(dz)):
            return z0, np.inf, False
        z = z + dz
        last = float(np.max(np.abs(dz)))
        if last <= tol * (1 + np.max(np.abs(z))):
            return z, last, True
    return z, last, False


def _other_pair_frequency(eig, omega):
    """|Im| of the complex pair nearest the imaginary axis other than +-i omega."""
    k1 = int(np.argmin(np.abs(eig - 1j * omega)))
    k2 = int(np.argmin(np.abs(eig + 1j * omega)))
    rest = np.delete(eig, sorted({k1, k2}))
    rest = rest[rest.imag > 1e-9 * max(1.0, float(np.max(np.abs(eig))))]
    if rest.size == 0:
        return np.nan
    return float(rest.imag[np.argmin(np.abs(rest.real))])


def codim2_row(curve, kind, z, info):
    """The special-point row (dict) of a located codim-2 point of ``kind`` at ``z``."""
    u = curve.u(z)
    n = curve.n
    x, P = u[:n], u[n:n + 2]
    pr = curve.problem
    A = pr.jac(x, P)
    eig = np.linalg.eigvals(A).astype(complex)
    row = {"type": kind, "P": P, "x": x, **info}
    try:
        if kind == "CP":
            row["cusp_coefficient"] = cusp_coefficient(pr, x, P)
        elif kind == "BT":
            row["bt_a"], row["bt_b"] = bt_coefficients(pr, x, P)
        elif kind == "GH":
            omega = curve.omega(z)
            row["angular_frequency"] = omega
            row["second_lyapunov"] = second_lyapunov(pr, x, P, omega)
        elif kind == "ZH":
            if curve.kind == "hopf":
                omega = curve.omega(z)
            else:
                cplx = eig[eig.imag > 0]
                omega = float(cplx.imag[np.argmin(np.abs(cplx.real))])
            row["angular_frequency"] = omega
            c = zero_hopf_coefficients(pr, x, P, omega)
            row["zh_s"], row["zh_theta"] = c["s"], c["theta"]
        elif kind == "HH":
            omega = curve.omega(z)
            omega2 = _other_pair_frequency(eig, omega)
            row["angular_frequency"], row["second_angular_frequency"] = omega, omega2
            c = hopf_hopf_coefficients(pr, x, P, omega, omega2)
            row.update({f"hh_{k}": v for k, v in c.items()})
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        pass
    return row
