"""
The Lyapunov spectrum of the Lorenz system across rho
=====================================================

:func:`nmanalysis.lyapunov_spectrum` follows the state and as many tangent
vectors as there are states (the variational system on the compiled
Jacobian), re-orthonormalises them by QR every few steps and averages the
logarithms of the stretching factors: all exponents at once, for a whole
parameter sweep in one batched call. At the classical parameters the three
exponents are about 0.906, 0 and -14.57, and the Kaplan-Yorke dimension of
the attractor is 2.06.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

lorenz = nma.Model(
    name="lorenz",
    states={"x": 1.0, "y": 1.0, "z": 20.0},
    params={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0},
    equations={"x": "sigma*(y - x)", "y": "x*(rho - z) - y", "z": "x*y - beta*z"})

classical = nma.lyapunov_spectrum(lorenz, t=(0, 1000), transient=100, dt=0.005, progress=False)
print("exponents at rho = 28:", np.round(classical["lyapunov"].values, 4))
print("sum (= trace of the Jacobian, -(sigma + 1 + beta)):",
      round(float(classical["lyapunov_sum"]), 5))
print("Kaplan-Yorke dimension:", round(float(classical["kaplan_yorke_dimension"]), 3))

# %%
# A sweep over rho: below rho ~ 24.7 the trajectories settle on one of the two
# stable equilibria (all exponents negative: the real parts of the eigenvalues);
# above it the largest exponent is positive (chaos) except in periodic windows,
# where it drops back to zero.
rho = np.linspace(10.0, 200.0, 96)
spec = nma.lyapunov_spectrum(lorenz, params={"rho": rho}, t=(0, 300), transient=100, dt=0.005,
                             progress=False)

fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, layout="constrained")
for k, color in zip(range(3), ("tab:red", "0.3", "tab:blue")):
    ax1.plot(rho, spec["lyapunov"].isel(exponent=k), ".-", ms=3, color=color,
             label=f"$\\lambda_{k + 1}$")
ax1.axhline(0, color="0.5", lw=0.8)
ax1.set_yscale("symlog", linthresh=1.0)
ax1.set_ylabel("Lyapunov exponent")
ax1.legend(loc="lower left", ncols=3)
ax1.set_title("Lorenz system (sigma = 10, beta = 8/3): Lyapunov spectrum over rho")
ax2.plot(rho, spec["kaplan_yorke_dimension"], "k.-", ms=3)
ax2.set_xlabel("rho")
ax2.set_ylabel("Kaplan-Yorke dimension")
ax2.set_ylim(-0.1, 2.2)

# %%
# The sum of the three exponents is the mean trace of the Jacobian, constant for
# the Lorenz system: a check of the computation at every point of the sweep.
deviation = np.abs(spec["lyapunov_sum"] + (10 + 1 + 8 / 3))
print("largest deviation of the sums from -(sigma + 1 + beta):", float(deviation.max()))
