"""XPPAUT ``.ode`` files: reading them into a :class:`~nmanalysis.Model`.

:func:`read_ode` reads the ordinary-differential-equation part of the XPPAUT
file format, :func:`parse_ode` the same from text; ``nma.load_model("x.ode")``
calls :func:`read_ode` and returns its model. The file is read within the same
bounds as other model files (:mod:`nmanalysis.io.bounded`: 10 MB), and every
expression goes through the package's safe parser: nothing in the file is
ever executed.

What is read
------------
``par`` / ``param`` / ``p`` (``name=value``, several per line, separated by
commas or spaces)
    parameters, in order.
``init`` / ``i`` and ``name(0)=value``
    default initial values (states without one start at 0, as in XPPAUT).
``number`` / ``num``
    named constants, replaced by their value.
``!name=formula``
    derived parameters, replaced by their formula (so they follow the other
    parameters, as in XPPAUT).
``name=formula``
    fixed (temporary) quantities, replaced by their formula, in the order they
    are defined.
``f(x, y)=formula``
    user functions; they become the model's ``functions``.
``x'=formula`` and ``dx/dt=formula``
    the equations, in state order.
``aux name=formula``
    observables.
``@ name=value, ...``
    options: ``total``, ``t0``, ``dt``, ``meth``, ``bounds``, ``trans``,
    ``toler``, ``atoler`` become keyword arguments of :func:`~nmanalysis.simulate`
    (:attr:`OdeFile.simulate_options`); ``xp``/``yp`` with ``xlo``/``xhi``/``ylo``/``yhi``
    become the ``bounds`` of those states (the box searched for equilibria);
    ``parmin``/``parmax`` become a continuation range
    (:attr:`OdeFile.continuation_options`). Every option is kept as written in
    :attr:`OdeFile.options`, and :attr:`OdeFile.notes` says which were not used.
``#`` comments (also after a statement), ``"`` comment lines, line
continuation with ``\\``, and ``done`` (the rest of the file is ignored).
``only``, ``set`` and ``options`` lines (output selection, named parameter
sets, include files) are skipped with a note.

Names are case-insensitive, as in XPPAUT: ``V`` and ``v`` are the same name,
spelled as where it is first declared. A name that is a Python keyword or a
reserved name of this package (``lambda``, ``sigmoid``, ...) gets a trailing
``_`` (``lambda_``); :attr:`OdeFile.renamed` lists such changes.

Built-in functions: ``exp``, ``sqrt``, ``sin``, ``cos``, ``tan``, ``atan``,
``sinh``, ``cosh``, ``tanh``, ``abs``, ``sign``, ``max``, ``min``, ``ln`` and
``log`` (both the natural logarithm, as in XPPAUT), ``log10`` and ``heav``
(``Heaviside``; XPPAUT's ``heav(0)`` is 1, this package's is 1/2, which
changes nothing but the value at the single point 0). ``^`` and ``**`` are
powers.

What is refused
---------------
With a :class:`~nmanalysis.errors.ModelError` naming the file, the line and
the construct: maps (``x(t+1)=``), Volterra equations and integrals
(``x(t)=``, ``volterra``, ``int{...}``), algebraic equations (``0=``),
``table``, ``wiener``, ``markov``, ``global``, boundary conditions, arrays
(``[j1..j2]``, ``%`` loops), ``delay`` and the other built-ins without an
equivalent here (``flr``, ``mod``, ``ran``, ``normal``, ``if``/``then``/``else``,
comparisons and logical operators, ``erf``, ``besselj``, ...), and any
character that cannot appear in an expression.

Examples
--------
>>> from nmanalysis.io.xpp import parse_ode
>>> ode = parse_ode('''
... # FitzHugh-Nagumo
... par I=0.5, a=0.7, b=0.8, tau=12.5
... v' = v - v^3/3 - w + I
... dw/dt = (v + a - b*w)/tau
... init v=-1, w=1
... @ total=200, dt=0.01, meth=rungekutta
... done
... ''', name="fhn")
>>> ode.model.state_names, ode.model.params["tau"]
(('v', 'w'), 12.5)
>>> ode.simulate_options
{'t': (0.0, 200.0), 'dt': 0.01, 'method': 'rk4'}
"""

from __future__ import annotations

import keyword
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError
from ..model import Model
from ..model.grammar import CORE_FUNCTIONS, RESERVED
from ..model.parse import parse_expression
from .bounded import one_line, read_text, short

__all__ = ["OdeFile", "read_ode", "parse_ode", "SUFFIXES", "XPP_FUNCTIONS",
           "UNSUPPORTED_FUNCTIONS", "MAX_EXPRESSION"]

#: file suffixes read as XPPAUT files
SUFFIXES = (".ode",)
#: XPPAUT built-in functions read here -> this package's function
XPP_FUNCTIONS = {
    "exp": "exp", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "atan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "abs": "abs", "sign": "sign",
    "max": "max", "min": "min", "ln": "log", "log": "log", "log10": "log10",
    "heav": "Heaviside",
}
#: XPPAUT built-ins (and words of its expression language) with no equivalent here
UNSUPPORTED_FUNCTIONS = frozenset({
    "atan2", "asin", "acos", "flr", "mod", "delay", "ran", "if", "then", "else", "not",
    "normal", "besselj", "bessely", "besseli", "erf", "erfc", "sum", "of", "shift",
    "ishift", "del_shft", "hom_bcs", "poisson", "set", "lgamma", "int", "ceil",
    *(f"arg{k}" for k in range(1, 21)),
})
#: longest expression built (after replacing fixed quantities by their formulas)
MAX_EXPRESSION = 100_000

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_TOKEN = re.compile(r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
                    r"|(?P<op>\*\*|[-+*/^(),])|(?P<space>\s+)", re.ASCII)
_EXPR_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_+-*/^()., \t")
_KEYWORDS = {
    "par": "par", "param": "par", "parameter": "par", "parameters": "par", "p": "par",
    "init": "init", "initial": "init", "i": "init",
    "number": "number", "num": "number",
    "aux": "aux",
}
_REFUSED_KEYWORDS = {
    "table": "lookup tables ('table')", "wiener": "white-noise variables ('wiener')",
    "markov": "Markov variables ('markov')", "global": "global flags ('global')",
    "volterra": "Volterra integral equations ('volterra')",
    "bdry": "boundary conditions ('bdry')", "bndry": "boundary conditions ('bndry')",
    "b": "boundary conditions ('b')", "special": "network functions ('special')",
    "export": "exported variables ('export')", "solv": "algebraic solvers ('solv')",
    "vector": "vector definitions ('vector')",
}
_SKIPPED_KEYWORDS = {"only": "output selection ('only')",
                     "set": "named parameter sets ('set')",
                     "options": "option include files ('options')"}
_METHODS = {"euler": "euler", "modeuler": "heun", "rungekutta": "rk4", "runge": "rk4",
            "rk4": "rk4", "rk": "rk4", "5dp": "dopri5", "dopri5": "dopri5",
            "dorprin5": "dopri5"}
_DIRECTIVE = re.compile(r"#\s*nmanalysis-(name|model)\s*:\s*(.*)\Z")


@dataclass(frozen=True)
class OdeFile:
    """What :func:`read_ode` found in an XPPAUT file.

    Attributes
    ----------
    model : Model
        The model (states, parameters, functions, equations, observables).
    options : dict of str to str
        Every ``@`` option as written (names in lower case).
    simulate_options : dict
        Options mapped to keyword arguments of :func:`~nmanalysis.simulate`
        (``t``, ``dt``, ``method``, ``bounds``, ``transient``, ``rtol``,
        ``atol``): ``nma.simulate(ode.model, **ode.simulate_options)`` runs
        what XPPAUT would run.
    continuation_options : dict
        ``p_range`` from ``parmin``/``parmax``.
    renamed : dict of str to str
        Names as written in the file -> names in the model, where they differ
        (Python keywords and names reserved here get a trailing ``_``).
    notes : tuple of str
        What was read but not used.
    """

    model: Model
    options: dict = field(default_factory=dict)
    simulate_options: dict = field(default_factory=dict)
    continuation_options: dict = field(default_factory=dict)
    renamed: dict = field(default_factory=dict)
    notes: tuple = ()


@dataclass
class _Item:
    kind: str            # par, number, derived, fixed, function, ode, aux
    name: str            # as first written
    text: str            # formula or value text
    line: int
    args: tuple = ()


class _Reader:
    """One pass over the lines collecting declarations, then the translation."""

    def __init__(self, source: str):
        self.source = source
        self.items: dict[str, _Item] = {}      # lower-case name -> declaration
        self.order: list[_Item] = []
        self.inits: list[tuple[str, float, int]] = []
        self.options: dict[str, str] = {}
        self.option_lines: dict[str, int] = {}
        self.notes: list[str] = []
        self.directives: dict[str, str] = {}   # lower xpp name -> original name
        self.model_name = ""
        self.description = ""

    # -- errors ---------------------------------------------------------------------------
    def fail(self, line: int, message: str):
        raise ModelError(one_line(f"{self.source}: line {line}: {message}"))

    # -- lines ----------------------------------------------------------------------------
    def logical_lines(self, text: str):
        pending, start = "", 0
        for number, raw in enumerate(text.splitlines(), start=1):
            if not pending:
                start = number
            stripped = raw.rstrip()
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            yield start, pending + raw
            pending = ""
        if pending:
            yield start, pending

    def read(self, text: str) -> None:
        first_comment = True
        for line, raw in self.logical_lines(text):
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                if self.directive(stripped, line):
                    continue
                if first_comment and not self.description and not self.order:
                    self.description = stripped.lstrip("#").strip()[:200]
                continue
            first_comment = False
            if stripped.startswith('"'):
                continue                     # XPPAUT's displayed comments
            statement = stripped.split("#", 1)[0].strip()
            if not statement:
                continue
            if statement.lower() in ("done", "d"):
                return
            self.statement(statement, line)

    def directive(self, text: str, line: int) -> None:
        match = _DIRECTIVE.match(text)
        if not match:
            return False
        what, value = match.groups()
        if what == "model":
            self.model_name = value.strip()
            return True
        parts = value.replace("=", " ").split()
        if len(parts) != 2 or not all(re.fullmatch(r"\w+", p, re.ASCII) for p in parts):
            self.fail(line, f"expected '# nmanalysis-name: XPPNAME = name', got {short(text)}")
        self.directives[parts[0].lower()] = parts[1]
        return True

    def statement(self, s: str, line: int) -> None:
        word = re.match(r"([A-Za-z_]\w*)(\s+|\Z)(.*)", s)
        if word:
            key, rest = word.group(1).lower(), word.group(3)
            is_keyword = bool(rest) and not rest.startswith(("=", "'", "(", "/"))
            if key in _REFUSED_KEYWORDS and is_keyword:
                self.fail(line, f"{_REFUSED_KEYWORDS[key]} are not supported; only "
                          "ordinary differential equations can be read")
            if key in _SKIPPED_KEYWORDS and is_keyword:
                self.notes.append(f"line {line}: {_SKIPPED_KEYWORDS[key]} skipped")
                return
            if key in _KEYWORDS and is_keyword:
                if _KEYWORDS[key] == "aux":
                    return self.aux(rest, line)
                return self.assignments(_KEYWORDS[key], rest, line)
        if "[" in s or "]" in s or "%" in s:
            self.fail(line, f"arrays ([j1..j2]) and '%' loops are not supported: {short(s)}")
        if s.startswith("@"):
            return self.option_line(s[1:], line)
        if s.startswith("!"):
            m = re.match(rf"!\s*({_NAME})\s*=(.*)\Z", s)
            if not m or not m.group(2).strip():
                self.fail(line, f"expected a derived parameter '!name=formula', got {short(s)}")
            return self.declare(_Item("derived", m.group(1), m.group(2).strip(), line))
        if re.match(r"0\s*=", s):
            self.fail(line, "algebraic equations ('0=...', differential-algebraic systems) "
                      "are not supported")
        m = re.match(rf"d({_NAME})\s*/\s*dt\s*=(.*)\Z", s, re.IGNORECASE)
        if m is None:
            m = re.match(rf"({_NAME})\s*'\s*=(.*)\Z", s)
        if m:
            return self.declare(_Item("ode", m.group(1), self.formula(m.group(2), s, line),
                                      line))
        m = re.match(rf"({_NAME})\s*\(([^()]*)\)\s*=(.*)\Z", s)
        if m:
            return self.call_form(m.group(1), m.group(2), m.group(3), s, line)
        m = re.match(rf"({_NAME})\s*=(.*)\Z", s)
        if m:
            return self.declare(_Item("fixed", m.group(1), self.formula(m.group(2), s, line),
                                      line))
        self.fail(line, f"cannot read {short(s)}; expected par/init/aux/number lines, "
                  "x'=..., dx/dt=..., name=..., f(x)=..., !name=..., @ options or done")

    def formula(self, text: str, statement: str, line: int) -> str:
        text = text.strip()
        if not text:
            self.fail(line, f"missing formula in {short(statement)}")
        return text

    def call_form(self, name, inside, formula, s, line):
        inner = inside.replace(" ", "").lower()
        if inner == "t+1":
            self.fail(line, f"maps / difference equations ({name}(t+1)=...) are not "
                      "supported; only differential equations can be read")
        if inner == "t":
            self.fail(line, f"Volterra integral equations ({name}(t)=...) are not supported")
        if inner == "0":
            value = self.number(formula.strip(), f"initial value of {name!r}", line)
            self.inits.append((name, value, line))
            return None
        args = tuple(a.strip() for a in inside.split(","))
        if not all(re.fullmatch(_NAME, a) for a in args):
            self.fail(line, f"function {name!r}: arguments must be names, got ({short(inside)})")
        lowered = [a.lower() for a in args]
        if len(set(lowered)) != len(lowered):
            self.fail(line, f"function {name!r}: an argument name is repeated (names are "
                      "case-insensitive)")
        return self.declare(_Item("function", name, self.formula(formula, s, line), line,
                                  args))

    def number(self, text: str, what: str, line: int) -> float:
        if len(text) > 100 or not _NUMBER.match(text):
            self.fail(line, f"{what}: {short(text)} is not a number")
        value = float(text)
        if not math.isfinite(value):
            self.fail(line, f"{what}: {short(text)} is too large for a number")
        return value

    def pairs(self, rest: str, line: int, what: str):
        text = re.sub(r"\s*=\s*", "=", rest.strip())
        for item in filter(None, re.split(r"[,\s]+", text)):
            name, sep, value = item.partition("=")
            if not sep or not re.fullmatch(_NAME, name) or not value:
                self.fail(line, f"{what}: expected name=value, got {short(item)}")
            yield name, value

    def assignments(self, kind: str, rest: str, line: int) -> None:
        for name, value in self.pairs(rest, line, kind):
            number = self.number(value, f"{kind} {name!r}", line)
            if kind == "init":
                self.inits.append((name, number, line))
            else:
                self.declare(_Item(kind, name, repr(number), line))

    def aux(self, rest: str, line: int) -> None:
        m = re.match(rf"\s*({_NAME})\s*=(.*)\Z", rest)
        if not m or not m.group(2).strip():
            self.fail(line, f"expected 'aux name=formula', got {short(rest)}")
        self.declare(_Item("aux", m.group(1), m.group(2).strip(), line))

    def option_line(self, rest: str, line: int) -> None:
        for name, value in self.pairs(rest, line, "@ option"):
            self.options[name.lower()] = value
            self.option_lines[name.lower()] = line

    def declare(self, item: _Item) -> None:
        key = item.name.lower()
        if key in ("t", "pi"):
            self.fail(item.line, f"{item.name!r} is reserved (time and pi)")
        if key in XPP_FUNCTIONS or key in UNSUPPORTED_FUNCTIONS:
            self.fail(item.line, f"{item.name!r} is the name of an XPPAUT built-in function")
        if key in self.items:
            first = self.items[key]
            self.fail(item.line, f"{item.name!r} is already defined on line {first.line} "
                      f"(as {first.kind} {first.name!r}; XPPAUT names are case-insensitive)")
        self.items[key] = item
        self.order.append(item)


# -- translation of formulas --------------------------------------------------------------
class _Translator:
    def __init__(self, reader: _Reader):
        self.r = reader
        self.final: dict[str, str] = {}          # lower name -> model name
        self.renamed: dict[str, str] = {}
        self.expanded: dict[str, str] = {}       # lower name of derived/fixed -> text
        self.helpers: set[str] = set()
        self.heav = False
        taken = set()
        for item in reader.order:
            if item.kind in ("number", "derived", "fixed"):
                continue
            name = reader.directives.get(item.name.lower(), item.name)
            name = _safe(name, item.kind == "function")
            if name in taken:
                reader.fail(item.line, f"{item.name!r} would be renamed {name!r}, which is "
                            "already a name of the model")
            if name != item.name:
                self.renamed[item.name] = name
            taken.add(name)
            self.final[item.name.lower()] = name

    def fail(self, line, message):
        self.r.fail(line, message)

    def check_chars(self, text: str, line: int) -> None:
        bad = next((c for c in text if c not in _EXPR_CHARS), None)
        if bad is None:
            return
        if bad in "<>=&|!~":
            self.fail(line, f"comparison and logical operators ({bad!r}; if/then/else) are "
                      f"not supported: {short(text)}")
        if bad in "{}":
            self.fail(line, f"integrals int{{...}} and braces are not supported: {short(text)}")
        if bad == "'":
            self.fail(line, f"character \"'\" cannot appear in a formula (quotes are not "
                      f"part of the language; t' of Volterra integrals is not supported): "
                      f"{short(text)}")
        self.fail(line, f"character {bad!r} cannot appear in a formula: {short(text)}")

    def translate(self, text: str, line: int, *, args=(), allow=("par", "state"),
                  before: int | None = None) -> str:
        """The formula with names resolved and constants/fixed quantities replaced."""
        self.check_chars(text, line)
        local = {a.lower(): _safe(a) for a in args}
        tokens = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:                                   # pragma: no cover
                self.fail(line, f"cannot read {short(text[pos:])}")
            tokens.append((m.lastgroup, m.group()))
            pos = m.end()
        out, size = [], 0
        for i, (kind, tok) in enumerate(tokens):
            if kind == "name":
                nxt = next((t for k, t in tokens[i + 1:] if k != "space"), None)
                tok = (self.function(tok, line) if nxt == "(" else
                       self.name(tok, line, local, allow, before))
            size += len(tok)
            if size > MAX_EXPRESSION:
                self.fail(line, f"the formula grows beyond {MAX_EXPRESSION} characters once "
                          "fixed quantities are replaced by their formulas")
            out.append(tok)
        return "".join(out).strip()

    def function(self, tok: str, line: int) -> str:
        key = tok.lower()
        item = self.r.items.get(key)
        if item is not None and item.kind == "function":
            return self.final[key]
        if key in XPP_FUNCTIONS:
            mapped = XPP_FUNCTIONS[key]
            if mapped == "log10":
                self.helpers.add("log10")
            self.heav |= mapped == "Heaviside"
            return mapped
        if key in UNSUPPORTED_FUNCTIONS:
            self.fail(line, f"the XPPAUT built-in {tok}() is not supported; supported "
                      f"built-ins are {sorted(XPP_FUNCTIONS)}")
        if item is not None:
            self.fail(line, f"{tok!r} is a {item.kind}, not a function")
        self.fail(line, f"unknown function {tok}(); user functions are written f(x)=... and "
                  f"the supported built-ins are {sorted(XPP_FUNCTIONS)}")

    def name(self, tok, line, local, allow, before) -> str:
        key = tok.lower()
        if key in local:
            return local[key]
        if key in ("t", "pi"):
            if key == "t" and "state" not in allow:
                self.fail(line, "time 't' cannot appear here (parameters and functions "
                          "do not depend on time)")
            return key
        item = self.r.items.get(key)
        if item is None:
            if key in UNSUPPORTED_FUNCTIONS or key in XPP_FUNCTIONS:
                self.fail(line, f"the XPPAUT built-in {tok!r} is not supported here")
            self.fail(line, f"unknown name {tok!r}")
        kind = item.kind
        if kind == "number":
            return f"({item.text})"
        if kind == "derived":
            if before is not None and "state" not in allow and item.line >= before:
                self.fail(line, f"derived parameter {tok!r} is used before its definition "
                          f"on line {item.line}")
            return f"({self.expanded[key]})"
        if kind == "fixed":
            if "state" not in allow:
                self.fail(line, f"fixed quantity {tok!r} cannot appear here (it may depend "
                          "on the state)")
            if before is not None and item.line >= before:
                self.fail(line, f"fixed quantity {tok!r} is used before its definition on "
                          f"line {item.line} (XPPAUT evaluates them in order)")
            return f"({self.expanded[key]})"
        if kind == "ode" and "state" not in allow:
            self.fail(line, f"state {tok!r} cannot appear here (only parameters may)")
        if kind == "aux":
            self.fail(line, f"aux quantity {tok!r} cannot be used in formulas (XPPAUT "
                      "computes aux quantities for output only)")
        if kind == "function":
            self.fail(line, f"function {tok!r} is used without arguments")
        return self.final[key]


def _safe(name: str, function: bool = False) -> str:
    """``name`` with a trailing ``_`` when it is a Python keyword or reserved here."""
    if keyword.iskeyword(name) or (name in RESERVED and (not function
                                                         or name in CORE_FUNCTIONS)):
        return name + "_"
    return name


def _mapped_options(r: _Reader, states, lower, notes):
    opts, lines = r.options, r.option_lines
    sim, cont, bounds = {}, {}, {}
    used = set()

    def num(key):
        try:
            value = float(opts[key])
        except ValueError:
            r.fail(lines[key], f"@ option {key}: {short(opts[key])} is not a number")
        if not math.isfinite(value):
            r.fail(lines[key], f"@ option {key}: {short(opts[key])} is not finite")
        used.add(key)
        return value

    t0 = num("t0") if "t0" in opts else 0.0
    if "total" in opts:
        total = num("total")
        if total > 0:
            sim["t"] = (t0, t0 + total)
        else:
            notes.append("@ total <= 0 (backward integration) not used")
    if "dt" in opts:
        dt = num("dt")
        if dt > 0:
            sim["dt"] = dt
        else:
            notes.append("@ dt <= 0 (backward integration) not used")
    for key in ("meth", "method"):
        if key in opts:
            used.add(key)
            method = _METHODS.get(opts[key].lower())
            if method is None:
                notes.append(f"@ {key}={opts[key]} has no equivalent here; the default "
                             "method is used")
            else:
                sim["method"] = method
    if "bounds" in opts:
        b = num("bounds")
        if b > 0:
            sim["bounds"] = {s: (-b, b) for s in states}
    if "trans" in opts:
        trans = num("trans")
        if trans > t0:
            sim["transient"] = trans - t0
    for key, target in (("toler", "rtol"), ("atoler", "atol")):
        if key in opts:
            value = num(key)
            if value > 0:
                sim[target] = value
    if "parmin" in opts and "parmax" in opts:
        lo, hi = num("parmin"), num("parmax")
        if lo < hi:
            cont["p_range"] = (lo, hi)
    for axis in ("x", "y"):
        var = opts.get(f"{axis}p", "").lower()
        lo_key, hi_key = f"{axis}lo", f"{axis}hi"
        if var in lower and lo_key in opts and hi_key in opts:
            used.add(f"{axis}p")
            lo, hi = num(lo_key), num(hi_key)
            if lo < hi:
                bounds[lower[var]] = (lo, hi)
    unused = sorted(set(opts) - used)
    if unused:
        notes.append(f"@ options kept but not used: {', '.join(unused)}")
    return sim, cont, bounds


def parse_ode(text: str, *, name: str = "model", source: str = "<text>") -> OdeFile:
    """Read XPPAUT ``.ode`` text (see the module documentation for what is read).

    Parameters
    ----------
    text : str
        The file's content.
    name : str
        The model's name, unless the text names it in a
        ``# nmanalysis-model: NAME`` comment.
    source : str
        What error messages call the text (a path).

    Returns
    -------
    OdeFile

    Raises
    ------
    ModelError
        Naming ``source``, the line and the construct that cannot be read.

    Examples
    --------
    >>> ode = parse_ode("number k=2\\nx'=-k*x + sin(t)\\ninit x=1\\naux e2=x^2\\n")
    >>> ode.model.equations["x"], ode.model.observables["e2"]
    ('-(2.0)*x + sin(t)', 'x^2')
    """
    r = _Reader(source)
    r.read(text)
    odes = [it for it in r.order if it.kind == "ode"]
    if not odes:
        raise ModelError(f"{source}: no differential equation (x'=... or dx/dt=...) found")
    tr = _Translator(r)
    notes = list(r.notes)
    states = [tr.final[it.name.lower()] for it in odes]
    params = {tr.final[it.name.lower()]: float(it.text) for it in r.order if it.kind == "par"}
    for item in r.order:                        # derived parameters, in order, expanded
        if item.kind == "derived":
            tr.expanded[item.name.lower()] = tr.translate(item.text, item.line,
                                                          allow=("par",), before=item.line)
    for item in r.order:                        # then fixed quantities, in order
        if item.kind == "fixed":
            tr.expanded[item.name.lower()] = tr.translate(item.text, item.line,
                                                          allow=("par", "state"),
                                                          before=item.line)
    functions = {}
    for item in r.order:                        # translate everything, then check it
        if item.kind == "function":
            fname = tr.final[item.name.lower()]
            body = tr.translate(item.text, item.line, args=item.args, allow=("par",))
            item.args = tuple(_safe(a) for a in item.args)
            functions[f"{fname}({', '.join(item.args)})"] = (fname, body, item)
    equations = {tr.final[it.name.lower()]: (tr.translate(it.text, it.line), it)
                 for it in odes}
    observables = {tr.final[it.name.lower()]: (tr.translate(it.text, it.line), it)
                   for it in r.order if it.kind == "aux"}
    arity = {"log10": 1} if "log10" in tr.helpers else {}
    for sig, (fname, body, item) in functions.items():
        parse_expression(body, set(params) | set(item.args), arity,
                         where=f"{source}: line {item.line}: function {sig}")
        arity[fname] = len(item.args)
    if "log10" in tr.helpers:
        functions = {"log10(x)": ("log10", "log(x)/log(10)", None), **functions}
    known = set(states) | set(params)
    for what, group in (("equation for", equations), ("aux", observables)):
        for key, (text, item) in group.items():
            parse_expression(text, known, arity, where=f"{source}: line {item.line}: "
                             f"{what} {item.name!r}")
    equations = {k: text for k, (text, _) in equations.items()}
    observables = {k: text for k, (text, _) in observables.items()}
    lower = {it.name.lower(): tr.final[it.name.lower()] for it in odes}
    inits = {}
    for sname, value, line in r.inits:
        if sname.lower() not in lower:
            r.fail(line, f"initial value for {sname!r}, which is not a state; states are "
                   f"{[it.name for it in odes]}")
        inits[lower[sname.lower()]] = value
    sim, cont, bounds = _mapped_options(r, states, lower, notes)
    if tr.heav:
        notes.append("heav(x) read as Heaviside(x): equal except at x = 0 (1 in XPPAUT, "
                     "1/2 here)")
    state_specs = {s: ({"value": inits.get(s, 0.0), "bounds": bounds[s]} if s in bounds
                       else inits.get(s, 0.0)) for s in states}
    model_name = r.model_name or name
    try:
        model = Model(name=model_name, states=state_specs, params=params,
                      equations=equations,
                      functions={sig: body for sig, (_, body, _) in functions.items()},
                      observables=observables,
                      description=r.description or f"read from XPPAUT file {source}")
    except ModelError as exc:
        raise ModelError(one_line(f"{source}: {exc}")) from None
    except RecursionError:
        raise ModelError(f"{source}: an expression is nested too deeply to be read") from None
    return OdeFile(model=model, options=dict(r.options), simulate_options=sim,
                   continuation_options=cont, renamed=dict(tr.renamed), notes=tuple(notes))


def _name_from_path(path: Path) -> str:
    stem = re.sub(r"\W", "_", path.stem, flags=re.ASCII).strip("_") or "model"
    if stem[0].isdigit():
        stem = "m_" + stem
    # a name the model language reserves (t, exp, pi, ...) or a Python keyword gets a suffix
    return stem + "_" if keyword.iskeyword(stem) or stem in RESERVED else stem


def read_ode(path) -> OdeFile:
    """Read an XPPAUT ``.ode`` file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (at most 10 MB of UTF-8 text).

    Returns
    -------
    OdeFile
        The model, and the file's options (mapped to :func:`~nmanalysis.simulate`
        keywords where they have an equivalent).

    Raises
    ------
    ModelError
        If the file cannot be read or holds a construct that cannot be read
        (the message names the path, the line and the construct).

    See Also
    --------
    nmanalysis.load_model : returns ``read_ode(path).model`` for ``.ode`` files.
    nmanalysis.Model.to_ode : writes a model as an ``.ode`` file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "decay.ode"
    >>> _ = path.write_text("par k=0.5\\nx'=-k*x\\ninit x=1\\n@ total=10\\ndone\\n")
    >>> ode = read_ode(path)
    >>> ode.model.name, ode.model.equations["x"], ode.simulate_options["t"]
    ('decay', '-k*x', (0.0, 10.0))
    """
    path = Path(os.fspath(path))
    return parse_ode(read_text(path), name=_name_from_path(path), source=str(path))
