"""The reference models written out again from the reference files' equations.

Transcribed independently of the model library, so a library typo cannot hide
behind a matching test.
"""

import json
from pathlib import Path

import nmanalysis as nma

DATA = Path(__file__).parent / "data"


def load(name):
    return json.loads((DATA / f"{name}.json").read_text())


def _params(ref):
    return {k: (0.0 if v == "continued" else float(v)) for k, v in ref["parameters"].items()}


def fhn():
    ref = load("fhn")
    return nma.Model(name="ref_fhn", states={"v": {"value": 0.0, "bounds": (-3, 3)},
                                             "w": {"value": 0.0, "bounds": (-3, 3)}},
                     params=_params(ref),
                     equations={"v": "v - v^3/3 - w + I", "w": "(v + a - b*w)/tau"})


def wc_bm(docform=False):
    ref = load("wc_bm_docform" if docform else "wc_bm")
    e_in = "wEE*rE - wEI*rI + IE" if docform else "wEE*rE - wIE*rI + IE"
    i_in = "wIE*rE - wII*rI + II" if docform else "wEI*rE - wII*rI + II"
    return nma.Model(
        name="ref_wc_doc" if docform else "ref_wc_bm",
        states={"rE": {"value": 0.0, "bounds": (-0.2, 1.2)},
                "rI": {"value": 0.0, "bounds": (-0.2, 1.2)}},
        params=_params(ref),
        functions={"F(x, a, th)": "1/(1+exp(-a*(x-th))) - 1/(1+exp(a*th))"},
        equations={"rE": f"(-rE + (1 - r*rE)*F({e_in}, aE, thE))/tauE",
                   "rI": f"(-rI + (1 - r*rI)*F({i_in}, aI, thI))/tauI"})


def wc_pyrates():
    ref = load("wc_pyrates")
    return nma.Model(
        name="ref_wc_pyrates",
        states={"re": {"value": 0.0, "bounds": (-0.2, 1.2)},
                "ri": {"value": 0.0, "bounds": (-0.2, 1.2)}},
        params=_params(ref),
        functions={"sig(x)": "1/(1+exp(-x))"},
        observables={
            "m_e": "sig(s_e*(w_ee*re - w_ei*ri + r_ext_e - theta_e)) - sig(-s_e*theta_e)",
            "m_i": "sig(s_i*(w_ie*re - w_ii*ri + r_ext_i - theta_i)) - sig(-s_i*theta_i)"},
        equations={"re": "(-re + (1 - k*re)*m_e)/tau_e", "ri": "(-ri + (1 - k*ri)*m_i)/tau_i"})


def mpr_qif():
    ref = load("mpr_qif")
    return nma.Model(
        name="ref_mpr", states={"r": {"value": 0.1, "bounds": (0, 5)},
                                "v": {"value": -2, "bounds": (-10, 5)}},
        params=_params(ref),
        equations={"r": "(Delta/(pi*tau) + 2*r*v)/tau",
                   "v": "(v^2 + eta + I + J*tau*r - (pi*tau*r)^2)/tau"})


def jansen_rit():
    ref = load("jansen_rit")
    return nma.Model(
        name="ref_jr",
        states={"y0": {"value": 0.1, "bounds": (-1, 1)}, "y1": {"value": 10, "bounds": (-20, 60)},
                "y2": {"value": 10, "bounds": (-20, 60)}, "y3": {"value": 0, "bounds": (-1, 1)},
                "y4": {"value": 0, "bounds": (-1, 1)}, "y5": {"value": 0, "bounds": (-1, 1)}},
        params=_params(ref),
        functions={"Sigm(v)": "2*e0/(1 + exp(rr*(v0 - v)))"},
        equations={
            "y0": "y3", "y1": "y4", "y2": "y5",
            "y3": "A*a*Sigm(y1 - y2) - 2*a*y3 - a^2*y0",
            "y4": "A*a*(p + 0.8*C*Sigm(C*y0)) - 2*a*y4 - a^2*y1",
            "y5": "B*b*0.25*C*Sigm(0.25*C*y0) - 2*b*y5 - b^2*y2"})


MODELS = {"fhn": fhn, "wc_bm": wc_bm, "wc_bm_docform": lambda: wc_bm(True),
          "wc_pyrates": wc_pyrates, "mpr_qif": mpr_qif, "jansen_rit": jansen_rit}
