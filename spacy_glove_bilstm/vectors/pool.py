"""Parse a file's blocks into the table file, in file order, in worker processes for big files.

numpy's float parser holds one core, so big files are parsed by a few worker processes a few
blocks ahead of the reader. Every block knows its table slots before any is parsed (one slot
per line, after the previous block's), so a worker writes its rows to the table file itself
and sends back only the words, keys and moments. A block the fast path refuses is parsed row
by row in this process, in order, so the first bad row of the file is the one reported.
"""

from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Deque, Generator, Iterator, Optional, Tuple, Union

import numpy

from . import parse
from .moments import Moments
from .parse import RowParser, unix_lines
from .table_file import TableFile

# A parsed block once its vectors are in the table: its words, keys and their moments.
_Rows = Tuple[bytes, numpy.ndarray, Moments]
# The same with the table slot of its first row.
BlockRows = Tuple[int, bytes, numpy.ndarray, Moments]


def parse_blocks(
    parser: RowParser,
    blocks: Iterator[Tuple[int, bytes]],
    first_line: int,
    table: TableFile,
    *,
    plain_file: Optional[str] = None,
    workers: int = 1,
    limit: int = 0,
) -> Generator[BlockRows, None, None]:
    """Parse ``(offset, block)`` pairs into ``table``, yielding each block's rows in file
    order as ``(slot, words, keys, moments)``; the vectors are in the table from ``slot`` on.

    parser: the per-row path for blocks the fast path refuses; it keeps the counts.
    blocks: the text's blocks, each with its offset in the text.
    first_line: the line number of the first block's first line.
    table: the table file the rows go to.
    plain_file: the file, when it is plain text: workers then read their block from it, so no
        text or table crosses a process boundary.
    workers: worker processes (1: parse in this process).
    limit: stop after this many rows (0: all); no bad row after them is reported.
    """
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    pending: Deque[Tuple[bytes, int, int, Future[Optional[_Rows]]]] = deque()
    wanted = limit or -1  # rows still to read (-1: all)

    def finished(keep: int) -> Iterator[BlockRows]:
        """The oldest pending blocks, done, until ``keep`` are left or the limit is hit."""
        nonlocal wanted
        while len(pending) > keep and wanted:
            rows = _finish(parser, table, wanted, *pending.popleft())
            wanted -= len(rows[2])
            yield rows

    try:
        slot, line_no = 0, first_line
        for offset, block in blocks:
            lines = block.count(b"\n") + (not block.endswith(b"\n"))
            source: Union[bytes, Tuple[str, int, int]] = block
            if plain_file is not None and pool is not None:
                source = (plain_file, offset, len(block))
            args = (source, parser.dims, parser.lowercase, str(table.path), slot)
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
    parser: RowParser,
    table: TableFile,
    wanted: int,
    block: bytes,
    first_line: int,
    slot: int,
    future: "Future[Optional[_Rows]]",
) -> BlockRows:
    """A block's rows: the workers' fast path, else the per-row path; cut at the limit."""
    rows = future.result()
    if rows is None:
        values, words, keys = parser.parse_rows(unix_lines(block), first_line, wanted)
        table.write(slot, values)
        return slot, words, keys, Moments.of(values)
    words, keys, moments = rows
    if 0 <= wanted < len(keys):  # the limit falls inside this block
        keys = keys[:wanted]
        words = b"".join(word + b"\n" for word in words.split(b"\n")[:wanted])
        moments = Moments.of(table.read(slot, wanted))
    return slot, words, keys, moments


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
    # looked up at call time, so a test can replace the fast path
    parsed = parse.parse_regular(unix_lines(block), dims, lowercase)
    if parsed is None:
        return None
    values, words, keys = parsed
    TableFile(Path(table), dims).write(slot, values)
    return words, keys, Moments.of(values)
