"""What to continue (problem), how (algorithm) and within which limits (options)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ..._checks import check_names
from ...errors import OptionsError

__all__ = ["ContinuationProblem", "ContinuationOptions", "PseudoArclength", "check_steps",
           "check_fixed_values",
           "check_free_parameter"]


class ContinuationProblem:
    """Equilibria ``f(x, p) = 0`` of a model as one parameter ``p`` varies.

    Parameters
    ----------
    model : Model
    param : str
        The free parameter.
    params : dict, optional
        Values of the other parameters (model defaults otherwise).
    inputs : dict, optional
        Constant values of the model's inputs.

    The compiled kernels give f, its Jacobians in x and p, and the exact
    second and third derivative forms used by the normal forms.

    The continuation engine asks a problem only for ``model`` (names),
    ``param``, ``n``, ``fixed``, ``f``, ``jac``, ``jac_p``, ``B``, ``C``,
    ``state_widths`` and ``search_box``; any object with these can be
    continued, e.g. the network problem of
    :mod:`nmanalysis.analysis.continuation.network`, assembled numerically.
    """

    def __init__(self, model, param, params=None, inputs=None):
        from ...compile import compile_model

        check_free_parameter(model, param, "continuation of equilibria")
        params, inputs = check_fixed_values(model, params, inputs)
        self.model, self.param = model, param
        self.system = compile_model(model)
        self.n = model.n_states
        self.ip = model.param_names.index(param)
        self.pvec = self.system.parameter_vector(params, inputs,
                                                 {**model.params, **model.inputs})
        self.fixed = {k: float(self.pvec[i]) for i, k in enumerate(model.param_names)
                      if k != param}
        self._buf = np.empty(self.n)
        self._jac = np.empty((self.n, self.n))
        self._jp = np.empty((self.n, len(model.param_names) or 1))

    def state_widths(self, bounds=None):
        """Widths of the states that scale the continuation steps (see
        :func:`~nmanalysis.analysis.scales.state_widths`)."""
        from ..scales import state_widths

        return state_widths(self.model, bounds)

    def search_box(self, bounds=None):
        """(low, high) arrays of the box searched for starting equilibria (see
        :func:`~nmanalysis.analysis.scales.search_box`)."""
        from ..scales import search_box

        return search_box(self.model, bounds)

    def _p(self, p):
        v = self.pvec.copy()
        v[self.ip] = p
        return v

    def f(self, x, p):
        out = np.empty(self.n)
        self.system.rhs(0.0, np.ascontiguousarray(x, float), self._p(p), out)
        return out

    def jac(self, x, p):
        out = np.empty((self.n, self.n))
        self.system.jac(0.0, np.ascontiguousarray(x, float), self._p(p), out)
        return out

    def jac_p(self, x, p):
        self.system.jac_p(0.0, np.ascontiguousarray(x, float), self._p(p), self._jp)
        return self._jp[:, self.ip].copy()

    def d2(self, x, p, u, v):
        out = np.empty(self.n)
        self.system.d2(0.0, np.ascontiguousarray(x, float), self._p(p),
                       np.ascontiguousarray(u, float), np.ascontiguousarray(v, float), out)
        return out

    def d3(self, x, p, u, v, w):
        out = np.empty(self.n)
        self.system.d3(0.0, np.ascontiguousarray(x, float), self._p(p),
                       np.ascontiguousarray(u, float), np.ascontiguousarray(v, float),
                       np.ascontiguousarray(w, float), out)
        return out

    def B(self, x, p, u, v):
        """Complex bilinear form B(u, v) from the real kernel (multilinearity)."""
        u, v = np.asarray(u, complex), np.asarray(v, complex)
        ur, ui, vr, vi = u.real, u.imag, v.real, v.imag
        re = self.d2(x, p, ur, vr) - self.d2(x, p, ui, vi)
        im = self.d2(x, p, ur, vi) + self.d2(x, p, ui, vr)
        return re + 1j * im

    def C(self, x, p, u, v, w):
        """Complex trilinear form C(u, v, w) from the real kernel."""
        parts = [(np.asarray(a, complex).real, np.asarray(a, complex).imag) for a in (u, v, w)]
        out = np.zeros(self.n, complex)
        for a in range(2):
            for b in range(2):
                for c in range(2):
                    coef = (1j) ** (a + b + c)
                    out += coef * self.d3(x, p, parts[0][a], parts[1][b], parts[2][c])
        return out


@dataclass(frozen=True)
class ContinuationOptions:
    """Limits and tolerances of a continuation run.

    Attributes
    ----------
    p_range : (float, float)
        The branch stops when the free parameter leaves this interval.
    ds, ds_min, ds_max : float
        Initial, smallest and largest arclength step (in the scaled (x, p) space).
    max_points : int
        Points per direction from the start.
    tol : float
        Newton tolerance on ``max|f|`` and on the correction.
    max_newton : int
        Corrector iterations before a step counts as failed (and is halved).
    locate_tol : float
        Special points are located until the arclength bracket is below this.
    detect : bool
        Detect and locate LP, HB and BP points.
    state_bounds : dict
        State -> (low, high); the branch stops when it leaves the box.
    robust_switch : bool
        At a branch point located so sharply that its computed tangent is
        unreliable (the bordered matrix is singular there, and the tangent may
        be any vector of the two-dimensional null space), take the branch's
        own direction from its chord through the point before stepping onto
        the crossing branch. Finds crossing branches that are otherwise
        missed (e.g. at the symmetry-breaking branch points of networks of
        identical nodes). Default True; False trusts the computed tangent
        (the behaviour of earlier versions).
    """

    p_range: tuple = (0.0, 1.0)
    ds: float = 0.01
    ds_min: float = 1e-8
    ds_max: float = 0.02
    max_points: int = 2000
    tol: float = 1e-11
    max_newton: int = 8
    locate_tol: float = 1e-12
    detect: bool = True
    state_bounds: dict = field(default_factory=dict)
    robust_switch: bool = True

    def __post_init__(self):
        try:
            lo, hi = (float(v) for v in self.p_range)
        except (TypeError, ValueError):
            raise OptionsError(f"`p_range` must be (low, high); got {self.p_range!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi
                and math.isfinite(hi - lo)):
            raise OptionsError(f"`p_range` must be finite with low < high (and a finite "
                               f"width); got {self.p_range!r}")
        object.__setattr__(self, "p_range", (lo, hi))
        check_steps(self)


def check_free_parameter(model, param, what) -> None:
    """OptionsError unless ``param`` is a parameter of an autonomous ``model`` (``what``
    names the analysis in the message)."""
    if param not in model.param_names:
        raise OptionsError(f"the free parameter must be one of {list(model.param_names)}; "
                           f"got {param!r}")
    if model.uses_time():
        raise OptionsError(f"model {model.name!r} depends on time `t`; {what} needs an "
                           "autonomous model")


def check_fixed_values(model, params, inputs) -> tuple[dict, dict]:
    """``params`` and ``inputs`` checked by name, each a single number (continuation
    holds everything but its free parameters fixed)."""
    params = check_names(params, model.param_names, "params")
    inputs = check_names(inputs, model.input_names, "inputs")
    for k, v in {**params, **inputs}.items():
        if np.ndim(v) != 0:
            raise OptionsError(f"`{k}` must be a single number for continuation")
    return params, inputs


def check_steps(opts, what="steps") -> None:
    """OptionsError unless ``opts`` has 0 < ds_min <= ds <= ds_max, max_points >= 2, tol > 0."""
    if not (0 < opts.ds_min <= opts.ds <= opts.ds_max):
        raise OptionsError(f"{what} must satisfy 0 < ds_min <= ds <= ds_max; got "
                           f"ds_min={opts.ds_min}, ds={opts.ds}, ds_max={opts.ds_max}")
    if not (isinstance(opts.max_points, numbers.Integral) and opts.max_points >= 2):
        raise OptionsError(f"`max_points` must be a whole number >= 2; got {opts.max_points!r}")
    if not opts.tol > 0:
        raise OptionsError(f"`tol` must be positive; got {opts.tol}")


@dataclass(frozen=True)
class PseudoArclength:
    """Keller's pseudo-arclength method: tangent predictor, bordered Newton corrector.

    The step grows by ``grow`` after a corrector that needed at most
    ``easy_iterations`` iterations and halves after a failure, or when the
    tangent turned by more than ``max_angle`` (radians) or the corrector moved
    more than half a step (guards against jumping between nearby branches).
    """

    grow: float = 1.5
    easy_iterations: int = 3
    max_angle: float = 0.2
