"""The float32 vector table as a ``.npy`` file, written row by row as the rows are parsed.

Parsed rows go straight to their slot in the file (from any worker process), so no vectors
cross a process boundary or are copied into a growing array. The finished file is exactly what
``numpy.save`` writes, which is also spaCy's ``vocab/vectors``: ``init-vectors`` builds the
table in place and never copies it.
"""

import os
from pathlib import Path
from typing import Optional

import numpy


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
