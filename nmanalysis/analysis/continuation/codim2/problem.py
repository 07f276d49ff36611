"""Equilibria of a model in two free parameters, with the exact derivatives the curves need.

:class:`TwoParameterProblem` evaluates ``f(x, P)`` with ``P = (p1, p2)``, its
Jacobians in ``x`` and in ``P``, the parameter derivative of the Jacobian
applied to a vector, and the complex multilinear forms ``B``, ``C``, ``D``,
``E`` (second to fifth derivatives) of the normal forms, all from the
generated kernels of the symbolic model. Its methods take ``P`` where the
one-parameter problem takes ``p``, so the fold and Hopf coefficients of
:mod:`..normal_forms` apply to it unchanged.
"""

from __future__ import annotations

import itertools

import numpy as np

from ....errors import OptionsError
from ..problem import check_fixed_values, check_free_parameter

__all__ = ["TwoParameterProblem"]


def _c(a):
    return np.ascontiguousarray(a, float)


class TwoParameterProblem:
    """``f(x, p1, p2) = 0`` of ``model`` with the parameters ``free = (p1, p2)`` free.

    Parameters
    ----------
    model : Model
    free : (str, str)
        The two free parameters (distinct).
    params, inputs : dict, optional
        Values of the other parameters and of constant inputs.
    """

    def __init__(self, model, free, params=None, inputs=None):
        from ....compile import compile_model

        try:
            p1, p2 = free
        except (TypeError, ValueError):
            raise OptionsError(f"`free` must name two parameters, e.g. ('p', 'C'); got "
                               f"{free!r}") from None
        if p1 == p2:
            raise OptionsError(f"the two free parameters must differ; got {p1!r} twice")
        for p in (p1, p2):
            check_free_parameter(model, p, "two-parameter continuation")
        params, inputs = check_fixed_values(model, params, inputs)
        self.model, self.free = model, (p1, p2)
        self.system = compile_model(model)
        self.n = model.n_states
        self.ip = [model.param_names.index(p1), model.param_names.index(p2)]
        self.pvec = self.system.parameter_vector(params, inputs,
                                                 {**model.params, **model.inputs})
        self.fixed = {k: float(self.pvec[i]) for i, k in enumerate(model.param_names)
                      if k not in self.free}
        self._deriv = None
        self._jp = np.empty((self.n, max(len(model.param_names), 1)))

    @property
    def start_values(self):
        """(p1, p2) from ``params`` or the model defaults."""
        return float(self.pvec[self.ip[0]]), float(self.pvec[self.ip[1]])

    def _p(self, P):
        v = self.pvec.copy()
        v[self.ip[0]], v[self.ip[1]] = P[0], P[1]
        return v

    @property
    def derivatives(self):
        if self._deriv is None:
            self._deriv = self.system.derivatives()
        return self._deriv

    def f(self, x, P):
        out = np.empty(self.n)
        self.system.rhs(0.0, _c(x), self._p(P), out)
        return out

    def jac(self, x, P):
        out = np.empty((self.n, self.n))
        self.system.jac(0.0, _c(x), self._p(P), out)
        return out

    def jac_p(self, x, P):
        """``df/dP``, shape (n, 2)."""
        self.system.jac_p(0.0, _c(x), self._p(P), self._jp)
        return self._jp[:, self.ip].copy()

    def d2(self, x, P, u, v):
        out = np.empty(self.n)
        self.system.d2(0.0, _c(x), self._p(P), _c(u), _c(v), out)
        return out

    def d3(self, x, P, u, v, w):
        out = np.empty(self.n)
        self.system.d3(0.0, _c(x), self._p(P), _c(u), _c(v), _c(w), out)
        return out

    def hessian_along(self, x, P, v):
        """``H[:, j] = (dA/dx_j) v`` and ``Hp[:, k] = (dA/dP_k) v`` for a real vector v:
        the derivatives of ``A v`` (``A = f_x``) in every state and both parameters."""
        n = self.n
        H = np.empty((n, n))
        e = np.zeros(n)
        p = self._p(P)
        xc, vc = _c(x), _c(v)
        col = np.empty(n)
        for j in range(n):
            e[:] = 0.0
            e[j] = 1.0
            self.system.d2(0.0, xc, p, vc, e, col)
            H[:, j] = col
        Hp = np.empty((n, max(len(self.pvec), 1)))
        self.derivatives.d2p(0.0, xc, p, vc, Hp)
        return H, Hp[:, self.ip].copy()

    # complex multilinear forms, from the real kernels by multilinearity
    def _form(self, kernel, x, P, vecs):
        parts = [(np.asarray(a, complex).real.copy(), np.asarray(a, complex).imag.copy())
                 for a in vecs]
        out = np.zeros(self.n, complex)
        buf = np.empty(self.n)
        p = self._p(P)
        xc = _c(x)
        for pick in itertools.product((0, 1), repeat=len(vecs)):
            args = [parts[i][k] for i, k in enumerate(pick)]
            if not all(np.any(a) for a in args):
                continue
            kernel(0.0, xc, p, *args, buf)
            out += (1j) ** sum(pick) * buf
        return out

    def B(self, x, P, u, v):
        return self._form(self.system.d2, x, P, (u, v))

    def C(self, x, P, u, v, w):
        return self._form(self.system.d3, x, P, (u, v, w))

    def D(self, x, P, u, v, w, s):
        return self._form(self.derivatives.d4, x, P, (u, v, w, s))

    def E(self, x, P, u, v, w, s, r):
        return self._form(self.derivatives.d5, x, P, (u, v, w, s, r))
