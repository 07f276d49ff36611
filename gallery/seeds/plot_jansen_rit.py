"""
PyRates' Jansen-Rit tutorial, reproduced
========================================

PyRates' second tutorial simulates its Jansen-Rit template (pyramidal cells,
excitatory and inhibitory interneurons; six ODEs) for 2 s with a constant
input rate p = 220 s^-1 and plots the two synaptic potentials at the
pyramidal cells, ``V_pce`` and ``V_pci``, and their sum, the pyramidal
membrane potential that EEG measures. The library model ``jansen_rit``
carries all three as observables (``v_pce``, ``v_pci``, ``v_pc``; in mV,
PyRates works in V).
"""

# %%
# Two seconds, as in the tutorial
# -------------------------------
# PyRates uses scipy's RK45 with samples every millisecond; the adaptive
# Dormand-Prince method here is the same scheme.
import matplotlib.pyplot as plt
import numpy as np

import nmanalysis as nma

model = nma.get_model("jansen_rit")           # p = 220 s^-1 by default
ds = nma.simulate(model, t=(0.0, 2.0), method="dopri5", rtol=1e-8, atol=1e-10, sampling=1e-3)

fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
ax.plot(ds.time, ds["v_pce"], label="V_pce (excitatory PSP)")
ax.plot(ds.time, ds["v_pci"], label="V_pci (inhibitory PSP)")
ax.plot(ds.time, ds["v_pc"], "k", lw=2, label="V_pc = V_pce + V_pci")
ax.set(xlabel="time [s]", ylabel="potential [mV]", ylim=(-25, 36),
       title="Jansen-Rit, p = 220 s$^{-1}$: potentials at the pyramidal cells")
ax.legend(loc="upper center", ncol=3, fontsize=9)

# %%
# The rhythm
# ----------
# After the first half second the pyramidal potential settles on a limit
# cycle: the input p = 220 lies between the Hopf points at p = 89.8 and
# 315.7 s^-1, where the only equilibrium is an unstable focus (eigenvalues
# 0.83 +- 70.2i s^-1, i.e. 11.2 Hz). The power spectrum of a longer run, with
# the first second dropped, peaks in the alpha band.
long = nma.simulate(model, t=(0.0, 11.0), method="dopri5", rtol=1e-8, atol=1e-10,
                    sampling=1e-3)
v = long["v_pc"].sel(time=slice(1.0, None)).values
v = v - v.mean()
freq = np.fft.rfftfreq(v.size, d=1e-3)
power = np.abs(np.fft.rfft(v * np.hanning(v.size))) ** 2
peak = freq[1:][np.argmax(power[1:])]
last = long["v_pc"].sel(time=slice(10.0, None))
print(f"v_pc oscillates between {float(last.min()):.2f} and {float(last.max()):.2f} mV (t > 10 s)")
print(f"power spectrum peak: {peak:.2f} Hz (frequency resolution {freq[1]:.2f} Hz)")

fig, ax = plt.subplots(figsize=(7.5, 3.5), layout="constrained")
ax.semilogy(freq, power / power.max(), "k")
ax.axvspan(8, 12, color="C2", alpha=0.15, label="alpha band (8-12 Hz)")
ax.axvline(peak, color="C3", ls="--", label=f"peak {peak:.1f} Hz")
ax.set(xlim=(0, 60), ylim=(1e-8, 2), xlabel="frequency [Hz]", ylabel="power (normalised)",
       title="Power spectrum of V_pc (1-11 s)")
ax.legend(fontsize=9)
