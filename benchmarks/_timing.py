"""Timing for the benchmarks: the median wall-clock time of a call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(call: Callable[[], object], repeats: int, warmups: int = 1) -> float:
    """Median wall-clock milliseconds of `call()` over `repeats` runs, after `warmups` runs."""
    for _ in range(warmups):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 4)
