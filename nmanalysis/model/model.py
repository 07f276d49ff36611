"""The :class:`Model`: what a dynamical system is, with no numerics attached."""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Mapping

from ..errors import ModelError
from .grammar import FUNCTION_ARITY
from .parse import (calls_in, check_identifier, fold_name, names_in, parse_expression,
                    parse_signature)
from .symbols import Input, Observable, Parameter, State, make_spec

__all__ = ["Model"]


def _as_text(expr, where: str) -> str:
    """Expression as text; sympy expressions are printed at full precision."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return repr(expr)
    if type(expr).__module__.startswith("sympy"):
        from sympy.printing.str import StrPrinter
        return StrPrinter({"full_prec": True}).doprint(expr)
    raise ModelError(f"{where}: expected a string or a sympy expression, got "
                     f"{type(expr).__name__}")


class _NameView(Mapping):
    """Read-only mapping keyed by model names; a key is also found by any spelling
    that folds to it under Unicode NFKC (``"\u00b5"`` finds ``"\u03bc"``)."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    def __getitem__(self, key):
        try:
            return self._data[key]
        except KeyError:
            folded = fold_name(key)
            if folded == key or folded not in self._data:
                raise
            return self._data[folded]

    def __contains__(self, key):
        return key in self._data or fold_name(key) in self._data

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"{type(self).__name__}({self._data!r})"


def _fold_keys(given: Mapping, what: str) -> dict:
    """``given`` with NFKC-folded string keys; two keys folding to one name are refused."""
    out, spelled = {}, {}
    for key, value in given.items():
        folded = fold_name(key)
        if folded in out:
            raise ModelError(f"{what}: {spelled[folded]!r} and {key!r} are the same name "
                             f"{folded!r} after Unicode NFKC normalisation; give it once")
        out[folded], spelled[folded] = value, key
    return out


class Model:
    """A neural mass model (or any ODE system): states, parameters and equations.

    Parameters
    ----------
    name : str
        Short identifier (used in results and in the kernel cache).
    states : mapping of str to float or dict
        State name -> default initial value, in state order. A dict value may
        hold ``value``, ``bounds`` (box searched for equilibria), ``units``
        and ``description``.
    params : mapping of str to float or dict
        Parameter name -> default value, or a dict with ``value``, ``bounds``
        (hard limits), ``range`` (typical range), ``units``, ``description``.
    equations : mapping of str to str or sympy expression
        State name -> right-hand side of ``d(state)/dt``. Every state needs
        exactly one equation.
    functions : mapping of str to str, optional
        Helper functions, ``{"S(x, k, th)": "1/(1 + exp(-k*(x - th)))"}``.
        Bodies may use their arguments, the model's parameters and earlier
        functions.
    inputs : mapping of str to float or dict, optional
        Time-dependent inputs: names usable in equations whose values are
        supplied at run time (``simulate(..., inputs=...)``); the value given
        here is the default constant.
    observables : mapping of str to str or dict, optional
        Derived quantities (``{"v_pc": "y1 - y2"}``), recorded by ``simulate``
        and usable in equations. A dict value holds ``expression``,
        ``units``, ``description``.
    description, reference, time_units : str, optional
        One-line meaning, literature reference, unit of time.

    Notes
    -----
    Expressions are parsed safely (see :mod:`nmanalysis.model.parse`): no
    string is ever evaluated as Python. ``^`` means power. The name ``t``
    (time) is reserved and may be used in equations. Constant terms must be
    finite real numbers of double-precision size (``1/0``, ``sqrt(-1)``,
    ``10**10**10`` are refused, naming the term).

    Names are read as Python reads identifiers in expressions, i.e. after
    Unicode NFKC normalisation: a parameter declared as ``"\u00b5"`` (micro
    sign) is the parameter ``"\u03bc"`` (Greek mu) of ``model.params``, and the
    ligature ``"\ufb01"`` is ``"fi"``. The read-only views (``params``,
    ``states``, ...) and :meth:`with_params` accept either spelling; two
    declared names that fold to the same name are refused.

    A model's own function may replace a convenience built-in
    (:data:`~nmanalysis.model.grammar.CONVENIENCE_FUNCTIONS`: ``sigmoid``,
    ``Heaviside``, ``heaviside``); the model's definition is then used in all of
    its equations, observables and later functions. The core mathematical
    functions (:data:`~nmanalysis.model.grammar.CORE_FUNCTIONS`: ``exp``, ``log``,
    ``sqrt``, ...) cannot be redefined.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> m = nma.Model(
    ...     name="fhn", states={"v": -1.0, "w": 1.0},
    ...     params={"I": 0.5, "a": 0.7, "b": 0.8, "tau": 12.5},
    ...     equations={"v": "v - v^3/3 - w + I", "w": "(v + a - b*w)/tau"})
    >>> m.state_names, m.params["tau"]
    (('v', 'w'), 12.5)
    >>> m.with_params(I=0.8).params["I"]
    0.8
    """

    __slots__ = ("name", "description", "reference", "time_units", "_states", "_params",
                 "_inputs", "_observables", "_equations", "_functions", "_trees", "_fn_info",
                 "_obs_trees", "_symbolic", "_frozen", "variant", "_hashes")

    def __init__(self, name, states, params, equations, *, functions=None, inputs=None,
                 observables=None, description="", reference="", time_units="",
                 variant=""):
        object.__setattr__(self, "_frozen", False)
        self.name = check_identifier(str(name), "model") if name else "model"
        self.description = str(description or "")
        self.reference = str(reference or "")
        self.time_units = str(time_units or "")
        self.variant = str(variant or "")
        declared = {}
        self._states = self._specs(State, states, "states", declared)
        self._params = self._specs(Parameter, params or {}, "params", declared)
        self._inputs = self._specs(Input, inputs or {}, "inputs", declared)
        if not self._states:
            raise ModelError("a model needs at least one state")
        self._fn_info, self._functions = self._parse_functions(functions or {}, declared)
        self._observables, self._obs_trees = self._parse_observables(observables or {},
                                                                     declared)
        self._equations, self._trees = self._parse_equations(equations)
        self._symbolic = None
        self._hashes = {}              # filled on first use (the model never changes)
        self._frozen = True

    # -- construction helpers -------------------------------------------------------------
    @staticmethod
    def _declare(declared, name, kind, *, allow=frozenset(), spelled=None):
        """Check and NFKC-fold one declared name; refuse a name declared twice."""
        folded = check_identifier(name, kind, allow=allow)
        spelled = name if spelled is None else spelled
        if folded in declared:
            first_kind, first = declared[folded]
            if first != spelled:
                raise ModelError(f"{kind} name {spelled!r} and {first_kind} name {first!r} are "
                                 f"the same name {folded!r} after Unicode NFKC normalisation; "
                                 "rename one of them")
            raise ModelError(f"name {folded!r} is used twice (as {first_kind} and as {kind})")
        declared[folded] = (kind, spelled)
        return folded

    @staticmethod
    def _specs(cls, given, what, declared):
        if not isinstance(given, Mapping):
            raise ModelError(f"{what} must be a mapping name -> value, got {type(given).__name__}")
        out = {}
        for key, spec in given.items():
            name = Model._declare(declared, key, cls.kind)
            out[name] = make_spec(cls, name, spec)
        return out

    def _symbol_names(self):
        return set(self._states) | set(self._params) | set(self._inputs)

    def _parse_functions(self, functions, declared):
        if not isinstance(functions, Mapping):
            raise ModelError("functions must be a mapping 'name(args)' -> body")
        signatures = []
        for signature, body in functions.items():
            if not isinstance(signature, str):
                raise ModelError(f"function signature {signature!r} must be a string "
                                 "'name(arg1, arg2, ...)'")
            fname, args = parse_signature(signature)
            self._declare(declared, fname, "function", allow=FUNCTION_ARITY,
                          spelled=signature.split("(", 1)[0].strip())
            signatures.append((fname, args, body))
        # built-ins this model replaces by its own definition: no function may call
        # the built-in one before the model's definition exists (nor inside it)
        replaced = {fname for fname, _, _ in signatures if fname in FUNCTION_ARITY}
        info, texts = {}, {}
        for fname, args, body in signatures:
            where = f"function {fname!r}"
            text = _as_text(body, where)
            known = (self._symbol_names() - set(self._states)) | set(args)
            tree = parse_expression(text, known, {k: len(v[0]) for k, v in info.items()},
                                    where=where)
            early = sorted((calls_in(tree) & replaced) - set(info))
            if early:
                raise ModelError(f"{where} calls {early[0]}(), which the model redefines "
                                 + ("itself; a function may not call itself" if early[0] == fname
                                    else f"later; define {early[0]}() before {fname}()"))
            info[fname] = (args, tree)
            texts[f"{fname}({', '.join(args)})"] = text
        return info, texts

    def _fn_arity(self):
        return {k: len(v[0]) for k, v in self._fn_info.items()}

    def _parse_observables(self, observables, declared):
        if not isinstance(observables, Mapping):
            raise ModelError("observables must be a mapping name -> expression")
        specs, trees = {}, {}
        for key, spec in observables.items():
            key = self._declare(declared, key, "observable")
            if isinstance(spec, Mapping):
                extra = set(spec) - {"expression", "units", "description"}
                if extra or "expression" not in spec:
                    raise ModelError(f"observable {key!r}: expected keys 'expression' and "
                                     f"optionally 'units', 'description'; got {sorted(spec)}")
                expr, units, desc = spec["expression"], spec.get("units", ""), \
                    spec.get("description", "")
            else:
                expr, units, desc = spec, "", ""
            where = f"observable {key!r}"
            text = _as_text(expr, where)
            trees[key] = parse_expression(text, self._symbol_names() | set(trees),
                                          self._fn_arity(), where=where)
            specs[key] = Observable(key, text, str(units or ""), str(desc or ""))
        return specs, trees

    def _parse_equations(self, equations):
        if not isinstance(equations, Mapping):
            raise ModelError("equations must be a mapping state -> right-hand side")
        equations = _fold_keys(equations, "equations")
        unknown = [k for k in equations if k not in self._states]
        if unknown:
            raise ModelError(f"equation for unknown state {unknown[0]!r}; states are "
                             f"{list(self._states)}")
        missing = [k for k in self._states if k not in equations]
        if missing:
            raise ModelError(f"state {missing[0]!r} has no equation")
        texts, trees = {}, {}
        known = self._symbol_names() | set(self._obs_trees)
        for key in self._states:
            where = f"equation for {key!r}"
            texts[key] = _as_text(equations[key], where)
            trees[key] = parse_expression(texts[key], known, self._fn_arity(), where=where)
        return texts, trees

    def __setattr__(self, key, value):
        if getattr(self, "_frozen", False):
            raise AttributeError(f"Model is immutable; use with_params(...) to change {key!r}")
        object.__setattr__(self, key, value)

    # -- read-only views ------------------------------------------------------------------
    @property
    def states(self) -> Mapping[str, float]:
        """State name -> default initial value (read-only, in state order)."""
        return _NameView({k: v.value for k, v in self._states.items()})

    @property
    def params(self) -> Mapping[str, float]:
        """Parameter name -> default value (read-only)."""
        return _NameView({k: v.value for k, v in self._params.items()})

    @property
    def inputs(self) -> Mapping[str, float]:
        """Input name -> default constant value (read-only)."""
        return _NameView({k: v.value for k, v in self._inputs.items()})

    @property
    def equations(self) -> Mapping[str, str]:
        """State name -> right-hand side as text (read-only)."""
        return _NameView(dict(self._equations))

    @property
    def functions(self) -> Mapping[str, str]:
        """Helper-function signature -> body text (read-only)."""
        return _NameView(dict(self._functions))

    @property
    def observables(self) -> Mapping[str, str]:
        """Observable name -> expression text (read-only)."""
        return _NameView({k: v.expression for k, v in self._observables.items()})

    @property
    def state_info(self) -> Mapping[str, State]:
        """State name -> :class:`~nmanalysis.model.State` (units, bounds, description)."""
        return _NameView(dict(self._states))

    @property
    def param_info(self) -> Mapping[str, Parameter]:
        """Parameter name -> :class:`~nmanalysis.model.Parameter`."""
        return _NameView(dict(self._params))

    @property
    def input_info(self) -> Mapping[str, Input]:
        """Input name -> :class:`~nmanalysis.model.Input`."""
        return _NameView(dict(self._inputs))

    @property
    def observable_info(self) -> Mapping[str, Observable]:
        """Observable name -> :class:`~nmanalysis.model.Observable`."""
        return _NameView(dict(self._observables))

    state_names = property(lambda self: tuple(self._states), doc="State names in order.")
    param_names = property(lambda self: tuple(self._params), doc="Parameter names in order.")
    input_names = property(lambda self: tuple(self._inputs), doc="Input names in order.")
    observable_names = property(lambda self: tuple(self._observables),
                                doc="Observable names in order.")
    n_states = property(lambda self: len(self._states), doc="Number of states.")

    def units_of(self, name: str) -> str:
        """Units of a state, parameter, input or observable ('' when unknown)."""
        name = fold_name(name)
        for group in (self._states, self._params, self._inputs, self._observables):
            if name in group:
                return group[name].units
        if name == "t":
            return self.time_units
        raise ModelError(f"{name!r} is not a name of model {self.name!r}")

    # -- derived models ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain-data definition; ``Model(**m.to_dict())`` rebuilds an equal model."""
        return {
            "name": self.name,
            "states": {k: v.to_dict() for k, v in self._states.items()},
            "params": {k: v.to_dict() for k, v in self._params.items()},
            "equations": dict(self._equations),
            "functions": dict(self._functions),
            "inputs": {k: v.to_dict() for k, v in self._inputs.items()},
            "observables": {k: v.to_dict() for k, v in self._observables.items()},
            "description": self.description, "reference": self.reference,
            "time_units": self.time_units, "variant": self.variant,
        }

    def _replace(self, group: str, values: dict, what: str) -> Model:
        current = getattr(self, group)
        values = _fold_keys(values, f"new {what} values")
        bad = [k for k in values if k not in current]
        if bad:
            raise ModelError(f"{bad[0]!r} is not a {what} of model {self.name!r}; "
                             f"{what}s are {list(current)}")
        d = self.to_dict()
        for k, v in values.items():
            d[group][k]["value"] = v
        return Model(**d)

    def with_params(self, **values) -> Model:
        """Return a new model with other default parameter values.

        Examples
        --------
        >>> import nmanalysis as nma
        >>> nma.get_model("fitzhugh_nagumo").with_params(I=0.8).params["I"]
        0.8
        """
        return self._replace("params", values, "parameter")

    def with_states(self, **values) -> Model:
        """Return a new model with other default initial values."""
        return self._replace("states", values, "state")

    # -- other tools' formats -----------------------------------------------------------------
    def to_ode(self, path, *, total=None, dt=None, method=None):
        """Write the model as an XPPAUT ``.ode`` file; ``nma.load_model(path)`` reads it back.

        Names XPPAUT cannot take (case-insensitive clashes, more than 10
        characters) are written under new names and restored on reading; see
        :mod:`nmanalysis.model.export`. ``total``, ``dt`` and ``method``
        (``'euler'``, ``'heun'``, ``'rk4'``, ``'dopri5'``) become ``@`` options.
        Returns the path.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> import nmanalysis as nma
        >>> m = nma.get_model("fitzhugh_nagumo")
        >>> path = m.to_ode(pathlib.Path(tempfile.mkdtemp()) / "fhn.ode")
        >>> nma.load_model(path).equations == m.equations
        True
        """
        from .export import write_ode
        return write_ode(self, path, total=total, dt=dt, method=method)

    def to_auto(self, directory, free, *, start=None, params=None, p_range=None,
                constants=None):
        """Write AUTO-07p's equations file ``<name>.f90`` and constants file ``c.<name>``.

        FUNC holds the right-hand side and its exact Jacobians (``JAC=1``);
        ``start`` (state -> value) is the equilibrium STPNT starts from. See
        :func:`nmanalysis.model.auto_export.auto_files` for every option.
        Returns a dict file name -> path.

        Examples
        --------
        >>> import tempfile
        >>> import nmanalysis as nma
        >>> files = nma.get_model("fitzhugh_nagumo").to_auto(tempfile.mkdtemp(), "I")
        >>> sorted(files)
        ['c.fitzhugh_nagumo', 'fitzhugh_nagumo.f90']
        """
        from .auto_export import write_auto
        return write_auto(self, directory, free, start=start, params=params,
                          p_range=p_range, constants=constants)

    # -- identity ---------------------------------------------------------------------------
    def _canonical(self, with_values: bool) -> dict:
        def canon(tree):
            return ast.unparse(tree)

        d = {
            "states": list(self._states), "params": list(self._params),
            "inputs": list(self._inputs),
            "functions": {k: [list(a), canon(t)] for k, (a, t) in self._fn_info.items()},
            "observables": {k: canon(t) for k, t in self._obs_trees.items()},
            "equations": {k: canon(t) for k, t in self._trees.items()},
        }
        if with_values:
            d["values"] = [[k, v.value] for g in (self._states, self._params, self._inputs)
                           for k, v in g.items()]
            d["name"] = self.name
        return d

    @property
    def structure_hash(self) -> str:
        """Hash of the equations and names only (default values excluded).

        Two models that differ only in default values share compiled kernels.
        """
        if "structure" not in self._hashes:
            text = json.dumps(self._canonical(False), sort_keys=True)
            self._hashes["structure"] = hashlib.sha256(text.encode()).hexdigest()[:20]
        return self._hashes["structure"]

    @property
    def hash(self) -> str:
        """Hash of the whole definition, default values included (for provenance)."""
        if "full" not in self._hashes:
            text = json.dumps(self._canonical(True), sort_keys=True)
            self._hashes["full"] = hashlib.sha256(text.encode()).hexdigest()[:20]
        return self._hashes["full"]

    def __eq__(self, other):
        return isinstance(other, Model) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.hash)

    def __repr__(self):
        eqs = "; ".join(f"d{k}/dt = {v}" for k, v in self._equations.items())
        if len(eqs) > 120:
            eqs = eqs[:117] + "..."
        return (f"<Model {self.name!r}: states {list(self._states)}, "
                f"{len(self._params)} params; {eqs}>")

    # -- symbolic form -----------------------------------------------------------------------
    @property
    def symbolic(self):
        """The sympy form (:class:`~nmanalysis.model.derivatives.SymbolicModel`), built lazily."""
        if self._symbolic is None:
            from .derivatives import SymbolicModel
            object.__setattr__(self, "_symbolic", SymbolicModel(self))
        return self._symbolic

    def rhs_expressions(self):
        """Right-hand sides as sympy expressions (helper functions and observables expanded)."""
        return list(self.symbolic.rhs)

    def jacobian(self):
        """Symbolic Jacobian ``d f / d states`` (sympy Matrix, n x n)."""
        return self.symbolic.jacobian()

    def jacobian_params(self):
        """Symbolic parameter Jacobian ``d f / d params`` (sympy Matrix, n x n_params)."""
        return self.symbolic.jacobian_params()

    # used by SymbolicModel
    def _parsed(self):
        return self._fn_info, self._obs_trees, self._trees

    def uses_time(self) -> bool:
        """True when an equation, observable or function reads ``t``."""
        trees = [*self._trees.values(), *self._obs_trees.values(),
                 *(t for _, t in self._fn_info.values())]
        return any("t" in names_in(tr) for tr in trees)

    def calls(self) -> set[str]:
        """Names of all functions the model's expressions call."""
        trees = [*self._trees.values(), *self._obs_trees.values(),
                 *(t for _, t in self._fn_info.values())]
        return set().union(*(calls_in(tr) for tr in trees))
