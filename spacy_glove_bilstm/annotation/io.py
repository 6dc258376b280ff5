"""Reading input shards and writing output shards, errors and the manifest of `annotate`.

Input is JSONL (optionally compressed) or Parquet, on any filesystem fsspec knows. A file is cut
into shards of `shard_rows` rows; each shard maps to one output file with a fixed name, written
under a hidden temporary name and renamed when complete, so a retried or resumed shard replaces
its output instead of duplicating it. This module owns the output format and its readers.
"""

import json
import math
import posixpath
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ..errors import Errors

if TYPE_CHECKING:
    import pyarrow
    from fsspec import AbstractFileSystem

JSONL_SUFFIXES = (".jsonl", ".ndjson")
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")
PARQUET_SUFFIXES = (".parquet", ".pq")
MANIFEST = "_manifest.json"
ERRORS_DIR = "_errors"
# Parquet key-value metadata of each output shard: its ShardStats, read back by --resume.
STATS_KEY = b"spacy_glove_bilstm.annotate"


def require_pyarrow() -> None:
    """Stop with a coded ImportError that names the extra when pyarrow or fsspec is missing."""
    for package in ("pyarrow", "fsspec"):
        try:
            __import__(package)
        except ImportError as err:
            raise ImportError(Errors.E403.format(package=package)) from err


@dataclass(frozen=True)
class Shard:
    """Rows [start, stop) of one input file, and the fixed name of its output.

    source: the input file as an fsspec URL.
    fmt: "jsonl" or "parquet".
    start, stop: the first and one-past-last line (JSONL, blank lines included) or row (Parquet).
    offset: byte offset of line `start` in an uncompressed JSONL file, else None (read from the
        beginning and skip lines).
    name: output file stem, unique per shard and the same in every run with the same options.
    """

    source: str
    fmt: str
    start: int
    stop: int
    offset: Optional[int]
    name: str


@dataclass
class InputRow:
    """One input row: its 1-based line (JSONL) or row number (Parquet), and its data.

    `row` is the parsed object, or None when the line could not be parsed; then `error` says why
    and `raw` holds the line as read.
    """

    line: int
    row: Optional[Dict[str, Any]]
    raw: Optional[str] = None
    error: Optional[str] = None


@dataclass
class ShardStats:
    """What one shard took and gave, stored in its Parquet footer and in the manifest.

    pid and loads: the process that wrote the shard and how often it had loaded the pipeline
    by then (1, or the engine reloads where it should not). config: JobOptions.config().
    """

    name: str
    source: str
    start: int
    stop: int
    rows_in: int = 0
    rows_out: int = 0
    errors: int = 0
    words: int = 0
    seconds: float = 0.0
    pid: int = 0
    loads: int = 0
    config: Dict[str, Any] = field(default_factory=dict)


def output_schema() -> "pyarrow.Schema":
    """Columns of every output shard: the input id, its entities, and the model that found them."""
    import pyarrow as pa

    entity = pa.struct(
        [
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("label", pa.string()),
            ("text", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("id", pa.string()),
            ("entities", pa.list_(entity)),
            ("model", pa.string()),
            ("model_version", pa.string()),
        ]
    )


def _fmt_of(path: str) -> Optional[str]:
    lower = path.lower()
    for compression in COMPRESSIONS:
        if lower.endswith(compression):
            lower = lower[: -len(compression)]
            break
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(PARQUET_SUFFIXES) and lower == path.lower():
        return "parquet"
    return None


def _suffixes() -> str:
    return ", ".join(JSONL_SUFFIXES + PARQUET_SUFFIXES)


def _hidden(path: str) -> bool:
    return any(part.startswith((".", "_")) for part in path.split("/") if part)


def find_inputs(url: str) -> List[Tuple[str, str, str]]:
    """The input files of `url` (a file, a folder or a glob) as (URL, format, relative name).

    The relative name (to the folder, or to the glob's fixed prefix) names the output shards, so
    two files of the same name in different folders never share an output. Hidden files and names
    starting with `_` (Spark's `_SUCCESS`, our own `_errors/`) are skipped in folders and globs.
    """
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    if any(char in path for char in "*?["):
        magic = min(path.index(char) for char in "*?[" if char in path)
        root = posixpath.dirname(path[:magic])
        candidates = sorted(p for p in fs.glob(path) if not fs.isdir(p))
    elif fs.isdir(path):
        root = path
        candidates = sorted(fs.find(path))
    elif fs.exists(path):
        if _fmt_of(path) is None:
            raise ValueError(Errors.E401.format(path=url, suffixes=_suffixes()))
        return [(fs.unstrip_protocol(path), str(_fmt_of(path)), posixpath.basename(path))]
    else:
        raise ValueError(Errors.E400.format(path=url))
    inputs = []
    skipped = 0
    for candidate in candidates:
        relative = posixpath.relpath(candidate, root) if root else candidate
        fmt = _fmt_of(candidate)
        if _hidden(relative) or fmt is None:
            skipped += 1
            continue
        inputs.append((fs.unstrip_protocol(candidate), fmt, relative))
    if not inputs:
        raise ValueError(Errors.E402.format(path=url, suffixes=_suffixes(), found=skipped))
    return inputs


def plan_shards(url: str, *, shard_rows: int, text_key: str, id_key: str) -> List[Shard]:
    """Cut every input file of `url` into shards of at most `shard_rows` rows.

    Parquet files are cut by their row count (footer only). JSONL files are scanned once for
    their line count, remembering the byte offset of each shard's first line so that a worker
    seeks there instead of reading the file from the top. A file with no rows still gets one
    (empty) shard, so every input file has an output. Parquet files must have the text and id
    columns: a wrong --text-key stops here, before any work, not as one error per row.
    """
    import fsspec
    import pyarrow.parquet as pq

    shards = []
    for source, fmt, relative in find_inputs(url):
        stem = relative.replace("/", "__")
        fs, path = fsspec.core.url_to_fs(source)
        offsets: List[Optional[int]]
        if fmt == "parquet":
            with fs.open(path, "rb") as file:
                meta = pq.ParquetFile(file).metadata
                columns = meta.schema.to_arrow_schema().names
            for key, option in ((text_key, "--text-key"), (id_key, "--id-key")):
                if key not in columns:
                    raise ValueError(
                        Errors.E410.format(path=source, column=key, columns=columns, option=option)
                    )
            n_rows = meta.num_rows
            offsets = [None] * max(1, math.ceil(n_rows / shard_rows))
        else:
            n_rows, offsets = _scan_jsonl(fs, path, shard_rows)
        for part, offset in enumerate(offsets):
            start = part * shard_rows
            stop = min(n_rows, start + shard_rows)
            name = f"{stem}-{part:05d}"
            shards.append(Shard(source, fmt, start, stop, offset, name))
    return shards


def _scan_jsonl(
    fs: "AbstractFileSystem", path: str, shard_rows: int
) -> Tuple[int, List[Optional[int]]]:
    """Line count of a JSONL file and the byte offset of every `shard_rows`-th line."""
    compressed = path.lower().endswith(COMPRESSIONS)
    offsets: List[Optional[int]] = [None if compressed else 0]
    n_lines = 0
    position = 0
    with fs.open(path, "rb", compression="infer") as file:
        for line in file:
            n_lines += 1
            position += len(line)
            if n_lines % shard_rows == 0:
                offsets.append(None if compressed else position)
    if n_lines and n_lines % shard_rows == 0:
        offsets.pop()
    return n_lines, offsets


def read_shard(shard: Shard) -> List[InputRow]:
    """The rows of one shard, in file order; a JSONL line that cannot be parsed becomes an
    InputRow with its error (file and line named), so the rest of the shard goes on."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(shard.source)
    if shard.fmt == "parquet":
        return _read_parquet(fs, path, shard)
    return _read_jsonl(fs, path, shard)


def _read_parquet(fs: "AbstractFileSystem", path: str, shard: Shard) -> List[InputRow]:
    import pyarrow.parquet as pq

    with fs.open(path, "rb") as file:
        parquet = pq.ParquetFile(file)
        groups: List[int] = []
        first = 0  # first row of the first group read
        seen = 0
        for index in range(parquet.metadata.num_row_groups):
            n_rows = parquet.metadata.row_group(index).num_rows
            if seen + n_rows > shard.start and seen < shard.stop:
                if not groups:
                    first = seen
                groups.append(index)
            seen += n_rows
        if not groups:
            return []
        table = parquet.read_row_groups(groups)
    rows = table.slice(shard.start - first, shard.stop - shard.start).to_pylist()
    return [InputRow(shard.start + i + 1, row) for i, row in enumerate(rows)]


def _read_jsonl(fs: "AbstractFileSystem", path: str, shard: Shard) -> List[InputRow]:
    rows = []
    with fs.open(path, "rb", compression="infer") as file:
        if shard.offset is not None:
            file.seek(shard.offset)
        else:
            for _ in range(shard.start):
                file.readline()
        for line_no in range(shard.start + 1, shard.stop + 1):
            raw = file.readline()
            if not raw:
                break
            rows.append(_parse_line(raw, shard.source, line_no))
    return [row for row in rows if row is not None]


def _parse_line(raw: bytes, source: str, line_no: int) -> Optional[InputRow]:
    try:
        text = raw.decode("utf8")
    except UnicodeDecodeError as err:
        reason = Errors.E422.format(path=source, line=line_no, err=err)
        return InputRow(line_no, None, raw.decode("utf8", "replace"), reason)
    if not text.strip():
        return None
    try:
        row = json.loads(text)
    except json.JSONDecodeError as err:
        reason = Errors.E420.format(path=source, line=line_no, err=err)
        return InputRow(line_no, None, text.rstrip("\n"), reason)
    if not isinstance(row, dict):
        reason = Errors.E421.format(path=source, line=line_no, kind=type(row).__name__)
        return InputRow(line_no, None, text.rstrip("\n"), reason)
    return InputRow(line_no, row)


def output_fs(output_dir: str) -> Tuple["AbstractFileSystem", str]:
    """The filesystem and path of OUTPUT_DIR (a local path or an fsspec URL)."""
    import fsspec

    return fsspec.core.url_to_fs(output_dir)


def _write_atomic(fs: "AbstractFileSystem", path: str, write: Any) -> None:
    """Write through `write(file)` to a hidden temporary name, then rename onto `path`.

    Readers (and --resume) only ever see complete files; a worker killed mid-write leaves a
    hidden `.NAME.ID.tmp` that dataset readers ignore and that the driver removes at the end.
    """
    folder, name = posixpath.split(path)
    tmp = posixpath.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    with fs.open(tmp, "wb") as file:
        write(file)
    fs.mv(tmp, path)


def write_shard(
    output_dir: str,
    stats: ShardStats,
    records: Sequence[Dict[str, Any]],
    errors: Sequence[Dict[str, Any]],
) -> None:
    """Write a shard's error records, then its Parquet output (the file that marks it complete)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, root = output_fs(output_dir)
    errors_path = posixpath.join(root, ERRORS_DIR, f"{stats.name}.jsonl")
    if errors:
        fs.makedirs(posixpath.join(root, ERRORS_DIR), exist_ok=True)
        lines = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in errors)
        _write_atomic(fs, errors_path, lambda file: file.write(lines.encode("utf8")))
    elif fs.exists(errors_path):
        fs.rm(errors_path)  # left by an earlier run of this shard over different input
    schema = output_schema().with_metadata({STATS_KEY: json.dumps(asdict(stats))})
    table = pa.Table.from_pylist(list(records), schema=schema)
    path = posixpath.join(root, f"{stats.name}.parquet")
    _write_atomic(fs, path, lambda file: pq.write_table(table, file))


def read_shard_stats(output_dir: str, name: str) -> Optional[ShardStats]:
    """The stats of a complete output shard (from its Parquet footer), or None if it is absent."""
    import pyarrow.parquet as pq

    fs, root = output_fs(output_dir)
    path = posixpath.join(root, f"{name}.parquet")
    if not fs.exists(path):
        return None
    with fs.open(path, "rb") as file:
        metadata = pq.ParquetFile(file).schema_arrow.metadata or {}
    return ShardStats(**json.loads(metadata[STATS_KEY]))


def remove_temporary(output_dir: str) -> None:
    """Remove the hidden temporary files that killed workers left behind."""
    fs, root = output_fs(output_dir)
    for folder in (root, posixpath.join(root, ERRORS_DIR)):
        if fs.isdir(folder):
            for path in fs.ls(folder, detail=False):
                base = posixpath.basename(path)
                if base.startswith(".") and base.endswith(".tmp"):
                    fs.rm(path)


def write_manifest(output_dir: str, manifest: Dict[str, Any]) -> None:
    fs, root = output_fs(output_dir)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(fs, posixpath.join(root, MANIFEST), lambda file: file.write(text.encode("utf8")))


def read_manifest(output_dir: str) -> Dict[str, Any]:
    """The `_manifest.json` of a finished run."""
    fs, root = output_fs(output_dir)
    with fs.open(posixpath.join(root, MANIFEST), "rb") as file:
        return json.loads(file.read().decode("utf8"))


def read_errors(output_dir: str) -> List[Dict[str, Any]]:
    """Every error record of OUTPUT_DIR, shard by shard in name order."""
    fs, root = output_fs(output_dir)
    folder = posixpath.join(root, ERRORS_DIR)
    if not fs.isdir(folder):
        return []
    records: List[Dict[str, Any]] = []
    for path in sorted(fs.ls(folder, detail=False)):
        if path.endswith(".jsonl") and not posixpath.basename(path).startswith("."):
            with fs.open(path, "rb") as file:
                records.extend(json.loads(line) for line in file.read().decode().splitlines())
    return records


def read_output(output_dir: str) -> Iterator[Dict[str, Any]]:
    """The output rows of OUTPUT_DIR, shard by shard in name order, as plain dicts."""
    import pyarrow.parquet as pq

    fs, root = output_fs(output_dir)
    for path in sorted(fs.glob(posixpath.join(root, "*.parquet"))):
        with fs.open(path, "rb") as file:
            yield from pq.read_table(file).to_pylist()


def now() -> str:
    """UTC time for the manifest, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
