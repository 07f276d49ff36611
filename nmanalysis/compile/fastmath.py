"""Branch-free, SIMD-vectorisable elementary functions for numba kernels.

The pip llvmlite has no vector math library, so ``np.exp`` in a numba loop
stays a scalar libm call and blocks vectorisation.  These functions use only
arithmetic, selects, ``floor``, ``fabs``, ``copysign``, ``llvm.fmuladd`` and
bit casts, so ``for b in range(n): out[b] = fexp(x[b])`` vectorises (AVX2:
``<4 x double>``).  ``exp`` = Cody-Waite reduction ``x = k ln2 + r``,
``|r| <= ln2/2``, degree-13 Taylor polynomial of ``expm1(r)``, scaling by
``2**k1 * 2**k2`` (subnormals round once); the others share that core.  All
compute in float64 (float32/int arguments are promoted) and treat ``+-0``,
``+-inf`` and NaN like numpy.

They are plain ``@njit`` functions, not ``inline="always"``: each is compiled
with its own flags and LLVM inlines it into the caller's loop.  numba-IR
inlining would lower the body with the *caller's* flags: ``fastmath=True``
then folds the NaN tests away (``ftanh(nan) == 1``) and the default python
error model adds division checks that stop vectorisation.
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
    """``(r, q, s1, s2)``: ``exp(x) = (1 + r + r*r*q) s1 s2``, ``r = x`` if ``|x| < 0.34``.

    ``x`` is clamped, so NaN and infinities give finite values the callers replace.
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
def _exp_parts(x):
    """Return ``(m, u, s2, q)``: ``expm1(x) = m`` for ``x <= 40`` (-1 below -40),
    ``exp(x) = u * s2`` for all non-NaN ``x`` and, for ``|x| < 0.34``,
    ``expm1(x) / x = 1 + x*q``."""
    r, q, s1, s2 = _core(x)
    p = _fmuladd(r * r, q, r)  # expm1(r)
    s = s1 * s2
    m = _fmuladd(s, p, s - 1.0)  # 2**k expm1(r) + (2**k - 1)
    # k = 1 and r < -1/4: 2r + 1 is exact, add the small part last (1 ulp, not 2)
    m1 = _fmuladd(2.0, r * r * q, _fmuladd(2.0, r, 1.0))
    m = m1 if (s == 2.0) & (r < -0.25) else m
    return m, (1.0 + p) * s1, s2, q


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
        ``exp(x)`` within 1 ulp (relative error <= 2.3e-16, ~90 %
        correctly rounded); ``inf`` above 709.782712893384, subnormal
        results within 1 ulp, 0 from -745.1332191019412 down, NaN for NaN.
    """
    _, u, s2, _ = _exp_parts(x)
    y = u * s2  # (1 + p) * 2**k1 is exact; the one rounding happens here
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
        ``expm1(x)`` within 1 ulp (relative error <= 2.3e-16, ~92 %
        correctly rounded); ``expm1(+-0) = +-0``, -1 at ``-inf``, ``inf``
        above 709.782712893384, NaN for NaN.
    """
    m, u, s2, _ = _exp_parts(x)
    y = u * s2 if x > 40.0 else m  # above 40, exp(x) - 1 rounds to exp(x)
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
        ``phi_1(z)`` within 2 ulp (relative error <= 3e-16; Taylor series
        for ``|z| < 0.34``); finite up to its true overflow near 716.4;
        ``phi_1(-inf) = 0``, ``phi_1(inf) = inf``, NaN for NaN.
    """
    m, u, s2, q = _exp_parts(z)
    zs = z if z < _X_CLAMP_HI else _X_CLAMP_HI  # phi_1(inf) = inf, not inf/inf
    zs = zs if zs != 0.0 else 1.0  # no division by zero in the unused lane
    y = u / zs * s2 if z > 40.0 else m / zs  # divide before the last scaling
    y = _fmuladd(z, q, 1.0) if abs(z) < 0.34 else y
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
        ``expit(x)`` within 2 ulp (relative error <= 4e-16); never
        overflows, keeps subnormal results (``~exp(x)`` below -708) that
        ``scipy.special.expit`` flushes to 0; 0 at ``-inf``, 1 at ``inf``, NaN
        for NaN.
    """
    e = fexp(-abs(x))
    num = 1.0 if x >= 0.0 else e
    return num / (1.0 + e)


@_jit
def ftanh(x):
    """Hyperbolic tangent, as ``m / (m + 2)`` with ``m = expm1(2|x|)``, odd.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``tanh(x)`` within 2 ulp (relative error <= 3.2e-16; ~84 %
        correctly rounded), ``tanh(x) = x`` for tiny ``x`` including
        ``+-0``; ``+-1`` for ``|x| > 22`` and at ``+-inf``, NaN for NaN.
    """
    a = abs(x)
    m = fexpm1(2.0 * a)
    y = m / (m + 2.0)
    y = 1.0 if a > 22.0 else y  # also avoids inf / inf
    return math.copysign(y, x)


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
