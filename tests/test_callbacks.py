import numpy
import spacy
from conftest import TRAIN, ner_config, tiny_glove
from spacy.training import Example

from spacy_glove_bilstm.callbacks import create_set_oov_stats
from spacy_glove_bilstm.vectors import init_vectors, read_oov_stats


def _glove_file(path, n_rows: int = 40, width: int = 8):
    rng = numpy.random.default_rng(3)
    words = list(tiny_glove(width)) + [f"word{i}" for i in range(n_rows)]
    rows = rng.normal(loc=2.0, size=(len(words), width))
    lines = [w + " " + " ".join(f"{x:.5f}" for x in row) for w, row in zip(words, rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return rows


def _initialized(vectors_dir, callback):
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config=ner_config())
    loaded = spacy.load(vectors_dir)
    nlp.vocab.vectors = loaded.vocab.vectors
    nlp.meta.update(loaded.meta)
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    nlp.initialize(lambda: examples)
    callback(nlp)
    return next(n for n in nlp.get_pipe("ner").model.walk() if n.name == "glove_oov_vectors")


def test_pruned_table_gets_full_file_statistics(tmp_path):
    rows = _glove_file(tmp_path / "glove.txt")
    init_vectors(tmp_path / "glove.txt", tmp_path / "vectors", prune=5, progress=False)
    recorded = read_oov_stats(tmp_path / "vectors")
    assert recorded is not None
    numpy.testing.assert_allclose(recorded[0], rows.mean(axis=0), atol=1e-5)
    layer = _initialized(tmp_path / "vectors", create_set_oov_stats(str(tmp_path / "vectors")))
    numpy.testing.assert_array_equal(layer.attrs["oov_mean"], recorded[0])
    numpy.testing.assert_array_equal(layer.attrs["oov_std"], recorded[1])
    # Without the callback the layer would use the 5 kept rows, which differ.
    kept = spacy.load(tmp_path / "vectors").vocab.vectors.data[:5]
    assert not numpy.allclose(kept.mean(axis=0), recorded[0], atol=1e-3)


def test_vectors_without_record_keep_the_table_statistics(tmp_path):
    nlp = spacy.blank("en")
    for word, vector in tiny_glove().items():
        nlp.vocab.set_vector(word, vector)
    nlp.to_disk(tmp_path / "plain")  # like `spacy init vectors`: no record in meta
    layer = _initialized(tmp_path / "plain", create_set_oov_stats(str(tmp_path / "plain")))
    table = numpy.stack(list(tiny_glove().values()))
    numpy.testing.assert_allclose(layer.attrs["oov_mean"], table.mean(axis=0), rtol=1e-6)
    # With no path, the record in nlp.meta (left by LoadGloVe.v1) is used; here there is none.
    layer = _initialized(tmp_path / "plain", create_set_oov_stats(None))
    numpy.testing.assert_allclose(layer.attrs["oov_mean"], table.mean(axis=0), rtol=1e-6)
