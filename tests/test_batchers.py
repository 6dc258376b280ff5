import random

import pytest
from spacy.training.batchers import minibatch_by_words as spacy_minibatch_by_words
from spacy.util import registry
from thinc.api import compounding

from spacy_glove_bilstm.batchers import minibatch_by_words


def _lengths(batches):
    return [[len(item) for item in batch] for batch in batches]


def test_short_docs_get_spacys_batches():
    items = [[0] * n for n in [5, 17, 30, 2, 25, 40, 11, 9, 33, 21] * 30]
    ours = minibatch_by_words(items, compounding(40.0, 400.0, 1.05), tolerance=0.2)
    spacys = spacy_minibatch_by_words(items, compounding(40.0, 400.0, 1.05), tolerance=0.2)
    assert _lengths(ours) == _lengths(spacys)


@pytest.mark.parametrize("seed,tolerance", [(0, 0.0), (1, 0.2), (2, 0.5)])
def test_random_docs_within_the_target_get_spacys_batches(seed, tolerance):
    # Every item fits the first target, so no lone oversized batch: both must agree exactly,
    # including when the overflow of one batch does not fit the next.
    rng = random.Random(seed)
    items = [[0] * rng.randint(1, 30) for _ in range(2000)]
    ours = minibatch_by_words(items, compounding(30.0, 300.0, 1.01), tolerance=tolerance)
    spacys = spacy_minibatch_by_words(items, compounding(30.0, 300.0, 1.01), tolerance=tolerance)
    assert _lengths(ours) == _lengths(spacys)


def test_long_docs_advance_the_schedule_until_they_share_batches():
    items = [[0] * 194 for _ in range(40)]
    spacys = _lengths(spacy_minibatch_by_words(items, compounding(100.0, 1000.0, 1.5)))
    assert all(len(batch) == 1 for batch in spacys)  # the target stays at 100
    ours = _lengths(minibatch_by_words(items, compounding(100.0, 1000.0, 1.5)))
    assert sum(map(len, ours)) == 40 and [len(b) for b in ours[:2]] == [1, 1]
    assert max(len(batch) for batch in ours) >= 4


def test_registered_batcher_discards_oversize_and_checks_sizes():
    make = registry.batchers.get("spacy_glove_bilstm.BatchByWords.v1")
    items = [[0] * n for n in (3, 50, 4, 5)]
    assert _lengths(make(size=10, discard_oversize=True)(items)) == [[3, 4, 5]]
    assert _lengths(make(size=10)(items)) == [[50], [3, 4, 5]]
    with pytest.raises(ValueError, match="E041"):
        list(make(size=0)(items))
