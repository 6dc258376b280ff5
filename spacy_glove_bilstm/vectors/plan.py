"""Lay out a vector file as spaCy vectors: which rows are kept, and which row every key gets.

GloVe files list frequent words first, so pruning keeps the first rows and maps the words of
the others to their most similar kept row (as spaCy's ``Vocab.prune_vectors``), or drops them.
Cased vectors (840B) get lowercase alias keys for words whose lowercase form has no row. The
options are checked when made, before any file is read.
"""

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy

from ..errors import Errors
from .reader import read_vector_file
from .record import make_record
from .table_file import TableFile
from .words import WordList, string_ids

LOWERCASE_MODES = ("keep", "fold", "add")
PRUNE_MODES = ("map", "drop")
PRUNE_BATCH_FLOATS = 1 << 22
_NAME_SUFFIXES = (".gz", ".zip", ".txt", ".vec")


@dataclass(frozen=True)
class GloveOptions:
    """How a vector file becomes spaCy vectors: the options of ``init-vectors``,
    ``init_vectors`` and ``LoadGloVe.v1``, checked when made (before any file is read).

    member: the zip member to read, when the archive holds several.
    limit: read only the first ``limit`` rows (0: all).
    prune: keep only the first ``prune`` rows (0: all); GloVe files list frequent words first.
    prune_mode: "map" the words of dropped rows to their most similar kept row (cosine, as
        spaCy's ``Vocab.prune_vectors``), or "drop" them (they then get sampled OOV vectors).
    lowercase: "keep" the words as they are, "fold" them to lowercase (the first row of each
        lowercase form wins), or "add" a lowercase key to the row of every word whose lowercase
        form has no row of its own (for cased vectors such as 840B).
    skip_bad_rows: skip malformed rows and count them, instead of stopping at the first.
    name: the vectors' name (default: the file name without suffixes).
    """

    member: Optional[str] = None
    limit: int = 0
    prune: int = 0
    prune_mode: str = "map"
    lowercase: str = "keep"
    skip_bad_rows: bool = False
    name: Optional[str] = None

    def __post_init__(self) -> None:
        for option, value in (("limit", self.limit), ("prune", self.prune)):
            if value < 0:
                raise ValueError(Errors.E115.format(name=option, value=value))
        for option, choice, options in (
            ("prune_mode", self.prune_mode, PRUNE_MODES),
            ("lowercase", self.lowercase, LOWERCASE_MODES),
        ):
            if choice not in options:
                raise ValueError(Errors.E114.format(name=option, options=options, value=choice))


@dataclass
class VectorsPlan:
    """What goes into spaCy's ``Vectors``: the rows, every key with its row, the key strings.

    data: (rows, dims) float32, the rows kept (all of them unless pruned).
    keys, rows: every key (uint64 string id) and its row: the words of the file in file order,
        then their lowercase aliases.
    words: the strings of the file's keys; aliases: the strings of the alias keys.
    record: the summary stored in the meta under ``"spacy_glove_bilstm"``.
    """

    name: str
    data: numpy.ndarray
    keys: numpy.ndarray
    rows: numpy.ndarray
    words: WordList
    aliases: List[str]
    record: Dict[str, Any]


def build_plan(
    path: Union[str, Path],
    options: GloveOptions,
    *,
    progress: bool = True,
    table_path: Optional[Path] = None,
) -> VectorsPlan:
    """Read a vector file and lay out its spaCy vectors: pruned, with lowercase aliases.

    path: GloVe or word2vec text file (plain, .gz or .zip).
    options: what to read and how to lay it out.
    progress: show a progress bar for files over a few MB.
    table_path: build the table in this .npy file (read_vector_file) and cut it to the kept
        rows; the plan's data is then memory-mapped. None: the data is in memory.
    """
    table = read_vector_file(
        path,
        member=options.member,
        limit=options.limit,
        lowercase=options.lowercase == "fold",
        skip_bad_rows=options.skip_bad_rows,
        progress=progress,
        table_path=table_path,
    )
    n_rows = len(table.keys)
    n_keep = options.prune if 0 < options.prune < n_rows else n_rows
    keys, rows, words = table.keys, numpy.arange(n_rows, dtype=numpy.int64), table.words
    scores = numpy.zeros((0,), dtype=numpy.float32)
    if n_keep < n_rows and options.prune_mode == "map":
        rows[n_keep:], scores = nearest_rows(table.data, n_keep)
    elif n_keep < n_rows:
        keys, rows, words = keys[:n_keep], rows[:n_keep], words.take(slice(0, n_keep))
    aliases: List[str] = []
    if options.lowercase == "add":
        aliases, alias_keys, alias_rows = lowercase_aliases(words, keys, rows)
        keys, rows = numpy.concatenate((keys, alias_keys)), numpy.concatenate((rows, alias_rows))
    record = make_record(
        table,
        limit=options.limit,
        lowercase=options.lowercase,
        prune=options.prune,
        prune_mode=options.prune_mode,
        rows=n_keep,
        keys=len(keys),
        aliases=len(aliases),
        similarities=scores,
    )
    data = table.data[:n_keep]
    if table_path is not None and n_keep < n_rows:
        TableFile(table_path, table.dims).set_rows(n_keep)
    name = options.name or _default_name(PurePosixPath(table.source).name)
    return VectorsPlan(name, data, keys, rows, words, aliases, record)


def nearest_rows(data: numpy.ndarray, n_keep: int) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """For every row from ``n_keep`` on, the most similar of the first ``n_keep`` rows by
    cosine, and that similarity; computed in batches so memory stays small."""
    kept = _unit_rows(data[:n_keep])
    batch = max(1, PRUNE_BATCH_FLOATS // n_keep)
    targets = numpy.empty((len(data) - n_keep,), dtype=numpy.int64)
    scores = numpy.empty((len(data) - n_keep,), dtype=numpy.float32)
    for start in range(n_keep, len(data), batch):
        sims = _unit_rows(data[start : start + batch]) @ kept.T
        best = sims.argmax(axis=1)
        targets[start - n_keep : start - n_keep + len(best)] = best
        scores[start - n_keep : start - n_keep + len(best)] = sims[numpy.arange(len(best)), best]
    return targets, scores


def lowercase_aliases(
    words: WordList, keys: numpy.ndarray, rows: numpy.ndarray
) -> Tuple[List[str], numpy.ndarray, numpy.ndarray]:
    """Lowercase keys for the rows of words whose lowercase form has no key: the first word of
    each lowercase form wins. Returns the alias strings, keys and rows."""
    lowered: List[str] = []
    positions: List[int] = []
    for offset, word in enumerate(words):
        lower = word.lower()
        if lower != word:
            lowered.append(lower)
            positions.append(offset)
    alias_keys = string_ids(lowered)
    _, first = numpy.unique(alias_keys, return_index=True)
    first = numpy.sort(first)
    first = first[~numpy.isin(alias_keys[first], keys)]
    alias_rows = rows[numpy.asarray(positions, dtype=numpy.int64)[first]]
    return [lowered[i] for i in first.tolist()], alias_keys[first], alias_rows


def _unit_rows(rows: numpy.ndarray) -> numpy.ndarray:
    norms = numpy.linalg.norm(rows, axis=1, keepdims=True)
    return rows / numpy.maximum(norms, numpy.float32(1e-12))


def _default_name(source: str) -> str:
    """The vectors' name from the file (or zip member) name: glove.6B.50d.txt -> glove.6B.50d."""
    name = source.rsplit(":", 1)[-1]
    while name.lower().endswith(_NAME_SUFFIXES):
        name = name[: name.rfind(".")]
    return name or "vectors"
