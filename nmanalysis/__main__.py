"""``python -m nmanalysis``: the command line (see :mod:`nmanalysis.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
