"""End to end through the real `spacy train` CLI, without --code: entry points alone."""

import json
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from conftest import TRAIN, blank_with_vectors
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from spacy_glove_bilstm.ops import BlasNumpyOps

CONFIG = Path(__file__).parent.parent / "configs" / "glove_bilstm_ner.cfg"
OOV_TEXT = "Zorblax flew to Paris with @zorb_fan #zorblaxing 🙂"


def _write_corpus(tmp: Path) -> None:
    nlp = spacy.blank("en")
    docs = []
    for _ in range(6):
        for text, ents in TRAIN:
            doc = nlp.make_doc(text)
            doc.ents = [doc.char_span(s, e, label=label) for s, e, label in ents]
            for token in doc:
                token.is_sent_start = token.i == 0
            docs.append(doc)
    DocBin(docs=docs).to_disk(tmp / "dev.spacy")
    # Training Docs of two sentences each: SentenceCorpus.v1 reads them as their sentences.
    pairs = [Doc.from_docs(docs[i : i + 2]) for i in range(0, len(docs), 2)]
    DocBin(docs=pairs).to_disk(tmp / "train.spacy")
    blank_with_vectors().to_disk(tmp / "vectors")


def _train(tmp: Path, out: str) -> Path:
    cmd = [
        sys.executable, "-m", "spacy", "train", str(CONFIG),
        "--output", str(tmp / out),
        "--paths.train", str(tmp / "train.spacy"),
        "--paths.dev", str(tmp / "dev.spacy"),
        "--paths.vectors", str(tmp / "vectors"),
        "--paths.curves", str(tmp / out / "curves.jsonl"),
        "--training.max_epochs", "3",
        "--training.eval_frequency", "10",
        "--components.ner.model.tok2vec.embed.width", "32",
        "--components.ner.model.tok2vec.encode.width", "32",
        # Windows shorter than the sentences, so that the windowed BiLSTM is under test too.
        "--components.ner.model.tok2vec.encode.lstm_window", "3",
        "--components.ner.model.tok2vec.encode.lstm_context", "1",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / out / "model-last"


def _oov_vector(nlp, text: str = OOV_TEXT) -> numpy.ndarray:
    """What the GloVe layer feeds the model for `text` (rows: tokens)."""
    layer = next(n for n in nlp.get_pipe("ner").model.walk() if n.name == "glove_oov_vectors")
    out, _ = layer([nlp.make_doc(text)], is_train=False)
    return out.data


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("train")
    _write_corpus(tmp)
    return tmp, _train(tmp, "a"), _train(tmp, "b")


@pytest.mark.slow
def test_same_seed_gives_byte_identical_weights(trained):
    _, a, b = trained
    assert (a / "ner" / "model").read_bytes() == (b / "ner" / "model").read_bytes()
    config = (a / "config.cfg").read_text()
    assert '@architectures = "spacy_glove_bilstm.GloveBiLSTM.v2"' in config
    assert '@readers = "spacy_glove_bilstm.SentenceCorpus.v1"' in config
    assert "--code" not in config
    # The default config logs the learning curve, with one dev score per epoch.
    records = [json.loads(line) for line in (a.parent / "curves.jsonl").read_text().splitlines()]
    assert sum(r["type"] == "epoch_eval" for r in records) == 3


@pytest.mark.slow
def test_loaded_pipeline_predicts_and_keeps_oov_vectors(trained, tmp_path):
    _, path, _ = trained
    nlp = spacy.load(path)
    # The shipped sampler: OOV words that share n-grams get correlated vectors.
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["embed"]["oov"] == "sample_ngrams"
    zorb = _oov_vector(nlp, "Zorblax zorblaxing @zorb_fan")[:, :-1]
    assert numpy.corrcoef(zorb)[0, 1] > 0.7  # 0.87 here; 0.38 with the plain sampler
    doc = nlp("Emma went to Paris")
    assert all(ent.label_ in {"LOC", "PER"} for ent in doc.ents)
    # The loaded pipeline multiplies with numpy's BLAS everywhere (UseBlasOps.v1) ...
    assert {type(node.ops) for node in nlp.get_pipe("ner").model.walk()} == {BlasNumpyOps}
    # ... and encodes a Doc with sentence starts as its sentences one per Doc (to float32
    # rounding: BLAS may sum in another order for another batch shape on some CPUs).
    tok2vec = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    singles = [nlp.make_doc(text) for text, _ in TRAIN]
    words = [t.text for d in singles for t in d]
    starts = [t.i == 0 for d in singles for t in d]
    paragraph = Doc(nlp.vocab, words=words, sent_starts=starts)
    numpy.testing.assert_allclose(
        tok2vec.predict([paragraph])[0],
        numpy.concatenate(tok2vec.predict(singles)),
        rtol=1e-5,
        atol=1e-5,
    )
    expected = _oov_vector(nlp)
    # The same after to_bytes/from_bytes and to_disk/from_disk.
    clone = spacy.blank("en").from_config(nlp.config)
    clone.from_bytes(nlp.to_bytes())
    numpy.testing.assert_array_equal(_oov_vector(clone), expected)
    nlp.to_disk(tmp_path / "copy")
    numpy.testing.assert_array_equal(_oov_vector(spacy.load(tmp_path / "copy")), expected)
    # The same in a second process.
    code = (
        "import sys, spacy, numpy; sys.path.insert(0, sys.argv[2]);"
        "from test_training import _oov_vector;"
        "sys.stdout.write(_oov_vector(spacy.load(sys.argv[1])).tobytes().hex())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.tobytes().hex()


@pytest.mark.slow
def test_token_vector_and_multiprocess_pipe(trained):
    _, path, _ = trained
    nlp = spacy.load(path)
    # The layer's output is the table's columns and the OOV marker; token.vector is the former.
    width = nlp.vocab.vectors.shape[1]
    full = _oov_vector(nlp)
    assert full.shape[1] == width + 1 and set(full[:, -1].tolist()) <= {0.0, 1.0}
    expected = full[:, :width]
    nlp.add_pipe("glove_token_vectors")
    doc = nlp(OOV_TEXT)
    vectors = numpy.stack([token.vector for token in doc])
    numpy.testing.assert_array_equal(vectors, expected)
    assert doc[0].has_vector and doc[0].vector.any()
    numpy.testing.assert_allclose(doc.vector, expected.mean(axis=0), rtol=1e-6)
    numpy.testing.assert_allclose(doc[0:2].vector, expected[0:2].mean(axis=0), rtol=1e-6)
    texts = [OOV_TEXT, "", "Emma went to Paris", OOV_TEXT * 3]
    single = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    multi = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, n_process=2)]
    assert single == multi
    # token.vector computed inside the worker processes (user_data travels back with the Doc).
    nlp.add_pipe("record_token_vectors")
    docs = list(nlp.pipe([OOV_TEXT, OOV_TEXT], n_process=2, batch_size=1))
    for doc in docs:
        got = numpy.frombuffer(doc.user_data["vectors"], dtype="float32").reshape(expected.shape)
        numpy.testing.assert_array_equal(got, expected)


@Language.component("record_token_vectors")
def record_token_vectors(doc):
    doc.user_data["vectors"] = numpy.stack([t.vector for t in doc]).astype("float32").tobytes()
    return doc
