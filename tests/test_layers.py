import numpy
import pytest
import spacy
from conftest import blank_with_vectors, ner_config, tiny_glove
from spacy.training import Example
from thinc.api import NumpyOps

from spacy_glove_bilstm import sample_oov_vectors
from spacy_glove_bilstm.layers import GloveOOVVectors, set_oov_stats
from spacy_glove_bilstm.lookup import KeyIndex, SampleCache
from spacy_glove_bilstm.oov import sample_ngram_vectors


def _layer(nlp, **kwargs):
    layer = GloveOOVVectors(**kwargs)
    layer.initialize(X=[nlp.make_doc("the cat")])
    return layer


def test_exact_lowercase_and_sampled_rows():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    glove = tiny_glove()
    doc = nlp.make_doc("The cat aspirin Aspirin London")
    out, backprop = layer([doc], is_train=True)
    assert out.data.shape == (5, 8) and list(out.lengths) == [5]
    numpy.testing.assert_array_equal(out.data[0], glove["the"])  # lowercase fallback
    numpy.testing.assert_array_equal(out.data[1], glove["cat"])
    numpy.testing.assert_array_equal(out.data[4], glove["london"])
    # OOV keyed by LOWER: "aspirin" and "Aspirin" share one sampled vector.
    numpy.testing.assert_array_equal(out.data[2], out.data[3])
    expected = sample_oov_vectors(
        [nlp.vocab.strings["aspirin"]], layer.attrs["oov_mean"], layer.attrs["oov_std"]
    )
    numpy.testing.assert_array_equal(out.data[2], expected[0])
    assert backprop(out) == []


def test_stats_are_table_mean_and_std():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    table = numpy.stack(list(tiny_glove().values()))
    numpy.testing.assert_allclose(layer.attrs["oov_mean"], table.mean(0), rtol=1e-6)
    numpy.testing.assert_allclose(layer.attrs["oov_std"], table.std(0), rtol=1e-6)
    assert layer.get_dim("nO") == 8


def test_without_lowercase_fallback_and_orth_key():
    nlp = blank_with_vectors()
    layer = _layer(nlp, lowercase_fallback=False, oov_attr="ORTH")
    out, _ = layer([nlp.make_doc("The the Aspirin aspirin")], is_train=False)
    assert not numpy.array_equal(out.data[0], out.data[1])
    assert not numpy.array_equal(out.data[2], out.data[3])


def test_batches_without_oov_only_oov_and_empty_docs():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    docs = [nlp.make_doc(""), nlp.make_doc("the cat"), nlp.make_doc(""), nlp.make_doc("zzz yyy")]
    out, _ = layer(docs, is_train=False)
    assert list(out.lengths) == [0, 2, 0, 2] and out.data.shape == (4, 8)
    empty, _ = layer([nlp.make_doc(""), nlp.make_doc("")], is_train=False)
    assert empty.dataXd.shape == (0, 8) and list(empty.lengths) == [0, 0]
    only_glove, _ = layer([nlp.make_doc("the cat"), nlp.make_doc("London")], is_train=False)
    numpy.testing.assert_array_equal(only_glove.data[2], tiny_glove()["london"])
    only_oov, _ = layer([nlp.make_doc("zzz"), nlp.make_doc("yyy zzz")], is_train=False)
    numpy.testing.assert_array_equal(only_oov.data[0], only_oov.data[2])
    assert not numpy.array_equal(only_oov.data[0], only_oov.data[1])
    none, _ = layer([], is_train=False)
    assert none.dataXd.shape == (0, 8)


def test_odd_tokens_get_distinct_finite_vectors():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    words = ["🙂", "\n", "  ", "naïve", "東京", "\u200b", "#covid", "@user", "http://t.co/x"]
    doc = spacy.tokens.Doc(nlp.vocab, words=words)
    out, _ = layer([doc], is_train=False)
    assert numpy.isfinite(out.data).all()
    assert len({row.tobytes() for row in out.data}) == len(words)


def test_huge_doc_is_gathered_in_one_pass():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    words = [f"w{i % 700}" if i % 3 else "the" for i in range(5000)]
    out, _ = layer([spacy.tokens.Doc(nlp.vocab, words=words)], is_train=False)
    assert out.data.shape == (5000, 8)
    numpy.testing.assert_array_equal(out.data[0], tiny_glove()["the"])
    numpy.testing.assert_array_equal(out.data[1], out.data[701])  # same word, same vector


def test_width_mismatch_names_both_widths():
    nlp = blank_with_vectors(width=8)
    layer = GloveOOVVectors(nO=50)
    with pytest.raises(ValueError, match=r"E003.*8 wide but the model expects 50"):
        layer.initialize(X=[nlp.make_doc("the cat")])
    trained = _layer(nlp)
    other = blank_with_vectors(width=4)
    with pytest.raises(ValueError, match=r"E003.*4 wide but the model expects 8"):
        trained([other.make_doc("the cat")], is_train=False)


def test_no_vectors_at_initialize_says_how_to_add_glove():
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config=ner_config())
    examples = [Example.from_dict(nlp.make_doc("Paris"), {"entities": [(0, 5, "LOC")]})]
    with pytest.raises(ValueError, match=r"E002.*init-vectors.*\[initialize\] vectors"):
        nlp.initialize(lambda: examples)


def test_uninitialized_layer_and_bad_settings():
    nlp = blank_with_vectors()
    layer = GloveOOVVectors(nO=8)
    with pytest.raises(ValueError, match="E005"):
        layer([nlp.make_doc("the")], is_train=False)
    with pytest.raises(ValueError, match="E006"):
        GloveOOVVectors().initialize()
    with pytest.raises(ValueError, match="E004"):
        GloveOOVVectors(oov_attr="SHAPE")
    with pytest.raises(ValueError, match="E007"):
        set_oov_stats(layer, [0.0] * 3, [1.0] * 3)


def test_registered_layer_and_key_index_tracks_table_changes():
    nlp = blank_with_vectors()
    layer = spacy.util.registry.get("layers", "spacy_glove_bilstm.GloveOOVVectors.v1")()
    layer.initialize(X=[nlp.make_doc("the")])
    before, _ = layer([nlp.make_doc("newword")], is_train=False)
    nlp.vocab.set_vector("newword", numpy.ones(8, dtype="float32"))
    after, _ = layer([nlp.make_doc("newword")], is_train=False)
    assert not numpy.array_equal(before.data, after.data)
    numpy.testing.assert_array_equal(after.data[0], numpy.ones(8))
    index = KeyIndex()
    keys = numpy.asarray([nlp.vocab.strings["cat"], 12345], dtype="uint64")
    rows = index.find(nlp.vocab.vectors, keys)
    assert rows[0] == nlp.vocab.vectors.key2row[nlp.vocab.strings["cat"]] and rows[1] == -1


def test_serialization_keeps_stats_and_vectors():
    nlp = blank_with_vectors()
    layer = _layer(nlp)
    doc = nlp.make_doc("zebra The cat")
    expected, _ = layer([doc], is_train=False)
    loaded = GloveOOVVectors().from_bytes(layer.to_bytes())
    got, _ = loaded([doc], is_train=False)
    numpy.testing.assert_array_equal(expected.data, got.data)
    assert isinstance(layer.ops, NumpyOps)


def test_oov_modes_zeros_and_learned_unk():
    nlp = blank_with_vectors()
    doc = nlp.make_doc("the zebra okapi")
    zeros = _layer(nlp, oov="zeros")
    out, _ = zeros([doc], is_train=False)
    numpy.testing.assert_array_equal(out.data[1:], 0.0)
    numpy.testing.assert_array_equal(out.data[0], tiny_glove()["the"])
    unk = _layer(nlp, oov="unk")
    unk.set_param("unk", numpy.full(8, 0.5, dtype="f"))
    out, backprop = unk([doc], is_train=True)
    numpy.testing.assert_array_equal(out.data[1:], 0.5)
    backprop(type(out)(numpy.ones_like(out.data), out.lengths))
    numpy.testing.assert_array_equal(unk.get_grad("unk"), numpy.full(8, 2.0))
    with pytest.raises(ValueError, match="E009"):
        GloveOOVVectors(oov="random")


def test_sample_ngrams_mode_matches_the_sampler_and_token_vector_rule():
    nlp = blank_with_vectors()
    layer = _layer(nlp, oov="sample_ngrams")
    doc = nlp.make_doc("the Hepatocytes hepatocyte cat")
    out, _ = layer([doc], is_train=False)
    numpy.testing.assert_array_equal(out.data[0], tiny_glove()["the"])
    words = ["hepatocytes", "hepatocyte"]  # keyed by LOWER
    expected = sample_ngram_vectors(
        words,
        [nlp.vocab.strings[w] for w in words],
        layer.attrs["oov_mean"],
        layer.attrs["oov_std"],
    )
    numpy.testing.assert_array_equal(out.data[1:3], expected)
    assert numpy.corrcoef(out.data[1], out.data[2])[0, 1] > 0.5


def test_sample_ngrams_cache_gives_the_same_bits_and_follows_the_stats():
    nlp = blank_with_vectors()
    layer = _layer(nlp, oov="sample_ngrams")
    cache = layer.attrs["sample_cache"]
    docs = [nlp.make_doc("the okapi zebroid"), nlp.make_doc("okapis zebroid cat")]
    first = layer(docs, is_train=False)[0].data.copy()
    assert len(cache) == 3  # okapi, zebroid, okapis
    again = layer(docs, is_train=False)[0].data
    numpy.testing.assert_array_equal(again, first)
    layer.attrs["sample_cache"] = None  # no cache: computed afresh, the same bits
    numpy.testing.assert_array_equal(layer(docs, is_train=False)[0].data, first)
    layer.attrs["sample_cache"] = cache
    # New statistics (SetOOVStats, a loaded model): the cached rows are not reused.
    set_oov_stats(layer, numpy.zeros(8), numpy.ones(8))
    shifted = layer(docs, is_train=False)[0].data
    assert not numpy.allclose(shifted[1], first[1])
    words = ["okapi", "zebroid"]
    expected = sample_ngram_vectors(
        words, [nlp.vocab.strings[w] for w in words], [0.0] * 8, [1.0] * 8
    )
    numpy.testing.assert_array_equal(shifted[1:3], expected)


def test_sample_cache_is_emptied_when_full():
    cache = SampleCache(max_values=8 * 4)  # four rows of width 8
    stats = ([0.0] * 8, [1.0] * 8)
    calls = []

    def compute(keys):
        calls.append(len(keys))
        return sample_oov_vectors(keys, *stats)

    keys = numpy.arange(1, 4, dtype="uint64")
    out = cache.get(keys, stats, compute)
    numpy.testing.assert_array_equal(out, sample_oov_vectors(keys, *stats))
    cache.get(keys, stats, compute)
    assert calls == [3] and len(cache) == 3
    cache.get(numpy.arange(4, 6, dtype="uint64"), stats, compute)  # 5 rows > 4: emptied first
    assert calls == [3, 2] and len(cache) == 2
