"""The per-batch work of `annotate`: rows in, entity records and error records out.

Every engine runs this code: the local engine streams all shards through one `nlp.pipe` (with
`n_process`), a Dask task runs one shard, and Spark's `mapInPandas` or Ray Data's `map_batches`
call `BatchAnnotator` on their own batches. A row whose text is missing, not a string or too long
becomes an error record before the pipeline sees it; a document that makes the pipeline raise is
found by running the failed batch's documents one at a time, so one bad document costs only
itself. Pipelines load once per process through `load_pipeline`, never per task or per batch.
"""

import threading
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Deque,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    TypeVar,
    Union,
)

from ..errors import Errors
from .io import InputRow, output_schema

if TYPE_CHECKING:
    import pyarrow
    from spacy.language import Language
    from spacy.tokens import Doc

Key = TypeVar("Key")

# One pipeline per (model, gpu_id) per process, and how often this process loaded each: engines
# report the count so that "loaded once per worker process" is checked, not assumed.
_PIPELINES: Dict[Tuple[str, int], "Language"] = {}
_LOADS: Dict[Tuple[str, int], int] = {}
_LOAD_LOCK = threading.Lock()
# A spaCy pipeline is not safe to call from two threads: a worker with several threads runs its
# tasks one after the other, so a Dask worker behaves as one thread whatever its settings.
PIPELINE_LOCK = threading.Lock()


def load_pipeline(model: str, gpu_id: int = -1) -> "Language":
    """The pipeline `model` (package name or folder), loaded at most once in this process."""
    import spacy

    key = (model, gpu_id)
    with _LOAD_LOCK:
        if key not in _PIPELINES:
            if gpu_id >= 0:
                spacy.require_gpu(gpu_id)
            _PIPELINES[key] = spacy.load(model)
            _LOADS[key] = _LOADS.get(key, 0) + 1
        return _PIPELINES[key]


def pipeline_loads(model: str, gpu_id: int = -1) -> int:
    """How many times this process loaded `model` (1 once loaded; more would be a defect)."""
    return _LOADS.get((model, gpu_id), 0)


def model_name(meta: Mapping[str, Any]) -> Tuple[str, str]:
    """The `model` and `model_version` columns from a pipeline's meta: `lang_name`, version."""
    return f"{meta['lang']}_{meta['name']}", str(meta["version"])


def doc_entities(doc: "Doc") -> List[Dict[str, Any]]:
    """A Doc's entities as output structs, with character offsets into the input text."""
    return [
        {"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text}
        for ent in doc.ents
    ]


def check_row(
    row: InputRow, *, text_key: str, id_key: str, max_length: int
) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(id, text, None) for a row the pipeline can take, else (id or None, None, reason)."""
    if row.row is None:
        return None, None, row.error
    raw_id = row.row.get(id_key)
    doc_id = None if raw_id is None else str(raw_id)
    if doc_id is None:
        return None, None, Errors.E426.format(key=id_key)
    if text_key not in row.row:
        return doc_id, None, Errors.E423.format(key=text_key)
    text = row.row[text_key]
    if not isinstance(text, str):
        return doc_id, None, Errors.E424.format(key=text_key, kind=type(text).__name__)
    if len(text) > max_length:
        reason = Errors.E425.format(length=len(text), max_length=max_length)
        return doc_id, None, reason
    return doc_id, text, None


@dataclass
class GroupResult(Generic[Key]):
    """The output of one group of rows (a shard, or a batch of Spark or Ray).

    records: one output row per document, in input order (`id`, `entities`, `model`,
        `model_version`).
    errors: one record per row that was skipped (`id`, `reason`, `row`, `file`, `line`).
    words: tokens in the documents annotated.
    """

    key: Key
    records: List[Dict[str, Any]] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    words: int = 0


@dataclass
class _Group(Generic[Key]):
    key: Key
    source: str
    rows: List[InputRow]
    ids: List[Optional[str]]
    texts: List[Optional[str]]
    reasons: List[Optional[str]]
    ents: List[Optional[List[Dict[str, Any]]]]
    words: int = 0


def annotate_groups(
    nlp: "Language",
    groups: Iterable[Tuple[Key, str, List[InputRow]]],
    *,
    text_key: str = "text",
    id_key: str = "id",
    batch_size: int = 256,
    n_process: int = 1,
) -> Iterator[GroupResult[Key]]:
    """Annotate groups of rows (key, source file, rows) through one `nlp.pipe` stream.

    One stream over all groups keeps `n_process` workers alive across shards (spaCy starts them
    once per `pipe` call). Results come back group by group, in order, as soon as the stream has
    passed a group's last row. A batch in which the pipeline raised leaves a gap (see
    `_pipe_batches`; with `n_process > 1`, spaCy's workers send an error for the batch, which
    `ignore_error` skips); its documents run again one at a time here, which finds the ones that
    raise, and the others get the same entities as in a batch.
    """
    from collections import deque

    from spacy.util import ignore_error, raise_error

    model, version = model_name(nlp.meta)
    pending: Deque[Tuple[int, _Group[Key]]] = deque()

    def stream() -> Iterator[Tuple[Union[str, "Doc"], Tuple[int, int]]]:
        for index, (key, source, rows) in enumerate(groups):
            group: _Group[Key] = _Group(key, source, rows, [], [], [], [None] * len(rows))
            pending.append((index, group))
            for i, row in enumerate(rows):
                doc_id, text, reason = check_row(
                    row, text_key=text_key, id_key=id_key, max_length=nlp.max_length
                )
                group.ids.append(doc_id)
                group.texts.append(text)
                group.reasons.append(reason)
                if text is None:
                    continue
                if n_process > 1:
                    yield text, (index, i)  # workers tokenize; a failure comes back as a gap
                    continue
                try:
                    doc = nlp.make_doc(text)  # in this process a raising tokenizer ends pipe()
                except Exception as err:
                    group.reasons[i] = _raised(err)
                    continue
                yield doc, (index, i)

    def finish(group: _Group[Key]) -> GroupResult[Key]:
        result: GroupResult[Key] = GroupResult(group.key)
        for i, row in enumerate(group.rows):
            text = group.texts[i]
            if group.reasons[i] is None and group.ents[i] is None and text is not None:
                # With ignore_error, nlp() would return a half-annotated Doc: raise instead.
                nlp.default_error_handler = raise_error
                try:
                    doc = nlp(text)
                except Exception as err:
                    group.reasons[i] = _raised(err)
                else:
                    group.ents[i] = doc_entities(doc)
                    group.words += len(doc)
                finally:
                    nlp.default_error_handler = handler
            reason = group.reasons[i]
            if reason is not None:
                result.errors.append(
                    {
                        "id": group.ids[i],
                        "reason": reason,
                        "row": row.row if row.row is not None else row.raw,
                        "file": group.source,
                        "line": row.line,
                    }
                )
            else:
                result.records.append(
                    {
                        "id": group.ids[i],
                        "entities": group.ents[i],
                        "model": model,
                        "model_version": version,
                    }
                )
        result.words = group.words
        return result

    # Only Language's own handler: spaCy 3.8's `set_error_handler` fails on the parser and NER
    # ("EntityRecognizer object has no attribute error_handler").
    handler = ignore_error if n_process > 1 else raise_error
    nlp.default_error_handler = handler
    try:
        if n_process > 1:
            docs = nlp.pipe(stream(), as_tuples=True, batch_size=batch_size, n_process=n_process)
        else:
            docs = _pipe_batches(nlp, stream(), batch_size)
        for doc, (index, i) in docs:
            while pending[0][0] < index:
                yield finish(pending.popleft()[1])
            group = pending[0][1]
            group.ents[i] = doc_entities(doc)
            group.words += len(doc)
        while pending:
            yield finish(pending.popleft()[1])
    finally:
        nlp.default_error_handler = raise_error


def _pipe_batches(
    nlp: "Language", stream: Iterable[Tuple[Union[str, "Doc"], Tuple[int, int]]], batch_size: int
) -> Iterator[Tuple["Doc", Tuple[int, int]]]:
    """`nlp.pipe` in this process, one call per batch, skipping a batch in which it raised.

    The batches are those of `nlp.pipe(stream, batch_size=batch_size)`, so the output is too.
    """
    from spacy.util import minibatch

    for batch in minibatch(stream, size=batch_size):
        try:
            docs = list(nlp.pipe([doc for doc, _ in batch], batch_size=batch_size))
        except Exception:
            continue  # the gap makes annotate_groups run these documents one at a time
        yield from zip(docs, [context for _, context in batch])


def _raised(err: Exception) -> str:
    return Errors.E427.format(kind=type(err).__name__, err=str(err)[:500])


# The output of BatchAnnotator as a Spark DDL schema, for `mapInPandas(..., schema=SPARK_SCHEMA)`.
SPARK_SCHEMA = (
    "id string, entities array<struct<start:bigint,end:bigint,label:string,text:string>>, "
    "model string, model_version string, error string"
)


class BatchAnnotator:
    """A picklable callable for Spark's `mapInPandas` and Ray Data's `map_batches`.

    It holds only the model name and options; the pipeline loads on the first call, once per
    process. A batch is a `pyarrow.Table`, a pandas DataFrame or a dict of columns (Ray's "numpy"
    format), and the result has the same type, with the output columns plus `error`: null for an
    annotated row, the reason for a skipped one (whose `entities` is null), so nothing is lost.

    model: an installed pipeline package name or a pipeline folder visible to every worker.
    text_key, id_key: the input columns of the text and of the id.
    batch_size: documents per `nlp.pipe` batch.
    gpu_id: GPU to run on, or -1 for CPU.
    """

    def __init__(
        self,
        model: str,
        *,
        text_key: str = "text",
        id_key: str = "id",
        batch_size: int = 256,
        gpu_id: int = -1,
    ) -> None:
        self.model = model
        self.text_key = text_key
        self.id_key = id_key
        self.batch_size = batch_size
        self.gpu_id = gpu_id

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        if isinstance(batch, pa.Table):
            rows = batch.to_pylist()
        elif hasattr(batch, "to_dict"):  # pandas
            rows = batch.to_dict("records")
        else:
            columns = {name: list(values) for name, values in batch.items()}
            n_rows = len(next(iter(columns.values()))) if columns else 0
            rows = [{name: values[i] for name, values in columns.items()} for i in range(n_rows)]
        table = self.annotate_rows(rows)
        if isinstance(batch, pa.Table):
            return table
        if hasattr(batch, "to_dict"):
            return table.to_pandas()
        return table.to_pydict()

    def annotate_rows(self, rows: List[Dict[str, Any]]) -> "pyarrow.Table":
        """The output table of `rows`, one row per input row, in input order."""
        import pyarrow as pa

        nlp = load_pipeline(self.model, self.gpu_id)
        inputs = [InputRow(i + 1, row) for i, row in enumerate(rows)]
        with PIPELINE_LOCK:
            (result,) = annotate_groups(
                nlp,
                [(None, "<batch>", inputs)],
                text_key=self.text_key,
                id_key=self.id_key,
                batch_size=self.batch_size,
            )
        model, version = model_name(nlp.meta)
        failed = {error["line"]: error for error in result.errors}
        records = iter(result.records)
        out = []
        for row in inputs:  # records and errors each keep input order: merge them back
            error = failed.get(row.line)
            if error is None:
                out.append({**next(records), "error": None})
            else:
                out.append(
                    {
                        "id": error["id"],
                        "entities": None,
                        "model": model,
                        "model_version": version,
                        "error": error["reason"],
                    }
                )
        schema = output_schema().append(pa.field("error", pa.string()))
        return pa.Table.from_pylist(out, schema=schema)
