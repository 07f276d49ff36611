"""Safe parsing of model expressions: text -> checked syntax tree -> sympy.

Nothing here calls :func:`eval`, :func:`exec` or :func:`sympy.sympify` on user
text. An expression is parsed by :mod:`ast` and then walked node by node
against a whitelist: numbers, names the model declares, the arithmetic
operators ``+ - * / ** ^`` (``^`` means power, as in AUTO and MatCont), and
calls of whitelisted functions or of the model's own helper functions. Any
other construct (attribute access, subscripts, lambdas, comparisons, keyword
arguments, string literals, ...) raises :class:`~nmanalysis.errors.ModelError`
naming the offending token.

The same walk evaluates every constant sub-expression in bounded arithmetic
(exact fractions of limited size, or double precision), so that a constant
which is infinite, undefined (``1/0``, ``log(0)``), complex (``sqrt(-1)``) or
too large to ever be computed exactly (``10**10**10``) is refused when the
model is built, naming the term, instead of being handed to sympy (whose
exact arithmetic would never finish). Nesting depth and expression size are
bounded as well.

Names: Python folds identifiers in expressions by Unicode NFKC (``ﬁ`` reads
as ``fi``, the micro sign ``µ`` as the Greek ``μ``), so every declared name is
folded the same way by :func:`check_identifier` (see :func:`fold_name`).

The checked tree is converted to sympy only when a symbolic form is needed,
so building a :class:`~nmanalysis.model.Model` does not import sympy.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from collections.abc import Callable, Mapping
from fractions import Fraction

from ..errors import ModelError

__all__ = ["FUNCTION_ARITY", "CORE_FUNCTIONS", "CONVENIENCE_FUNCTIONS", "CONSTANTS",
           "RESERVED", "parse_expression", "parse_signature", "names_in", "calls_in",
           "to_sympy", "check_identifier", "fold_name"]

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

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_UNARY = (ast.UAdd, ast.USub)
_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)


def fold_name(name):
    """The NFKC form of a name, as Python reads identifiers in expressions.

    Examples
    --------
    >>> fold_name("\ufb01"), fold_name("\u00b5") == "\u03bc"
    ('fi', True)
    """
    return unicodedata.normalize("NFKC", name) if isinstance(name, str) else name


def check_identifier(name: str, what: str, *, allow=frozenset()) -> str:
    """Return the NFKC-folded ``name`` if it can name a model symbol, else raise ModelError.

    ``allow`` lists reserved names that are nevertheless accepted (the
    convenience functions, when ``name`` is a model function).
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ModelError(f"{what} name {name!r} is not a valid identifier "
                         "(letters, digits and '_', not starting with a digit)")
    folded = fold_name(name)
    read = "" if folded == name else f" (read as {folded!r} after Unicode NFKC normalisation)"
    if not folded.isidentifier() or keyword.iskeyword(folded):
        raise ModelError(f"{what} name {name!r}{read} is not a valid identifier "
                         "(letters, digits and '_', not starting with a digit)")
    if folded.startswith("_"):
        raise ModelError(f"{what} name {name!r}{read} may not start with '_'")
    if folded in RESERVED and folded not in allow:
        raise ModelError(f"{what} name {name!r}{read} is reserved; reserved names are "
                         f"{sorted(RESERVED)}")
    return folded


def _syntax_tree(text: str, where: str) -> ast.expr:
    if not isinstance(text, str):
        raise ModelError(f"{where}: expected an expression string, got {type(text).__name__}")
    if not text.strip():
        raise ModelError(f"{where}: empty expression")
    if len(text) > 100_000:
        raise ModelError(f"{where}: expression longer than 100000 characters")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        msg = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        raise ModelError(f"{where}: cannot parse {text!r}: {msg}") from None
    return tree.body


def _describe(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of a checked-out node
        return type(node).__name__
    if len(text) > 80:
        text = text[:77] + "..."
    return repr(text)


def parse_expression(text: str, known: Mapping[str, str] | frozenset | set,
                     functions: Mapping[str, int] | None = None, *,
                     where: str = "expression") -> ast.expr:
    """Parse and check one expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"v - v**3/3 - w + I"``.
    known : collection of str
        Names the expression may use (states, parameters, inputs, ...).
    functions : mapping of str to int, optional
        The model's own helper functions and their number of arguments.
    where : str
        Context for error messages, e.g. ``"equation for 'v'"``.

    Returns
    -------
    ast.expr
        The checked syntax tree (``^`` already turned into ``**``).

    Raises
    ------
    ModelError
        Naming the first construct or name that is not allowed, or the first
        constant term that is not a finite real number of reasonable size.

    Examples
    --------
    >>> tree = parse_expression("a*x^2", {"a", "x"})
    >>> import ast; ast.unparse(tree)
    'a * x ** 2'
    """
    functions = dict(functions or {})
    tree = _syntax_tree(text, where)
    n_nodes, depth, stack = 0, 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        n_nodes, depth = n_nodes + 1, max(depth, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    if n_nodes > MAX_NODES:
        raise ModelError(f"{where}: expression has {n_nodes} syntax nodes; at most "
                         f"{MAX_NODES} are allowed")
    if depth > MAX_DEPTH:
        raise ModelError(f"{where}: expression nested {depth} levels deep; at most "
                         f"{MAX_DEPTH} are allowed (a sum or product of n terms is n "
                         "levels deep)")
    try:
        _Checker(set(known), functions, where).check(tree, 0, 1)
    except RecursionError:
        raise ModelError(f"{where}: expression nested too deeply") from None
    return tree


# -- bounded constant folding -------------------------------------------------------------
# A constant sub-expression is folded to (value, kind): kind "rational" holds an exact
# Fraction (sympy keeps it exact), "float" a float (sympy evaluates it as a Float),
# "exact" a float approximating a value sympy keeps exact and symbolic (sqrt(2), E, ...).

def _bits(q: Fraction) -> int:
    return max(q.numerator.bit_length(), q.denominator.bit_length())


def _kind(*kinds: str) -> str:
    if "exact" in kinds:
        return "exact"
    return "float" if "float" in kinds else "rational"


class _Checker:
    def __init__(self, known: set, functions: dict, where: str):
        self.known, self.functions, self.where = known, functions, where
        self.budget = 0

    def fail(self, node, what: str):
        raise ModelError(f"{self.where}: {_describe(node)} {what}")

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
                             f"levels deep at {_describe(node)}")
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise ModelError(f"{self.where}: operator {type(node.op).__name__} in "
                                 f"{_describe(node)} is not allowed (use + - * / ** or ^)")
            if isinstance(node.op, ast.Pow):
                return self.power(node, node.left, node.right, depth, mult)
            return self.chain(node, depth, mult)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, _UNARY):
                raise ModelError(f"{self.where}: operator {type(node.op).__name__} in "
                                 f"{_describe(node)} is not allowed")
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
        raise ModelError(f"{self.where}: {type(node).__name__} {_describe(node)} is not "
                         "allowed in a model expression")

    def chain(self, node, depth, mult):
        ops = _ADDITIVE if isinstance(node.op, _ADDITIVE) else _MULTIPLICATIVE
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
            if isinstance(op, _ADDITIVE):
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
                if isinstance(op, ast.Add):
                    acc = acc + v
                elif isinstance(op, ast.Sub):
                    acc = acc - v
                elif isinstance(op, ast.Mult):
                    acc = acc * v
                else:
                    acc = acc / v
                acc = self.exact(acc, whole, 0)
            else:
                a, b = self.as_float(acc, whole), self.as_float(v, whole)
                if isinstance(op, ast.Add):
                    acc = a + b
                elif isinstance(op, ast.Sub):
                    acc = a - b
                elif isinstance(op, ast.Mult):
                    acc = a * b
                else:
                    acc = a / b
                acc = self.finite(acc, whole)
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
            raise ModelError(f"{self.where}: call of {_describe(node.func)} is not allowed; "
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


def _spelling(source: str, node: ast.AST) -> str:
    """The text of ``node`` as written (before NFKC folding of identifiers)."""
    try:
        if node.lineno == node.end_lineno:
            line = source.splitlines()[node.lineno - 1].encode()
            return line[node.col_offset:node.end_col_offset].decode()
    except (AttributeError, IndexError, UnicodeDecodeError):  # pragma: no cover
        pass
    return getattr(node, "id", "?")  # pragma: no cover


def parse_signature(signature: str) -> tuple[str, tuple[str, ...]]:
    """Parse a helper-function signature ``"S(x, k, th)"`` into name and arguments.

    Names come back NFKC-folded (as Python reads them). The name may be one of
    the :data:`CONVENIENCE_FUNCTIONS` (the model's definition then replaces the
    built-in), never one of the :data:`CORE_FUNCTIONS`.

    Examples
    --------
    >>> parse_signature("S(x, k, th)")
    ('S', ('x', 'k', 'th'))
    """
    where = f"function signature {signature!r}"
    node = _syntax_tree(signature, where)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and not node.keywords and all(isinstance(a, ast.Name) for a in node.args)):
        raise ModelError(f"{where}: expected the form 'name(arg1, arg2, ...)'")
    if node.func.id in CORE_FUNCTIONS:
        raise ModelError(f"{where}: {node.func.id!r} is a core built-in function and cannot "
                         "be redefined; only the convenience functions "
                         f"{sorted(CONVENIENCE_FUNCTIONS)} may be redefined by a model")
    name = check_identifier(node.func.id, "function", allow=CONVENIENCE_FUNCTIONS)
    args = tuple(a.id for a in node.args)
    source = signature.replace("^", "**").strip()
    seen = {}
    for a, arg_node in zip(args, node.args):
        if a in seen:
            first, this = seen[a], _spelling(source, arg_node)
            both = (f"{first!r} and {this!r} (both read as {a!r} after Unicode NFKC "
                    "normalisation)" if first != this else repr(a))
            raise ModelError(f"{where}: repeated argument name {both}")
        seen[a] = _spelling(source, arg_node)
    for a in args:
        if a in CONSTANTS or a == "t" or a in FUNCTION_ARITY or keyword.iskeyword(a):
            raise ModelError(f"{where}: argument name {a!r} is reserved")
    return name, args


def names_in(tree: ast.AST) -> set[str]:
    """All plain names an expression reads (function names excluded)."""
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def calls_in(tree: ast.AST) -> set[str]:
    """Names of all functions an expression calls."""
    return {n.func.id for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


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
        raise ModelError(f"{where}: {_describe(node)} {what}")

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
        raise ModelError(f"cannot convert {_describe(node)}")  # pragma: no cover

    try:
        expr = conv(tree)
    except RecursionError:
        raise ModelError(f"{where}: expression nested too deeply") from None
    found = _bad_part(expr)
    if found is not None:
        raise ModelError(f"{where}: {_describe(tree)} contains {_brief(found[0])}, which "
                         f"{found[1]}")
    return expr
