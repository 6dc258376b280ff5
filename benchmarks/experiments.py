"""Tuning candidates that did not make it into the package, kept so their rows can be rerun.

The third tuning round (README, "How the default config was chosen") tried three ideas that
need code, not just settings. They live here, not in `spacy_glove_bilstm`, because none of them
beat the shipped config. Load them with `--code`, in the benchmark or in `spacy train`:

    python -m benchmarks.ner --systems none --ablations default \\
        --code benchmarks/experiments.py --try char-cnn \\
      '{"{embed}.@architectures": "experiments.GloveOOVEmbedPlus.v1",
        "{embed}.char_width": 64, "{embed}.n_chars": 12}' \\
        --ablation-seeds 0 1 2

- `experiments.GloveOOVEmbedPlus.v1`: GloveOOVEmbed.v1 with two options. `word_dropout`: in
  training, whole tokens lose their GloVe vector (as if OOV) and their NORM hash row, so the
  model learns to tag from context and sub-word features (Lample et al. 2016 drop words to
  UNK). `char_width`: a character CNN branch: the UTF-8 bytes of each token's first and last 6
  characters, embedded, convolved (window 3, maxout) and max-pooled (Ma and Hovy 2016 use a
  char CNN beside GloVe).
- `experiments.mention_replace.v1` (an augmenter): with probability `level` a training tweet
  has every entity replaced by a mention of the same label seen earlier in training
  (mention replacement, Dai and Adel 2020).
"""

import random
from collections import defaultdict
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple, cast

import numpy
from spacy.language import Language
from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from thinc.api import (
    Embed,
    HashEmbed,
    Linear,
    Maxout,
    Model,
    chain,
    concatenate,
    expand_window,
    list2ragged,
    ragged2list,
    reduce_max,
    with_array,
)
from thinc.types import Floats2d, Ints2d, Ragged

from spacy_glove_bilstm.layers.glove_oov_vectors import GloveOOVVectors_v2
from spacy_glove_bilstm.layers.split_oov import split_oov
from spacy_glove_bilstm.ops import use_blas_ops


def token_dropout(rate: float, columns: Optional[int] = None) -> Model[Floats2d, Floats2d]:
    """Zero whole rows (tokens) of a 2d array in training, all columns or the first
    ``columns``; a fixed rate, so spaCy's `[training] dropout` does not change it."""

    def forward(model: Model, X: Floats2d, is_train: bool) -> Tuple[Floats2d, Callable]:
        if not is_train or rate <= 0:
            return X, lambda dY: dY
        xp = model.ops.xp
        keep = (xp.random.uniform(0.0, 1.0, (X.shape[0], 1)) >= rate).astype("float32")
        mask = xp.ones(X.shape, dtype="float32")
        mask[:, : X.shape[1] if columns is None else columns] *= keep
        return X * mask, lambda dY: dY * mask

    return Model("token_dropout", forward)


def char_cnn(n_chars: int = 12, n_embed: int = 32, width: int = 64) -> Model[List[Doc], Ragged]:
    """Per token: ``n_chars`` UTF-8 bytes (first half from the start, second half from the
    end, 255 as padding), embedded, window-3 maxout convolution, max-pooled to ``width``."""
    # Doc.to_utf8_array interleaves characters 0, -1, 1, -2, ...; put them in reading order.
    order = numpy.asarray([*range(0, n_chars, 2), *range(n_chars - 1, 0, -2)], dtype="int64")
    inner: Model[Ragged, Floats2d] = chain(
        with_array(Embed(n_embed, 256, column=0, dropout=None)),
        expand_window(window_size=1),
        with_array(Maxout(width, n_embed * 3, nP=2, normalize=True, dropout=None)),
        reduce_max(),
    )

    def forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[Ragged, Callable]:
        ops = model.ops
        arrays = [numpy.asarray(doc.to_utf8_array(nr_char=n_chars)) for doc in docs if len(doc)]
        ids = numpy.concatenate(arrays)[:, order] if arrays else numpy.zeros((0, n_chars))
        chars = Ragged(
            ops.asarray2i(cast(Ints2d, ids.reshape(-1, 1).astype("int32"))),
            ops.asarray1i([n_chars] * ids.shape[0]),
        )
        Y, backprop_inner = inner(chars, is_train)

        def backprop(dY: Ragged) -> List[Doc]:
            backprop_inner(cast(Floats2d, dY.data))
            return []

        return Ragged(Y, ops.asarray1i([len(doc) for doc in docs])), backprop

    return Model(
        "char_cnn",
        forward,
        init=lambda model, X=None, Y=None: inner.initialize(),
        layers=[inner],
        dims={"nO": width},
    )


@registry.architectures("experiments.GloveOOVEmbedPlus.v1")
def glove_oov_embed_plus(
    width: int,
    attrs: Sequence[str],
    rows: Sequence[int],
    word_dropout: float = 0.0,
    char_width: int = 0,
    n_chars: int = 12,
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    dropout: float = 0.0,
    oov: str = "zeros",
    oov_projection: str = "shared",
    oov_dropout: float = 0.0,
) -> Model[List[Doc], List[Floats2d]]:
    """GloveOOVEmbed.v2's graph (same settings but its character features), plus what the
    third round tried.

    word_dropout: in training, the rate at which a token loses its GloVe vector and its first
        hash feature (NORM in the shipped config); 0: none.
    char_width: width of a character CNN branch (`char_cnn`) over ``n_chars`` bytes; 0: none.
    """
    vectors: Model = GloveOOVVectors_v2(
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        oov=oov,
        oov_marker=oov_projection != "shared",
        oov_dropout=oov_dropout,
    )
    project: Model = (
        chain(split_oov(), Linear(width)) if oov_projection == "separate" else Linear(width)
    )
    embeddings: List[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0) for i, n_rows in enumerate(rows)
    ]
    hashed: Model = concatenate(*embeddings)
    if word_dropout > 0:
        vectors = chain(vectors, with_array(token_dropout(word_dropout)))
        hashed = chain(hashed, token_dropout(word_dropout, columns=width))
    branches: List[Model] = [
        chain(vectors, with_array(project)),
        chain(FeatureExtractor(list(attrs)), list2ragged(), with_array(hashed)),
    ]
    n_in = width * (1 + len(attrs))
    if char_width > 0:
        branches.append(char_cnn(n_chars, 32, char_width))
        n_in += char_width
    mix: Model = with_array(Maxout(width, n_in, nP=3, dropout=dropout, normalize=True))
    model: Model = chain(concatenate(*branches), mix, ragged2list())
    model.set_dim("nO", width)
    return use_blas_ops(model)


@registry.augmenters("experiments.mention_replace.v1")
def create_mention_replace(level: float) -> Callable[[Language, Example], Iterator[Example]]:
    """Replace every entity of a share ``level`` of the training tweets by a mention of the
    same label seen earlier in training (the pool grows as the corpus streams by)."""
    pool: Dict[str, List[Tuple[str, ...]]] = defaultdict(list)
    seen: Set[Tuple[str, Tuple[str, ...]]] = set()

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        ref = example.reference
        ents = [(e.start, e.end, e.label_) for e in ref.ents]
        for start, end, label in ents:
            key = (label, tuple(t.text for t in ref[start:end]))
            if key not in seen:
                seen.add(key)
                pool[label].append(key[1])
        if not ents or random.random() >= level:
            yield example
            return
        words: List[str] = []
        spaces: List[bool] = []
        tags: List[str] = []

        def keep(start: int, end: int) -> None:
            for t in ref[start:end]:
                words.append(t.text)
                spaces.append(bool(t.whitespace_))
                tags.append(f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else t.ent_iob_)

        previous = 0
        for start, end, label in ents:
            keep(previous, start)
            mention = random.choice(pool[label])
            words.extend(mention)
            spaces.extend([True] * (len(mention) - 1) + [bool(ref[end - 1].whitespace_)])
            tags.extend([f"B-{label}"] + [f"I-{label}"] * (len(mention) - 1))
            previous = end
        keep(previous, len(ref))
        gold = Doc(nlp.vocab, words=words, spaces=spaces, ents=tags)
        yield Example(Doc(nlp.vocab, words=words, spaces=spaces), gold)

    return augment
