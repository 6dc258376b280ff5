"""One lookup rule for GloVe rows, shared by the model and ``token.vector``.

A token's vector is its exact form's GloVe row; failing that (GloVe 6B/42B are lowercased) its
lowercase form's row; failing that the layer's OOV fill: a deterministic sampled vector keyed by
the OOV attribute (alone, or with its character n-grams), zeros, or one learned vector.
Keeping the rule in one place is what makes the vector the model saw and the vector a user reads
from a loaded pipeline identical.
"""

from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy
from spacy.attrs import IDS, LOWER, ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc, Span
from spacy.vectors import Mode, Vectors
from spacy.vocab import Vocab

from .errors import Errors
from .oov import sample_ngram_vectors, sample_oov_vectors

OOV_ATTRS = ("ORTH", "LOWER", "NORM")
SAMPLED_MODES = ("sample", "sample_ngrams")


class KeyIndex:
    """Sorted copy of a ``Vectors`` table's keys, for vectorised key -> row lookups.

    ``Vectors.find(keys=...)`` loops in Python per key; ``searchsorted`` over a sorted key array
    does the same in one array call. The index is rebuilt when the table changes size.
    """

    def __init__(self) -> None:
        self._vectors: Optional[Vectors] = None
        self._n_keys = -1
        self._keys = numpy.zeros((0,), dtype="uint64")
        self._rows = numpy.zeros((0,), dtype="int64")

    def find(self, vectors: Vectors, keys: numpy.ndarray) -> numpy.ndarray:
        """Rows for ``keys`` (uint64), -1 where a key is not in the table."""
        key2row: Dict[int, int] = vectors.key2row
        if vectors is not self._vectors or len(key2row) != self._n_keys:
            self._build(vectors, key2row)
        if self._keys.size == 0 or keys.size == 0:
            return numpy.full(keys.shape, -1, dtype="int64")
        pos = numpy.searchsorted(self._keys, keys)
        pos = numpy.minimum(pos, self._keys.size - 1)
        return numpy.where(self._keys[pos] == keys, self._rows[pos], -1)

    def _build(self, vectors: Vectors, key2row: Dict[int, int]) -> None:
        n = len(key2row)
        keys = numpy.fromiter(key2row.keys(), dtype="uint64", count=n)
        rows = numpy.fromiter(key2row.values(), dtype="int64", count=n)
        order = numpy.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._vectors, self._n_keys = vectors, n


class SampleCache:
    """Sampled vectors of the OOV keys seen recently, so that a word's n-grams are hashed and
    drawn once rather than in every batch (training meets the same OOV words every epoch).

    Entries hold for one pair of statistics: when the layer's ``oov_mean``/``oov_std`` lists are
    replaced (``set_oov_stats``, loading a model) the cache starts empty. It holds at most
    ``max_values`` numbers (20 MB of float32 by default) and is emptied when full. Rows are the
    sampler's own output, so cached and fresh vectors are identical to the bit.
    """

    def __init__(self, max_values: int = 5_000_000) -> None:
        self.max_values = max_values
        self._stats: Tuple[Any, Any] = (None, None)
        self._rows: Dict[int, numpy.ndarray] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def get(
        self,
        keys: numpy.ndarray,
        stats: Tuple[Any, Any],
        compute: Callable[[numpy.ndarray], numpy.ndarray],
    ) -> numpy.ndarray:
        """Rows for ``keys`` (distinct uint64); ``compute(keys)`` makes those not cached."""
        if stats[0] is not self._stats[0] or stats[1] is not self._stats[1]:
            self._stats, self._rows = stats, {}
        listed = keys.tolist()
        todo = [i for i, key in enumerate(listed) if key not in self._rows]
        if (len(self._rows) + len(todo)) * len(stats[0]) > self.max_values:
            self._rows, todo = {}, list(range(len(listed)))
        if todo:
            self._rows.update(zip([listed[i] for i in todo], compute(keys[todo])))
        return numpy.stack([self._rows[key] for key in listed])


def check_vectors(vocab: Vocab, *, width: Optional[int] = None) -> Vectors:
    """Return the vocab's GloVe table, or raise a coded error saying how to provide one."""
    vectors = vocab.vectors
    if not isinstance(vectors, Vectors) or vectors.mode != Mode.default:
        raise ValueError(Errors.E001.format(kind=type(vectors).__name__))
    if vectors.shape[0] == 0 or vectors.shape[1] == 0 or len(vectors.key2row) == 0:
        raise ValueError(Errors.E002)
    if width is not None and vectors.shape[1] != width:
        raise ValueError(Errors.E003.format(table=vectors.shape[1], model=width))
    return vectors


def table_stats(vectors: Vectors) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Per-dimension mean and standard deviation of the rows in use, in float64."""
    data = vectors.data
    if not isinstance(data, numpy.ndarray):
        data = data.get()  # cupy, when the table was moved to the GPU
    used = numpy.unique(numpy.fromiter(vectors.key2row.values(), dtype="int64"))
    table = data[used] if used.size < data.shape[0] else data
    return table.mean(axis=0, dtype="float64"), table.std(axis=0, dtype="float64")


def oov_attr_id(name: str) -> int:
    """Attribute id for the key of sampled vectors, validated."""
    if name.upper() not in OOV_ATTRS:
        raise ValueError(Errors.E004.format(name=name, options=", ".join(OOV_ATTRS)))
    return IDS[name.upper()]


def token_keys(docs: Sequence[Union[Doc, Span]], oov_attr: int) -> numpy.ndarray:
    """``(n_tokens, 3)`` uint64 keys for all tokens of ``docs`` (or spans): ORTH, LOWER, the
    OOV attribute."""
    # Span.to_array exists; spaCy's type stub for Span leaves it out.
    attrs = [ORTH, LOWER, oov_attr]
    arrays = [doc.to_array(attrs) for doc in docs if len(doc)]  # type: ignore[union-attr]
    if not arrays:
        return numpy.zeros((0, 3), dtype="uint64")
    return numpy.ascontiguousarray(numpy.concatenate(arrays), dtype="uint64")


def lookup_rows(
    keys: numpy.ndarray, index: KeyIndex, vectors: Vectors, *, lowercase_fallback: bool
) -> numpy.ndarray:
    """GloVe rows for ``token_keys`` output: exact form, then lowercase form; -1 for neither."""
    rows = index.find(vectors, keys[:, 0])
    if lowercase_fallback:
        missing = rows < 0
        if missing.any():
            rows[missing] = index.find(vectors, keys[missing, 1])
    return rows


def gather_vectors(
    vectors: Vectors,
    rows: numpy.ndarray,
    oov_keys: numpy.ndarray,
    settings: Dict[str, Any],
    strings: StringStore,
    xp: Any = numpy,
) -> Any:
    """Assemble the ``(n, width)`` float32 matrix: GloVe rows, sampled rows where ``rows < 0``.

    settings: the ``oov``, ``oov_mean``, ``oov_std``, ``seed`` and ``bound`` of the layer, and
        its ``sample_cache`` if it has one; with ``oov`` other than "sample" or "sample_ngrams",
        rows without a GloVe row are left at zero.
    strings: the vocab's strings, for the texts of the OOV keys ("sample_ngrams").
    xp: the array module of the table (numpy, or cupy on GPU).
    """
    out = xp.asarray(vectors.data[xp.asarray(numpy.maximum(rows, 0))], dtype="float32")
    missing = numpy.flatnonzero(rows < 0)
    if not missing.size:
        return out
    if settings["oov"] not in SAMPLED_MODES:
        out[xp.asarray(missing)] = 0.0
        return out
    uniq, inverse = numpy.unique(oov_keys[missing], return_inverse=True)
    stats = (settings["oov_mean"], settings["oov_std"])
    options = {"seed": settings["seed"], "bound": settings["bound"]}
    if settings["oov"] == "sample_ngrams":

        def compute(keys: numpy.ndarray) -> numpy.ndarray:
            words = [_text(strings, int(key)) for key in keys]
            return sample_ngram_vectors(words, keys, *stats, **options)

        cache = settings.get("sample_cache")
        sampled = cache.get(uniq, stats, compute) if cache is not None else compute(uniq)
    else:
        sampled = sample_oov_vectors(uniq, *stats, **options)
    out[xp.asarray(missing)] = xp.asarray(sampled[inverse.reshape(-1)])
    return out


def _text(strings: StringStore, key: int) -> str:
    # Token attributes' strings are in the store; a key that is not (never seen in practice)
    # gets no n-grams and so its plain sampled vector, rather than an error mid-batch.
    try:
        return strings[key]
    except KeyError:
        return ""
