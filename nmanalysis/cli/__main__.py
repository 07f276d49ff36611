"""``python -m nmanalysis.cli``: the same as ``python -m nmanalysis``."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
