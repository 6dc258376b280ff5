"""A words-per-batch batcher whose size schedule advances on every batch, whatever the Doc length.

spaCy's ``batch_by_words`` yields a Doc longer than the current target size (plus tolerance) in a
batch of its own and does not advance the size schedule for that batch. With paragraph- or
article-sized Docs and ``compounding`` starting at 100 words, the target never grows: every batch
of the whole training is one Doc. ``minibatch_by_words`` here is spaCy's algorithm with one
change: every batch it yields, including a lone oversized Doc, takes the next size from the
schedule. On Docs shorter than the target it yields exactly spaCy's batches; on longer Docs the
target keeps growing until several Docs fit in a batch.
"""

import itertools
from typing import Callable, Iterable, Iterator, List, Optional, TypeVar, Union

from .errors import Errors

ItemT = TypeVar("ItemT")
Sizing = Union[int, Iterable[int]]
BatcherT = Callable[[Iterable[ItemT]], Iterable[List[ItemT]]]


def configure_batch_by_words(
    *,
    size: Sizing,
    tolerance: float = 0.2,
    discard_oversize: bool = False,
    get_length: Optional[Callable[[ItemT], int]] = None,
) -> BatcherT:
    """Batches of about ``size`` words, the schedule advancing on every batch.

    size: target words per batch, a number or a schedule (e.g. compounding.v1, 100 to 1000).
    tolerance: share of the target a batch may exceed it by (0.2).
    discard_oversize: drop Docs longer than the target plus tolerance instead of batching them
        alone (false: a user's long Docs are data).
    get_length: length of an item (default: ``len``, the Doc's tokens).
    """

    def batcher(items: Iterable[ItemT]) -> Iterable[List[ItemT]]:
        return minibatch_by_words(
            items,
            size,
            tolerance=tolerance,
            discard_oversize=discard_oversize,
            get_length=get_length or len,  # type: ignore[arg-type]
        )

    return batcher


def minibatch_by_words(
    items: Iterable[ItemT],
    size: Sizing,
    *,
    tolerance: float = 0.2,
    discard_oversize: bool = False,
    get_length: Callable[[ItemT], int] = len,  # type: ignore[assignment]
) -> Iterator[List[ItemT]]:
    """spaCy's ``minibatch_by_words``, except that a lone oversized item advances the schedule.

    Items are kept in order. A batch holds items up to the target; items that overflow it by at
    most ``tolerance`` wait for the next batch; an item longer than the target plus tolerance
    is a batch of its own (or dropped with ``discard_oversize``).
    """
    sizes: Iterator[int] = itertools.repeat(size) if isinstance(size, int) else iter(size)

    def next_target() -> float:
        target = next(sizes)
        if target < 1:
            raise ValueError(Errors.E041.format(size=target))
        return target

    # target + target * tolerance, as spaCy writes it, so the float comparisons give its batches.
    target = next_target()
    batch: List[ItemT] = []
    overflow: List[ItemT] = []
    batch_size = 0
    overflow_size = 0
    for item in items:
        n_words = get_length(item)
        if n_words > target + target * tolerance:
            if not discard_oversize:
                yield [item]
                target = next_target()
            continue
        place = _place(n_words, batch_size, overflow_size, target, tolerance)
        if place == "full":
            # Yield the batch; its overflow starts the next one, and the item tries again there.
            if batch:
                yield batch
            target = next_target()
            batch, batch_size = overflow, overflow_size
            overflow, overflow_size = [], 0
            place = _place(n_words, batch_size, overflow_size, target, tolerance)
            if place == "full":
                if batch:
                    yield batch
                target = next_target()
                batch, batch_size, place = [], 0, "batch"
        if place == "batch":
            batch.append(item)
            batch_size += n_words
        else:
            overflow.append(item)
            overflow_size += n_words
    batch.extend(overflow)
    if batch:
        yield batch


def _place(
    n_words: int, batch_size: int, overflow_size: int, target: float, tolerance: float
) -> str:
    """Where an item goes, as spaCy decides it: "batch", "overflow" or "full" (yield first)."""
    if overflow_size == 0 and batch_size + n_words <= target:
        return "batch"
    if batch_size + overflow_size + n_words <= target + target * tolerance:
        return "overflow"
    return "full"
