"""The tok2vec: an embed block then an encode block, as spaCy's ``build_Tok2Vec_model``.

Each block lives in ``layers/`` with its own docstring; ``registrations.py`` gives these functions
their registered names, ``spacy_glove_bilstm.GloveBiLSTM.v1`` and ``.v2``.
"""

from typing import List

from spacy.tokens import Doc
from thinc.api import Model, chain
from thinc.types import Floats2d

from .layers.sentences import by_sentences
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


def build_glove_bilstm_v2(
    embed: Model[List[Doc], List[Floats2d]],
    encode: Model[List[Floats2d], List[Floats2d]],
    by_sentence: bool = True,
) -> Model[List[Doc], List[Floats2d]]:
    """``GloveBiLSTM.v1`` that encodes every sentence on its own when Docs have sentence starts.

    by_sentence: True: ``encode`` reads each sentence of a Doc with sentence boundaries as if it
        were a Doc of its own (``layers/sentences.py``), so a paragraph is encoded exactly as its
        sentences, and training and inference cost the same per word however sentences are
        grouped; Docs without boundaries are read whole (in windows, with WindowBiLSTMEncoder.v2).
        False: the model of v1.
    """
    if not by_sentence:
        return build_glove_bilstm(embed, encode)
    model = by_sentences(embed, encode, name="glove_bilstm")
    model.set_dim("nO", encode.get_dim("nO"))
    model.set_ref("embed", embed)
    model.set_ref("encode", encode)
    return use_blas_ops(model)
