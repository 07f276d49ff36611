"""``find_cycles``: equilibria and limit cycles from simulation, batched over sweeps.

Each trajectory of a sweep is integrated past a transient and sampled finely.
It is an **equilibrium** when Newton, started from its final state, finds a
linearly stable equilibrium that the trajectory has settled on; a **cycle** when
its returns to a Poincaré section repeat (same state, same return time) within a
tolerance over several periods; **undecided** otherwise (too little time, slow
convergence, quasi-periodic or chaotic motion). Nothing is guessed.

Modules: :mod:`.sweep` (the rows of a sweep and the checked options, shared
with the regime maps and Lyapunov exponents), :mod:`.classify` (sampled
trajectories classified), :mod:`.kernels` (the model-independent numba kernels
of that classification), :mod:`.shooting` (Newton shooting and Floquet
multipliers), :mod:`.find` (the public analysis and its Dataset).
"""

from .classify import (CYCLE, EQUILIBRIUM, FAILED, REGIME_CODES, UNDECIDED, analyse_samples,
                       classify_rows, regime_attrs)
from .find import cycle_start, find_cycles
from .shooting import polish_all, polish_cycle
from .sweep import check_positive, constant_inputs, sweep_rows, time_options

__all__ = ["find_cycles", "cycle_start", "polish_cycle", "REGIME_CODES"]
