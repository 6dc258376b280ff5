"""The tok2vec: an embed block then an encode block, as spaCy's ``build_Tok2Vec_model``.

Each block lives in ``layers/`` with its own docstring; ``registrations.py`` gives this function
its registered name, ``spacy_glove_bilstm.GloveBiLSTM.v1``.
"""

from typing import List

from spacy.tokens import Doc
from thinc.api import Model, chain
from thinc.types import Floats2d

from .ops import use_blas_ops


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
