"""Helpers the benchmark scripts share: bounded timing loops, percentiles in milliseconds, markdown tables."""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def timed_calls(call: Callable[[], object], count: int, max_seconds: float) -> list[float]:
    """Seconds taken by each of up to `count` calls of `call`, stopping early once `max_seconds` have passed."""
    durations = []
    deadline = time.perf_counter() + max_seconds
    while len(durations) < count and time.perf_counter() < deadline:
        start = time.perf_counter()
        call()
        durations.append(time.perf_counter() - start)
    return durations


def milliseconds(durations: list[float], percentile: float) -> float:
    return float(np.percentile(durations, percentile)) * 1000 if durations else float("nan")


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table whose columns also line up in a terminal."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (width + 2) for width in widths) + "|", *map(line, rows)])
