"""Safe parsing of model expressions: text -> checked syntax tree -> sympy.

Nothing here calls :func:`eval`, :func:`exec` or :func:`sympy.sympify` on user
text. An expression is parsed by :mod:`ast` and then walked node by node
against a whitelist: numbers, names the model declares, the arithmetic
operators ``+ - * / ** ^`` (``^`` means power, as in AUTO and MatCont), and
calls of whitelisted functions or of the model's own helper functions. Any
other construct (attribute access, subscripts, lambdas, comparisons, keyword
arguments, string literals, ...) raises :class:`~nmanalysis.errors.ModelError`
naming the offending token.

The same walk (:mod:`.folding`) evaluates every constant sub-expression in bounded arithmetic
(exact fractions of limited size, or double precision), so that a constant
which is infinite, undefined (``1/0``, ``log(0)``), complex (``sqrt(-1)``) or
too large to ever be computed exactly (``10**10**10``) is refused when the
model is built, naming the term, instead of being handed to sympy (whose
exact arithmetic would never finish). Nesting depth and expression size are
bounded as well.

Names: Python folds identifiers in expressions by Unicode NFKC (``ﬁ`` reads
as ``fi``, the micro sign ``µ`` as the Greek ``μ``), so every declared name is
folded the same way by :func:`check_identifier` (see :func:`fold_name`).

The checked tree is converted to sympy (:mod:`.sympy_form`) only when a
symbolic form is needed, so building a :class:`~nmanalysis.model.Model` does
not import sympy. The whitelist itself is in :mod:`.grammar`.
"""

from __future__ import annotations

import ast
import keyword
import unicodedata
from collections.abc import Mapping

from ..errors import ModelError
from .folding import ConstantChecker
from .grammar import (CONSTANTS, CONVENIENCE_FUNCTIONS, CORE_FUNCTIONS, FUNCTION_ARITY,
                      MAX_DEPTH, MAX_NODES, RESERVED)

__all__ = ["parse_expression", "parse_signature", "names_in", "calls_in", "check_identifier",
           "fold_name"]

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
        ConstantChecker(set(known), functions, where).check(tree, 0, 1)
    except RecursionError:
        raise ModelError(f"{where}: expression nested too deeply") from None
    return tree


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


