"""Requests are sized before anything is allocated; bad numbers are refused by name."""

import math
import tracemalloc

import numpy as np
import pytest

import nmanalysis as nma
from nmanalysis.errors import OptionsError, ResourceError
from nmanalysis.integrate.batch import Grid
from nmanalysis.integrate.sizing import check_memory, memory_limit

from .models import RELAX


def _peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_minmax_memory_does_not_grow_with_the_number_of_steps():
    def run(n_steps):
        return lambda: nma.simulate(RELAX, t=(0.0, 1.0), dt=1.0 / n_steps, method="euler",
                                    record="minmax")
    run(100)()  # compile outside the measurement
    small = _peak_bytes(run(10 ** 5))
    large = _peak_bytes(run(10 ** 7))
    # the old code built two arrays of n_steps entries (160 MB at 1e7 steps) for nothing
    assert large < small + 2_000_000, (small, large)


def test_full_record_too_large_names_size_and_way_out(wc, monkeypatch):
    monkeypatch.setenv("NMANALYSIS_MAX_MEMORY", "1")
    with pytest.raises(ResourceError, match=r"GB.*record='minmax'") as info:
        nma.simulate(wc, t=(0, 1e5), dt=1e-3, record="full")
    assert "NMANALYSIS_MAX_MEMORY" in str(info.value)
    # a reduction of the same run is small and accepted by the size check
    ds = nma.simulate(wc, t=(0, 1.0), dt=1e-3, record="minmax")
    assert int(ds["status"]) == 0


def test_huge_sweep_is_refused_before_allocation(wc):
    # 1e6 x 1e6 rows: 8e12 bytes of parameters alone; the grid itself is two 1e6 arrays
    big = np.zeros(10 ** 6)
    with pytest.raises(ResourceError, match="rows"):
        nma.simulate(wc, t=(0, 1), dt=0.1, params={"IE": big, "wEE": big + 1.0},
                     record="final")


def test_grid_size_does_not_overflow():
    # int64 product of these sizes wraps around; the exact size is needed for the check
    g = Grid(dims=("a", "b"), sizes={"a": 2 ** 32, "b": 2 ** 32})
    assert g.size == 2 ** 64


def test_memory_limit_override_is_validated(monkeypatch):
    monkeypatch.setenv("NMANALYSIS_MAX_MEMORY", "2.5")
    assert memory_limit() == int(2.5e9)
    monkeypatch.setenv("NMANALYSIS_MAX_MEMORY", "lots")
    with pytest.raises(OptionsError, match="NMANALYSIS_MAX_MEMORY"):
        memory_limit()
    monkeypatch.delenv("NMANALYSIS_MAX_MEMORY")
    assert 0 < memory_limit()
    check_memory(1.0, "one byte", "none")


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(transient=math.nan), OptionsError, "`transient` must be a finite number"),
    (dict(transient="1"), OptionsError, "`transient` must be a finite number"),
    (dict(sampling=math.nan), OptionsError, "`sampling` must be a positive finite"),
    (dict(sampling=math.inf), OptionsError, "`sampling` must be a positive finite"),
    (dict(sampling=-0.1), OptionsError, "`sampling` must be a positive finite"),
    (dict(dt=math.nan), OptionsError, "`dt` must be a positive finite"),
    (dict(dt=True), OptionsError, "`dt` must be a positive finite"),
    (dict(dt=1e-300), ResourceError, "time span.*/ dt"),
    (dict(method="dopri5", max_steps=math.nan), OptionsError, "`max_steps`"),
    (dict(method="dopri5", max_steps=0), OptionsError, "`max_steps`"),
    (dict(method="dopri5", rtol=math.inf), OptionsError, "`rtol`"),
    (dict(method="dopri5", sampling=1e-300), ResourceError, "samples"),
])
def test_bad_numbers_are_refused_by_name(wc, kwargs, error, match):
    with pytest.raises(error, match=match):
        nma.simulate(wc, t=(0, 10), **kwargs)


def test_numpy_scalar_dt_is_accepted(wc):
    a = nma.simulate(wc, t=(0, 1), dt=np.float32(0.125), record="final")
    b = nma.simulate(wc, t=(0, 1), dt=0.125, record="final")
    assert float(a["rE"]) == float(b["rE"])


def test_sweep_analyses_and_basin_grids_are_sized(wc):
    big = np.zeros(10 ** 6)
    with pytest.raises(ResourceError, match="sweep rows"):
        nma.find_cycles(wc, params={"IE": big, "wEE": big + 1.0})
    axis = np.linspace(0.0, 1.0, 10 ** 5)
    with pytest.raises(ResourceError, match="basin_map of a 100000 x 100000 grid"):
        nma.basin_map(wc, grid={"rE": axis, "rI": axis})


def test_lyapunov_steps_are_sized_and_checked_like_simulate():
    from nmanalysis.analysis.lyapunov import largest_lyapunov
    with pytest.raises(ResourceError, match="1e\\+15 allowed"):
        largest_lyapunov(RELAX, t=(0, 10), dt=1e-300)
    with pytest.raises(OptionsError, match="`renorm_every` must be a positive finite"):
        largest_lyapunov(RELAX, t=(0, 10), dt=0.01, renorm_every=math.inf)
