"""oov-report: token and type coverage by exact form, lowercase form, and not covered."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from typer.testing import CliRunner

from spacy_glove_bilstm.cli import app
from spacy_glove_bilstm.data.coverage import oov_report
from spacy_glove_bilstm.vectors import init_vectors

runner = CliRunner()


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    glove = tmp_path / "glove.txt"
    glove.write_text("the 1 0\ncat 0 1\nsat 1 1\n. 0 0\n", encoding="utf8")
    init_vectors(glove, tmp_path / "vectors", progress=False)
    vocab = spacy.blank("en").vocab
    texts = ["The cat sat .", "The CAT #tag #tag .", "the dog"]
    docs = [Doc(vocab, words=text.split()) for text in texts]
    DocBin(docs=docs).to_disk(tmp_path / "train.spacy")
    DocBin(docs=[Doc(vocab, words=["Dog"])]).to_disk(tmp_path / "dev.spacy")
    return tmp_path


def test_coverage_uses_the_model_lookup_rule(setup: Path) -> None:
    train, dev = oov_report(setup / "vectors", [setup / "train.spacy", setup / "dev.spacy"])
    # Tokens: The cat sat . The CAT #tag #tag . the dog -> exact: cat sat . . the (5),
    # lowercase: The The CAT (3), uncovered: #tag #tag dog (3).
    assert train.tokens == 11 and train.token_counts == {"exact": 5, "lower": 3, "uncovered": 3}
    # Types: The cat sat . CAT #tag the dog
    assert train.types == 8 and train.type_counts == {"exact": 4, "lower": 2, "uncovered": 2}
    assert train.top_uncovered == [("#tag", 2), ("dog", 1)]
    assert round(train.share("exact"), 2) == 45.45
    assert dev.token_counts == {"exact": 0, "lower": 0, "uncovered": 1}


def test_cli_table_and_json(setup: Path) -> None:
    args = ["oov-report", str(setup / "vectors"), str(setup / "train.spacy"), "--top", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "train.spacy" in result.output and "uncovered %" in result.output
    assert "#tag" in result.output and "dog" not in result.output
    result = runner.invoke(app, args + ["--json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert report["token_counts"] == {"exact": 5, "lower": 3, "uncovered": 3}
    assert report["type_share"]["uncovered"] == 25.0
    assert report["top_uncovered"] == [{"word": "#tag", "count": 2}]
    saved = setup / "metrics" / "oov.json"
    result = runner.invoke(app, args + ["--output", str(saved)])
    assert result.exit_code == 0 and "uncovered %" in result.output
    assert json.loads(saved.read_text(encoding="utf8")) == [report]


def test_cli_errors(setup: Path) -> None:
    result = runner.invoke(app, ["oov-report", str(setup / "vectors"), str(setup / "no.spacy")])
    assert result.exit_code == 1 and "[E118]" in result.output and "no.spacy" in result.output
    spacy.blank("en").to_disk(setup / "blank")
    result = runner.invoke(app, ["oov-report", str(setup / "blank"), str(setup / "dev.spacy")])
    assert result.exit_code == 1 and "[E117]" in result.output
