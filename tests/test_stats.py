import statistics

import pytest

from spacy_glove_bilstm.stats import mean_std


def test_population_and_sample_spread() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    assert mean_std(values) == (5.0, 2.0)
    mean, std = mean_std(values, ddof=1)
    assert (mean, std) == (5.0, pytest.approx(statistics.stdev(values)))


def test_too_few_values() -> None:
    assert mean_std([]) == (0.0, 0.0)
    assert mean_std([3.5], ddof=1) == (3.5, 0.0)
