"""Open a vector text file as a stream of blocks: plain, gzipped or a zip member.

Stanford publishes GloVe as text (up to 5.6 GB for 840B), often inside a .zip or gzipped. The
format is sniffed from the first bytes, not the file name, and a zip's text member is chosen by
its suffix. The text is read in blocks of a few MB that end at a line end, so it is never in
memory as a whole. A UTF-8 byte-order mark (which some Windows editors write) is removed here,
for every container, so the first word is ``the`` and not ``\\ufeffthe``.
"""

import gzip
import zipfile
import zlib
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Iterator, Optional, Tuple, Union, cast

from ..errors import Errors

TEXT_MEMBER_SUFFIXES = (".txt", ".vec")
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


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
    byte_order_mark: whether the text started with a UTF-8 byte-order mark (known once
        ``blocks`` has yielded its first block), which the blocks leave out.
    """

    name: str
    kind: str
    stream: IO[bytes]
    file_bytes: int
    text_bytes: Optional[int]
    position: Callable[[], int]
    byte_order_mark: bool = False

    def blocks(self, size: int) -> Iterator[Tuple[int, bytes]]:
        """Blocks of about ``size`` bytes that end at a line end (the last one may not), each
        with its offset in the text; a leading byte-order mark is skipped (offset 3 on)."""
        rest = b""
        offset = 0
        first = True
        while True:
            try:
                data = self.stream.read(size)
            except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as err:
                if self.kind == "text":
                    raise
                message = Errors.E116.format(path=self.name, kind=self.kind, err=err)
                raise VectorFileError(message) from None
            if first and data:
                first = False
                # read(size) returns fewer than 3 bytes only at the end of the text
                if data.startswith(BYTE_ORDER_MARK):
                    self.byte_order_mark = True
                    data, offset = data[len(BYTE_ORDER_MARK) :], len(BYTE_ORDER_MARK)
                    if not data:
                        continue
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
