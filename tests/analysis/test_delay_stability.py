"""Characteristic roots of delay equations against closed forms and a second method."""

import numpy as np
import pytest
from scipy.special import lambertw

from nmanalysis import ConvergenceWarning, OptionsError
from nmanalysis.analysis.delay_stability import (characteristic_matrix, delay_eigenvalues,
                                                 delay_hopf, generator_matrix)


def lambert_roots(g, tau, count, a=1.0, branches=40):
    """Roots of lambda = -a + g e^{-lambda tau}: -a + W_k(g tau e^{a tau}) / tau, all branches."""
    k = np.arange(-branches, branches + 1)
    lam = -a + lambertw(g * tau * np.exp(a * tau), k) / tau
    lam = np.unique(np.round(lam, 13))     # the real branches 0 and -1 can coincide
    return lam[np.lexsort((-lam.imag, -lam.real))][:count]


def scalar(g, tau):
    return [[-1.0]], [tau], [[[g]]]


@pytest.mark.parametrize("g, tau", [(-2.0, 1.0), (-2.0, 3.0), (0.5, 2.0), (-5.0, 0.3),
                                    (3.0, 0.1), (-0.3, 10.0), (-1.0 / 3.0, 1.0)])
def test_scalar_feedback_matches_lambert_w(g, tau):
    count = 8
    spec = delay_eigenvalues(*scalar(g, tau), count=count)
    ref = lambert_roots(g, tau, count)
    # pair the roots by nearest match (conjugate order within a pair is a convention)
    err = max(np.min(np.abs(ref - z)) for z in spec.roots)
    assert err < 1e-10 * (1 + np.max(np.abs(ref)))
    assert spec.converged.all() and np.all(spec.residual < 1e-12)
    np.testing.assert_allclose(spec.roots.real, ref.real, rtol=0, atol=1e-10)


def test_roots_sorted_by_real_part_with_conjugate_pairs():
    spec = delay_eigenvalues(*scalar(-2.0, 1.0), count=6)
    assert np.all(np.diff(spec.roots.real) <= 1e-14)
    assert spec.roots[0].imag > 0
    np.testing.assert_allclose(spec.roots[1], spec.roots[0].conjugate(), atol=1e-14)


def test_scalar_hopf_in_the_delay():
    tau_star = 2 * np.pi / (3 * np.sqrt(3))
    for tau, sign in ((tau_star - 1e-3, -1), (tau_star + 1e-3, 1)):
        assert np.sign(delay_eigenvalues(*scalar(-2.0, tau)).rightmost.real) == sign
    at = delay_eigenvalues(*scalar(-2.0, tau_star)).rightmost
    assert abs(at.real) < 1e-12 and abs(at.imag - np.sqrt(3)) < 1e-12

    hopf = delay_hopf(lambda tau: scalar(-2.0, tau), np.linspace(0.2, 2.0, 5))
    assert len(hopf) == 1
    h = hopf[0]
    assert h.converged and h.direction == 1.0 and h.residual < 1e-13
    assert abs(h.p - tau_star) < 1e-12 and abs(h.omega - np.sqrt(3)) < 1e-12


@pytest.mark.parametrize("tau", [0.5, 1.0, 4.0])
def test_hutchinson_logistic_hopf_in_r(tau):
    # x' = r x (1 - x(t - tau)) linearised at x = 1: x' = -r x(t - tau)
    def system(r):
        return [[0.0]], [tau], [[[-r]]]

    hopf = delay_hopf(system, np.linspace(0.05, 2.5, 4) / tau)
    assert len(hopf) == 1 and hopf[0].converged
    assert abs(hopf[0].p * tau - np.pi / 2) < 1e-12
    assert abs(hopf[0].omega - np.pi / (2 * tau)) < 1e-12
    assert abs(hopf[0].omega - hopf[0].p) < 1e-12            # omega = r at the Hopf point
    # the characteristic equation holds there exactly
    assert abs(characteristic_matrix(1j * hopf[0].omega, *system(hopf[0].p))[0, 0]) < 1e-13


def test_one_hopf_point_and_a_real_crossing_left_out():
    # x' = -x + g x(t - 1), g from -3 to 2: a Hopf point at g ~ -2.26 (w tan w = -1)
    # and a real root crossing at g = 1, which is not a Hopf point
    hopf = delay_hopf(lambda g: scalar(g, 1.0), np.linspace(-3.0, 2.0, 11))
    assert len(hopf) == 1
    g, w = hopf[0].p, hopf[0].omega
    assert hopf[0].direction == -1.0                 # stable as g grows through it
    # i w = -1 + g e^{-i w}: real part g cos w = 1, imaginary part -g sin w = w
    np.testing.assert_allclose([g * np.cos(w), -g * np.sin(w)], [1.0, w], atol=1e-12)


A0 = np.array([[-1.0, 0.5], [-0.3, -2.0]])
TAUS = np.array([0.7, 1.9])
AS = np.array([[[0.2, -1.1], [0.6, 0.0]], [[-0.8, 0.0], [0.4, -0.5]]])


def log_derivative(z):
    """trace(Delta^{-1} Delta') at the points ``z``, batched (independent of the module)."""
    e = np.exp(-z[:, None] * TAUS)                                   # (k, m)
    D = z[:, None, None] * np.eye(2) - A0 - np.einsum("km,mij->kij", e, AS)
    dD = np.eye(2) + np.einsum("km,mij->kij", e * TAUS, AS)
    return np.trace(np.linalg.solve(D, dD), axis1=1, axis2=2)


def count_in_box(re_lo, re_hi, im_hi, panels=40, n=64):
    """Argument principle: (1 / 2 pi i) times the contour integral of det'/det."""
    x, w = np.polynomial.legendre.leggauss(n)
    corners = [re_lo - 1j * im_hi, re_hi - 1j * im_hi, re_hi + 1j * im_hi, re_lo + 1j * im_hi]
    total = 0.0
    for a, b in zip(corners, corners[1:] + corners[:1]):
        ends = a + (b - a) * np.linspace(0.0, 1.0, panels + 1)
        for u, v in zip(ends[:-1], ends[1:]):
            z = (u + v) / 2 + (v - u) / 2 * x
            total += np.sum(w * log_derivative(z)) * (v - u) / 2
    return total / (2j * np.pi)


def newton_det(lam, steps=80):
    """Newton on det Delta with a complex-step-free central difference of the determinant."""
    for _ in range(steps):
        f = np.linalg.det(characteristic_matrix(lam, A0, TAUS, AS))
        h = 1e-7 * (1 + abs(lam))
        df = (np.linalg.det(characteristic_matrix(lam + h, A0, TAUS, AS))
              - np.linalg.det(characteristic_matrix(lam - h, A0, TAUS, AS))) / (2 * h)
        step = f / df
        lam -= step
        if abs(step) < 1e-14 * (1 + abs(lam)):
            return lam
    return None


def test_two_delays_against_argument_principle_and_newton_from_many_starts():
    spec = delay_eigenvalues(A0, TAUS, AS, count=24)
    assert spec.converged.all()
    box = (-1.2, 2.0, 12.0)
    inside = spec.roots[(spec.roots.real > box[0]) & (np.abs(spec.roots.imag) < box[2])]
    assert spec.roots.real.min() < box[0]      # every root right of the box edge was returned
    number = count_in_box(*box)
    assert abs(number.imag) < 1e-6 and abs(number.real - round(number.real)) < 1e-6
    assert inside.size == round(number.real) and inside.size >= 4

    found = []
    for re in np.linspace(box[0], box[1], 5):
        for im in np.linspace(-box[2], box[2], 17):
            z = newton_det(complex(re, im))
            if (z is not None and box[0] < z.real < box[1] and abs(z.imag) < box[2]
                    and all(abs(z - f) > 1e-8 for f in found)):
                found.append(z)
    assert len(found) == inside.size
    for z in found:
        assert np.min(np.abs(inside - z)) < 1e-10


def test_no_delays_and_zero_delays_give_matrix_eigenvalues():
    A = np.array([[0.0, 1.0], [-4.0, -0.4]])
    ev = np.linalg.eigvals(A)
    for spec in (delay_eigenvalues(A), delay_eigenvalues(A, [], None),
                 delay_eigenvalues(A - 0.5 * np.eye(2), [0.0], [0.5 * np.eye(2)])):
        assert spec.degree == 0 and spec.roots.size == 2
        for z in ev:
            assert np.min(np.abs(spec.roots - z)) < 1e-14
    # a zero delay next to a positive one adds to A0
    a = delay_eigenvalues([[-1.0]], [0.0, 1.0], [[[-0.5]], [[-2.0]]], count=4)
    b = delay_eigenvalues([[-1.5]], [1.0], [[[-2.0]]], count=4)
    np.testing.assert_allclose(a.roots, b.roots, atol=1e-12)
    ref = lambert_roots(-2.0, 1.0, 4, a=1.5)
    assert max(np.min(np.abs(ref - z)) for z in b.roots) < 1e-12


def test_generator_eigenvalues_converge_with_degree():
    exact = lambert_roots(-2.0, 1.0, 1)[0]
    errs = []
    for N in (4, 8, 16):
        ev = np.linalg.eigvals(generator_matrix(*scalar(-2.0, 1.0), N))
        errs.append(np.min(np.abs(ev - exact)))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-10     # spectral convergence


def test_fixed_degree_and_warning_when_the_degree_cap_is_too_small():
    spec = delay_eigenvalues(*scalar(-2.0, 1.0), count=2, degree=30)
    assert spec.degree == 30 and spec.converged.all()
    with pytest.warns(ConvergenceWarning, match="max_degree"):
        spec = delay_eigenvalues(*scalar(-2.0, 20.0), count=40, max_degree=13)
    assert not spec.converged.all()


@pytest.mark.parametrize("args, match", [
    (([[1.0, 2.0]], [1.0], [[[1.0, 2.0]]]), "square"),
    (([[1.0]], [1.0, 2.0], [[[1.0]]]), r"\(2, 1, 1\)"),
    (([[1.0]], [-1.0], [[[1.0]]]), "taus.*>= 0"),
    (([[np.nan]], [1.0], [[[1.0]]]), "A0.*finite"),
    (([[1.0]], [np.inf], [[[1.0]]]), "taus.*finite"),
    (([[1.0]], [1.0], [[["a"]]]), "numeric"),
])
def test_bad_input_names_the_argument(args, match):
    with pytest.raises(OptionsError, match=match):
        delay_eigenvalues(*args)


def test_bad_options():
    with pytest.raises(OptionsError, match="count"):
        delay_eigenvalues([[1.0]], count=0)
    with pytest.raises(OptionsError, match="degree"):
        delay_eigenvalues(*scalar(-2.0, 1.0), degree=1)
    with pytest.raises(OptionsError, match="values"):
        delay_hopf(lambda p: scalar(p, 1.0), [1.0, 0.5])


def test_delayed_terms_that_drop_out_of_the_determinant_leave_finitely_many_roots():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = delay_eigenvalues(*scalar(0.0, 1.0), count=4)
        assert spec.roots.size == 1 and abs(spec.roots[0] + 1) < 1e-14 and spec.converged.all()
        # upper-triangular A0 with a strictly upper delayed coupling: det is (l + 1)(l + 2)
        spec = delay_eigenvalues([[-1.0, 0.0], [0.0, -2.0]], [1.0], [[[0.0, 3.0], [0.0, 0.0]]])
    np.testing.assert_allclose(spec.roots, [-1.0, -2.0], atol=1e-12)
