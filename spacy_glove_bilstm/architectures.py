"""Registered names. Thin on purpose: each layer lives in ``layers/`` with its own docstring.

Names never change meaning once released: a new signature gets a ``.v2``. They are also declared
as entry points in setup.cfg, so ``spacy train`` finds them without ``--code``.
"""

from typing import List

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain
from thinc.types import Floats2d

from .layers import BiLSTMEncoder, GloveOOVEmbed, GloveOOVVectors, WindowBiLSTMEncoder
from .ops import use_blas_ops


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
    return use_blas_ops(model)


registry.architectures("spacy_glove_bilstm.GloveOOVEmbed.v1")(GloveOOVEmbed)
registry.architectures("spacy_glove_bilstm.BiLSTMEncoder.v1")(BiLSTMEncoder)
registry.architectures("spacy_glove_bilstm.WindowBiLSTMEncoder.v1")(WindowBiLSTMEncoder)
registry.layers("spacy_glove_bilstm.GloveOOVVectors.v1")(GloveOOVVectors)
