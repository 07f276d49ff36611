"""Shared test set-up: a private kernel cache for the whole session."""

import os

import pytest


def pytest_configure(config):
    # Reuse a stable cache between runs (compiling is slow); tests that need a
    # fresh cache make their own temporary directory.
    os.environ.setdefault("NMANALYSIS_CACHE_DIR",
                          os.path.join(os.path.expanduser("~"), ".cache", "nmanalysis-tests"))


@pytest.fixture(scope="session")
def fhn():
    import nmanalysis as nma
    return nma.get_model("fitzhugh_nagumo")


@pytest.fixture(scope="session")
def wc():
    import nmanalysis as nma
    return nma.get_model("wilson_cowan")
