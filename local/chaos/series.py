"""Trends of the load runs' samples over time."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

# Fewer points than this give no trend: the slope is taken as flat.
MIN_POINTS = 3


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points: how much the value grows per second."""
    if len(points) < MIN_POINTS:
        return 0.0
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs) or 1.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / denominator
