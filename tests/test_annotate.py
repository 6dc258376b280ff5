"""The local engine of `annotate`: output equals `nlp.pipe`, bad rows go to `_errors/`, resume.

The Dask engine has its own module (test_annotate_dask.py); both use annotate_helpers.py.
"""

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from annotate_helpers import bad_input, check_bad_output, expected, rows, save_pipeline, write_jsonl
from typer.testing import CliRunner

from spacy_glove_bilstm import annotate
from spacy_glove_bilstm.annotation import BatchAnnotator, read_manifest, read_output
from spacy_glove_bilstm.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "annotate.md"


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_pipeline(tmp_path_factory.mktemp("annotate") / "model")


def ids(output: List[Dict[str, Any]]) -> List[str]:
    return [row["id"] for row in output]


@pytest.mark.parametrize("workers", [1, 2])
def test_local_equals_nlp_pipe(model: str, tmp_path: Path, workers: int) -> None:
    records = rows(70)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    manifest = annotate(
        model,
        str(source),
        str(tmp_path / "out"),
        workers=workers,
        shard_rows=16,
        batch_size=8,
        progress=False,
    )
    output = list(read_output(str(tmp_path / "out")))
    assert output == expected(model, records)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    shard_names = [f"in.jsonl-{i:05d}.parquet" for i in range(5)]
    assert names == ["_manifest.json", *shard_names]
    assert manifest == read_manifest(str(tmp_path / "out"))
    assert (manifest["rows_in"], manifest["rows_out"], manifest["errors"]) == (70, 70, 0)
    assert [s["rows_in"] for s in manifest["shards"]] == [16, 16, 16, 16, 6]
    assert manifest["words"] > 70 and manifest["options"]["workers"] == workers
    assert manifest["pipeline_loads_per_process"] == {str(os.getpid()): 1}


def test_output_schema(model: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 7, "text": "Emma is in London"}])
    annotate(model, str(source), str(tmp_path / "out"), progress=False)
    table = pq.read_table(tmp_path / "out" / "in.jsonl-00000.parquet")
    assert table.schema.names == ["id", "entities", "model", "model_version"]
    assert table.schema.field("entities").type == pa.list_(
        pa.struct(
            [
                ("start", pa.int64()),
                ("end", pa.int64()),
                ("label", pa.string()),
                ("text", pa.string()),
            ]
        )
    )
    assert table.to_pylist() == [
        {
            "id": "7",
            "entities": [
                {"start": 0, "end": 4, "label": "PERSON", "text": "Emma"},
                {"start": 11, "end": 17, "label": "GPE", "text": "London"},
            ],
            "model": "en_annotate_test",
            "model_version": "1.2.3",
        }
    ]


def test_parquet_folder_and_glob(model: str, tmp_path: Path) -> None:
    records = rows(40)
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    # Row groups of 7 rows, shards of 10: shards start and stop inside row groups.
    pq.write_table(pa.Table.from_pylist(records[:25]), data / "a.parquet", row_group_size=7)
    write_jsonl(data / "sub" / "b.jsonl", records[25:])
    (data / "_SUCCESS").write_text("")
    (data / "notes.txt").write_text("not input")
    want = expected(model, records)
    for source, out in ((data, "folder"), (data / "**" / "*.*", "glob")):
        if out == "glob":
            (data / "sub" / "c.jsonl").write_text("")  # an empty file still gets its shard
        annotate(model, str(source), str(tmp_path / out), shard_rows=10, progress=False)
        assert list(read_output(str(tmp_path / out))) == want
    assert sorted(p.name for p in (tmp_path / "glob").glob("*.parquet")) == [
        "a.parquet-00000.parquet",
        "a.parquet-00001.parquet",
        "a.parquet-00002.parquet",
        "sub__b.jsonl-00000.parquet",
        "sub__b.jsonl-00001.parquet",
        "sub__c.jsonl-00000.parquet",
    ]


def test_compressed_jsonl(model: str, tmp_path: Path) -> None:
    import gzip

    records = rows(30)
    text = "".join(json.dumps(record) + "\n" for record in records)
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(text.encode("utf8")))
    annotate(model, str(tmp_path / "in.jsonl.gz"), str(tmp_path / "out"), shard_rows=8)
    assert list(read_output(str(tmp_path / "out"))) == expected(model, records)


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_rows_go_to_errors(model: str, tmp_path: Path, workers: int) -> None:
    source = bad_input(tmp_path)
    out = tmp_path / "out"
    manifest = annotate(model, str(source), str(out), workers=workers, batch_size=4, shard_rows=5)
    check_bad_output(out, source, manifest)
    assert sorted(p.name for p in (out / "_errors").iterdir()) == [
        "bad.jsonl-00000.jsonl",
        "bad.jsonl-00001.jsonl",
        "bad.jsonl-00002.jsonl",
    ]


def test_resume_runs_only_missing_shards(model: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", rows(80))
    out = tmp_path / "out"
    annotate(model, str(source), str(out), shard_rows=10, progress=False)
    first = list(read_output(str(out)))
    shards = sorted(out.glob("*.parquet"))
    kept = {path: path.stat().st_mtime_ns for path in shards[::2]}
    for path in shards[1::2]:
        path.unlink()
    (out / ".in.jsonl-00001.parquet.0123.tmp").write_bytes(b"half a file")  # a killed writer's
    manifest = annotate(model, str(source), str(out), shard_rows=10, resume=True, progress=False)
    assert (manifest["shards_resumed"], manifest["shards_run"]) == (4, 4)
    assert [s["name"] for s in manifest["shards"]] == [p.stem for p in shards]
    assert manifest["rows_in"] == manifest["rows_out"] == 80
    assert {path: path.stat().st_mtime_ns for path in kept} == kept
    assert list(read_output(str(out))) == first
    assert not list(out.glob(".*"))


def test_resume_with_other_options_stops(model: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", rows(20))
    out = str(tmp_path / "out")
    annotate(model, str(source), out, shard_rows=10, progress=False)
    with pytest.raises(ValueError, match=r"\[E409\].*shard_rows=10.*shard_rows=5"):
        annotate(model, str(source), out, shard_rows=5, resume=True, progress=False)


def test_rerun_overwrites_without_duplicates(model: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", rows(30))
    out = tmp_path / "out"
    for _ in range(2):
        annotate(model, str(source), str(out), shard_rows=10, progress=False)
    assert ids(list(read_output(str(out)))) == [record["id"] for record in rows(30)]
    assert len(list(out.iterdir())) == 4


def test_option_and_input_errors(model: str, tmp_path: Path) -> None:
    source = str(write_jsonl(tmp_path / "in.jsonl", rows(3)))
    out = str(tmp_path / "out")
    cases = [
        ({"engine": "spark"}, source, model, "E405"),
        ({"workers": 0}, source, model, "E406"),
        ({"shard_rows": 0}, source, model, "E406"),
        ({"scheduler": "tcp://127.0.0.1:1"}, source, model, "E407"),
        ({"engine": "dask", "workers": 2, "scheduler": "tcp://127.0.0.1:1"}, source, model, "E408"),
        ({}, str(tmp_path / "missing.jsonl"), model, "E400"),
        ({}, str(tmp_path), str(tmp_path / "no-model"), "E411"),
    ]
    (tmp_path / "in.csv").write_text("id,text\n")
    cases.append(({}, str(tmp_path / "in.csv"), model, "E401"))
    empty = tmp_path / "empty"
    empty.mkdir()
    cases.append(({}, str(empty), model, "E402"))
    pq.write_table(pa.table({"id": ["a"], "body": ["Emma"]}), tmp_path / "t.parquet")
    cases.append(({}, str(tmp_path / "t.parquet"), model, "E410"))
    for kwargs, input_path, pipeline, code in cases:
        with pytest.raises(ValueError, match=rf"\[{code}\]"):
            annotate(pipeline, input_path, out, progress=False, **kwargs)
    assert not (tmp_path / "out").exists()


def test_missing_extras_name_the_install(
    model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = str(write_jsonl(tmp_path / "in.jsonl", rows(3)))
    monkeypatch.delitem(sys.modules, "spacy_glove_bilstm.annotation.dask", raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"\[E404\].*spacy-glove-bilstm\[dask\]"):
        annotate(model, source, str(tmp_path / "out"), engine="dask")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"\[E403\].*spacy-glove-bilstm\[annotate\]"):
        annotate(model, source, str(tmp_path / "out"))


def test_cli(model: str, tmp_path: Path) -> None:
    source = bad_input(tmp_path)
    out = tmp_path / "out"
    args = ["annotate", model, str(source), str(out), "--batch-size", "4", "--shard-rows", "5"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 of 12 rows annotated in 3 shards (0 resumed)" in result.output
    assert "9 rows skipped" in result.output
    check_bad_output(out, source, read_manifest(str(out)))
    result = CliRunner().invoke(app, [*args, "--resume", "--text-key", "body"])
    assert result.exit_code == 1 and "[E409]" in result.output
    result = CliRunner().invoke(app, ["annotate", model, str(tmp_path / "nope"), str(out)])
    assert result.exit_code == 1 and "[E400]" in result.output


def test_batch_annotator(model: str) -> None:
    records = rows(12)
    records[4] = {"id": "boom", "text": "BOOM"}
    records[7] = {"id": "bad", "text": None}
    annotator = BatchAnnotator(model, batch_size=4)
    table = annotator(pa.Table.from_pylist(records))
    assert table.schema.names == ["id", "entities", "model", "model_version", "error"]
    good = [record for record in records if record["id"] not in ("boom", "bad")]
    want = iter(expected(model, good))
    for record, row in zip(records, table.to_pylist()):
        if record["id"] in ("boom", "bad"):
            assert row["entities"] is None and row["error"][1:5] in ("E427", "E424")
        else:
            assert row == {**next(want), "error": None}
    columns = {key: [record.get(key) for record in records] for key in ("id", "text")}
    assert annotator(columns) == table.to_pydict()


def doc_sample(engine: str) -> str:
    """The Python code block of docs/annotate.md that follows the `<!-- sample: ENGINE -->` tag."""
    text = DOCS.read_text(encoding="utf8")
    match = re.search(rf"<!-- sample: {engine} -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, f"no {engine} sample in {DOCS}"
    return match.group(1)


class FakeSparkFrame:
    """What the Spark sample uses of a DataFrame: mapInPandas over pandas partitions."""

    def __init__(self, partitions: List[Any]) -> None:
        self.partitions = partitions

    def mapInPandas(self, func: Any, schema: str) -> List[Any]:
        assert "entities array<struct<start:bigint" in schema
        return list(func(iter(self.partitions)))


class FakeRayDataset:
    """What the Ray sample uses of a Dataset: map_batches with a callable class."""

    def __init__(self, batches: List[pa.Table]) -> None:
        self.batches = batches

    def map_batches(self, cls: Any, **kwargs: Any) -> List[pa.Table]:
        assert kwargs["batch_format"] == "pyarrow"
        udf = cls(*kwargs.get("fn_constructor_args", ()), **kwargs["fn_constructor_kwargs"])
        return [udf(batch) for batch in self.batches]


def test_docs_samples_for_spark_and_ray(model: str) -> None:
    pandas = pytest.importorskip("pandas")
    records = rows(20)
    want = [{**row, "error": None} for row in expected(model, records)]

    def results(tables: Iterator[Any]) -> List[Dict[str, Any]]:
        return [row for table in tables for row in table.to_pylist()]

    spark = {"df": FakeSparkFrame([pandas.DataFrame(records[:9]), pandas.DataFrame(records[9:])])}
    exec(doc_sample("spark").replace('"en_glove_bilstm_ner"', repr(model)), spark)
    frames = spark["annotated"]
    assert all(isinstance(frame, pandas.DataFrame) for frame in frames)
    got = [row for frame in frames for row in frame.to_dict("records")]
    assert [row["id"] for row in got] == [row["id"] for row in want]
    assert [list(row["entities"]) for row in got] == [row["entities"] for row in want]

    ray = {
        "ds": FakeRayDataset([pa.Table.from_pylist(records[:5]), pa.Table.from_pylist(records[5:])])
    }
    exec(doc_sample("ray").replace('"en_glove_bilstm_ner"', repr(model)), ray)
    assert results(iter(ray["annotated"])) == want


def test_trained_glove_bilstm_pipeline(make_trained: Any, tmp_path: Path) -> None:
    """A pipeline of this package (GloVe + OOV vectors + BiLSTM NER) in two processes: the
    plugin's layers load in spaCy's worker processes and predict as in one."""
    nlp = make_trained(n_iter=5)
    nlp.meta.update({"name": "annotate_test", "version": "1.2.3"})
    nlp.to_disk(tmp_path / "model")
    model = str(tmp_path / "model")
    records = [
        {"id": i, "text": text}
        for i, text in enumerate(["Emma went to Paris", "the cat sat in London"] * 20)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    annotate(model, str(source), str(tmp_path / "out"), workers=2, shard_rows=15, batch_size=4)
    want = [{**row, "id": str(row["id"])} for row in expected(model, records)]
    assert list(read_output(str(tmp_path / "out"))) == want
