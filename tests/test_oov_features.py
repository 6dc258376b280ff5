"""GloveOOVVectors.v2 (OOV marker, OOV dropout), split_oov, CharEmbed and GloveOOVEmbed.v2."""

import numpy
import pytest
import spacy
from conftest import blank_with_vectors, ner_config, tiny_glove
from spacy.training import Example
from spacy.util import registry
from thinc.api import Adam, fix_random_seed

from spacy_glove_bilstm.layers import (
    CharEmbed,
    GloveOOVEmbed,
    GloveOOVEmbed_v2,
    GloveOOVVectors_v2,
)
from spacy_glove_bilstm.layers.split_oov import split_oov


def _v2(nlp, **kwargs):
    layer = GloveOOVVectors_v2(**kwargs)
    layer.initialize(X=[nlp.make_doc("the cat")])
    return layer


def test_marker_column_says_which_rows_have_no_glove_row():
    nlp = blank_with_vectors()
    layer = _v2(nlp)
    assert layer.get_dim("nO") == 9  # 8 GloVe columns and the marker
    out, _ = layer([nlp.make_doc("The zebra cat Zebra")], is_train=False)
    assert out.data.shape == (4, 9)
    numpy.testing.assert_array_equal(out.data[:, -1], [0.0, 1.0, 0.0, 1.0])
    numpy.testing.assert_array_equal(out.data[0, :8], tiny_glove()["the"])
    # the sampled part is v1's: keyed by LOWER, identical for "zebra" and "Zebra"
    numpy.testing.assert_array_equal(out.data[1], out.data[3])
    assert numpy.abs(out.data[1, :8]).sum() > 0


def test_token_vector_stays_table_wide_with_the_marker():
    nlp = blank_with_vectors()
    config = ner_config()
    config["model"]["tok2vec"]["embed"]["@architectures"] = "spacy_glove_bilstm.GloveOOVEmbed.v2"
    nlp.add_pipe("ner", config=config)
    nlp.add_pipe("glove_token_vectors")
    nlp.initialize(lambda: [Example.from_dict(nlp.make_doc("the cat"), {})])
    doc = nlp("the okapi")
    assert doc[0].vector.shape == (8,) and doc[1].vector.shape == (8,)
    numpy.testing.assert_array_equal(doc[0].vector, tiny_glove()["the"])
    assert doc.vector.shape == (8,)


def test_oov_dropout_only_in_training_and_follows_the_seed():
    nlp = blank_with_vectors()
    layer = _v2(nlp, oov_dropout=0.5)
    doc = nlp.make_doc(" ".join(["the", "cat", "sat", "on", "mat", "london"] * 20))
    predicted, _ = layer([doc], is_train=False)
    numpy.testing.assert_array_equal(predicted.data[:, -1], 0.0)
    fix_random_seed(3)
    first, _ = layer([doc], is_train=True)
    dropped = first.data[:, -1] == 1.0
    assert 30 < dropped.sum() < 90  # about half of 120
    glove = tiny_glove()
    for i, token in enumerate(doc):
        # a kept token has its GloVe row; a dropped one does not (its OOV fill, tested below)
        assert numpy.array_equal(first.data[i, :8], glove[token.lower_]) != dropped[i]
    fix_random_seed(3)
    again, _ = layer([doc], is_train=True)
    numpy.testing.assert_array_equal(first.data, again.data)


def test_dropped_token_gets_the_vector_it_would_get_as_oov():
    # "the" dropped must equal what a vocab without "the" gives it
    nlp = blank_with_vectors()
    without = blank_with_vectors(words=[w for w in tiny_glove() if w != "the"])
    layer = _v2(nlp, oov_dropout=0.99)
    reference = _v2(without)
    reference.attrs["oov_mean"] = layer.attrs["oov_mean"]
    reference.attrs["oov_std"] = layer.attrs["oov_std"]
    fix_random_seed(0)
    out, _ = layer([nlp.make_doc("the")], is_train=True)
    expected, _ = reference([without.make_doc("the")], is_train=False)
    numpy.testing.assert_array_equal(out.data, expected.data)


def test_bad_settings_have_codes():
    with pytest.raises(ValueError, match="E013"):
        GloveOOVVectors_v2(oov_dropout=1.0)
    with pytest.raises(ValueError, match="E014"):
        GloveOOVEmbed_v2(16, [], [], oov_projection="split")
    with pytest.raises(ValueError, match="E015"):
        GloveOOVEmbed_v2(16, [], [], char_width=16, n_chars=0)
    with pytest.raises(ValueError, match="E015"):
        CharEmbed(16, 7)


def test_split_oov_layout_and_exact_gradient():
    layer = split_oov()
    X = numpy.asarray([[1.0, 2.0, 0.0], [3.0, -1.0, 1.0]], dtype="f")
    Y, backprop = layer(X, is_train=True)
    numpy.testing.assert_array_equal(Y, [[1.0, 2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, -1.0, 1.0]])
    rng = numpy.random.default_rng(0)
    dY = rng.normal(size=Y.shape).astype("f")
    dX = backprop(dY)
    eps = 1e-3
    numeric = numpy.zeros_like(X)
    for index in numpy.ndindex(X.shape):
        for sign in (1, -1):
            bumped = X.copy()
            bumped[index] += sign * eps
            numeric[index] += (
                sign * float((layer(bumped, is_train=False)[0] * dY).sum()) / (2 * eps)
            )
    numpy.testing.assert_allclose(dX, numeric, rtol=1e-2, atol=1e-3)


def test_char_embed_rows_by_position_and_summed_gradient():
    nlp = spacy.blank("en")
    layer = CharEmbed(3, 4)
    layer.initialize()
    doc = nlp.make_doc("aaa ab é")
    out, backprop = layer([doc], is_train=True)
    assert out.data.shape == (3, 12) and list(out.lengths) == [3]
    E = layer.get_param("E")
    ids = doc.to_utf8_array(nr_char=4).astype("int64")
    expected = numpy.concatenate([E[p * 256 + ids[:, p]] for p in range(4)], axis=1)
    numpy.testing.assert_array_equal(out.data, expected)
    dY = numpy.ones_like(out.data)
    backprop(type(out)(dY, out.lengths))
    grad = layer.get_grad("E")
    # "a" at position 0 occurs in "aaa" and "ab": its gradient is summed, not overwritten
    numpy.testing.assert_array_equal(grad[ord("a")], [2.0, 2.0, 2.0])
    assert grad.sum() == pytest.approx(3 * 4 * 3)  # every token, position and column once
    empty, _ = layer([nlp.make_doc("")], is_train=False)
    assert empty.data.size == 0 and list(empty.lengths) == [0]


@pytest.mark.parametrize("projection", ["separate", "marker", "shared"])
def test_embed_v2_trains_saves_and_loads(tmp_path, projection):
    fix_random_seed(0)
    nlp = blank_with_vectors()
    config = ner_config()
    embed = config["model"]["tok2vec"]["embed"]
    embed.update(
        {
            "@architectures": "spacy_glove_bilstm.GloveOOVEmbed.v2",
            "oov_projection": projection,
            "oov_dropout": 0.1,
            "char_width": 4,
            "n_chars": 4,
        }
    )
    nlp.add_pipe("ner", config=config)
    examples = [
        Example.from_dict(nlp.make_doc("the okapi sat in London"), {"entities": [(17, 23, "LOC")]}),
        Example.from_dict(nlp.make_doc("Paris okapi"), {"entities": [(0, 5, "LOC")]}),
    ]
    nlp.initialize(lambda: examples)
    optimizer = Adam(0.01)
    first = nlp.update(examples, sgd=optimizer)["ner"]
    for _ in range(40):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["ner"] < first / 4
    texts = ["the okapi sat in London", "Paris okapi", ""]
    assert [[e.text for e in d.ents] for d in nlp.pipe(texts)] == [["London"], ["Paris"], []]
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    for pipeline in (nlp, loaded):
        assert [[e.text for e in d.ents] for d in pipeline.pipe(texts)][:2] == [
            ["London"],
            ["Paris"],
        ]
    docs = [nlp.make_doc(t) for t in texts[:2]]
    expected = nlp.get_pipe("ner").model.get_ref("tok2vec").predict(docs)
    got = loaded.get_pipe("ner").model.get_ref("tok2vec").predict(docs)
    for a, b in zip(expected, got):
        numpy.testing.assert_array_equal(a, b)
    assert registry.architectures.get("spacy_glove_bilstm.GloveOOVEmbed.v2") is GloveOOVEmbed_v2


def test_embed_v2_shared_without_extras_is_v1():
    """oov_projection "shared", no dropout, no characters: v1's graph, weights and output."""
    nlp = blank_with_vectors()
    docs = [nlp.make_doc("the okapi sat in London"), nlp.make_doc("")]
    outputs = []
    for build in (GloveOOVEmbed, GloveOOVEmbed_v2):
        fix_random_seed(0)
        kwargs = {"oov_projection": "shared"} if build is GloveOOVEmbed_v2 else {}
        model = build(16, ["NORM", "SHAPE"], [100, 50], **kwargs)
        model.initialize(X=docs)
        outputs.append(model.predict(docs))
        # v1's layout: the table-wide vectors (no marker column), no split, no characters
        names = {node.name for node in model.walk()}
        assert not names & {"split_oov", "char_embed"}
        glove = next(node for node in model.walk() if node.name == "glove_oov_vectors")
        assert glove.get_dim("nO") == 8 and not glove.attrs["oov_marker"]
    for a, b in zip(*outputs):
        numpy.testing.assert_array_equal(a, b)
