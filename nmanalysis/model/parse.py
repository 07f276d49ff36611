"""Safe parsing of model expressions: text -> checked syntax tree -> sympy.

Nothing here calls :func:`eval`, :func:`exec` or :func:`sympy.sympify` on user
text. An expression is parsed by :mod:`ast` and then walked node by node
against a whitelist: numbers, names the model declares, the arithmetic
operators ``+ - * / ** ^`` (``^`` means power, as in AUTO and MatCont), and
calls of whitelisted functions or of the model's own helper functions. Any
other construct (attribute access, subscripts, lambdas, comparisons, keyword
arguments, string literals, ...) raises :class:`~nmanalysis.errors.ModelError`
naming the offending token.

The checked tree is converted to sympy only when a symbolic form is needed,
so building a :class:`~nmanalysis.model.Model` does not import sympy.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Callable, Mapping

from ..errors import ModelError

__all__ = ["FUNCTION_ARITY", "CONSTANTS", "RESERVED", "parse_expression",
           "parse_signature", "names_in", "calls_in", "to_sympy", "check_identifier"]

#: whitelisted functions -> (min args, max args); ``None`` = unbounded.
FUNCTION_ARITY: dict[str, tuple[int, int | None]] = {
    "exp": (1, 1), "expm1": (1, 1), "log": (1, 1), "sqrt": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "atan": (1, 1),
    "sinh": (1, 1), "cosh": (1, 1), "tanh": (1, 1),
    "abs": (1, 1), "Abs": (1, 1), "sign": (1, 1), "pow": (2, 2),
    "Heaviside": (1, 1), "heaviside": (1, 1), "sigmoid": (1, 1),
    "min": (2, None), "max": (2, None), "Min": (2, None), "Max": (2, None),
}
#: named constants usable in expressions.
CONSTANTS = {"pi": math.pi}
#: names a model may not use for its own symbols.
RESERVED = frozenset({"t", *FUNCTION_ARITY, *CONSTANTS})

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_UNARY = (ast.UAdd, ast.USub)


def check_identifier(name: str, what: str) -> str:
    """Return ``name`` if it can name a model symbol, else raise ModelError."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ModelError(f"{what} name {name!r} is not a valid identifier "
                         "(letters, digits and '_', not starting with a digit)")
    if name.startswith("_"):
        raise ModelError(f"{what} name {name!r} may not start with '_'")
    if name in RESERVED:
        raise ModelError(f"{what} name {name!r} is reserved; reserved names are "
                         f"{sorted(RESERVED)}")
    return name


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
        return repr(ast.unparse(node))
    except Exception:  # pragma: no cover - unparse of a checked-out node
        return type(node).__name__


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
        Naming the first construct or name that is not allowed.

    Examples
    --------
    >>> tree = parse_expression("a*x^2", {"a", "x"})
    >>> import ast; ast.unparse(tree)
    'a * x ** 2'
    """
    functions = dict(functions or {})
    tree = _syntax_tree(text, where)
    try:
        _check(tree, set(known), functions, where)
    except RecursionError:
        raise ModelError(f"{where}: expression nested too deeply") from None
    return tree


def _check(node: ast.AST, known: set, functions: dict, where: str) -> None:
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINOPS):
            raise ModelError(f"{where}: operator {type(node.op).__name__} in {_describe(node)} "
                             "is not allowed (use + - * / ** or ^)")
        _check(node.left, known, functions, where)
        _check(node.right, known, functions, where)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ModelError(f"{where}: operator {type(node.op).__name__} in {_describe(node)} "
                             "is not allowed")
        _check(node.operand, known, functions, where)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelError(f"{where}: literal {value!r} is not allowed (numbers only)")
        if isinstance(value, float) and not math.isfinite(value):
            raise ModelError(f"{where}: non-finite literal {value!r}")
    elif isinstance(node, ast.Name):
        if node.id not in known and node.id not in CONSTANTS and node.id != "t":
            hint = " (a function must be called)" if node.id in FUNCTION_ARITY else ""
            raise ModelError(f"{where}: unknown name {node.id!r}{hint}; known names are "
                             f"{sorted(known | {'t', *CONSTANTS})}")
    elif isinstance(node, ast.Call):
        _check_call(node, known, functions, where)
    else:
        raise ModelError(f"{where}: {type(node).__name__} {_describe(node)} is not allowed "
                         "in a model expression")


def _check_call(node: ast.Call, known: set, functions: dict, where: str) -> None:
    if not isinstance(node.func, ast.Name):
        raise ModelError(f"{where}: call of {_describe(node.func)} is not allowed; only "
                         "whitelisted functions and the model's own functions may be called")
    name = node.func.id
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise ModelError(f"{where}: {name}() takes positional arguments only")
    if name in functions:
        lo = hi = functions[name]
    elif name in FUNCTION_ARITY:
        lo, hi = FUNCTION_ARITY[name]
    else:
        raise ModelError(f"{where}: unknown function {name!r}; allowed are "
                         f"{sorted(FUNCTION_ARITY)} and the model's functions "
                         f"{sorted(functions)}")
    n = len(node.args)
    if n < lo or (hi is not None and n > hi):
        want = f"{lo}" if lo == hi else f"at least {lo}"
        raise ModelError(f"{where}: {name}() takes {want} argument(s), got {n}")
    for arg in node.args:
        _check(arg, known, functions, where)


def parse_signature(signature: str) -> tuple[str, tuple[str, ...]]:
    """Parse a helper-function signature ``"S(x, k, th)"`` into name and arguments.

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
    name = check_identifier(node.func.id, "function")
    args = tuple(a.id for a in node.args)
    if len(set(args)) != len(args):
        raise ModelError(f"{where}: repeated argument name")
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


def to_sympy(tree: ast.AST, symbols: Mapping[str, object],
             functions: Mapping[str, Callable] | None = None):
    """Convert a checked tree to a sympy expression.

    ``symbols`` maps names to sympy objects (symbols or whole sub-expressions);
    ``functions`` maps the model's helper-function names to callables that
    build their sympy body from sympy arguments.
    """
    import sympy as sp

    builtins = _sympy_functions()
    helpers = dict(functions or {})
    consts = {"pi": sp.pi, "t": sp.Symbol("t", real=True)}

    def conv(node):
        if isinstance(node, ast.BinOp):
            a, b = conv(node.left), conv(node.right)
            op = type(node.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if op is ast.Div:
                return a / b
            return a ** b
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
            fn = helpers.get(node.func.id) or builtins[node.func.id]
            return fn(*args)
        raise ModelError(f"cannot convert {_describe(node)}")  # pragma: no cover

    return conv(tree)
