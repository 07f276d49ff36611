"""One progress-bar switch used everywhere (tqdm under the hood)."""

from __future__ import annotations

__all__ = ["progress_bar"]


def progress_bar(total: int, desc: str, progress=None, unit: str = "it"):
    """A tqdm bar, or a silent stand-in.

    ``progress=True`` always shows the bar, ``False`` never, ``None`` shows it
    only when standard error is a terminal.
    """
    from tqdm.auto import tqdm

    disable = {True: False, False: True, None: None}.get(progress, None)
    return tqdm(total=total, desc=desc, disable=disable, unit=unit, leave=False)
