"""Explicit Runge-Kutta methods as data (Butcher tableaux).

A new method is a :class:`ButcherTableau` registered in :data:`TABLEAUX`;
the drivers in :mod:`nmanalysis.compile.drivers` integrate with any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import OptionsError

__all__ = ["ButcherTableau", "TABLEAUX", "get_tableau", "METHODS"]


def _arr(x, ndim):
    a = np.array(x, dtype=float)
    a.setflags(write=False)
    if a.ndim != ndim:
        raise ValueError(f"expected {ndim}-d coefficients, got shape {a.shape}")
    return a


@dataclass(frozen=True)
class ButcherTableau:
    """An explicit Runge-Kutta method.

    Attributes
    ----------
    name : str
    order : int
        Order of the propagated solution ``b``.
    A : ndarray of shape (s, s)
        Strictly lower-triangular stage matrix.
    b : ndarray of shape (s,)
        Weights of the propagated solution.
    c : ndarray of shape (s,)
        Nodes (row sums of ``A``).
    b_error : ndarray of shape (s,), optional
        ``b - b_hat`` for an embedded error estimate (adaptive methods).
    error_order : int
        Order of the embedded solution ``b_hat``.
    dense : ndarray of shape (s, d), optional
        Dense output: ``y(t + theta h) = y + h * sum_s K_s * sum_k dense[s, k] theta^(k+1)``.
    fsal : bool
        First stage of the next step equals the last stage of this one.
    """

    name: str
    order: int
    A: np.ndarray
    b: np.ndarray
    c: np.ndarray
    b_error: np.ndarray | None = None
    error_order: int = 0
    dense: np.ndarray | None = None
    fsal: bool = False
    description: str = field(default="", compare=False)

    def __post_init__(self):
        A, b, c = _arr(self.A, 2), _arr(self.b, 1), _arr(self.c, 1)
        s = b.shape[0]
        if A.shape != (s, s) or c.shape != (s,):
            raise ValueError(f"{self.name}: inconsistent tableau shapes")
        if np.any(np.triu(A) != 0):
            raise ValueError(f"{self.name}: A must be strictly lower triangular (explicit)")
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "c", c)
        if self.b_error is not None:
            object.__setattr__(self, "b_error", _arr(self.b_error, 1))
        if self.dense is not None:
            object.__setattr__(self, "dense", _arr(self.dense, 2))

    @property
    def stages(self) -> int:
        return self.b.shape[0]

    @property
    def adaptive(self) -> bool:
        return self.b_error is not None

    def hermite_dense(self) -> np.ndarray:
        """Cubic Hermite dense output for FSAL tableaux lacking their own."""
        s = self.stages
        D = np.zeros((s, 3))
        # Hermite cubic through y0, y1 = y0 + h sum_s b_s K_s with slopes f0 = K_0 and
        # f1 = K_last, written as coefficients of theta, theta^2, theta^3 per stage.
        D[:, 1] += 3 * self.b
        D[:, 2] += -2 * self.b
        D[0, 0] += 1.0
        D[0, 1] += -2.0
        D[0, 2] += 1.0
        D[-1, 1] += -1.0
        D[-1, 2] += 1.0
        return D


_EULER = ButcherTableau("euler", 1, [[0.0]], [1.0], [0.0],
                        description="forward Euler (Euler-Maruyama with noise)")
_HEUN = ButcherTableau("heun", 2, [[0, 0], [1, 0]], [0.5, 0.5], [0, 1],
                       description="Heun's method (stochastic Heun with noise)")
_RK4 = ButcherTableau("rk4", 4, [[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]],
                      [1 / 6, 1 / 3, 1 / 3, 1 / 6], [0, 0.5, 0.5, 1],
                      description="classical fourth-order Runge-Kutta")
_BS3 = ButcherTableau(
    "bs3", 3,
    [[0, 0, 0, 0], [1 / 2, 0, 0, 0], [0, 3 / 4, 0, 0], [2 / 9, 1 / 3, 4 / 9, 0]],
    [2 / 9, 1 / 3, 4 / 9, 0], [0, 1 / 2, 3 / 4, 1],
    b_error=np.array([2 / 9, 1 / 3, 4 / 9, 0]) - np.array([7 / 24, 1 / 4, 1 / 3, 1 / 8]),
    error_order=2, fsal=True, description="Bogacki-Shampine 3(2), adaptive")
_DP_A = [
    [0, 0, 0, 0, 0, 0, 0],
    [1 / 5, 0, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
]
_DP_B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]
_DP_BHAT = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40]
# Dense output of Dormand & Prince's method (Shampine 1986, as used by scipy's RK45):
# coefficients of theta, theta^2, theta^3, theta^4 for each stage.
_DP_DENSE = [
    [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0, 0, 0, 0],
    [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0, 127303824393 / 49829197408, -318862633887 / 49829197408,
     701980252875 / 199316789632],
    [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
]
_DOPRI5 = ButcherTableau("dopri5", 5, _DP_A, _DP_B, [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
                         b_error=np.array(_DP_B) - np.array(_DP_BHAT), error_order=4,
                         dense=_DP_DENSE, fsal=True,
                         description="Dormand-Prince 5(4), adaptive, 4th-order dense output")

#: registered tableaux by name
TABLEAUX: dict[str, ButcherTableau] = {t.name: t for t in (_EULER, _HEUN, _RK4, _BS3, _DOPRI5)}

#: every method name simulate() accepts (tableaux plus exponential Euler)
METHODS = (*TABLEAUX, "exp_euler")


def get_tableau(name: str) -> ButcherTableau:
    """Look up a registered tableau by name (error names the valid ones)."""
    try:
        return TABLEAUX[name]
    except (KeyError, TypeError):
        raise OptionsError(f"`method` must be one of {list(METHODS)}; got {name!r}") from None
