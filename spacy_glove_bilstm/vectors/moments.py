"""Per-dimension mean and standard deviation of a vector file, merged block by block.

The OOV sampler draws from the mean and std of every row read (before pruning), so they are
computed while the file streams past, in float64, without holding the rows in float64.
"""

from typing import Tuple

import numpy


class Moments:
    """Per-dimension mean and variance over blocks of rows, in float64 (Chan et al.'s merge),
    so the statistics cover every row read without holding them in float64."""

    def __init__(self, dims: int) -> None:
        self.n = 0
        self.mean = numpy.zeros((dims,), dtype=numpy.float64)
        self.m2 = numpy.zeros((dims,), dtype=numpy.float64)

    @classmethod
    def of(cls, rows: numpy.ndarray) -> "Moments":
        """The moments of one block of rows."""
        moments = cls(rows.shape[1])
        if len(rows):
            moments.n = len(rows)
            moments.mean = rows.mean(axis=0, dtype=numpy.float64)
            centered = rows - moments.mean
            moments.m2 = numpy.einsum("ij,ij->j", centered, centered)
        return moments

    def merge(self, other: "Moments") -> None:
        """Add the rows ``other`` describes."""
        if other.n == 0:
            return
        delta = other.mean - self.mean
        total = self.n + other.n
        self.mean += delta * (other.n / total)
        self.m2 += other.m2 + delta**2 * (self.n * other.n / total)
        self.n = total

    def result(self) -> Tuple[numpy.ndarray, numpy.ndarray]:
        """Mean and population standard deviation."""
        return self.mean.copy(), numpy.sqrt(self.m2 / max(self.n, 1))
