"""``sentence_beam_ner``: spaCy's beam-search NER, decoded sentence by sentence.

spaCy's ``beam_ner`` decodes with one Python-level step per transition, a ``predict`` over the
batch's unfinished beams. A batch of short Docs shares each step; one long Doc takes thousands of
steps of a few states each, which tags a 10,000-token Doc at a third of greedy ``ner``'s speed.
This component cuts every Doc into pieces, tags all pieces of a batch side by side, and writes
the entities back: a long Doc then costs its longest piece's steps, not its length.

Pieces are a Doc's sentences where it has sentence starts. spaCy's NER never lets an entity
cross a sentence start, reads no token before the current one outside an open entity, and the
shipped tok2vec encodes such Docs sentence by sentence, so a sentence tagged alone gets the same
scores; the search keeps ``beam_width`` candidates per sentence instead of per Doc. Docs (or
sentences) longer than ``max_piece_length`` without sentence starts are cut after sentence-final
punctuation, else after other punctuation or whitespace, else at the limit; a preset entity is
never cut. ``beam_width = 1`` is greedy ``ner``, Docs whole.

Training is ``beam_ner``'s, with one change for long Docs. spaCy's greedy update cuts Docs into
pieces of about ``update_with_oracle_cut_size`` transitions (the oracle cut); its beam update
follows every Doc to its end, so one 5,000-token training Doc makes an update 5,000 sequential
steps. Here a beam update reads a training Doc longer than ``max_piece_length`` as the pieces
``predict`` would tag (never cut inside a gold entity), each an Example of its own: updates
follow what inference sees. Shorter Docs train exactly as in ``beam_ner``. (Cutting at 80 tokens
instead cost 0.5 test F on AnatEM, whose longest sentences then lost their context.)
"""

from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.pipeline.ner import DEFAULT_NER_MODEL, EntityRecognizer
from spacy.tokens import Doc
from spacy.training import Example
from spacy.vocab import Vocab
from thinc.api import Model

from .errors import Errors
from .readers import ENT_IOB_INSIDE, cut_points, span_docs

# Sentence-final characters: spaCy's Sentencizer's, as tokens of their own.
SENTENCE_FINAL = frozenset(Sentencizer.default_punct_chars)
_ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID]


def make_sentence_beam_ner(
    nlp: Language,
    name: str,
    model: Model,
    moves: Optional[Any],
    update_with_oracle_cut_size: int,
    beam_width: int,
    beam_density: float,
    beam_update_prob: float,
    max_piece_length: int,
    incorrect_spans_key: Optional[str],
    scorer: Optional[Callable],
) -> "SentenceBeamEntityRecognizer":
    """``beam_ner`` with its settings, plus ``max_piece_length`` (tokens) for Docs without
    sentence starts."""
    return SentenceBeamEntityRecognizer(
        nlp.vocab,
        model,
        name=name,
        moves=moves,
        update_with_oracle_cut_size=update_with_oracle_cut_size,
        beam_width=beam_width,
        beam_density=beam_density,
        beam_update_prob=beam_update_prob,
        max_piece_length=max_piece_length,
        incorrect_spans_key=incorrect_spans_key,
        scorer=scorer,
    )


FACTORY_DEFAULTS: Dict[str, Any] = {
    "moves": None,
    "update_with_oracle_cut_size": 100,
    "model": DEFAULT_NER_MODEL,
    "beam_width": 4,
    "beam_density": 0.01,
    "beam_update_prob": 0.5,
    "max_piece_length": 400,
    "incorrect_spans_key": None,
    "scorer": {"@scorers": "spacy.ner_scorer.v1"},
}


class PieceBeams:
    """What ``predict`` returns: the number of Docs in the batch, their pieces as (Doc index,
    start token, piece Doc), and one beam per piece."""

    def __init__(self, n_docs: int, pieces: List[Tuple[int, int, Doc]], beams: List[Any]) -> None:
        self.n_docs = n_docs
        self.pieces = pieces
        self.beams = beams


class SentenceBeamEntityRecognizer(EntityRecognizer):
    """An ``EntityRecognizer`` with beam search that tags every Doc in pieces (see module)."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "ner",
        moves: Optional[Any] = None,
        *,
        max_piece_length: int = 400,
        beam_width: int = 4,
        **kwargs: Any,
    ) -> None:
        if int(max_piece_length) < 1:
            error = Errors.E043.format(name="max_piece_length", minimum=1, value=max_piece_length)
            raise ValueError(error)
        if int(beam_width) < 1:
            raise ValueError(Errors.E043.format(name="beam_width", minimum=1, value=beam_width))
        super().__init__(vocab, model, name, moves, beam_width=beam_width, **kwargs)
        self.cfg["max_piece_length"] = int(max_piece_length)

    def __getnewargs_ex__(self) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
        """Pickle with the keyword arguments ``__init__`` takes (spaCy's cfg has more)."""
        keys = ["max_piece_length", "beam_width", "beam_density", "beam_update_prob"]
        keys += ["update_with_oracle_cut_size", "incorrect_spans_key"]
        kwargs = {key: self.cfg[key] for key in keys}
        return (self.vocab, self.model, self.name, self.moves), kwargs

    def update_beam(
        self,
        examples: Iterable[Example],
        *,
        beam_width: int,
        drop: float = 0.0,
        sgd: Optional[Any] = None,
        losses: Optional[Dict[str, float]] = None,
        beam_density: float = 0.0,
    ) -> Any:
        """``beam_ner``'s beam update, on the Examples cut by ``training_pieces``."""
        return super().update_beam(
            training_pieces(list(examples), self.training_piece_length()),
            beam_width=beam_width,
            drop=drop,
            sgd=sgd,
            losses=losses,
            beam_density=beam_density,
        )

    def training_piece_length(self) -> int:
        """The longest Doc a beam update reads whole: ``max_piece_length``; 0, no cut, where the
        model listens to a shared tok2vec (a listener must see the Docs its tok2vec saw)."""
        if any("listener" in node.name for node in self.model.walk()):
            return 0
        return int(self.cfg["max_piece_length"])

    def predict(self, docs: Iterable[Doc]) -> Any:
        """``PieceBeams``; with ``beam_width = 1``, greedy ``ner``'s states."""
        docs = [docs] if isinstance(docs, Doc) else list(docs)
        if self.cfg["beam_width"] == 1:  # greedy parsing steps through a long Doc in C
            return super().predict(docs)
        pieces = []
        for i, doc in enumerate(docs):
            cuts = doc_pieces(doc, self.cfg["max_piece_length"])
            if len(cuts) == 1:
                pieces.append((i, 0, doc))
                continue
            for (start, _), piece in zip(cuts, span_docs(doc, cuts)):
                pieces.append((i, start, piece))
        if not pieces:
            return PieceBeams(len(docs), [], [])
        beams = super().predict([piece for _, _, piece in pieces])
        return PieceBeams(len(docs), pieces, list(beams))

    def set_annotations(self, docs: Iterable[Doc], piece_beams: Any) -> None:
        docs = [docs] if isinstance(docs, Doc) else list(docs)
        if not isinstance(piece_beams, PieceBeams):
            return super().set_annotations(docs, piece_beams)
        piece_docs = [piece for _, _, piece in piece_beams.pieces]
        super().set_annotations(piece_docs, piece_beams.beams)
        by_doc: Dict[int, List[Tuple[int, Doc]]] = defaultdict(list)
        for i, start, piece in piece_beams.pieces:
            if piece is not docs[i]:
                by_doc[i].append((start, piece))
        for i, parts in by_doc.items():
            doc = docs[i]
            array: Any = doc.to_array(_ENT_ATTRS)
            for start, piece in parts:
                array[start : start + len(piece)] = piece.to_array(_ENT_ATTRS)
            doc.from_array(_ENT_ATTRS, array)
            for hook in self.postprocesses:
                hook(doc)

    def scored_ents(self, beams: Any) -> List[Dict[Tuple[int, int, str], float]]:
        """Per Doc, each entity (start, end, label) of its beams with its probability mass; the
        pieces' entities at their Doc's token offsets."""
        if not isinstance(beams, PieceBeams):
            return super().scored_ents(beams)
        scores: List[Dict[Tuple[int, int, str], float]] = [
            defaultdict(float) for _ in range(beams.n_docs)
        ]
        for (i, start, _), piece_scores in zip(beams.pieces, super().scored_ents(beams.beams)):
            for (begin, end, label), score in piece_scores.items():
                scores[i][(begin + start, end + start, label)] += score
        return scores


def training_pieces(examples: Sequence[Example], max_length: int) -> List[Example]:
    """``examples`` with every Example longer than ``max_length`` tokens (and > 0) replaced by
    Examples of its pieces (``doc_pieces`` of the reference, never inside a gold or preset
    entity). An Example whose predicted tokens differ from its reference's is kept whole."""
    if max_length < 1:
        return list(examples)
    pieces: List[Example] = []
    for example in examples:
        predicted, reference = example.predicted, example.reference
        if len(predicted) <= max_length or not _same_tokens(predicted, reference):
            pieces.append(example)
            continue
        inside = _inside(predicted) | _inside(reference)
        cuts = doc_pieces(reference, max_length, inside)
        for x, y in zip(span_docs(predicted, cuts), span_docs(reference, cuts)):
            x.has_unknown_spaces = predicted.has_unknown_spaces
            y.has_unknown_spaces = reference.has_unknown_spaces
            pieces.append(Example(x, y))
    return pieces


def _same_tokens(a: Doc, b: Doc) -> bool:
    return len(a) == len(b) and all(x.text == y.text for x, y in zip(a, b))


def _inside(doc: Doc) -> Any:
    """Per token, whether it continues an entity (a cut before it would split one)."""
    return doc.to_array([ENT_IOB]).reshape(-1) == ENT_IOB_INSIDE


def doc_pieces(doc: Doc, max_length: int, inside: Optional[Any] = None) -> List[Tuple[int, int]]:
    """Token ranges that cover ``doc``: its sentences (where an entity does not cross the
    start) if it has sentence starts, each range longer than ``max_length`` cut further (see
    module); empty Docs have none. ``inside``: per token, whether a cut before it is barred
    (default: it continues one of ``doc``'s entities)."""
    if len(doc) == 0:
        return []
    if inside is None:
        inside = _inside(doc)
    starts = [int(start) for start in cut_points(doc) if start == 0 or not inside[start]]
    bounds = starts + [len(doc)]
    return [
        piece
        for start, end in zip(bounds, bounds[1:])
        for piece in _cut(doc, start, end, max_length, inside)
    ]


def _cut(
    doc: Doc, start: int, end: int, max_length: int, inside: Sequence[bool]
) -> List[Tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``max_length`` tokens (longer only where a preset
    entity spans the limit), each ending at the best cut of its second half."""
    pieces = []
    while end - start > max_length:
        cut = _best_cut(doc, start + max(1, max_length // 2), start + max_length, inside)
        if cut is None:  # a preset entity covers the whole window: cut after it
            cut = start + max_length
            while cut < end and inside[cut]:
                cut += 1
        pieces.append((start, cut))
        start = cut
    if end > start:
        pieces.append((start, end))
    return pieces


def _best_cut(doc: Doc, low: int, high: int, inside: Sequence[bool]) -> Optional[int]:
    """The last position in ``[low, high]`` after sentence-final punctuation, else after
    other punctuation or whitespace, else ``high``; never inside a preset entity."""
    allowed = [cut for cut in range(high, low - 1, -1) if cut < len(doc) and not inside[cut]]
    for test in (_is_sentence_final, _is_break):
        for cut in allowed:
            if test(doc[cut - 1]):
                return cut
    return allowed[0] if allowed else None


def _is_sentence_final(token: Any) -> bool:
    return token.text in SENTENCE_FINAL


def _is_break(token: Any) -> bool:
    return bool(token.is_punct or token.is_space or token.whitespace_ == "\n")
