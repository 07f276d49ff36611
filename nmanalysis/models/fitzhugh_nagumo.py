"""FitzHugh-Nagumo: the two-variable caricature of excitable and oscillating neurons.

``dv/dt = v - v^3/3 - w + I``, ``dw/dt = (v + a - b w)/tau``. With the
defaults (a = 0.7, b = 0.8, tau = 12.5) the equilibrium loses stability in
Hopf bifurcations at I = 0.3312813 and I = 1.4187187 (closed form), both
subcritical, with canard explosions of the cycles close to them.
"""

from ..model import Model

DESCRIPTION = "FitzHugh-Nagumo excitable/oscillating neuron (2 states)"
REFERENCE = "FitzHugh, Biophys. J. 1:445 (1961); Nagumo et al., Proc. IRE 50:2061 (1962)"
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    return Model(
        name="fitzhugh_nagumo",
        states={
            "v": {"value": -1.0, "bounds": (-3.0, 3.0), "description": "membrane potential"},
            "w": {"value": 1.0, "bounds": (-3.0, 5.0), "description": "recovery variable"},
        },
        params={
            "I": {"value": 0.5, "units": "1", "range": (0.0, 2.0), "description": "external current"},
            "a": {"value": 0.7, "units": "1", "range": (0.0, 1.5), "description": "recovery offset"},
            "b": {"value": 0.8, "units": "1", "range": (0.0, 1.0), "description": "recovery self-coupling"},
            "tau": {"value": 12.5, "units": "1", "range": (1.0, 50.0), "description":
                    "recovery time scale (relative to v)"},
        },
        equations={"v": "v - v^3/3 - w + I", "w": "(v + a - b*w)/tau"},
        description=DESCRIPTION, reference=REFERENCE, time_units="1",
    )
