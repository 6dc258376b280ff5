"""Registered builders. Thin on purpose: each layer lives in ``layers/``.

Names never change meaning once released: a new signature gets a ``.v2``.
"""

from typing import List, Optional

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain
from thinc.types import Floats2d, Ragged

from .layers import BiLSTMEncoder, GloveOOVEmbed, GloveOOVVectors, WindowBiLSTMEncoder


@registry.architectures("spacy_glove_bilstm.GloveBiLSTM.v1")
def build_glove_bilstm(
    embed: Model[List[Doc], List[Floats2d]],
    encode: Model[List[Floats2d], List[Floats2d]],
) -> Model[List[Doc], List[Floats2d]]:
    """A tok2vec: ``embed`` (e.g. GloveOOVEmbed.v1) then ``encode`` (e.g. BiLSTMEncoder.v1).

    embed: context-independent token embeddings.
    encode: contextual encoder; its output width is the tok2vec's width.
    """
    model = chain(embed, encode)
    model.set_dim("nO", encode.get_dim("nO"))
    model.set_ref("embed", embed)
    model.set_ref("encode", encode)
    model.name = "glove_bilstm"
    return model


@registry.architectures("spacy_glove_bilstm.GloveOOVEmbed.v1")
def build_glove_oov_embed(
    width: int,
    attrs: List[str],
    rows: List[int],
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    dropout: float = 0.0,
    oov: str = "sample",
) -> Model[List[Doc], List[Floats2d]]:
    return GloveOOVEmbed(
        width,
        attrs,
        rows,
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        dropout=dropout,
        oov=oov,
    )


@registry.architectures("spacy_glove_bilstm.BiLSTMEncoder.v1")
def build_bilstm_encoder(
    width: int,
    depth: int,
    dropout: float = 0.0,
    backend: str = "native",
    input_width: Optional[int] = None,
    residual: bool = False,
) -> Model[List[Floats2d], List[Floats2d]]:
    return BiLSTMEncoder(
        width, depth, dropout, backend=backend, input_width=input_width, residual=residual
    )


@registry.architectures("spacy_glove_bilstm.WindowBiLSTMEncoder.v1")
def build_window_bilstm_encoder(
    width: int,
    window_size: int = 1,
    maxout_pieces: int = 3,
    cnn_depth: int = 2,
    lstm_depth: int = 1,
    dropout: float = 0.0,
    backend: str = "native",
) -> Model[List[Floats2d], List[Floats2d]]:
    return WindowBiLSTMEncoder(
        width,
        window_size=window_size,
        maxout_pieces=maxout_pieces,
        cnn_depth=cnn_depth,
        lstm_depth=lstm_depth,
        dropout=dropout,
        backend=backend,
    )


@registry.layers("spacy_glove_bilstm.GloveOOVVectors.v1")
def glove_oov_vectors_layer(
    nO: Optional[int] = None,
    oov_attr: str = "LOWER",
    lowercase_fallback: bool = True,
    seed: int = 0,
    bound: float = 2.0,
    oov: str = "sample",
) -> Model[List[Doc], Ragged]:
    return GloveOOVVectors(
        nO,
        oov_attr=oov_attr,
        lowercase_fallback=lowercase_fallback,
        seed=seed,
        bound=bound,
        oov=oov,
    )


build_glove_oov_embed.__doc__ = GloveOOVEmbed.__doc__
build_bilstm_encoder.__doc__ = BiLSTMEncoder.__doc__
build_window_bilstm_encoder.__doc__ = WindowBiLSTMEncoder.__doc__
glove_oov_vectors_layer.__doc__ = GloveOOVVectors.__doc__
