"""A training corpus that reads Docs with sentence boundaries as their sentences, dropping nothing.

spaCy's transition-based ``ner`` trains by stepping through a Doc's transitions one at a time, so
an update on a batch of one 200-token paragraph takes several times the sequential steps of one
on 200 words of sentences, and with ``GloveBiLSTM.v2`` the encoder reads each sentence on its
own anyway. ``spacy.Corpus.v1`` can split Docs into sentences (``max_length``), but it silently
drops every Doc without sentence boundaries and every sentence longer than ``max_length``.
``SentenceCorpus`` splits every Doc that has sentence boundaries into its sentences, keeps every
other Doc whole and drops nothing but empty Docs. It never cuts inside an entity: a sentence
start inside an entity span is not used as a cut.
"""

from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
)

import numpy
from spacy.attrs import ENT_IOB, SENT_START
from spacy.tokens import Doc
from spacy.training import Corpus, Example

from .errors import Errors

if TYPE_CHECKING:
    from spacy.language import Language

ENT_IOB_INSIDE = 1  # ENT_IOB column: 1 = I, 2 = O, 3 = B, 0 = missing


class SentenceCorpus(Corpus):
    """``spacy.training.Corpus`` that trains on the sentences of Docs with sentence starts."""

    def make_examples(self, nlp: "Language", reference_docs: Iterable[Doc]) -> Iterator[Example]:
        for reference in reference_docs:
            for piece in sentence_pieces(reference):
                yield self._make_example(nlp, piece, False)


def sentence_pieces(doc: Doc) -> Iterator[Doc]:
    """``doc`` cut at its sentence starts that are not inside an entity; ``doc`` itself if it
    has no such start; nothing if it is empty."""
    if len(doc) == 0:
        return
    starts = cut_points(doc)
    if len(starts) <= 1:
        yield doc
        return
    ends = list(starts[1:]) + [len(doc)]
    for piece in span_docs(doc, [(int(start), int(end)) for start, end in zip(starts, ends)]):
        # A Doc made from words alone keeps its gold tokens in training (spaCy's Corpus does not
        # re-tokenize it); its sentences must too.
        piece.has_unknown_spaces = doc.has_unknown_spaces
        yield piece


def span_docs(doc: Doc, ranges: Sequence[Tuple[int, int]]) -> List[Doc]:
    """``doc[start:end].as_doc()`` for each range, all from one array of ``doc``: ``as_doc``
    alone copies the whole Doc to an array for every span, quadratic in a long Doc."""
    head = list(doc._get_array_attrs())
    array = doc.to_array(head)
    return [cast(Any, doc[start:end]).as_doc(array_head=head, array=array) for start, end in ranges]


def cut_points(doc: Doc) -> numpy.ndarray:
    """Token 0 and every sentence start of ``doc`` that does not continue an entity."""
    if not doc.has_annotation("SENT_START"):
        return numpy.asarray([0])
    columns = doc.to_array([SENT_START, ENT_IOB])
    starts = (columns[:, 0] == 1) & (columns[:, 1] != ENT_IOB_INSIDE)
    starts[0] = True
    return numpy.flatnonzero(starts)


def create_sentence_corpus(
    path: Optional[Union[str, Path]],
    gold_preproc: bool = False,
    limit: int = 0,
    augmenter: Optional[Callable] = None,
) -> SentenceCorpus:
    """``spacy_glove_bilstm.SentenceCorpus.v1``: ``spacy.Corpus.v1`` without ``max_length``, that
    reads every Doc with sentence boundaries as its sentences and keeps every other Doc whole.

    path: a ``.spacy`` file or a directory of them.
    gold_preproc, limit, augmenter: as in ``spacy.Corpus.v1``.
    """
    if path is None:
        raise ValueError(Errors.E042)
    return SentenceCorpus(path, gold_preproc=gold_preproc, limit=limit, augmenter=augmenter)
