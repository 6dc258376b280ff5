import os
import subprocess
import sys

import numpy
import pytest
import spacy
import spacy.strings

from spacy_glove_bilstm import sample_oov_vectors
from spacy_glove_bilstm.layers import GloveOOVVectors
from spacy_glove_bilstm.oov import (
    ngram_keys,
    sample_ngram_vectors,
    truncated_normal_moments,
    truncated_normal_z,
)


def _keys(n: int, seed: int = 1) -> numpy.ndarray:
    return numpy.random.default_rng(seed).integers(0, 2**63, size=n, dtype="int64").view("uint64")


def test_shape_dtype_and_affine_statistics():
    mean = numpy.linspace(-1, 1, 7)
    std = numpy.linspace(0.1, 2, 7)
    keys = _keys(5)
    out = sample_oov_vectors(keys, mean, std)
    assert out.shape == (5, 7) and out.dtype == numpy.float32
    z = truncated_normal_z(keys, 7)
    numpy.testing.assert_allclose(out, (mean + std * z).astype("float32"))


@pytest.mark.parametrize("bound", [0.5, 1.0, 2.0, 3.0])
def test_z_follows_the_truncated_normal(bound):
    z = truncated_normal_z(_keys(20000), 16, bound=bound)
    assert z.min() >= -bound and z.max() <= bound
    _, var = truncated_normal_moments(bound)
    # 320k draws: standard errors of mean and variance are ~0.002; allow 5 of them.
    assert abs(z.mean()) < 0.01
    assert abs(z.var() - var) < 0.01 * max(var, 0.2) + 0.005
    # Columns are not copies of each other.
    assert abs(numpy.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 0.02


def test_truncated_normal_variance_formula():
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(2_000_000)
    x = x[numpy.abs(x) <= 2.0]
    assert abs(x.var() - truncated_normal_moments(2.0)[1]) < 0.003


def test_same_key_same_vector_different_keys_differ():
    keys = _keys(1000)
    a = sample_oov_vectors(keys, numpy.zeros(50), numpy.ones(50))
    b = sample_oov_vectors(keys[::-1].copy(), numpy.zeros(50), numpy.ones(50))[::-1]
    assert numpy.array_equal(a, b)
    assert len({row.tobytes() for row in a}) == 1000
    c = sample_oov_vectors(keys, numpy.zeros(50), numpy.ones(50), seed=1)
    assert not numpy.allclose(a, c)


def test_keys_as_python_ints_and_signed_bit_patterns():
    strings = spacy.blank("en").vocab.strings
    key = strings.add("aspirin")
    as_int = sample_oov_vectors([key], [0.0], [1.0])
    as_signed = sample_oov_vectors(numpy.asarray([key], dtype="uint64").view("int64"), [0.0], [1.0])
    assert numpy.array_equal(as_int, as_signed)
    assert sample_oov_vectors([], numpy.zeros(3), numpy.ones(3)).shape == (0, 3)


def test_identical_in_a_fresh_process_whatever_the_hash_seed():
    code = (
        "import spacy, numpy; from spacy_glove_bilstm import sample_oov_vectors;"
        "s = spacy.blank('en').vocab.strings;"
        "k = [s.add(w) for w in ['#covid', '@user', 'Aspirin', '🙂']];"
        "print(sample_oov_vectors(k, numpy.arange(8) / 10, numpy.ones(8)).tobytes().hex())"
    )
    outputs = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        outputs.add(res.stdout.strip())
    strings = spacy.blank("en").vocab.strings
    keys = [strings.add(w) for w in ["#covid", "@user", "Aspirin", "🙂"]]
    here = sample_oov_vectors(keys, numpy.arange(8) / 10, numpy.ones(8)).tobytes().hex()
    assert outputs == {here}


@pytest.mark.parametrize("bound", [0.0, -1.0, float("inf"), float("nan")])
def test_bad_bound(bound):
    with pytest.raises(ValueError, match="E011"):
        sample_oov_vectors([1], [0.0], [1.0], bound=bound)
    # The layer checks it by the same rule when it is built, not at its first batch.
    with pytest.raises(ValueError, match="E011"):
        GloveOOVVectors(bound=bound)


def test_bad_inputs():
    with pytest.raises(ValueError, match="E010"):
        sample_oov_vectors([1], [0.0, 1.0], [1.0])
    with pytest.raises(TypeError, match="E012"):
        sample_oov_vectors(["word"], [0.0], [1.0])


def _ngram_vectors(words, **kwargs):
    keys = [spacy.strings.get_string_id(w) for w in words]
    return sample_ngram_vectors(words, keys, numpy.zeros(64), numpy.ones(64), **kwargs)


def test_ngram_keys_are_fasttext_units():
    # "<ab>": 3-grams "<ab", "ab>"; the 4-gram "<ab>"; no 5-gram.
    expected = [spacy.strings.get_string_id(g) for g in ["<ab", "ab>", "<ab>"]]
    assert ngram_keys("ab") == expected
    assert ngram_keys("") == []
    assert len(ngram_keys("hepatocytes")) == 11 + 10 + 9


def test_words_sharing_ngrams_get_correlated_vectors():
    words = ["hepatocytes", "hepatocyte", "cardiomyocytes", "xqzvjw", "hepatocytes"]
    out = _ngram_vectors(words)
    assert out.shape == (5, 64) and out.dtype == numpy.float32
    corr = numpy.corrcoef(out)
    assert numpy.array_equal(out[0], out[4])  # same word, same vector
    assert corr[0, 1] > 0.6  # 24 of 30 n-grams shared
    assert 0.15 < corr[0, 2] < corr[0, 1]  # "-ocytes" shared
    assert abs(corr[0, 3]) < 0.4  # nothing shared: independent draws of 64 numbers


def test_ngram_vectors_keep_one_draws_variance_and_bound():
    words = [f"w{i}x{i * 7919 % 1000}" for i in range(4000)]
    z = _ngram_vectors(words, bound=2.0)
    _, var = truncated_normal_moments(2.0)
    assert z.min() >= -2.0 and z.max() <= 2.0
    assert abs(z.mean()) < 0.02
    assert abs(z.var() - var) < 0.05


def test_ngram_vectors_do_not_depend_on_batch_or_order_and_differ_from_plain_samples():
    words = ["#covid", "@user", "Aspirin", "🙂", "a", ""]
    together = _ngram_vectors(words)
    alone = numpy.vstack([_ngram_vectors([w]) for w in reversed(words)])[::-1]
    assert numpy.array_equal(together, alone)
    keys = [spacy.strings.get_string_id(w) for w in words]
    plain = sample_oov_vectors(keys, numpy.zeros(64), numpy.ones(64))
    # The empty word has no n-grams: its vector is its plain sample.
    assert numpy.array_equal(together[-1], plain[-1])
    assert not numpy.allclose(together[:-1], plain[:-1])
    assert not numpy.allclose(together, _ngram_vectors(words, seed=1))


def test_ngram_vectors_need_one_key_per_word():
    with pytest.raises(ValueError, match="E016"):
        sample_ngram_vectors(["a", "b"], [1], [0.0], [1.0])
    with pytest.raises(ValueError, match="E010"):
        sample_ngram_vectors(["a"], [1], [0.0, 1.0], [1.0])
