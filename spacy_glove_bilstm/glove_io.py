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
import tempfile
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import (
    IO,
    Callable,
    Deque,
    Generator,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
)

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
# A parsed block once its vectors are in the table: its words, keys and their moments.
_Rows = Tuple[bytes, numpy.ndarray, "_Moments"]
# The same with the table slot of its first row.
BlockRows = Tuple[int, bytes, numpy.ndarray, "_Moments"]


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
    table_path: Optional[Union[str, Path]] = None,
) -> VectorTable:
    """Read a GloVe or word2vec text file into a float32 table; the first row of a word wins.

    path: plain, .gz or .zip text file, with or without a ``ROWS DIMS`` header line.
    member: the zip member to read, when the archive holds several.
    limit: read only the first ``limit`` rows (0: all).
    lowercase: lowercase every word before de-duplicating (the first row of a form wins).
    skip_bad_rows: skip malformed rows and count them, instead of stopping at the first.
    progress: show a progress bar for files over a few MB.
    table_path: build the table in this ``.npy`` file and return it memory-mapped (what
        ``init-vectors`` does: the file becomes the pipeline's ``vocab/vectors``). None: build it
        in a temporary file and return it in memory.
    """
    if limit < 0:
        raise ValueError(Errors.E115.format(name="limit", value=limit))
    with ExitStack() as stack:
        if table_path is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="glove-table-"))
            target = Path(folder) / "table.npy"
        else:
            target = Path(table_path)
        try:
            table = _read_into(
                Path(path), target, member, limit, lowercase, skip_bad_rows, progress
            )
        except BaseException:
            target.unlink(missing_ok=True)  # nothing half-written stays behind
            raise
        if table_path is None:
            table.data = numpy.load(target)
        return table


def _read_into(
    path: Path,
    target: Path,
    member: Optional[str],
    limit: int,
    lowercase: bool,
    skip_bad_rows: bool,
    progress: bool,
) -> VectorTable:
    """``read_vector_file`` with the table built in ``target``, returned memory-mapped."""
    with open_vector_file(path, member) as source:
        big = source.file_bytes >= PARALLEL_MIN_BYTES
        # Workers get blocks 4 times larger: fewer tasks, the same few blocks in flight.
        blocks = _iter_blocks(source, BLOCK_BYTES * (4 if big else 1))
        offset, block, line_no, blank = _first_block(source.name, blocks)
        header, dims, origin, rest, line_no = _read_header(source.name, block, line_no)
        offset += len(block) - len(rest)
        parser = _BlockParser(
            source.name, dims, origin, lowercase=lowercase, skip_bad_rows=skip_bad_rows
        )
        parser.blank_lines = blank
        table = TableFile.create(target, dims)
        moments = _Moments(dims)
        runs: List[Tuple[int, int]] = []
        word_parts: List[bytes] = []
        key_parts: List[numpy.ndarray] = []
        n_rows = 0
        bar = tqdm(
            total=source.file_bytes,
            unit="B",
            unit_scale=True,
            desc=Path(source.name).name,
            leave=False,
            disable=not progress or source.file_bytes < PROGRESS_MIN_BYTES,
        )
        parsed = parser.parse_blocks(
            itertools.chain([(offset, rest)], blocks),
            line_no,
            table,
            plain_file=str(path) if source.kind == "text" else None,
            workers=min(os.cpu_count() or 1, 4) if big else 1,
            limit=limit,
        )
        # closing: the workers stop before the table is finished, also on a limit or an error
        with bar, closing(parsed):
            for slot, words, keys, block_moments in parsed:  # stops at the limit
                runs.append((slot, len(keys)))
                word_parts.append(words)
                key_parts.append(keys)
                moments.merge(block_moments)
                n_rows += len(keys)
                bar.update(source.position() - bar.n)
    limited = 0 < limit <= n_rows
    if n_rows == 0:
        raise VectorFileError(Errors.E101.format(path=source.name))
    rows_seen = n_rows + parser.bad_rows_skipped
    if header is not None and not limited and rows_seen != header[0]:
        raise VectorFileError(
            Errors.E109.format(path=source.name, header_rows=header[0], rows=rows_seen)
        )
    all_keys = numpy.concatenate(key_parts)
    word_list = WordList.from_lines(b"".join(word_parts))
    slots = _slots(runs)
    first = _first_occurrences(all_keys)
    duplicates: List[str] = []
    if first is not None:
        dropped = numpy.ones(len(all_keys), dtype=bool)
        dropped[first] = False
        duplicates = [word_list[int(i)] for i in numpy.flatnonzero(dropped)[:MAX_EXAMPLES]]
        all_keys, word_list = all_keys[first], word_list.take(first)
        slots = first if slots is None else slots[first]
    table.finish(slots, len(all_keys))
    mean, std = moments.result()
    return VectorTable(
        source=source.name,
        data=table.open(),
        words=word_list,
        keys=all_keys,
        mean=mean,
        std=std,
        rows_read=n_rows,
        header=header,
        duplicates=n_rows - len(all_keys),
        duplicate_examples=duplicates,
        bad_rows_skipped=parser.bad_rows_skipped,
        bad_row_examples=parser.bad_row_examples,
        blank_lines=parser.blank_lines,
        words_with_spaces=parser.words_with_spaces,
    )


def _slots(runs: Sequence[Tuple[int, int]]) -> Optional[numpy.ndarray]:
    """The table slots holding rows, in file order; None when they are 0, 1, 2, ... already
    (no block had a skipped row or a blank line)."""
    position = 0
    for slot, n in runs:
        if slot != position:
            return numpy.concatenate([numpy.arange(s, s + k, dtype=numpy.int64) for s, k in runs])
        position += n
    return None


def _first_occurrences(keys: numpy.ndarray) -> Optional[numpy.ndarray]:
    """Positions of the first occurrence of every key, ascending; None without duplicates."""
    ordered = numpy.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    _, first = numpy.unique(keys, return_index=True)
    return numpy.sort(first)


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


def _iter_blocks(source: VectorStream, size: int) -> Iterator[Tuple[int, bytes]]:
    """Blocks of about ``size`` bytes that end at a line end (the last one may not), each with
    its offset in the text."""
    rest = b""
    offset = 0
    while True:
        try:
            data = source.stream.read(size)
        except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as err:
            if source.kind == "text":
                raise
            message = Errors.E116.format(path=source.name, kind=source.kind, err=err)
            raise VectorFileError(message) from None
        if not data:
            if rest:
                yield offset, rest
            return
        data = rest + data if rest else data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield offset, data[:cut]
        offset += cut


def _first_block(name: str, blocks: Iterator[Tuple[int, bytes]]) -> Tuple[int, bytes, int, int]:
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
        self,
        blocks: Iterator[Tuple[int, bytes]],
        first_line: int,
        table: "TableFile",
        *,
        plain_file: Optional[str] = None,
        workers: int = 1,
        limit: int = 0,
    ) -> Generator[BlockRows, None, None]:
        """Parse ``(offset, block)`` pairs into ``table``, yielding each block's rows in file
        order as ``(slot, words, keys, moments)``; the vectors are in the table from ``slot`` on.

        Block i may fill one table slot per line, from the slots after block i-1's, so every
        block knows where its rows go before any is parsed. The fast path writes the rows
        itself, in ``workers`` processes a few blocks ahead of the caller when ``workers > 1``
        (numpy's float parser holds one core); with ``plain_file`` they read their block from
        the file, so no text or table crosses a process boundary. A block the fast path refuses
        goes through the per-row path here, so the first bad row of the file is the one reported
        (and none after the first ``limit`` rows is).
        """
        pool = ProcessPoolExecutor(workers) if workers > 1 else None
        pending: Deque[Tuple[bytes, int, int, Future[Optional[_Rows]]]] = deque()
        wanted = limit or -1  # rows still to read (-1: all)

        def finished(keep: int) -> Iterator[BlockRows]:
            """The oldest pending blocks, done, until ``keep`` are left or the limit is hit."""
            nonlocal wanted
            while len(pending) > keep and wanted:
                rows = self._finish(table, wanted, *pending.popleft())
                wanted -= len(rows[2])
                yield rows

        try:
            slot, line_no = 0, first_line
            for offset, block in blocks:
                lines = block.count(b"\n") + (not block.endswith(b"\n"))
                source: Union[bytes, Tuple[str, int, int]] = block
                if plain_file is not None and pool is not None:
                    source = (plain_file, offset, len(block))
                args = (source, self.dims, self.lowercase, str(table.path), slot)
                if pool is not None:
                    future = pool.submit(_parse_block, *args)
                else:
                    future = Future()
                    future.set_result(_parse_block(*args))
                pending.append((block, line_no, slot, future))
                slot, line_no = slot + lines, line_no + lines
                yield from finished(2 * workers)
                if not wanted:
                    return
            yield from finished(0)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _finish(
        self,
        table: "TableFile",
        wanted: int,
        block: bytes,
        first_line: int,
        slot: int,
        future: "Future[Optional[_Rows]]",
    ) -> BlockRows:
        """A block's rows: the workers' fast path, else the per-row path; cut at the limit."""
        rows = future.result()
        if rows is None:
            values, words, keys = self._parse_rows(_unix_lines(block), first_line, wanted)
            table.write(slot, values)
            return slot, words, keys, _Moments.of(values)
        words, keys, moments = rows
        if 0 <= wanted < len(keys):  # the limit falls inside this block
            keys = keys[:wanted]
            words = b"".join(word + b"\n" for word in words.split(b"\n")[:wanted])
            moments = _Moments.of(table.read(slot, wanted))
        return slot, words, keys, moments

    def _parse_rows(self, block: bytes, first_line: int, wanted: int = -1) -> Parsed:
        """The per-row path: words with spaces, blank lines, and the error for a bad row.
        Stops after ``wanted`` rows (-1: no limit)."""
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


def _parse_block(
    source: Union[bytes, Tuple[str, int, int]], dims: int, lowercase: bool, table: str, slot: int
) -> Optional[_Rows]:
    """The fast path for one block, in a worker process or inline: parse it, write its rows to
    the table file from ``slot`` on, and return its words, keys and moments; None when the block
    needs the per-row path. ``source`` is the block, or (file, offset, length) to read it from."""
    if isinstance(source, bytes):
        block = source
    else:
        with open(source[0], "rb") as file_:
            file_.seek(source[1])
            block = file_.read(source[2])
    parsed = _parse_regular(_unix_lines(block), dims, lowercase)
    if parsed is None:
        return None
    values, words, keys = parsed
    TableFile(Path(table), dims).write(slot, values)
    return words, keys, _Moments.of(values)


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


class TableFile:
    """A float32 table built in a ``.npy`` file, row by row at known slots.

    Rows are written with ``pwrite`` at their slot, by any process, so the parsed vectors are
    never sent between processes nor copied into a growing array, and writing past the end just
    extends the (sparse) file. ``finish`` moves the kept rows to the front, cuts the file to
    size and writes the header, after which the file is exactly what ``numpy.save`` writes.
    """

    header_bytes = 128  # a fixed-size .npy version 1.0 header, a multiple of 64

    def __init__(self, path: Path, dims: int) -> None:
        self.path = path
        self.dims = dims

    @classmethod
    def create(cls, path: Path, dims: int) -> "TableFile":
        with path.open("wb") as file_:
            file_.write(b"\0" * cls.header_bytes)  # not a valid .npy until finish
        return cls(path, dims)

    def _offset(self, slot: int) -> int:
        return self.header_bytes + slot * self.dims * 4

    def write(self, slot: int, values: numpy.ndarray) -> None:
        if not len(values):
            return
        data = numpy.ascontiguousarray(values, dtype="<f4")
        fd = os.open(self.path, os.O_WRONLY)
        try:
            view, offset = memoryview(data.data).cast("B"), self._offset(slot)
            while view:  # pwrite may write less than asked
                done = os.pwrite(fd, view, offset)
                view, offset = view[done:], offset + done
        finally:
            os.close(fd)

    def read(self, slot: int, rows: int) -> numpy.ndarray:
        data = numpy.fromfile(
            self.path, dtype="<f4", count=rows * self.dims, offset=self._offset(slot)
        )
        return data.reshape((rows, self.dims))

    def finish(self, slots: Optional[numpy.ndarray], rows: int) -> None:
        """Keep the rows at ``slots`` (ascending; None: slots 0 to rows-1), in that order."""
        if slots is not None and len(slots):
            end = int(slots[-1]) + 1
            data = numpy.memmap(self.path, "<f4", "r+", self.header_bytes, (end, self.dims))
            step = max(1, (1 << 22) // self.dims)
            # slots[i] >= i, so each chunk reads only rows at or after the ones it overwrites.
            for start in range(0, len(slots), step):
                index = slots[start : start + step]
                data[start : start + len(index)] = data[index]
            data.flush()
            del data
        self.set_rows(rows)

    def set_rows(self, rows: int) -> None:
        """Cut the table to its first ``rows`` rows (a finished table only)."""
        os.truncate(self.path, self._offset(rows))
        text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {self.dims}), }}"
        body = text.ljust(self.header_bytes - 11) + "\n"
        with self.path.open("r+b") as file_:
            file_.write(b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body.encode())

    def open(self) -> numpy.ndarray:
        """The finished table, memory-mapped for reading."""
        return numpy.load(self.path, mmap_mode="r")


class _Moments:
    """Per-dimension mean and variance over blocks of rows, in float64 (Chan et al.'s merge),
    so the statistics cover every row read without holding them in float64."""

    def __init__(self, dims: int) -> None:
        self.n = 0
        self.mean = numpy.zeros((dims,), dtype=numpy.float64)
        self.m2 = numpy.zeros((dims,), dtype=numpy.float64)

    @classmethod
    def of(cls, rows: numpy.ndarray) -> "_Moments":
        """The moments of one block of rows."""
        moments = cls(rows.shape[1])
        if len(rows):
            moments.n = len(rows)
            moments.mean = rows.mean(axis=0, dtype=numpy.float64)
            centered = rows - moments.mean
            moments.m2 = numpy.einsum("ij,ij->j", centered, centered)
        return moments

    def merge(self, other: "_Moments") -> None:
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
