"""Reading CoNLL/IOB files, their validation errors, the WNUT split and the data commands."""

from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab
from typer.testing import CliRunner

from spacy_glove_bilstm.cli import app
from spacy_glove_bilstm.data.corpus import (
    read_docs,
    read_sentences,
    split_of,
    split_sentences,
    wnut_path,
    write_sentences,
)


def write(tmp_path: Path, text: str, name: str = "data.iob") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def ents(path: Path) -> list:
    return [[(ent.text, ent.label_) for ent in doc.ents] for doc in read_docs(path, Vocab())]


def test_tab_separated_with_tab_only_breaks(tmp_path: Path) -> None:
    """WNUT's layout: TAB-only lines end a tweet, tokens may hold spaces."""
    path = write(tmp_path, "@paul\tO\nNew York\tB-geo-loc\nCity\tI-geo-loc\n\t\nhi\tO\n\t\n")
    sentences = read_sentences(path)
    assert [s.words for s in sentences] == [("@paul", "New York", "City"), ("hi",)]
    assert sentences[0].lines == (1, 2, 3)
    assert ents(path) == [[("New York City", "geo-loc")], []]


def test_conll03_columns_docstart_and_crlf(tmp_path: Path) -> None:
    text = (
        "-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n"
        "German JJ B-NP B-MISC\r\n\r\nPeter NNP B-NP B-PER\r\nBlackburn NNP I-NP I-PER\r\n"
    )
    assert ents(write(tmp_path, text)) == [
        [("EU", "ORG"), ("German", "MISC")],
        [("Peter Blackburn", "PER")],
    ]


def test_iob1_and_biluo(tmp_path: Path) -> None:
    iob1 = write(tmp_path, "Peter I-PER\nParis I-LOC\nLyon B-LOC\nx O\n", "iob1.txt")
    assert ents(iob1) == [[("Peter", "PER"), ("Paris", "LOC"), ("Lyon", "LOC")]]
    biluo = write(tmp_path, "New B-LOC\nYork L-LOC\nin O\nParis U-LOC\n", "biluo.txt")
    assert ents(biluo) == [[("New York", "LOC"), ("Paris", "LOC")]]


@pytest.mark.parametrize(
    "text,code,line",
    [
        ("a O\nb B-PER extra\n", "E302", 2),
        ("a\tO\nb\t\n", "E303", 2),
        ("a O\n\nb S-PER\n", "E304", 3),
        ("a O\nb PER\n", "E304", 2),
        ("a B-X\nb O\nc U-Y\n", "E305", 2),
        ("a B-X\nb I-Y\nc U-Y\n", "E305", 2),
        ("a U-X\nb B-X\n\nc O\n", "E305", 3),
        ("justtokens\n", "E308", 1),
        ("\n\n \n", "E301", None),
    ],
)
def test_malformed_files_name_file_and_line(
    tmp_path: Path, text: str, code: str, line: int
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ValueError) as err:
        read_sentences(path)
    message = str(err.value)
    assert message.startswith(f"[{code}]")
    assert str(path) in message
    if line is not None:
        assert f"{path}:{line}:" in message


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\[E300\].*absent\.iob"):
        read_sentences(tmp_path / "absent.iob")
    path = tmp_path / "latin1.iob"
    path.write_bytes("a O\n\ncaf\xe9 O\n".encode("latin1"))
    with pytest.raises(ValueError, match=r"\[E306\] .*latin1\.iob:3:"):
        read_sentences(path)


def test_split_is_by_index_modulo_ten() -> None:
    assert [split_of(i) for i in range(11)] == ["train"] * 8 + ["dev", "test", "train"]


def test_wnut_split_matches_anchors() -> None:
    """The workflow's split: 2,394 tweets, 1,916/239/239, with 1,179/165/152 entities."""
    sentences = read_sentences(wnut_path())
    assert len(sentences) == 2394
    splits = split_sentences(sentences)
    assert {name: len(part) for name, part in splits.items()} == {
        "train": 1916,
        "dev": 239,
        "test": 239,
    }
    n_ents = {
        name: sum(tag.startswith("B-") for s in part for tag in s.tags)
        for name, part in splits.items()
    }
    assert n_ents == {"train": 1179, "dev": 165, "test": 152}


def test_write_sentences_round_trips(tmp_path: Path) -> None:
    sentences = read_sentences(write(tmp_path, "a B-X\nb I-X\n\nc O\n"))
    out = tmp_path / "out.iob"
    write_sentences(sentences, out)
    assert [(s.words, s.tags) for s in read_sentences(out)] == [
        (s.words, s.tags) for s in sentences
    ]
    assert out.read_text(encoding="utf8") == "a\tB-X\nb\tI-X\n\nc\tO\n\n"


def test_cli_wnut_data_and_convert(tmp_path: Path) -> None:
    runner = CliRunner()
    source = write(tmp_path, "".join(f"w{i} {'B-X' if i % 2 else 'O'}\n\n" for i in range(20)))
    result = runner.invoke(app, ["wnut-data", str(tmp_path / "splits"), "--input", str(source)])
    assert result.exit_code == 0, result.output
    assert "dev: 2 sentences, 0 entities" in result.output
    assert "test: 2 sentences, 2 entities" in result.output
    result = runner.invoke(
        app, ["convert-iob", str(tmp_path / "splits" / "train.iob"), str(tmp_path / "t.spacy")]
    )
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(tmp_path / "t.spacy").get_docs(Vocab()))
    assert len(docs) == 16
    assert [ent.label_ for doc in docs for ent in doc.ents] == ["X"] * 8


def test_cli_convert_stops_on_bad_input(tmp_path: Path) -> None:
    bad = write(tmp_path, "a O\nb Q-X\n")
    result = CliRunner().invoke(app, ["convert-iob", str(bad), str(tmp_path / "o.spacy")])
    assert result.exit_code == 1
    assert "[E304]" in result.output and "data.iob:2:" in result.output
    assert not (tmp_path / "o.spacy").exists()
