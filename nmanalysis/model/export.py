"""A :class:`~nmanalysis.Model` written as an XPPAUT ``.ode`` file.

:func:`ode_text` prints the model from its checked syntax trees (never from
re-parsed text), in the subset of the XPPAUT language that
:func:`nmanalysis.io.xpp.read_ode` reads back, so that
``load_model(path)`` after ``model.to_ode(path)`` has the same equations.

How the model maps onto the file:

- parameters -> ``par`` lines; inputs -> ``par`` lines too (their constant
  default; time courses have no equivalent);
- states -> ``x'=...`` and ``init``; the first two states' ``bounds`` -> the
  plot window ``@ xp, yp, xlo, xhi, ylo, yhi``;
- helper functions -> user functions ``f(x)=...``; the built-ins XPPAUT lacks
  (``sigmoid``, ``expm1``) become user functions of the same name, ``Heaviside``
  becomes ``heav`` (equal except at 0), ``pow(a, b)`` becomes ``a^b``, and
  ``max``/``min`` of more than two arguments are nested;
- observables -> ``aux`` lines; where an equation uses an observable, its
  formula is written in place (XPPAUT's ``aux`` quantities are output only).

XPPAUT names are case-insensitive and at most 10 characters long, and its
built-in function names are reserved. A name that breaks these rules (the
``A`` and ``a`` of the Jansen-Rit model, a 12-character name) is written
under a new name, and a comment ``# nmanalysis-name: NEW = old`` records the
original, which the reader restores.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from ..errors import OptionsError

__all__ = ["ode_text", "write_ode", "XPP_RESERVED", "XPP_METHODS"]

#: names XPPAUT reserves (built-in functions and words of its expression language)
XPP_RESERVED = frozenset({
    "t", "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    "exp", "ln", "log", "log10", "sqrt", "abs", "heav", "sign", "flr", "mod", "max", "min",
    "delay", "ran", "if", "then", "else", "not", "normal", "besselj", "bessely", "besseli",
    "erf", "erfc", "sum", "of", "shift", "ishift", "del_shft", "hom_bcs", "poisson", "set",
    "lgamma", "int", "ceil", "mouse_x", "mouse_y", "mouse_vx", "mouse_vy",
    *(f"arg{k}" for k in range(1, 21)),
})
#: this package's method -> XPPAUT's ``meth`` option
XPP_METHODS = {"euler": "euler", "heun": "modeuler", "rk4": "rungekutta", "dopri5": "5dp"}
_MAX_NAME = 10
_MAX_LINE = 1000
# functions written as they are (this package's name -> XPPAUT's)
_SAME = {"exp": "exp", "log": "ln", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan",
         "atan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "abs": "abs",
         "Abs": "abs", "sign": "sign", "Heaviside": "heav", "heaviside": "heav"}
# built-ins XPPAUT lacks, written as user functions when a model calls them
_HELPERS = {"sigmoid": ("x", "1/(1+exp(-x))"), "expm1": ("x", "exp(x)-1")}
_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


def _number(value) -> str:
    text = repr(float(value)) if not isinstance(value, int) else str(value)
    return text[:-2] if text.endswith(".0") and "e" not in text else text


class _Printer:
    """Checked syntax trees -> XPPAUT formulas."""

    def __init__(self, names, functions, inline):
        self.names = names            # model name -> XPPAUT name (globals)
        self.functions = functions    # function name -> XPPAUT name
        self.inline = inline          # observable name -> tree, written in place

    def expr(self, node, local=None) -> str:
        return self._print(node, local or {})[0]

    def _print(self, node, local):
        """(text, precedence); precedence 5 = atom."""
        if isinstance(node, ast.Constant):          # as written: 20.0 stays a float
            text = repr(node.value)
            return (text, 5) if not text.startswith("-") else (f"({text})", 5)
        if isinstance(node, ast.Name):
            if node.id in local:
                return local[node.id], 5
            if node.id in self.inline:
                return f"({self.expr(self.inline[node.id], local)})", 5
            if node.id in ("t", "pi"):
                return node.id, 5
            return self.names[node.id], 5
        if isinstance(node, ast.UnaryOp):
            inner, prec = self._print(node.operand, local)
            if isinstance(node.op, ast.UAdd):
                return inner, prec
            return (f"-{inner}" if prec == 5 else f"-({inner})"), 0
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            prec = _PREC[op]
            left, lp = self._print(node.left, local)
            right, rp = self._print(node.right, local)
            if op is ast.Pow:
                left = left if lp == 5 else f"({left})"
                right = right if rp == 5 else f"({right})"
                return f"{left}^{right}", prec
            if lp < prec and not (lp == 0 and op in (ast.Add, ast.Sub)):
                left = f"({left})"
            if rp <= prec or rp == 0:              # keeps the tree: a*(b*c) stays so
                right = f"({right})"
            sep = " " if prec == 1 else ""
            return f"{left}{sep}{_OPS[op]}{sep}{right}", prec
        if isinstance(node, ast.Call):
            return self.call(node.func.id, [self.expr(a, local) for a in node.args]), 5
        raise OptionsError(f"cannot write {ast.unparse(node)!r} for XPPAUT")  # pragma: no cover

    def call(self, fname, args) -> str:
        if fname in self.functions:
            return f"{self.functions[fname]}({','.join(args)})"
        if fname == "pow":
            return f"({args[0]})^({args[1]})"
        if fname in ("max", "min", "Max", "Min"):
            text = args[-1]
            for a in reversed(args[:-1]):
                text = f"{fname.lower()}({a},{text})"
            return text
        if fname in _SAME:
            return f"{_SAME[fname]}({','.join(args)})"
        return f"{fname}({','.join(args)})"       # a helper of _HELPERS


def _xpp_names(wanted, taken):
    """Model name -> a valid, case-insensitively unique XPPAUT name of <= 10 characters."""
    out = {}
    for name in wanted:
        base = name if name.isascii() else "v"
        candidate, k = base[:_MAX_NAME], 1
        while candidate.lower() in taken or candidate.lower() in XPP_RESERVED:
            k += 1
            suffix = f"_{k}"
            candidate = base[:_MAX_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def _wrap(line: str) -> list[str]:
    """Split a line longer than XPPAUT's limit at spaces, with ``\\`` continuations."""
    out = []
    while len(line) > _MAX_LINE:
        cut = line.rfind(" ", 0, _MAX_LINE - 2)
        if cut <= 0:
            raise OptionsError(f"a formula has no break point within {_MAX_LINE} "
                               "characters; XPPAUT cannot read it")
        out.append(line[:cut] + " \\")
        line = line[cut:]
    return [*out, line]


def _grouped(prefix, pairs, width=72):
    lines, current = [], []
    for item in pairs:
        if current and len(prefix) + len(", ".join([*current, item])) > width:
            lines.append(prefix + ", ".join(current))
            current = []
        current.append(item)
    if current:
        lines.append(prefix + ", ".join(current))
    return lines


def ode_text(model, *, total=None, dt=None, method=None) -> str:
    """The model as the text of an XPPAUT ``.ode`` file.

    Parameters
    ----------
    model : Model
    total, dt : float, optional
        Integration time and step, written as ``@ total=..., dt=...``.
    method : str, optional
        One of ``'euler'``, ``'heun'``, ``'rk4'``, ``'dopri5'``; written as
        XPPAUT's ``@ meth=...``.

    Returns
    -------
    str

    Raises
    ------
    OptionsError
        For a method XPPAUT has no equivalent of, or a non-positive total/dt.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> print(ode_text(nma.get_model("fitzhugh_nagumo")))   # doctest: +ELLIPSIS
    # FitzHugh-Nagumo excitable/oscillating neuron (2 states)
    ...
    par I=0.5, a=0.7, b=0.8, tau=12.5
    v'=v - v^3/3 - w + I
    w'=(v + a - b*w)/tau
    init v=-1, w=1
    @ xp=v, yp=w, xlo=-3, xhi=3, ylo=-3, yhi=5
    done
    """
    options = []
    for key, value in (("total", total), ("dt", dt)):
        if value is not None:
            try:
                ok = float(value) > 0 and float(value) < float("inf")
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise OptionsError(f"`{key}` must be a positive finite number; got {value!r}")
            options.append(f"{key}={_number(value)}")
    if method is not None:
        if method not in XPP_METHODS:
            raise OptionsError(f"`method` must be one of {sorted(XPP_METHODS)} (the methods "
                               f"XPPAUT has too); got {method!r}")
        options.append(f"meth={XPP_METHODS[method]}")

    fn_info, obs_trees, eq_trees = model._parsed()
    calls = model.calls()
    helpers = [h for h in _HELPERS if h in calls and h not in fn_info]
    taken: set[str] = set()
    names = _xpp_names([*model.state_names, *model.param_names, *model.input_names,
                        *model.observable_names], taken)
    fnames = _xpp_names([*helpers, *fn_info], taken)
    printer = _Printer(names, fnames, dict(obs_trees))
    lines = [f"# {model.description or model.name}"]
    if model.reference:
        lines.append(f"# {model.reference}")
    lines.append(f"# written by nmanalysis from model {model.name!r}; read it back with "
                 "nmanalysis.load_model")
    lines.append(f"# nmanalysis-model: {model.name}")
    lines += [f"# nmanalysis-name: {new} = {old}"
              for old, new in {**names, **fnames}.items() if new != old]
    if model.param_names:
        lines += _grouped("par ", [f"{names[p]}={_number(v)}"
                                   for p, v in model.params.items()])
    if model.input_names:
        lines.append("# inputs, at their constant default (time courses are not written)")
        lines += _grouped("par ", [f"{names[u]}={_number(v)}"
                                   for u, v in model.inputs.items()])
    for h in helpers:
        arg, body = _HELPERS[h]
        lines.append(f"{fnames[h]}({arg})={body}")
    for fname, (args, tree) in fn_info.items():
        arg_names = _xpp_names(args, {n.lower() for n in names.values()}
                               | {n.lower() for n in fnames.values()})
        lines.append(f"{fnames[fname]}({','.join(arg_names[a] for a in args)})="
                     + printer.expr(tree, arg_names))
    for state, tree in eq_trees.items():
        lines.append(f"{names[state]}'={printer.expr(tree)}")
    lines += _grouped("init ", [f"{names[s]}={_number(v)}" for s, v in model.states.items()])
    for obs, tree in obs_trees.items():
        inline = {k: v for k, v in obs_trees.items() if k != obs}
        lines.append(f"aux {names[obs]}="
                     + _Printer(names, fnames, inline).expr(tree))
    window = []
    info = model.state_info
    for axis, state in zip("xy", model.state_names[:2]):
        if info[state].bounds is not None:
            lo, hi = info[state].bounds
            window += [f"{axis}p={names[state]}", f"{axis}lo={_number(lo)}",
                       f"{axis}hi={_number(hi)}"]
    if window:
        lines.append("@ " + ", ".join(window[0::3] + [w for i, w in enumerate(window)
                                                       if i % 3]))
    if options:
        lines.append("@ " + ", ".join(options))
    lines.append("done")
    return "\n".join(part for line in lines for part in _wrap(line)) + "\n"


def write_ode(model, path, **options) -> Path:
    """Write :func:`ode_text` of ``model`` to ``path`` (overwritten); return the path."""
    path = Path(os.fspath(path))
    path.write_text(ode_text(model, **options), encoding="utf-8")
    return path
