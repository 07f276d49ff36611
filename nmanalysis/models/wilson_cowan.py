"""Wilson-Cowan excitatory/inhibitory rate model, as brainmass's ``WilsonCowanStep``.

The default form is what brainmass 0.1.1's code computes::

    tauE drE/dt = -rE + (1 - r rE) F(wEE rE - wIE rI + IE, aE, thE)
    tauI drI/dt = -rI + (1 - r rI) F(wEI rE - wII rI + II, aI, thI)
    F(x, a, th) = 1/(1 + exp(-a (x - th))) - 1/(1 + exp(a th))

so ``wIE`` is the I -> E weight and ``wEI`` the E -> I weight. The class's
docstring writes the two the other way round (``wEI`` in the E equation,
``wIE`` in the I equation); with the same numbers (wEI = 13, wIE = 4) that is
a different model, available as ``variant="docstring"``. Their folds differ:
IE = -0.51097, 0.28335 (code) against -0.81042, 0.27526 (docstring).
Time is in ms.
"""

from ..model import Model

DESCRIPTION = "Wilson-Cowan E/I rate model (brainmass WilsonCowanStep; 2 states)"
REFERENCE = ("Wilson & Cowan, Biophys. J. 12:1 (1972); parameters and form of brainmass 0.1.1 "
             "WilsonCowanStep")
VARIANTS = ("", "docstring")

_F = "1/(1 + exp(-a*(x - th))) - 1/(1 + exp(a*th))"


def build(variant: str = "") -> Model:
    if variant == "docstring":
        e_in, i_in = "wEE*rE - wEI*rI + IE", "wIE*rE - wII*rI + II"
        name_note = " [docstring form: wEI inhibits E, wIE excites I]"
    else:
        e_in, i_in = "wEE*rE - wIE*rI + IE", "wEI*rE - wII*rI + II"
        name_note = ""
    w_ie = "weight I -> E" if not variant else "weight E -> I"
    w_ei = "weight E -> I" if not variant else "weight I -> E"
    return Model(
        name="wilson_cowan",
        variant=variant,
        states={
            "rE": {"value": 0.1, "bounds": (-0.1, 1.1), "description": "excitatory activity"},
            "rI": {"value": 0.05, "bounds": (-0.1, 1.1), "description": "inhibitory activity"},
        },
        params={
            "IE": {"value": 0.0, "units": "1", "range": (-2.0, 6.0), "description": "external input to E"},
            "II": {"value": 0.0, "units": "1", "range": (-2.0, 6.0), "description": "external input to I"},
            "wEE": {"value": 12.0, "units": "1", "range": (0.0, 20.0), "description": "weight E -> E"},
            "wIE": {"value": 4.0, "units": "1", "range": (0.0, 10.0), "description": w_ie},
            "wEI": {"value": 13.0, "units": "1", "range": (0.0, 20.0), "description": w_ei},
            "wII": {"value": 11.0, "units": "1", "range": (0.0, 15.0), "description": "weight I -> I"},
            "aE": {"value": 1.2, "units": "1", "range": (0.5, 2.0), "description": "gain of E sigmoid"},
            "aI": {"value": 1.0, "units": "1", "range": (0.5, 2.0), "description": "gain of I sigmoid"},
            "thE": {"value": 2.8, "units": "1", "range": (1.0, 5.0), "description": "threshold of E sigmoid"},
            "thI": {"value": 4.0, "units": "1", "range": (1.0, 5.0), "description": "threshold of I sigmoid"},
            "r": {"value": 1.0, "units": "1", "range": (0.0, 2.0), "description": "refractoriness"},
            "tauE": {"value": 1.0, "range": (1.0, 10.0), "units": "ms",
                     "description": "E time constant"},
            "tauI": {"value": 1.0, "range": (1.0, 10.0), "units": "ms",
                     "description": "I time constant"},
        },
        functions={"F(x, a, th)": _F},
        equations={
            "rE": f"(-rE + (1 - r*rE)*F({e_in}, aE, thE))/tauE",
            "rI": f"(-rI + (1 - r*rI)*F({i_in}, aI, thI))/tauI",
        },
        description=DESCRIPTION + name_note, reference=REFERENCE, time_units="ms",
    )
