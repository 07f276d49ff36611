"""Small test problems with exact solutions."""

import nmanalysis as nma

# x, y rotate at angular speed w; z relaxes towards the ramp t - 1 (explicit time dependence)
ROTATION = nma.Model(
    name="test_rotation", states={"x": 1.0, "y": 0.0, "z": 0.5}, params={"w": 2.0},
    equations={"x": "-w*y", "y": "w*x", "z": "t - z"})


def rotation_exact(t, w=2.0, z0=0.5):
    import numpy as np
    return np.cos(w * t), np.sin(w * t), t - 1 + (z0 + 1) * np.exp(-t)


# blows up at t = 1/x0 for x0 > 0
BLOWUP = nma.Model(name="test_blowup", states={"x": 0.5}, params={}, equations={"x": "x^2"})

# Ornstein-Uhlenbeck when driven by white noise; low-pass filter of an input u
RELAX = nma.Model(name="test_relax", states={"x": 0.0}, params={"theta": 1.0, "mu": 0.0},
                  inputs={"u": 0.0}, observables={"twice": "2*x"},
                  equations={"x": "(mu - x)/theta + u"})
