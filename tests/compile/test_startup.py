"""What a warm process loads: cached kernels without numba's compiler refresh (and so
without scipy.linalg), and Datasets of numpy arrays without dask."""

import json
import os
import subprocess
import sys

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
from nmanalysis.cli._report import lazy_dask_probes
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
