"""Pipelines, corpora and expectations shared by the annotate tests.

Dask workers import this file at start-up (`LocalCluster(preload=[...])`) so that they know the
test components when they load a pipeline that uses them: `annotate_test_boom` raises on any
document that holds "BOOM"; `annotate_test_slow` sleeps per document so that a job runs long
enough to kill a worker in the middle of it.
"""

import json
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from spacy_glove_bilstm.annotation import read_errors, read_output

HERE = Path(__file__).resolve()
PATTERNS = [
    {"label": "GPE", "pattern": "London"},
    {"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]},
    {"label": "PERSON", "pattern": [{"LOWER": "emma"}]},
    {"label": "ORG", "pattern": "Acme"},
]
WORDS = ["Emma", "flew", "to", "London", "and", "new", "York", "for", "Acme", "today", "🙂", "!"]


@Language.component("annotate_test_boom")
def boom(doc: Doc) -> Doc:
    if "BOOM" in doc.text:
        raise RuntimeError("BOOM in the text")
    return doc


@Language.component("annotate_test_slow")
def slow(doc: Doc) -> Doc:
    time.sleep(0.01)
    return doc


def save_pipeline(path: Path, components: Sequence[str] = ("annotate_test_boom",)) -> str:
    """A blank English pipeline with an entity ruler (and `components`), saved to `path`."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    for name in components:
        nlp.add_pipe(name)
    nlp.meta["name"] = "annotate_test"
    nlp.meta["version"] = "1.2.3"
    nlp.to_disk(path)
    return str(path)


def texts(n: int) -> List[str]:
    """`n` different texts, some with entities, some without, one empty."""
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(3 + i % 9)]
        out.append(" ".join(words) + f" #{i}")
    out[n // 2] = ""
    return out


def rows(n: int) -> List[Dict[str, Any]]:
    return [{"id": f"doc-{i}", "text": text, "extra": i} for i, text in enumerate(texts(n))]


def write_jsonl(path: Path, records: Iterable[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf8") as file:
        for record in records:
            file.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def expected(model: str, records: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Output rows of a single-process `nlp.pipe` over the same texts: the reference."""
    nlp = spacy.load(model)
    docs = nlp.pipe([record["text"] for record in records])
    return [
        {
            "id": record["id"],
            "entities": [
                {"start": e.start_char, "end": e.end_char, "label": e.label_, "text": e.text}
                for e in doc.ents
            ],
            "model": "en_annotate_test",
            "model_version": "1.2.3",
        }
        for record, doc in zip(records, docs)
    ]


def bad_input(tmp_path: Path) -> Path:
    """A JSONL corpus with every kind of bad row between good ones, lines numbered 1-13."""
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"id": "ok-1", "text": "Emma in London"},
            {"id": "no-text"},
            {"id": "number", "text": 42},
            {"id": "null", "text": None},
            {"id": "long", "text": "x" * 1_000_001},
            {"id": "boom", "text": "BOOM in London"},
            '{"id": "broken", "text": ',
            "[1, 2]",
            {"text": "no id in London"},
            "",
            {"id": "ok-2", "text": "Acme in New York"},
        ],
    )
    with path.open("ab") as file:
        file.write(b'{"id": "latin1", "text": "caf\xe9"}\n')
        file.write(json.dumps({"id": 3, "text": "Emma"}).encode() + b"\n")
    return path


BAD_REASONS = {
    2: ("no-text", "E423"),
    3: ("number", "E424"),
    4: ("null", "E424"),
    5: ("long", "E425"),
    6: ("boom", "E427"),
    7: (None, "E420"),
    8: (None, "E421"),
    9: (None, "E426"),
    12: (None, "E422"),
}


def check_bad_output(output_dir: Path, source: Path, manifest: Dict[str, Any]) -> None:
    assert [row["id"] for row in read_output(str(output_dir))] == ["ok-1", "ok-2", "3"]
    errors = read_errors(str(output_dir))
    assert {e["line"]: (e["id"], e["reason"][1:5]) for e in errors} == BAD_REASONS
    for error in errors:
        assert error["file"].endswith(str(source))
    by_line = {e["line"]: e for e in errors}
    assert by_line[2]["row"] == {"id": "no-text"}
    assert by_line[7]["row"] == '{"id": "broken", "text": '
    assert f"{source}:7:" in by_line[7]["reason"]
    assert "BOOM in the text" in by_line[6]["reason"]
    assert (manifest["rows_in"], manifest["rows_out"], manifest["errors"]) == (12, 3, 9)
