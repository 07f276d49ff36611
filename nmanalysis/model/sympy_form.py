"""Checked syntax trees to sympy: the symbolic form of model expressions.

Exact numbers that only appear after sympy simplifies (cancellations, powers
of exact numbers) are checked here too, so no model reaches the code
generator with an infinite, complex or unboundedly large constant.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

from ..errors import ModelError
from .grammar import MAX_EXACT_BITS, MAX_EXPONENT, describe

__all__ = ["to_sympy"]


def _sympy_functions() -> dict[str, Callable]:
    import sympy as sp
    from sympy.codegen.cfunctions import expm1

    from .functions import Logistic

    def heaviside(x):
        return sp.Heaviside(x, sp.Rational(1, 2))

    return {
        "exp": sp.exp, "expm1": expm1, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin,
        "cos": sp.cos, "tan": sp.tan, "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh,
        "tanh": sp.tanh, "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign, "pow": sp.Pow,
        "Heaviside": heaviside, "heaviside": heaviside, "sigmoid": Logistic,
        "min": sp.Min, "max": sp.Max, "Min": sp.Min, "Max": sp.Max,
    }


def _bad_part(expr):
    """First sub-expression making ``expr`` non-finite, complex or too large, with why."""
    import sympy as sp

    bad = {sp.zoo: "is complex infinity (a division by zero)", sp.nan: "is undefined (NaN)",
           sp.oo: "is infinite", sp.S.NegativeInfinity: "is infinite"}
    for sub in sp.preorder_traversal(expr):
        for special, why in bad.items():
            if sub is special:
                return sub, why
        if sub is sp.I:
            return sub, "is complex; model expressions must be real"
        if isinstance(sub, sp.Rational):
            if max(int(sub.p).bit_length(), int(sub.q).bit_length()) > MAX_EXACT_BITS:
                return sub, ("is an exact number beyond the double-precision range "
                             "(about 308 digits)")
        elif isinstance(sub, sp.Float):
            if math.isinf(float(sub)):
                return sub, "overflows the double-precision range (about 1.8e308)"
        elif (isinstance(sub, sp.Pow) and sub.base.is_Number and sub.base.is_negative
              and sub.exp.is_Number and not sub.exp.is_integer):
            return sub, "is complex (negative base to a fractional power)"
    return None


def _brief(expr) -> str:
    text = str(expr)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def to_sympy(tree: ast.AST, symbols: Mapping[str, object],
             functions: Mapping[str, Callable] | None = None, *,
             where: str = "expression"):
    """Convert a checked tree to a sympy expression.

    ``symbols`` maps names to sympy objects (symbols or whole sub-expressions);
    ``functions`` maps the model's helper-function names to callables that
    build their sympy body from sympy arguments.

    Raises
    ------
    ModelError
        When sympy's simplification makes a term undefined, infinite, complex or
        too large (``1/(x - x)``, ``tan(pi/2)``), naming ``where`` and the term.
    """
    import sympy as sp

    builtins = _sympy_functions()
    helpers = dict(functions or {})
    consts = {"pi": sp.pi, "t": sp.Symbol("t", real=True)}
    nonfinite = (sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity)

    def fail(node, what):
        raise ModelError(f"{where}: {describe(node)} {what}")

    def too_big(number) -> bool:
        return (isinstance(number, sp.Rational)
                and max(int(number.p).bit_length(), int(number.q).bit_length())
                > MAX_EXACT_BITS)

    def huge_float(number) -> bool:
        return isinstance(number, sp.Float) and math.isinf(float(number))

    def power(node, base, expo):
        # sympy computes powers of exact numbers exactly, also inside a product
        # ((2*x)**n gives 2**n * x**n) and after cancellations the text does not show
        # (x - x + 2): refuse before sympy starts on a number too large to compute
        if base.is_Number and base.is_zero and not expo.is_Number:
            fail(node, "is zero to a variable power (zero or infinite); model expressions "
                       "must be finite")
        if isinstance(base, sp.exp):                 # exp(a)**b is exp(a*b) in sympy
            exp_limits(node, base.args[0] * expo)
        if not isinstance(expo, sp.Rational) or base.is_Float:
            return base ** expo
        if base.is_Rational:
            if abs(base) not in (0, 1):
                size = max(math.log2(abs(int(base.p))), math.log2(int(base.q)))
                if float(abs(expo)) * size > MAX_EXACT_BITS:
                    fail(node, "is an exact number beyond the double-precision range; "
                               "write the base as a float (e.g. 2.0) for a floating-point "
                               "value")
        elif abs(expo) > MAX_EXPONENT and any(
                not n.is_Float and abs(n) != 1 for n in base.atoms(sp.Number)):
            fail(node, f"raises an expression with exact numbers to an exact power beyond "
                       f"{MAX_EXPONENT}; write the exponent as a float (e.g. 1e10)")
        return base ** expo

    def exponential(node, arg):
        exp_limits(node, arg)
        return sp.exp(arg)

    def exp_limits(node, arg):
        # exp(c*log(u)) is u**c in sympy: the same limits as for a power
        for term in sp.Add.make_args(arg):
            coeff = term.as_coeff_Mul()[0]
            if (term.has(sp.log) and isinstance(coeff, sp.Rational)
                    and abs(coeff) > MAX_EXPONENT):
                fail(node, f"is a power with an exact exponent beyond {MAX_EXPONENT} "
                           "(exp of a multiple of a logarithm); write the factor as a float")

    def conv(node):
        try:
            result = build(node)
        except ModelError:
            raise
        except (TypeError, ValueError, ArithmeticError) as exc:
            fail(node, f"has no real value ({exc})")
        if any(result is s for s in nonfinite):
            fail(node, f"is undefined or infinite (sympy gives {result})")
        lead = result.args[0] if result.args else None
        if too_big(result) or too_big(lead):
            fail(node, "gives an exact number beyond the double-precision range "
                       "(about 308 digits)")
        if huge_float(result) or huge_float(lead):
            fail(node, "overflows: its value exceeds the double-precision range "
                       "(about 1.8e308)")
        return result

    def build(node):
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op is ast.Pow:
                return power(node, conv(node.left), conv(node.right))
            additive = op in (ast.Add, ast.Sub)
            ops = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
            items = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
                items.append((type(node.op), node.right))
                node = node.left
            items.append((ast.Add if additive else ast.Mult, node))
            items.reverse()
            if additive:
                return sp.Add(*[conv(n) if o is ast.Add else -conv(n) for o, n in items])
            return sp.Mul(*[conv(n) if o is ast.Mult else sp.Pow(conv(n), -1)
                            for o, n in items])
        if isinstance(node, ast.UnaryOp):
            v = conv(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Constant):
            v = node.value
            return sp.Integer(v) if isinstance(v, int) else sp.Float(v)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            return consts[node.id]
        if isinstance(node, ast.Call):
            args = [conv(a) for a in node.args]
            name = node.func.id
            if name in helpers:
                return helpers[name](*args)
            if name == "pow":
                return power(node, *args)
            if name == "exp":
                return exponential(node, args[0])
            return builtins[name](*args)
        raise ModelError(f"cannot convert {describe(node)}")  # pragma: no cover

    try:
        expr = conv(tree)
    except RecursionError:
        raise ModelError(f"{where}: expression nested too deeply") from None
    found = _bad_part(expr)
    if found is not None:
        raise ModelError(f"{where}: {describe(tree)} contains {_brief(found[0])}, which "
                         f"{found[1]}")
    return expr
