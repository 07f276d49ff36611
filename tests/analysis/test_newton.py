"""The shared dense Newton: one system, batches, damping, singular Jacobians."""

import numpy as np
import pytest
from scipy.optimize import fsolve

from nmanalysis.analysis.newton import newton


def rosen_grad(x):
    """Gradient of the Rosenbrock function (root at (1, 1)) and its Jacobian."""
    a, b = x
    F = np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
    J = np.array([[2 - 400 * (b - 3 * a * a), -400 * a], [-400 * a, 200.0]])
    return F, J


def test_one_system_converges_quadratically_to_the_root():
    r = newton(rosen_grad, [-1.2, 1.0], tol=1e-14, max_iter=50)
    assert r.converged and r.residual < 1e-10
    np.testing.assert_allclose(r.x, [1.0, 1.0], rtol=0, atol=1e-12)


def test_batch_agrees_with_scipy_row_by_row():
    # x^3 - c = 0 and y - x^2 = 0, one parameter c per row
    c = np.array([0.5, 2.0, 8.0, 27.0])

    def fun(X, rows):
        x, y = X[:, 0], X[:, 1]
        F = np.stack([x ** 3 - c[rows], y - x * x], axis=1)
        J = np.zeros((len(rows), 2, 2))
        J[:, 0, 0] = 3 * x * x
        J[:, 1, 0] = -2 * x
        J[:, 1, 1] = 1.0
        return F, J

    r = newton(fun, np.ones((4, 2)), tol=1e-14)
    assert r.converged.all()
    for k, ck in enumerate(c):
        ref = fsolve(lambda z: [z[0] ** 3 - ck, z[1] - z[0] ** 2], [1.0, 1.0], xtol=1e-12)
        np.testing.assert_allclose(r.x[k], ref, rtol=1e-12)


def test_singular_row_stops_unconverged_while_others_finish():
    def fun(X, rows):
        # row 1 has the Jacobian 0 at its start (x^2 + 1 at x = 0): Newton cannot step
        x = X[:, 0]
        shift = np.where(rows == 1, 1.0, -2.0)
        return (x * x + shift)[:, None], (2 * x)[:, None, None]

    r = newton(fun, np.array([[1.0], [0.0], [3.0]]))
    assert r.converged.tolist() == [True, False, True]
    np.testing.assert_allclose(r.x[[0, 2], 0], [np.sqrt(2), np.sqrt(2)], rtol=1e-14)


def test_damping_reaches_a_root_plain_newton_overshoots():
    # arctan: plain Newton from |x0| > 1.39 diverges; damped Newton converges to 0
    def fun(x):
        with np.errstate(over="ignore"):
            return np.arctan(x), np.array([[1.0 / (1.0 + x[0] ** 2)]])

    plain = newton(fun, [3.0], max_iter=20)
    damped = newton(fun, [3.0], max_iter=50, damped=True)
    assert not plain.converged
    assert damped.converged and abs(damped.x[0]) < 1e-12


@pytest.mark.parametrize("start", [[np.nan, 1.0], [np.inf, 0.0]])
def test_non_finite_start_is_not_converged(start):
    r = newton(rosen_grad, start)
    assert not r.converged
