"""AUTO-07p export: the Fortran FUNC against the model (gfortran), and the constants file."""

import ast
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

import nmanalysis as nma
from nmanalysis.errors import ModelError, OptionsError
from nmanalysis.model.auto_export import RESERVED_PAR, auto_files, par_indices
from nmanalysis.model.functions import Logistic

GFORTRAN = shutil.which("gfortran")
MODELS = [m for m in nma.list_models() if not nma.get_model(m).uses_time()]


def _constants(text):
    """The c. file as a dict (each line ``NAME = python literal``)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = ast.literal_eval(value.strip())
    return out


def test_par_indices_skip_the_reserved_ones():
    m = nma.get_model("wilson_cowan_pyrates")        # 13 parameters + 2 inputs
    idx = par_indices(m)
    assert list(idx) == [*m.param_names, *m.input_names]
    assert not set(idx.values()) & set(RESERVED_PAR)
    assert sorted(idx.values()) == [*range(1, 11), *range(15, 20)]


def test_constants_file_names_everything():
    m = nma.get_model("jansen_rit")
    files = auto_files(m, "p", start={"y0": 0.1}, p_range=(-100, 400),
                       constants={"NMX": 500, "DS": 0.5})
    c = _constants(files["c.jansen_rit"])
    assert c["NDIM"] == 6 and c["IPS"] == 1 and c["JAC"] == 1
    assert c["ICP"] == ["p"] and c["NMX"] == 500 and c["DS"] == 0.5
    assert c["unames"] == {i + 1: s for i, s in enumerate(m.state_names)}
    assert c["parnames"] == {k: n for n, k in par_indices(m).items()}
    assert c["UZSTOP"] == {"p": [-100.0, 400.0]}
    assert c["e"] == "jansen_rit"
    f90 = files["jansen_rit.f90"]
    for sub in ("FUNC", "STPNT", "BCND", "ICND", "FOPT", "PVLS"):
        assert f"SUBROUTINE {sub}" in f90 and f"END SUBROUTINE {sub}" in f90
    assert all(len(line) <= 132 for line in f90.splitlines())   # free-form limit


def test_bad_requests_are_refused():
    m = nma.get_model("fitzhugh_nagumo")
    with pytest.raises(OptionsError, match="`free` must name parameters"):
        auto_files(m, "nope")
    with pytest.raises(OptionsError, match="not a state"):
        auto_files(m, "I", start={"x": 1.0})
    with pytest.raises(OptionsError, match="low < high"):
        auto_files(m, "I", p_range=(2, 1))
    forced = nma.Model("forced", {"x": 0.0}, {"k": 1.0}, {"x": "-k*x + sin(t)"})
    with pytest.raises(ModelError, match="autonomous"):
        auto_files(forced, "k")


def _driver(model, index):
    n, ks = model.n_states, list(index.values())
    kl = ", ".join(str(k) for k in ks)
    return f"""program driver
  implicit none
  integer, parameter :: n = {n}, np = {len(ks)}
  integer :: idx(np) = (/ {kl} /)
  double precision :: u(n), par(60), f(n), dfdu(n, n), dfdp(n, 60), fp(n), fm(n)
  double precision :: h, keep
  integer :: icp(1), i, k
  icp(1) = 1
  par = 0.0d0
  call stpnt(n, u, par, 0.0d0)
  write(*, '(*(ES26.17E3))') u
  write(*, '(*(ES26.17E3))') (par(idx(k)), k = 1, np)
  read(*, *) u
  read(*, *) (par(idx(k)), k = 1, np)
  call func(n, u, icp, par, 2, f, dfdu, dfdp)
  write(*, '(*(ES26.17E3))') f
  write(*, '(*(ES26.17E3))') ((dfdu(i, k), k = 1, n), i = 1, n)
  write(*, '(*(ES26.17E3))') ((dfdp(i, idx(k)), k = 1, np), i = 1, n)
  do k = 1, n
    keep = u(k)
    h = 1.0d-6 * max(1.0d0, abs(keep))
    u(k) = keep + h
    call func(n, u, icp, par, 0, fp, dfdu, dfdp)
    u(k) = keep - h
    call func(n, u, icp, par, 0, fm, dfdu, dfdp)
    u(k) = keep
    write(*, '(*(ES26.17E3))') (fp - fm) / (2 * h)
  end do
  do k = 1, np
    keep = par(idx(k))
    h = 1.0d-6 * max(1.0d0, abs(keep))
    par(idx(k)) = keep + h
    call func(n, u, icp, par, 0, fp, dfdu, dfdp)
    par(idx(k)) = keep - h
    call func(n, u, icp, par, 0, fm, dfdu, dfdp)
    par(idx(k)) = keep
    write(*, '(*(ES26.17E3))') (fp - fm) / (2 * h)
  end do
end program driver
"""


# functions Fortran has no intrinsic for, or only one of another type
KINKS = nma.Model(
    "kinks", {"x": 0.3, "y": -0.7}, {"a": 0.2, "b": 1.5},
    {"x": "max(x, y, 0.5*a) - Heaviside(x - a) + sign(y)*abs(x) + expm1(0.1*x) + pi",
     "y": "min(x, b) + sigmoid(y) - pow(abs(y) + 1, 1.5) + log(2 + x^2) + atan(y)/b"})


@pytest.mark.skipif(GFORTRAN is None, reason="gfortran is not installed")
@pytest.mark.parametrize("name", [*MODELS, "kinks"])
def test_fortran_func_matches_the_model(tmp_path, name):
    """Compile <name>.f90 with a driver; F equals the model's right-hand side, DFDU and
    DFDP equal central differences of the compiled F, STPNT holds the defaults."""
    model = KINKS if name == "kinks" else nma.get_model(name)
    index = par_indices(model)
    start = {s: v + 0.25 for s, v in model.states.items()}
    files = auto_files(model, next(iter(index)), start=start)
    for fname, text in files.items():
        (tmp_path / fname).write_text(text)
    (tmp_path / "driver.f90").write_text(_driver(model, index))
    subprocess.run([GFORTRAN, "-O0", "-ffree-line-length-132", "-o", "drv",
                    f"{name}.f90", "driver.f90"], cwd=tmp_path, check=True,
                   capture_output=True)
    rng = np.random.default_rng(7)
    values = {**dict(model.params), **dict(model.inputs)}
    u = np.array([v + 0.1 * rng.standard_normal() * (1 + abs(v))
                  for v in model.states.values()])
    p = np.array([v * (1 + 0.05 * rng.standard_normal()) + 0.01 * rng.standard_normal()
                  for v in values.values()])
    text = "\n".join(" ".join(repr(float(x)) for x in a) for a in (u, p)) + "\n"
    out = subprocess.run(["./drv"], cwd=tmp_path, input=text, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    rows = [np.array([float(x) for x in line.split()]) for line in out]
    n, npar = model.n_states, len(index)
    u_start, p_start, f, dfdu, dfdp = rows[:5]
    fd_u = np.array(rows[5:5 + n]).T                      # column k = d F / d u_k
    fd_p = np.array(rows[5 + n:5 + n + npar]).T
    np.testing.assert_allclose(u_start, list(start.values()), rtol=1e-15)
    np.testing.assert_allclose(p_start, list(values.values()), rtol=1e-15)

    sym = model.symbolic
    args = (*sym.y, *sym.p, *sym.u)
    rhs = sp.lambdify(args, [e.rewrite(Logistic, sp.exp) if e.has(Logistic) else e
                             for e in sym.rhs], "numpy")
    truth = np.array(rhs(*u, *p), dtype=float)
    np.testing.assert_allclose(f, truth, rtol=1e-12, atol=1e-12 * np.abs(truth).max())
    dfdu, dfdp = dfdu.reshape(n, n), dfdp.reshape(n, npar)
    scale_u = np.abs(dfdu).max() + 1e-300
    np.testing.assert_allclose(dfdu, fd_u, rtol=1e-5, atol=1e-6 * scale_u)
    scale_p = np.abs(dfdp).max() + 1e-300
    np.testing.assert_allclose(dfdp, fd_p, rtol=1e-5, atol=1e-6 * scale_p)
