"""Shared test set-up: a private kernel cache for the whole session."""

import os

import pytest
from hypothesis import settings

# The fuzz tests draw the same examples on every run by default, so that the
# suite (and CI) is reproducible; NMANALYSIS_FUZZ=explore draws new ones each
# run (with more of them) to look for new failures.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000)
settings.load_profile("explore" if os.environ.get("NMANALYSIS_FUZZ") == "explore"
                      else "repeatable")


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
