"""Context-independent token embeddings: projected GloVe/OOV vectors mixed with hash features.

Mirrors spaCy's ``MultiHashEmbed``: each feature is embedded to ``width``, the pieces are
concatenated and mixed by a layer-normalised Maxout. The difference is the vectors branch, which
gives every token a vector (GloVe, lowercase GloVe, or a deterministic sample) instead of zeros.
"""

from typing import List, Sequence, cast

from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from thinc.api import (
    HashEmbed,
    Linear,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d, Ragged

from ..errors import Errors
from ..ops import use_blas_ops
from .glove_oov_vectors import GloveOOVVectors


def GloveOOVEmbed(
    width: int,
    attrs: Sequence[str],
    rows: Sequence[int],
    *,
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    dropout: float = 0.0,
    oov: str = "sample",
) -> Model[List[Doc], List[Floats2d]]:
    """Embed Docs as mixed (GloVe or sampled vector, hash features), ``width`` wide.

    width: output width and width of each embedded piece.
    attrs: token attributes embedded by hashing (e.g. NORM, PREFIX, SUFFIX, SHAPE); may be empty.
    rows: hash-table rows per attribute.
    oov_attr, lowercase_fallback, seed, bound, oov: see ``GloveOOVVectors``.
    dropout: dropout rate of the mixing layer.
    """
    if len(attrs) != len(rows):
        raise ValueError(Errors.E008.format(attrs=list(attrs), rows=list(rows)))
    vectors: Model[List[Doc], Ragged] = chain(
        GloveOOVVectors(
            oov_attr=oov_attr,
            lowercase_fallback=lowercase_fallback,
            seed=seed,
            bound=bound,
            oov=oov,
        ),
        with_array(Linear(width)),
    )
    branches: List[Model[List[Doc], Ragged]] = [vectors]
    if attrs:
        embeddings: List[Model[Ints2d, Floats2d]] = [
            HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0)
            for i, n_rows in enumerate(rows)
        ]
        branches.append(
            chain(
                FeatureExtractor(list(attrs)),
                cast(Model[List[Ints2d], Ragged], list2ragged()),
                with_array(concatenate(*embeddings)),
            )
        )
    mix: Model[Ragged, Ragged] = with_array(
        Maxout(width, width * (1 + len(attrs)), nP=3, dropout=dropout, normalize=True)
    )
    model: Model[List[Doc], List[Floats2d]] = chain(
        concatenate(*branches), mix, cast(Model[Ragged, List[Floats2d]], ragged2list())
    )
    model.set_dim("nO", width)
    return cast(Model[List[Doc], List[Floats2d]], use_blas_ops(model))
