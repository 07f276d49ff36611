"""Montbrio-Pazo-Roxin: the exact mean field of a network of quadratic integrate-and-fire neurons.

Default form (Montbrio, Pazo & Roxin 2015, eqs. 12; the form of
``tests/reference/data/mpr_qif.json``)::

    tau dr/dt = Delta/(pi tau) + 2 r v
    tau dv/dt = v^2 + eta + I + u(t) + J tau r - (pi tau r)^2

``r`` is the population firing rate (1/ms), ``v`` the mean membrane
potential (dimensionless), ``eta`` the centre and ``Delta`` the half-width of
the Lorentzian distribution of excitabilities, ``J`` the recurrent coupling.
The external drive is the parameter ``I`` (constant part, for sweeps and
equilibria) plus the input ``u`` (time course, ``simulate(inputs={"u": ...})``).

brainmass 0.1.1 ``MontbrioPazoRoxinStep`` has the same defaults (tau = 1 ms,
eta = -5, Delta = 1, J = 15) and initialises r and v uniformly in
[0, 0.05]; the defaults here take the middle, 0.025. Its API page writes the
rate equation as ``tau dr/dt = Delta/pi + 2 tau r v``, which is the same
model at tau = 1 only; this module follows the original paper.

Variant ``"synaptic"`` (Devalle, Roxin & Montbrio, PLoS Comput. Biol.
13:e1005881, 2017, first-order synaptic kinetics): the recurrent input
``J tau r`` becomes ``J tau s`` with

    tau_s ds/dt = -s + r

so ``s`` is the rate filtered by an exponential synapse. Its equilibria are
those of the default form (``s = r``); only their stability and the
transients change (as tau_s -> 0 the default form is recovered).

Defaults and what they do (J = 15, Delta = 1, tau = 1): the equilibrium branch
in eta folds at eta = -5.7435272 and -3.1361341. Between the folds a
low-activity stable node and a high-activity stable focus coexist with a
saddle; the default eta = -5 is in this bistable range (low state r = 0.0811,
v = -1.962; high state r = 1.031, v = -0.154), and the default initial state
(r = v = 0.025) goes to the low state. Outside the folds there is one stable
equilibrium. There is no Hopf bifurcation for eta in [-10, 0], so no sustained
oscillation, in the default form.
"""

from ..model import Model

DESCRIPTION = "Montbrio-Pazo-Roxin exact QIF mean field (r, v; variant 'synaptic' adds s)"
REFERENCE = ("Montbrio, Pazo & Roxin, Phys. Rev. X 5:021028 (2015); defaults of brainmass 0.1.1 "
             "MontbrioPazoRoxinStep; variant 'synaptic': Devalle, Roxin & Montbrio, PLoS "
             "Comput. Biol. 13:e1005881 (2017)")
VARIANTS = ("", "synaptic")


def build(variant: str = "") -> Model:
    ms = {"units": "ms"}
    one = {"units": "1"}
    states = {
        "r": {"value": 0.025, "bounds": (0.0, 5.0), "units": "1/ms",
              "description": "population firing rate"},
        "v": {"value": 0.025, "bounds": (-6.0, 3.0), "units": "1",
              "description": "mean membrane potential"},
    }
    params = {
        "eta": {"value": -5.0, "range": (-10.0, 5.0), **one,
                "description": "mean excitability (centre of the Lorentzian)"},
        "Delta": {"value": 1.0, "range": (0.1, 3.0), **one,
                  "description": "spread of excitabilities (Lorentzian half-width)"},
        "J": {"value": 15.0, "range": (-20.0, 30.0), **one,
              "description": "recurrent synaptic coupling (negative: inhibitory)"},
        "tau": {"value": 1.0, "range": (0.5, 20.0), **ms,
                "description": "membrane time constant"},
        "I": {"value": 0.0, "range": (-5.0, 10.0), **one,
              "description": "constant external input current"},
    }
    recurrent = "J*tau*r"
    equations = {
        "r": "(Delta/(pi*tau) + 2*r*v)/tau",
    }
    name_note = ""
    if variant == "synaptic":
        states["s"] = {"value": 0.025, "bounds": (0.0, 5.0), "units": "1/ms",
                       "description": "synaptic activation (rate filtered by the synapse)"}
        params["tau_s"] = {"value": 1.0, "range": (0.1, 20.0), **ms,
                           "description": "synaptic decay time constant"}
        recurrent = "J*tau*s"
        name_note = " [synaptic: exponential synapse tau_s ds/dt = -s + r]"
    equations["v"] = f"(v^2 + eta + I + u + {recurrent} - (pi*tau*r)^2)/tau"
    if variant == "synaptic":
        equations["s"] = "(-s + r)/tau_s"
    return Model(
        name="montbrio_pazo_roxin",
        variant=variant,
        states=states,
        params=params,
        inputs={"u": {"value": 0.0, **one,
                      "description": "time-varying input current, added to I"}},
        equations=equations,
        description=DESCRIPTION + name_note, reference=REFERENCE, time_units="ms",
    )
