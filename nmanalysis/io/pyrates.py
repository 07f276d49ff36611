"""PyRates YAML templates read as nmanalysis models (PyRates itself is not needed).

PyRates describes a model in YAML as a hierarchy of templates, each a mapping
with a ``base`` key:

* **operator templates** (``base: OperatorTemplate``) hold ``equations`` (a
  string or a list of strings) and ``variables``. An equation is a
  differential equation, written ``"d/dt * r = (m - r)/tau"`` or
  ``"r' = (m - r)/tau"``, or an algebraic one, ``"m = sigmoid(s*(v - th))"``.
  A variable's value is a number (a constant), or a marker ``input``,
  ``output``, ``state_var`` / ``variable`` or ``constant`` with an optional
  default in parentheses (``output(0.0)``); the long form
  ``{default: output(0.0), description: ..., unit: ...}`` is read too;
* **node templates** (``base: NodeTemplate``) list their ``operators``, or map
  them to variable overrides (``{rpo_e: {h: 3.5e-3}}``);
* **circuit templates** (``base: CircuitTemplate``) map node names to node
  templates (``nodes``), or names to sub-circuits (``circuits``), and list
  ``edges`` ``[source, target, null, {weight: w, delay: d}]`` between
  variables written ``node/operator/variable``.

A template whose ``base`` names another template inherits from it: an
operator replaces the equations (a string or a list) or edits them
(``{replace: {old: new}, remove: [...], append: "...", prepend: "...",
add: [...]}``) and updates the variables; a node replaces the operators; a
circuit adds nodes, sub-circuits and edges.

How the templates become a model
--------------------------------
Within a node, an operator's ``input`` variable receives the ``output``
variable of the same name of the node's other operators; an ``input`` may
also receive edges, each contributing ``weight * source``; all that arrives is
summed. What is left:

* the left-hand sides of differential equations are the **states** (initial
  value: the variable's default);
* the left-hand sides of algebraic equations, and inputs that receive more
  than one contribution or any edge, are **observables** (in dependency
  order; an algebraic loop is refused);
* constants are **parameters**, and so is each input that receives nothing:
  parameter ``x`` holds its default, and a time-dependent **input** ``u_x``
  (default 0) is added to it, so ``x`` can be continued or swept and ``u_x``
  driven by a step or pulse (``simulate(..., inputs={"u_x": nma.Pulse(...)})``);
* every edge weight is a parameter ``w_<target node>_<source node>``
  (``W[target, source]``, as in :class:`~nmanalysis.model.network.Network`).

A variable is called by its own name when that is unique in the model, else
``<name>_<node>``, else ``<name>_<node>_<operator>`` (sub-circuit paths joined
with ``_``); the description of each state, parameter and observable gives
its PyRates path (``e/rate_op/r``).

A circuit whose edges carry delays comes back as a
:class:`~nmanalysis.model.network.Network` (additive coupling with gain 1)
when its wiring fits one: every node built from the same equations (parameter
values may differ per node), every edge from one state variable to one input
variable. Otherwise delays are refused, as are distributed delays
(``spread``), edge templates with operators, vector variables and PyRates'
``past()``. A circuit without delays is one flat :class:`~nmanalysis.Model`.

References and safety
---------------------
A reference to another template is a bare name (the same file), a dotted path
``package.module.file.Template`` (the template ``Template`` in ``file.yaml``
or ``file.yml`` *beside the file being read*; the package part is ignored, so
PyRates' built-in ``model_templates...`` paths resolve against copies placed
there) or a file path ``dir/file.Template`` that must lead to a file in that
same directory. Nothing else is read: no Python module is imported, no path
leaves the directory, and no string is evaluated; equations go through the
package's safe expression parser and files through the bounded YAML reader
(:mod:`nmanalysis.io.bounded`). Every problem raises
:class:`~nmanalysis.errors.ModelError` naming the file, the template and the
culprit.
"""

from __future__ import annotations

import ast
import keyword
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, OptionsError
from ..model import Model
from ..model.grammar import RESERVED
from ..model.parse import names_in, parse_expression
from .bounded import check_tree, one_line, parse_text, read_text, short
from .pyrates_templates import (MAX_FILES, MAX_TEMPLATES, NAME_RE, SUFFIXES, TEMPLATE_CLASSES,
                                CircuitSpec, NodeSpec, OperatorSpec, TemplateLibrary,
                                var_spec)

__all__ = ["load_pyrates", "looks_like_pyrates", "TEMPLATE_CLASSES", "MAX_FILES",
           "MAX_TEMPLATES", "MAX_NODES"]

#: most nodes in a circuit once sub-circuits are expanded
MAX_NODES = 5_000
#: left-hand sides of differential equations: ``d/dt * x`` and ``x'``
_ODE_LHS = (re.compile(r"d\s*/\s*dt\s*\*?\s*([A-Za-z_]\w*)\Z"),
            re.compile(r"([A-Za-z_]\w*)\s*'\Z"))


def looks_like_pyrates(data) -> bool:
    """True if parsed YAML holds PyRates templates (top-level mappings with ``base``).

    Examples
    --------
    >>> looks_like_pyrates({"op": {"base": "OperatorTemplate", "equations": "x' = -x"}})
    True
    >>> looks_like_pyrates({"name": "m", "states": {"x": 0}, "equations": {"x": "-x"}})
    False
    """
    if not isinstance(data, Mapping) or "states" in data or "equations" in data:
        return False
    return any(isinstance(v, Mapping) and "base" in v for v in data.values())


# -- equations ------------------------------------------------------------------------------
def _split_equation(eq, where):
    """``(kind, variable, rhs)`` with kind ``"ode"`` or ``"alg"``."""
    if eq.count("=") != 1:
        raise ModelError(f"{where}: cannot read equation {short(eq, 100)}: expected one '=' "
                         "(d/dt * x = ..., x' = ... or x = ...)")
    lhs, rhs = (s.strip() for s in eq.split("="))
    for pattern in _ODE_LHS:
        m = pattern.match(lhs)
        if m:
            return "ode", m.group(1), rhs
    if NAME_RE.match(lhs):
        return "alg", lhs, rhs
    raise ModelError(f"{where}: cannot read the left-hand side {short(lhs)} of equation "
                     f"{short(eq, 100)}; expected 'd/dt * x', \"x'\" or a variable name")


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Call(self, node):
        node.args = [self.visit(a) for a in node.args]
        return node

    def visit_Name(self, node):
        new = self.mapping.get(node.id)
        return new if new is not None else node


# -- building the model --------------------------------------------------------------------
@dataclass
class _Quantity:
    key: tuple                # (node path, operator, variable)
    role: str                 # "state", "param", "obs"
    value: float = 0.0
    text: object = None       # ast of the right-hand side (state, obs)
    deps: tuple = ()
    description: str = ""
    units: str = ""


def _path(key):
    node, op, var = key
    return "/".join((*node, op, var))


class _Builder:
    """Operators of a set of nodes, wired by name and by edges, as one flat Model."""

    def __init__(self, nodes, edges, where):
        self.where = where
        self.ops = {}          # (node, op) -> (OperatorSpec, variables with overrides)
        self.q = {}            # key -> _Quantity
        self.fed = {}          # input key -> [(source key, weight param or None)]
        self.unfed = []        # input keys that became parameters
        self.outputs = {}      # (node, op) -> its output variable (or None)
        for npath, node in nodes.items():
            for op, overrides in node.operators:
                self.ops[(npath, op.name)] = (op, self._override(op, overrides, node))
        self._classify()
        self._wire(edges)

    @staticmethod
    def _override(op, overrides, node):
        variables = dict(op.variables)
        for vname, spec in overrides.items():
            if vname not in variables:
                raise ModelError(f"{node.where}: operator {op.name!r} has no variable "
                                 f"{vname!r} to set; its variables are {sorted(variables)}")
            variables[vname] = var_spec(spec, f"{node.where}: {op.name}/{vname}",
                                         variables[vname])
        return variables

    def _classify(self):
        self.eqs = {}
        for (npath, oname), (op, variables) in self.ops.items():
            lhs = {}
            for k, eq in enumerate(op.equations):
                where = f"{op.where}: equation {k}"
                kind, var, rhs = _split_equation(eq, where)
                if var not in variables:
                    raise ModelError(f"{where}: {var!r} is not a declared variable of the "
                                     f"operator; declared are {sorted(variables)}")
                if var in lhs:
                    raise ModelError(f"{where}: {var!r} is defined by two equations")
                lhs[var] = (kind, rhs, where)
            outputs = [v for v, s in variables.items() if s.kind == "output"]
            if len(outputs) > 1:
                raise ModelError(f"{op.where}: more than one output variable {outputs}; an "
                                 "operator has at most one")
            for var, spec in variables.items():
                key = (npath, oname, var)
                if var in lhs:
                    if spec.kind == "input":
                        raise ModelError(f"{lhs[var][2]}: {var!r} is an input and cannot be "
                                         "defined by an equation")
                    role = "state" if lhs[var][0] == "ode" else "obs"
                    self.q[key] = _Quantity(key, role, spec.value, None, (), spec.description,
                                            spec.units)
                    self.eqs[key] = lhs[var]
                elif spec.kind == "input":
                    self.fed[key] = []
                elif spec.kind in ("output", "state"):
                    raise ModelError(f"{op.where}: {var!r} is declared as {spec.kind} but no "
                                     "equation defines it")
                else:
                    self.q[key] = _Quantity(key, "param", spec.value, None, (),
                                            spec.description, spec.units)
            self.outputs[(npath, oname)] = outputs[0] if outputs else None

    def _endpoint(self, text, where):
        parts = text.split("/")
        if len(parts) < 3:
            raise ModelError(f"{where}: {text!r} must have the form node/operator/variable")
        key = (tuple(parts[:-2]), parts[-2], parts[-1])
        if (key[0], key[1]) not in self.ops:
            known = sorted({"/".join((*n, o)) for n, o in self.ops})
            raise ModelError(f"{where}: {text!r}: no operator {'/'.join(parts[:-1])!r}; "
                             f"node/operator pairs are {known[:20]}")
        if key not in self.q and key not in self.fed:
            variables = sorted(self.ops[(key[0], key[1])][1])
            raise ModelError(f"{where}: {text!r}: operator {key[1]!r} has no variable "
                             f"{key[2]!r}; its variables are {variables}")
        return key

    def _wire(self, edges):
        for (npath, oname), (op, variables) in self.ops.items():
            for var in variables:
                key = (npath, oname, var)
                if key not in self.fed:
                    continue
                for (n2, o2), out in self.outputs.items():
                    if n2 == npath and o2 != oname and out == var:
                        self.fed[key].append(((n2, o2, var), None))
        self.edges = []
        for src, tgt, weight, delay, where in edges:
            s, t = self._endpoint(src, where), self._endpoint(tgt, where)
            if t not in self.fed:
                raise ModelError(f"{where}: the target {tgt!r} is not an input variable; "
                                 "edges end on variables declared 'input'")
            self.edges.append((s, t, weight, delay, where))
        for k, (s, t, weight, delay, where) in enumerate(self.edges):
            self.fed[t].append((s, k))

    def model(self, name, description, *, driven=True):
        """The flat Model; ``driven=False`` leaves out the ``u_x`` inputs."""
        q, alias, self.unfed = dict(self.q), {}, []
        for key, sources in self.fed.items():
            if not sources:
                var = self.ops[(key[0], key[1])][1][key[2]]
                q[key] = _Quantity(key, "param", var.value, None, (), var.description,
                                   var.units)
                self.unfed.append(key)
            elif len(sources) == 1 and sources[0][1] is None:
                alias[key] = sources[0][0]
            else:
                q[key] = _Quantity(key, "obs", description="sum of the inputs arriving at "
                                   + _path(key))
                q[key].summed = True
        names = _assign_names(list(q))
        self.names = names
        used = set(names.values())

        def free(base):
            cand, k = base, 2
            while cand in used or cand in RESERVED or keyword.iskeyword(cand):
                cand, k = f"{base}_{k}", k + 1
            used.add(cand)
            return cand

        def ident(key):
            while key in alias:
                key = alias[key]
            return names[key]

        wnames = []
        for s, t, weight, delay, where in self.edges:
            label = f"w_{'_'.join(t[0]) or t[1]}_{'_'.join(s[0]) or s[1]}"
            wnames.append(free(label))
        unames = {key: free(f"u_{names[key]}") for key in self.unfed} if driven else {}
        states, params, inputs, observables, equations = {}, {}, {}, {}, {}
        trees = {}
        for (npath, oname), (op, variables) in self.ops.items():
            mapping = {}
            for var in variables:
                key = (npath, oname, var)
                if key in unames:
                    mapping[var] = ast.BinOp(ast.Name(names[key], ast.Load()), ast.Add(),
                                             ast.Name(unames[key], ast.Load()))
                else:
                    mapping[var] = ast.Name(ident(key), ast.Load())
            for var, (kind, rhs, where) in ((v, self.eqs[(npath, oname, v)])
                                            for v in variables if (npath, oname, v) in self.eqs):
                tree = parse_expression(rhs, set(variables), where=where)
                trees[(npath, oname, var)] = _Rename(mapping).visit(tree)
        for key, sources in self.fed.items():
            if key in q and q[key].role == "obs":
                terms = []
                for src, k in sources:
                    term = ast.Name(ident(src), ast.Load())
                    if k is not None:
                        term = ast.BinOp(ast.Name(wnames[k], ast.Load()), ast.Mult(), term)
                    terms.append(term)
                tree = terms[0]
                for term in terms[1:]:
                    tree = ast.BinOp(tree, ast.Add(), term)
                trees[key] = tree
        def describe(qty):
            if getattr(qty, "summed", False):
                return qty.description
            return f"PyRates {_path(qty.key)}" + (f": {qty.description}" if qty.description
                                                   else "")

        for key, qty in q.items():
            desc = describe(qty)
            spec = {"value": qty.value, "description": desc}
            if qty.units:
                spec["units"] = qty.units
            if qty.role == "state":
                states[names[key]] = spec
                equations[names[key]] = ast.unparse(trees[key])
            elif qty.role == "param":
                params[names[key]] = spec
        for k, (s, t, weight, delay, where) in enumerate(self.edges):
            params[wnames[k]] = {"value": weight, "description":
                                 f"weight of the edge {_path(s)} -> {_path(t)}"}
        for key, uname in unames.items():
            inputs[uname] = {"value": 0.0, "description":
                             f"time-dependent input added to {names[key]} ({_path(key)})"}
        obs_keys = [k for k, v in q.items() if v.role == "obs"]
        by_name = {names[k]: k for k in obs_keys}
        for key in _topological(obs_keys, trees, names, by_name, self.where):
            qty = q[key]
            spec = {"expression": ast.unparse(trees[key]), "description": describe(qty)}
            if qty.units:
                spec["units"] = qty.units
            observables[names[key]] = spec
        if not states:
            raise ModelError(f"{self.where}: the template has no differential equation, so "
                             "there is no state to integrate")
        try:
            return Model(name=name, states=states, params=params, inputs=inputs,
                         observables=observables, equations=equations,
                         description=description)
        except ModelError as exc:
            raise ModelError(f"{self.where}: {one_line(exc)}") from None


def _assign_names(keys):
    """Shortest unambiguous identifier per (node, operator, variable)."""
    levels = []
    for node, op, var in keys:
        nodepart = "_".join(node)
        cands = [var] + ([f"{var}_{nodepart}"] if nodepart else []) + \
            [f"{var}_{nodepart}_{op}" if nodepart else f"{var}_{op}"]
        levels.append(cands)
    names, used = {}, set()
    pending = list(range(len(keys)))
    for level in range(3):
        counts = {}
        for i in pending:
            c = levels[i][min(level, len(levels[i]) - 1)]
            counts[c] = counts.get(c, 0) + 1
        rest = []
        for i in pending:
            c = levels[i][min(level, len(levels[i]) - 1)]
            if counts[c] == 1 and c not in used and c not in RESERVED \
                    and not keyword.iskeyword(c):
                names[keys[i]] = c
                used.add(c)
            else:
                rest.append(i)
        pending = rest
    for i in pending:
        base, k = levels[i][-1], 2
        while f"{base}_{k}" in used:
            k += 1
        names[keys[i]] = f"{base}_{k}"
        used.add(names[keys[i]])
    return names


def _topological(keys, trees, names, by_name, where):
    deps = {k: {by_name[n] for n in names_in(trees[k]) if n in by_name} for k in keys}
    order, done, active = [], set(), []

    def visit(k):
        stack = [(k, iter(sorted(deps[k], key=keys.index)))]
        active.append(k)
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                active.pop()
                done.add(node)
                order.append(node)
            elif nxt in active:
                loop = active[active.index(nxt):] + [nxt]
                raise ModelError(f"{where}: the algebraic equations form a loop: "
                                 + " -> ".join(_path(x) for x in loop))
            elif nxt not in done:
                active.append(nxt)
                stack.append((nxt, iter(sorted(deps[nxt], key=keys.index))))

    for k in keys:
        if k not in done:
            visit(k)
    return order


# -- circuits ------------------------------------------------------------------------------
def _flatten(circuit, prefix=(), depth=0, out=None):
    """Nodes (path tuple -> NodeSpec) and edges of a circuit with its sub-circuits expanded.

    Sub-circuit instances, nodes and edges are counted as they are expanded, so
    circuits nested many times over are refused before they take long.
    """
    if depth > 20:
        raise ModelError(f"{circuit.where}: circuits nested more than 20 levels deep")
    nodes, edges, count = ({}, [], [0]) if out is None else out
    count[0] += 1 + len(circuit.edges)
    if len(nodes) + count[0] > MAX_NODES * 20:
        raise ModelError(f"{circuit.where}: more than {MAX_NODES * 20} sub-circuits and edges "
                         "once the sub-circuits are expanded")
    for label, node in circuit.nodes.items():
        nodes[(*prefix, label)] = node
        if len(nodes) > MAX_NODES:
            raise ModelError(f"{circuit.where}: more than {MAX_NODES} nodes")
    for label, sub in circuit.circuits.items():
        _flatten(sub, (*prefix, label), depth + 1, (nodes, edges, count))
    pre = "/".join(prefix) + "/" if prefix else ""
    for src, tgt, weight, delay, where in circuit.edges:
        edges.append((pre + src, pre + tgt, weight, delay, where))
    return nodes, edges


def _as_network(circuit, nodes, edges, name, description):
    """The delayed circuit as a Network, or a ModelError saying why it does not fit one."""
    import numpy as np

    from ..model.network import Network

    why = f"{circuit.where}: edges with delays need a network of identical nodes"
    labels = list(nodes)
    locals_ = [_Builder({(): nodes[n]}, [], circuit.where) for n in labels]
    models = [b.model(name, description, driven=False) for b in locals_]
    if len({m.structure_hash for m in models}) != 1:
        raise ModelError(f"{why}; here the nodes have different equations (delays are only "
                         "supported between copies of one node template)")
    full = _Builder(nodes, edges, circuit.where)
    ends = {((s[1], s[2]), (t[1], t[2])) for s, t, *_ in full.edges}
    if len(ends) != 1:
        raise ModelError(f"{why}, all edges from one variable to one input; here the edges "
                         f"link {sorted('/'.join(a) + ' -> ' + '/'.join(b) for a, b in ends)}")
    (src, tgt), = ends
    node_model, local = models[0], locals_[0]
    lnames = local.names
    skey, tkey = ((), *src), ((), *tgt)
    if skey not in lnames or lnames[skey] not in node_model.state_names:
        raise ModelError(f"{why}, and the edges must leave a state variable; "
                         f"{'/'.join(src)} is not one")
    if tkey not in local.unfed:
        raise ModelError(f"{why}, and the edges must end on an input that receives nothing "
                         f"else; {'/'.join(tgt)} is also fed inside the node")
    source, target = lnames[skey], lnames[tkey]
    index = {n: i for i, n in enumerate(labels)}
    N = len(labels)
    W, D, seen = np.zeros((N, N)), np.zeros((N, N)), set()
    for s, t, weight, delay, where in full.edges:
        i, j = index[t[0]], index[s[0]]
        if (i, j) in seen and D[i, j] != delay:
            raise ModelError(f"{where}: two edges between the same nodes with different "
                             "delays cannot form a network")
        seen.add((i, j))
        W[i, j] += weight
        D[i, j] = delay
    params = {}
    for p in node_model.param_names:
        vals = np.array([m.params[p] for m in models])
        if p == target:
            vals = np.where(np.isin(np.arange(N), [i for i, _ in seen]), 0.0, vals)
        params[p] = vals if np.ptp(vals) > 0 else float(vals[0])
    gain, k = "K", 2
    while gain in node_model.param_names or gain in node_model.state_names \
            or gain in node_model.input_names or gain in node_model.observable_names:
        gain, k = f"K_{k}", k + 1
    try:
        return Network(node_model, W, delays=D, coupling="additive", source=source,
                       target=target, gain=gain, labels=["_".join(n) for n in labels],
                       params=params, name=name)
    except (ModelError, OptionsError) as exc:
        raise ModelError(f"{why}: {one_line(exc)}") from None


# -- entry point ---------------------------------------------------------------------------
def _kind_of(data, name, stem, lib):
    """The template class a top-level template derives from, following same-file bases."""
    seen = set()
    while name not in seen:
        seen.add(name)
        entry = data.get(name)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("base"), str):
            return None
        base = entry["base"].strip()
        if base in TEMPLATE_CLASSES:
            return base
        if "/" in base or "\\" in base:
            return None
        parts = base.split(".")
        if len(parts) > 1 and parts[-2] != stem:
            return None
        name = parts[-1]
    return None


def _pick(lib, data, path):
    found = {}
    for name, entry in data.items():
        if isinstance(entry, Mapping) and "base" in entry:
            found.setdefault(_kind_of(data, name, path.stem, lib), []).append(str(name))
    for cls in ("CircuitTemplate", "NodeTemplate", "OperatorTemplate"):
        names = found.get(cls, [])
        if len(names) == 1:
            return names[0]
        if len(names) > 1:
            raise ModelError(f"{path}: the file holds several {cls.replace('Template', '')} "
                             f"templates {names[:20]}; choose one with template=, e.g. "
                             f"load_model({path.name!r}, template={names[0]!r})")
    raise ModelError(f"{path}: no PyRates operator, node or circuit template found (a "
                     "template is a mapping with 'base: OperatorTemplate', 'NodeTemplate' "
                     "or 'CircuitTemplate')")


def load_pyrates(path, template=None, *, data=None):
    """Read a PyRates YAML template as a :class:`~nmanalysis.Model` (or a Network).

    Usually called through :func:`nmanalysis.load_model`; the format and how
    templates become a model are described in :mod:`nmanalysis.io.pyrates`.

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file holding the template (other templates it refers to are
        looked up in this file and in ``.yaml``/``.yml`` files beside it).
    template : str, optional
        The template to read: its name (``"WC"``), or a PyRates path such as
        ``"model_templates.neural_mass_models.wilsoncowan.WC"`` (the file part
        must name this file or a sibling). Default: the file's only circuit
        template (else its only node, else its only operator template).
    data : mapping, optional
        The file's content, if already parsed with the bounded reader.

    Returns
    -------
    Model or Network
        A :class:`~nmanalysis.Model`; a
        :class:`~nmanalysis.model.network.Network` for a circuit with delays.

    Raises
    ------
    ModelError
        For an unreadable file, an unknown template or variable, a reference
        cycle, a reference leaving the directory, an unsupported construct or
        an invalid expression; the message names the file, template and culprit.
    OptionsError
        If ``template`` is not a string.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from nmanalysis.io.pyrates import load_pyrates
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "leaky.yaml"
    >>> _ = path.write_text('''
    ... li_op:
    ...   base: OperatorTemplate
    ...   equations: "d/dt * r = (r0 - r)/tau + m_in"
    ...   variables: {r: output(0.5), r0: 0.0, tau: 2.0, m_in: input}
    ... pair:
    ...   base: CircuitTemplate
    ...   nodes: {a: li_op_node, b: li_op_node}
    ...   edges: [[a/li_op/r, b/li_op/m_in, null, {weight: 3.0}]]
    ... li_op_node: {base: NodeTemplate, operators: [li_op]}
    ... ''')
    >>> m = load_pyrates(path)
    >>> m.state_names, m.equations["r_b"]
    (('r_a', 'r_b'), '(r0_b - r_b) / tau_b + m_in_b')
    >>> m.observables["m_in_b"], m.params["w_b_a"], m.input_names
    ('w_b_a * r_a', 3.0, ('u_m_in_a',))
    """
    if template is not None and not isinstance(template, str):
        raise OptionsError(f"`template` must be a template name such as 'WC' or a PyRates "
                           f"path such as 'model_templates.neural_mass_models.wilsoncowan.WC'"
                           f"; got {type(template).__name__}")
    path = Path(os.fspath(path))
    if path.suffix.lower() not in SUFFIXES:
        raise ModelError(f"{path}: PyRates templates are read from YAML files (.yaml, .yml); "
                         f"got {path.suffix or '(no suffix)'!r}")
    if data is None:
        data = parse_text(read_text(path), "yaml", path)
        check_tree(data, path)
    if not isinstance(data, Mapping):
        raise ModelError(f"{path}: expected a mapping of PyRates templates at the top level, "
                         f"got {type(data).__name__}")
    lib = TemplateLibrary(path, data)
    ref = _pick(lib, data, path) if template is None else template
    try:
        obj = lib.resolve(ref, path.stem, f"{path}: template={ref!r}")
    except RecursionError:
        raise ModelError(f"{path}: templates nested too deeply to be read") from None
    name = re.sub(r"\W", "_", lib.split(ref, path.stem, str(path))[1])
    description = f"PyRates template {ref} ({path.name})"
    if isinstance(obj, OperatorSpec):
        obj = NodeSpec(obj.name, obj.where, [(obj, {})])
    if isinstance(obj, NodeSpec):
        return _Builder({(): obj}, [], obj.where).model(name, description)
    if not isinstance(obj, CircuitSpec):
        raise ModelError(f"{path}: {ref!r} is an edge template; load a circuit, node or "
                         "operator template")
    nodes, edges = _flatten(obj)
    if not nodes:
        raise ModelError(f"{obj.where}: the circuit has no nodes")
    if any(delay > 0 for *_, delay, _w in edges):
        return _as_network(obj, nodes, edges, name, description)
    return _Builder(nodes, edges, obj.where).model(name, description)
