"""The vocabulary of model expressions: whitelisted functions, constants and limits.

Shared by the parser (:mod:`.parse`), the bounded constant folding
(:mod:`.folding`) and the conversion to sympy (:mod:`.sympy_form`).
"""

from __future__ import annotations

import ast
import math

__all__ = ["FUNCTION_ARITY", "CORE_FUNCTIONS", "CONVENIENCE_FUNCTIONS", "CONSTANTS",
           "RESERVED", "MAX_NESTING", "MAX_DEPTH", "MAX_NODES", "MAX_EXACT_BITS",
           "MAX_EXPONENT", "MAX_EXACT_BUDGET", "BINOPS", "UNARY", "ADDITIVE",
           "MULTIPLICATIVE", "describe"]

#: whitelisted functions -> (min args, max args); ``None`` = unbounded.
FUNCTION_ARITY: dict[str, tuple[int, int | None]] = {
    "exp": (1, 1), "expm1": (1, 1), "log": (1, 1), "sqrt": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "atan": (1, 1),
    "sinh": (1, 1), "cosh": (1, 1), "tanh": (1, 1),
    "abs": (1, 1), "Abs": (1, 1), "sign": (1, 1), "pow": (2, 2),
    "Heaviside": (1, 1), "heaviside": (1, 1), "sigmoid": (1, 1),
    "min": (2, None), "max": (2, None), "Min": (2, None), "Max": (2, None),
}
#: the core mathematical functions: no model may redefine these.
CORE_FUNCTIONS = frozenset({
    "exp", "expm1", "log", "sqrt", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh",
    "abs", "Abs", "sign", "pow", "min", "max", "Min", "Max",
})
#: convenience built-ins a model may replace by its own definition (``functions=``),
#: e.g. the Jansen-Rit ``sigmoid(v) = 2*e0/(1 + exp(r*(v0 - v)))``.
CONVENIENCE_FUNCTIONS = frozenset(FUNCTION_ARITY) - CORE_FUNCTIONS
#: named constants usable in expressions.
CONSTANTS = {"pi": math.pi}
#: names a model may not use for its own symbols.
RESERVED = frozenset({"t", *FUNCTION_ARITY, *CONSTANTS})

#: deepest nesting of sub-expressions (a chain ``a + b - c + ...`` or ``a*b/c*...``
#: counts as one level however long it is).
MAX_NESTING = 64
#: deepest syntax tree (a sum or product of n terms is n levels deep).
MAX_DEPTH = 250
#: most syntax-tree nodes in one expression.
MAX_NODES = 20_000
#: largest exact constant: numerator and denominator of at most this many bits
#: (the double-precision range ends at 2**1024).
MAX_EXACT_BITS = 1100
#: largest exact exponent applied to a non-constant or irrational base, and the
#: largest product of exact exponents along a nesting of powers.
MAX_EXPONENT = 1000
#: total size (bits times the powers they are raised to) of the exact constants
#: in one expression.
MAX_EXACT_BUDGET = 100_000

BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
UNARY = (ast.UAdd, ast.USub)
ADDITIVE = (ast.Add, ast.Sub)
MULTIPLICATIVE = (ast.Mult, ast.Div)


def describe(node: ast.AST) -> str:
    """A short quoted rendering of a syntax node for error messages."""
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of a checked-out node
        return type(node).__name__
    if len(text) > 80:
        text = text[:77] + "..."
    return repr(text)
