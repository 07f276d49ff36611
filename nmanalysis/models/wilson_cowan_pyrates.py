"""Wilson-Cowan E/I rate model as PyRates' template ``WC`` (its Wilson-Cowan tutorial).

PyRates 1.2.3, ``model_templates.neural_mass_models.wilsoncowan.WC``: two
nodes (``e``, ``i``) built from a ``rate_op`` and a sigmoid operator
(``se_op`` / ``si_op``), joined by four edges with weights 15 (e -> e),
15 (e -> i), -15 (i -> e) and -4 (i -> i). Written out::

    m_e = sigmoid(s_e (w_ee re - w_ei ri + r_ext_e + u_e(t) - theta_e)) - sigmoid(-s_e theta_e)
    m_i = sigmoid(s_i (w_ie re - w_ii ri + r_ext_i + u_i(t) - theta_i)) - sigmoid(-s_i theta_i)
    tau_e dre/dt = -re + (1 - k re) m_e
    tau_i dri/dt = -ri + (1 - k ri) m_i
    sigmoid(x) = 1/(1 + exp(-x))

The weights are written as positive numbers with the sign in the equation
(PyRates stores the inhibitory ones as negative edge weights). Because the
sigmoid is shifted by ``sigmoid(-s theta)``, ``re = ri = 0`` is an equilibrium
without input, and rates may become negative (down to ``-sigmoid(-s theta)``
of the drive).

The external drive of E is split in two so that both analyses and time
courses can use it: the parameter ``r_ext_e`` is its constant part (the one to
sweep, continue or hand to ``fixed_points``), the *input* ``u_e`` its time
course (``simulate(..., inputs={"u_e": nma.Pulse(1.0, 25, 100)})``); the model
sees their sum, like PyRates' ``e/se_op/r_ext``. The same holds for I
(``r_ext_i``, ``u_i``).

Time unit: PyRates gives none; with ``tau = 10`` it reads as milliseconds.

Defaults and what they do: the equilibrium branch in ``r_ext_e`` folds at
r_ext_e = -0.0587745 and 0.1118268 and has no Hopf point, so the default
r_ext_e = 0 lies in a bistable range with three equilibria: a stable node at
(re, ri) = (-0.0885, -0.0062), a saddle at the origin and a stable focus at
(0.0657, 0.0292). The default initial state is that saddle: without input
nothing moves. In the tutorial the drive 1 (25 <= t < 100) leaves a single
stable focus at (0.153, 0.143) (eigenvalues -0.033 +- 0.255i), reached by
damped oscillations; when the drive stops the state does not come back to the
origin but falls to the lower stable node, with negative rates (re -> -0.0885,
still on its way at t = 125).

Reproducing PyRates' own trace: its Euler step from ``t_n = n dt`` uses the
input sample ``inp[n]`` (so an input array with ``inp[int(25/dt):int(100/dt)]
= 1`` is exactly ``Pulse(amplitude=1, start=25, stop=100)`` in nmanalysis'
right-continuous convention, not one step late), and the value recorded at
``t_k`` is the state *after* ``t_k/dt`` steps (the initial state at t = 0; the
last row is t = 125 - 0.01, the state at 125 is not written). PyRates 1.2.3
runs this tutorial in single precision: a float64 forward Euler stays 8.2e-6
away from its trace, a float32 one (``simulate(..., dtype="float32")``) 4.5e-8
(the rest is the order of the float32 operations and ``exp``; a plain numpy
float32 Euler of these equations matches the trace to 5e-11, the rounding of
its 10 printed digits).
"""

from ..model import Model

DESCRIPTION = "Wilson-Cowan E/I rate model (PyRates template WC; 2 states)"
REFERENCE = ("Wilson & Cowan, Biophys. J. 12:1 (1972); form and defaults of PyRates 1.2.3 "
             "model_templates.neural_mass_models.wilsoncowan.WC (Gast et al., PLoS ONE "
             "14:e0225900, 2019)")
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    ms = {"units": "ms"}
    one = {"units": "1"}
    return Model(
        name="wilson_cowan_pyrates",
        states={
            "re": {"value": 0.0, "bounds": (-0.2, 0.6), "units": "1",
                   "description": "excitatory rate (e/rate_op/r)"},
            "ri": {"value": 0.0, "bounds": (-0.2, 0.6), "units": "1",
                   "description": "inhibitory rate (i/rate_op/r)"},
        },
        params={
            "r_ext_e": {"value": 0.0, "range": (-1.0, 3.0), **one,
                        "description": "constant external input to E (e/se_op/r_ext)"},
            "r_ext_i": {"value": 0.0, "range": (-1.0, 3.0), **one,
                        "description": "constant external input to I (i/se_op/r_ext)"},
            "w_ee": {"value": 15.0, "range": (0.0, 30.0), **one,
                     "description": "weight E -> E"},
            "w_ei": {"value": 15.0, "range": (0.0, 30.0), **one,
                     "description": "weight I -> E (inhibitory, enters with a minus sign)"},
            "w_ie": {"value": 15.0, "range": (0.0, 30.0), **one,
                     "description": "weight E -> I"},
            "w_ii": {"value": 4.0, "range": (0.0, 15.0), **one,
                     "description": "weight I -> I (inhibitory, enters with a minus sign)"},
            "s_e": {"value": 1.0, "range": (0.25, 4.0), **one,
                    "description": "slope of the E sigmoid"},
            "theta_e": {"value": 2.0, "range": (0.0, 5.0), **one,
                        "description": "threshold of the E sigmoid"},
            "s_i": {"value": 2.0, "range": (0.25, 4.0), **one,
                    "description": "slope of the I sigmoid"},
            "theta_i": {"value": 2.5, "range": (0.0, 5.0), **one,
                        "description": "threshold of the I sigmoid"},
            "k": {"value": 1.0, "range": (0.0, 2.0), **one,
                  "description": "refractoriness (rate saturation) of both populations"},
            "tau_e": {"value": 10.0, "range": (1.0, 50.0), **ms,
                      "description": "E time constant"},
            "tau_i": {"value": 10.0, "range": (1.0, 50.0), **ms,
                      "description": "I time constant"},
        },
        inputs={
            "u_e": {"value": 0.0, **one,
                    "description": "time-varying input to E, added to r_ext_e"},
            "u_i": {"value": 0.0, **one,
                    "description": "time-varying input to I, added to r_ext_i"},
        },
        functions={"S(x, s, th)": "sigmoid(s*(x - th)) - sigmoid(-s*th)"},
        observables={
            "m_e": {"expression": "S(w_ee*re - w_ei*ri + r_ext_e + u_e, s_e, theta_e)",
                    "units": "1", "description": "E firing response (e/se_op/m)"},
            "m_i": {"expression": "S(w_ie*re - w_ii*ri + r_ext_i + u_i, s_i, theta_i)",
                    "units": "1", "description": "I firing response (i/si_op/m)"},
        },
        equations={
            "re": "(-re + (1 - k*re)*m_e)/tau_e",
            "ri": "(-ri + (1 - k*ri)*m_i)/tau_i",
        },
        description=DESCRIPTION, reference=REFERENCE, time_units="ms",
    )
