"""Parse the text of a vector file: the header line, then blocks of rows into float32 rows.

GloVe has no header; word2vec and fastText text files start with ``ROWS DIMS``. A block whose
rows are all regular (a word without spaces, then exactly ``dims`` values) is parsed by numpy's
C parser in one call (``parse_regular``); any other block goes through the per-row parser
(``RowParser``), which accepts words that contain spaces (the last ``dims`` fields are the
vector) and names the file and line of a bad row in a coded error.
"""

import io
from typing import Iterator, List, Optional, Tuple

import numpy

from ..errors import Errors
from .source import VectorFileError
from .words import string_ids

MAX_EXAMPLES = 5
_SHOW_CHARS = 80

# A block's vectors, its words (UTF-8, each followed by a newline) and their string ids.
Parsed = Tuple[numpy.ndarray, bytes, numpy.ndarray]


def first_block(name: str, blocks: Iterator[Tuple[int, bytes]]) -> Tuple[int, bytes, int, int]:
    """The first block with text, cut to start at its first non-blank line: its offset, the
    block, that line's number and the number of blank lines skipped before it."""
    line_no = 1
    for offset, block in blocks:
        text = block.lstrip()
        if text:
            cut = block.rfind(b"\n", 0, len(block) - len(text)) + 1
            skipped = block.count(b"\n", 0, cut)
            return offset + cut, block[cut:], line_no + skipped, line_no - 1 + skipped
        line_no += block.count(b"\n")
    raise VectorFileError(Errors.E101.format(path=name))


def read_header(
    name: str, block: bytes, line_no: int
) -> Tuple[Optional[Tuple[int, int]], int, str, bytes, int]:
    """Split off a word2vec ``ROWS DIMS`` header, or infer the width from the first row.

    Returns the header, the width, where the width came from (for messages), the rest of the
    block and the number of its first line.
    """
    end = block.find(b"\n")
    first = block if end < 0 else block[:end]
    fields = first.split()
    if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
        rows, dims = int(fields[0]), int(fields[1])
        if dims < 1:
            raise VectorFileError(Errors.E111.format(path=name, text=_show(first)))
        origin = f"the header on line {line_no} says {dims}"
        rest = b"" if end < 0 else block[end + 1 :]
        return (rows, dims), dims, origin, rest, line_no + 1
    dims = len(fields) - 1
    if dims < 1:
        raise VectorFileError(Errors.E111.format(path=name, text=_show(first)))
    return None, dims, f"line {line_no} has {dims}", block, line_no


def _show(text: bytes) -> str:
    """A row for an error message: decoded leniently and cut to a readable length."""
    shown = text.decode("utf-8", "backslashreplace")
    return shown if len(shown) <= _SHOW_CHARS else shown[:_SHOW_CHARS] + "..."


def _is_number(text: bytes) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class RowParser:
    """The per-row path: parses rows one by one into (vectors, word hashes), counting what it
    skips, and raises the coded error for a bad row unless bad rows are skipped.

    name: the file, for messages.
    dims: the width of every row.
    origin: where the width came from, for messages ("line 1 has 50").
    lowercase: lowercase every word.
    skip_bad_rows: skip and count malformed rows instead of raising.
    """

    def __init__(
        self,
        name: str,
        dims: int,
        origin: str,
        *,
        lowercase: bool,
        skip_bad_rows: bool,
    ) -> None:
        self.name = name
        self.dims = dims
        self.origin = origin
        self.lowercase = lowercase
        self.skip_bad_rows = skip_bad_rows
        self.bad_rows_skipped = 0
        self.bad_row_examples: List[str] = []
        self.blank_lines = 0
        self.words_with_spaces = 0

    def parse_rows(self, block: bytes, first_line: int, wanted: int = -1) -> Parsed:
        """Parse a block of rows (``\\n`` line ends) whose first line is ``first_line``: words
        with spaces, blank lines, and the error for a bad row. Stops after ``wanted`` rows
        (-1: no limit)."""
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        values = numpy.empty((len(lines), self.dims), dtype=numpy.float32)
        words: List[str] = []
        for offset, line in enumerate(lines):
            text = line.rstrip()
            if not text:
                self.blank_lines += 1
                continue
            row = self._parse_row(text, first_line + offset)
            if row is not None:
                values[len(words)] = row[1]
                words.append(row[0])
                if len(words) == wanted:
                    break
        joined = "".join(word + "\n" for word in words).encode("utf-8")
        return values[: len(words)], joined, string_ids(words)

    def _parse_row(self, text: bytes, line: int) -> Optional[Tuple[str, numpy.ndarray]]:
        """Word and vector of one row (trailing whitespace removed), or None if skipped."""
        fields = text.rsplit(b" ", self.dims)
        where = {"path": self.name, "line": line, "text": _show(text), "dims": self.dims}
        if len(fields) <= self.dims:
            return self._bad(Errors.E105.format(found=len(fields) - 1, origin=self.origin, **where))
        word_bytes = fields[0]
        if not word_bytes:
            return self._bad(Errors.E110.format(**where))
        if b" " in word_bytes:
            # A word that ends in a number is far more often a row with too many values (or a
            # wrong header) than a real multi-word token such as 840B's ". . .".
            extra = word_bytes.split(b" ")
            if _is_number(extra[-1]):
                found = self.dims + len(extra) - 1
                return self._bad(Errors.E105.format(found=found, origin=self.origin, **where))
        try:
            word = word_bytes.decode("utf-8")
        except UnicodeDecodeError as err:
            problem = f"byte {word_bytes[err.start]:#04x} at position {err.start}"
            return self._bad(Errors.E108.format(err=problem, **where))
        try:
            vector = numpy.asarray(fields[1:], dtype=numpy.float32)
        except ValueError:
            column = next(i for i, value in enumerate(fields[1:], 1) if not _is_number(value))
            value = _show(fields[column])
            return self._bad(Errors.E106.format(column=column, value=value, **where))
        finite = numpy.isfinite(vector)
        if not finite.all():
            column = int(numpy.argmin(finite)) + 1
            value = _show(fields[column])
            return self._bad(Errors.E107.format(column=column, value=value, **where))
        if b" " in word_bytes:
            self.words_with_spaces += 1
        return (word.lower() if self.lowercase else word), vector

    def _bad(self, message: str) -> Optional[Tuple[str, numpy.ndarray]]:
        """Raise the error for a bad row, or count it and return None (skip the row)."""
        if not self.skip_bad_rows:
            raise VectorFileError(message)
        self.bad_rows_skipped += 1
        if len(self.bad_row_examples) < MAX_EXAMPLES:
            self.bad_row_examples.append(message)
        return None


def parse_regular(block: bytes, dims: int, lowercase: bool) -> Optional[Parsed]:
    """The fast path, or None when any row is not plain ``word v1 ... vN`` and valid.

    A module-level function, so worker processes can run it."""
    if not block:
        return numpy.empty((0, dims), numpy.float32), b"", numpy.empty((0,), numpy.uint64)
    n_rows = block.count(b"\n") + (not block.endswith(b"\n"))
    # loadtxt fails on a row with fewer than `dims` spaces, so exactly n_rows * dims spaces
    # in all means exactly `dims` in every row: a word without spaces, then the values.
    if block.count(b" ") != n_rows * dims:
        return None
    try:
        values = numpy.loadtxt(
            io.BytesIO(block),
            dtype=numpy.float32,
            delimiter=" ",
            usecols=list(range(1, dims + 1)),
            comments=None,
            quotechar=None,
            encoding="latin1",
            ndmin=2,
        )
    except ValueError:
        return None
    if values.shape[0] != n_rows or not numpy.isfinite(values).all():
        return None  # loadtxt skips blank lines
    ends = numpy.flatnonzero(numpy.frombuffer(block, dtype=numpy.uint8) == 10)
    words = [block[s : block.find(b" ", s)] for s in [0, *(ends[: n_rows - 1] + 1).tolist()]]
    if not all(words):
        return None
    joined = b"\n".join(words)
    try:
        text = joined.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if lowercase:
        text = text.lower()
        joined = text.encode("utf-8")
    return values, joined + b"\n", string_ids(text.split("\n"))


def unix_lines(block: bytes) -> bytes:
    """The block with ``\\r\\n`` line ends made ``\\n``."""
    return block.replace(b"\r\n", b"\n") if b"\r" in block else block
