"""QIF population with spike-frequency adaptation, as PyRates' template ``qif_sfa``.

Source: PyRates ``model_templates.neural_mass_models.qif`` (operator
``qif_sfa_op``, circuit ``qif_sfa`` with a self-edge of weight J = 15), the
mean field of Gast, Schmidt & Knosche, Neural Comput. 32:1615 (2020)::

    tau dr/dt   = Delta/(pi tau) + 2 r v
    tau dv/dt   = v^2 + eta + I_ext + u(t) - a + J tau r - (pi tau r)^2
    tau_a da/dt = x
    dx/dt       = alpha r - 2 x/tau_a - a/tau_a

The last two lines are an alpha kernel: ``tau_a^2 a'' + 2 tau_a a' + a =
alpha tau_a r``, so the adaptation current ``a`` follows the rate with gain
``alpha tau_a`` (at rest ``a = alpha tau_a r``) and subtracts from the
excitability ``eta``. With ``alpha = 0`` this is the Montbrio-Pazo-Roxin model.
The constant drive is the parameter ``I_ext`` (PyRates' input of that name),
the time course the input ``u``.

Defaults (PyRates): Delta = 1, tau = 1, eta = -5, J = 15, alpha = 0.5,
tau_a = 10, initial state r = 0.01, v = -2, a = x = 0. Time unit: PyRates
gives none; like the MPR model it reads as ms (tau = 1 ms).

What the defaults do: the adaptation removes the bistability the plain MPR
model has at eta = -5 (at rest it lowers the effective coupling from J to
J - alpha tau_a/tau = 10); the state settles at a single stable focus, r = 0.0768.
A constant drive ``I_ext = 3`` gives synchronized bursting (r between ~0.07
and ~2.4; ``I_ext`` = 2 or 4 is again stationary). With Gast et al.'s
Delta = 2, alpha = 1, J = 15 sqrt(2) bursting fills eta from about -4 to 1.
"""

from ..model import Model

DESCRIPTION = "QIF mean field with spike-frequency adaptation (PyRates qif_sfa; 4 states)"
REFERENCE = ("Gast, Schmidt & Knosche, Neural Comput. 32:1615 (2020); form and defaults of "
             "PyRates model_templates.neural_mass_models.qif.qif_sfa")
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    ms = {"units": "ms"}
    one = {"units": "1"}
    return Model(
        name="qif_sfa",
        states={
            "r": {"value": 0.01, "bounds": (0.0, 5.0), "units": "1/ms",
                  "description": "population firing rate"},
            "v": {"value": -2.0, "bounds": (-6.0, 3.0), "units": "1",
                  "description": "mean membrane potential"},
            "a": {"value": 0.0, "bounds": (0.0, 20.0), "units": "1",
                  "description": "adaptation current"},
            "x": {"value": 0.0, "bounds": (-5.0, 5.0), "units": "1",
                  "description": "auxiliary variable of the adaptation kernel (tau_a da/dt)"},
        },
        params={
            "eta": {"value": -5.0, "range": (-10.0, 10.0), **one,
                    "description": "mean excitability (centre of the Lorentzian)"},
            "Delta": {"value": 1.0, "range": (0.1, 3.0), **one,
                      "description": "spread of excitabilities (Lorentzian half-width)"},
            "J": {"value": 15.0, "range": (0.0, 30.0), **one,
                  "description": "recurrent coupling (weight of the self-edge)"},
            "tau": {"value": 1.0, "range": (0.5, 20.0), **ms,
                    "description": "membrane time constant"},
            "alpha": {"value": 0.5, "range": (0.0, 2.0), **one,
                      "description": "adaptation strength"},
            "tau_a": {"value": 10.0, "range": (1.0, 100.0), **ms,
                      "description": "adaptation time constant"},
            "I_ext": {"value": 0.0, "range": (-5.0, 10.0), **one,
                      "description": "constant external input current"},
        },
        inputs={"u": {"value": 0.0, **one,
                      "description": "time-varying input current, added to I_ext"}},
        equations={
            "r": "(Delta/(pi*tau) + 2*r*v)/tau",
            "v": "(v^2 + eta + I_ext + u - a + J*tau*r - (pi*tau*r)^2)/tau",
            "a": "x/tau_a",
            "x": "alpha*r - 2*x/tau_a - a/tau_a",
        },
        description=DESCRIPTION, reference=REFERENCE, time_units="ms",
    )
