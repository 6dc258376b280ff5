import numpy
import pytest
from conftest import blank_with_vectors
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry

from spacy_glove_bilstm.layers.sentences import sentence_lengths
from spacy_glove_bilstm.readers import SentenceCorpus, cut_points, sentence_pieces, span_docs

SENTENCES = [
    "the cat sat on the mat .".split(),
    "London is in England".split(),
    "paris".split(),
    "new york to paris , london and the mat".split(),
]

EMBED = {
    "@architectures": "spacy_glove_bilstm.GloveOOVEmbed.v2",
    "width": 8,
    "attrs": ["NORM", "SHAPE"],
    "rows": [50, 50],
}


def _tok2vec(by_sentence: bool):
    return registry.resolve(
        {
            "m": {
                "@architectures": "spacy_glove_bilstm.GloveBiLSTM.v2",
                "by_sentence": by_sentence,
                "embed": EMBED,
                "encode": {
                    "@architectures": "spacy_glove_bilstm.WindowBiLSTMEncoder.v2",
                    "width": 8,
                    "lstm_window": 4,
                    "lstm_context": 2,
                },
            }
        }
    )["m"]


def _paragraph(nlp, sentences, starts=True):
    words = [w for s in sentences for w in s]
    sent_starts = [i == 0 for s in sentences for i in range(len(s))] if starts else None
    return Doc(nlp.vocab, words=words, sent_starts=sent_starts)


def test_sentence_lengths_read_the_sent_start_column():
    nlp = blank_with_vectors()
    assert sentence_lengths(_paragraph(nlp, SENTENCES)).tolist() == [7, 4, 1, 9]
    assert sentence_lengths(_paragraph(nlp, SENTENCES, starts=False)).tolist() == [21]
    assert sentence_lengths(Doc(nlp.vocab, words=[])).tolist() == [0]


def test_a_paragraph_is_encoded_as_its_sentences():
    nlp = blank_with_vectors()
    model = _tok2vec(by_sentence=True)
    singles = [Doc(nlp.vocab, words=s) for s in SENTENCES]
    paragraph = _paragraph(nlp, SENTENCES)
    plain = _paragraph(nlp, SENTENCES, starts=False)
    empty = Doc(nlp.vocab, words=[])
    model.initialize(X=singles)
    separate = numpy.concatenate(model.predict(singles))
    Y, backprop = model([paragraph, empty, plain], is_train=True)
    assert [y.shape for y in Y] == [(21, 8), (0, 8), (21, 8)]
    # Equal up to float32 rounding: the batch holds other rows than `separate`'s, and on some
    # CPUs BLAS then sums the same products in another order (seen: 1.4e-6 on an AMD EPYC).
    numpy.testing.assert_allclose(Y[0], separate, rtol=1e-5, atol=1e-5)
    # Without sentence starts the Doc is read whole: the LSTM's windows cross sentences.
    assert not numpy.allclose(Y[2], separate)
    # The gradient of a paragraph equals the sum of its sentences' gradients.
    rng = numpy.random.default_rng(0)
    dY = rng.normal(size=(21, 8)).astype("f")
    backprop([dY, numpy.zeros((0, 8), "f"), numpy.zeros((21, 8), "f")])
    from_paragraph = _grads(model)
    assert len(from_paragraph) > 10 and any(g.any() for g in from_paragraph.values())
    for node in model.walk():
        for name in node.grad_names:
            node.set_grad(name, node.ops.alloc(node.get_grad(name).shape))
    _, backprop_singles = model(singles, is_train=True)
    offsets = numpy.cumsum([0] + [len(s) for s in SENTENCES])
    backprop_singles([dY[a:b] for a, b in zip(offsets[:-1], offsets[1:])])
    from_singles = _grads(model)
    assert from_singles.keys() == from_paragraph.keys()
    for key, grad in from_paragraph.items():
        # Sums of many products: near-zero entries carry absolute rounding (seen: 2e-6).
        numpy.testing.assert_allclose(from_singles[key], grad, rtol=1e-4, atol=1e-5)


def _grads(model):
    return {
        (i, name): node.get_grad(name).copy()
        for i, node in enumerate(model.walk())
        for name in node.grad_names
    }


def test_by_sentence_false_is_v1():
    v1 = registry.resolve(
        {
            "m": {
                "@architectures": "spacy_glove_bilstm.GloveBiLSTM.v1",
                "embed": EMBED,
                "encode": {
                    "@architectures": "spacy_glove_bilstm.BiLSTMEncoder.v1",
                    "width": 8,
                    "depth": 1,
                },
            }
        }
    )["m"]
    v2 = _tok2vec(by_sentence=False)
    assert v2.name == v1.name == "glove_bilstm"
    assert v2._func is v1._func  # chain's forward: v1's model, no sentence handling
    assert _tok2vec(by_sentence=True)._func is not v1._func


def _corpus_docs(nlp):
    paragraph = _paragraph(nlp, SENTENCES)
    paragraph.ents = [Span(paragraph, 7, 8, label="LOC")]  # "London"
    plain = _paragraph(nlp, SENTENCES, starts=False)
    plain.ents = [Span(plain, 7, 8, label="LOC")]
    # An entity across a sentence start: "mat . London" would be cut inside it.
    across = _paragraph(nlp, SENTENCES)
    across.ents = [Span(across, 5, 8, label="LOC")]
    return [paragraph, plain, across, Doc(nlp.vocab, words=[])]


def test_sentence_pieces_split_at_starts_outside_entities_and_drop_nothing():
    nlp = blank_with_vectors()
    paragraph, plain, across, empty = _corpus_docs(nlp)
    assert cut_points(paragraph).tolist() == [0, 7, 11, 12]
    pieces = list(sentence_pieces(paragraph))
    assert [[t.text for t in p] for p in pieces] == SENTENCES
    assert [(e.text, e.label_) for p in pieces for e in p.ents] == [("London", "LOC")]
    assert [p.text for p in sentence_pieces(plain)] == [plain.text]
    # The start at "London" is inside the entity "mat . London": no cut there.
    assert cut_points(across).tolist() == [0, 11, 12]
    kept = list(sentence_pieces(across))
    assert [len(p) for p in kept] == [11, 1, 9]
    assert [e.text for p in kept for e in p.ents] == ["mat . London"]
    assert list(sentence_pieces(empty)) == []


def test_span_docs_equal_span_as_doc():
    nlp = blank_with_vectors()
    doc = _paragraph(nlp, SENTENCES)
    doc.ents = [Span(doc, 5, 8, label="LOC"), Span(doc, 12, 14, label="LOC")]
    ranges = [(0, 6), (6, 12), (12, 13), (13, 21)]  # the first cuts inside "mat . London"
    for (start, end), piece in zip(ranges, span_docs(doc, ranges)):
        expected = doc[start:end].as_doc()
        assert piece.to_json() == expected.to_json()
        assert [t.is_sent_start for t in piece] == [t.is_sent_start for t in expected]


def test_sentence_corpus_reads_sentences_and_keeps_plain_docs(tmp_path):
    nlp = blank_with_vectors()
    docs = _corpus_docs(nlp)
    DocBin(docs=docs).to_disk(tmp_path / "train.spacy")
    reader = registry.resolve(
        {"r": {"@readers": "spacy_glove_bilstm.SentenceCorpus.v1", "path": tmp_path}}
    )["r"]
    assert isinstance(reader, SentenceCorpus)
    examples = list(reader(nlp))
    assert all(isinstance(eg, Example) for eg in examples)
    assert [len(eg.reference) for eg in examples] == [7, 4, 1, 9, 21, 11, 1, 9]
    assert sum(len(eg.reference) for eg in examples) == sum(len(d) for d in docs)
    # Docs made from words alone keep their gold tokens: "'m" is not re-tokenized to "'", "m".
    words = ["I", "'m", "in", "paris", "ok", "."]
    gold = Doc(nlp.vocab, words=words, sent_starts=[1, 0, 0, 0, 1, 0])
    DocBin(docs=[gold]).to_disk(tmp_path / "train.spacy")
    pieces = [[t.text for t in eg.predicted] for eg in reader(nlp)]
    assert pieces == [words[:4], words[4:]]
    with pytest.raises(ValueError, match="E042"):
        registry.resolve({"r": {"@readers": "spacy_glove_bilstm.SentenceCorpus.v1", "path": None}})
