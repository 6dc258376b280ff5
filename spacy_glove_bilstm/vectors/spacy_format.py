"""spaCy's vocab files for a vectors pipeline, written straight from arrays.

spaCy would hold ``key2row`` as a dict (about 100 bytes a key, more than a 50d row) and every
word as a Python string just to write them; for 400,000 words or more, ``init_vectors`` writes
``vocab/key2row`` and ``vocab/strings.json`` here instead, in formats spaCy reads back as its
own.
"""

import json
from pathlib import Path
from typing import Any, Sequence

import numpy

from .words import WordList


def write_key2row(path: Path, keys: numpy.ndarray, rows: numpy.ndarray) -> None:
    """Write spaCy's ``vocab/key2row`` (a msgpack map of key to row) straight from arrays.

    Each key is a msgpack uint64 and each row a uint32: valid encodings that spaCy's reader
    (srsly) turns back into the same ints, without a Python dict on the way.
    """
    record = numpy.empty(
        (len(keys),), dtype=[("key_tag", "u1"), ("key", ">u8"), ("row_tag", "u1"), ("row", ">u4")]
    )
    record["key_tag"] = 0xCF
    record["key"] = keys
    record["row_tag"] = 0xCE
    record["row"] = rows
    with path.open("wb") as file_:
        file_.write(b"\xdf" + len(keys).to_bytes(4, "big"))
        file_.write(record.tobytes())


def write_strings(path: Path, parts: Sequence[Any]) -> None:
    """Write a ``strings.json`` list from ``parts`` (lists of strings, or WordLists), in
    batches, so the words never exist as Python strings all at once."""
    first = True
    with path.open("w", encoding="utf8") as file_:
        file_.write("[")
        for part in parts:
            for batch in part.batches() if isinstance(part, WordList) else [part]:
                if batch:
                    file_.write(
                        ("" if first else ",") + json.dumps(batch, ensure_ascii=False)[1:-1]
                    )
                    first = False
        file_.write("]")
