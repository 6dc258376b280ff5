"""The streaming GloVe/word2vec reader: formats, the fast and per-row paths, and bad input."""

import gzip
import zipfile
from pathlib import Path
from typing import List, Optional

import numpy
import pytest
from spacy.strings import StringStore

from spacy_glove_bilstm.vectors import VectorFileError, parse, read_vector_file, reader


def glove_text(words: List[str], vectors: numpy.ndarray, header: Optional[str] = None) -> str:
    lines = [header] if header is not None else []
    lines += [w + " " + " ".join(f"{x:.6g}" for x in row) for w, row in zip(words, vectors)]
    return "\n".join(lines) + "\n"


def random_table(n: int, dims: int, seed: int = 0) -> numpy.ndarray:
    return numpy.random.default_rng(seed).normal(0, 0.5, (n, dims)).astype(numpy.float32)


def parsed(vectors: numpy.ndarray) -> numpy.ndarray:
    """The float32 values the text file holds (written with %.6g)."""
    return numpy.asarray([[f"{x:.6g}" for x in row] for row in vectors], dtype=numpy.float32)


@pytest.fixture
def words() -> List[str]:
    return ["the", ",", "café", "東京", "case", "new", "York", "ab"]


def test_plain_file_rows_keys_and_stats(tmp_path: Path, words: List[str]) -> None:
    vectors = random_table(len(words), 5)
    path = tmp_path / "glove.txt"
    path.write_text(glove_text(words, vectors), encoding="utf8")
    table = read_vector_file(path)
    assert table.data.dtype == numpy.float32 and table.data.shape == (len(words), 5)
    numpy.testing.assert_array_equal(table.data, parsed(vectors))
    assert list(table.words) == words
    strings = StringStore()
    assert table.keys.tolist() == [strings.add(w) for w in words]  # symbol ids too ("case")
    expected = parsed(vectors).astype(numpy.float64)
    numpy.testing.assert_allclose(table.mean, expected.mean(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(table.std, expected.std(axis=0), rtol=1e-12)
    assert table.rows_read == len(words) and table.header is None


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("fmt", ["gz", "zip", "header", "crlf"])
def test_formats_give_the_same_table(
    tmp_path: Path, words: List[str], fmt: str, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every format, parsed in this process or by workers (which get a compressed file's blocks
    through the pool, and read a plain file's blocks themselves)."""
    if parallel:
        monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(reader, "BLOCK_BYTES", 64)
        words = [f"{w}{i}" for i in range(20) for w in words]  # many blocks
    vectors = random_table(len(words), 4)
    text = glove_text(words, vectors)
    if fmt == "gz":
        path = tmp_path / "glove.txt.gz"
        path.write_bytes(gzip.compress(text.encode("utf8")))
    elif fmt == "zip":
        path = tmp_path / "glove.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README", "not vectors")
            archive.writestr("glove.6B.4d.txt", text)
    elif fmt == "header":
        path = tmp_path / "vectors.vec"
        path.write_text(glove_text(words, vectors, header=f"{len(words)} 4"), encoding="utf8")
    else:
        path = tmp_path / "glove.txt"
        path.write_bytes(text.replace("\n", "\r\n").encode("utf8"))
    table = read_vector_file(path)
    numpy.testing.assert_array_equal(table.data, parsed(vectors))
    assert list(table.words) == words
    assert table.header == ((len(words), 4) if fmt == "header" else None)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("fmt", ["plain", "gz", "zip", "header"])
def test_byte_order_mark_reads_as_the_same_file_without_one(
    tmp_path: Path, words: List[str], fmt: str, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file saved with a UTF-8 byte-order mark: the first word is "the", not "\ufeffthe",
    in every container and with a word2vec header (workers read a plain file from byte 3)."""
    if parallel:
        monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(reader, "BLOCK_BYTES", 64)
        words = [f"{w}{i}" for i in range(20) for w in words]  # many blocks
    vectors = random_table(len(words), 4)
    header = f"{len(words)} 4" if fmt == "header" else None
    text = glove_text(words, vectors, header=header).encode("utf8")
    tables = []
    for name, data in [("without", text), ("with", b"\xef\xbb\xbf" + text)]:
        path = tmp_path / f"{name}.txt"
        if fmt == "gz":
            path.write_bytes(gzip.compress(data))
        elif fmt == "zip":
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("glove.6B.4d.txt", data)
        else:
            path.write_bytes(data)
        tables.append(read_vector_file(path))
    without, marked = tables
    assert marked.byte_order_mark and not without.byte_order_mark
    numpy.testing.assert_array_equal(marked.data, without.data)
    numpy.testing.assert_array_equal(marked.data, parsed(vectors))
    assert marked.keys.tolist() == without.keys.tolist()
    assert list(marked.words) == list(without.words) == words
    assert marked.header == without.header == ((len(words), 4) if header else None)
    # blocks shifted by the 3 bytes merge in another order: equal to float64 rounding
    numpy.testing.assert_allclose(marked.mean, without.mean, rtol=1e-12)


def test_zip_member_choice(tmp_path: Path) -> None:
    path = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("glove.6B.2d.txt", "a 1 2\nb 3 4\n")
        archive.writestr("glove.6B.3d.txt", "a 1 2 3\n")
    with pytest.raises(VectorFileError, match=r"\[E103\].*glove\.6B\.2d\.txt, glove\.6B\.3d\.txt"):
        read_vector_file(path)
    assert read_vector_file(path, member="glove.6B.3d.txt").data.tolist() == [[1, 2, 3]]
    with pytest.raises(VectorFileError, match=r"\[E104\].*'glove\.6B\.9d\.txt'"):
        read_vector_file(path, member="glove.6B.9d.txt")


def test_zip_without_text_member(tmp_path: Path) -> None:
    path = tmp_path / "glove.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LICENSE", "text")
    with pytest.raises(VectorFileError, match=r"\[E102\].*glove\.zip.*LICENSE"):
        read_vector_file(path)


def test_words_with_spaces_take_the_last_dims_fields(tmp_path: Path) -> None:
    path = tmp_path / "glove.840B.txt"
    path.write_text("the 1 2 3\n. . . 4 5 6\nat name@domain.com 7 8 9\n", encoding="utf8")
    table = read_vector_file(path)
    assert list(table.words) == ["the", ". . .", "at name@domain.com"]
    assert table.data.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert table.words_with_spaces == 2


def test_duplicates_first_row_wins(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_text("a 1 1\nb 2 2\na 3 3\nc 4 4\nb 5 5\n", encoding="utf8")
    table = read_vector_file(path)
    assert list(table.words) == ["a", "b", "c"]
    assert table.data.tolist() == [[1, 1], [2, 2], [4, 4]]
    assert table.duplicates == 2 and table.duplicate_examples == ["a", "b"]
    assert table.rows_read == 5  # the statistics cover every row read
    numpy.testing.assert_allclose(table.mean, [3.0, 3.0])


def test_limit_and_lowercase(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_text("The 1 1\nthe 2 2\nCat 3 3\ndog 4 4\n", encoding="utf8")
    table = read_vector_file(path, limit=3, lowercase=True)
    assert list(table.words) == ["the", "cat"]
    assert table.data.tolist() == [[1, 1], [3, 3]]
    assert table.rows_read == 3 and table.duplicates == 1


def test_fast_and_per_row_paths_agree_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = [f"w{i}é" for i in range(3000)]
    vectors = random_table(len(words), 7, seed=1)
    path = tmp_path / "glove.txt"
    path.write_text(glove_text(words, vectors), encoding="utf8")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)
    fast = read_vector_file(path)
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0)  # worker processes, as for big files
    parallel = read_vector_file(path)
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 1 << 40)
    monkeypatch.setattr(parse, "parse_regular", lambda block, dims, lowercase: None)
    slow = read_vector_file(path)
    numpy.testing.assert_array_equal(fast.data, parallel.data)
    assert list(parallel.words) == words
    numpy.testing.assert_array_equal(fast.data, slow.data)
    numpy.testing.assert_array_equal(fast.data, parsed(vectors))
    assert list(fast.words) == list(slow.words) == words
    numpy.testing.assert_allclose(fast.mean, slow.mean, rtol=1e-12)
    numpy.testing.assert_allclose(fast.std, slow.std, rtol=1e-12)


@pytest.mark.parametrize("parallel", [False, True])
def test_skipped_rows_blank_lines_duplicates_and_limit_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """Rows go to table slots fixed before parsing (one per line); skipped rows, blank lines
    and duplicates leave gaps that the finished table must close, in file order."""
    words = [f"w{i}" for i in range(2500)]
    vectors = random_table(len(words), 3, seed=2)
    lines = [f"{w} {' '.join(repr(float(x)) for x in v)}" for w, v in zip(words, vectors)]
    lines[700] = "w700 1 x 3"  # skipped
    lines[1200] = ""  # blank
    lines[1900] = "w5 " + lines[1900].split(" ", 1)[1]  # duplicate of w5: dropped
    path = tmp_path / "glove.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 2048)
    if parallel:
        monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0)
    kept = [i for i in range(2500) if i not in (700, 1200, 1900)]
    table = read_vector_file(path, skip_bad_rows=True)
    assert list(table.words) == [words[i] for i in kept]
    numpy.testing.assert_array_equal(table.data, vectors[kept])
    assert (table.rows_read, table.duplicates, table.duplicate_examples) == (2498, 1, ["w5"])
    assert (table.bad_rows_skipped, table.blank_lines) == (1, 1)
    both = vectors[[i for i in range(2500) if i not in (700, 1200)]].astype(numpy.float64)
    numpy.testing.assert_allclose(table.mean, both.mean(axis=0), rtol=1e-10)
    limited = read_vector_file(path, skip_bad_rows=True, limit=1500)
    numpy.testing.assert_array_equal(limited.data, vectors[kept[:1500]])
    numpy.testing.assert_allclose(
        limited.mean, vectors[kept[:1500]].astype(numpy.float64).mean(axis=0), rtol=1e-10
    )


def test_error_line_numbers_hold_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"w{i} {i} {i}" for i in range(2000)]
    lines[1733] = "w1733 1 oops"
    path = tmp_path / "glove.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1024)
    with pytest.raises(VectorFileError, match=r"glove\.txt:1734: value 2 of 2, 'oops'"):
        read_vector_file(path)
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0)
    with pytest.raises(VectorFileError, match=r"glove\.txt:1734: value 2 of 2, 'oops'"):
        read_vector_file(path)
    assert read_vector_file(path, limit=1500).data.shape == (1500, 2)


BAD_ROWS = [
    (
        "a 1 2 3\nb 1 2\n",
        r"\[E105\].*glove\.txt:2: 2 value\(s\) where 3 are expected \(line 1 has 3",
    ),
    ("a 1 2 3\nb 1 2 3 4\n", r"\[E105\].*glove\.txt:2: 4 value\(s\) where 3 are expected"),
    ("a 1 2 3\nb 1 x 3\n", r"\[E106\].*glove\.txt:2: value 2 of 3, 'x', is not a number"),
    ("a 1 2 3\nb 1 nan 3\n", r"\[E107\].*glove\.txt:2: value 2 of 3, 'nan', is NaN or infinite"),
    ("a 1 2 3\nb -inf 2 3\n", r"\[E107\].*glove\.txt:2: value 1 of 3, '-inf'"),
    ("a 1 2 3\n 1 2 3\n", r"\[E110\].*glove\.txt:2: the row has no word"),
    ("2 3\na 1 2 3\nb 1 2\n", r"\[E105\].*glove\.txt:3: 2 value\(s\).*the header on line 1 says 3"),
]


@pytest.mark.parametrize("text,message", BAD_ROWS)
def test_bad_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "glove.txt"
    path.write_text(text, encoding="utf8")
    with pytest.raises(VectorFileError, match=message):
        read_vector_file(path)


def test_invalid_utf8_is_reported_or_skipped(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_bytes(b"a 1 2\ncaf\xe9 3 4\nb 5 6\n")
    with pytest.raises(VectorFileError, match=r"\[E108\].*glove\.txt:2: the word is not valid"):
        read_vector_file(path)
    table = read_vector_file(path, skip_bad_rows=True)
    assert list(table.words) == ["a", "b"] and table.bad_rows_skipped == 1
    assert "glove.txt:2" in table.bad_row_examples[0]


def test_skip_bad_rows_counts_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_text("a 1 2\nb 1\nc 1 x\nd inf 1\ne 3 4\n\n", encoding="utf8")
    table = read_vector_file(path, skip_bad_rows=True)
    assert list(table.words) == ["a", "e"]
    assert table.bad_rows_skipped == 3 and table.blank_lines == 1
    numpy.testing.assert_allclose(table.mean, [2.0, 3.0])


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "glove.txt"
    path.write_text(text, encoding="utf8")
    with pytest.raises(VectorFileError, match=r"\[E101\].*glove\.txt has no vector rows"):
        read_vector_file(path)


def test_header_that_disagrees_with_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "vectors.vec"
    path.write_text("3 2\na 1 2\nb 3 4\n", encoding="utf8")
    with pytest.raises(VectorFileError, match=r"\[E109\].*vectors\.vec:1: .*says 3 rows.*has 2"):
        read_vector_file(path)


def test_missing_file_folder_and_corrupt_gzip(tmp_path: Path) -> None:
    with pytest.raises(VectorFileError, match=r"\[E100\]"):
        read_vector_file(tmp_path / "nope.txt")
    with pytest.raises(VectorFileError, match=r"\[E119\]"):
        read_vector_file(tmp_path)
    path = tmp_path / "glove.txt.gz"
    path.write_bytes(gzip.compress(b"a 1 2\n" * 1000)[:50])
    with pytest.raises(VectorFileError, match=r"\[E116\].*glove\.txt\.gz is not a valid gzip"):
        read_vector_file(path)
