"""Connectomes: the embedded HCP data, file formats round-tripped, errors naming file and key."""

import numpy as np
import pytest
import scipy.io

import nmanalysis as nma
from nmanalysis.errors import OptionsError
from nmanalysis.io.connectome import load_connectome


def _pair(n=5, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.uniform(0, 3, (n, n))
    np.fill_diagonal(W, 0)
    L = rng.uniform(10, 150, (n, n))
    L = (L + L.T) / 2
    np.fill_diagonal(L, 0)
    return W, L


def test_embedded_hcp80_is_the_averaged_cortical_connectome():
    c = nma.load_connectome()
    W, L = c.weights, c.lengths
    assert c.name == "hcp80" and W.shape == L.shape == (80, 80) and c.length_units == "mm"
    # mean of per-subject max-normalised counts: entries in [0, 1], symmetric tractography
    assert W.min() >= 0 and W.max() <= 1 + 1e-15 and np.allclose(W, W.T)
    assert np.all(np.diag(W) == 0) and np.all(np.diag(L) == 0)
    assert np.all(W[~np.eye(80, dtype=bool)] > 0)          # all 6320 edges present
    assert np.allclose(L, L.T) and 5 < L[L > 0].min() < L.max() < 300   # mm, human brain
    assert len(c.extra["subjects"]) == 7
    # AAL2 cortical regions in left/right alternating order
    assert all(a.endswith("_L") and b.endswith("_R") and a[:-2] == b[:-2]
               for a, b in zip(c.labels[::2], c.labels[1::2]))
    assert "Hippocampus_L" not in c.labels and "Thalamus_R" not in c.labels
    assert c.labels[:2] == ("Precentral_L", "Precentral_R")
    # homotopic regions are further apart than neighbours on one side, on average
    homotopic = np.mean([L[2 * k, 2 * k + 1] for k in range(40)])
    assert 40 < homotopic < 200
    # the arrays cannot be changed by accident
    with pytest.raises(ValueError):
        W[0, 1] = 5.0


def test_delays_and_network_from_the_connectome():
    c = load_connectome("hcp80")
    D = c.delays(speed=5.0)
    assert np.allclose(D, c.lengths / 5.0) and np.all(np.diag(D) == 0)
    net = c.network(nma.get_model("wilson_cowan"), speed=5.0, params={"K": 0.2})
    assert net.n_nodes == 80 and net.labels == c.labels
    assert np.allclose(net.delays(), D) and np.allclose(net.delays(speed=2.0), c.lengths / 2)
    assert np.allclose(net.weights, c.weights)
    undelayed = c.network(nma.get_model("wilson_cowan"))
    assert np.all(undelayed.delays() == 0)
    with pytest.raises(OptionsError, match="`speed` must be a positive"):
        c.delays(speed=0.0)


def test_to_dataset_is_labelled():
    ds = load_connectome().to_dataset()
    assert ds["weights"].dims == ("node", "node_other")
    assert ds["lengths"].attrs["units"] == "mm"
    for v in (*ds.data_vars, *ds.coords):
        assert "long_name" in ds[v].attrs
    assert ds["label"].values[1] == "Precentral_R"


@pytest.mark.parametrize("wkey, lkey", [("Cmat", "Dmat"), ("weights", "lengths"),
                                        ("SC", "tract_lengths"), ("cmat", "distances")])
def test_npz_keys_are_guessed(tmp_path, wkey, lkey):
    W, L = _pair()
    f = tmp_path / "c.npz"
    np.savez(f, **{wkey: W, lkey: L, "labels": np.array(list("abcde"))})
    c = load_connectome(f)
    assert np.array_equal(c.weights, W) and np.array_equal(c.lengths, L)
    assert c.labels == tuple("abcde") and c.name == "c"


def test_mat_file_with_dti_names_and_cell_labels(tmp_path):
    W, L = _pair(4)
    f = tmp_path / "subject.mat"
    cells = np.empty((4, 1), dtype=object)
    cells[:, 0] = ["lh.a", "rh.a", "lh.b", "rh.b"]
    scipy.io.savemat(f, {"DTI_CM": W, "DTI_LEN": L, "region_labels": cells})
    c = load_connectome(f)
    assert np.allclose(c.weights, W) and np.allclose(c.lengths, L)
    assert c.labels == ("lh.a", "rh.a", "lh.b", "rh.b")
    # explicit keys, normalisation and a zeroed diagonal
    scipy.io.savemat(f, {"A": W + np.eye(4), "B": L})
    c = load_connectome(f, weights_key="A", lengths_key="B", normalize="max",
                        zero_diagonal=True)
    assert np.allclose(np.diag(c.weights), 0)
    assert np.allclose(c.weights[~np.eye(4, dtype=bool)],
                       (W / (W + np.eye(4)).max())[~np.eye(4, dtype=bool)])


def test_a_single_unnamed_matrix_is_the_weights(tmp_path):
    W, L = _pair(3)
    f = tmp_path / "x.mat"
    scipy.io.savemat(f, {"connections_of_subject_7": W})
    assert np.allclose(load_connectome(f).weights, W)
    assert load_connectome(f).lengths is None
    # lengths found by name, the one other square matrix is the weights
    scipy.io.savemat(f, {"subject7": W, "Dmat": L})
    c = load_connectome(f)
    assert np.allclose(c.weights, W) and np.allclose(c.lengths, L)
    scipy.io.savemat(f, {"Dmat": L})
    with pytest.raises(OptionsError, match="no weights found"):
        load_connectome(f)


def test_npy_csv_txt_with_lengths_from_a_second_file(tmp_path):
    W, L = _pair(6)
    np.save(tmp_path / "w.npy", W)
    np.save(tmp_path / "l.npy", L)
    c = load_connectome(tmp_path / "w.npy", lengths=tmp_path / "l.npy", length_units="mm")
    assert np.array_equal(c.weights, W) and np.array_equal(c.lengths, L)
    assert c.labels == tuple("012345") and c.length_units == "mm"
    labels = [f"r{i}" for i in range(6)]
    (tmp_path / "w.csv").write_text(",".join(labels) + "\n" + "\n".join(
        ",".join(repr(float(x)) for x in row) for row in W) + "\n")
    np.savetxt(tmp_path / "l.txt", L)
    c = load_connectome(str(tmp_path / "w.csv"), lengths=str(tmp_path / "l.txt"))
    assert np.array_equal(c.weights, W) and np.allclose(c.lengths, L, rtol=1e-15)
    assert c.labels == tuple(labels)
    c = load_connectome(tmp_path / "w.csv", lengths=L, labels=list("abcdef"))
    assert c.labels == tuple("abcdef")


def test_errors_name_the_file_and_key(tmp_path):
    W, L = _pair(4)
    f = tmp_path / "bad.npz"
    np.savez(f, Cmat=W, Dmat=L[:3, :3])
    with pytest.raises(OptionsError, match=r"bad.npz` key 'Dmat' \(lengths\).*must match"):
        load_connectome(f)
    Wn = W.copy()
    Wn[1, 2] = np.nan
    np.savez(f, Cmat=Wn)
    with pytest.raises(OptionsError, match=r"key 'Cmat' \(weights\): must be finite; "
                                           r"entry \(1, 2\)"):
        load_connectome(f)
    np.savez(f, Cmat=np.ones((4, 3)))
    with pytest.raises(OptionsError, match=r"key 'Cmat'.*square"):
        load_connectome(f)
    np.savez(f, A=W, B=L)
    with pytest.raises(OptionsError, match=r"no weights found.*weights_key="):
        load_connectome(f)
    with pytest.raises(OptionsError, match=r"has no key 'Q'"):
        load_connectome(f, weights_key="Q")
    np.savez(f, Cmat=W, Dmat=-L)
    with pytest.raises(OptionsError, match=r"lengths of 'bad' must be >= 0"):
        load_connectome(f)
    with pytest.raises(OptionsError, match="neither an embedded"):
        load_connectome(tmp_path / "missing.npz")
    (tmp_path / "c.json").write_text("{}")
    with pytest.raises(OptionsError, match="unsupported format '.json'"):
        load_connectome(tmp_path / "c.json")
    (tmp_path / "c.csv").write_text("1,2\n3,x\n")
    with pytest.raises(OptionsError, match="c.csv`: not a numeric matrix"):
        load_connectome(tmp_path / "c.csv")
    with pytest.raises(OptionsError, match="labels for 80 regions"):
        load_connectome(labels=["a", "b"])
    with pytest.raises(OptionsError, match="`normalize` must be"):
        load_connectome(normalize="sum")
    np.save(tmp_path / "w.npy", W)
    with pytest.raises(OptionsError, match="keys only apply"):
        load_connectome(tmp_path / "w.npy", weights_key="Cmat")
