"""Read a whole GloVe or word2vec text file into a float32 table, its words and keys.

``read_vector_file`` is the one entry to reading a vector file: it opens the file (``source``),
splits off the header (``parse``), has the blocks parsed into a ``.npy`` table file (``pool``,
in worker processes for big files), merges the per-dimension statistics (``moments``) and drops
duplicate words (the first row of a word wins), checking the header's row count at the end.
"""

import itertools
import os
import tempfile
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy
from tqdm import tqdm

from ..errors import Errors
from .moments import Moments
from .parse import MAX_EXAMPLES, RowParser, first_block, read_header
from .pool import parse_blocks
from .source import VectorFileError, open_vector_file
from .table_file import TableFile
from .words import WordList

BLOCK_BYTES = 2 << 20
PROGRESS_MIN_BYTES = 8 << 20
# Files this large are parsed in worker processes (one per core, at most 4).
PARALLEL_MIN_BYTES = 64 << 20


@dataclass
class VectorTable:
    """The rows of a vector file: one per unique word in file order, and what reading found.

    data: (rows, dims) float32 vectors.
    words: the words of the rows.
    keys: (rows,) uint64 spaCy string ids of the words (their ORTH values).
    mean, std: float64 per-dimension mean and (population) std over all ``rows_read`` rows.
    rows_read: valid rows read (duplicates included, bad rows and blank lines not).
    byte_order_mark: the text started with a UTF-8 byte-order mark, which was removed.
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
    byte_order_mark: bool = False

    @property
    def dims(self) -> int:
        return int(self.data.shape[1])


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
        blocks = source.blocks(BLOCK_BYTES * (4 if big else 1))
        offset, block, line_no, blank = first_block(source.name, blocks)
        header, dims, origin, rest, line_no = read_header(source.name, block, line_no)
        offset += len(block) - len(rest)
        parser = RowParser(
            source.name, dims, origin, lowercase=lowercase, skip_bad_rows=skip_bad_rows
        )
        parser.blank_lines = blank
        table = TableFile.create(target, dims)
        moments = Moments(dims)
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
        parsed = parse_blocks(
            parser,
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
        byte_order_mark=source.byte_order_mark,
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
