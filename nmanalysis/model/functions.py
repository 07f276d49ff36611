"""Reusable symbolic pieces for model equations.

:class:`Logistic` is the logistic sigmoid ``1/(1 + exp(-x))`` as a sympy
function of its own. Keeping it as one function (rather than expanding it)
has two benefits: its derivatives are written in terms of itself
(``s' = s (1 - s)``), which keeps Jacobians and higher derivatives short, and
the code generator prints it as an overflow-free kernel call.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["Logistic", "logistic"]


class Logistic(sp.Function):
    """The logistic sigmoid ``1/(1 + exp(-x))``; call it as ``sigmoid(x)`` in model strings."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            if x is sp.S.Infinity:
                return sp.S.One
            if x is sp.S.NegativeInfinity:
                return sp.S.Zero
            if x.is_zero:
                return sp.S.Half
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        s = Logistic(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        x = self.args[0]._eval_evalf(prec)
        if x is None or not x.is_Number:
            return None
        return (1 / (1 + sp.exp(-x)))._eval_evalf(prec)


def logistic(x):
    """Build ``Logistic(x)`` (convenience for sympy-written models)."""
    return Logistic(x)
