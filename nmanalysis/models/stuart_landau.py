"""Stuart-Landau oscillator: the normal form of a Hopf bifurcation.

In the complex amplitude ``z = x + i y``: ``dz/dt = (mu + i omega) z -
(1 + i b) |z|^2 z``, i.e.::

    dx/dt = mu x - omega y - (x^2 + y^2) (x - b y)
    dy/dt = omega x + mu y - (x^2 + y^2) (b x + y)

For ``mu < 0`` the origin is a stable focus; at ``mu = 0`` it loses stability
in a supercritical Hopf bifurcation, and for ``mu > 0`` every trajectory except
the origin approaches the circle of radius ``sqrt(mu)``, travelled with
angular frequency ``omega - b mu`` (``b`` is the shear, or nonisochronicity:
the amplitude dependence of the frequency). Time is dimensionless.

Defaults (mu = 1, omega = 1, b = 0): a limit cycle of radius 1 and period
2 pi, started from (0.1, 0).
"""

from ..model import Model

DESCRIPTION = "Stuart-Landau oscillator (Hopf normal form; 2 states)"
REFERENCE = ("Kuramoto, Chemical Oscillations, Waves, and Turbulence (Springer 1984); "
             "Kuznetsov, Elements of Applied Bifurcation Theory, sec. 3.5")
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    one = {"units": "1"}
    return Model(
        name="stuart_landau",
        states={
            "x": {"value": 0.1, "bounds": (-3.0, 3.0), **one, "description": "Re z"},
            "y": {"value": 0.0, "bounds": (-3.0, 3.0), **one, "description": "Im z"},
        },
        params={
            "mu": {"value": 1.0, "range": (-1.0, 2.0), **one,
                   "description": "bifurcation parameter (growth rate; Hopf at 0)"},
            "omega": {"value": 1.0, "range": (0.1, 10.0), **one,
                      "description": "angular frequency at the bifurcation (rad per time unit)"},
            "b": {"value": 0.0, "range": (-2.0, 2.0), **one,
                  "description": "shear: frequency change with squared amplitude"},
        },
        equations={
            "x": "mu*x - omega*y - (x^2 + y^2)*(x - b*y)",
            "y": "omega*x + mu*y - (x^2 + y^2)*(b*x + y)",
        },
        description=DESCRIPTION, reference=REFERENCE, time_units="1",
    )
