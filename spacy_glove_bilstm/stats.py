"""Mean and standard deviation: the one implementation the logger, the plot and the benchmarks use.

Batch losses within an epoch are a whole population (ddof 0); scores over seeds are a sample of
the seeds one could have run (ddof 1).
"""

import math
from typing import Sequence, Tuple


def mean_std(values: Sequence[float], *, ddof: int = 0) -> Tuple[float, float]:
    """Mean and standard deviation of ``values``; (0.0, 0.0) without values.

    values (Sequence[float]): The numbers.
    ddof (int): Delta degrees of freedom: 0 for a population, 1 for a sample. With no more
        values than ``ddof``, the standard deviation is 0.0.
    """
    if not values:
        return 0.0, 0.0
    mean = math.fsum(values) / len(values)
    if len(values) <= ddof:
        return mean, 0.0
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - ddof))
