import pickle

import pytest
import spacy
from conftest import TRAIN, blank_with_vectors, ner_config
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import fix_random_seed

from spacy_glove_bilstm.sentence_beam_ner import (
    SentenceBeamEntityRecognizer,
    doc_pieces,
    training_pieces,
)

MODEL = {
    **ner_config()["model"],
    "tok2vec": {
        "@architectures": "spacy_glove_bilstm.GloveBiLSTM.v2",
        "by_sentence": True,
        "embed": {
            "@architectures": "spacy_glove_bilstm.GloveOOVEmbed.v2",
            "width": 16,
            "attrs": ["NORM", "SHAPE"],
            "rows": [100, 100],
        },
        "encode": {
            "@architectures": "spacy_glove_bilstm.WindowBiLSTMEncoder.v2",
            "width": 16,
            "lstm_window": 6,
            "lstm_context": 2,
        },
    },
}

SENTENCES = [
    "Emma flew to New York today .".split(),
    "the cat sat in London".split(),
    "Paris is big !".split(),
    "I went to Paris and London with Emma".split(),
]


@pytest.fixture(scope="module")
def nlp():
    fix_random_seed(0)
    nlp = blank_with_vectors()
    nlp.add_pipe("sentence_beam_ner", name="ner", config={"model": MODEL, "max_piece_length": 8})
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    return nlp


def _doc(nlp, sentences, starts=True):
    words = [w for s in sentences for w in s]
    sent_starts = [i == 0 for s in sentences for i in range(len(s))] if starts else None
    return Doc(nlp.vocab, words=words, sent_starts=sent_starts)


def _ents(doc, offset=0):
    return [(e.start - offset, e.end - offset, e.label_) for e in doc.ents]


def _iob(doc):
    return [(t.ent_iob_, t.ent_type_) for t in doc]


def test_pieces_are_sentences_cut_at_punctuation_and_never_inside_a_preset_entity():
    nlp = spacy.blank("en")
    doc = _doc(nlp, SENTENCES)
    assert doc_pieces(doc, 100) == [(0, 7), (7, 12), (12, 16), (16, 24)]
    # Sentences longer than the limit are cut in their second half, after punctuation first.
    assert doc_pieces(doc, 3) == [(0, 3), (3, 6), (6, 7), (7, 10), (10, 12), (12, 15)] + [
        (15, 16),
        (16, 19),
        (19, 22),
        (22, 24),
    ]
    plain = _doc(nlp, SENTENCES, starts=False)
    assert doc_pieces(plain, 10) == [(0, 7), (7, 16), (16, 24)]  # after "." and "!"
    assert doc_pieces(plain, 100) == [(0, 24)]
    # A preset entity across a sentence start joins the sentences; one across a cut moves it.
    doc.set_ents([Span(doc, 5, 9, "LOC")])
    assert doc_pieces(doc, 100)[:2] == [(0, 12), (12, 16)]
    plain.set_ents([Span(plain, 4, 9, "LOC")])
    assert doc_pieces(plain, 8) == [(0, 4), (4, 12), (12, 16), (16, 24)]
    assert doc_pieces(Doc(nlp.vocab, words=[]), 8) == []


def test_a_paragraph_is_tagged_as_its_sentences(nlp):
    ner = nlp.get_pipe("ner")
    assert isinstance(ner, SentenceBeamEntityRecognizer)
    singles = [nlp(Doc(nlp.vocab, words=s)) for s in SENTENCES]
    assert any(doc.ents for doc in singles), "the test model tags nothing: train it longer"
    paragraph = nlp(_doc(nlp, SENTENCES))
    offset = 0
    for single in singles:
        piece = paragraph[offset : offset + len(single)]
        assert _iob(piece) == _iob(single)
        offset += len(single)
    # Without sentence starts, each piece is tagged as a Doc of its own words.
    plain = nlp(_doc(nlp, SENTENCES, starts=False))
    words = [t.text for t in plain]
    pieces = doc_pieces(plain, ner.cfg["max_piece_length"])
    assert len(pieces) == 4
    expected = [
        (begin + start, end + start, label)
        for start, stop in pieces
        for begin, end, label in _ents(nlp(Doc(nlp.vocab, words=words[start:stop])))
    ]
    assert expected and _ents(plain) == expected
    assert all(t.ent_iob_ in ("B", "I", "O") for t in plain)


def test_scored_ents_are_at_the_docs_offsets(nlp):
    ner = nlp.get_pipe("ner")
    paragraph = _doc(nlp, SENTENCES)
    scored = ner.scored_ents(ner.predict([paragraph]))
    assert len(scored) == 1
    offset = 0
    for sentence in SENTENCES:
        single = ner.scored_ents(ner.predict([Doc(nlp.vocab, words=sentence)]))[0]
        mine = {
            (start - offset, end - offset, label): score
            for (start, end, label), score in scored[0].items()
            if offset <= start < offset + len(sentence)
        }
        assert mine.keys() == single.keys()
        assert all(mine[key] == pytest.approx(single[key]) for key in single)
        offset += len(sentence)


def test_preset_entities_and_empty_docs_are_kept(nlp):
    doc = _doc(nlp, SENTENCES, starts=False)
    doc.set_ents([Span(doc, 4, 10, "ORG")], default="unmodified")
    tagged = nlp(doc)
    assert (4, 10, "ORG") in _ents(tagged)
    empty = Doc(nlp.vocab, words=[])
    docs = list(nlp.pipe([empty, _doc(nlp, SENTENCES), Doc(nlp.vocab, words=[])]))
    assert [len(d) for d in docs] == [0, 24, 0]
    assert _ents(docs[1]) == _ents(nlp(_doc(nlp, SENTENCES)))
    ner = nlp.get_pipe("ner")
    scored = ner.scored_ents(ner.predict([_doc(nlp, SENTENCES), empty]))
    assert len(scored) == 2 and scored[0] and not scored[1]


def test_saved_and_pickled_pipelines_keep_the_component(nlp, tmp_path):
    expected = _ents(nlp(_doc(nlp, SENTENCES, starts=False)))
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    ner = loaded.get_pipe("ner")
    assert isinstance(ner, SentenceBeamEntityRecognizer)
    assert ner.cfg["max_piece_length"] == 8
    assert _ents(loaded(_doc(loaded, SENTENCES, starts=False))) == expected
    unpickled = pickle.loads(pickle.dumps(nlp))
    ner = unpickled.get_pipe("ner")
    assert isinstance(ner, SentenceBeamEntityRecognizer)
    assert ner.cfg["max_piece_length"] == 8
    assert _ents(unpickled(_doc(unpickled, SENTENCES, starts=False))) == expected


def test_beam_width_1_is_greedy_ner():
    tagged = []
    for factory, config in (("ner", {}), ("sentence_beam_ner", {"beam_width": 1})):
        fix_random_seed(0)
        nlp = blank_with_vectors()
        nlp.add_pipe(factory, name="ner", config={"model": MODEL, **config})
        examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
        optimizer = nlp.initialize(lambda examples=examples: examples)
        for _ in range(50):
            nlp.update(examples, sgd=optimizer)
        tagged.append([_ents(doc) for doc in nlp.pipe(text for text, _ in TRAIN)])
    assert any(tagged[0]) and tagged[1] == tagged[0]


def _gold(nlp, sentences, entities):
    words = [w for s in sentences for w in s]
    doc = Doc(nlp.vocab, words=words, ents=entities)
    return Example(Doc(nlp.vocab, words=words), doc)


# Tokens 3-4 and 10-11: entities; token 4 continues one.
GOLD_ENTS = ["O", "O", "O", "B-LOC", "I-LOC", "O", "O", "O", "O", "O", "B-LOC"] + ["O"] * 13


def test_long_training_examples_are_cut_outside_gold_entities():
    nlp = spacy.blank("en")
    long = _gold(nlp, SENTENCES, GOLD_ENTS)
    short = _gold(nlp, SENTENCES[2:3], ["B-LOC", "O", "O", "O"])
    pieces = training_pieces([short, long], 4)
    assert pieces[0] is short  # Examples up to the limit are passed on as they are
    assert [len(p.reference) for p in pieces[1:]] == [3, 4, 4, 4, 4, 4, 1]
    assert all(p.reference[0].ent_iob_ != "I" for p in pieces[1:])  # "New York" is not cut
    assert [t.text for p in pieces[1:] for t in p.reference] == [t.text for t in long.reference]
    ents = [(t.ent_iob_, t.ent_type_) for p in pieces[1:] for t in p.reference]
    assert ents == [(t.ent_iob_, t.ent_type_) for t in long.reference]
    assert all(len(p.predicted) == len(p.reference) and not p.predicted.ents for p in pieces[1:])
    assert training_pieces([long], 0) == [long]
    # Different tokens on the two sides: the Example is kept whole.
    words = [w for s in SENTENCES for w in s]
    predicted = Doc(nlp.vocab, words=words[:3] + ["New-York"] + words[5:])
    words[3:5] = ["New", "-", "York"]
    spaces = [word not in ("New", "-") for word in words]
    retokenized = Example.from_dict(predicted, {"words": words, "spaces": spaces})
    assert len(retokenized.predicted) == 23 and len(retokenized.reference) == 25
    assert training_pieces([retokenized], 4) == [retokenized]


def _beam_trained(max_piece_length, given_as_pieces_of=0):
    """The lower layer's weights after beam updates on the long Example (or on its pieces)."""
    fix_random_seed(0)
    nlp = blank_with_vectors()
    config = {"model": MODEL, "beam_update_prob": 1.0, "max_piece_length": max_piece_length}
    nlp.add_pipe("sentence_beam_ner", name="ner", config=config)
    examples = training_pieces([_gold(nlp, SENTENCES, GOLD_ENTS)], given_as_pieces_of)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    return nlp.get_pipe("ner").model.get_ref("lower").get_param("W")


def test_beam_updates_read_long_docs_as_the_pieces_predict_tags():
    cut = _beam_trained(8)
    assert (cut == _beam_trained(8, given_as_pieces_of=8)).all()
    assert not (cut == _beam_trained(100)).all()  # read whole: another model


@pytest.mark.parametrize("setting", [{"max_piece_length": 0}, {"beam_width": 0}])
def test_bad_settings_name_the_fix(setting):
    nlp = blank_with_vectors()
    with pytest.raises(ValueError, match=r"\[E043\].*" + list(setting)[0]):
        nlp.add_pipe("sentence_beam_ner", config={"model": MODEL, **setting})


def test_a_listening_model_trains_on_whole_docs():
    # A listener must see the Docs its tok2vec component saw, so its Examples are never cut.
    nlp = blank_with_vectors()
    nlp.add_pipe("tok2vec", config={"model": MODEL["tok2vec"]})
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 16, "upstream": "*"}
    config = {"model": {**MODEL, "tok2vec": listener}, "max_piece_length": 8}
    ner = nlp.add_pipe("sentence_beam_ner", name="ner", config=config)
    assert ner.training_piece_length() == 0
    alone = blank_with_vectors().add_pipe("sentence_beam_ner", config=config | {"model": MODEL})
    assert alone.training_piece_length() == 8
