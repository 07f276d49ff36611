"""Jansen-Rit cortical column: pyramidal cells with excitatory and inhibitory interneurons.

Six ODEs (three second-order synaptic kernels)::

    y0' = y3,  y3' = A a S(y1 - y2) - 2 a y3 - a^2 y0
    y1' = y4,  y4' = A a (p + C2 S(C1 y0)) - 2 a y4 - a^2 y1
    y2' = y5,  y5' = B b C4 S(C3 y0) - 2 b y5 - b^2 y2
    S(v) = 2 e0 / (1 + exp(r (v0 - v))),  C1 = C, C2 = 0.8 C, C3 = C4 = 0.25 C

with time in seconds and potentials in mV. The EEG-like output is the
pyramidal membrane potential ``v_pc = y1 - y2`` (an observable, with its
excitatory and inhibitory parts). Standard parameters (Jansen & Rit 1995):
the equilibrium branch in the input rate ``p`` has folds at p = -41.30 and
113.59 and Hopf points at p = -12.15, 89.83 and 315.70 s^-1.
"""

from ..model import Model

DESCRIPTION = "Jansen-Rit cortical column (3 populations, 6 states; alpha rhythm)"
REFERENCE = "Jansen & Rit, Biol. Cybern. 73:357 (1995)"
VARIANTS = ("",)


def build(variant: str = "") -> Model:
    mv = {"units": "mV"}
    mvs = {"units": "mV/s"}
    return Model(
        name="jansen_rit",
        states={
            "y0": {"value": 0.1, "bounds": (-1.0, 1.0), "description": "PSP of the pyramidal "
                   "population", **mv},
            "y1": {"value": 10.0, "bounds": (-40.0, 60.0), "description": "excitatory PSP on "
                   "pyramidal cells", **mv},
            "y2": {"value": 10.0, "bounds": (-40.0, 60.0), "description": "inhibitory PSP on "
                   "pyramidal cells", **mv},
            "y3": {"value": 0.0, "bounds": (-1.0, 1.0), "description": "d y0/dt", **mvs},
            "y4": {"value": 0.0, "bounds": (-1.0, 1.0), "description": "d y1/dt", **mvs},
            "y5": {"value": 0.0, "bounds": (-1.0, 1.0), "description": "d y2/dt", **mvs},
        },
        params={
            "p": {"value": 220.0, "range": (-100.0, 400.0), "units": "1/s",
                  "description": "external input rate to pyramidal cells"},
            "A": {"value": 3.25, "range": (2.0, 5.0), "description": "excitatory gain", **mv},
            "B": {"value": 22.0, "range": (10.0, 40.0), "description": "inhibitory gain", **mv},
            "a": {"value": 100.0, "range": (50.0, 150.0), "units": "1/s",
                  "description": "excitatory rate constant"},
            "b": {"value": 50.0, "range": (25.0, 75.0), "units": "1/s",
                  "description": "inhibitory rate constant"},
            "C": {"value": 135.0, "range": (50.0, 250.0), "units": "1",
                  "description": "connectivity constant"},
            "e0": {"value": 2.5, "range": (1.0, 5.0), "units": "1/s",
                   "description": "half of the maximal firing rate"},
            "v0": {"value": 6.0, "range": (4.0, 8.0), "description": "firing threshold", **mv},
            "r": {"value": 0.56, "range": (0.3, 1.0), "units": "1/mV",
                  "description": "sigmoid slope"},
        },
        functions={"S(v)": "2*e0/(1 + exp(r*(v0 - v)))"},
        observables={
            "v_pc": {"expression": "y1 - y2", "units": "mV",
                     "description": "pyramidal membrane potential (EEG proxy)"},
            "v_pce": {"expression": "y1", "units": "mV",
                      "description": "excitatory part of the pyramidal potential"},
            "v_pci": {"expression": "-y2", "units": "mV",
                      "description": "inhibitory part of the pyramidal potential"},
        },
        equations={
            "y0": "y3", "y1": "y4", "y2": "y5",
            "y3": "A*a*S(y1 - y2) - 2*a*y3 - a^2*y0",
            "y4": "A*a*(p + 0.8*C*S(C*y0)) - 2*a*y4 - a^2*y1",
            "y5": "B*b*0.25*C*S(0.25*C*y0) - 2*b*y5 - b^2*y2",
        },
        description=DESCRIPTION, reference=REFERENCE, time_units="s",
    )
