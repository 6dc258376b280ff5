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
from .char_embed import CharEmbed
from .glove_oov_vectors import GloveOOVVectors_v2
from .split_oov import split_oov


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
    Built as GloveOOVEmbed.v2 with one shared projection and no extras: the same layers,
    weights and output.
    """
    return GloveOOVEmbed_v2(
        width,
        attrs,
        rows,
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        dropout=dropout,
        oov=oov,
        oov_projection="shared",
    )


OOV_PROJECTIONS = ("separate", "marker", "shared")


def GloveOOVEmbed_v2(
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
    oov_projection: str = "separate",
    oov_dropout: float = 0.0,
    char_width: int = 0,
    n_chars: int = 0,
) -> Model[List[Doc], List[Floats2d]]:
    """GloveOOVEmbed.v1 whose network can tell sampled OOV rows from GloVe rows.

    oov_projection: "separate" (GloVe rows and OOV rows get their own projection, OOV rows a
        learned offset), "marker" (one projection plus the learned OOV offset) or "shared"
        (one projection, v1's graph).
    oov_dropout: in training, the share of known words embedded as OOV (GloveOOVVectors.v2).
    char_width, n_chars: character features (``CharEmbed``): the first and last ``n_chars // 2``
        characters of each token, ``char_width`` wide each; 0 and 0 for none.
    The other settings are GloveOOVEmbed.v1's.
    """
    if len(attrs) != len(rows):
        raise ValueError(Errors.E008.format(attrs=list(attrs), rows=list(rows)))
    if oov_projection not in OOV_PROJECTIONS:
        raise ValueError(
            Errors.E014.format(projection=oov_projection, options=", ".join(OOV_PROJECTIONS))
        )
    if (char_width > 0) != (n_chars > 0) or char_width < 0 or n_chars < 0:
        raise ValueError(Errors.E015.format(char_width=char_width, n_chars=n_chars))
    branches: List[Model[List[Doc], Ragged]] = [
        projected_vectors(
            width,
            oov_projection,
            oov_attr=oov_attr,
            lowercase_fallback=lowercase_fallback,
            seed=seed,
            bound=bound,
            oov=oov,
            oov_dropout=oov_dropout,
        )
    ]
    n_inputs = width
    if attrs:
        branches.append(_hash_features(width, attrs, rows))
        n_inputs += width * len(attrs)
    if char_width:
        branches.append(CharEmbed(char_width, n_chars))
        n_inputs += char_width * n_chars
    mix: Model[Ragged, Ragged] = with_array(
        Maxout(width, n_inputs, nP=3, dropout=dropout, normalize=True)
    )
    model: Model[List[Doc], List[Floats2d]] = chain(
        concatenate(*branches), mix, cast(Model[Ragged, List[Floats2d]], ragged2list())
    )
    model.set_dim("nO", width)
    return cast(Model[List[Doc], List[Floats2d]], use_blas_ops(model))


def projected_vectors(
    width: int,
    oov_projection: str,
    *,
    oov_attr: str,
    lowercase_fallback: bool,
    seed: int,
    bound: float,
    oov: str,
    oov_dropout: float,
) -> Model[List[Doc], Ragged]:
    """GloVe or OOV vectors projected to ``width`` as ``oov_projection`` says (GloveOOVEmbed.v2)."""
    glove = GloveOOVVectors_v2(
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        oov=oov,
        oov_marker=oov_projection != "shared",
        oov_dropout=oov_dropout,
    )
    project: Model[Floats2d, Floats2d] = (
        chain(split_oov(), Linear(width)) if oov_projection == "separate" else Linear(width)
    )
    return chain(glove, with_array(project))


def _hash_features(width: int, attrs: Sequence[str], rows: Sequence[int]) -> Model:
    """The hash-embedded token attributes, ``width`` each, concatenated (as MultiHashEmbed)."""
    embeddings: List[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0) for i, n_rows in enumerate(rows)
    ]
    return chain(
        FeatureExtractor(list(attrs)),
        cast(Model[List[Ints2d], Ragged], list2ragged()),
        with_array(concatenate(*embeddings)),
    )
