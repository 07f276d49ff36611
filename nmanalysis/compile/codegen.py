"""sympy -> Python/numba source text for a model's kernels.

Every kernel has one of two fixed signatures:

* scalar: ``name(t, y, p, out)`` with ``y`` of shape (n_states,), ``p`` the
  parameter vector (parameters, then inputs, in model order) and ``out`` the
  output buffer, written in place;
* block: ``name_block(t, Y, P, Q, OUT)`` with ``Y`` of shape (n_states, m),
  ``P`` of shape (n_params + n_inputs, m), ``Q`` the row's hoisted
  parameter-only terms (filled once by ``derived_block(P, Q)``) and ``OUT`` of
  shape (n_out, m): the batch index is the innermost (contiguous) one, so the
  loop over it vectorises.

Common subexpressions are shared (``sympy.cse``); ``exp``, ``expm1``, the
logistic sigmoid, ``tanh`` and Heaviside are printed as calls of the
vectorisable functions of :mod:`nmanalysis.compile.fastmath`.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

__all__ = ["GENERATOR_VERSION", "KernelPrinter", "kernel_source", "derivative_source"]

from .cache import GENERATOR_VERSION  # noqa: F401  (re-exported)

_DECORATOR = '@njit(cache=True, error_model="numpy", nogil=True)'

_HEADER = '''\
# Generated kernels for model {name!r} (structure hash {hash}); do not edit.
import math

import numpy as np
from numba import njit

from nmanalysis.compile.fastmath import (fexp, fexp_k, fexpm1, fexpm1_k, fheaviside, fphi1,
                                         fphi1_k, fsigmoid, fsigmoid_k, ftanh, ftanh_k)
from nmanalysis.compile.rows import row_value

N_STATES = {n}
N_PARAMS = {np_}
N_INPUTS = {ni}
N_OBSERVABLES = {no}
'''


#: fast functions with a ``f*_k(x, K)`` form (see nmanalysis/compile/fastmath.py)
_WITH_CONSTANTS = {"fexp", "fexpm1", "fsigmoid", "ftanh", "fphi1"}


class KernelPrinter(PythonCodePrinter):
    """Prints sympy expressions as numba-friendly Python with fast-math calls."""

    def __init__(self, names, constants=None):
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})
        self._names = names
        # name of a run-time array of the fast functions' constants (``f*_k(x, K)``), if any
        self._constants = constants

    def _print_Symbol(self, expr):
        return self._names.get(expr, expr.name)

    def _print_Function(self, expr):  # pragma: no cover - unknown functions are refused earlier
        raise ValueError(f"no kernel for function {expr.func}")

    def _call(self, fname, expr):
        args = [self._print(a) for a in expr.args]
        if self._constants and fname in _WITH_CONSTANTS:
            fname, args = f"{fname}_k", [*args, self._constants]
        return f"{fname}({', '.join(args)})"

    def _print_exp(self, expr):
        return self._call("fexp", expr)

    def _print_expm1(self, expr):
        return self._call("fexpm1", expr)

    def _print_Logistic(self, expr):
        return self._call("fsigmoid", expr)

    def _print_tanh(self, expr):
        return self._call("ftanh", expr)

    def _print_Heaviside(self, expr):
        return f"fheaviside({self._print(expr.args[0])})"

    def _print_DiracDelta(self, expr):
        return "0.0"

    def _print_sign(self, expr):
        a = self._print(expr.args[0])
        return f"(1.0 if {a} > 0 else (-1.0 if {a} < 0 else 0.0 * {a}))"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr):
        return self._call("min", expr)

    def _print_Max(self, expr):
        return self._call("max", expr)

    def _print_Pow(self, expr, rational=False):
        base, e = expr.args
        if e.is_Integer and abs(int(e)) <= 6:
            n = abs(int(e))
            b = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Mul"] + 1)
            prod = "*".join([b] * n) if n else "1.0"
            return f"(1.0/({prod}))" if int(e) < 0 else f"({prod})"
        if e == sp.S.Half:
            return f"math.sqrt({self._print(base)})"
        if e == -sp.S.Half:
            return f"(1.0/math.sqrt({self._print(base)}))"
        return f"({self._print(base)})**({self._print(e)})"

    def _print_Rational(self, expr):
        return repr(float(expr.p) / float(expr.q))

    def _print_Integer(self, expr):
        return f"{int(expr)}.0"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Pi(self, expr):
        return repr(float(sp.pi))


def _body(exprs, printer, indent, prefix="_x"):
    """cse + print: assignment lines and output expressions (temporaries ``<prefix><k>``)."""
    exprs = [sp.sympify(e) for e in exprs]
    if not exprs:
        return [], []
    repl, reduced = sp.cse(exprs, symbols=sp.numbered_symbols(prefix), order="none")
    lines = [f"{indent}{printer._print(sym)} = {printer.doprint(val)}" for sym, val in repl]
    return lines, [printer.doprint(e) for e in reduced]


def _scalar_kernel(name, exprs, sym, shape, vectors=()):
    """``name(t, y, p, [vectors...,] out)``; ``shape`` = None (vector) or ncols (row-major).

    ``vectors`` lists ``(argument name, symbols)`` of extra vector arguments
    (the directions of derivative contractions).
    """
    names = {s: f"y{i}" for i, s in enumerate(sym.y)}
    names.update({s: f"p{i}" for i, s in enumerate((*sym.p, *sym.u))})
    for arg, syms in vectors:
        names.update({s: f"{arg}{i}" for i, s in enumerate(syms)})
    names[sym.t] = "t"
    printer = KernelPrinter(names)
    ind = "    "
    args = "".join(f"{arg}, " for arg, _ in vectors)
    lines = [_DECORATOR, f"def {name}(t, y, p, {args}out):"]
    lines += [f"{ind}y{i} = y[{i}]" for i in range(len(sym.y))]
    lines += [f"{ind}p{i} = p[{i}]" for i in range(len(sym.p) + len(sym.u))]
    for arg, syms in vectors:
        lines += [f"{ind}{arg}{i} = {arg}[{i}]" for i in range(len(syms))]
    assign, outs = _body(exprs, printer, ind)
    lines += assign
    for k, text in enumerate(outs):
        idx = f"{k}" if shape is None else f"{k // shape}, {k % shape}"
        lines.append(f"{ind}out[{idx}] = {text}")
    lines.append(f"{ind}return None")
    return "\n".join(lines) + "\n"


def _is_costly(expr) -> bool:
    """A function call, division or root: worth computing once per batch row."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function):
            return True
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer and node.exp > 0):
            return True
    return False


def hoist_parameter_terms(exprs, params):
    """Replace costly parameter-only subexpressions by symbols ``_q0, _q1, ...``.

    Returns the rewritten expressions and the list of hoisted expressions.
    In the batched kernels these are computed once per row (``derived_block``)
    instead of at every step: ``x/tau`` becomes ``x*_q0`` with ``_q0 = 1/tau``,
    a sigmoid offset ``1/(1 + exp(a*th))`` becomes a constant.
    """
    pset = set(params)
    table: dict = {}

    def rebuild(e):
        if e.is_Atom:
            return e
        fs = e.free_symbols
        if fs and fs <= pset and _is_costly(e):
            if e not in table:
                table[e] = sp.Symbol(f"_q{len(table)}")
            return table[e]
        return e.func(*[rebuild(a) for a in e.args])

    out = [rebuild(sp.sympify(e)) for e in exprs]
    return out, list(table)


def _block_printer(sym, n_q, constants=None):
    """The printer of block kernels (states ``y<i>``, parameters and inputs ``p<i>``,
    hoisted parameter terms ``q<k>``, time ``t``; the fast functions' constants from the
    array named ``constants`` if given) and the ``_q<k>`` symbols."""
    names = {s: f"y{i}" for i, s in enumerate(sym.y)}
    names.update({s: f"p{i}" for i, s in enumerate((*sym.p, *sym.u))})
    qsyms = [sp.Symbol(f"_q{k}") for k in range(n_q)]
    names.update({q: f"q{k}" for k, q in enumerate(qsyms)})
    names[sym.t] = "t"
    return KernelPrinter(names, constants), qsyms


def _block_kernel(name, exprs, sym, n_q):
    """``name(t, Y, P, Q, OUT)``: the expressions looped over the batch index.

    ``Q`` holds the hoisted parameter terms (``_q<k>``) of each row.
    """
    printer, qsyms = _block_printer(sym, n_q)
    ind = "        "
    lines = [_DECORATOR, f"def {name}(t, Y, P, Q, OUT):"]
    if not exprs:
        return "\n".join(lines + ["    return None"]) + "\n"
    lines.append("    for b in range(Y.shape[1]):")
    used = set().union(*(sp.sympify(e).free_symbols for e in exprs))
    lines += [f"{ind}y{i} = Y[{i}, b]" for i, s in enumerate(sym.y) if s in used]
    lines += [f"{ind}p{i} = P[{i}, b]" for i, s in enumerate((*sym.p, *sym.u)) if s in used]
    lines += [f"{ind}q{k} = Q[{k}, b]" for k, q in enumerate(qsyms) if q in used]
    assign, outs = _body(exprs, printer, ind)
    lines += assign
    lines += [f"{ind}OUT[{k}, b] = {text}" for k, text in enumerate(outs)]
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def _euler_kernel(exprs, obs, sym, n_q):
    """``euler_block(t0, dt, q_start, n_steps, Y, P, Q, red, RMIN, RMAX, RSUM, PU, QU, FK,
    red_obs)``: Euler steps ``q_start .. q_start + n_steps - 1`` of a block of rows, one
    pass over the batch index per step, without calls or tests in between.

    The right-hand side is inlined, so each row's state stays in registers from its
    load to its store, and the loop vectorises. No state is tested: the caller finds
    the rows that left the finite numbers afterwards (under ``y += dt * f`` a non-finite
    state stays non-finite), or runs one step per call where bounds are set. ``red``
    (bit 1 min, 2 max, 4 sum) folds the running minimum and maximum of the states into
    ``RMIN``/``RMAX`` in the same pass, and with ``red_obs`` those of the observables
    ``obs`` at the new state and time (rows ``n ..`` of ``RMIN``/``RMAX``; the caller
    keeps sums of observables itself); the sum of the states gets a pass of its own
    (in the same loop it stops LLVM from vectorising). The arithmetic is that of
    ``rhs_block`` followed by ``y += dt * f`` at ``t = t0 + q dt``, and of
    ``observables_block`` at ``t0 + (q + 1) dt``, so the results are the same bits.
    Parameters and derived terms shared by the whole batch come as scalars in the
    tuples ``PU``/``QU`` (``None`` where a row is read per row, see
    :mod:`nmanalysis.compile.rows`), which saves their loads at every step; the fast
    functions read their constants from the array ``FK`` (``fastmath.CONSTANTS``): with a
    dozen parameters and the constants of exp live in the loop, registers run short, and
    an entry of ``FK`` is reloaded by the instruction that uses it, a constant of the
    constant pool by two more.
    """
    n = len(sym.y)
    printer, qsyms = _block_printer(sym, n_q, "FK")
    ind, ind2 = " " * 12, " " * 16
    everything = list(exprs) + list(obs)
    used = set().union(*(sp.sympify(e).free_symbols for e in everything)) if everything else set()
    loads = [f"{ind}y{i} = Y[{i}, b]" for i in range(n)]
    loads += [f"{ind}p{i} = row_value(PU[{i}], P, {i}, b)"
              for i, s in enumerate((*sym.p, *sym.u)) if s in used]
    loads += [f"{ind}q{k} = row_value(QU[{k}], Q, {k}, b)" for k, q in enumerate(qsyms) if q in used]
    assign, outs = _body(exprs, printer, ind)
    # the observables at the new state and time: states printed as z<i>, time as tn
    obs_printer = KernelPrinter({**printer._names, **{s: f"z{i}" for i, s in enumerate(sym.y)},
                                 sym.t: "tn"}, "FK")
    obs_assign, obs_outs = _body(obs, obs_printer, "", prefix="_o")
    lines = [_DECORATOR, "def euler_block(t0, dt, q_start, n_steps, Y, P, Q, red, RMIN, RMAX, "
                         "RSUM, PU, QU, FK, red_obs):",
             "    m = Y.shape[1]",
             "    for k in range(n_steps):",
             "        t = t0 + (q_start + k) * dt"]
    # the states' minima and maxima: folded into the step for one or two states; for more,
    # the stores to the rows of Y, RMIN and RMAX need more run-time overlap checks than
    # LLVM allows and the step loop would not vectorise, so they get a pass of their own
    fold = n <= 2
    for branch, minmax in ((("if red & 3 == 0:", False), ("else:", True)) if fold
                           else (("", False),)):
        pad = "    " if branch else ""
        if branch:
            lines.append(f"        {branch}")
        lines.append(f"        {pad}for b in range(m):")
        lines += [pad + line for line in loads + assign]
        lines += [f"{pad}{ind}z{i} = y{i} + dt * ({text})" for i, text in enumerate(outs)]
        for i in range(n):
            lines.append(f"{pad}{ind}Y[{i}, b] = z{i}")
            if minmax:
                lines.append(f"{pad}{ind}RMIN[{i}, b] = min(RMIN[{i}, b], z{i})")
                lines.append(f"{pad}{ind}RMAX[{i}, b] = max(RMAX[{i}, b], z{i})")
    if not fold:
        lines += ["        if red & 3:",
                  f"            for i in range({n}):",
                  "                for b in range(m):",
                  "                    RMIN[i, b] = min(RMIN[i, b], Y[i, b])",
                  "                    RMAX[i, b] = max(RMAX[i, b], Y[i, b])"]
    lines += ["        if red & 4:",
              f"            for i in range({n}):",
              "                for b in range(m):",
              "                    RSUM[i, b] += Y[i, b]"]
    if obs:
        # the observables at the new state in one pass (their joint CSE, as in
        # observables_block, so the same bits)
        free = set().union(*(sp.sympify(e).free_symbols for e in obs))
        names = {printer._names.get(s) for s in free}
        lines += ["        if red_obs and red & 3:",
                  "            tn = t0 + (q_start + k + 1) * dt",
                  "            for b in range(m):"]
        lines += [f"{ind2}z{i} = Y[{i}, b]" for i, s in enumerate(sym.y) if s in free]
        lines += [f"{ind2}{line.strip()}" for line in loads[n:]
                  if line.split(" = ")[0].strip() in names]
        lines += [f"{ind2}{line.strip()}" for line in obs_assign]
        for j, text in enumerate(obs_outs):
            lines += [f"{ind2}o{j} = {text}",
                      f"{ind2}RMIN[{n + j}, b] = min(RMIN[{n + j}, b], o{j})",
                      f"{ind2}RMAX[{n + j}, b] = max(RMAX[{n + j}, b], o{j})"]
    return "\n".join(lines) + "\n"


def _derived_kernel(derived, sym):
    """``derived_block(P, Q)``: the hoisted parameter terms of every row."""
    names = {s: f"p{i}" for i, s in enumerate((*sym.p, *sym.u))}
    printer = KernelPrinter(names)
    ind = "        "
    lines = [_DECORATOR, "def derived_block(P, Q):"]
    if not derived:
        return "\n".join(lines + ["    return None"]) + "\n"
    lines.append("    for b in range(P.shape[1]):")
    used = set().union(*(e.free_symbols for e in derived))
    lines += [f"{ind}p{i} = P[{i}, b]" for i, s in enumerate(sym.p) if s in used]
    assign, outs = _body(derived, printer, ind)
    lines += assign
    lines += [f"{ind}Q[{k}, b] = {text}" for k, text in enumerate(outs)]
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def kernel_source(model) -> str:
    """Full source text of a model's kernel module.

    Kernels: ``rhs``, ``jac`` (n x n), ``jac_p`` (n x n_params), ``jac_diag``,
    ``observables``, ``d2(t, y, p, u, v, out)`` = B(u, v) and
    ``d3(t, y, p, u, v, w, out)`` = C(u, v, w) (the second and third derivative
    multilinear forms, exact) in scalar form; ``rhs_block``, ``jac_diag_block``,
    ``observables_block`` in block form, and ``euler_block`` (a fused Euler step of
    a block, see :func:`_euler_kernel`).
    """
    sym = model.symbolic
    n, n_p = len(sym.y), len(sym.p)
    rhs = list(sym.rhs)
    jac = list(sym.jacobian())
    jac_p = list(sym.jacobian_params())
    diag = list(sym.diagonal_jacobian())
    obs = list(sym.observables)
    parts = [_HEADER.format(name=model.name, hash=model.structure_hash, n=n, np_=n_p,
                            ni=len(sym.u), no=len(obs))]
    parts.append(_scalar_kernel("rhs", rhs, sym, None))
    parts.append(_scalar_kernel("jac", jac, sym, n))
    parts.append(_scalar_kernel("jac_p", jac_p, sym, max(n_p, 1)))
    parts.append(_scalar_kernel("jac_diag", diag, sym, None))
    parts.append(_scalar_kernel("observables", obs, sym, None))
    u = [sp.Symbol(f"_u{i}", real=True) for i in range(n)]
    v = [sp.Symbol(f"_v{i}", real=True) for i in range(n)]
    w = [sp.Symbol(f"_w{i}", real=True) for i in range(n)]
    d2 = list(sym.second_derivative(u, v))
    parts.append(_scalar_kernel("d2", d2, sym, None, [("u", u), ("v", v)]))
    d3 = [sum(sp.diff(d2[i], sym.y[k]) * w[k] for k in range(n)) for i in range(n)]
    parts.append(_scalar_kernel("d3", d3, sym, None, [("u", u), ("v", v), ("w", w)]))
    blocks, derived = hoist_parameter_terms(rhs + diag + obs, sym.p)
    b_rhs, b_diag, b_obs = blocks[:n], blocks[n:2 * n], blocks[2 * n:]
    parts.append(f"N_DERIVED = {len(derived)}\n")
    parts.append(_derived_kernel(derived, sym))
    parts.append(_block_kernel("rhs_block", b_rhs, sym, len(derived)))
    parts.append(_block_kernel("jac_diag_block", b_diag, sym, len(derived)))
    parts.append(_block_kernel("observables_block", b_obs, sym, len(derived)))
    parts.append(_euler_kernel(b_rhs, b_obs, sym, len(derived)))
    return "\n\n".join(parts)



def derivative_source(model) -> str:
    """Source text of the higher-derivative kernels of a model (two-parameter continuation).

    Kernels, exact from the symbolic right-hand side: ``d2p(t, y, p, v, out)``
    with ``out[i, k] = sum_j d2 f_i / dy_j dp_k v_j`` (n x n_params: the
    parameter derivative of the Jacobian applied to ``v``), and the fourth and
    fifth derivative forms ``d4(t, y, p, u, v, w, s, out)`` = D(u, v, w, s) and
    ``d5(t, y, p, u, v, w, s, r, out)`` = E(u, v, w, s, r) used by the
    normal forms of codimension-two points. Kept out of :func:`kernel_source`
    so that models never continued in two parameters do not pay for them.
    """
    sym = model.symbolic
    n, n_p = len(sym.y), len(sym.p)
    vecs = {c: [sp.Symbol(f"_{c}{i}", real=True) for i in range(n)] for c in "uvwsr"}
    parts = [_HEADER.format(name=model.name, hash=model.structure_hash, n=n, np_=n_p,
                            ni=len(sym.u), no=len(sym.observables))]
    jac = sym.jacobian()
    v = vecs["v"]
    jv = [sum(jac[i, j] * v[j] for j in range(n)) for i in range(n)]
    d2p = [sp.diff(jv[i], sym.p[k]) for i in range(n) for k in range(n_p)] if n_p else \
        [sp.Integer(0)] * n
    parts.append(_scalar_kernel("d2p", d2p, sym, max(n_p, 1), [("v", v)]))
    forms = list(sym.third_derivative(vecs["u"], vecs["v"], vecs["w"]))
    args = [("u", vecs["u"]), ("v", vecs["v"]), ("w", vecs["w"])]
    for name, c in (("d4", "s"), ("d5", "r")):
        forms = [sum(sp.diff(forms[i], sym.y[k]) * vecs[c][k] for k in range(n))
                 for i in range(n)]
        args.append((c, vecs[c]))
        parts.append(_scalar_kernel(name, forms, sym, None, list(args)))
    return "\n\n".join(parts)
