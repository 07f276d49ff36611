"""The sympy form of a model and its exact derivatives.

Helper functions and observables are expanded into the right-hand sides, so
the derivatives here are those of the full vector field ``f(t, y, p, u)``
(``u`` = inputs). Second and third derivatives are exposed as directional
(multilinear) forms, which is what normal-form coefficients need.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ModelError
from .sympy_form import to_sympy

__all__ = ["SymbolicModel"]


def _logistic_form(expr):
    """Rewrite ``1/(1 + exp(a))`` as ``Logistic(-a)``.

    Same value, but its derivatives stay finite where ``exp(a)`` overflows
    (``exp(a)/(1 + exp(a))**2`` would be inf/inf), and they are shorter.
    """
    from .functions import Logistic

    def is_target(e):
        if not (isinstance(e, sp.Pow) and e.exp == -1 and isinstance(e.base, sp.Add)):
            return False
        args = e.base.args
        return (len(args) == 2 and sp.S.One in args
                and any(isinstance(a, sp.exp) for a in args))

    def rewrite(e):
        arg = next(a for a in e.base.args if isinstance(a, sp.exp)).args[0]
        return Logistic(-arg)

    return expr.replace(is_target, rewrite)


def _derivative(build, what: str):
    """Run ``build`` (a sympy differentiation); foreign arithmetic errors become ModelError."""
    try:
        return build()
    except (ArithmeticError, TypeError, ValueError, RecursionError) as exc:
        raise ModelError(f"the {what} of the model cannot be formed symbolically "
                         f"({type(exc).__name__}: {exc}); check the equations for "
                         "terms that are undefined where they are differentiated") from None


class SymbolicModel:
    """Sympy symbols, right-hand sides and derivatives of a :class:`Model`.

    Attributes
    ----------
    t : sympy.Symbol
    y, p, u : tuple of sympy.Symbol
        State, parameter and input symbols, in model order (all real).
    rhs : tuple of sympy.Expr
        ``f_i(t, y, p, u)`` with helper functions and observables expanded.
    observables : tuple of sympy.Expr
    """

    def __init__(self, model):
        self.t = sp.Symbol("t", real=True)
        self.y = tuple(sp.Symbol(n, real=True) for n in model.state_names)
        self.p = tuple(sp.Symbol(n, real=True) for n in model.param_names)
        self.u = tuple(sp.Symbol(n, real=True) for n in model.input_names)
        fn_info, obs_trees, eq_trees = model._parsed()
        base = {s.name: s for s in (*self.y, *self.p, *self.u)}

        helpers: dict = {}
        for fname, (args, tree) in fn_info.items():
            helpers[fname] = self._make_helper(args, tree, base, dict(helpers),
                                               f"function {fname!r}")

        names = dict(base)
        obs = []
        for key, tree in obs_trees.items():
            expr = to_sympy(tree, names, helpers, where=f"observable {key!r}")
            names[key] = expr
            obs.append(expr)
        self.observables = tuple(obs)
        self.rhs = tuple(_logistic_form(to_sympy(eq_trees[k], names, helpers,
                                                 where=f"equation for {k!r}"))
                         for k in model.state_names)
        self.observables = tuple(_logistic_form(o) for o in self.observables)
        self._jac = None
        self._jac_p = None

    @staticmethod
    def _make_helper(args, tree, base, earlier, where="function"):
        def build(*values):
            scope = dict(base)
            scope.update(zip(args, values))
            return to_sympy(tree, scope, earlier, where=where)

        return build

    def jacobian(self) -> sp.Matrix:
        """``df/dy`` as an n x n sympy Matrix."""
        if self._jac is None:
            self._jac = _derivative(lambda: sp.Matrix(self.rhs).jacobian(sp.Matrix(self.y)),
                                    "Jacobian")
        return self._jac

    def jacobian_params(self) -> sp.Matrix:
        """``df/dp`` as an n x n_params sympy Matrix."""
        if self._jac_p is None:
            if self.p:
                self._jac_p = _derivative(
                    lambda: sp.Matrix(self.rhs).jacobian(sp.Matrix(self.p)),
                    "parameter Jacobian")
            else:
                self._jac_p = sp.zeros(len(self.rhs), 0)
        return self._jac_p

    def second_derivative(self, q1, q2) -> sp.Matrix:
        """``B(q1, q2) = sum_jk d2f/dy_j dy_k q1_j q2_k`` for symbolic vectors q1, q2."""
        jac = self.jacobian()
        out = []
        for i in range(len(self.rhs)):
            row = sum(jac[i, j] * q1[j] for j in range(len(self.y)))
            out.append(sum(sp.diff(row, self.y[k]) * q2[k] for k in range(len(self.y))))
        return sp.Matrix(out)

    def third_derivative(self, q1, q2, q3) -> sp.Matrix:
        """``C(q1, q2, q3)``: the third derivative multilinear form."""
        b = self.second_derivative(q1, q2)
        return sp.Matrix([sum(sp.diff(b[i], self.y[k]) * q3[k] for k in range(len(self.y)))
                          for i in range(len(self.rhs))])

    def diagonal_jacobian(self) -> tuple:
        """``(df_i/dy_i)_i`` (used by exponential Euler)."""
        return _derivative(lambda: tuple(sp.diff(f, y) for f, y in zip(self.rhs, self.y)),
                           "diagonal of the Jacobian")
