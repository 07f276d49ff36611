"""Bounded constant folding of model expressions.

While an expression is checked, every constant sub-expression is evaluated in
bounded arithmetic, so that a constant which is infinite, undefined, complex or
too large to ever be computed exactly is refused (naming the term) before sympy,
whose exact arithmetic would never finish, sees it.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction

from ..errors import ModelError
from .grammar import (ADDITIVE, BINOPS, CONSTANTS, FUNCTION_ARITY, MAX_EXACT_BITS,
                      MAX_EXACT_BUDGET, MAX_EXPONENT, MAX_NESTING, MULTIPLICATIVE, UNARY,
                      describe)

__all__ = ["ConstantChecker"]


# A constant sub-expression is folded to (value, kind): kind "rational" holds an exact
# Fraction (sympy keeps it exact), "float" a float (sympy evaluates it as a Float),
# "exact" a float approximating a value sympy keeps exact and symbolic (sqrt(2), E, ...).

def _bits(q: Fraction) -> int:
    return max(q.numerator.bit_length(), q.denominator.bit_length())


def _kind(*kinds: str) -> str:
    if "exact" in kinds:
        return "exact"
    return "float" if "float" in kinds else "rational"


class ConstantChecker:
    def __init__(self, known: set, functions: dict, where: str):
        self.known, self.functions, self.where = known, functions, where
        self.budget = 0

    def fail(self, node, what: str):
        raise ModelError(f"{self.where}: {describe(node)} {what}")

    # value helpers
    def as_float(self, value, node) -> float:
        try:
            return float(value)
        except OverflowError:
            self.fail(node, "exceeds the double-precision range (about 1.8e308)")

    def finite(self, value: float, node) -> float:
        if math.isnan(value):
            self.fail(node, "is not a number (NaN)")
        if math.isinf(value):
            self.fail(node, "overflows: its value exceeds the double-precision range "
                            "(about 1.8e308)")
        if isinstance(value, complex):  # pragma: no cover - math functions return floats
            self.fail(node, "is complex; model expressions must be real")
        return value

    def exact(self, value: Fraction, node, mult: int):
        bits = _bits(value)
        if bits > MAX_EXACT_BITS:
            self.fail(node, f"is an exact number with about {int(bits * 0.30103) + 1} digits; "
                            "exact constants must stay within the double-precision range "
                            "(about 308 digits)")
        self.charge(bits * mult, node)
        return value

    def charge(self, bits: float, node):
        self.budget += bits
        if self.budget > MAX_EXACT_BUDGET:
            self.fail(node, "makes the exact numbers of the expression too large to compute "
                            f"(more than {MAX_EXACT_BUDGET} bits); use float literals "
                            "such as 2.0 for floating-point values")

    # the walk: returns (value, kind) for a constant node, None otherwise
    def check(self, node, depth: int, mult: int):
        if depth > MAX_NESTING:
            raise ModelError(f"{self.where}: expression nested more than {MAX_NESTING} "
                             f"levels deep at {describe(node)}")
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, BINOPS):
                raise ModelError(f"{self.where}: operator {type(node.op).__name__} in "
                                 f"{describe(node)} is not allowed (use + - * / ** or ^)")
            if isinstance(node.op, ast.Pow):
                return self.power(node, node.left, node.right, depth, mult)
            return self.chain(node, depth, mult)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, UNARY):
                raise ModelError(f"{self.where}: operator {type(node.op).__name__} in "
                                 f"{describe(node)} is not allowed")
            c = self.check(node.operand, depth + 1, mult)
            if c is None or isinstance(node.op, ast.UAdd):
                return c
            return (-c[0], c[1])
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ModelError(f"{self.where}: literal {value!r} is not allowed "
                                 "(numbers only)")
            if isinstance(value, float):
                if not math.isfinite(value):
                    raise ModelError(f"{self.where}: non-finite literal {value!r}")
                return (value, "float")
            return (self.exact(Fraction(value), node, mult), "rational")
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                self.charge(64 * mult, node)
                return (CONSTANTS[node.id], "exact")
            if node.id not in self.known and node.id != "t":
                hint = " (a function must be called)" if node.id in FUNCTION_ARITY else ""
                raise ModelError(f"{self.where}: unknown name {node.id!r}{hint}; known names "
                                 f"are {sorted(self.known | {'t', *CONSTANTS})}")
            return None
        if isinstance(node, ast.Call):
            return self.call(node, depth, mult)
        raise ModelError(f"{self.where}: {type(node).__name__} {describe(node)} is not "
                         "allowed in a model expression")

    def chain(self, node, depth, mult):
        ops = ADDITIVE if isinstance(node.op, ADDITIVE) else MULTIPLICATIVE
        items = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            items.append((node.op, node.right, node))
            node = node.left
        items.append((None, node, node))
        items.reverse()
        values = []
        for op, operand, whole in items:
            c = self.check(operand, depth + 1, mult)
            if isinstance(op, ast.Div) and c is not None and c[0] == 0:
                self.fail(whole, "divides by zero")
            values.append(c)
        if any(c is None for c in values):
            return None
        acc, kind = values[0]
        for (op, _, whole), (v, k) in zip(items[1:], values[1:]):
            # sympy drops a float zero term and turns a product with a float zero into
            # the exact 0: the kind follows what sympy will hold
            if isinstance(op, ADDITIVE):
                if k == "float" and v == 0:
                    v, k = Fraction(0), kind
                    if kind != "rational":
                        continue
                elif kind == "float" and acc == 0:
                    acc, kind = (Fraction(0), k) if k == "rational" else (0.0, k)
            elif (k == "float" and v == 0) or (kind == "float" and acc == 0):
                acc, kind = Fraction(0), "rational"
                continue
            kind = _kind(kind, k)
            if kind == "rational":
                acc = self.exact(_arith(op, acc, v), whole, 0)
            else:
                acc = self.finite(_arith(op, self.as_float(acc, whole), self.as_float(v, whole)),
                                  whole)
        return (acc, kind)

    def power(self, node, base_node, exp_node, depth, mult):
        e = self.check(exp_node, depth + 1, mult)
        # an exponent sympy holds exactly ("rational", or "exact": sqrt(9**9) is 19683)
        exact_exp = e is not None and e[1] != "float"
        inner = mult
        if exact_exp:
            if abs(e[0]) > MAX_EXPONENT:
                inner = MAX_EXPONENT + 1      # decided below, once the base is known
            else:
                inner = mult * max(1, math.ceil(abs(e[0])))
        b = self.check(base_node, depth + 1, min(inner, MAX_EXPONENT * MAX_EXPONENT))
        if e is None:
            if b is not None and b[0] == 0:
                self.fail(node, "is zero to a variable power (zero or infinite); model "
                                "expressions must be finite")
            return None
        ev, ek = e
        if b is None or b[1] == "exact":
            if exact_exp and (abs(ev) > MAX_EXPONENT or inner > MAX_EXPONENT):
                self.fail(node, f"raises to an exact power beyond {MAX_EXPONENT} (in total "
                                "over nested powers); exact powers this large cannot be "
                                "computed; write the exponent as a float (e.g. 1e10) for a "
                                "floating-point power")
            if b is None:
                return None
        bv, bk = b
        if bk == "rational" and exact_exp:
            integral = ek == "rational" and ev.denominator == 1
            if bv == 0:
                if ev < 0:
                    self.fail(node, "divides by zero (zero to a negative power)")
                return (Fraction(0 if ev else 1), "rational")
            if abs(bv) == 1 and integral:
                return (bv ** (ev.numerator % 2), "rational")
            if abs(bv) != 1:
                bits = abs(ev) * max(math.log2(abs(bv.numerator)), math.log2(bv.denominator))
                if bits > MAX_EXACT_BITS:
                    self.fail(node, f"is an exact number with about {bits * 0.30103:.3g} "
                                    "digits; exact constants must stay within the "
                                    "double-precision range (about 308 digits); write the "
                                    "base as a float (e.g. 2.0) for a floating-point value")
            if integral:
                return (self.exact(bv ** ev.numerator, node, mult), "rational")
        x, y = self.as_float(bv, node), self.as_float(ev, node)
        if x == 0 and y < 0:
            self.fail(node, "divides by zero (zero to a negative power)")
        if x < 0 and not float(y).is_integer():
            self.fail(node, "is complex (negative base to a fractional power); model "
                            "expressions must be real")
        try:
            value = math.pow(x, y)
        except OverflowError:
            self.fail(node, "overflows: its value exceeds the double-precision range "
                            "(about 1.8e308)")
        except (ValueError, ZeroDivisionError):  # pragma: no cover - excluded above
            self.fail(node, "is not a real number")
        value = self.finite(value, node)
        floating = "float" in (bk, ek) and "exact" not in (bk, ek) and value not in (0, 1)
        return (value, "float" if floating else "exact")

    def call(self, node, depth, mult):
        if not isinstance(node.func, ast.Name):
            raise ModelError(f"{self.where}: call of {describe(node.func)} is not allowed; "
                             "only whitelisted functions and the model's own functions may "
                             "be called")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ModelError(f"{self.where}: {name}() takes positional arguments only")
        own = name in self.functions
        if own:
            lo = hi = self.functions[name]
        elif name in FUNCTION_ARITY:
            lo, hi = FUNCTION_ARITY[name]
        else:
            raise ModelError(f"{self.where}: unknown function {name!r}; allowed are "
                             f"{sorted(FUNCTION_ARITY)} and the model's functions "
                             f"{sorted(self.functions)}")
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if lo == hi else f"at least {lo}"
            raise ModelError(f"{self.where}: {name}() takes {want} argument(s), got {n}")
        if name == "pow" and not own:
            return self.power(node, node.args[0], node.args[1], depth, mult)
        args = [self.check(a, depth + 1, mult) for a in node.args]
        if own or any(a is None for a in args):
            return None
        return self.builtin(node, name, args)

    def builtin(self, node, name, args):
        kinds = [k for _, k in args]
        if name in ("min", "max", "Min", "Max"):
            pick = min if name in ("min", "Min") else max
            value = pick(v for v, _ in args)
            tied = [(v, k) for v, k in args if v == value]
            for want in ("rational", "exact", "float"):     # the most exact of a tie
                for v, k in tied:
                    if k == want:
                        return (v, k)
        if name in ("abs", "Abs"):
            return (abs(args[0][0]), kinds[0])
        if name in ("sign", "Heaviside", "heaviside"):     # sympy gives -1, 0, 1/2 or 1
            v = args[0][0]
            if name == "sign":
                return (Fraction((v > 0) - (v < 0)), "rational")
            return (Fraction(1 if v > 0 else (0 if v < 0 else Fraction(1, 2))), "rational")
        x = self.as_float(args[0][0], node)
        # sympy evaluates a function of a float to a float, except at special points
        # such as exp(0.0) = 1, which it returns exactly
        kind = "float" if kinds[0] == "float" and x != 0 else "exact"
        if name == "log":
            if x == 0:
                self.fail(node, "is minus infinity (log of zero)")
            if x < 0:
                self.fail(node, "is complex (log of a negative number); model expressions "
                                "must be real")
        if name == "sqrt" and x < 0:
            self.fail(node, "is complex (square root of a negative number); model "
                            "expressions must be real")
        try:
            if name == "sigmoid":
                value = (1 / (1 + math.exp(-x)) if x >= 0
                         else math.exp(x) / (1 + math.exp(x)))
            else:
                value = getattr(math, name)(x)
        except OverflowError:
            self.fail(node, "overflows: its value exceeds the double-precision range "
                            "(about 1.8e308)")
        except ValueError:  # pragma: no cover - domain errors are excluded above
            self.fail(node, "is not a real number")
        return (self.finite(value, node), kind)


def _arith(op, a, b):
    """``a op b`` for the operators of a sum or product chain (+, -, *, /)."""
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    return a / b
