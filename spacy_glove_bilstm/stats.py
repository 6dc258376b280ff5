"""Mean and standard deviation: the one implementation the logger, the plot and the benchmarks use.

Batch losses within an epoch are a whole population (ddof 0); scores over seeds are a sample of
the seeds one could have run (ddof 1). The arithmetic is the standard library's ``statistics``.
"""

import statistics
from typing import Sequence, Tuple


def mean_std(values: Sequence[float], *, ddof: int = 0) -> Tuple[float, float]:
    """Mean and standard deviation of ``values``; (0.0, 0.0) without values.

    values (Sequence[float]): The numbers.
    ddof (int): 0 for a population, 1 for a sample. With no more values than ``ddof``, the
        standard deviation is 0.0.
    """
    if ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 (population) or 1 (sample), got {ddof}")
    if not values:
        return 0.0, 0.0
    mean = statistics.fmean(values)
    if len(values) <= ddof:
        return mean, 0.0
    spread = statistics.pstdev if ddof == 0 else statistics.stdev
    return mean, spread(values, mean)
