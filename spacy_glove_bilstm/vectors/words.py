"""The words of a vector file, held compactly (``WordList``), and their spaCy keys.

A file of 400,000 words or more is never held as Python strings, and its keys are the ids
spaCy's ``StringStore`` gives them, computed without adding the words to a store.
"""

from typing import Iterator, List, Sequence, Union

import numpy
from spacy.strings import get_string_id


class WordList:
    """Words in one UTF-8 buffer with start and end offsets.

    A tenth of the memory of as many Python strings or entries in spaCy's ``StringStore``,
    which matters next to a 50d table: 400,000 GloVe words take 3 MB here, 69 MB there.
    """

    def __init__(
        self, buffer: Union[bytes, bytearray], starts: numpy.ndarray, ends: numpy.ndarray
    ) -> None:
        self.buffer = buffer
        self.starts = starts
        self.ends = ends

    @classmethod
    def from_lines(cls, buffer: Union[bytes, bytearray]) -> "WordList":
        """The words of a buffer in which every word ends with a newline."""
        ends = numpy.flatnonzero(numpy.frombuffer(buffer, dtype=numpy.uint8) == 10)
        starts = numpy.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
        return cls(buffer, starts, ends)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> str:
        return self.buffer[self.starts[i] : self.ends[i]].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        for batch in self.batches():
            yield from batch

    def batches(self, size: int = 1 << 16) -> Iterator[List[str]]:
        """The words as lists of at most ``size`` strings, so only a batch is ever decoded."""
        for start in range(0, len(self), size):
            bounds = zip(
                self.starts[start : start + size].tolist(), self.ends[start : start + size].tolist()
            )
            yield [self.buffer[s:e].decode("utf-8") for s, e in bounds]

    def take(self, index: Union[numpy.ndarray, slice]) -> "WordList":
        """The words at ``index`` (an index array or a slice), sharing this buffer."""
        return WordList(self.buffer, self.starts[index], self.ends[index])


def string_ids(words: Sequence[str]) -> numpy.ndarray:
    """spaCy's ORTH ids of ``words``: their hashes, or the symbol id for words that are also
    spaCy symbols (e.g. "case", "root"), exactly as ``StringStore.add`` returns them."""
    return numpy.fromiter(map(get_string_id, words), dtype=numpy.uint64, count=len(words))
