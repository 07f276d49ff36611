"""Sub-commands of the command line kept in their own modules.

Each module named in :data:`COMMANDS` has ``register(sub)``, which adds its
sub-parser(s) to the ``argparse`` sub-parsers object and sets ``func``.
Modules must be cheap to import: heavy imports belong in the command function.
"""

COMMANDS: tuple[str, ...] = ("basins", "regimes")
