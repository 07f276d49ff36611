"""What a warm process loads: cached kernels without numba's compiler refresh (and so
without scipy.linalg), Datasets of numpy arrays without dask, parameters given as
numbers without xarray."""

import json
import os
import subprocess
import sys

import pytest

_RUN = """
import json, sys
import nmanalysis as nma
from nmanalysis.integrate.simulate import simulate_arrays
run = simulate_arrays(nma.get_model("wilson_cowan"), t=(0, 1), dt=0.01, method="{method}",
                      record="minmax")
data = run.parts()[0]
print(json.dumps({{"modules": sorted(m for m in sys.modules if m.split(".")[0] in
                                   ("scipy", "xarray", "dask", "sympy", "numba")),
                  "rE_max": float(data["rE_max"][1])}}))
"""


def _child(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_warm_simulate_process_loads_neither_scipy_linalg_nor_xarray(wc):
    import nmanalysis as nma
    for method in ("euler", "rk4"):
        _child(_RUN.format(method=method))                 # fill the cache
        warm = _child(_RUN.format(method=method))
        assert "numba.np.arraymath" not in warm["modules"]  # no compiler refresh
        assert "scipy.linalg" not in warm["modules"]
        assert not any(m.split(".")[0] in ("xarray", "dask", "sympy")
                       for m in warm["modules"])
        ds = nma.simulate(wc, t=(0, 1), dt=0.01, method=method, record="minmax")
        assert warm["rE_max"] == float(ds["rE_max"])


def test_datasets_of_numpy_arrays_do_not_import_dask():
    code = """
import json, sys
import numpy as np
from nmanalysis.results.dask_probes import lazy_dask_probes
lazy_dask_probes()
import xarray as xr
ds = xr.Dataset({"a": (("x",), np.arange(3.0))}, coords={"x": [0, 1, 2]})
ds2 = xr.Dataset({"b": xr.DataArray(np.ones((2, 3)), dims=("u", "v"))})
no_dask = "dask" not in sys.modules
import dask.array as da
lazy = xr.DataArray(da.zeros(4, chunks=2))
print(json.dumps({"no_dask": no_dask, "chunked": lazy.chunks is not None,
                  "sum": float(lazy.sum().compute()), "mean": float(ds.a.mean())}))
"""
    out = _child(code)
    assert out == {"no_dask": True, "chunked": True, "sum": 0.0, "mean": 1.0}


_LIBRARY = """
import json, sys
import numpy as np
{first}
import xarray as xr
ds = xr.Dataset({{"a": (("x",), np.arange(3.0))}}, coords={{"x": [0, 1, 2]}})
no_dask = "dask" not in sys.modules
import dask.array as da
lazy = xr.DataArray(da.zeros(4, chunks=2))
watchers = [f for f in sys.meta_path if type(f).__name__ == "_XarrayWatcher"]
print(json.dumps({{"no_dask": no_dask, "chunked": lazy.chunks is not None,
                  "sum": float((lazy + 1).sum().compute()), "mean": float(ds.a.mean()),
                  "watchers": len(watchers)}}))
"""


@pytest.mark.parametrize("first", ["import nmanalysis", "import xarray; import nmanalysis"])
def test_importing_the_package_spares_datasets_the_dask_import(first):
    # whichever of xarray and nmanalysis is imported first, Datasets of numpy arrays
    # are built without importing dask, and dask arrays work as usual afterwards
    out = _child(_LIBRARY.format(first=first))
    assert out == {"no_dask": True, "chunked": True, "sum": 4.0, "mean": 1.0, "watchers": 0}


_SET = """
import json, sys
import numpy as np
import nmanalysis as nma
from nmanalysis.integrate.simulate import simulate_arrays
run = simulate_arrays(nma.get_model("wilson_cowan"), t=(0, 1), dt=0.01, params={"IE": 1.5},
                      y0={"rE": np.array([0.1, 0.2])}, record="minmax")
data = run.parts()[0]
print(json.dumps({"xarray": "xarray" in sys.modules,
                  "rE_max": np.asarray(data["rE_max"][1]).tolist()}))
"""


def test_numbers_and_plain_arrays_as_settings_do_not_import_xarray(wc):
    import numpy as np
    import xarray as xr

    import nmanalysis as nma
    _child(_SET)                                            # fill the cache
    warm = _child(_SET)
    assert warm["xarray"] is False
    ds = nma.simulate(wc, t=(0, 1), dt=0.01, params={"IE": 1.5},
                      y0={"rE": np.array([0.1, 0.2])}, record="minmax")
    np.testing.assert_array_equal(warm["rE_max"], ds["rE_max"].values)
    # a DataArray still brings its own dimension
    da = nma.simulate(wc, t=(0, 1), dt=0.01, params={"IE": xr.DataArray([1.0, 1.5], dims="ie")},
                      record="minmax")
    assert da["rE_max"].dims == ("ie",)
    assert float(da["rE_max"].sel(ie=1)) == float(ds["rE_max"].isel(rE_0=0))


_CYCLES = """
import json, sys
import numpy as np
import nmanalysis as nma
m = nma.get_model("stuart_landau").with_params(b=0.5, omega=2.0)
tree = nma.continuation(m, "mu", p_range=(-1.0, 1.0), params={"mu": -1.0}, cycles=True,
                        progress=False)
b = tree["periodic/branch_0"].to_dataset()
print(json.dumps({"refresh": "numba.np.arraymath" in sys.modules,
                  "mu": b["mu"].values.tolist(), "period": b["period"].values.tolist()}))
"""


def test_warm_cycle_continuation_loads_its_numba_code_without_compiler_refresh():
    import numpy as np
    _child(_CYCLES)                                         # fill the cache
    warm = _child(_CYCLES)
    assert warm["refresh"] is False
    mu, period = np.array(warm["mu"]), np.array(warm["period"])
    assert mu.size > 3
    np.testing.assert_allclose(period, 2 * np.pi / (2.0 - 0.5 * mu), rtol=1e-6)


_COMMAND = """
import json, sys
from nmanalysis.cli import main
status = main({argv!r})
print(json.dumps({{"status": status, "dask": "dask" in sys.modules,
                   "xarray": "xarray" in sys.modules}}))
"""


def test_commands_build_their_datasets_without_dask():
    for argv in (["fixed-points", "wilson_cowan", "-q"],
                 ["phase-plane", "wilson_cowan", "--x", "rE", "--y", "rI", "-q"]):
        _child(_COMMAND.format(argv=argv))                  # fill the cache
        warm = _child(_COMMAND.format(argv=argv))
        assert warm == {"status": 0, "dask": False, "xarray": True}
