"""Reading PyRates templates: files, references, inheritance and variable markers.

The first half of :mod:`nmanalysis.io.pyrates` (which documents the format):
template files are read with the bounded YAML reader, references are resolved
within the directory of the file given, with a cycle check, and each template
is resolved into an :class:`OperatorSpec`, :class:`NodeSpec` or
:class:`CircuitSpec` with its inheritance applied. Nothing here evaluates a
string or imports a module.
"""

from __future__ import annotations

import difflib
import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError
from ..model.grammar import RESERVED
from .bounded import check_tree, parse_text, read_text, short

__all__ = ["TemplateLibrary", "OperatorSpec", "NodeSpec", "CircuitSpec", "Var", "var_spec",
           "check_name", "read_number", "equation_list", "edit_equations", "substitute",
           "TEMPLATE_CLASSES", "TEMPLATE_KEYS", "MAX_FILES", "MAX_TEMPLATES", "SUFFIXES",
           "NAME_RE", "NUMBER_RE", "MARKER_RE"]

#: the template classes a ``base`` key may name
TEMPLATE_CLASSES = ("OperatorTemplate", "NodeTemplate", "CircuitTemplate", "EdgeTemplate")
#: most template files read for one model (the file itself and its siblings)
MAX_FILES = 64
#: most template references followed for one model
MAX_TEMPLATES = 20_000
#: suffixes of template files
SUFFIXES = (".yaml", ".yml")
#: template, node and variable names
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: numbers written as strings (YAML 1.1 reads ``6e-3`` as a string)
NUMBER_RE = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
#: variable markers with an optional default: ``output(0.0)``
MARKER_RE = re.compile(r"(input|output|state_var|variable|constant)\s*(?:\((.*)\))?\Z", re.S)
#: the keys each kind of template may hold
TEMPLATE_KEYS = {
    "OperatorTemplate": {"base", "description", "equations", "variables"},
    "NodeTemplate": {"base", "description", "operators"},
    "EdgeTemplate": {"base", "description", "operators"},
    "CircuitTemplate": {"base", "description", "nodes", "circuits", "edges"},
}


# -- resolved templates --------------------------------------------------------------------
@dataclass
class Var:
    kind: str                 # "input", "output", "state", "constant"
    value: float = 0.0
    description: str = ""
    units: str = ""


@dataclass
class OperatorSpec:
    name: str
    where: str
    equations: list
    variables: dict


@dataclass
class NodeSpec:
    name: str
    where: str
    operators: list           # [(OperatorSpec, overrides dict)]


@dataclass
class CircuitSpec:
    name: str
    where: str
    nodes: dict = field(default_factory=dict)
    circuits: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)   # [(raw edge, where)]


class TemplateLibrary:
    """The templates of one directory, read on demand, resolved with cycle checks."""

    def __init__(self, path: Path, data):
        self.path = path
        self.dir = path.resolve().parent
        self.main = path.stem
        self.files = {self.main: (path, data)}
        self.cache = {}
        self.count = 0

    # -- files and references -------------------------------------------------------------
    def file(self, stem, ref, where):
        if stem in self.files:
            return self.files[stem]
        for suffix in SUFFIXES:
            candidate = self.dir / f"{stem}{suffix}"
            if candidate.is_file():
                break
        else:
            raise ModelError(f"{where}: reference {ref!r} needs the template file "
                             f"{stem}.yaml (or .yml) beside {self.path.name} in {self.dir}; "
                             "there is none (templates are only looked up in that directory)")
        if candidate.resolve().parent != self.dir:
            raise ModelError(f"{where}: reference {ref!r}: {candidate.name} leads outside "
                             f"{self.dir}; only files in that directory are read")
        if len(self.files) >= MAX_FILES:
            raise ModelError(f"{where}: more than {MAX_FILES} template files referenced")
        data = parse_text(read_text(candidate), "yaml", candidate)
        check_tree(data, candidate)
        if not isinstance(data, Mapping):
            raise ModelError(f"{candidate}: expected a mapping of templates at the top "
                             f"level, got {type(data).__name__}")
        self.files[stem] = (candidate, data)
        return self.files[stem]

    def split(self, ref, stem, where):
        """``ref`` -> (file stem, template name), refusing paths that leave the directory."""
        if not isinstance(ref, str) or not ref.strip():
            raise ModelError(f"{where}: a template reference must be a non-empty string; got "
                             f"{short(ref)}")
        ref = ref.strip()
        if len(ref) > 300:
            raise ModelError(f"{where}: template reference {short(ref)} is too long")
        if "/" in ref or "\\" in ref:
            head, dot, name = ref.rpartition(".")
            if not dot or not head:
                raise ModelError(f"{where}: template reference {ref!r} must have the form "
                                 "'file.Template' or 'dir/file.Template'")
            rel = Path(head.replace("\\", "/"))
            for base in (self.dir, Path.cwd()):
                target = (base / rel).resolve()
                if target.parent == self.dir:
                    stem = target.name
                    for suffix in SUFFIXES:
                        stem = stem[:-len(suffix)] if stem.endswith(suffix) else stem
                    break
            else:
                raise ModelError(f"{where}: template reference {ref!r} leads outside "
                                 f"{self.dir}; only templates in that directory (or in "
                                 f"{self.path.name} itself) can be used")
        elif "." in ref:
            parts = ref.split(".")
            stem, name = parts[-2], parts[-1]
            bad = [p for p in parts if not NAME_RE.match(p)]
            if bad:
                raise ModelError(f"{where}: template reference {ref!r}: {bad[0]!r} is not a "
                                 "valid name (letters, digits and '_')")
        else:
            name = ref
        if not NAME_RE.match(name) or not NAME_RE.match(stem):
            raise ModelError(f"{where}: template reference {ref!r}: "
                             f"{name if not NAME_RE.match(name) else stem!r} is not a valid "
                             "template or file name (letters, digits and '_')")
        return stem, name

    def raw(self, stem, name, ref, where):
        path, data = self.file(stem, ref, where)
        entry = data.get(name)
        if entry is None:
            names = [k for k, v in data.items() if isinstance(v, Mapping) and "base" in v]
            close = difflib.get_close_matches(name, [str(n) for n in names], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ModelError(f"{where}: unknown template {ref!r}: {path.name} has no template "
                             f"{name!r}{hint}; its templates are {names[:20]}")
        if not isinstance(entry, Mapping) or "base" not in entry:
            raise ModelError(f"{path}: {name!r} is not a template (a template is a mapping "
                             "with a 'base' key)")
        return path, entry

    # -- resolution -----------------------------------------------------------------------
    def resolve(self, ref, stem, where, stack=()):
        fstem, name = self.split(ref, stem, where)
        key = (fstem, name)
        if key in stack:
            chain = " -> ".join(f"{s}.{n}" for s, n in (*stack[stack.index(key):], key))
            raise ModelError(f"{where}: template references form a cycle: {chain}")
        if key in self.cache:
            return self.cache[key]
        self.count += 1
        if self.count > MAX_TEMPLATES:
            raise ModelError(f"{where}: more than {MAX_TEMPLATES} template references "
                             "followed; the model is too large")
        path, entry = self.raw(fstem, name, ref, where)
        here = f"{path}: template {name!r}"
        stack = (*stack, key)
        base = entry["base"]
        if not isinstance(base, str):
            raise ModelError(f"{here}: 'base' must be a template class {list(TEMPLATE_CLASSES)} "
                             f"or a template reference; got {short(base)}")
        cls = base.strip()
        if cls in TEMPLATE_CLASSES:
            parent = None
        else:
            parent = self.resolve(cls, fstem, here, stack)
            cls = {OperatorSpec: "OperatorTemplate", NodeSpec: "NodeTemplate",
                   CircuitSpec: "CircuitTemplate"}.get(type(parent), "EdgeTemplate")
        extra = sorted(set(map(str, entry)) - TEMPLATE_KEYS[cls])
        if extra:
            raise ModelError(f"{here}: unknown key {extra[0]!r} for a {cls}; valid keys are "
                             f"{sorted(TEMPLATE_KEYS[cls])}")
        if cls == "OperatorTemplate":
            out = self._operator(entry, parent, name, here)
        elif cls == "NodeTemplate":
            out = self._node(entry, parent, name, here, fstem, stack)
        elif cls == "CircuitTemplate":
            out = self._circuit(entry, parent, name, here, fstem, stack)
        else:
            out = ("edge", name, here)
        self.cache[key] = out
        return out

    def expect(self, obj, kind, ref, where):
        names = {OperatorSpec: "an operator", NodeSpec: "a node", CircuitSpec: "a circuit"}
        if not isinstance(obj, kind):
            got = names.get(type(obj), "an edge")
            raise ModelError(f"{where}: {ref!r} is {got} template; {names[kind]} template "
                             "is needed here")
        return obj

    def _operator(self, entry, parent, name, here):
        eqs = entry.get("equations")
        if parent is None:
            if eqs is None:
                raise ModelError(f"{here}: an operator template needs 'equations'")
            equations = equation_list(eqs, here)
            variables = {}
        else:
            equations = list(parent.equations)
            variables = dict(parent.variables)
            if isinstance(eqs, Mapping):
                equations = edit_equations(equations, eqs, here)
            elif eqs is not None:
                equations = equation_list(eqs, here)
        given = entry.get("variables") or {}
        if not isinstance(given, Mapping):
            raise ModelError(f"{here}: 'variables' must be a mapping name -> value; got "
                             f"{type(given).__name__}")
        for vname, spec in given.items():
            vname = check_name(vname, f"{here}: variable", allow_t=True)
            variables[vname] = var_spec(spec, f"{here}: variable {vname!r}",
                                         variables.get(vname))
        used = set()
        for eq in equations:
            used |= set(re.findall(r"[A-Za-z_]\w*", eq))
        variables = {k: v for k, v in variables.items() if k in used and k != "t"}
        return OperatorSpec(name, here, equations, variables)

    def _node(self, entry, parent, name, here, stem, stack):
        ops = entry.get("operators")
        if ops is None:
            if parent is None:
                raise ModelError(f"{here}: a node template needs 'operators'")
            return NodeSpec(name, here, list(parent.operators))
        if isinstance(ops, str):
            ops = [ops]
        if isinstance(ops, Mapping):
            items = list(ops.items())
        elif isinstance(ops, list):
            items = [(op, None) for op in ops]
        else:
            raise ModelError(f"{here}: 'operators' must be a list of operator templates or a "
                             f"mapping template -> variable values; got {type(ops).__name__}")
        out, seen = [], set()
        for ref, overrides in items:
            op = self.expect(self.resolve(ref, stem, here, stack), OperatorSpec, ref, here)
            if op.name in seen:
                raise ModelError(f"{here}: two operators named {op.name!r} in one node")
            seen.add(op.name)
            if overrides is None:
                overrides = {}
            if not isinstance(overrides, Mapping):
                raise ModelError(f"{here}: the values given for operator {ref!r} must be a "
                                 f"mapping variable -> value; got {short(overrides)}")
            out.append((op, dict(overrides)))
        return NodeSpec(name, here, out)

    def _circuit(self, entry, parent, name, here, stem, stack):
        out = CircuitSpec(name, here)
        if parent is not None:
            out.nodes, out.circuits = dict(parent.nodes), dict(parent.circuits)
            out.edges = list(parent.edges)
        for key, kind in (("nodes", NodeSpec), ("circuits", CircuitSpec)):
            given = entry.get(key) or {}
            if not isinstance(given, Mapping):
                raise ModelError(f"{here}: {key!r} must be a mapping name -> template; got "
                                 f"{type(given).__name__}")
            target = out.nodes if key == "nodes" else out.circuits
            for label, ref in given.items():
                label = check_name(label, f"{here}: {key[:-1]}")
                target[label] = self.expect(self.resolve(ref, stem, here, stack), kind, ref,
                                            here)
        if out.nodes and out.circuits:
            raise ModelError(f"{here}: a circuit holds either 'nodes' or 'circuits', not both")
        edges = entry.get("edges") or []
        if not isinstance(edges, list):
            raise ModelError(f"{here}: 'edges' must be a list of [source, target, template, "
                             f"values]; got {type(edges).__name__}")
        for k, edge in enumerate(edges):
            out.edges.append(self._edge(edge, f"{here}: edge {k}", stem, stack))
        return out

    def _edge(self, edge, where, stem, stack):
        if not isinstance(edge, (list, tuple)) or len(edge) not in (2, 3, 4):
            raise ModelError(f"{where}: an edge is a list [source, target, template, values]; "
                             f"got {short(edge)}")
        src, tgt = edge[0], edge[1]
        tpl = edge[2] if len(edge) > 2 else None
        values = edge[3] if len(edge) > 3 else {}
        for end in (src, tgt):
            if not isinstance(end, str):
                raise ModelError(f"{where}: source and target must be strings "
                                 f"'node/operator/variable'; got {short(end)}")
        if tpl is not None:
            self.resolve(tpl, stem, where, stack)        # a clear error if it is unknown
            raise ModelError(f"{where}: edge template {tpl!r} is not supported; only plain "
                             "weighted edges (template null) can be read")
        values = {} if values is None else values
        if not isinstance(values, Mapping):
            raise ModelError(f"{where}: edge values must be a mapping (weight, delay); got "
                             f"{short(values)}")
        extra = sorted(set(map(str, values)) - {"weight", "delay", "spread"})
        if extra:
            raise ModelError(f"{where}: unknown edge value {extra[0]!r}; valid are 'weight', "
                             "'delay' (and 'spread', refused when non-zero)")
        weight = read_number(values.get("weight", 1.0), f"{where}: weight")
        delay = values.get("delay")
        delay = 0.0 if delay is None else read_number(delay, f"{where}: delay")
        if delay < 0:
            raise ModelError(f"{where}: delay must be >= 0; got {delay}")
        spread = values.get("spread")
        if spread is not None and read_number(spread, f"{where}: spread") != 0:
            raise ModelError(f"{where}: 'spread' (a distributed delay) is not supported; only "
                             "fixed delays can be read")
        return (src.strip(), tgt.strip(), weight, delay, where)


# -- small readers -------------------------------------------------------------------------
def check_name(name, what, allow_t=False):
    if not isinstance(name, str) or not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ModelError(f"{what} name {short(name)} is not a valid name (letters, digits and "
                         "'_', not starting with a digit)")
    if name.startswith("_") or (name in RESERVED and not (allow_t and name == "t")):
        raise ModelError(f"{what} name {name!r} is reserved or starts with '_'; reserved "
                         f"names are {sorted(RESERVED)}")
    return name


def read_number(value, what):
    if isinstance(value, bool):
        raise ModelError(f"{what} must be a number; got {value!r}")
    if isinstance(value, str) and NUMBER_RE.match(value.strip()):
        value = float(value)
    if not isinstance(value, (int, float)):
        raise ModelError(f"{what} must be a number; got {short(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ModelError(f"{what} must be finite; got {value}")
    return value


def var_spec(spec, where, previous=None) -> Var:
    """A variable's entry: number, marker string or long form."""
    desc = units = ""
    if isinstance(spec, Mapping):
        extra = sorted(set(map(str, spec)) - {"default", "vtype", "value", "description",
                                              "unit", "units", "dtype", "shape"})
        if extra:
            raise ModelError(f"{where}: unknown key {extra[0]!r}; valid keys are 'default' "
                             "(or 'vtype' and 'value'), 'description', 'unit', 'dtype'")
        if spec.get("shape") not in (None, 1, [1], (1,)):
            raise ModelError(f"{where}: vector variables (shape {short(spec['shape'])}) are "
                             "not supported")
        desc = str(spec.get("description") or "")[:500]
        units = str(spec.get("unit") or spec.get("units") or "")[:50]
        if "default" in spec:
            spec = spec["default"]
        elif "vtype" in spec:
            kind = spec["vtype"]
            value = spec.get("value", 0.0)
            spec = f"{kind}({value})" if isinstance(value, (int, float)) else kind
        else:
            raise ModelError(f"{where}: the long form needs 'default' (or 'vtype')")
    if isinstance(spec, (int, float, bool)) or (isinstance(spec, str)
                                                  and NUMBER_RE.match(spec.strip())):
        value = read_number(spec, where)
        if previous is not None and previous.kind != "constant":
            return Var(previous.kind, value, desc or previous.description,
                        units or previous.units)
        return Var("constant", value, desc, units)
    if not isinstance(spec, str):
        raise ModelError(f"{where}: expected a number or a marker such as 'input', "
                         f"'output(0.0)', 'state_var(1.0)'; got {short(spec)}")
    match = MARKER_RE.match(spec.strip())
    if not match:
        raise ModelError(f"{where}: cannot read {short(spec)}; expected a number or one of "
                         "input, output, state_var, variable, constant with an optional "
                         "default in parentheses, e.g. 'output(0.0)'")
    kind, inner = match.group(1), (match.group(2) or "").strip()
    if "," in inner:
        raise ModelError(f"{where}: vector variables ({short(spec)}) are not supported")
    if inner in ("", "float", "int", "double"):
        value = 0.0
    elif NUMBER_RE.match(inner):
        value = float(inner)
        if not math.isfinite(value):
            raise ModelError(f"{where}: the default in {short(spec)} must be finite")
    else:
        raise ModelError(f"{where}: cannot read the default {short(inner)} in {short(spec)}; "
                         "it must be a number")
    kind = {"state_var": "state", "variable": "state"}.get(kind, kind)
    return Var(kind, value, desc, units)


def equation_list(eqs, where):
    if isinstance(eqs, str):
        eqs = [eqs]
    if not isinstance(eqs, list) or not all(isinstance(e, str) for e in eqs):
        raise ModelError(f"{where}: 'equations' must be a string or a list of strings; got "
                         f"{short(eqs)}")
    return [e for e in eqs]


def substitute(text, old, new):
    """Replace ``old`` where it stands as a whole term (not inside a longer name)."""
    pattern = r"(?<![\w.])" + re.escape(old) + r"(?![\w])"
    return re.sub(pattern, lambda _m: new, text)


def edit_equations(equations, edits, where):
    extra = sorted(set(map(str, edits)) - {"replace", "remove", "append", "prepend", "add"})
    if extra:
        raise ModelError(f"{where}: unknown equation edit {extra[0]!r}; valid are 'replace', "
                         "'remove', 'append', 'prepend', 'add'")
    replace = edits.get("replace") or {}
    if not isinstance(replace, Mapping):
        raise ModelError(f"{where}: equations.replace must be a mapping old -> new")
    remove = edits.get("remove") or []
    remove = [remove] if isinstance(remove, str) else remove
    texts = [*replace.keys(), *replace.values(), *remove,
             *(edits[k] for k in ("append", "prepend") if edits.get(k) is not None)]
    for t in texts:
        if not isinstance(t, (str, int, float)) or isinstance(t, bool):
            raise ModelError(f"{where}: equation edits must be strings; got {short(t)}")
    out = []
    for eq in equations:
        for old, new in replace.items():
            eq = substitute(eq, str(old), str(new))
        for old in remove:
            eq = substitute(eq, str(old), "")
        if edits.get("append") is not None:
            eq = f"{eq} {edits['append']}"
        if edits.get("prepend") is not None:
            eq = f"{edits['prepend']} {eq}"
        out.append(eq)
    return out + equation_list(edits.get("add") or [], where)
