"""Van der Pol oscillator: the classic relaxation oscillator.

``x'' - mu (1 - x^2) x' + x = 0`` as a first-order system::

    dx/dt = y
    dy/dt = mu (1 - x^2) y - x

For every ``mu > 0`` the origin is unstable and a unique, stable limit cycle
attracts all other trajectories. For small ``mu`` it is nearly a circle of
radius 2 with period ``2 pi (1 + mu^2/16 + O(mu^4))``; for large ``mu`` it is a
relaxation oscillation with period ``(3 - 2 ln 2) mu + O(mu^(-1/3))``. For
``mu < 0`` the time-reversed picture holds (stable origin, unstable cycle);
``mu = 0`` is the harmonic oscillator. Time is dimensionless.

Defaults (mu = 1): limit cycle of amplitude ~2.01 and period 6.6633, started
from (0.5, 0).
"""

from ..model import Model

DESCRIPTION = "Van der Pol relaxation oscillator (2 states)"
REFERENCE = "van der Pol, Phil. Mag. 2:978 (1926); Strogatz, Nonlinear Dynamics and Chaos, 7.5-7.6"
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    return Model(
        name="van_der_pol",
        states={
            "x": {"value": 0.5, "bounds": (-3.0, 3.0), "units": "1",
                  "description": "position (oscillating variable)"},
            "y": {"value": 0.0, "bounds": (-10.0, 10.0), "units": "1",
                  "description": "velocity dx/dt"},
        },
        params={
            "mu": {"value": 1.0, "range": (-1.0, 10.0), "units": "1",
                   "description": "nonlinear damping (relaxation for mu >> 1)"},
        },
        equations={"x": "y", "y": "mu*(1 - x^2)*y - x"},
        description=DESCRIPTION, reference=REFERENCE, time_units="1",
    )
