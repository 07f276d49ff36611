"""Run a GIL-free kernel over row ranges of a batch on all cores, with a progress bar.

The compiled drivers take a row range ``[lo, hi)`` and release the GIL, so
plain threads run them in parallel on disjoint columns of shared arrays.
Splitting the batch into more pieces than threads balances the load (rows
differ in cost for adaptive methods) and lets a progress bar advance.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from ..progress import progress_bar

__all__ = ["run_pieces", "n_threads"]


def n_threads() -> int:
    """Worker threads: ``$NMANALYSIS_NUM_THREADS`` or the number of usable cores."""
    env = os.environ.get("NMANALYSIS_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _edges(B: int, pieces: int) -> list[tuple[int, int]]:
    step = -(-B // pieces)
    return [(lo, min(B, lo + step)) for lo in range(0, B, step)]


def run_pieces(fn, B: int, work_per_row: float, progress, desc: str,
               chunk: int | None = None) -> None:
    """Call ``fn(lo, hi)`` over pieces covering ``range(B)``, in parallel threads.

    Small jobs run in one call per thread; long ones (more than ~1e8 row-steps)
    are cut finer and show a progress bar unless ``progress`` is False.
    With ``chunk``, the pieces are ``chunk`` rows each (``work_per_row`` is then
    unused) and the bar follows ``progress`` alone (``None``: on a terminal).
    """
    if chunk is None:
        threads = min(n_threads(), max(1, B // 64))
        show = B * work_per_row > 1e8 and progress is not False
        pieces = threads * (8 if show else 1)
        edges = _edges(B, max(1, min(pieces, B)))
    else:
        edges = [(lo, min(B, lo + chunk)) for lo in range(0, B, chunk)]
        threads = min(n_threads(), len(edges))
        show = True
    bar = progress_bar(B, desc, progress, unit="traj") if show else None
    try:
        if threads <= 1:
            for lo, hi in edges:
                fn(lo, hi)
                if bar is not None:
                    bar.update(hi - lo)
            return
        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [(pool.submit(fn, lo, hi), hi - lo) for lo, hi in edges]
            for fut, size in futures:
                fut.result()
                if bar is not None:
                    bar.update(size)
    finally:
        if bar is not None:
            bar.close()
