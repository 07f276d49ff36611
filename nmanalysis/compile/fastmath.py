"""Branch-free, SIMD-vectorisable scalar elementary functions for numba kernels.

The llvmlite wheels ship no vector math library, so ``np.exp`` inside a numba
loop stays a scalar libm call and blocks SIMD vectorisation of the loop.  The
functions here use only arithmetic, comparisons feeding selects, ``floor``,
``fabs``, ``copysign``, ``fmuladd`` and bit casts, all of which LLVM maps to
vector instructions, so a loop ``for b in range(n): out[b] = fexp(x[b])``
vectorises.

``exp`` uses a Cody-Waite reduction ``x = k ln2 + r`` with ``|r| <= ln2/2``,
a degree-13 Taylor polynomial for ``expm1(r)`` and a two-step scaling by
``2**k`` (so subnormal results round once).  The other functions are built
on the same core.  Every function computes in float64 (float32 and integer
arguments are promoted) and handles ``+-0``, ``+-inf`` and NaN like numpy.

The functions are plain ``@njit`` functions (not ``inline="always"``): numba
compiles each one once with its own flags (``error_model="numpy"``, no fast
math) and LLVM inlines the tiny body into the caller's loop, where it
vectorises.  Inlining at the numba-IR level instead would lower the body with
the *caller's* flags, so a caller with ``fastmath=True`` would fold the NaN
tests away and a caller with the default python error model would add
branches (division checks) that stop vectorisation.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["FUNCTIONS", "fexp", "fexpm1", "fheaviside", "fphi1", "fsigmoid", "ftanh"]

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@intrinsic
def _i64_as_f64(typingctx, i):
    """Reinterpret the bits of an int64 as a float64 (LLVM ``bitcast``)."""
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.int64)
        return builder.bitcast(v, ir.DoubleType())

    return types.float64(i), codegen


@intrinsic
def _f64_as_i64(typingctx, x):
    """Reinterpret the bits of a float64 as an int64 (LLVM ``bitcast``)."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return builder.bitcast(v, ir.IntType(64))

    return types.int64(x), codegen


@intrinsic
def _fmuladd(typingctx, a, b, c):
    """``a*b + c`` via ``llvm.fmuladd``: one FMA where the CPU has it."""
    if not all(isinstance(t, (types.Float, types.Integer)) for t in (a, b, c)):
        return None

    def codegen(context, builder, sig, args):
        f64 = ir.DoubleType()
        vals = [context.cast(builder, v, t, types.float64) for v, t in zip(args, sig.args)]
        fn = builder.module.declare_intrinsic("llvm.fmuladd", [f64], ir.FunctionType(f64, [f64] * 3))
        return builder.call(fn, vals)

    return types.float64(a, b, c), codegen


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42fee00000: k*_LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_SHIFT = 6755399441055744.0 + 1023.0  # 1.5 * 2**52 + exponent bias
_X_MAX = 709.782712893384  # log(DBL_MAX): exp overflows above
_X_CLAMP_HI = 720.0  # clamps keep 2**k1 and 2**k2 representable
_X_CLAMP_LO = -750.0
# Taylor coefficients 1/n! of expm1, n = 2..13 (truncation error < 5e-18 on |r| <= ln2/2)
(_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13) = (
    1.0 / math.factorial(n) for n in range(2, 14)
)


@_jit
def _pow2(m):
    """``2.0**m`` for an integer-valued float64 ``m`` in [-1022, 1023], from the bits."""
    # m + 1.5*2**52 + 1023 has (m + 1023) in its low mantissa bits; << 52 moves
    # them into the exponent field and shifts everything else out.
    return _i64_as_f64(_f64_as_i64(m + _SHIFT) << 52)


@_jit
def _core(x):
    """Return ``(r, q, s1, s2)`` with ``exp(x) = (1 + r + r*r*q) * s1 * s2``.

    ``q = (expm1(r) - r) / r**2``; ``r = x`` exactly when ``|x| < 0.34``.
    ``x`` is clamped first, so NaN and infinities give finite garbage which
    the callers replace.
    """
    xc = x if x < _X_CLAMP_HI else _X_CLAMP_HI  # NaN -> _X_CLAMP_HI
    xc = xc if xc > _X_CLAMP_LO else _X_CLAMP_LO
    k = np.floor(xc * _LOG2E + 0.5)
    r = _fmuladd(-k, _LN2_HI, xc)  # exact
    r = _fmuladd(-k, _LN2_LO, r)
    q = _fmuladd(_C13, r, _C12)
    q = _fmuladd(q, r, _C11)
    q = _fmuladd(q, r, _C10)
    q = _fmuladd(q, r, _C9)
    q = _fmuladd(q, r, _C8)
    q = _fmuladd(q, r, _C7)
    q = _fmuladd(q, r, _C6)
    q = _fmuladd(q, r, _C5)
    q = _fmuladd(q, r, _C4)
    q = _fmuladd(q, r, _C3)
    q = _fmuladd(q, r, _C2)
    k1 = np.floor(0.5 * k)
    return r, q, _pow2(k1), _pow2(k - k1)


@_jit
def fexp(x):
    """Exponential, branch-free and vectorisable.

    Parameters
    ----------
    x : float
        Argument (float64; float32 and integers are promoted).

    Returns
    -------
    float
        ``exp(x)`` within about 1 ulp (max relative error vs ``numpy.exp``
        about 2.2e-16 for normal results); ``inf`` above 709.782712893384,
        correctly scaled subnormals, 0 below about -745.13, NaN for NaN.
    """
    r, q, s1, s2 = _core(x)
    y = (1.0 + _fmuladd(r * r, q, r)) * s1 * s2
    y = math.inf if x > _X_MAX else y
    return x if x != x else y


@_jit
def fexpm1(x):
    """``exp(x) - 1``, accurate near 0, branch-free and vectorisable.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``expm1(x)`` within about 1 ulp (max relative error vs
        ``numpy.expm1`` about 2.2e-16); -1 at ``-inf``, ``inf`` above
        709.782712893384, NaN for NaN, ``expm1(+-0) = +-0``.
    """
    r, q, s1, s2 = _core(x)
    p = _fmuladd(r * r, q, r)  # expm1(r)
    s = s1 * s2
    y = _fmuladd(s, p, s - 1.0)  # 2**k * expm1(r) + (2**k - 1)
    big = (1.0 + p) * s1 * s2  # exp(x): same value after rounding for x > 40
    y = big if x > 40.0 else y
    y = math.inf if x > _X_MAX else y
    y = x if x == 0.0 else y  # keeps the sign of -0.0
    return x if x != x else y


@_jit
def fphi1(z):
    """``phi_1(z) = expm1(z) / z`` with ``phi_1(0) = 1``, as in exponential Euler.

    Parameters
    ----------
    z : float
        Argument.

    Returns
    -------
    float
        ``phi_1(z)``, within about 1 ulp for ``|z| < 0.34`` (Taylor series)
        and 2 ulp elsewhere; finite up to its true overflow near 716.4;
        ``phi_1(-inf) = 0``, ``phi_1(inf) = inf``, NaN for NaN.
    """
    r, q, s1, s2 = _core(z)
    series = _fmuladd(r, q, 1.0)  # r == z here
    zs = z if z < _X_CLAMP_HI else _X_CLAMP_HI  # phi_1(inf) = inf, not inf/inf
    zs = zs if zs != 0.0 else 1.0  # no division by zero in the unused lane
    p = _fmuladd(r * r, q, r)
    s = s1 * s2
    y = _fmuladd(s, p, s - 1.0) / zs
    big = (1.0 + p) * s1 / zs * s2  # divide before the last scaling
    y = big if z > 40.0 else y
    y = series if abs(z) < 0.34 else y
    return z if z != z else y


@_jit
def fsigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, stable for all ``x``.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``expit(x)`` within about 2 ulp (max relative error vs
        ``scipy.special.expit`` about 3e-16); never overflows; 0 and 1 at
        ``-inf`` and ``inf``, NaN for NaN.
    """
    e = fexp(-abs(x))
    num = 1.0 if x >= 0.0 else e
    return num / (1.0 + e)


@_jit
def ftanh(x):
    """Hyperbolic tangent, as ``-t / (t + 2)`` with ``t = expm1(-2|x|)``.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``tanh(x)`` within about 2 ulp (max relative error vs ``numpy.tanh``
        about 3e-16), exact for tiny ``x`` and ``+-0``; ``+-1`` at ``+-inf``,
        NaN for NaN.
    """
    t = fexpm1(-2.0 * abs(x))
    return math.copysign(-t / (t + 2.0), x)


@_jit
def fheaviside(x):
    """Heaviside step with ``H(0) = 0.5``.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        0 for ``x < 0``, 0.5 for ``x == 0``, 1 for ``x > 0`` (exact), NaN for NaN.
    """
    y = 1.0 if x > 0.0 else 0.0
    y = 0.5 if x == 0.0 else y
    return x if x != x else y


#: name -> function, for the code generator
FUNCTIONS = {
    "exp": fexp,
    "expm1": fexpm1,
    "sigmoid": fsigmoid,
    "tanh": ftanh,
    "heaviside": fheaviside,
    "phi1": fphi1,
}
