"""Encode each sentence of a Doc on its own when the Doc has sentence boundaries.

A Doc of many sentences (ten tweets, a paragraph, an article converted with ``spacy convert -n
10``) should be encoded as its sentences would be one per Doc: then the encoder's cost per word and
what it computes do not depend on how sentences are grouped into Docs, and a model trained on
sentences reads a paragraph the way it was trained. ``by_sentences`` runs ``embed`` over the Docs,
cuts every Doc's rows at its sentence starts, runs ``encode`` over all sentences of the batch side
by side and lays the rows back per Doc. Docs without sentence boundaries (raw text through a
pipeline without a sentence splitter) are encoded whole, so a windowed encoder reads them in
windows. The layer only slices and concatenates, so its gradient is exact.
"""

from typing import Any, Callable, List, Tuple, cast

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d, Ints1d

InT = List[Doc]
OutT = List[Floats2d]


def by_sentences(
    embed: Model[InT, OutT], encode: Model[OutT, OutT], *, name: str = "by_sentences"
) -> Model[InT, OutT]:
    """``embed`` over Docs, then ``encode`` over their sentences (or whole Docs without any)."""
    model: Model[InT, OutT] = Model(
        name,
        forward,
        init=init,
        layers=[embed, encode],
        dims={"nO": encode.maybe_get_dim("nO")},
    )
    return model


def init(model: Model[InT, OutT], X: Any = None, Y: Any = None) -> None:
    embed, encode = model.layers
    embed.initialize(X=X)
    encode.initialize(X=embed.predict(X) if X is not None else None, Y=Y)
    model.set_dim("nO", encode.get_dim("nO"), force=True)


def forward(model: Model[InT, OutT], docs: InT, is_train: bool) -> Tuple[OutT, Callable]:
    embed, encode = model.layers
    ops = model.ops
    Xs, backprop_embed = embed(docs, is_train)
    pieces = [sentence_lengths(doc) for doc in docs]
    if all(len(p) <= 1 for p in pieces):
        Ys, backprop_encode = encode(Xs, is_train)

        def backprop_whole(dYs: OutT) -> Any:
            return backprop_embed(backprop_encode(dYs))

        return Ys, backprop_whole
    doc_lengths = ops.asarray1i([len(doc) for doc in docs])
    sent_lengths = ops.asarray1i(cast(Ints1d, numpy.concatenate(pieces)))
    Ysents, backprop_encode = encode(_regroup(ops, Xs, sent_lengths), is_train)
    Ys = _regroup(ops, Ysents, doc_lengths)

    def backprop(dYs: OutT) -> Any:
        dXsents = backprop_encode(_regroup(ops, dYs, sent_lengths))
        return backprop_embed(_regroup(ops, dXsents, doc_lengths))

    return Ys, backprop


def sentence_lengths(doc: Doc) -> Any:
    """The lengths of ``doc``'s sentences, or ``[len(doc)]`` if it has no sentence boundaries.

    Read from the ``SENT_START`` column in one array (no Span objects): a sentence starts at
    token 0 and at every token whose ``is_sent_start`` is True.
    """
    n = len(doc)
    if n == 0 or not doc.has_annotation("SENT_START"):
        return numpy.asarray([n], dtype="int32")
    starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1)
    if not len(starts) or starts[0] != 0:
        starts = numpy.concatenate([[0], starts])
    return numpy.diff(numpy.append(starts, n)).astype("int32")


def _regroup(ops: Any, Xs: OutT, lengths: Any) -> OutT:
    """The rows of ``Xs`` laid end to end, cut again into pieces of ``lengths``."""
    return cast(OutT, ops.unflatten(ops.flatten(Xs), lengths))
