"""Turn a vector text file into the vectors of a spaCy pipeline, with the GloVe OOV statistics.

``init_vectors`` writes a folder that ``[initialize] vectors`` accepts: a blank pipeline whose
vocab holds the table. ``spacy_glove_bilstm.LoadGloVe.v1`` does the same inside
``nlp.initialize()``, as a ``before_init`` callback. Both record in the pipeline's meta, under
``"spacy_glove_bilstm"``, the per-dimension mean and std of every row read (before pruning),
which the OOV sampler draws from, so pruning never changes the OOV distribution.
"""

import itertools
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy
import spacy
import srsly
from spacy.language import Language
from spacy.util import OOV_RANK, registry
from spacy.vectors import Vectors

from .errors import Errors
from .glove_io import TableFile, WordList, read_vector_file, string_ids

META_KEY = "spacy_glove_bilstm"
LOWERCASE_MODES = ("keep", "fold", "add")
PRUNE_MODES = ("map", "drop")
PRUNE_BATCH_FLOATS = 1 << 22
_NAME_SUFFIXES = (".gz", ".zip", ".txt", ".vec")


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
    source = PurePosixPath(table.source).name
    record = {
        "oov_stats": {
            "mean": table.mean.tolist(),
            "std": table.std.tolist(),
            "rows": table.rows_read,
            "source": source,
        },
        "source": table.source,
        "dims": table.dims,
        "header": list(table.header) if table.header is not None else None,
        "rows_read": table.rows_read,
        "rows": n_keep,
        "keys": len(keys),
        "duplicates": table.duplicates,
        "duplicate_examples": table.duplicate_examples,
        "bad_rows_skipped": table.bad_rows_skipped,
        "bad_row_examples": table.bad_row_examples,
        "blank_lines": table.blank_lines,
        "words_with_spaces": table.words_with_spaces,
        "limit": options.limit,
        "lowercase": options.lowercase,
        "lowercase_aliases": len(aliases),
        "prune": options.prune,
        "prune_mode": options.prune_mode,
        "pruned_rows": n_rows - n_keep,
        "mean_similarity": float(scores.mean()) if len(scores) else None,
    }
    data = table.data[:n_keep]
    if table_path is not None and n_keep < n_rows:
        TableFile(table_path, table.dims).set_rows(n_keep)
    name = options.name or _default_name(source)
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


def install_vectors(nlp: Language, plan: VectorsPlan) -> None:
    """Make ``plan`` the vectors of ``nlp`` and store its record in ``nlp.meta``."""
    strings = nlp.vocab.strings
    for word in itertools.chain(plan.words, plan.aliases):
        strings.add(word)
    vectors = Vectors(strings=strings, data=plan.data, name=plan.name)
    vectors.key2row = dict(zip(plan.keys.tolist(), plan.rows.tolist()))
    nlp.vocab.vectors = vectors
    # As spaCy's load_vectors_into_model: lexemes made before the vectors get their rank.
    for lex in nlp.vocab:
        lex.rank = vectors.key2row.get(lex.orth, OOV_RANK)
    nlp.meta[META_KEY] = plan.record


def init_vectors(
    glove_path: Union[str, Path],
    output_dir: Union[str, Path],
    *,
    lang: str = "en",
    member: Optional[str] = None,
    limit: int = 0,
    prune: int = 0,
    prune_mode: str = "map",
    lowercase: str = "keep",
    skip_bad_rows: bool = False,
    name: Optional[str] = None,
    progress: bool = True,
) -> Dict[str, Any]:
    """Write the vectors pipeline for ``glove_path`` to ``output_dir``; return its record.

    The folder is written under a temporary name next to ``output_dir`` and moved into place
    at the end, so a failure leaves nothing behind and a reader never sees half a pipeline. An
    existing ``output_dir`` is replaced only if it is empty or a spaCy pipeline. ``lang`` is the
    blank pipeline's language; the other options are those of ``GloveOptions``.
    """
    options = GloveOptions(member, limit, prune, prune_mode, lowercase, skip_bad_rows, name)
    output_dir = Path(output_dir)
    _check_replaceable(output_dir)
    nlp = spacy.blank(lang)
    with _staging_dir(output_dir) as staging:
        # The table is built in place as the pipeline's vocab/vectors file (spaCy's format, a
        # .npy), so it is never copied; spaCy writes everything else around an empty table.
        table_path = staging / "vectors.partial"
        plan = build_plan(glove_path, options, progress=progress, table_path=table_path)
        rows, dims = plan.data.shape
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, shape=(0, dims), name=plan.name)
        nlp.meta[META_KEY] = plan.record
        nlp.to_disk(staging)
        table_path.replace(staging / "vocab" / "vectors")
        # Keys and strings are written from arrays: spaCy would hold key2row as a dict (about
        # 100 bytes a key, more than a 50d row) just to write it.
        write_key2row(staging / "vocab" / "key2row", plan.keys, plan.rows)
        strings_path = staging / "vocab" / "strings.json"
        _write_strings(strings_path, [srsly.read_json(strings_path), plan.words, plan.aliases])
        meta = srsly.read_json(staging / "meta.json")
        meta["vectors"].update(width=dims, vectors=rows, keys=len(plan.keys))
        meta[META_KEY] = plan.record  # srsly keeps 10 digits of a float; json keeps them all
        text = json.dumps(meta, indent=2, ensure_ascii=False)
        (staging / "meta.json").write_text(text, encoding="utf8")
    return plan.record


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


def _write_strings(path: Path, parts: Sequence[Any]) -> None:
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


@registry.callbacks("spacy_glove_bilstm.LoadGloVe.v1")
def create_load_glove(
    path: str,
    member: Optional[str] = None,
    limit: int = 0,
    prune: int = 0,
    prune_mode: str = "map",
    lowercase: str = "keep",
    skip_bad_rows: bool = False,
    name: Optional[str] = None,
) -> Callable[[Language], Language]:
    """A ``[initialize.before_init]`` callback that loads a GloVe or word2vec text file into
    ``nlp.vocab.vectors``: ``init-vectors`` plus ``[initialize] vectors`` in one step, with the
    same options and the same record in ``nlp.meta``. Leave ``[initialize] vectors`` null,
    or it replaces these vectors.

    path (str): GloVe or word2vec text file (plain, .gz or .zip).
    The other arguments are those of ``GloveOptions``.
    """
    options = GloveOptions(member, limit, prune, prune_mode, lowercase, skip_bad_rows, name)

    def load_glove(nlp: Language) -> Language:
        install_vectors(nlp, build_plan(path, options, progress=False))
        return nlp

    return load_glove


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


def _unit_rows(rows: numpy.ndarray) -> numpy.ndarray:
    norms = numpy.linalg.norm(rows, axis=1, keepdims=True)
    return rows / numpy.maximum(norms, numpy.float32(1e-12))


def _default_name(source: str) -> str:
    """The vectors' name from the file (or zip member) name: glove.6B.50d.txt -> glove.6B.50d."""
    name = source.rsplit(":", 1)[-1]
    while name.lower().endswith(_NAME_SUFFIXES):
        name = name[: name.rfind(".")]
    return name or "vectors"


def _check_replaceable(output_dir: Path) -> None:
    """Refuse to replace anything but an empty folder or a spaCy pipeline."""
    if not output_dir.exists():
        return
    if output_dir.is_dir() and (
        not any(output_dir.iterdir()) or (output_dir / "meta.json").exists()
    ):
        return
    raise ValueError(Errors.E112.format(path=output_dir))


@contextmanager
def _staging_dir(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` that becomes ``target`` if the block succeeds and
    is removed if it fails, with any parent folders it had to create."""
    created = [parent for parent in target.parents if not parent.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the pipeline is not
    try:
        yield staging
        if target.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            target.replace(previous / target.name)
            staging.replace(target)
            shutil.rmtree(previous)
        else:
            staging.replace(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
            for parent in created:  # innermost first; each held only the staging folder
                try:
                    parent.rmdir()
                except OSError:  # something else was put there meanwhile: keep it
                    break
