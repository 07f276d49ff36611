"""A :class:`~nmanalysis.Model` written for AUTO-07p: an equations file and a constants file.

:func:`auto_files` returns the text of ``<name>.f90`` (the subroutines FUNC,
STPNT, BCND, ICND, FOPT and PVLS) and of ``c.<name>`` (the constants);
:meth:`Model.to_auto <nmanalysis.Model.to_auto>` writes them. FUNC evaluates
the right-hand side and, on request (``IJAC``), the exact Jacobians with
respect to the states (``DFDU``) and to every parameter (``DFDP``), printed
from the model's sympy derivatives with common subexpressions shared; the
constants file sets ``JAC=1`` so AUTO uses them. Then, in AUTO-07p's Python
shell::

    run(e="wilson_cowan", c="wilson_cowan")

continues the equilibrium given to STPNT in the free parameter.

Parameters are numbered in model order (then the inputs, at their constant
defaults) skipping ``PAR(11)`` to ``PAR(14)``, which AUTO reserves (the period
of periodic orbits is ``PAR(11)``); ``parnames`` and ``unames`` in the
constants file name them, so ``ICP`` and ``UZSTOP`` are written with names.
AUTO integrates autonomous systems only: a model whose equations read time
``t`` is refused.

Functions without a Fortran intrinsic are written out: the logistic sigmoid
as ``1/(1 + exp(-x))``, ``expm1(x)`` as ``exp(x) - 1``, ``Heaviside(x)`` and
``sign(x)`` with ``merge`` (``Heaviside(0) = 1/2``, ``sign(0) = 0``); the
derivatives of ``Heaviside``, ``sign``, ``abs``, ``max`` and ``min`` are taken
as zero where they jump.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelError, OptionsError

__all__ = ["auto_files", "write_auto", "par_indices", "RESERVED_PAR"]

#: PAR indices AUTO-07p reserves (11: period of periodic orbits)
RESERVED_PAR = (11, 12, 13, 14)
_DEFAULTS = {"NTST": 50, "NCOL": 4, "IAD": 3, "ISP": 2, "ISW": 1, "IPLT": 0, "NBC": 0,
             "NINT": 0, "NMX": 2000, "NPR": 100, "MXBF": 10, "IID": 2, "ITMX": 8, "ITNW": 5,
             "NWTN": 3, "JAC": 1, "EPSL": 1e-7, "EPSU": 1e-7, "EPSS": 1e-5, "DS": 0.01,
             "DSMIN": 1e-5, "DSMAX": 0.1, "IADS": 1, "ILP": 1, "IRS": 0, "IPS": 1}


def par_indices(model) -> dict[str, int]:
    """Parameter (and input) name -> AUTO's PAR index, skipping :data:`RESERVED_PAR`.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> idx = par_indices(nma.get_model("jansen_rit"))
    >>> idx["p"], max(idx.values())
    (1, 9)
    """
    out, k = {}, 0
    for name in (*model.param_names, *model.input_names):
        k += 1
        while k in RESERVED_PAR:
            k += 1
        out[name] = k
    return out


def _printer_class():
    from sympy.printing.fortran import FCodePrinter

    class AutoPrinter(FCodePrinter):
        """Fortran 95 with double-precision literals everywhere and no complex results."""

        def _print_Heaviside(self, expr):
            x = self._print(expr.args[0])
            return f"merge(1.0d0, merge(0.5d0, 0.0d0, {x} == 0.0d0), {x} > 0.0d0)"

        def _print_sign(self, expr):
            x = self._print(expr.args[0])
            return f"merge(0.0d0, sign(1.0d0, {x}), {x} == 0.0d0)"

        def _print_Logistic(self, expr):
            return f"(1.0d0/(1.0d0 + exp(-({self._print(expr.args[0])}))))"

        def _print_expm1(self, expr):
            return f"(exp({self._print(expr.args[0])}) - 1.0d0)"

        def _minmax(self, name, expr):
            import sympy as sp
            args = [self._print(sp.Float(a) if a.is_Number else a) for a in expr.args]
            return f"{name}({', '.join(args)})"

        def _print_Max(self, expr):
            return self._minmax("max", expr)

        def _print_Min(self, expr):
            return self._minmax("min", expr)

    return AutoPrinter


def _fortran(printer, expr, target: str) -> list[str]:
    import sympy as sp
    return ["  " + line for line in
            printer.doprint(expr, assign_to=sp.Symbol(target)).splitlines()]


def auto_files(model, free, *, start=None, params=None, p_range=None, constants=None):
    """The text of AUTO-07p's ``<name>.f90`` and ``c.<name>`` for ``model``.

    Parameters
    ----------
    model : Model
        A model whose equations do not read time ``t``.
    free : str or sequence of str
        The free parameter(s) (AUTO's ``ICP``).
    start : mapping of str to float, optional
        The starting equilibrium, state -> value (e.g. from
        :func:`~nmanalysis.fixed_points`); the model's default initial values
        by default, which AUTO needs to be an equilibrium.
    params : mapping of str to float, optional
        Parameter values at the start, other than the model's defaults.
    p_range : (float, float), optional
        Stop the continuation when the (first) free parameter leaves this
        range (``UZSTOP``).
    constants : mapping of str to object, optional
        Other AUTO constants (``NMX``, ``DS``, ``IPS``, ...), overriding the
        defaults written.

    Returns
    -------
    dict of str to str
        File name -> text: ``"<name>.f90"`` and ``"c.<name>"``.

    Raises
    ------
    OptionsError
        For an unknown free parameter, state or parameter name, or a bad range.
    ModelError
        If the model's equations read time ``t``.

    Examples
    --------
    >>> import nmanalysis as nma
    >>> files = auto_files(nma.get_model("fitzhugh_nagumo"), "I",
    ...                    start={"v": -1.199, "w": -0.624}, p_range=(0, 2))
    >>> sorted(files)
    ['c.fitzhugh_nagumo', 'fitzhugh_nagumo.f90']
    >>> print(files["c.fitzhugh_nagumo"].splitlines()[2])
    parnames = {1: 'I', 2: 'a', 3: 'b', 4: 'tau'}
    """
    import sympy as sp

    if model.uses_time():
        raise ModelError(f"model {model.name!r} reads time t; AUTO-07p continues "
                         "autonomous systems only")
    free = [free] if isinstance(free, str) else list(free)
    index = par_indices(model)
    if not free or any(f not in index for f in free):
        bad = next((f for f in free if f not in index), None)
        raise OptionsError(f"`free` must name parameters of model {model.name!r} "
                           f"({list(index)}); got {bad!r}")
    values = {**dict(model.params), **dict(model.inputs)}
    for key, value in dict(params or {}).items():
        if key not in values:
            raise OptionsError(f"`params`: {key!r} is not a parameter of model "
                               f"{model.name!r}; parameters are {list(values)}")
        values[key] = float(value)
    u0 = dict(model.states)
    for key, value in dict(start or {}).items():
        if key not in u0:
            raise OptionsError(f"`start`: {key!r} is not a state of model {model.name!r}; "
                               f"states are {list(u0)}")
        u0[key] = float(value)
    if p_range is not None:
        lo, hi = (float(v) for v in p_range)
        if not lo < hi:
            raise OptionsError(f"`p_range` must be (low, high) with low < high; got {p_range}")

    sym = model.symbolic
    y, p = sym.y, (*sym.p, *sym.u)
    to_fortran = {s: sp.Symbol(f"U({i + 1})") for i, s in enumerate(y)}
    to_fortran.update({s: sp.Symbol(f"PAR({index[s.name]})") for s in p})
    rhs = sp.Matrix(list(sym.rhs))
    jac_u = rhs.jacobian(sp.Matrix(y))
    jac_p = rhs.jacobian(sp.Matrix(p)) if p else sp.zeros(len(y), 0)

    def clean(e):
        e = e.replace(lambda a: isinstance(a, sp.DiracDelta), lambda a: sp.S.Zero)
        return e.xreplace(to_fortran).xreplace({sp.pi: sp.Float(sp.pi, 17),
                                                sp.E: sp.Float(sp.E, 17)})

    exprs = [clean(e) for e in rhs]
    du = {(i, j): clean(jac_u[i, j]) for i in range(len(y)) for j in range(len(y))}
    dp = {(i, j): clean(jac_p[i, j]) for i in range(len(y)) for j in range(len(p))}
    du = {k: v for k, v in du.items() if v != 0}
    dp = {k: v for k, v in dp.items() if v != 0}
    temps = sp.numbered_symbols("T_")
    pre_f, (f_red,) = sp.cse([sp.Matrix(exprs)], symbols=temps)
    pre_d, d_red = sp.cse([*du.values(), *dp.values()], symbols=sp.numbered_symbols("D_"))
    printer = _printer_class()({"standard": 95, "source_format": "free"})

    f90 = [f"! AUTO-07p equations of model {model.name!r}, written by nmanalysis",
           "! (exact Jacobians from sympy; run(e='{0}', c='{0}') in AUTO)".format(model.name),
           "! U: " + ", ".join(f"U({i + 1}) = {s}" for i, s in enumerate(model.state_names)),
           "! PAR: " + ", ".join(f"PAR({k}) = {n}" for n, k in index.items()),
           "",
           "SUBROUTINE FUNC(NDIM, U, ICP, PAR, IJAC, F, DFDU, DFDP)",
           "  IMPLICIT NONE",
           "  INTEGER, INTENT(IN) :: NDIM, ICP(*), IJAC",
           "  DOUBLE PRECISION, INTENT(IN) :: U(NDIM), PAR(*)",
           "  DOUBLE PRECISION, INTENT(OUT) :: F(NDIM)",
           "  DOUBLE PRECISION, INTENT(INOUT) :: DFDU(NDIM, NDIM), DFDP(NDIM, *)"]
    local = [str(s) for s, _ in pre_f] + [str(s) for s, _ in pre_d]
    for k in range(0, len(local), 8):
        f90.append("  DOUBLE PRECISION :: " + ", ".join(local[k:k + 8]))
    f90.append("")
    for s, e in pre_f:
        f90 += _fortran(printer, e, str(s))
    for i, e in enumerate(f_red[:, 0] if len(exprs) else []):
        f90 += _fortran(printer, e, f"F({i + 1})")
    f90 += ["", "  IF (IJAC == 0) RETURN", ""]
    for s, e in pre_d:
        f90 += _fortran(printer, e, str(s))
    f90.append("  DFDU = 0.0d0")
    reduced = dict(zip([*du, *(("p",) + k for k in dp)], d_red))
    for (i, j) in du:
        f90 += _fortran(printer, reduced[(i, j)], f"DFDU({i + 1}, {j + 1})")
    f90 += ["", "  IF (IJAC == 1) RETURN", ""]
    for name, k in index.items():
        f90.append(f"  DFDP(1:NDIM, {k}) = 0.0d0")
    for (i, j) in dp:
        f90 += _fortran(printer, reduced[("p", i, j)], f"DFDP({i + 1}, {index[p[j].name]})")
    f90 += ["END SUBROUTINE FUNC", "",
            "SUBROUTINE STPNT(NDIM, U, PAR, T)",
            "  IMPLICIT NONE",
            "  INTEGER, INTENT(IN) :: NDIM",
            "  DOUBLE PRECISION, INTENT(INOUT) :: U(NDIM), PAR(*)",
            "  DOUBLE PRECISION, INTENT(IN) :: T", ""]
    for name, k in index.items():
        f90 += _fortran(printer, sp.Float(values[name], 17), f"PAR({k})")
    for i, name in enumerate(model.state_names):
        f90 += _fortran(printer, sp.Float(u0[name], 17), f"U({i + 1})")
    f90 += ["END SUBROUTINE STPNT", ""]
    for stub in ("BCND", "ICND", "FOPT", "PVLS"):
        f90 += [f"SUBROUTINE {stub}", f"END SUBROUTINE {stub}", ""]

    consts = dict(_DEFAULTS)
    consts.update({"NDIM": model.n_states})
    if max(index.values(), default=0) > 36:
        consts["NPAR"] = max(index.values())
    for key, value in dict(constants or {}).items():
        if not (isinstance(key, str) and key.isidentifier()):
            raise OptionsError(f"`constants`: {key!r} is not an AUTO constant name")
        consts[key] = value
    text = [f"# AUTO-07p constants of model {model.name!r}, written by nmanalysis",
            "unames = {" + ", ".join(f"{i + 1}: {n!r}" for i, n in
                                     enumerate(model.state_names)) + "}",
            "parnames = {" + ", ".join(f"{k}: {n!r}" for n, k in index.items()) + "}",
            f"e = {model.name!r}",
            f"ICP = {free!r}"]
    text += [f"{key} = {value!r}" for key, value in consts.items()]
    if p_range is not None:
        text.append(f"UZSTOP = {{{free[0]!r}: [{float(lo)!r}, {float(hi)!r}]}}")
    return {f"{model.name}.f90": "\n".join(f90) + "\n", f"c.{model.name}": "\n".join(text) + "\n"}


def write_auto(model, directory, free, **options) -> dict[str, Path]:
    """Write :func:`auto_files` into ``directory`` (created if needed); return the paths."""
    directory = Path(os.fspath(directory))
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in auto_files(model, free, **options).items():
        out[name] = directory / name
        out[name].write_text(text, encoding="utf-8")
    return out
