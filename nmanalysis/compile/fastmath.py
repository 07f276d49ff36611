"""Branch-free, SIMD-vectorisable elementary functions for numba kernels.

The pip llvmlite has no vector math library, so ``np.exp`` in a numba loop
stays a scalar libm call and blocks vectorisation.  These functions use only
arithmetic, ``min``/``max``, selects, ``fabs``, ``llvm.fmuladd``, integer
shifts and bit operations, so ``for b in range(n): out[b] = fexp(x[b])``
vectorises (AVX2: ``<4 x double>``).  All compute in float64 (float32/int
arguments are promoted) and treat ``+-0``, ``+-inf`` and NaN like numpy.

``exp``: ``x`` is clamped to [-750, 720] with ``min``/``max`` (NaN passes
through), Cody-Waite reduction ``x = k ln2 + r``, ``|r| <= ln2/2`` (``k`` by
the ``1.5 * 2**52`` shift trick), ``expm1(r) ~ r + r**2 q(r)`` with ``q`` of
degree 9 from a minimax (Remez) fit -- two degrees fewer than Taylor for the
same error, 5.8e-18 -- evaluated as pairs ``c_j + c_{j+1} r`` combined by
Horner in ``r**2`` (9 FMAs, dependency chain 5 instead of 11), and
``exp(x) = (2**k1 (1 + p)) * 2**k2`` with both powers of two cut from the
bits of ``k + shift`` by integer shifts: ``2**k1 (1 + p)`` rounds once, the
last product is exact unless it over- or underflows, so ``inf``, subnormals,
0 and NaN come out of the arithmetic without selects.  ``sigmoid`` uses the
same code for ``exp(-|x|)`` scaled by ``2**64`` (as ``-|x| <= 0``, one
power of two ``2**(k + 64)`` is always normal) and divides ``2**64 e`` or
``2**64`` by ``2**64 (1 + e)``: the bits of ``(e or 1) / (1 + e)`` with
``e = fexp(-|x|)``, three operations fewer, and one rounding instead of two
where ``e`` is subnormal; ``expm1`` and ``phi1`` form ``2**k (1 + p) - 1``
with one rounding (a special case for ``k = 1, r < -1/4``, where it
cancels); ``tanh`` is ``m / (m + 2)`` with ``m = expm1(2|x|)`` from its own
polynomial on an offset range, one power of two and no special case.
An ``exp`` costs 23 vector instructions per 4 results (16 of them FMAs or
multiplies), about 1.1 ns per element in a serial loop on a 2.4 GHz Zen 3.

They are plain ``@njit`` functions, not ``inline="always"``: each is compiled
with its own flags and LLVM inlines it into the caller's loop.  numba-IR
inlining would lower the body with the *caller's* flags: ``fastmath=True``
then folds the NaN tests away (``ftanh(nan) == 1``) and the default python
error model adds division checks that stop vectorisation.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["CONSTANTS", "FUNCTIONS", "FUNCTIONS_K", "fexp", "fexp_k", "fexpm1", "fexpm1_k",
           "fheaviside", "fphi1", "fphi1_k", "fsigmoid", "fsigmoid_k", "ftanh", "ftanh_k"]

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
    """Reinterpret the bits of a float64 (other numbers are converted first) as an int64."""
    if not isinstance(x, (types.Float, types.Integer)):
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
_SHIFT = 6755399441055744.0 + 2046.0  # 1.5*2**52 + 2*1023: x/ln2 + _SHIFT rounds to _SHIFT + k
_SHIFT1 = 6755399441055744.0 + 1023.0  # the same for a single power of two (tanh)
# sigmoid needs exp(x) for x in [-750, 0] only: one power of two 2**(k + 64) is normal there,
# and 2**(k + 64) (1 + p) rounds like fexp's 2**k1 (1 + p)
_SHIFT_SIG = 6755399441055744.0 + 1023.0 + 64.0
_TWO_64 = 2.0 ** 64
_INV = 2046 << 52  # bits(2.0**-n) = _INV - bits(2.0**n)
_SIGN = -(1 << 63)  # sign bit as int64
_X_CLAMP_HI = 720.0  # clamps keep k in [-1082, 1039], so 2**k1 and 2**k2 are normal
_X_CLAMP_LO = -750.0
# expm1(r) ~ r + r**2 (_C2 + _C3 r + ... + _C11 r**9): minimax (Remez, mpmath) fit of the error
# relative to exp(r) on |r| <= ln2/2 with _C2 = 1/2 fixed; 5.8e-18 with the coefficients rounded
# to doubles (degree-13 Taylor: 5.9e-18)
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11 = (
    0.5, 0.16666666666666433, 0.041666666666603985, 0.00833333333349994, 0.0013888888926782631,
    0.00019841269466389723, 2.480150870122751e-05, 2.755764076017193e-06, 2.7625178847778675e-07,
    2.4978396869216794e-08)
# tanh rounds k = rint(x/ln2 - _OFF) instead, r in [-0.2496, 0.4437]: the same fit there (6.1e-18)
_OFF = 0.14
_D2, _D3, _D4, _D5, _D6, _D7, _D8, _D9, _D10, _D11 = (
    0.5, 0.16666666666666768, 0.041666666666741965, 0.008333333333160501, 0.001388888884139648,
    0.0001984127104243311, 2.4801678152611603e-05, 2.7554330257935163e-06, 2.751513257332757e-07,
    2.7405942420437286e-08)

# Every floating-point constant of the functions, in one array K; each function is written once,
# as ``f*_k(x, K)``. The plain ``f*(x)`` pass the frozen module copy (LLVM folds its entries to
# immediates); the fused batch kernels pass a run-time array instead, which LLVM keeps in memory
# and reads with the instruction that uses each entry (an FMA's broadcast operand), where a
# constant rebuilt from the constant pool costs two instructions each time registers run short.
_NAMES = ("LOG2E", "LN2_HI", "LN2_LO", "SHIFT", "SHIFT1", "SHIFT_SIG", "TWO_64", "X_CLAMP_HI",
          "X_CLAMP_LO", "OFF", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11",
          "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10", "D11")
CONSTANTS = np.array([globals()["_" + name] for name in _NAMES], dtype=np.float64)
CONSTANTS.setflags(write=False)
(_LOG2E_K, _LN2_HI_K, _LN2_LO_K, _SHIFT_K, _SHIFT1_K, _SHIFT_SIG_K, _TWO_64_K, _X_CLAMP_HI_K,
 _X_CLAMP_LO_K, _OFF_K, _C2_K, _C3_K, _C4_K, _C5_K, _C6_K, _C7_K, _C8_K, _C9_K, _C10_K, _C11_K,
 _D2_K, _D3_K, _D4_K, _D5_K, _D6_K, _D7_K, _D8_K, _D9_K, _D10_K, _D11_K) = range(len(_NAMES))
_K = CONSTANTS


@_jit
def _clamp(x, K):
    """``x`` clamped to ``[_X_CLAMP_LO, _X_CLAMP_HI]`` by ``min``/``max``; NaN stays NaN."""
    return max(min(x, K[_X_CLAMP_HI_K]), K[_X_CLAMP_LO_K])  # min(x, c) is "c if c < x else x"


@_jit
def _reduce(x, shift, K):
    """``(kb, k, r)``: ``x = k ln2 + r`` with ``|r| <= ln2/2`` and ``kb = shift + k``."""
    kb = _fmuladd(x, K[_LOG2E_K], shift)  # the sum rounds x/ln2 to an integer
    k = kb - shift
    return kb, k, _fmuladd(-k, K[_LN2_LO_K], _fmuladd(-k, K[_LN2_HI_K], x))  # the inner FMA is exact


@_jit
def _reduce_off(x, shift, K):
    """``_reduce`` with ``k = rint(x/ln2 - _OFF)``, so ``r`` is in ``[-0.2496, 0.4437]``."""
    kb = _fmuladd(x, K[_LOG2E_K], -K[_OFF_K]) + shift
    k = kb - shift
    return kb, k, _fmuladd(-k, K[_LN2_LO_K], _fmuladd(-k, K[_LN2_HI_K], x))


@_jit
def _poly(r, K):
    """``(r*r, q)`` with ``expm1(r) = r + r*r*q`` for ``|r| <= ln2/2``.

    Pairs ``c_j + c_{j+1} r`` combined by Horner in ``r*r``: 9 FMAs, a
    dependency chain of 5.
    """
    r2 = r * r
    q = _fmuladd(K[_C11_K], r, K[_C10_K])
    q = _fmuladd(q, r2, _fmuladd(K[_C9_K], r, K[_C8_K]))
    q = _fmuladd(q, r2, _fmuladd(K[_C7_K], r, K[_C6_K]))
    q = _fmuladd(q, r2, _fmuladd(K[_C5_K], r, K[_C4_K]))
    return r2, _fmuladd(q, r2, _fmuladd(K[_C3_K], r, K[_C2_K]))


@_jit
def _poly_off(r, K):
    """``_poly`` for ``r`` in ``[-0.2496, 0.4437]`` (``_reduce_off``)."""
    r2 = r * r
    q = _fmuladd(K[_D11_K], r, K[_D10_K])
    q = _fmuladd(q, r2, _fmuladd(K[_D9_K], r, K[_D8_K]))
    q = _fmuladd(q, r2, _fmuladd(K[_D7_K], r, K[_D6_K]))
    q = _fmuladd(q, r2, _fmuladd(K[_D5_K], r, K[_D4_K]))
    return r2, _fmuladd(q, r2, _fmuladd(K[_D3_K], r, K[_D2_K]))


@_jit
def _scales(kb):
    """``(2**k1, 2**k2)``, ``k1 = floor(k/2)``, ``k2 = k - k1``, from the bits of ``kb = _SHIFT + k``."""
    i = _f64_as_i64(kb)  # low 12 bits: k + 2046
    h = i >> 1  # low 12 bits: k1 + 1023; << 52 shifts all higher bits out
    return _i64_as_f64(h << 52), _i64_as_f64((i - h) << 52)


@_jit
def _expm1_parts(x, K):
    """``(m, s2, k, q)``: ``expm1(x) = m * s2`` for every non-NaN ``x``, with
    ``m`` rounded once and the product exact unless it overflows; if ``k == 0``,
    ``expm1(x) = x + x*x*q``."""
    xc = _clamp(x, K)
    kb, k, r = _reduce(xc, K[_SHIFT_K], K)
    r2, q = _poly(r, K)
    s1, s2 = _scales(kb)
    c = _i64_as_f64(_INV - _f64_as_i64(s2))  # 1 / s2
    m = _fmuladd(_fmuladd(r2, q, r), s1, s1 - c)  # (2**k (1 + p) - 1) / s2
    # k = 1, r < -1/4: m = 1/2 + p cancels to 0.21..0.28, and the rounding errors
    # of p and r would cost up to 2 ulp; 1/2 + r is exact, so add r*r*q and the
    # rounding error of r to it and round once
    dr = _fmuladd(-k, K[_LN2_LO_K], _fmuladd(-k, K[_LN2_HI_K], xc) - r)
    m1 = (r + 0.5) + _fmuladd(r2, q, dr)
    return (m1 if (k == 1.0) & (r < -0.25) else m), s2, k, q


@_jit
def fexp_k(x, K):
    """``fexp`` with the constants ``K`` (:data:`CONSTANTS`) passed in."""
    kb, _, r = _reduce(_clamp(x, K), K[_SHIFT_K], K)
    r2, q = _poly(r, K)
    s1, s2 = _scales(kb)
    # 2**k1 (1 + p) rounds once; * 2**k2 is exact unless the result is subnormal or overflows
    return _fmuladd(_fmuladd(r2, q, r), s1, s1) * s2


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
        ``exp(x)`` within 1 ulp (relative error <= 2.3e-16, ~91 %
        correctly rounded); ``inf`` above 709.782712893384, subnormal
        results within 1 ulp, 0 from -745.1332191019412 down, NaN for NaN.
    """
    return fexp_k(x, _K)


@_jit
def fexpm1_k(x, K):
    """``fexpm1`` with the constants ``K`` (:data:`CONSTANTS`) passed in."""
    m, s2, _, _ = _expm1_parts(x, K)
    return x if x == 0.0 else m * s2  # keeps the sign of -0.0


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
        ``expm1(x)`` within 1 ulp (relative error <= 2.3e-16, ~94 %
        correctly rounded); ``expm1(+-0) = +-0``, -1 at ``-inf``, ``inf``
        above 709.782712893384, NaN for NaN.
    """
    return fexpm1_k(x, _K)


@_jit
def fphi1_k(z, K):
    """``fphi1`` with the constants ``K`` (:data:`CONSTANTS`) passed in."""
    m, s2, k, q = _expm1_parts(z, K)
    y = m / min(z, K[_X_CLAMP_HI_K]) * s2  # divide before the last scaling; phi_1(inf) = inf
    return _fmuladd(z, q, 1.0) if k == 0.0 else y


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
        ``phi_1(z)`` within 2 ulp (relative error <= 3e-16; ``1 + z q(z)``
        for ``|z| <= ln2/2``); finite up to its true overflow near 716.4;
        ``phi_1(-inf) = 0``, ``phi_1(inf) = inf``, NaN for NaN.
    """
    return fphi1_k(z, _K)


@_jit
def fsigmoid_k(x, K):
    """``fsigmoid`` with the constants ``K`` (:data:`CONSTANTS`) passed in."""
    kb, _, r = _reduce(max(-abs(x), K[_X_CLAMP_LO_K]), K[_SHIFT_SIG_K], K)  # NaN stays NaN
    r2, q = _poly(r, K)
    s = _i64_as_f64(_f64_as_i64(kb) << 52)  # 2**(k + 64), normal for k in [-1082, 0]
    e = _fmuladd(_fmuladd(r2, q, r), s, s)  # exp(-|x|) * 2**64, rounded once
    # (e or 1) / (1 + e) scaled by 2**64 above and below: the same bits while exp(-|x|) is
    # normal, and one rounding instead of two where it is subnormal
    return (e if _f64_as_i64(x) < 0 else K[_TWO_64_K]) / (K[_TWO_64_K] + e)  # sign bit: one blend


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
    return fsigmoid_k(x, _K)


@_jit
def ftanh_k(x, K):
    """``ftanh`` with the constants ``K`` (:data:`CONSTANTS`) passed in."""
    t = min(2.0 * abs(x), 44.0)  # tanh(22) rounds to 1; NaN stays NaN
    kb, _, r = _reduce_off(t, K[_SHIFT1_K], K)
    r2, q = _poly_off(r, K)
    s = _i64_as_f64(_f64_as_i64(kb) << 52)  # 2**k, k in [0, 63]
    m = _fmuladd(s, _fmuladd(r2, q, r), s - 1.0)
    y = m / (m + 2.0)  # >= +0 or NaN: copysign is an or
    return _i64_as_f64(_f64_as_i64(y) | (_f64_as_i64(x) & _SIGN))


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
        ``tanh(x)`` within 2 ulp (relative error <= 3.2e-16; ~80 %
        correctly rounded), ``tanh(x) = x`` for tiny ``x`` including
        ``+-0``; ``+-1`` for ``|x| > 19.1`` and at ``+-inf``, NaN for NaN.
    """
    return ftanh_k(x, _K)


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

#: name -> function taking the constants as a second argument (``f(x, K)``), for the fused
#: batch kernels
FUNCTIONS_K = {
    "exp": fexp_k,
    "expm1": fexpm1_k,
    "sigmoid": fsigmoid_k,
    "tanh": ftanh_k,
    "phi1": fphi1_k,
}
