"""Static GloVe vectors for a batch of Docs, with deterministic sampled vectors for OOV words.

The layer has no parameters: GloVe is frozen, and OOV vectors are a function of the word. What it
stores are the GloVe statistics the OOV sampler draws from (computed at ``initialize``), so a
loaded pipeline reproduces exactly the vectors the model was trained on. The table itself stays
in ``nlp.vocab.vectors``, where spaCy saves and loads it.
"""

from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy
from numpy.typing import ArrayLike
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.api import Model
from thinc.types import Ragged

from ..errors import Errors
from ..lookup import (
    KeyIndex,
    SampleCache,
    check_vectors,
    gather_vectors,
    lookup_rows,
    oov_attr_id,
    table_stats,
    token_keys,
)
from ..oov import check_bound

LAYER_NAME = "glove_oov_vectors"
OOV_MODES = ("sample", "sample_ngrams", "zeros", "unk")
InT = List[Doc]
OutT = Ragged


def GloveOOVVectors(
    nO: Optional[int] = None,
    *,
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    oov: str = "sample",
) -> Model[InT, OutT]:
    """Look tokens up in ``doc.vocab.vectors``; sample a vector for those it lacks.

    nO: width of the vectors table; ``None`` infers it at ``initialize``.
    oov_attr: token attribute that keys sampled vectors ("LOWER": `Aspirin` and `aspirin` share).
    lowercase_fallback: try the lowercase form when the exact form has no row (GloVe is lowercased).
    seed: seed of the OOV sampler.
    bound: truncation of the sampler's normal, in standard deviations.
    oov: what words without a GloVe row get: "sample" (deterministic sampled vectors),
        "sample_ngrams" (sampled from the word and its character n-grams, so related words get
        related vectors), "zeros" (spaCy's StaticVectors behaviour) or "unk" (one shared vector,
        learned). The last two exist to measure what sampling buys (python -m benchmarks.ner).
    """
    return GloveOOVVectors_v2(
        nO,
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        oov=oov,
        oov_marker=False,
        oov_dropout=0.0,
    )


def GloveOOVVectors_v2(
    nO: Optional[int] = None,
    *,
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    oov: str = "sample",
    oov_marker: bool = True,
    oov_dropout: float = 0.0,
) -> Model[InT, OutT]:
    """GloveOOVVectors.v1 that can tell the network which rows are sampled, and train it to.

    A sampled row has GloVe's distribution, so without a mark the network cannot tell it from a
    real word's row and reads noise as meaning.
    nO: output width: the table's width, plus one with ``oov_marker``; ``None`` infers it.
    oov_marker: append a column that is 1.0 on rows without a GloVe row (sampled, zero or unk
        fill) and 0.0 on GloVe rows, so the next layer can treat the two kinds apart.
    oov_dropout: in training only, the share of tokens with a GloVe row that get their OOV fill
        instead (marked as OOV): the network learns to tag words it will meet without a row,
        as word dropout to UNK does (Lample et al. 2016). 0 at inference, always.
    The other settings are GloveOOVVectors.v1's.
    """
    oov_attr_id(oov_attr)
    check_bound(bound)
    if oov not in OOV_MODES:
        raise ValueError(Errors.E009.format(oov=oov, options=", ".join(OOV_MODES)))
    if not 0.0 <= oov_dropout < 1.0:
        raise ValueError(Errors.E013.format(rate=oov_dropout))
    return Model(
        LAYER_NAME,
        forward,
        init=init,
        dims={"nO": nO},
        params={"unk": None} if oov == "unk" else {},
        attrs={
            "oov": oov,
            "oov_attr": oov_attr.upper(),
            "lowercase_fallback": lowercase_fallback,
            "seed": seed,
            "bound": bound,
            "oov_marker": bool(oov_marker),
            "oov_dropout": float(oov_dropout),
            "oov_mean": None,
            "oov_std": None,
            # Not serialised (not msgpack-able): rebuilt on first use.
            "key_index": KeyIndex(),
            "sample_cache": SampleCache(),
        },
    )


def table_width(model: Model) -> Optional[int]:
    """Width of the GloVe table a ``glove_oov_vectors`` node reads (its nO less the marker)."""
    width = model.maybe_get_dim("nO")
    if width is None:
        return None
    return int(width) - int(model.attrs["oov_marker"])


def forward(model: Model[InT, OutT], docs: InT, is_train: bool) -> Tuple[OutT, Callable]:
    ops = model.ops
    width = model.get_dim("nO")
    lengths = ops.asarray1i([len(doc) for doc in docs])
    if not docs or int(lengths.sum()) == 0:
        return Ragged(ops.alloc2f(0, width), lengths), _backprop_nothing
    if model.attrs["oov_mean"] is None:
        raise ValueError(Errors.E005)
    vectors = check_vectors(docs[0].vocab, width=table_width(model))
    keys = token_keys(docs, oov_attr_id(model.attrs["oov_attr"]))
    rate = model.attrs["oov_dropout"] if is_train else 0.0
    data, missing = embed_keys(model, docs[0].vocab, keys, oov_dropout=rate)
    if model.attrs["oov_marker"]:
        marker = numpy.zeros((data.shape[0], 1), dtype="float32")
        marker[missing] = 1.0
        data = ops.xp.concatenate([data, ops.xp.asarray(marker)], axis=1)
    if model.attrs["oov"] != "unk":
        return Ragged(ops.asarray2f(data), lengths), _backprop_nothing
    missing_ops: Any = ops.xp.asarray(missing)
    n_table = vectors.shape[1]

    def backprop_unk(d_output: OutT) -> InT:
        d_data: Any = d_output.data
        model.inc_grad("unk", d_data[missing_ops, :n_table].sum(axis=0))
        return []

    return Ragged(ops.asarray2f(data), lengths), backprop_unk


def embed_keys(
    model: Model, vocab: Vocab, keys: numpy.ndarray, *, oov_dropout: float = 0.0
) -> Tuple[Any, numpy.ndarray]:
    """Vectors of tokens given as ``token_keys``, and the positions that had no GloVe row.

    The one rule shared by the model and ``token.vector``. ``oov_dropout`` (training only)
    treats that share of the tokens that have a row as if they had none.
    """
    vectors = vocab.vectors
    rows = lookup_rows(
        keys,
        model.attrs["key_index"],
        vectors,
        lowercase_fallback=model.attrs["lowercase_fallback"],
    )
    if oov_dropout > 0.0:
        # numpy's global generator: spaCy's fix_random_seed makes it follow the training seed.
        rows[numpy.random.random_sample(rows.shape[0]) < oov_dropout] = -1
    data = gather_vectors(vectors, rows, keys[:, 2], model.attrs, vocab.strings, xp=model.ops.xp)
    missing = numpy.flatnonzero(rows < 0)
    if model.attrs["oov"] == "unk" and missing.size:
        data[model.ops.xp.asarray(missing)] = model.get_param("unk")
    return data, missing


def _backprop_nothing(d_output: OutT) -> InT:
    # Static vectors: no gradient flows into GloVe or the sampler.
    return []


def init(model: Model[InT, OutT], X: Optional[InT] = None, Y: Optional[OutT] = None) -> None:
    """Infer the width and compute the OOV statistics from the vocab's GloVe table."""
    if not X:
        if model.has_dim("nO") is not True or model.attrs["oov_mean"] is None:
            raise ValueError(Errors.E006)
        return
    vectors = check_vectors(X[0].vocab, width=table_width(model))
    model.set_dim("nO", vectors.shape[1] + int(model.attrs["oov_marker"]), force=True)
    if model.attrs["oov"] == "unk":
        model.set_param("unk", model.ops.alloc1f(vectors.shape[1]))
    if model.attrs["oov_mean"] is None:
        set_oov_stats(model, *table_stats(vectors))


def set_oov_stats(model: Model, mean: ArrayLike, std: ArrayLike) -> None:
    """Store the sampler's statistics on a ``glove_oov_vectors`` node (e.g. full-file stats)."""
    mean_list = [float(x) for x in numpy.asarray(mean, dtype="float64").reshape(-1)]
    std_list = [float(x) for x in numpy.asarray(std, dtype="float64").reshape(-1)]
    width = table_width(model)
    if len(mean_list) != len(std_list) or (width is not None and len(mean_list) != width):
        raise ValueError(Errors.E007.format(mean=len(mean_list), std=len(std_list), width=width))
    model.attrs["oov_mean"] = mean_list
    model.attrs["oov_std"] = std_list


def glove_layers(nlp: Language, names: Optional[Sequence[str]] = None) -> List[Model]:
    """The ``glove_oov_vectors`` nodes in the models of the named components (default: all)."""
    components = [(name, nlp.get_pipe(name)) for name in names] if names else nlp.components
    models = [getattr(component, "model", None) for _, component in components]
    return [
        node
        for model in models
        if isinstance(model, Model)
        for node in model.walk()
        if node.name == LAYER_NAME
    ]
