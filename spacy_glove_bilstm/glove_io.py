"""Stream GloVe and word2vec text vector files into one float32 table, fast and strictly.

Stanford publishes GloVe as text (up to 5.6 GB for 840B), often inside a .zip or gzipped;
word2vec and fastText text files add a ``ROWS DIMS`` header line. The file is read once, in
blocks of a few MB, so the text is never in memory as a whole and a header-less file is not
read twice. A block whose rows are all regular (a word without spaces, then exactly ``dims``
values) is parsed by numpy's C parser in one call; any other block goes through the per-row
parser, which accepts words that contain spaces (the last ``dims`` fields are the vector) and
names the file and line of a bad row in a coded error.
"""

import gzip
import io
import itertools
import os
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Deque, Iterator, List, Optional, Sequence, Tuple, Union, cast

import numpy
from spacy.strings import get_string_id
from tqdm import tqdm

from .errors import Errors

BLOCK_BYTES = 2 << 20
PROGRESS_MIN_BYTES = 8 << 20
# Files this large are parsed in worker processes (one per core, at most 4).
PARALLEL_MIN_BYTES = 64 << 20
TEXT_MEMBER_SUFFIXES = (".txt", ".vec")
MAX_EXAMPLES = 5
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_SHOW_CHARS = 80


# A block's vectors, its words (UTF-8, each followed by a newline) and their string ids.
Parsed = Tuple[numpy.ndarray, bytes, numpy.ndarray]


class VectorFileError(ValueError):
    """A vector file that cannot be read; the message names the file, the line and the fix."""


@dataclass
class VectorStream:
    """An opened vector file: its decompressed byte stream and how far through the file it is.

    name: the file for messages, ``archive.zip:member.txt`` for a zip member.
    kind: "text", "gzip" or "zip".
    stream: the text as bytes, decompressed.
    file_bytes: size of the file on disk, which ``position`` runs up to (for the progress bar).
    text_bytes: size of the decompressed text when known without reading it, else None.
    position: bytes of the file on disk read so far.
    """

    name: str
    kind: str
    stream: IO[bytes]
    file_bytes: int
    text_bytes: Optional[int]
    position: Callable[[], int]


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


@dataclass
class VectorTable:
    """The rows of a vector file: one per unique word in file order, and what reading found.

    data: (rows, dims) float32 vectors.
    words: the words of the rows.
    keys: (rows,) uint64 spaCy string ids of the words (their ORTH values).
    mean, std: float64 per-dimension mean and (population) std over all ``rows_read`` rows.
    rows_read: valid rows read (duplicates included, bad rows and blank lines not).
    """

    source: str
    data: numpy.ndarray
    words: WordList
    keys: numpy.ndarray
    mean: numpy.ndarray
    std: numpy.ndarray
    rows_read: int
    header: Optional[Tuple[int, int]] = None
    duplicates: int = 0
    duplicate_examples: List[str] = field(default_factory=list)
    bad_rows_skipped: int = 0
    bad_row_examples: List[str] = field(default_factory=list)
    blank_lines: int = 0
    words_with_spaces: int = 0

    @property
    def dims(self) -> int:
        return int(self.data.shape[1])


@contextmanager
def open_vector_file(
    path: Union[str, Path], member: Optional[str] = None
) -> Iterator[VectorStream]:
    """Open a plain, gzipped or zipped vector text file for streaming; the format is sniffed
    from the first bytes, not the file name.

    path: the file.
    member: for a zip with several text members, the one to read (full or base name).
    """
    path = Path(path)
    if path.is_dir():
        raise VectorFileError(Errors.E119.format(path=path))
    if not path.exists():
        raise VectorFileError(Errors.E100.format(path=path))
    size = path.stat().st_size
    with ExitStack() as stack:
        raw = stack.enter_context(path.open("rb"))
        magic = raw.read(4)
        raw.seek(0)
        if magic.startswith(_GZIP_MAGIC):
            unzipped = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
            yield VectorStream(str(path), "gzip", cast(IO[bytes], unzipped), size, None, raw.tell)
        elif magic == _ZIP_MAGIC:
            try:
                archive = stack.enter_context(zipfile.ZipFile(raw))
            except zipfile.BadZipFile as err:
                raise VectorFileError(Errors.E116.format(path=path, kind="zip", err=err)) from None
            info = _choose_member(path, archive, member)
            stream = stack.enter_context(archive.open(info))
            name = f"{path}:{info.filename}"
            yield VectorStream(name, "zip", stream, size, info.file_size, raw.tell)
        else:
            yield VectorStream(str(path), "text", raw, size, size, raw.tell)


def read_vector_file(
    path: Union[str, Path],
    *,
    member: Optional[str] = None,
    limit: int = 0,
    lowercase: bool = False,
    skip_bad_rows: bool = False,
    progress: bool = True,
) -> VectorTable:
    """Read a GloVe or word2vec text file into a float32 table; the first row of a word wins.

    path: plain, .gz or .zip text file, with or without a ``ROWS DIMS`` header line.
    member: the zip member to read, when the archive holds several.
    limit: read only the first ``limit`` rows (0: all).
    lowercase: lowercase every word before de-duplicating (the first row of a form wins).
    skip_bad_rows: skip malformed rows and count them, instead of stopping at the first.
    progress: show a progress bar for files over a few MB.
    """
    if limit < 0:
        raise ValueError(Errors.E115.format(name="limit", value=limit))
    with open_vector_file(path, member) as source:
        blocks = _iter_blocks(source)
        block, line_no, blank = _first_block(source.name, blocks)
        header, dims, origin, block, line_no = _read_header(source.name, block, line_no)
        parser = _BlockParser(
            source.name, dims, origin, lowercase=lowercase, skip_bad_rows=skip_bad_rows
        )
        parser.blank_lines = blank
        table = _TableBuilder(dims, _capacity(source, header, block, limit))
        moments = _Moments(dims)
        bar = tqdm(
            total=source.file_bytes,
            unit="B",
            unit_scale=True,
            desc=Path(source.name).name,
            leave=False,
            disable=not progress or source.file_bytes < PROGRESS_MIN_BYTES,
        )
        limited = False
        with bar:
            workers = min(os.cpu_count() or 1, 4) if source.file_bytes >= PARALLEL_MIN_BYTES else 1
            parsed = parser.parse_blocks(itertools.chain([block], blocks), line_no, workers=workers)
            for rows, lines, keys in parsed:
                if limit and table.n + len(rows) >= limit:
                    rows, keys = rows[: limit - table.n], keys[: limit - table.n]
                    lines = b"".join(word + b"\n" for word in lines.split(b"\n")[: len(keys)])
                    limited = True
                table.append(rows, lines, keys)
                moments.update(rows)
                bar.update(source.position() - bar.n)
                if limited:
                    break
    if table.n == 0:
        raise VectorFileError(Errors.E101.format(path=source.name))
    rows_seen = table.n + parser.bad_rows_skipped
    if header is not None and not limited and rows_seen != header[0]:
        raise VectorFileError(
            Errors.E109.format(path=source.name, header_rows=header[0], rows=rows_seen)
        )
    data, words, keys = table.finish()
    n_read = len(keys)
    data, words, keys, duplicates = _drop_duplicates(data, words, keys)
    mean, std = moments.result()
    return VectorTable(
        source=source.name,
        data=data,
        words=words,
        keys=keys,
        mean=mean,
        std=std,
        rows_read=n_read,
        header=header,
        duplicates=n_read - len(keys),
        duplicate_examples=duplicates,
        bad_rows_skipped=parser.bad_rows_skipped,
        bad_row_examples=parser.bad_row_examples,
        blank_lines=parser.blank_lines,
        words_with_spaces=parser.words_with_spaces,
    )


def _choose_member(path: Path, archive: zipfile.ZipFile, member: Optional[str]) -> zipfile.ZipInfo:
    """The zip member to read: the one named, else the only text (.txt/.vec) member."""
    files = [info for info in archive.infolist() if not info.is_dir()]
    names = ", ".join(info.filename for info in files) or "nothing"
    if member is not None:
        for info in files:
            if member in (info.filename, PurePosixPath(info.filename).name):
                return info
        raise VectorFileError(Errors.E104.format(path=path, member=member, members=names))
    texts = [info for info in files if info.filename.lower().endswith(TEXT_MEMBER_SUFFIXES)]
    if not texts:
        raise VectorFileError(Errors.E102.format(path=path, members=names))
    if len(texts) > 1:
        members = ", ".join(info.filename for info in texts)
        example = PurePosixPath(texts[0].filename).name
        raise VectorFileError(Errors.E103.format(path=path, members=members, example=example))
    return texts[0]


def _iter_blocks(source: VectorStream) -> Iterator[bytes]:
    """Blocks of about BLOCK_BYTES that end at a line end (the last one may not)."""
    rest = b""
    while True:
        try:
            data = source.stream.read(BLOCK_BYTES)
        except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as err:
            if source.kind == "text":
                raise
            message = Errors.E116.format(path=source.name, kind=source.kind, err=err)
            raise VectorFileError(message) from None
        if not data:
            if rest:
                yield rest
            return
        data = rest + data if rest else data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]


def _first_block(name: str, blocks: Iterator[bytes]) -> Tuple[bytes, int, int]:
    """The first block with text, cut to start at its first non-blank line; that line's number
    and the number of blank lines skipped before it."""
    line_no = 1
    for block in blocks:
        text = block.lstrip()
        if text:
            cut = block.rfind(b"\n", 0, len(block) - len(text)) + 1
            skipped = block.count(b"\n", 0, cut)
            return block[cut:], line_no + skipped, line_no - 1 + skipped
        line_no += block.count(b"\n")
    raise VectorFileError(Errors.E101.format(path=name))


def _read_header(
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


def _capacity(
    source: VectorStream, header: Optional[Tuple[int, int]], block: bytes, limit: int
) -> int:
    """Rows to reserve: the header's count, else an estimate from the text size and the first
    block's line length, so the table rarely has to grow (growing briefly holds more memory)."""
    if header is not None:
        estimate = header[0]
    elif source.text_bytes is not None and block:
        per_line = len(block) / max(block.count(b"\n"), 1)
        estimate = int(source.text_bytes / per_line * 1.02) + 64
    else:
        estimate = 1 << 16
    return min(estimate, limit) if limit else estimate


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


class _BlockParser:
    """Parses blocks of rows into (vectors, word hashes), counting what it skips."""

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

    def parse_blocks(
        self, blocks: Iterator[bytes], first_line: int, *, workers: int = 1
    ) -> Iterator[Parsed]:
        """The rows of each block, in file order. A block the fast path refuses goes through
        the per-row path, so the first bad row of the file is the one reported. With
        ``workers > 1`` the fast path runs in that many processes, a few blocks ahead of the
        caller (memory stays a few blocks), since numpy's float parser holds one core."""
        if workers <= 1:
            line_no = first_line
            for block in blocks:
                block = _unix_lines(block)
                yield self._finish(block, line_no, _parse_regular(block, self.dims, self.lowercase))
                line_no += block.count(b"\n")
            return
        with ProcessPoolExecutor(workers) as pool:
            pending: Deque[Tuple[bytes, int, Future[Optional[Parsed]]]] = deque()
            line_no = first_line
            for block in blocks:
                block = _unix_lines(block)
                future = pool.submit(_parse_regular, block, self.dims, self.lowercase)
                pending.append((block, line_no, future))
                line_no += block.count(b"\n")
                if len(pending) > 2 * workers:
                    block, line, future = pending.popleft()
                    yield self._finish(block, line, future.result())
            while pending:
                block, line, future = pending.popleft()
                yield self._finish(block, line, future.result())

    def _finish(self, block: bytes, first_line: int, parsed: Optional[Parsed]) -> Parsed:
        return parsed if parsed is not None else self._parse_rows(block, first_line)

    def _parse_rows(self, block: bytes, first_line: int) -> Parsed:
        """The per-row path: words with spaces, blank lines, and the error for a bad row."""
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


def _parse_regular(block: bytes, dims: int, lowercase: bool) -> Optional[Parsed]:
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


def _unix_lines(block: bytes) -> bytes:
    return block.replace(b"\r\n", b"\n") if b"\r" in block else block


def string_ids(words: Sequence[str]) -> numpy.ndarray:
    """spaCy's ORTH ids of ``words``: their hashes, or the symbol id for words that are also
    spaCy symbols (e.g. "case", "root"), exactly as ``StringStore.add`` returns them."""
    return numpy.fromiter(map(get_string_id, words), dtype=numpy.uint64, count=len(words))


class _TableBuilder:
    """A float32 table, its words and key array, growing in place as blocks arrive.

    ``ndarray.resize`` reallocates without copying for large arrays (the kernel remaps the
    pages), so growing never holds the old and the new table at once.
    """

    def __init__(self, dims: int, capacity: int) -> None:
        capacity = max(capacity, 1)
        self.data = numpy.empty((capacity, dims), dtype=numpy.float32)
        self.keys = numpy.empty((capacity,), dtype=numpy.uint64)
        self.words = bytearray()
        self.n = 0

    def append(self, rows: numpy.ndarray, words: bytes, keys: numpy.ndarray) -> None:
        end = self.n + len(rows)
        if end > len(self.keys):
            capacity = max(end, int(len(self.keys) * 1.25) + 1024)
            self.data.resize((capacity, self.data.shape[1]), refcheck=False)
            self.keys.resize((capacity,), refcheck=False)
        self.data[self.n : end] = rows
        self.keys[self.n : end] = keys
        self.words += words
        self.n = end

    def finish(self) -> Tuple[numpy.ndarray, WordList, numpy.ndarray]:
        """The filled rows, their words and keys, with the spare capacity given back."""
        self.data.resize((self.n, self.data.shape[1]), refcheck=False)
        self.keys.resize((self.n,), refcheck=False)
        return self.data, WordList.from_lines(self.words), self.keys


def _drop_duplicates(
    data: numpy.ndarray, words: WordList, keys: numpy.ndarray
) -> Tuple[numpy.ndarray, WordList, numpy.ndarray, List[str]]:
    """Keep the first row of every key, compacting the table in place (no second copy).

    Returns the table, its words and keys, and the first few words whose later rows were dropped.
    """
    ordered = numpy.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():
        return data, words, keys, []
    del ordered
    _, first = numpy.unique(keys, return_index=True)
    keep = numpy.sort(first)
    dropped = numpy.ones(len(keys), dtype=bool)
    dropped[keep] = False
    examples = [words[int(i)] for i in numpy.flatnonzero(dropped)[:MAX_EXAMPLES]]
    step = max(1, (1 << 22) // max(data.shape[1], 1))
    # keep[i] >= i, so each slice reads only rows at or after the ones it overwrites.
    for start in range(0, len(keep), step):
        index = keep[start : start + step]
        data[start : start + len(index)] = data[index]
    keys[: len(keep)] = keys[keep]
    data.resize((len(keep), data.shape[1]), refcheck=False)
    keys.resize((len(keep),), refcheck=False)
    return data, words.take(keep), keys, examples


class _Moments:
    """Per-dimension mean and variance over blocks of rows, in float64 (Chan et al.'s merge),
    so the statistics cover every row read without holding them in float64."""

    def __init__(self, dims: int) -> None:
        self.n = 0
        self.mean = numpy.zeros((dims,), dtype=numpy.float64)
        self.m2 = numpy.zeros((dims,), dtype=numpy.float64)

    def update(self, rows: numpy.ndarray) -> None:
        k = len(rows)
        if k == 0:
            return
        block_mean = rows.mean(axis=0, dtype=numpy.float64)
        centered = rows - block_mean
        block_m2 = numpy.einsum("ij,ij->j", centered, centered)
        delta = block_mean - self.mean
        total = self.n + k
        self.mean += delta * (k / total)
        self.m2 += block_m2 + delta**2 * (self.n * k / total)
        self.n = total

    def result(self) -> Tuple[numpy.ndarray, numpy.ndarray]:
        """Mean and population standard deviation."""
        return self.mean.copy(), numpy.sqrt(self.m2 / max(self.n, 1))
