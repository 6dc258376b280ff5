"""benchmarks/experiments.py: the third tuning round's candidates do what their rows say."""

import random

import numpy
import spacy
from conftest import blank_with_vectors
from spacy.tokens import Doc
from spacy.training import Example

from benchmarks import experiments


def test_token_dropout_zeroes_whole_rows_in_training_only() -> None:
    numpy.random.seed(0)
    layer = experiments.token_dropout(0.5, columns=2)
    X = numpy.ones((200, 5), dtype="float32")
    Y, backprop = layer(X, is_train=True)
    dropped = Y[:, 0] == 0
    assert 50 < dropped.sum() < 150
    # The first two columns go together; the others are never touched.
    assert numpy.array_equal(Y[:, 1] == 0, dropped) and numpy.all(Y[:, 2:] == 1)
    assert numpy.array_equal(backprop(X), Y)  # the gradient is masked like the output
    Y, _ = layer(X, is_train=False)
    assert numpy.array_equal(Y, X)


def test_char_cnn_embeds_each_token_from_its_characters() -> None:
    nlp = spacy.blank("en")
    layer = experiments.char_cnn(n_chars=12, n_embed=8, width=6)
    docs = [nlp("cat cat cap Ünïcode 😀"), nlp("elephantine"), nlp("")]
    layer.initialize(X=docs)
    Y, backprop = layer(docs, is_train=True)
    assert Y.data.shape == (6, 6) and list(Y.lengths) == [5, 1, 0]
    assert numpy.allclose(Y.data[0], Y.data[1]) and not numpy.allclose(Y.data[0], Y.data[2])
    backprop(Y)
    embed = next(node for node in layer.walk() if node.name == "embed")
    assert numpy.abs(embed.get_grad("E")).sum() > 0


def test_embed_plus_options_add_their_layers_and_train() -> None:
    nlp = blank_with_vectors(width=8)
    for option, layer in (
        ({}, None),
        ({"word_dropout": 0.3}, "token_dropout"),
        ({"char_width": 8}, "char_cnn"),
    ):
        settings = {"width": 16, "attrs": ["NORM", "SHAPE"], "rows": [100, 50], **option}
        arch = {"@architectures": "experiments.GloveOOVEmbedPlus.v1", **settings}
        model = spacy.util.registry.resolve({"m": arch})["m"]
        names = {node.name for node in model.walk()}
        assert {"token_dropout", "char_cnn"} & names == ({layer} if layer else set())
        docs = [nlp("the cat sat in london"), nlp("Paris")]
        model.initialize(X=docs)
        Y, backprop = model(docs, is_train=True)
        assert [y.shape for y in Y] == [(5, 16), (1, 16)]
        backprop(Y)
        assert model.predict(docs)[0].shape == (5, 16)


def test_mention_replace_swaps_entities_for_mentions_of_the_same_label() -> None:
    nlp = spacy.blank("en")
    augment = experiments.create_mention_replace(level=1.0)

    def example(words: list, tags: list) -> Example:
        return Example(Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words, ents=tags))

    first = example(["I", "love", "New", "York", "!"], ["O", "O", "B-loc", "I-loc", "O"])
    second = example(["Paris", "is", "nice"], ["B-loc", "O", "O"])
    no_ents = example(["hello", "there"], ["O", "O"])
    assert list(augment(nlp, no_ents)) == [no_ents]
    # The pool holds only mentions seen so far: the first tweet can only get its own back.
    (same,) = augment(nlp, first)
    assert [t.text for t in same.reference] == ["I", "love", "New", "York", "!"]
    random.seed(3)
    texts = set()
    for _ in range(20):
        (out,) = augment(nlp, second)
        ref = out.reference
        assert [(e.label_, e.start) for e in ref.ents] == [("loc", 0)]
        assert [t.text for t in ref[ref.ents[0].end :]] == ["is", "nice"]
        assert [t.text for t in out.predicted] == [t.text for t in ref]
        texts.add(ref.ents[0].text)
    assert texts == {"New York", "Paris"}
    never = experiments.create_mention_replace(level=0.0)
    assert list(never(nlp, second)) == [second]
