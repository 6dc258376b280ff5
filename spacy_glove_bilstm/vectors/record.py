"""The record a vectors pipeline keeps in its meta, under ``"spacy_glove_bilstm"``.

It says what was read and what was done with it (``init-vectors`` prints it as a summary), and
holds the per-dimension mean and std of every row of the full file (``oov_stats``), which the
OOV sampler draws from, so pruning never changes the OOV distribution. This module writes the
record (``make_record``) and is the one reader of its statistics (``oov_stats_from_meta``,
``read_oov_stats``).
"""

import json
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Optional, Tuple, Union

import numpy

from ..errors import Errors
from .reader import VectorTable

META_KEY = "spacy_glove_bilstm"


def make_record(
    table: VectorTable,
    *,
    limit: int,
    lowercase: str,
    prune: int,
    prune_mode: str,
    rows: int,
    keys: int,
    aliases: int,
    similarities: numpy.ndarray,
) -> Dict[str, Any]:
    """The record of reading ``table`` and laying it out.

    limit, lowercase, prune, prune_mode: the options used (those of ``GloveOptions``).
    rows, keys, aliases: the rows kept, all keys, and the lowercase alias keys among them.
    similarities: for each pruned row mapped to a kept one, their cosine similarity.
    """
    record = {
        "oov_stats": {
            "mean": table.mean.tolist(),
            "std": table.std.tolist(),
            "rows": table.rows_read,
            "source": PurePosixPath(table.source).name,
        },
        "source": table.source,
        "dims": table.dims,
        "header": list(table.header) if table.header is not None else None,
        "rows_read": table.rows_read,
        "rows": rows,
        "keys": keys,
        "duplicates": table.duplicates,
        "duplicate_examples": table.duplicate_examples,
        "bad_rows_skipped": table.bad_rows_skipped,
        "bad_row_examples": table.bad_row_examples,
        "blank_lines": table.blank_lines,
        "words_with_spaces": table.words_with_spaces,
        "limit": limit,
        "lowercase": lowercase,
        "lowercase_aliases": aliases,
        "prune": prune,
        "prune_mode": prune_mode,
        "pruned_rows": len(table.keys) - rows,
        "mean_similarity": float(similarities.mean()) if len(similarities) else None,
    }
    if table.byte_order_mark:  # only then, so a record without one reads as before
        record["byte_order_mark"] = True
    return record


def oov_stats_from_meta(meta: Dict[str, Any]) -> Optional[Tuple[numpy.ndarray, numpy.ndarray]]:
    """The GloVe (mean, std) recorded in a pipeline's meta, as float64 arrays, or None."""
    stats = meta.get(META_KEY, {}).get("oov_stats")
    if not stats:
        return None
    return numpy.asarray(stats["mean"], dtype=numpy.float64), numpy.asarray(
        stats["std"], dtype=numpy.float64
    )


def read_oov_stats(vectors_path: Union[str, Path]) -> Optional[Tuple[numpy.ndarray, numpy.ndarray]]:
    """The GloVe (mean, std) of the full file a vectors pipeline was made from, as float64
    arrays, or None for a pipeline without the record (e.g. one from ``spacy init vectors``).
    Reads only meta.json, not the table, and with every digit (srsly rounds floats to 10)."""
    meta_path = Path(vectors_path) / "meta.json"
    if not meta_path.is_file():
        raise ValueError(Errors.E120.format(path=vectors_path))
    return oov_stats_from_meta(json.loads(meta_path.read_text(encoding="utf8")))
